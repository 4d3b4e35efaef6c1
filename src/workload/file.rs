//! The `file` I/O kind: each op writes one 4 KiB block to a file of the worker's own,
//! pushed as far as the cell's [`FileSync`] says (page cache, kernel, device).
//!
//! `python_workloads/filewrite.py` is the twin: the same block, the same offsets, the
//! same sync calls, so both languages put the same bytes on the same disk per op.
//!
//! Each worker's file is a ring of [`RING_BLOCKS`] blocks, written once in full and
//! synced at set-up (outside the window); op k of a worker overwrites block
//! `k % RING_BLOCKS`. A rotating offset rather than an append, because:
//! - disk use is bounded (256 KiB a worker) however many ops a window runs;
//! - every write in the window lands on blocks that already exist, so no op pays for
//!   allocating blocks or growing the file, and the ops stay alike from the first to the
//!   last (an appending file would also cross extent and journal boundaries now and then);
//! - with the size unchanged, `fdatasync` may skip the inode while `fsync` must still
//!   write its new modification time: the textbook difference between the two shows.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::scenario::FileSync;

/// Bytes of one op's write.
pub const BLOCK_BYTES: usize = 4096;
/// Blocks in a worker's ring file (256 KiB).
pub const RING_BLOCKS: u64 = 64;

/// The block every op writes: bytes `1 + k % 251`, never zero, so a written block is
/// told apart from the zeroes the ring starts with (`filewrite.BLOCK` in Python).
pub static BLOCK: [u8; BLOCK_BYTES] = block();

const fn block() -> [u8; BLOCK_BYTES] {
    let mut b = [0u8; BLOCK_BYTES];
    let mut k = 0;
    while k < BLOCK_BYTES {
        b[k] = (1 + k % 251) as u8;
        k += 1;
    }
    b
}

/// Files created by this process so far: with the process id, a name no other worker
/// of the cell uses.
static CREATED: AtomicU32 = AtomicU32::new(0);

/// Creates a new ring file in `dir`, written in full with zeroes and synced, and returns
/// its path. Set-up: outside the window.
fn new_ring(dir: &Path) -> io::Result<PathBuf> {
    let n = CREATED.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("rust-{}-{n}", std::process::id()));
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?;
    f.write_all_at(&vec![0u8; RING_BLOCKS as usize * BLOCK_BYTES], 0)?;
    f.sync_all()?;
    Ok(path)
}

/// Opens `path` for the ops of `mode`: with `O_DSYNC` for [`FileSync::Odsync`].
fn open_options(mode: FileSync) -> OpenOptions {
    let mut o = OpenOptions::new();
    o.write(true);
    if mode == FileSync::Odsync {
        o.custom_flags(libc::O_DSYNC);
    }
    o
}

/// One blocking worker's file.
#[derive(Debug)]
pub struct FileWriter {
    out: Out,
    mode: FileSync,
    /// The ring block the next op writes.
    next: u64,
    path: PathBuf,
}

#[derive(Debug)]
enum Out {
    /// `pwrite` at the block's offset: no seek, one system call.
    Plain(File),
    /// Through a userspace buffer (8 KiB, `BufWriter`'s default): the write lands in the
    /// buffer, `flush()` hands it to the kernel. Sequential, seeking back at the wrap.
    Buffered(BufWriter<File>),
}

impl FileWriter {
    /// A new ring file in `dir`, opened for `mode`.
    pub fn open(dir: &Path, mode: FileSync) -> io::Result<FileWriter> {
        let path = new_ring(dir)?;
        let f = open_options(mode).open(&path)?;
        let out = if mode == FileSync::Flush {
            Out::Buffered(BufWriter::new(f))
        } else {
            Out::Plain(f)
        };
        Ok(FileWriter {
            out,
            mode,
            next: 0,
            path,
        })
    }

    /// The ring file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One op's I/O half: writes [`BLOCK`] at the next ring block, synced per the mode.
    #[inline]
    pub fn write(&mut self) -> io::Result<()> {
        let block = self.next;
        self.next = (block + 1) % RING_BLOCKS;
        match &mut self.out {
            Out::Plain(f) => {
                f.write_all_at(&BLOCK, block * BLOCK_BYTES as u64)?;
                match self.mode {
                    FileSync::Fdatasync => f.sync_data()?,
                    FileSync::Fsync => f.sync_all()?,
                    // `O_DSYNC` synced the write itself; `none` never waits for the disk.
                    FileSync::None | FileSync::Odsync | FileSync::Flush => {}
                }
            }
            Out::Buffered(w) => {
                if block == 0 {
                    // Back to the ring's start (a no-op the first time round).
                    w.seek(SeekFrom::Start(0))?;
                }
                w.write_all(&BLOCK)?;
                w.flush()?;
            }
        }
        Ok(())
    }
}

