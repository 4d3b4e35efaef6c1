"""The race demo's CPU half: increments of one counter shared by every thread of the
cell, in one of three forms, instead of the kernel.

``racy``       ``c.n += 1`` -- a load, an add and a store; not atomic by contract.
``racy_call``  ``v = c.n; v = _bump(v); c.n = v`` -- a function call between the read and
               the write.
``locked``     ``with lock: c.n += 1``.

Whether ``racy`` loses updates depends on where the interpreter may switch threads.
CPython 3.9 could switch between any two bytecodes once the switch interval had passed,
so ``c.n += 1`` lost updates; since 3.10 it only checks at backward jumps and calls, so the
switch never lands between the load and the store of a bare ``+=`` and it happens not to
lose any -- no promise of the language. Any call between the read and the write (a
property, a method, ``__iadd__`` written in Python, the ``_bump`` here) is such a point on
every version, and the call form loses updates everywhere. Python's documentation says it
plainly: operations like ``+=`` are not atomic (the "What kinds of global value mutation
are thread-safe?" FAQ).

The counter lives in this module: one per process, and a cell's repetition runs in a
process of its own. :func:`reset` starts a run at zero, :func:`tally` reads it at the end.
The op's checksum is the number of increments it attempted, the same for every form.
"""

import threading


class _Shared:
    """The shared object; its attribute ``n`` is the counter."""

    def __init__(self):
        self.n = 0


_shared = _Shared()
_lock = threading.Lock()


def _bump(v):
    return v + 1


def racy(_seed, iters):
    c = _shared
    for _ in range(iters):
        c.n += 1
    return iters


def racy_call(_seed, iters):
    c = _shared
    bump = _bump
    for _ in range(iters):
        v = c.n
        v = bump(v)
        c.n = v
    return iters


def locked(_seed, iters):
    c = _shared
    lock = _lock
    for _ in range(iters):
        with lock:
            c.n += 1
    return iters


FORMS = {"racy": racy, "racy_call": racy_call, "locked": locked}


def form(name):
    """The CPU half of counter form ``name``: ``cpu(seed, iters)`` returns ``iters``."""
    try:
        return FORMS[name]
    except KeyError:
        raise ValueError(
            f"op spec: counter = {name!r}; choose from {', '.join(FORMS)} "
            '("atomic" is Rust\'s fetch_add: Python has no atomic integer)'
        ) from None


def reset():
    """Starts a run: the counter back to zero."""
    _shared.n = 0


def count():
    """The counter's value now."""
    return _shared.n


def tally(increments):
    """The run's counter for the results: increments attempted and kept."""
    return {"increments": int(increments), "counted": count()}
