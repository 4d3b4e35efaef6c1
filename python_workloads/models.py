"""The pure-Python models: sequential, thread (``threading``) and async (``asyncio``).

Every model is built from an op spec (set-up: threads started, each worker's op made,
event loop and executor created -- all outside the measured window), then asked to
``run(start, end, log, trace)`` any number of times, and finally ``close()``\\ d. ``log``
is the op log, allocated and touched by the caller before the window
(:func:`memory.new_log`): op ``i``'s latency goes into ``log[i - start]``, so recording
never allocates inside the window. ``trace`` (:class:`trace.Trace`) keeps the spans of the
window's first ops for the timeline; those ops run through ``op.split``. ``run`` returns a
dict::

    {"checksum": wrapping sum of the op checksums}

Per-op latency is measured in Python with ``time.perf_counter_ns()`` around one op. The
multiprocessing model lives in :mod:`python_workloads.procs`; :func:`build` picks any of
them by ``spec["model"]``.
"""

import asyncio
import concurrent.futures
import itertools
import queue
import threading
import time

from . import offload
from .kernel import MASK
from .op import make_async_op, make_op
from .trace import NO_TRACE, monotonic_ns, run_sampled

# A thread pool that does not start within this many seconds is broken, not slow.
_START_TIMEOUT_S = 30.0


def _batch(op, indices, log, start, trace=NO_TRACE, worker=0):
    """Runs op ``i`` for each ``i`` of ``indices``, its latency into ``log[i - start]``
    (and its span into ``trace`` when sampled, as ``worker``); returns the checksum."""
    clock = time.perf_counter_ns
    sampled = trace.sampled
    acc = 0
    for i in indices:
        if sampled(i):
            acc += run_sampled(op, i, log, start, trace, worker)
            continue
        t = clock()
        acc += op(i)
        log[i - start] = max(1, clock() - t)
    return acc & MASK


class SequentialModel:
    """One thread, ops in a loop: the baseline."""

    def __init__(self, spec):
        self.op = make_op(spec)

    def run(self, start, end, log, trace=NO_TRACE):
        return {"checksum": _batch(self.op, range(start, end), log, start, trace)}

    def close(self):
        close = getattr(self.op, "close", None)
        if close is not None:
            close()


class ThreadModel:
    """N ``threading`` threads, started at set-up, pulling op indices from a shared counter.

    ``next()`` on an ``itertools.count`` is one C call, atomic under the GIL, so the
    counter needs no lock of its own.
    """

    def __init__(self, spec):
        self.n = max(1, int(spec.get("concurrency", 1)))
        # One op per thread: each worker holds its own I/O resources (a connection for
        # the tcp I/O kind), made here, at set-up.
        self.ops = [make_op(spec) for _ in range(self.n)]
        self.results = queue.SimpleQueue()
        self.inboxes = [queue.SimpleQueue() for _ in range(self.n)]
        self.threads = [
            threading.Thread(
                target=self._worker, args=(k, box, op), name=f"spectrum-{k}", daemon=True
            )
            for k, (box, op) in enumerate(zip(self.inboxes, self.ops))
        ]
        for t in self.threads:
            t.start()

    def _worker(self, worker, inbox, op):
        while True:
            cmd = inbox.get()
            if cmd is None:
                return
            counter, start, end, log, trace = cmd
            try:
                indices = itertools.takewhile(lambda i: i < end, counter)
                acc = _batch(op, indices, log, start, trace, worker)
                self.results.put((acc, None))
            except BaseException as e:  # noqa: BLE001 -- handed to the caller, re-raised there
                self.results.put((0, e))

    def run(self, start, end, log, trace=NO_TRACE):
        counter = itertools.count(start)
        for box in self.inboxes:
            box.put((counter, start, end, log, trace))
        acc, error = 0, None
        for _ in range(self.n):
            c, e = self.results.get()
            acc += c
            error = error or e
        if error is not None:
            raise error
        return {"checksum": acc & MASK}

    def close(self):
        for box in self.inboxes:
            box.put(None)
        for t in self.threads:
            t.join(timeout=5)
        for op in self.ops:
            close = getattr(op, "close", None)
            if close is not None:
                close()


