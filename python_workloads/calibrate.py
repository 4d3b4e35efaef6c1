"""Calibration of the Python kernel, and the facts about the interpreter running it.

``python3 -m python_workloads.calibrate`` prints ``{"calibration": ..., "info": ...}`` as
one JSON line: the ``cpython`` runtime's calibration. The embedded runtime calls the same
functions inside spectrum, so both are timed the same way -- and the same way as the Rust
kernel (``src/workload/calibrate.rs``): grow the iteration count until one call takes at
least 20 ms, then take the median rate of 7 such calls.
"""

import json
import sys
import time

from .kernel import kernel

MIN_SAMPLE_S = 0.02
SAMPLES = 7


def calibrate(min_sample_s=MIN_SAMPLE_S, samples=SAMPLES):
    """Kernel iterations per microsecond: median, slowest and fastest of ``samples`` calls."""
    iters = 1000
    while True:
        t = time.perf_counter()
        kernel(1, iters)
        if time.perf_counter() - t >= min_sample_s:
            break
        iters *= 2
    rates = []
    for i in range(samples):
        t = time.perf_counter()
        kernel(i + 2, iters)
        rates.append(iters / ((time.perf_counter() - t) * 1e6))
    rates.sort()
    return {
        "iters_per_us": rates[len(rates) // 2],
        "min_iters_per_us": rates[0],
        "max_iters_per_us": rates[-1],
        "samples": len(rates),
    }


def time_kernel(seed, iters, repeats=3):
    """Seconds one ``kernel(seed, iters)`` call takes: the median of ``repeats`` calls.

    The speed check spectrum runs right before and after each measured window (see
    ``src/driver/speed.rs``): short, single-threaded, timed like :func:`calibrate`.
    """
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        kernel(seed + i, iters)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def libpython_mapped(maps="/proc/self/maps"):
    """Path of the libpython mapped into this process, or None (static build, not Linux)."""
    try:
        with open(maps, encoding="utf-8", errors="replace") as f:
            for line in f:
                # address perms offset dev inode [path]: anonymous mappings have no path.
                fields = line.split(maxsplit=5)
                path = fields[5].strip() if len(fields) == 6 else ""
                if path.rsplit("/", 1)[-1].startswith("libpython"):
                    return path
    except OSError:
        pass
    return None


def gil_enabled():
    """``sys._is_gil_enabled()`` where it exists (3.13+); older builds always have the GIL."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if probe is not None else True


def free_threaded_build():
    """True for a build configured with ``--disable-gil`` (``Py_GIL_DISABLED``, PEP 703),
    whether or not the GIL was turned back on at run time (``PYTHON_GIL=1``)."""
    import sysconfig  # noqa: PLC0415

    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def describe():
    """The interpreter, in the shape of spectrum's ``PythonInfo``.

    ``release`` comes from ``sys.version_info``: ``sys.version`` is free text, on two
    lines in some builds (3.8), and is only kept for people to read, on one line."""
    v = sys.version_info
    return {
        "version": " ".join(sys.version.split()),
        "release": f"{v.major}.{v.minor}.{v.micro}",
        "free_threaded_build": free_threaded_build(),
        "executable": sys.executable,
        "libpython": libpython_mapped(),
        "gil_enabled": gil_enabled(),
        "switch_interval_s": sys.getswitchinterval(),
    }


def main():
    print(json.dumps({"calibration": calibrate(), "info": describe()}))


if __name__ == "__main__":
    main()
