"""The op: ``cpu_iters`` kernel iterations, then ``io_us`` microseconds of waiting.

Each half is run by Python (the bytecode kernel; ``time.sleep`` / ``asyncio.sleep``, or with
``io_kind = "tcp"`` a request on the op's own connection to spectrum's delay server:
:mod:`python_workloads.tcp`; or with ``io_kind = "file"`` one 4 KiB write to the op's own
file in ``file_dir``, synced per ``file_sync``: :mod:`python_workloads.filewrite` -- there
``io_us`` is no wait length, only whether the op has an I/O half) or by spectrum's native helper module ``spectrum_native`` (the
Rust kernel; ``std::thread::sleep``), which only exists inside the embedded runtime. A tcp
op opens its connection (a file op its file) when it is made -- at set-up, one per
worker -- and has a ``close()`` (``aclose()`` for the asyncio op). With ``gil = "held"`` the native helpers run
holding the GIL (``cpu`` / ``sleep``); with ``gil = "released"`` inside ``py.detach``
(``cpu_nogil`` / ``sleep_nogil``).

The op index is the kernel's seed, so the checksum of ops ``a..b`` is the same whichever
model ran them.
"""

import asyncio
import time

from . import offload
from .kernel import kernel
from .trace import monotonic_ns, timed_cpu

PYTHON = "python"
NATIVE = "native"

_IMPLS = (PYTHON, NATIVE)
_GILS = ("held", "released")
_IO_KINDS = ("sleep", "tcp", "file")


class FaultInjected(RuntimeError):
    """Raised by every op of a cell whose spec has ``fault = "error"`` (tests only)."""


def _native():
    try:
        import spectrum_native  # noqa: PLC0415 -- only the embedded runtime has it
    except ImportError:
        raise RuntimeError(
            "a native op half needs the spectrum_native module, which only the embedded "
            'runtime (runtime = "python") provides; use cpu_impl/io_impl = "python" '
            "with this runtime"
        ) from None
    return spectrum_native


def _check(spec):
    """Validates the op fields of ``spec``; raises ValueError naming the bad field."""
    for key, allowed in (
        ("cpu_impl", _IMPLS),
        ("io_impl", _IMPLS),
        ("gil", _GILS),
        ("io_kind", _IO_KINDS),
    ):
        value = spec.get(key) or allowed[0]
        if value not in allowed:
            raise ValueError(f"op spec: {key} = {value!r}; choose from {', '.join(allowed)}")
    if int(spec.get("cpu_iters", 0)) < 0 or float(spec.get("io_us", 0.0)) < 0.0:
        raise ValueError("op spec: cpu_iters and io_us must not be negative")
    if _tcp(spec):
        if spec.get("io_impl") == NATIVE:
            raise ValueError('op spec: io_kind = "tcp" needs io_impl = "python"')
        if not spec.get("io_port"):
            raise ValueError('op spec: io_kind = "tcp" needs io_port, the delay server\'s port')
    if _file(spec):
        if spec.get("io_impl") == NATIVE:
            raise ValueError('op spec: io_kind = "file" needs io_impl = "python"')
        if not spec.get("file_dir"):
            raise ValueError('op spec: io_kind = "file" needs file_dir, the cell\'s folder')
    fault = spec.get("fault")
    if fault not in (None, "error"):
        raise ValueError(f'op spec: fault = {fault!r}; Python ops support only "error"')


def halves(spec):
    """The op's two halves as ``(cpu, cpu_iters, sleep, io_s)``.

    ``cpu(seed, iters)`` returns the checksum; ``sleep(seconds)`` blocks the calling thread.
    """
    _check(spec)
    released = spec.get("gil") == "released"
    cpu_native = spec.get("cpu_impl") == NATIVE
    io_native = spec.get("io_impl") == NATIVE
    cpu = kernel
    if spec.get("counter"):
        # The race demo: increments of the cell's shared counter instead of the kernel.
        from . import race  # noqa: PLC0415 -- only counting ops need it

        cpu = race.form(spec["counter"])
    sleep = time.sleep
    if cpu_native or io_native:
        native = _native()
        if cpu_native:
            cpu = native.cpu_nogil if released else native.cpu
        if io_native:
            us_sleep = native.sleep_nogil if released else native.sleep

            def sleep(seconds, _us_sleep=us_sleep):
                _us_sleep(seconds * 1e6)

    return cpu, int(spec.get("cpu_iters", 0)), sleep, float(spec.get("io_us", 0.0)) / 1e6


def _tcp(spec):
    """True when the I/O half is a request to the delay server (and there is one)."""
    return spec.get("io_kind") == "tcp" and float(spec.get("io_us", 0.0)) > 0.0


def _file(spec):
    """True when the I/O half is a file write: a file op with an I/O half at all."""
    return spec.get("io_kind") == "file" and float(spec.get("io_us", 0.0)) > 0.0


def _file_writer(spec):
    from .filewrite import FileWriter  # noqa: PLC0415 -- only file ops write files

    return FileWriter(spec["file_dir"], spec.get("file_sync") or "none")


def _io_ns(spec):
    return int(round(float(spec.get("io_us", 0.0)) * 1000.0))


