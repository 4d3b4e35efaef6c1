//! CPU affinity of the calling thread: pin it to one core for a measurement and restore
//! the previous mask afterwards.

use std::fmt;
use std::io;
use std::mem;

use serde::{Deserialize, Serialize};

/// Where the parties of a probe may run.
///
/// On a virtual machine a wake-up that crosses cores (an inter-processor interrupt through
/// the hypervisor) can cost several times a same-core one, so the two are always reported
/// separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pinning {
    /// Every party pinned to the same core (the first core this process may use).
    Pinned,
    /// The scheduler places the parties wherever it likes.
    Unpinned,
}

impl Pinning {
    /// Both settings, pinned first.
    pub const ALL: [Pinning; 2] = [Pinning::Pinned, Pinning::Unpinned];

    /// `pinned` or `unpinned`: the label used in bench ids and tables.
    pub fn label(self) -> &'static str {
        match self {
            Pinning::Pinned => "pinned",
            Pinning::Unpinned => "unpinned",
        }
    }

    /// Pins the calling thread when `self` is [`Pinning::Pinned`]; the guard restores its
    /// mask when dropped. Unpinned: a guard that does nothing.
    pub fn apply(self) -> io::Result<AffinityGuard> {
        match self {
            Pinning::Pinned => AffinityGuard::pin_to(first_allowed_cpu()?),
            Pinning::Unpinned => Ok(AffinityGuard { saved: None }),
        }
    }
}

impl fmt::Display for Pinning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Restores the calling thread's previous CPU mask when dropped.
///
/// Must be dropped on the thread that created it (it is `!Send` for that reason).
pub struct AffinityGuard {
    saved: Option<libc::cpu_set_t>,
}

impl AffinityGuard {
    /// Pins the calling thread to `cpu`, remembering its current mask.
    pub fn pin_to(cpu: usize) -> io::Result<AffinityGuard> {
        let saved = current_mask()?;
        set_mask(&single_cpu_mask(cpu))?;
        Ok(AffinityGuard { saved: Some(saved) })
    }
}

impl Drop for AffinityGuard {
    fn drop(&mut self) {
        if let Some(mask) = self.saved.take() {
            // Nothing useful to do on failure: the mask we restore was valid a moment ago.
            let _ = set_mask(&mask);
        }
    }
}

// Not `Send`: the mask belongs to the thread that set it.
impl fmt::Debug for AffinityGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AffinityGuard")
            .field("pinned", &self.saved.is_some())
            .finish()
    }
}

/// Pins the calling thread to `cpu` for the rest of its life (for threads a probe
/// creates and throws away).
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    set_mask(&single_cpu_mask(cpu))
}

/// The lowest-numbered CPU the calling thread may run on (containers and `taskset` may
/// exclude CPU 0).
pub fn first_allowed_cpu() -> io::Result<usize> {
    let mask = current_mask()?;
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `mask` is an initialised cpu_set_t and `cpu` is below CPU_SETSIZE.
        .find(|&cpu| unsafe { libc::CPU_ISSET(cpu, &mask) })
        .ok_or_else(|| io::Error::other("the affinity mask of this thread is empty"))
}

fn single_cpu_mask(cpu: usize) -> libc::cpu_set_t {
    // SAFETY: cpu_set_t is plain data; all-zero is the empty set. CPU_SET ignores
    // out-of-range indices.
    unsafe {
        let mut set: libc::cpu_set_t = mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        set
    }
}

fn current_mask() -> io::Result<libc::cpu_set_t> {
    // SAFETY: pid 0 is the calling thread; the buffer is a cpu_set_t of the size passed.
    unsafe {
        let mut set: libc::cpu_set_t = mem::zeroed();
        if libc::sched_getaffinity(0, mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(set)
    }
}

fn set_mask(set: &libc::cpu_set_t) -> io::Result<()> {
    // SAFETY: pid 0 is the calling thread (Linux applies sched_setaffinity per thread).
    let rc = unsafe { libc::sched_setaffinity(0, mem::size_of::<libc::cpu_set_t>(), set) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed_count() -> usize {
        let mask = current_mask().unwrap();
        unsafe { libc::CPU_COUNT(&mask) as usize }
    }

    #[test]
    fn pinning_restores_the_previous_mask() {
        // Run on a fresh thread so the test harness's threads are untouched.
        std::thread::spawn(|| {
            let before = allowed_count();
            {
                let _guard = Pinning::Pinned.apply().unwrap();
                assert_eq!(allowed_count(), 1);
            }
            assert_eq!(allowed_count(), before);
            let _none = Pinning::Unpinned.apply().unwrap();
            assert_eq!(allowed_count(), before);
        })
        .join()
        .unwrap();
    }
}
