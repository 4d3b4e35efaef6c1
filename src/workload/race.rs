//! The race demo's CPU half: increments of one counter shared by every worker of the
//! cell, racy (a separate atomic load and store), with `fetch_add`, or under a mutex.
//!
//! The counter is a process-wide static: each repetition of a cell runs in a child
//! process of its own, so the only workers that touch it are the cell's. A model resets
//! it at the start of every run ([`start`]), so the window's count leaves out the
//! warm-up. The racy form is safe Rust — no data race in the language's sense, every
//! access is atomic — and still loses updates: between one worker's load and its store
//! another worker's stores land and are overwritten. That is the race the demo counts.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use crate::metrics::CounterTally;
use crate::scenario::Counter;

/// The counter of the `racy` and `atomic` forms.
static SHARED: AtomicU64 = AtomicU64::new(0);
/// The counter of the `locked` form.
static LOCKED: Mutex<u64> = Mutex::new(0);

/// Increments the shared counter `n` times in `form`; returns `n`, the op's checksum
/// (the increments attempted: the same for every form and model given the same ops).
#[inline]
pub fn bump(form: Counter, n: u64) -> u64 {
    match form {
        // Python's call form has no Rust twin (the scenario skips it): a bare load and
        // store is already the widest window Rust code without a call has.
        Counter::Racy | Counter::RacyCall => {
            for _ in 0..n {
                // Relaxed everywhere: ordering is not the point, atomicity is — a load
                // and a store are each atomic, the pair is not. `black_box` keeps them
                // two instructions: without it LLVM folds the pair into one `inc` on
                // memory (no `lock` prefix), which is just as racy between two cores but
                // cannot be preempted halfway, so threads sharing one core (a busy
                // 2-core VM) never lost an update and the demo showed a race only when
                // the host happened to run both threads at once.
                let v = std::hint::black_box(SHARED.load(Relaxed));
                SHARED.store(v + 1, Relaxed);
            }
        }
        Counter::Atomic => {
            for _ in 0..n {
                SHARED.fetch_add(1, Relaxed);
            }
        }
        Counter::Locked => {
            for _ in 0..n {
                // A poisoned lock still counts: the panic that poisoned it fails the
                // cell on its own.
                *LOCKED.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            }
        }
    }
    n
}

/// A run of a counting cell under way: started by [`start`], told by [`Run::finish`].
#[derive(Debug)]
pub struct Run {
    increments: u64,
}

/// Resets the counter for a run of `ops` ops of `per_op` increments each.
pub fn start(ops: u64, per_op: u64) -> Run {
    SHARED.store(0, Relaxed);
    *LOCKED.lock().unwrap_or_else(|p| p.into_inner()) = 0;
    Run {
        increments: ops.saturating_mul(per_op),
    }
}

impl Run {
    /// What the run's increments left in the counter. Call it once the workers have
    /// handed their results back (a channel receive, which orders their stores before
    /// this load).
    pub fn finish(self) -> CounterTally {
        let counted = SHARED.load(Relaxed) + *LOCKED.lock().unwrap_or_else(|p| p.into_inner());
        CounterTally {
            increments: self.increments,
            counted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as TestLock;

    /// The counter is process-wide: tests that use it take turns.
    static TURN: TestLock<()> = TestLock::new(());

    /// `threads` threads each bumping `n` times in `form`, from a fresh counter.
    fn race(form: Counter, threads: u64, n: u64) -> CounterTally {
        let run = start(threads, n);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| assert_eq!(bump(form, n), n));
            }
        });
        run.finish()
    }

    #[test]
    fn the_fixes_lose_nothing_and_the_race_never_gains() {
        let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        for _ in 0..20 {
            for form in [Counter::Atomic, Counter::Locked] {
                let t = race(form, 4, 20_000);
                assert_eq!((t.increments, t.counted, t.lost()), (80_000, 80_000, 0));
            }
            // Whether it loses depends on the scheduler; it can never count more than
            // was attempted, nor end below one thread's share (the last writer's).
            let t = race(Counter::Racy, 4, 20_000);
            assert_eq!(t.increments, 80_000);
            assert!(t.counted <= 80_000 && t.counted >= 1, "{t:?}");
        }
    }

    #[test]
    fn one_worker_loses_nothing_in_any_form() {
        let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        for form in [Counter::Racy, Counter::Atomic, Counter::Locked] {
            let t = race(form, 1, 10_000);
            assert_eq!(t.lost(), 0, "{form:?}");
        }
    }
}
