"""The op with Python halves: checksum, waiting, validation and fault injection."""

import asyncio
import time

import pytest

from python_workloads.kernel import kernel
from python_workloads.op import FaultInjected, make_async_op, make_op


def spec(**kw):
    s = {"cpu_iters": 200, "io_us": 0.0, "cpu_impl": "python", "io_impl": "python"}
    s.update(kw)
    return s


def test_op_returns_the_kernel_checksum():
    op = make_op(spec())
    assert op(7) == kernel(7, 200)
    assert make_op(spec(cpu_iters=0))(7) == 0


def test_op_waits_its_io_half():
    op = make_op(spec(cpu_iters=0, io_us=20_000.0))
    t = time.perf_counter()
    op(1)
    assert time.perf_counter() - t >= 0.015


def test_async_op_matches_the_blocking_op():
    async def made_then_run(async_cpu):
        aop = await make_async_op(spec(io_us=100.0, async_cpu=async_cpu))
        return await aop(5)

    for async_cpu in ("inline", "offload"):
        assert asyncio.run(made_then_run(async_cpu)) == kernel(5, 200)


def test_bad_fields_are_named():
    with pytest.raises(ValueError, match="cpu_impl"):
        make_op(spec(cpu_impl="rust"))
    with pytest.raises(ValueError, match="gil"):
        make_op(spec(gil="maybe"))


def test_native_half_needs_the_embedded_runtime():
    with pytest.raises(RuntimeError, match="spectrum_native"):
        make_op(spec(cpu_impl="native"))


def test_fault_raises_from_the_op():
    op = make_op(spec(fault="error"))
    with pytest.raises(FaultInjected, match="op 3"):
        op(3)