def _reset_on_close(sock):
    """Close with a reset, leaving no TIME_WAIT: set-up connections of a sweep of
    10 000-connection cells would otherwise use up the ephemeral ports."""
    import socket  # noqa: PLC0415
    import struct  # noqa: PLC0415

    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _fault(i):
    # Two frames deep, so the traceback a failed cell shows has some depth to it.
    raise FaultInjected(f"fault injected by the cell spec at op {i}")


def _with_split(op, cpu, iters, wait, fault):
    """Gives ``op`` its timed twin ``op.split(i)``, for the timeline's sampled ops: the
    same op, returning ``(checksum, when the CPU half ended, its thread CPU ns)``."""

    def split(i):
        if fault:
            _fault(i)
        c, cpu_ns = timed_cpu(cpu, i, iters)
        cpu_end = monotonic_ns()
        wait(i)
        return c, cpu_end, cpu_ns

    op.split = split
    return op


def make_op(spec):
    """The blocking op of ``spec``: ``op(i)`` runs op number ``i``, returns its checksum;
    ``op.split(i)`` runs it timed for the timeline (:func:`_with_split`).

    ``op.close()`` releases what it holds (its connection, for tcp)."""
    cpu, iters, sleep, io_s = halves(spec)
    fault = spec.get("fault") == "error"
    if _tcp(spec):
        from . import tcp  # noqa: PLC0415 -- only tcp ops need sockets

        sock = tcp.connect(int(spec["io_port"]))
        _reset_on_close(sock)
        request, io_ns = tcp.request, _io_ns(spec)

        def op(i):
            if fault:
                _fault(i)
            c = cpu(i, iters) if iters else 0
            request(sock, i, io_ns)
            return c

        op.close = sock.close
        return _with_split(op, cpu, iters, lambda i: request(sock, i, io_ns), fault)

    if _file(spec):
        writer = _file_writer(spec)
        write = writer.write

        def op(i):
            if fault:
                _fault(i)
            c = cpu(i, iters) if iters else 0
            write()
            return c

        op.close = writer.close
        return _with_split(op, cpu, iters, lambda _i: write(), fault)

    def op(i):
        if fault:
            _fault(i)
        c = cpu(i, iters) if iters else 0
        if io_s > 0.0:
            sleep(io_s)
        return c

    def wait(_i):
        if io_s > 0.0:
            sleep(io_s)

    op.close = lambda: None
    return _with_split(op, cpu, iters, wait, fault)


async def make_async_op(spec, put=None):
    """The asyncio op of ``spec`` (a coroutine: it runs on the loop that will run the op,
    where a tcp op opens its connection): ``await aop(i)`` runs op number ``i``.

    CPU half: through ``put`` (:func:`python_workloads.offload.placer`): inline (blocks the
    event loop), on the loop's default executor through ``asyncio.to_thread``
    (``async_cpu = "offload"``), or in the model's process pool (``"pool"``); without
    ``put``, inline or offloaded as ``spec`` says. I/O half: ``asyncio.sleep`` when
    Python; a native sleep is a blocking call, so it blocks the loop whatever the GIL
    setting -- with ``gil = "released"`` only the executor's threads can run meanwhile. A
    file write runs on the default executor too (``asyncio.to_thread``).
    """
    cpu, iters, sleep, io_s = halves(spec)
    fault = spec.get("fault") == "error"
    if put is None:
        # None when inline; a pool needs the model's process pool (models.AsyncModel).
        put = offload.placer(offload.place_of(spec))
    io_python = (spec.get("io_impl") or PYTHON) == PYTHON
    if _tcp(spec):
        from . import tcp  # noqa: PLC0415 -- only tcp ops need sockets

        reader, writer = await tcp.open_async(int(spec["io_port"]))
        _reset_on_close(writer.get_extra_info("socket"))
        request, io_ns = tcp.request_async, _io_ns(spec)

        async def wait(i):
            await request(reader, writer, i, io_ns)

        async def aclose():
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    elif _file(spec):
        writer = _file_writer(spec)
        write = writer.write

        # asyncio has no file I/O of its own (nor has Linux readiness for regular files),
        # so the write runs on the loop's default executor, like tokio::fs on its
        # blocking pool. `asyncio.to_thread` rather than `loop.run_in_executor(None, ...)`:
        # the same executor, and the call the CPU offload above already uses, so both
        # halves share one pool and one idiom.
        async def wait(_i):
            await asyncio.to_thread(write)

        async def aclose():
            writer.close()

    else:

        async def wait(i):
            if io_python:
                await asyncio.sleep(io_s)
            else:
                sleep(io_s)

        async def aclose():
            pass

    async def aop(i):
        if fault:
            _fault(i)
        c = 0
        if iters:
            c = cpu(i, iters) if put is None else await put(cpu, i, iters)
        if io_s > 0.0:
            await wait(i)
        return c

    async def split(i):
        # The timed twin for the timeline: the CPU time is taken on the thread that
        # computes (an executor thread when offloaded).
        if fault:
            _fault(i)
        c, cpu_ns = 0, 0
        if iters:
            if put is None:
                c, cpu_ns = timed_cpu(cpu, i, iters)
            else:
                c, cpu_ns = await put(timed_cpu, cpu, i, iters)
        cpu_end = monotonic_ns()
        if io_s > 0.0:
            await wait(i)
        return c, cpu_end, cpu_ns

    aop.aclose = aclose
    aop.split = split
    return aop