class AsyncModel:
    """N asyncio tasks on one event loop, pulling op indices from a shared iterator.

    The CPU half runs where ``async_cpu`` says (:mod:`python_workloads.offload`): inline,
    through ``asyncio.to_thread`` on the loop's default executor (sized to the tasks that
    may offload at once and started at set-up, so thread creation stays out of the
    measured window), or in a process pool (one forked process per core, started at
    set-up). ``background_model = "task"`` adds CPU-heavy tasks on the same loop, placed
    the same way; ``run`` then reports their chunks and the pool's own usage.
    """

    def __init__(self, spec):
        self.n = max(1, int(spec.get("concurrency", 1)))
        self.loop = asyncio.new_event_loop()
        place = offload.place_of(spec)
        units, iters = offload.background_of(spec)
        self.executor = None
        self.pool = None
        self.crunch = None
        if place == offload.OFFLOAD:
            workers = self.n + units
            self.executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="spectrum-offload"
            )
            self.loop.set_default_executor(self.executor)
            # Park one job per thread on a barrier: the pool only adds a thread when none
            # is idle, so this forces every thread into existence now.
            barrier = threading.Barrier(workers)
            jobs = [self.executor.submit(barrier.wait, _START_TIMEOUT_S) for _ in range(workers)]
            for job in jobs:
                job.result()
        elif place == offload.POOL:
            self.pool = offload.start_process_pool()
        put = offload.placer(place, self.pool)

        # One op per task: each holds its own I/O resources (a connection for tcp),
        # opened here on the loop, at set-up.
        async def make_all():
            return await asyncio.gather(*(make_async_op(spec, put) for _ in range(self.n)))

        self.aops = self.loop.run_until_complete(make_all())
        if units:
            self.crunch = offload.Crunch(self.loop, units, iters, put)

    @staticmethod
    async def _task(aop, indices, log, start, trace, worker):
        clock = time.perf_counter_ns
        sampled = trace.sampled
        acc = 0
        # One iterator shared by every task: a task takes the next index when it is
        # ready for more work, like the threads' shared counter.
        for i in indices:
            if sampled(i):
                t = monotonic_ns()
                c, cpu_end, cpu_ns = await aop.split(i)
                end = monotonic_ns()
                acc += c
                log[i - start] = max(1, end - t)
                trace.put(i, worker, t, cpu_end, end, cpu_ns)
                continue
            t = clock()
            acc += await aop(i)
            log[i - start] = max(1, clock() - t)
        return acc

    async def _run(self, start, end, log, trace):
        indices = iter(range(start, end))
        parts = await asyncio.gather(
            *(self._task(aop, indices, log, start, trace, k) for k, aop in enumerate(self.aops))
        )
        return {"checksum": sum(parts) & MASK}

    def run(self, start, end, log, trace=NO_TRACE):
        chunks = self.crunch.chunks if self.crunch else 0
        watch = offload.PoolWatch(self.pool) if self.pool is not None else None
        out = self.loop.run_until_complete(self._run(start, end, log, trace))
        info = {}
        if self.crunch is not None:
            info["background_tasks"] = self.crunch.units
            info["background_chunks"] = self.crunch.chunks - chunks
        if watch is not None:
            usage, processes = watch.finish()
            info["pool_processes"] = processes
            if usage is not None:
                info["pool_rss_kib"] = usage["max_rss_kib"]
                out["workers_rusage"] = usage
        if info:
            out["info"] = info
        return out

    def close(self):
        if self.crunch is not None:
            self.crunch.close()
        for aop in self.aops:
            close = getattr(aop, "aclose", None)
            if close is not None:
                self.loop.run_until_complete(close())
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        self.loop.close()


class _Loaded:
    """A model with a background load beside it (:mod:`python_workloads.background`):
    the load starts once the model is set up and stops when it is closed."""

    def __init__(self, model, load):
        self._model = model
        self._load = load

    def __getattr__(self, name):
        return getattr(self._model, name)

    def close(self):
        try:
            self._load.stop()
        finally:
            self._model.close()


def build(spec):
    """The model named by ``spec["model"]``, set up and ready to ``run`` -- with the
    background load and switch interval of ``spec`` when it asks for them."""
    model = _build(spec)
    # Background tasks are the async model's own (python_workloads.offload).
    beside = spec.get("background") and spec.get("background_model") != offload.TASK
    if not beside and spec.get("switch_interval_us") is None:
        return model
    from . import background  # noqa: PLC0415

    try:
        return _Loaded(model, background.start(spec))
    except BaseException:
        model.close()
        raise


def _build(spec):
    name = spec.get("model", "sequential")
    if name == "sequential":
        return SequentialModel(spec)
    if name == "thread":
        return ThreadModel(spec)
    if name == "async":
        return AsyncModel(spec)
    if name == "process":
        from .procs import ProcessModel  # noqa: PLC0415 -- multiprocessing only when used

        return ProcessModel(spec)
    if name == "subinterpreter":
        from .subinterp import SubinterpreterModel  # noqa: PLC0415 -- 3.12+ only

        return SubinterpreterModel(spec)
    raise ValueError(
        f"model = {name!r} has no Python implementation; "
        "choose from sequential, thread, process, async, subinterpreter"
    )
