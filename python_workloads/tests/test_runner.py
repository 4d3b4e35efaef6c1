"""The ``cpython`` runtime's line protocol, end to end through a real ``python -m`` process."""

import json
import pathlib
import subprocess
import sys

from python_workloads.kernel import MASK, kernel

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def converse(spec, *commands, python=None):
    """Starts the runner (under ``python``, default this interpreter), sends the spec and
    the commands; returns the parsed replies."""
    text = json.dumps(spec) + "\n" + "".join(c + "\n" for c in commands)
    done = subprocess.run(
        [str(python or sys.executable), "-m", "python_workloads.runner"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_protocol_runs_the_ops_and_reports():
    spec = {"model": "thread", "concurrency": 2, "cpu_iters": 500, "io_us": 100.0}
    ready, warm, window, lat, bye = converse(spec, "run 0 4 0", "run 4 20 3", "latencies", "exit")
    assert ready["status"] == "ready"
    assert ready["info"]["switch_interval_s"] > 0
    assert warm["status"] == "ok" and "latencies_ns" not in warm
    assert window["checksum"] == sum(kernel(i, 500) for i in range(4, 20)) & MASK
    # The latencies come only when asked, after the window.
    assert lat["status"] == "latencies" and len(lat["latencies_ns"]) == 16
    assert all(ns > 0 for ns in lat["latencies_ns"])
    # The first 3 ops of the window keep their spans, on the two threads' lanes.
    spans = lat["spans"]
    assert len(spans) == 3 and all(w in (0, 1) for w, *_ in spans)
    assert all(s <= c <= e for _, s, c, e, _ in spans)
    mem = window["memory"]
    # The op log and the span slots: one page each.
    assert mem["peak_kib"] >= mem["before_kib"] > 0 and mem["harness_kib"] == 8
    assert set(window["rusage"]) == {
        "user_s",
        "sys_s",
        "ctx_voluntary",
        "ctx_involuntary",
        "max_rss_kib",
    }
    assert bye == {"status": "bye"}


def test_errors_carry_the_traceback_and_the_runner_goes_on():
    spec = {"model": "sequential", "cpu_iters": 10, "fault": "error"}
    ready, failed, bad, bye = converse(spec, "run 0 2 0", "jump", "exit")
    assert ready["status"] == "ready"
    assert failed["status"] == "error"
    assert "Traceback" in failed["error"] and "fault injected" in failed["error"]
    assert bad["status"] == "error" and "unknown command" in bad["error"]
    assert bye["status"] == "bye"


def test_a_bad_spec_is_an_error_not_a_crash():
    (reply,) = converse({"model": "sequential", "cpu_impl": "native"})
    assert reply["status"] == "error"
    assert "spectrum_native" in reply["error"]


def test_speed_times_the_kernel_outside_any_run():
    spec = {"model": "sequential", "cpu_iters": 10}
    ready, speed, bad, bye = converse(spec, "speed 1 2000", "speed 1 0", "exit")
    assert ready["status"] == "ready"
    assert speed["status"] == "speed" and speed["seconds"] > 0
    assert bad["status"] == "error" and "bad speed check" in bad["error"]
    assert bye["status"] == "bye"
