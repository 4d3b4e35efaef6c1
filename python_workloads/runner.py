"""The ``cpython`` runtime: spectrum's ops run by a plain ``python3``, over a line protocol.

spectrum's cell process starts ``python3 -m python_workloads.runner`` and talks to it on
stdin/stdout, one line each way per step (every reply is one JSON object)::

    -> {op spec}                  set up the model (threads, processes, event loop)
    <- {"status": "ready", "info": {...the interpreter...}, "setup": {...its cost...}}
    -> run START END TRACED       run ops START..END (the measured window), keeping the
                                  spans of the first TRACED ops for the timeline
    <- {"status": "ok", "checksum": N, "rusage": {...}, "memory": {...}}
                                  (and "counter": {"increments": I, "counted": C} for a
                                  cell with a shared counter, read after the window)
    -> latencies                  the last run's per-op latencies, asked after the window
    <- {"status": "latencies", "latencies_ns": [...], "spans": [[w, s, c, e, cpu], ...]}
    -> speed SEED ITERS           time the kernel, outside any run (the speed check)
    <- {"status": "speed", "seconds": S}
    -> exit
    <- {"status": "bye"}

Any failure answers ``{"status": "error", "error": "<formatted traceback>"}``. ``rusage``
is this process's ``getrusage`` over the run, plus its worker processes' own (process
model); ``memory`` the same for resident memory (:mod:`python_workloads.memory`). The op
log is allocated and touched before the run's samples start, and its latencies are sent
only when asked, so neither the allocation nor the JSON is inside the window. Anything the
workload prints goes to stderr: stdout belongs to the protocol.
"""

import json
import sys
import time
import traceback

from . import memory
from .calibrate import describe, time_kernel
from .models import build
from .rusage import Sampler, plus
from .trace import Trace


def _reply(out, obj):
    out.write(json.dumps(obj, separators=(",", ":")) + "\n")
    out.flush()


def _error(out):
    _reply(out, {"status": "error", "error": traceback.format_exc()})


class _Last:
    """The last run's op log, kept for the ``latencies`` command."""

    log = None
    start = 0
    trace = None


def _run(model, line, last, spec=None):
    parts = line.split()
    if len(parts) != 4:
        raise ValueError(f"expected 'run START END TRACED', got {line!r}")
    start, end, traced = int(parts[1]), int(parts[2]), int(parts[3])
    if not 0 <= start <= end or traced < 0:
        raise ValueError(f"bad op range {start}..{end} or sample {traced}")
    last.log, last.start, last.trace = None, start, None
    # A model whose units keep logs of their own (subinterpreters) allocates them now,
    # before the window, like the log below.
    prepare = getattr(model, "prepare", None)
    if prepare is not None:
        prepare(start, end)
    log = memory.new_log(end - start)
    trace = Trace(start, min(traced, end - start))
    counting = bool(spec and spec.get("counter"))
    if counting:
        from . import race  # noqa: PLC0415 -- only counting cells need it

        race.reset()
    watch = memory.PeakWatch()
    sampler = Sampler()
    batch = model.run(start, end, log, trace)
    usage = sampler.delta()
    if counting:
        batch["counter"] = race.tally((end - start) * int(spec.get("cpu_iters", 0)))
    mem = watch.finish(memory.log_kib(end - start) + trace.kib())
    workers = batch.pop("workers_rusage", None)
    if workers is not None:
        usage = plus(usage, workers)
    workers_mem = batch.pop("workers_memory", None)
    if workers_mem is not None:
        mem = memory.plus(mem, workers_mem)
    last.log, last.trace = log, trace
    batch["rusage"] = usage
    batch["memory"] = mem
    batch["status"] = "ok"
    return batch


def _latencies(model, last):
    if last.log is None:
        raise ValueError("no finished run to send latencies of")
    fill = getattr(model, "fill", None)
    if fill is not None:
        spans = fill(last.log, last.start) or []
    else:
        spans = last.trace.spans() if last.trace is not None else []
    return {"status": "latencies", "latencies_ns": last.log.tolist(), "spans": spans}


def _setup(model, spec, seconds):
    """The model's set-up cost: the seconds ``build`` took for its units (threads,
    processes, subinterpreters), and what the model adds (each unit's own time)."""
    units = max(1, int(spec.get("concurrency", 1))) if spec.get("model") != "sequential" else 1
    setup = {"setup_s": seconds, "units": units, "setup_per_unit_s": seconds / units}
    setup.update(getattr(model, "setup_info", None) or {})
    return setup


def _speed(line):
    parts = line.split()
    if len(parts) != 3:
        raise ValueError(f"expected 'speed SEED ITERS', got {line!r}")
    seed, iters = int(parts[1]), int(parts[2])
    if seed < 0 or iters < 1:
        raise ValueError(f"bad speed check {line!r}")
    return {"status": "speed", "seconds": time_kernel(seed, iters)}


def serve(inp, out):
    """Serves one model over the protocol until ``exit`` or end of input."""
    first = inp.readline()
    if not first:
        return
    try:
        spec = json.loads(first)
        started = time.perf_counter()
        model = build(spec)
        setup = _setup(model, spec, time.perf_counter() - started)
    except BaseException:  # noqa: BLE001 -- every failure goes back over the protocol
        _error(out)
        return
    _reply(out, {"status": "ready", "info": describe(), "setup": setup})
    last = _Last()
    try:
        for line in inp:
            line = line.strip()
            if not line:
                continue
            if line == "exit":
                break
            try:
                if line.startswith("speed"):
                    _reply(out, _speed(line))
                    continue
                if line == "latencies":
                    _reply(out, _latencies(model, last))
                    continue
                if not line.startswith("run"):
                    raise ValueError(
                        f"unknown command {line!r}; expected 'run START END TRACED', 'latencies', "
                        "'speed SEED ITERS' or 'exit'"
                    )
                _reply(out, _run(model, line, last, spec))
            except BaseException:  # noqa: BLE001
                _error(out)
    finally:
        model.close()
    _reply(out, {"status": "bye"})


def main():
    out = sys.stdout
    # Whatever the workload prints must not corrupt the protocol.
    sys.stdout = sys.stderr
    serve(sys.stdin, out)


if __name__ == "__main__":
    main()
