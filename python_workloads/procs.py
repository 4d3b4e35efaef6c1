"""The multiprocessing model: N worker processes, each with its own interpreter and GIL.

Workers are forked and have built their op before the model is ready, so process start-up
stays out of the measured window. They pull op indices from one shared counter (a
``multiprocessing.Value`` under its lock), time each op themselves into an op log of their
own (allocated and touched before their clock starts), and report their own ``getrusage``
and memory over each batch: the parent cannot see a live child's usage, and the cell needs
it to count the workers' CPU time, context switches and memory. The latencies travel to
the parent only when asked, after the window (:meth:`ProcessModel.fill`).
"""

import multiprocessing
import traceback

from . import memory
from .kernel import MASK
from .rusage import Sampler, plus

# A worker that has not answered within this many seconds at start-up is broken.
_START_TIMEOUT_S = 30.0


def _die_with_parent():
    """Asks Linux to kill this worker when its parent dies (no orphans on a crash)."""
    try:
        import ctypes  # noqa: PLC0415
        import signal  # noqa: PLC0415

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    except (OSError, AttributeError):
        pass  # not Linux: the cell's process group is still killed on timeout


def _worker(worker, conn, counter, spec):
    _die_with_parent()
    try:
        from .op import make_op  # noqa: PLC0415

        op = make_op(spec)
    except BaseException:  # noqa: BLE001 -- reported to the parent with its traceback
        conn.send(("error", traceback.format_exc()))
        return
    conn.send(("ready", None))
    import time  # noqa: PLC0415

    from .trace import Trace, run_sampled  # noqa: PLC0415

    clock = time.perf_counter_ns
    lock = counter.get_lock()
    log, log_start, trace = None, 0, None
    while True:
        cmd = conn.recv()
        if cmd is None:
            return
        if cmd == "log":
            # After the window: the slots this worker filled, as (op index, ns) pairs.
            done = [(log_start + k, ns) for k, ns in enumerate(log or ()) if ns]
            conn.send(("log", (done, trace.spans() if trace else [])))
            continue
        start, end, traced = cmd
        # Any op of the range (and of the sample) may fall to this worker: a slot for each.
        log, log_start = memory.new_log(end - start), start
        trace = Trace(start, traced)
        sampled = trace.sampled
        watch = memory.PeakWatch()
        sampler = Sampler()
        acc = 0
        try:
            while True:
                with lock:
                    i = counter.value
                    if i >= end:
                        break
                    counter.value = i + 1
                if sampled(i):
                    acc += run_sampled(op, i, log, start, trace, worker)
                    continue
                t = clock()
                acc += op(i)
                log[i - start] = max(1, clock() - t)
        except BaseException:  # noqa: BLE001
            conn.send(("error", traceback.format_exc()))
            continue
        usage = sampler.delta()
        mem = watch.finish(memory.log_kib(end - start) + trace.kib())
        conn.send(("ok", (acc & MASK, usage, mem)))


class ProcessModel:
    """N forked worker processes pulling op indices from a shared counter."""

    def __init__(self, spec):
        self.n = max(1, int(spec.get("concurrency", 1)))
        # fork, stated explicitly: the default start method differs across versions and
        # platforms, and fork makes set-up cheap and needs no importable __main__.
        ctx = multiprocessing.get_context("fork")
        self.counter = ctx.Value("Q", 0)
        self.conns = []
        self.procs = []
        for k in range(self.n):
            parent, child = ctx.Pipe()
            p = ctx.Process(
                target=_worker,
                args=(k, child, self.counter, spec),
                name=f"spectrum-{k}",
                daemon=True,
            )
            p.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(p)
        for conn in self.conns:
            if not conn.poll(_START_TIMEOUT_S):
                self.close()
                raise RuntimeError(f"a worker process did not start within {_START_TIMEOUT_S} s")
            status, detail = conn.recv()
            if status != "ready":
                self.close()
                raise RuntimeError(f"a worker process failed to set up:\n{detail}")

    def run(self, start, end, log, trace=None):
        """Runs the ops in the workers; their latencies and spans stay there until
        :meth:`fill`."""
        del log  # the workers record into logs of their own
        with self.counter.get_lock():
            self.counter.value = start
        traced = trace.n if trace is not None else 0
        for conn in self.conns:
            conn.send((start, end, traced))
        acc, usage, mem, errors = 0, None, None, []
        for conn in self.conns:
            status, detail = conn.recv()
            if status != "ok":
                errors.append(detail)
                continue
            c, ru, m = detail
            acc += c
            usage = ru if usage is None else plus(usage, ru)
            mem = m if mem is None else memory.plus(mem, m)
        if errors:
            raise RuntimeError("a worker process raised:\n" + errors[0])
        return {"checksum": acc & MASK, "workers_rusage": usage, "workers_memory": mem}

    def fill(self, log, start):
        """Copies the workers' latencies of the last run into ``log`` (after the window);
        returns their spans."""
        for conn in self.conns:
            conn.send("log")
        spans = []
        for conn in self.conns:
            status, (pairs, worker_spans) = conn.recv()
            if status != "log":
                raise RuntimeError(f"a worker process answered {status!r} to 'log'")
            for i, ns in pairs:
                log[i - start] = ns
            spans.extend(worker_spans)
        return spans

    def close(self):
        for conn in self.conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
