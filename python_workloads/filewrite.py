"""The ``file`` I/O kind: each op writes one 4 KiB block to a file of the worker's own.

The twin of spectrum's ``src/workload/file.rs``: the same block, the same offsets, the same
sync calls, so Rust and Python put the same bytes on the same disk per op. Each worker's
file is a ring of ``RING_BLOCKS`` blocks, written in full with zeroes and synced at set-up
(outside the window); the worker's k-th write overwrites block ``k % RING_BLOCKS`` (why a
ring rather than an append: see the Rust module -- bounded disk use, no block allocation
inside the window, and ``fdatasync`` may skip the unchanged inode where ``fsync`` cannot).

Sync modes (``file_sync``):

- ``none``: ``os.pwrite`` -- the block reaches the page cache, nothing waits for the disk;
- ``flush``: a buffered file object (8 KiB buffer, as Rust's ``BufWriter``), ``write`` then
  ``flush()`` -- the block reaches the kernel, still not the disk;
- ``fdatasync`` / ``fsync``: ``os.pwrite`` then ``os.fdatasync`` / ``os.fsync``;
- ``odsync``: the file is opened with ``os.O_DSYNC``, and ``os.pwrite`` returns once the
  block is on the device.

Every one of these calls releases the GIL while it blocks.
"""

import itertools
import os
import threading

BLOCK_BYTES = 4096
RING_BLOCKS = 64
#: The block every op writes: bytes ``1 + k % 251``, never zero (the ring starts zeroed).
BLOCK = bytes(1 + k % 251 for k in range(BLOCK_BYTES))
SYNCS = ("none", "flush", "fdatasync", "fsync", "odsync")

_created = itertools.count()


def _new_ring(folder):
    """A new ring file in ``folder``, zeroed and synced; returns its path."""
    # The process, the thread and a count: no two workers of a cell share a name, be they
    # threads, processes or subinterpreters (each with its own thread).
    name = f"py-{os.getpid()}-{threading.get_ident()}-{next(_created)}"
    path = os.path.join(folder, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _pwrite_all(fd, bytes(RING_BLOCKS * BLOCK_BYTES), 0)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _pwrite_all(fd, data, offset):
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


class FileWriter:
    """One worker's ring file, opened for ``sync``; ``write()`` is one op's I/O half."""

    def __init__(self, folder, sync):
        if sync not in SYNCS:
            raise ValueError(f"op spec: file_sync = {sync!r}; choose from {', '.join(SYNCS)}")
        self.path = _new_ring(folder)
        flags = os.O_WRONLY | (os.O_DSYNC if sync == "odsync" else 0)
        fd = os.open(self.path, flags)
        self._fd = fd
        self._file = None
        self._next = 0
        pwrite, block, size = os.pwrite, BLOCK, BLOCK_BYTES

        def short(n):
            raise OSError(f"wrote {n} of {size} bytes to {self.path}")

        def offset():
            k = self._next
            self._next = (k + 1) % RING_BLOCKS
            return k * size

        if sync == "flush":
            self._file = os.fdopen(fd, "wb", buffering=8192)
            f = self._file

            def write():
                if offset() == 0:
                    f.seek(0)  # back to the ring's start (a no-op the first time round)
                f.write(block)
                f.flush()

        elif sync in ("fdatasync", "fsync"):
            sync_call = os.fdatasync if sync == "fdatasync" else os.fsync

            def write():
                n = pwrite(fd, block, offset())
                if n != size:
                    short(n)
                sync_call(fd)

        else:  # none, odsync (O_DSYNC makes the write itself wait for the device)

            def write():
                n = pwrite(fd, block, offset())
                if n != size:
                    short(n)

        self.write = write

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self._fd is not None:
            os.close(self._fd)
        self._fd = None
