"""The timeline sample of a window: for its first ops, which worker ran each op, when it
started, when its CPU half ended, when it ended, and the thread CPU time of its CPU half
-- the Python side of spectrum's ``src/model/trace.rs``.

Times are ``time.monotonic_ns()`` (``CLOCK_MONOTONIC`` on Linux, the clock of the Rust
side), so spans from a ``python3`` runner and its worker processes line up with the cell
process's window. The slots (5 unsigned 64-bit numbers per sampled op) are allocated and
touched before the window, like the op log: recording never allocates inside it.
"""

import time

from . import memory

WORDS = 5
monotonic_ns = time.monotonic_ns
thread_time_ns = time.thread_time_ns


class Trace:
    """Span slots for ops ``start .. start + n``; ``buf`` may be given (a writable
    memoryview of ``5 * n`` unsigned 64-bit items owned by the embedding process)."""

    def __init__(self, start, n, buf=None):
        self.start = int(start)
        self.n = max(0, int(n))
        self.buf = memory.new_log(WORDS * self.n) if buf is None else buf

    def sampled(self, i):
        """Whether op ``i`` keeps its span."""
        return 0 <= i - self.start < self.n

    def put(self, i, worker, start, cpu_end, end, cpu_ns):
        """Records op ``i``'s span (item by item: a slice would allocate)."""
        k = WORDS * (i - self.start)
        b = self.buf
        b[k] = worker
        b[k + 1] = start
        b[k + 2] = cpu_end
        b[k + 3] = end
        b[k + 4] = max(0, cpu_ns)

    def spans(self):
        """The recorded spans as ``[worker, start, cpu_end, end, cpu]`` lists (after the
        window)."""
        b = self.buf
        return [
            [b[k], b[k + 1], b[k + 2], b[k + 3], b[k + 4]]
            for k in range(0, WORDS * self.n, WORDS)
            if b[k + 3]
        ]

    def kib(self):
        """KiB the slots keep resident (taken off the window's memory like the op log)."""
        return memory.log_kib(WORDS * self.n)


NO_TRACE = Trace(0, 0)


def run_sampled(op, i, log, start, trace, worker):
    """Runs sampled op ``i`` through its timed twin ``op.split``, its latency into
    ``log[i - start]`` and its span into ``trace``; returns its checksum."""
    t = monotonic_ns()
    c, cpu_end, cpu_ns = op.split(i)
    end = monotonic_ns()
    log[i - start] = max(1, end - t)
    trace.put(i, worker, t, cpu_end, end, cpu_ns)
    return c


def timed_cpu(cpu, i, iters):
    """Runs a CPU half, returning ``(checksum, thread CPU ns)``: called on the thread that
    computes (an executor thread when offloaded)."""
    before = thread_time_ns()
    c = cpu(i, iters) if iters else 0
    return c, thread_time_ns() - before
