"""Where an asyncio task's CPU work runs, and the CPU-heavy tasks of the ``offload`` demo.

``spec["async_cpu"]`` places every CPU chunk a task of the async model computes:

- ``"inline"``: in the task, on the event loop's thread. Nothing else on the loop runs
  until the chunk ends: every other task's I/O waits behind it;
- ``"offload"``: ``asyncio.to_thread``, on the loop's default executor (threads). The loop
  stays free, but a pure-Python chunk still needs the GIL: the loop's thread takes it
  back only when the computing thread lets go, at the latest after a switch interval;
- ``"pool"``: ``loop.run_in_executor`` on a ``ProcessPoolExecutor`` of one process per
  core: each has its own interpreter and GIL, and the arguments and the result travel
  pickled through a pipe.

``spec["background"]`` tasks (``background_model = "task"``) compute chunks of
``spec["background_iters"]`` kernel iterations one after another, placed the same way,
from set-up until the model closes: they are the neighbours whose placement decides how
late the measured tasks' I/O runs. A run reports how many chunks they finished, and a
process pool's own CPU time and memory over the run (the cell process cannot see a live
child's ``getrusage``).
"""

import asyncio
import concurrent.futures
import multiprocessing
import os

from .kernel import kernel

INLINE = "inline"
OFFLOAD = "offload"
POOL = "pool"
PLACES = (INLINE, OFFLOAD, POOL)
TASK = "task"

# A pool whose processes have not all answered within this many seconds is broken.
_START_TIMEOUT_S = 30.0


def place_of(spec):
    """The ``async_cpu`` of ``spec``, checked."""
    place = spec.get("async_cpu") or INLINE
    if place not in PLACES:
        raise ValueError(f"op spec: async_cpu = {place!r}; choose from {', '.join(PLACES)}")
    return place


def background_of(spec):
    """``(units, iters)`` of the background tasks ``spec`` asks for; ``(0, 0)`` for none."""
    if spec.get("background_model") != TASK:
        return 0, 0
    units = int(spec.get("background", 0) or 0)
    iters = int(spec.get("background_iters", 0) or 0)
    if units < 0 or (units > 0 and iters <= 0):
        raise ValueError(
            f"op spec: background = {units} tasks of {iters} iterations; "
            "give 0 or more tasks of at least one iteration"
        )
    return units, iters


def _pool_worker_init():
    from .procs import _die_with_parent  # noqa: PLC0415 -- in the forked child

    _die_with_parent()


def start_process_pool():
    """A ``ProcessPoolExecutor`` of one forked process per core, every process started.

    Forked, as the process model's workers are: the embedded runtime's ``sys.executable``
    is spectrum itself, which a spawned child cannot run as Python."""
    n = os.cpu_count() or 1
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=n,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_pool_worker_init,
    )
    # With fork, the first submit starts every process; waiting for a job of each makes
    # sure they are up before the window.
    jobs = [pool.submit(os.getpid) for _ in range(n)]
    for job in jobs:
        job.result(timeout=_START_TIMEOUT_S)
    return pool


def placer(place, pool=None):
    """``await put(fn, *args)`` runs ``fn(*args)`` where ``place`` says and returns its
    result; ``pool`` is the process pool of ``"pool"``. None for ``"inline"``: the caller
    calls ``fn`` itself, with no coroutine between the op and its timer."""
    if place == POOL:
        if pool is None:
            raise ValueError('async_cpu = "pool" needs a process pool')

        async def put(fn, *args):
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    elif place == OFFLOAD:

        async def put(fn, *args):
            return await asyncio.to_thread(fn, *args)

    else:
        return None
    return put


class Crunch:
    """``units`` tasks on ``loop``, each computing chunks of ``iters`` iterations through
    ``put`` (inline when None), yielding to the loop between chunks; created at set-up,
    they run whenever the loop runs."""

    def __init__(self, loop, units, iters, put):
        self.units = units
        self.chunks = 0
        self._stop = False
        self._loop = loop
        self._tasks = [loop.create_task(self._spin(k, units, iters, put)) for k in range(units)]

    async def _spin(self, k, units, iters, put):
        # Seeds of their own, far from the measured ops' indices.
        seed = (1 << 62) + k
        while not self._stop:
            if put is None:
                kernel(seed, iters)
            else:
                await put(kernel, seed, iters)
            seed += units
            self.chunks += 1
            await asyncio.sleep(0)

    def close(self):
        """Stops the tasks; a chunk in an executor finishes on its own."""
        self._stop = True
        for t in self._tasks:
            t.cancel()
        if self._tasks:
            self._loop.run_until_complete(asyncio.gather(*self._tasks, return_exceptions=True))
        self._tasks = []


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_usage(pid):
    """A live process's usage in the shape of :func:`rusage.sample`, from ``/proc``:
    CPU seconds, switches, and its peak resident memory; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The command may hold spaces: the fields after its closing parenthesis.
            fields = f.read().rsplit(")", 1)[1].split()
        status = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                status[key] = value.split()
    except OSError:
        return None
    return {
        "user_s": int(fields[11]) / _TICKS,
        "sys_s": int(fields[12]) / _TICKS,
        "ctx_voluntary": int(status.get("voluntary_ctxt_switches", ["0"])[0]),
        "ctx_involuntary": int(status.get("nonvoluntary_ctxt_switches", ["0"])[0]),
        "max_rss_kib": int(status.get("VmHWM", ["0"])[0]),
    }


class PoolWatch:
    """The pool's processes' usage over a run: :meth:`finish` gives their summed
    ``workers_rusage`` (ticks of 10 ms: coarse, but the pool's share of the CPU, which
    the cell's own ``getrusage`` does not hold) and how many there were."""

    def __init__(self, pool):
        # `_processes` is the executor's own table of its workers (stable since 3.2).
        self._pids = list(getattr(pool, "_processes", {}) or {})
        self._before = {pid: _proc_usage(pid) for pid in self._pids}

    def finish(self):
        total = None
        for pid in self._pids:
            before, after = self._before.get(pid), _proc_usage(pid)
            if before is None or after is None:
                continue
            d = {
                "user_s": max(0.0, after["user_s"] - before["user_s"]),
                "sys_s": max(0.0, after["sys_s"] - before["sys_s"]),
                "ctx_voluntary": max(0, after["ctx_voluntary"] - before["ctx_voluntary"]),
                "ctx_involuntary": max(0, after["ctx_involuntary"] - before["ctx_involuntary"]),
                "max_rss_kib": after["max_rss_kib"],
            }
            total = d if total is None else {k: total[k] + d[k] for k in d}
        return total, len(self._pids)
