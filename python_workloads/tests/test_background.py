"""The convoy's background load: units start, spin and stop; the switch interval is set for
the cell and restored; a bad spec is refused; and a model built with a load carries it
(and leaves no unit behind when closed)."""

import multiprocessing
import sys
import threading
import time

import pytest

from python_workloads import background
from python_workloads.models import build


def test_no_load_starts_nothing_and_leaves_the_interval():
    before = sys.getswitchinterval()
    load = background.start({})
    assert load.count == 0
    load.stop()
    assert sys.getswitchinterval() == before


def test_threads_spin_until_stopped_and_the_interval_is_restored():
    before = sys.getswitchinterval()
    threads_before = threading.active_count()
    load = background.start({"background": 2, "switch_interval_us": 100})
    try:
        assert load.count == 2
        assert threading.active_count() == threads_before + 2
        assert sys.getswitchinterval() == pytest.approx(100e-6)
        # The units compute: this thread's CPU time is not theirs, the process's is.
        cpu = time.process_time()
        time.sleep(0.05)
        assert time.process_time() > cpu
    finally:
        load.stop()
    assert threading.active_count() == threads_before
    assert sys.getswitchinterval() == before


def test_processes_are_forked_and_end_with_stop():
    load = background.start({"background": 1, "background_model": "process"})
    try:
        assert load.count == 1
        assert len(multiprocessing.active_children()) >= 1
    finally:
        load.stop()
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("background")]


def test_native_units_need_the_embedded_module():
    with pytest.raises(RuntimeError, match="spectrum_native"):
        background.start({"background": 1, "background_model": "native"})


@pytest.mark.parametrize(
    "spec, field",
    [
        ({"background": -1}, "background"),
        ({"background": 1, "background_model": "fiber"}, "background_model"),
        ({"switch_interval_us": 0}, "switch_interval_us"),
    ],
)
def test_a_bad_spec_names_its_field(spec, field):
    with pytest.raises(ValueError, match=field):
        background.start(spec)


def test_a_model_built_with_a_load_runs_beside_it_and_stops_it_on_close():
    before = threading.active_count()
    spec = {"model": "thread", "concurrency": 1, "cpu_iters": 10, "background": 1}
    model = build(spec)
    log = [0] * 20
    try:
        assert threading.active_count() >= before + 2  # the worker and the load
        assert "checksum" in model.run(0, 20, log)
        assert all(log)
    finally:
        model.close()
    assert threading.active_count() == before
