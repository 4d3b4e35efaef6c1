"""The race demo's counter forms: what each loses, the op's checksum, and the runner's
tally of a window."""

import sys
import threading

import pytest

from python_workloads import race
from python_workloads.op import make_op
from python_workloads.tests.test_runner import converse


def _hammer(form, threads=2, iters=20_000):
    """``threads`` threads each running ``iters`` increments of ``form`` at a 1 µs
    switch interval; returns (increments, counted)."""
    cpu = race.form(form)
    race.reset()
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        ts = [threading.Thread(target=cpu, args=(0, iters)) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    finally:
        sys.setswitchinterval(before)
    return threads * iters, race.count()


def test_the_lock_loses_nothing():
    for _ in range(3):
        increments, counted = _hammer("locked")
        assert counted == increments


@pytest.mark.parametrize("form", ["racy", "racy_call"])
def test_a_race_never_counts_more_than_was_attempted(form):
    # Whether it loses depends on where the interpreter switches: not asserted.
    increments, counted = _hammer(form)
    assert 0 < counted <= increments


def test_one_thread_loses_nothing_in_any_form():
    for form in race.FORMS:
        assert _hammer(form, threads=1) == (20_000, 20_000)


def test_the_checksum_is_the_increments_whatever_the_form():
    for form in race.FORMS:
        op = make_op({"cpu_iters": 300, "counter": form})
        assert [op(i) for i in range(3)] == [300, 300, 300]
        c, _cpu_end, _cpu_ns = op.split(7)
        assert c == 300


def test_atomic_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="Rust's fetch_add"):
        make_op({"cpu_iters": 1, "counter": "atomic"})


def test_the_runner_tallies_each_run_from_zero():
    spec = {
        "model": "thread",
        "concurrency": 2,
        "cpu_iters": 1000,
        "io_us": 0.0,
        "counter": "locked",
        "switch_interval_us": 1.0,
    }
    _ready, warm, window, _bye = converse(spec, "run 0 3 0", "run 3 23 0", "exit")
    assert warm["counter"] == {"increments": 3000, "counted": 3000}
    # The window's count leaves out the warm-up's increments.
    assert window["counter"] == {"increments": 20_000, "counted": 20_000}
    assert window["checksum"] == 20_000
