"""The offload demo's pieces: where an asyncio task's CPU work runs, the CPU-heavy tasks
beside the measured ones, and what a run reports of them."""

import asyncio
import os

import pytest

from python_workloads import offload
from python_workloads.kernel import kernel
from python_workloads.memory import new_log
from python_workloads.models import build


def test_inline_has_no_placer_and_the_others_compute_the_same():
    assert offload.placer(offload.INLINE) is None
    pool = offload.start_process_pool()
    try:
        for place in (offload.OFFLOAD, offload.POOL):
            put = offload.placer(place, pool)

            async def one(put=put):
                return await put(kernel, 7, 500)

            assert asyncio.run(one()) == kernel(7, 500), place
    finally:
        pool.shutdown(wait=True)


def test_a_pool_placement_without_a_pool_is_refused():
    with pytest.raises(ValueError, match="process pool"):
        offload.placer(offload.POOL)


def test_bad_specs_name_the_field():
    with pytest.raises(ValueError, match="async_cpu"):
        offload.place_of({"async_cpu": "gpu"})
    with pytest.raises(ValueError, match="background"):
        offload.background_of({"background": 2, "background_model": "task"})
    assert offload.background_of({"background": 2, "background_model": "thread"}) == (0, 0)


@pytest.mark.parametrize("place", ["inline", "offload", "pool"])
def test_a_run_reports_the_chunks_beside_it_and_the_pool(place):
    spec = {
        "model": "async",
        "concurrency": 2,
        "cpu_iters": 0,
        "io_us": 2000.0,
        "async_cpu": place,
        "background": 2,
        "background_model": "task",
        "background_iters": 2000,
    }
    model = build(spec)
    try:
        out = model.run(0, 20, new_log(20))
        info = out["info"]
        assert info["background_tasks"] == 2
        # 20 ops of 2 ms on 2 tasks: ~20 ms, long enough for a chunk of 2000 iterations
        # (well under a millisecond of Python) to finish.
        assert info["background_chunks"] > 0
        if place == "pool":
            assert info["pool_processes"] == (os.cpu_count() or 1)
            assert out["workers_rusage"]["max_rss_kib"] > 0
        else:
            assert "pool_processes" not in info
    finally:
        model.close()
