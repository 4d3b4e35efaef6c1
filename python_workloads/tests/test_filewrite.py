"""The ``file`` I/O kind on the Python side: the same block as Rust, one block per op into
a file per worker, every sync mode, threads and asyncio (through ``asyncio.to_thread``)."""

import asyncio
import os
import threading

import pytest

from python_workloads.filewrite import BLOCK, BLOCK_BYTES, RING_BLOCKS, SYNCS, FileWriter
from python_workloads.models import build
from python_workloads.op import make_async_op, make_op


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def written(folder):
    """(files in ``folder``, blocks holding ``BLOCK`` over all of them); every file is one
    ring and every other block still zero."""
    files = blocks = 0
    for name in os.listdir(folder):
        data = (folder / name).read_bytes()
        assert len(data) == RING_BLOCKS * BLOCK_BYTES
        files += 1
        for k in range(RING_BLOCKS):
            b = data[k * BLOCK_BYTES : (k + 1) * BLOCK_BYTES]
            if b == BLOCK:
                blocks += 1
            else:
                assert b == bytes(BLOCK_BYTES), f"{name}: block {k} neither written nor zero"
    return files, blocks


def spec(folder, sync, **kw):
    s = {
        "cpu_iters": 0,
        "io_us": 100.0,
        "io_kind": "file",
        "file_dir": str(folder),
        "file_sync": sync,
        "cpu_impl": "python",
        "io_impl": "python",
    }
    s.update(kw)
    return s


def test_the_block_is_the_rust_one():
    # src/workload/file.rs holds the same hash of its BLOCK.
    assert len(BLOCK) == 4096
    assert fnv1a64(BLOCK) == 0x66AA6DDF60C7C315
    assert (BLOCK[0], BLOCK[250], BLOCK[251]) == (1, 251, 1)


@pytest.mark.parametrize("sync", SYNCS)
def test_each_mode_writes_one_block_per_op_and_wraps(tmp_path, sync):
    w = FileWriter(str(tmp_path), sync)
    try:
        for _ in range(5):
            w.write()
        # Read back through another descriptor: nothing is left in a userspace buffer.
        assert written(tmp_path) == (1, 5)
        for _ in range(RING_BLOCKS):
            w.write()
        assert written(tmp_path) == (1, RING_BLOCKS)
    finally:
        w.close()
        w.close()  # twice is harmless


def test_the_op_writes_once_per_call_and_never_sleeps(tmp_path):
    # io_us only says whether the op has an I/O half: 10 s of it must not be slept.
    op = make_op(spec(tmp_path, "fdatasync", io_us=10_000_000.0, cpu_iters=50))
    for i in range(3):
        op(i)
    op.close()
    assert written(tmp_path) == (1, 3)


def test_no_io_half_no_file(tmp_path):
    op = make_op(spec(tmp_path, "fsync", io_us=0.0))
    op(0)
    op.close()
    assert os.listdir(tmp_path) == []


def test_threads_write_a_file_each(tmp_path):
    model = build(spec(tmp_path, "none", model="thread", concurrency=3))
    try:
        log = [0] * 50
        model.run(0, 50, log)
        assert all(log)
    finally:
        model.close()
    assert written(tmp_path) == (3, 50)


def test_asyncio_writes_on_the_default_executor(tmp_path):
    seen = set()

    async def main():
        aop = await make_async_op(spec(tmp_path, "fsync"))
        loop_thread = threading.get_ident()
        real = asyncio.to_thread

        async def spy(f, *a):
            seen.add(loop_thread)
            return await real(f, *a)

        asyncio.to_thread = spy
        try:
            for i in range(4):
                await aop(i)
        finally:
            asyncio.to_thread = real
            await aop.aclose()

    asyncio.run(main())
    assert seen, "the write did not go through asyncio.to_thread"
    assert written(tmp_path) == (1, 4)


def test_bad_file_fields_are_named(tmp_path):
    with pytest.raises(ValueError, match="file_sync"):
        make_op(spec(tmp_path, "sometimes"))
    with pytest.raises(ValueError, match="file_dir"):
        make_op(spec(tmp_path, "none", file_dir=None))
    with pytest.raises(ValueError, match="io_impl"):
        make_op(spec(tmp_path, "none", io_impl="native"))
