"""The Python side of spectrum's workloads.

spectrum measures the same op -- ``cpu`` microseconds of an integer-mixing kernel, then
``io`` microseconds of waiting -- under every concurrency model. This package holds the
Python half of it, importable by a plain ``python3`` (no dependency outside the standard
library):

- :mod:`python_workloads.kernel` -- the CPU kernel, the twin of ``src/workload/kernel.rs``
  (same checksum for the same seed and iterations; ``kernel_vectors.json`` proves it);
- :mod:`python_workloads.op` -- the op (blocking and asyncio variants), each half in Python
  or in spectrum's native helper module (``spectrum_native``, embedded runtime only);
- :mod:`python_workloads.filewrite` -- the ``file`` I/O kind's 4 KiB write and its sync
  modes, the twin of ``src/workload/file.rs``;
- :mod:`python_workloads.models` -- the sequential, thread and asyncio models;
  :mod:`python_workloads.procs` -- the multiprocessing model;
- :mod:`python_workloads.runner` -- the line protocol of the ``cpython`` runtime
  (``python3 -m python_workloads.runner``);
- :mod:`python_workloads.calibrate` -- kernel calibration and interpreter facts
  (``python3 -m python_workloads.calibrate`` prints them as JSON).

A model is driven by an *op spec*: a plain dict that spectrum builds from a cell::

    {"model": "thread", "concurrency": 4, "cpu_iters": 1500, "io_us": 500.0,
     "io_kind": "sleep", "cpu_impl": "python", "io_impl": "python", "gil": "held",
     "async_cpu": "inline", "fault": None}

with, for ``io_kind = "tcp"``, ``io_port`` (the delay server's port) and, for
``io_kind = "file"``, ``file_dir`` (the cell's folder) and ``file_sync`` (``none``,
``flush``, ``fdatasync``, ``fsync`` or ``odsync``).
"""

__all__ = ["kernel", "op", "filewrite", "models", "procs", "runner", "calibrate"]
