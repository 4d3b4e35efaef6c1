"""Resident memory over a measured window, in the shape of spectrum's ``WindowMemory``
(``src/metrics/memory.rs``): the same method on the Python side.

Right before the window the process resets its peak RSS (``VmHWM``) by writing ``5`` to
``/proc/self/clear_refs`` and reads its current RSS; right after, it reads the peak. The op
log (8 bytes per op, allocated and touched before the window) is reported apart as
``harness_kib`` so that the memory per unit is the model's alone.
"""

import array
import resource


def _status_kib(key):
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def log_kib(ops):
    """KiB a pre-touched log of ``ops`` 8-byte slots keeps resident (whole 4 KiB pages)."""
    return (ops * 8 + 4095) // 4096 * 4


def new_log(ops):
    """An op log: ``ops`` zeroed 8-byte slots, every page touched now."""
    return array.array("Q", bytes(8 * ops))


class PeakWatch:
    """Started right before a window; :meth:`finish` gives the window's memory."""

    def __init__(self):
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            self.windowed = True
        except OSError:
            self.windowed = False
        self.before_kib = _status_kib("VmRSS:") or 0

    def finish(self, harness_kib):
        peak = _status_kib("VmHWM:")
        if peak is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {
            "before_kib": self.before_kib,
            "peak_kib": max(peak, self.before_kib),
            "harness_kib": harness_kib,
            "windowed": self.windowed,
        }


def plus(a, b):
    """Memory of two processes alive at the same time."""
    return {
        "before_kib": a["before_kib"] + b["before_kib"],
        "peak_kib": a["peak_kib"] + b["peak_kib"],
        "harness_kib": a["harness_kib"] + b["harness_kib"],
        "windowed": a["windowed"] and b["windowed"],
    }
