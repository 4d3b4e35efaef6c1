//! Children that die with their parent: every process spectrum starts — a cell, a
//! worker, the `python3` runner, the delay server — is tied to the thread that started
//! it, so that no process outlives the run whatever kills its parent (DESIGN: isolation).

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Arms `cmd` so that the child gets SIGKILL when the *thread* that spawns it exits
/// (`PR_SET_PDEATHSIG`: Linux ties it to the parent thread, so spawn from a thread that
/// outlives the child), and fails to start (`ESRCH`) if that parent is already gone by
/// the time the signal is armed — then nobody would ever kill it.
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and only makes async-signal-safe
    // calls (prctl, getppid) and builds an io::Error from a raw code (no allocation).
    unsafe {
        cmd.pre_exec(move || {
            let sig = libc::SIGKILL as libc::c_ulong;
            if libc::prctl(libc::PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        })
    }
}
