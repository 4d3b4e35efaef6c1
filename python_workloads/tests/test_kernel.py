"""The Python kernel reproduces the shared expected checksums (the Rust kernel does too)."""

import json
import pathlib

from python_workloads.calibrate import calibrate, describe, libpython_mapped
from python_workloads.kernel import MASK, kernel, wrapping_add

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "kernel_vectors.json"


def test_kernel_matches_shared_vectors():
    cases = json.loads(VECTORS.read_text())["cases"]
    assert len(cases) >= 5
    for case in cases:
        assert kernel(case["seed"], case["iters"]) == case["checksum"], case


def test_kernel_is_64_bit_and_seed_sensitive():
    assert kernel(1, 0) == 0
    assert 0 <= kernel(MASK, 1000) <= MASK
    assert kernel(42, 100) != kernel(43, 100)
    assert wrapping_add(MASK, 2) == 1


def test_calibration_has_the_rust_fields():
    c = calibrate(min_sample_s=0.002, samples=3)
    assert set(c) == {"iters_per_us", "min_iters_per_us", "max_iters_per_us", "samples"}
    assert c["samples"] == 3
    assert 0 < c["min_iters_per_us"] <= c["iters_per_us"] <= c["max_iters_per_us"]


def test_describe_names_the_interpreter(tmp_path):
    info = describe()
    assert info["version"] and info["executable"]
    assert info["switch_interval_s"] > 0
    assert isinstance(info["gil_enabled"], bool)
    maps = tmp_path / "maps"
    maps.write_text(
        "7f00-7f01 r--p 00000000 08:01 1 /usr/lib/libc.so.6\n"
        "7f01-7f02 rw-p 00000000 00:00 0 \n"
        "7f02-7f03 r-xp 00000000 08:01 2 /opt/py/lib/libpython3.11.so.1.0\n"
    )
    assert libpython_mapped(str(maps)) == "/opt/py/lib/libpython3.11.so.1.0"
    assert libpython_mapped(str(tmp_path / "missing")) is None