/// One async task's file, written through `tokio::fs`: every call runs on tokio's
/// blocking pool (Linux has no readiness for regular files), so a task's write costs a
/// hop to a pool thread and back — and the pool grows threads for it.
#[derive(Debug)]
pub struct AsyncFileWriter {
    out: AsyncOut,
    mode: FileSync,
    next: u64,
}

#[derive(Debug)]
enum AsyncOut {
    Plain(tokio::fs::File),
    Buffered(tokio::io::BufWriter<tokio::fs::File>),
}

impl AsyncFileWriter {
    /// A new ring file in `dir`, opened for `mode` (the ring is made with blocking calls:
    /// this is set-up, on the thread that builds the model).
    pub fn open(dir: &Path, mode: FileSync) -> io::Result<AsyncFileWriter> {
        let path = new_ring(dir)?;
        let f = tokio::fs::File::from_std(open_options(mode).open(&path)?);
        let out = if mode == FileSync::Flush {
            AsyncOut::Buffered(tokio::io::BufWriter::new(f))
        } else {
            AsyncOut::Plain(f)
        };
        Ok(AsyncFileWriter { out, mode, next: 0 })
    }

    /// One op's I/O half, awaited: the same block at the same offset as
    /// [`FileWriter::write`]. tokio has no positioned write, so the file is written in
    /// order and sought back to the start at the ring's wrap (one more pool hop per
    /// [`RING_BLOCKS`] ops).
    pub async fn write(&mut self) -> io::Result<()> {
        let block = self.next;
        self.next = (block + 1) % RING_BLOCKS;
        match &mut self.out {
            AsyncOut::Plain(f) => {
                if block == 0 {
                    f.seek(SeekFrom::Start(0)).await?;
                }
                f.write_all(&BLOCK).await?;
                match self.mode {
                    FileSync::Fdatasync => f.sync_data().await?,
                    FileSync::Fsync => f.sync_all().await?,
                    // A `tokio::fs::File` write returns once the block is copied to its
                    // own buffer and handed to the pool; `flush` waits until the pool has
                    // made the `write` call. Without it the op would end before its
                    // write happened.
                    FileSync::None | FileSync::Odsync | FileSync::Flush => f.flush().await?,
                }
            }
            AsyncOut::Buffered(w) => {
                if block == 0 {
                    w.seek(SeekFrom::Start(0)).await?;
                }
                w.write_all(&BLOCK).await?;
                w.flush().await?;
            }
        }
        Ok(())
    }
}

/// Where a cell's files went: the folder, and the file system that holds it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileTarget {
    /// The cell's temporary folder (removed when the cell ends).
    pub dir: PathBuf,
    /// The file system type (`ext4`, `xfs`, `tmpfs`, ...) from `/proc/self/mountinfo`.
    pub fs_type: String,
    /// The mounted device or source (`/dev/vda`).
    pub source: String,
    /// Where that file system is mounted.
    pub mount_point: PathBuf,
}

/// Environment variable naming the folder a `file` cell makes its temporary folder in,
/// used as given (even on tmpfs).
pub const FILE_DIR_ENV: &str = "SPECTRUM_FILE_DIR";

/// A `file` cell's temporary folder, created at set-up and removed (with its files)
/// when dropped, and where it is.
#[derive(Debug)]
pub struct CellFiles {
    dir: tempfile::TempDir,
    /// Where the folder is.
    pub target: FileTarget,
}

