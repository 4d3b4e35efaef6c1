"""The subinterpreter model: N interpreters, each with its own GIL (PEP 684), each run by
its own OS thread -- process-like parallelism inside one process.

The interpreter's own module does the work: ``concurrent.interpreters`` (3.14+),
``_interpreters`` (3.13) or ``_xxsubinterpreters`` (3.12); older interpreters have no
per-interpreter GIL and the model refuses to start (:func:`backend` says why). All three
offer the same three calls -- create an isolated interpreter, run a string in it,
destroy it -- and that is all this model uses, so it behaves the same on each.

Set-up (outside the measured window): one ``threading`` thread per unit, started one
after the other; each creates its interpreter, imports ``python_workloads`` there and
makes its op (the same :func:`python_workloads.op.make_op` as every other model). The
seconds each unit took are kept in :attr:`SubinterpreterModel.setup_info`
(``unit_setup_s``): the start-up cost of a subinterpreter.

Work: objects cannot be shared between isolated interpreters, so there is no shared
counter; the ops of a run are dealt round-robin (unit ``k`` of ``n`` runs ``start + k``,
``start + k + n``, ...). Every op of a cell has the same length, so the deal is even and
the checksum, a sum over every index, equals the other models'. Each interpreter records
its ops' latencies in a log it allocated before the window (:meth:`prepare`) and hands
them over only when asked (:meth:`fill`), through a file. The checksum (or a traceback)
comes back on a pipe the unit's interpreter writes to.
"""

import os
import queue
import sys
import tempfile
import threading
import time

from .kernel import MASK

# A unit that has not finished setting up within this many seconds is broken, not slow.
_START_TIMEOUT_S = 60.0
# Longest reply read back from a unit's pipe (a traceback is cut to fit).
_REPLY_MAX = 60_000


class _Modern:
    """``concurrent.interpreters`` (3.14+)."""

    name = "concurrent.interpreters"

    def __init__(self, module):
        self.m = module

    def create(self):
        return self.m.create()

    def run(self, interp, code):
        interp.exec(code)

    def destroy(self, interp):
        interp.close()


class _Low:
    """``_interpreters`` (3.13) or ``_xxsubinterpreters`` (3.12)."""

    def __init__(self, module, name):
        self.m, self.name = module, name

    def create(self):
        if self.name == "_interpreters":
            return self.m.create("isolated")
        # 3.12's create() makes an isolated interpreter (own GIL) by default.
        return self.m.create()

    def run(self, interp, code):
        # 3.13 returns a description of an uncaught exception instead of raising.
        failed = self.m.run_string(interp, code)
        if failed is not None:
            raise RuntimeError(f"the subinterpreter raised: {failed}")

    def destroy(self, interp):
        self.m.destroy(interp)


def backend():
    """The interpreter's subinterpreter module, wrapped; ``RuntimeError`` naming the
    version when it has none with a per-interpreter GIL (before 3.12)."""
    try:
        from concurrent import interpreters  # noqa: PLC0415 -- 3.14+

        return _Modern(interpreters)
    except ImportError:
        pass
    v = sys.version_info
    # 3.11 has _xxsubinterpreters too, but its interpreters share the main GIL.
    for name in ("_interpreters", "_xxsubinterpreters") if v >= (3, 12) else ():
        try:
            return _Low(__import__(name), name)
        except ImportError:
            continue
    raise RuntimeError(
        f"model 'subinterpreter' needs Python 3.12 or later (a GIL per interpreter, "
        f"PEP 684); this is {v.major}.{v.minor}.{v.micro}, whose subinterpreters (if any) "
        "share one GIL: choose another interpreter"
    )


def _workloads_dir():
    """The folder holding ``python_workloads`` (a subinterpreter starts with a fresh
    ``sys.path`` that does not have it)."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- inside each subinterpreter -------------------------------------------------------


class Unit:
    """One unit's state inside its own interpreter (the module is imported anew there)."""

    def __init__(self, spec, fd):
        from .op import make_op  # noqa: PLC0415

        self.op = make_op(spec)
        self.fd = fd
        self.log = None

    def reply(self, text):
        os.write(self.fd, text.encode("utf-8", "replace")[:_REPLY_MAX])

    def call(self, fn, *args):
        """Runs ``fn``; its text, or ``error`` and the traceback, goes back on the pipe."""
        try:
            self.reply(f"ok {fn(*args)}")
        except BaseException:  # noqa: BLE001 -- handed to the main interpreter
            import traceback  # noqa: PLC0415

            self.reply("error " + traceback.format_exc())

    def prepare(self, count):
        from . import memory  # noqa: PLC0415

        self.log = memory.new_log(count)
        return count

    def run(self, start, end, k, n):
        op, log = self.op, self.log
        clock = time.perf_counter_ns
        acc = 0
        j = 0
        for i in range(start + k, end, n):
            t = clock()
            acc += op(i)
            log[j] = max(1, clock() - t)
            j += 1
        return acc & MASK

    def dump(self, path):
        with open(path, "wb") as f:
            f.write(self.log.tobytes())
        return len(self.log)

    def close(self):
        close = getattr(self.op, "close", None)
        if close is not None:
            close()
        return 0


