"""The runner on every interpreter this machine has (pyenv versions, the project's
free-threaded build), the subinterpreter model's checksum, and the free-threaded build
script's idempotence. An interpreter that is absent is skipped with its reason."""

import os
import pathlib
import subprocess
import sys

import pytest

from python_workloads.kernel import MASK, kernel

from . import test_runner

ROOT = test_runner.ROOT
FREE_THREADED = ROOT / ".pythons" / "3.13t" / "bin" / "python3"


def _pyenv_root():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return pathlib.Path(root)


def find(version):
    """The python3 of ``version`` (``3.12``, ``3.13t``), or None."""
    if version.endswith("t"):
        return FREE_THREADED if FREE_THREADED.is_file() else None
    versions = _pyenv_root() / "versions"
    if versions.is_dir():
        for d in sorted(versions.iterdir(), reverse=True):
            exe = d / "bin" / "python3"
            if d.name.startswith(version + ".") and not d.name.endswith("t") and exe.is_file():
                return exe
    return None


def converse(python, spec, *commands):
    """The runner under ``python``."""
    return test_runner.converse(spec, *commands, python=python)


VERSIONS = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.13t"]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_runner_works_on_each_interpreter(version):
    python = find(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine (pyenv versions, .pythons/)")
    expected = sum(kernel(i, 300) for i in range(3, 15)) & MASK
    for model in ["sequential", "thread", "process", "async"]:
        spec = {"model": model, "concurrency": 2, "cpu_iters": 300, "io_us": 50.0}
        ready, window, lat, bye = converse(python, spec, "run 3 15 4", "latencies", "exit")
        assert ready["status"] == "ready", ready
        # The release comes from sys.version_info, not from parsing sys.version.
        assert ready["info"]["release"].startswith(version.rstrip("t") + "."), ready
        assert ready["info"]["free_threaded_build"] == version.endswith("t")
        assert "\n" not in ready["info"]["version"]
        assert ready["setup"]["units"] == (1 if model == "sequential" else 2)
        assert window["checksum"] == expected, (model, window)
        assert all(ns > 0 for ns in lat["latencies_ns"])
        # The timeline's first 4 ops, on every interpreter (thread_time_ns: 3.7+).
        assert len(lat["spans"]) == 4, (model, lat["spans"])
        assert bye == {"status": "bye"}


@pytest.mark.parametrize("version", ["3.12", "3.13", "3.13t"])
def test_subinterpreters_give_the_same_checksum(version):
    python = find(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine (pyenv versions, .pythons/)")
    spec = {"model": "subinterpreter", "concurrency": 3, "cpu_iters": 200, "io_us": 20.0}
    ready, window, lat, bye = converse(python, spec, "run 5 22 0", "latencies", "exit")
    assert ready["status"] == "ready", ready
    setup = ready["setup"]
    assert len(setup["unit_setup_s"]) == 3 and len(setup["unit_create_s"]) == 3
    assert all(c <= s for c, s in zip(setup["unit_create_s"], setup["unit_setup_s"]))
    assert window["checksum"] == sum(kernel(i, 200) for i in range(5, 22)) & MASK, window
    assert len(lat["latencies_ns"]) == 17 and all(ns > 0 for ns in lat["latencies_ns"])
    assert bye == {"status": "bye"}


def test_subinterpreters_are_refused_before_3_12():
    python = find("3.11")
    if python is None:
        pytest.skip("no Python 3.11 on this machine (pyenv versions)")
    (reply,) = converse(python, {"model": "subinterpreter", "cpu_iters": 1})
    assert reply["status"] == "error"
    assert "needs Python 3.12 or later" in reply["error"]


def test_subinterpreters_in_this_interpreter():
    """The model in the interpreter running the tests, when it has them."""
    if sys.version_info < (3, 12):
        pytest.skip(f"this is Python {sys.version_info[0]}.{sys.version_info[1]}: no subinterpreters with a GIL of their own")
    from python_workloads import memory
    from python_workloads.subinterp import SubinterpreterModel

    m = SubinterpreterModel({"model": "subinterpreter", "concurrency": 2, "cpu_iters": 100})
    try:
        m.prepare(0, 9)
        log = memory.new_log(9)
        assert m.run(0, 9, log)["checksum"] == sum(kernel(i, 100) for i in range(9)) & MASK
        m.fill(log, 0)
        assert all(log)
    finally:
        m.close()


def test_the_free_threaded_script_is_idempotent():
    if not FREE_THREADED.is_file():
        pytest.skip("no .pythons/3.13t: run scripts/get-free-threaded-python.sh to build it")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "get-free-threaded-python.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "nothing to do" in done.stdout, done.stdout
