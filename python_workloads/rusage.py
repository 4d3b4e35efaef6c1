"""``getrusage`` samples in the shape of spectrum's ``Rusage`` (``src/metrics/rusage.rs``)."""

import resource


def sample():
    """``getrusage(RUSAGE_SELF)`` of this process (every thread) as a dict."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "user_s": ru.ru_utime,
        "sys_s": ru.ru_stime,
        "ctx_voluntary": ru.ru_nvcsw,
        "ctx_involuntary": ru.ru_nivcsw,
        # Linux reports ru_maxrss in KiB.
        "max_rss_kib": ru.ru_maxrss,
    }


def delta(later, earlier):
    """What happened between two samples; peak RSS keeps the later value (a high-water mark)."""
    return {
        "user_s": max(0.0, later["user_s"] - earlier["user_s"]),
        "sys_s": max(0.0, later["sys_s"] - earlier["sys_s"]),
        "ctx_voluntary": max(0, later["ctx_voluntary"] - earlier["ctx_voluntary"]),
        "ctx_involuntary": max(0, later["ctx_involuntary"] - earlier["ctx_involuntary"]),
        "max_rss_kib": later["max_rss_kib"],
    }


def plus(a, b):
    """Usage of two processes alive at the same time (peak RSS adds too)."""
    return {k: a[k] + b[k] for k in a}


class Sampler:
    """Samples at creation; :meth:`delta` gives the usage since."""

    def __init__(self):
        self.start = sample()

    def delta(self):
        return delta(sample(), self.start)