impl CellFiles {
    /// Creates the cell's folder: under `$SPECTRUM_FILE_DIR` when set, else under the
    /// system's temporary folder (`$TMPDIR`, `/tmp`) unless that is a memory file system
    /// (tmpfs, ramfs), where a sync costs nothing and the lesson of the `file` kind is
    /// invisible — then under the working directory.
    pub fn create() -> anyhow::Result<CellFiles> {
        use anyhow::Context;
        let parent = match std::env::var_os(FILE_DIR_ENV) {
            Some(d) => PathBuf::from(d),
            None => {
                let tmp = std::env::temp_dir();
                match mount_of(&tmp) {
                    Some(m) if is_memory(&m.fs_type) => {
                        std::env::current_dir().context("could not read the working directory")?
                    }
                    _ => tmp,
                }
            }
        };
        let dir = tempfile::Builder::new()
            .prefix("spectrum-file-")
            .tempdir_in(&parent)
            .with_context(|| {
                format!(
                    "could not create a folder for the file cell's writes in {} (set {FILE_DIR_ENV} to a writable folder)",
                    parent.display()
                )
            })?;
        let target = mount_of(dir.path()).unwrap_or_else(|| FileTarget {
            dir: dir.path().to_path_buf(),
            ..FileTarget::default()
        });
        Ok(CellFiles { dir, target })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Whether `fs_type` keeps its files in memory (a sync writes nothing to a device).
pub fn is_memory(fs_type: &str) -> bool {
    matches!(fs_type, "tmpfs" | "ramfs")
}

/// The mount that holds `path` (the longest mount point that is a prefix of its
/// canonical form), from `/proc/self/mountinfo`; `None` when it cannot be read.
pub fn mount_of(path: &Path) -> Option<FileTarget> {
    let path = path.canonicalize().ok()?;
    let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut best: Option<FileTarget> = None;
    for line in text.lines() {
        // `id parent maj:min root mount-point options [optional...] - type source super`
        let Some((head, tail)) = line.split_once(" - ") else {
            continue;
        };
        let Some(mount) = head.split(' ').nth(4) else {
            continue;
        };
        let mount = PathBuf::from(unescape(mount));
        let mut t = tail.split(' ');
        let (Some(fs_type), Some(source)) = (t.next(), t.next()) else {
            continue;
        };
        let longer = best
            .as_ref()
            .is_none_or(|b| mount.as_os_str().len() >= b.mount_point.as_os_str().len());
        if path.starts_with(&mount) && longer {
            best = Some(FileTarget {
                dir: path.clone(),
                fs_type: fs_type.to_string(),
                source: unescape(source),
                mount_point: mount,
            });
        }
    }
    best
}

/// mountinfo's octal escapes (`\040` for a space) decoded.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 4);
        match code.and_then(|c| u8::from_str_radix(c, 8).ok()) {
            Some(b) => {
                out.push(b as char);
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of `path` that hold [`BLOCK`], and whether every other block is zeroes.
    fn written_blocks(path: &Path) -> (usize, bool) {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(bytes.len(), RING_BLOCKS as usize * BLOCK_BYTES);
        let mut written = 0;
        let mut rest_zero = true;
        for b in bytes.chunks(BLOCK_BYTES) {
            if b == BLOCK {
                written += 1;
            } else {
                rest_zero &= b.iter().all(|x| *x == 0);
            }
        }
        (written, rest_zero)
    }

    #[test]
    fn the_block_is_the_python_one() {
        // FNV-1a 64 of the block; python_workloads/tests/test_filewrite.py holds the same.
        let h = BLOCK.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        assert_eq!(h, 0x66aa_6ddf_60c7_c315, "{h:#x}");
        assert_eq!((BLOCK[0], BLOCK[250], BLOCK[251]), (1, 251, 1));
    }

    #[test]
    fn every_mode_writes_one_block_per_op_and_wraps() {
        for mode in FileSync::ALL {
            let dir = tempfile::tempdir().unwrap();
            let mut w = FileWriter::open(dir.path(), mode).unwrap();
            for _ in 0..5 {
                w.write().unwrap();
            }
            assert_eq!(written_blocks(w.path()), (5, true), "{mode:?}");
            for _ in 5..RING_BLOCKS + 3 {
                w.write().unwrap();
            }
            assert_eq!(
                written_blocks(w.path()),
                (RING_BLOCKS as usize, true),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn tokio_writes_the_same_blocks() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for mode in FileSync::ALL {
            let dir = tempfile::tempdir().unwrap();
            let mut w = AsyncFileWriter::open(dir.path(), mode).unwrap();
            rt.block_on(async {
                for _ in 0..7 {
                    w.write().await.unwrap();
                }
            });
            let file = std::fs::read_dir(dir.path())
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path();
            assert_eq!(written_blocks(&file), (7, true), "{mode:?}");
        }
    }

    #[test]
    fn the_mount_of_the_root_is_found() {
        let m = mount_of(Path::new("/")).unwrap();
        assert_eq!(m.mount_point, PathBuf::from("/"));
        assert!(!m.fs_type.is_empty());
        assert_eq!(unescape(r"/a\040b"), "/a b");
    }
}
