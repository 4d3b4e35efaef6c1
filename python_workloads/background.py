"""CPU-bound load beside a cell's measured workers: the ``convoy`` demo's other threads.

:func:`start` starts ``spec["background"]`` units that spin the CPU kernel from set-up
until :meth:`Background.stop`, so the whole measured window runs beside them. They are
the load, not the measurement: the cell's own ops (for the convoy, one thread's
round trips on a loopback socket) are what is timed. The units are

- ``"thread"``: Python threads of this interpreter running the pure-Python kernel. They
  contend with the measured thread for the GIL: a thread that comes back from a socket
  read must wait until the running one drops the GIL, at the latest after the switch
  interval (the convoy effect);
- ``"process"``: forked processes, each with its own interpreter and GIL: they contend
  only for the cores;
- ``"native"``: Python threads calling the Rust kernel with the GIL released
  (``spectrum_native.cpu_nogil``; the embedded runtime only): they hold the GIL only
  between calls.

``spec["switch_interval_us"]``, when given, is set with :func:`sys.setswitchinterval`
for the cell's life and restored by :meth:`Background.stop`.
"""

import multiprocessing
import sys
import threading

from .kernel import kernel

THREAD = "thread"
PROCESS = "process"
NATIVE = "native"
KINDS = (THREAD, PROCESS, NATIVE)

# Kernel iterations between two looks at the stop flag: about a millisecond of Python on
# this class of machine, so stop() returns quickly and the check costs nothing.
_CHUNK = 20_000
# A unit that does not stop within this many seconds is killed (processes) or left to
# die with the interpreter (daemon threads).
_STOP_TIMEOUT_S = 5.0


def _spin_python(stop):
    seed = 1
    while not stop.is_set():
        seed = kernel(seed, _CHUNK) or 1


def _spin_native(stop, cpu):
    seed = 1
    while not stop.is_set():
        # The Rust kernel runs tens of times faster than Python's: 100x the iterations
        # keeps each call (GIL released throughout) at a few milliseconds.
        seed = cpu(seed, _CHUNK * 100) or 1


def _spin_process(stop):
    from .procs import _die_with_parent  # noqa: PLC0415 -- only in the forked child

    _die_with_parent()
    _spin_python(stop)


class Background:
    """The running units; :meth:`stop` ends them and restores the switch interval."""

    def __init__(self, units, stop, interval_before):
        self._units = units
        self._stop = stop
        self._interval_before = interval_before

    @property
    def count(self):
        """Units running."""
        return len(self._units)

    def stop(self):
        self._stop.set()
        for u in self._units:
            u.join(timeout=_STOP_TIMEOUT_S)
            if isinstance(u, multiprocessing.process.BaseProcess) and u.is_alive():
                u.kill()
                u.join(timeout=_STOP_TIMEOUT_S)
        self._units = []
        if self._interval_before is not None:
            sys.setswitchinterval(self._interval_before)
            self._interval_before = None


def _check(spec):
    n = int(spec.get("background", 0) or 0)
    kind = spec.get("background_model") or THREAD
    if n < 0:
        raise ValueError(f"op spec: background = {n}; give 0 or more units")
    if kind not in KINDS:
        raise ValueError(f"op spec: background_model = {kind!r}; choose from {', '.join(KINDS)}")
    interval = spec.get("switch_interval_us")
    if interval is not None and float(interval) <= 0:
        raise ValueError(f"op spec: switch_interval_us = {interval}; give a positive time")
    return n, kind, interval


def start(spec):
    """Sets the switch interval and starts the background units of ``spec``; returns a
    :class:`Background` to stop (with no units when the spec asks for none)."""
    n, kind, interval = _check(spec)
    before = None
    if interval is not None:
        before = sys.getswitchinterval()
        sys.setswitchinterval(float(interval) / 1e6)
    units = []
    if kind == PROCESS:
        ctx = multiprocessing.get_context("fork")
        stop = ctx.Event()
        for k in range(n):
            units.append(
                ctx.Process(target=_spin_process, args=(stop,), name=f"background-{k}", daemon=True)
            )
    else:
        stop = threading.Event()
        if kind == NATIVE and n > 0:
            from .op import _native  # noqa: PLC0415 -- the embedded runtime's module

            cpu = _native().cpu_nogil
            target, args = _spin_native, (stop, cpu)
        else:
            target, args = _spin_python, (stop,)
        for k in range(n):
            units.append(
                threading.Thread(target=target, args=args, name=f"background-{k}", daemon=True)
            )
    for u in units:
        u.start()
    return Background(units, stop, before)