# --- in the main interpreter ----------------------------------------------------------


class _Worker:
    """One OS thread owning one subinterpreter: creates it, then runs its commands."""

    def __init__(self, be, spec, k):
        self.be, self.spec, self.k = be, spec, k
        self.inbox = queue.SimpleQueue()
        self.replies = queue.SimpleQueue()
        self.read_fd, self.write_fd = os.pipe()
        self.interp = None
        self.create_s = 0.0
        self.thread = threading.Thread(target=self._main, name=f"spectrum-sub-{k}", daemon=True)

    def _main(self):
        try:
            t = time.perf_counter()
            self.interp = self.be.create()
            self.create_s = time.perf_counter() - t
            self.replies.put(self._exec(
                f"import sys\nsys.path.insert(0, {_workloads_dir()!r})\n"
                "from python_workloads import subinterp as _s\n"
                f"_u = _s.Unit({self.spec!r}, {self.write_fd})\n_u.reply('ok 0')\n"
            ))
        except BaseException as e:  # noqa: BLE001 -- re-raised by the caller
            self.replies.put(e)
            return
        while True:
            code = self.inbox.get()
            if code is None:
                # Destroyed by the thread that made it: 3.12 hangs when another thread
                # destroys it.
                try:
                    self.be.destroy(self.interp)
                except BaseException:  # noqa: BLE001 -- closing: nothing to report to
                    pass
                return
            try:
                self.replies.put(self._exec(code))
            except BaseException as e:  # noqa: BLE001
                self.replies.put(e)

    def _exec(self, code):
        """Runs ``code`` in the interpreter and returns what it wrote on the pipe."""
        self.be.run(self.interp, code)
        reply = os.read(self.read_fd, _REPLY_MAX).decode("utf-8", "replace")
        if reply.startswith("ok "):
            return reply[3:]
        raise RuntimeError(f"unit {self.k} failed in its subinterpreter:\n{reply[6:]}")

    def start(self):
        self.thread.start()
        return self.result(_START_TIMEOUT_S)

    def send(self, call):
        self.inbox.put(f"_u.call({call})")

    def result(self, timeout=None):
        try:
            r = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"unit {self.k} did not set up within {timeout} s") from None
        if isinstance(r, BaseException):
            raise r
        return r

    def close(self):
        if self.thread.is_alive() and self.interp is not None:
            self.send("_u.close")
            try:
                self.result(5)
            except BaseException:  # noqa: BLE001 -- closing: nothing left to report to
                pass
        self.inbox.put(None)
        self.thread.join(timeout=5)
        os.close(self.read_fd)
        os.close(self.write_fd)


class SubinterpreterModel:
    """N subinterpreters, each with its own GIL, each driven by its own OS thread."""

    def __init__(self, spec):
        self.n = max(1, int(spec.get("concurrency", 1)))
        be = backend()
        self.workers = []
        unit_s = []
        try:
            # One at a time, so that each unit's time is its own start-up cost.
            for k in range(self.n):
                t = time.perf_counter()
                w = _Worker(be, dict(spec), k)
                self.workers.append(w)
                w.start()
                unit_s.append(time.perf_counter() - t)
        except BaseException:
            self.close()
            raise
        # unit_setup_s: thread, interpreter, imports and op; unit_create_s: the
        # interpreter alone.
        self.setup_info = {
            "backend": be.name,
            "unit_setup_s": unit_s,
            "unit_create_s": [w.create_s for w in self.workers],
        }
        self._range = (0, 0)

    def _all(self, calls):
        for w, call in zip(self.workers, calls):
            w.send(call)
        replies, error = [], None
        for w in self.workers:
            try:
                replies.append(w.result())
            except BaseException as e:  # noqa: BLE001 -- first error re-raised below
                replies.append(None)
                error = error or e
        if error is not None:
            raise error
        return replies

    def prepare(self, start, end):
        """Allocates each unit's op log for the run ``start..end`` (before the window)."""
        n = self.n
        self._all(
            f"_u.prepare, {len(range(start + k, end, n))}" for k in range(n)
        )

    def run(self, start, end, log, trace=None):
        # No timeline yet: a span would have to cross the interpreters' boundary.
        del trace
        self._range = (start, end)
        n = self.n
        sums = self._all(f"_u.run, {start}, {end}, {k}, {n}" for k in range(n))
        return {"checksum": sum(int(s) for s in sums) & MASK}

    def fill(self, log, start):
        """Copies each unit's latencies into ``log`` (after the window)."""
        from array import array  # noqa: PLC0415

        run_start, end = self._range
        n = self.n
        with tempfile.TemporaryDirectory(prefix="spectrum-sub-") as tmp:
            paths = [os.path.join(tmp, f"{k}.bin") for k in range(n)]
            self._all(f"_u.dump, {p!r}" for p in paths)
            for k, p in enumerate(paths):
                part = array("Q")
                with open(p, "rb") as f:
                    part.frombytes(f.read())
                for j, i in enumerate(range(run_start + k, end, n)):
                    log[i - start] = part[j]

    def close(self):
        for w in self.workers:
            w.close()
        self.workers = []
