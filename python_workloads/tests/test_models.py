"""Every pure-Python model runs exactly the ops it is given: same count, same checksum."""

import pytest

from python_workloads.kernel import MASK, kernel
from python_workloads.memory import new_log
from python_workloads.models import build

ITERS = 300


def expected(start, end):
    return sum(kernel(i, ITERS) for i in range(start, end)) & MASK


CASES = [
    {"model": "sequential"},
    {"model": "thread", "concurrency": 3},
    {"model": "process", "concurrency": 2},
    {"model": "async", "concurrency": 3},
    {"model": "async", "concurrency": 3, "async_cpu": "offload"},
    {"model": "async", "concurrency": 3, "async_cpu": "pool"},
    # Beside CPU-heavy tasks on the same loop, placed each way: the measured ops' checksum
    # and count do not change.
    *(
        {
            "model": "async",
            "concurrency": 3,
            "async_cpu": place,
            "background": 2,
            "background_model": "task",
            "background_iters": 200,
        }
        for place in ("inline", "offload", "pool")
    ),
]


@pytest.mark.parametrize("extra", CASES, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_model_checksum_and_count(extra):
    spec = {"cpu_iters": ITERS, "io_us": 50.0, **extra}
    model = build(spec)
    try:
        # Two batches, as spectrum runs them: warm-up, then the measured window.
        for start, end in ((0, 5), (5, 30)):
            log = new_log(end - start)
            out = model.run(start, end, log)
            fill = getattr(model, "fill", None)
            if fill is not None:
                fill(log, start)
            # One latency per op, in the op's own slot.
            assert len(log) == end - start
            assert all(ns > 0 for ns in log)
            assert out["checksum"] == expected(start, end)
    finally:
        model.close()


def test_process_model_reports_worker_rusage():
    model = build({"model": "process", "concurrency": 2, "cpu_iters": 20_000})
    try:
        out = model.run(0, 10, new_log(10))
    finally:
        model.close()
    ru = out["workers_rusage"]
    assert ru["user_s"] + ru["sys_s"] > 0
    assert ru["max_rss_kib"] > 0
    mem = out["workers_memory"]
    assert mem["peak_kib"] >= mem["before_kib"] > 0
    # Each of the two workers held a log with a slot for every op: one page each.
    assert mem["harness_kib"] == 8


@pytest.mark.parametrize("name", ["sequential", "thread", "process", "async"])
def test_a_raising_op_fails_the_run_with_its_traceback(name):
    model = build({"model": name, "concurrency": 2, "cpu_iters": 10, "fault": "error"})
    try:
        with pytest.raises(Exception, match="fault injected"):
            model.run(0, 4, new_log(4))
    finally:
        model.close()


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="rayon"):
        build({"model": "rayon"})
