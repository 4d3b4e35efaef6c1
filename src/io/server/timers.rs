//! Pending replies, ordered by deadline: a binary heap keyed by `CLOCK_MONOTONIC`
//! nanoseconds, not a timer wheel, so that a 150 µs delay is 150 µs and not "the next
//! millisecond tick".

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::conn::Key;

/// One reply waiting for its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pending {
    /// When to send it (monotonic ns). First, so that the heap orders by it.
    pub(super) deadline: u64,
    /// Arrival order: replies due at the same nanosecond leave in the order they came.
    seq: u64,
    /// The connection to answer on (stale once that connection has closed).
    pub(super) key: Key,
    /// The request's token, echoed in the reply.
    pub(super) token: u64,
}

/// The heap of pending replies.
#[derive(Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Reverse<Pending>>,
    next_seq: u64,
}

impl Timers {
    /// Schedules the reply `token` on `key` at `deadline`.
    pub(super) fn push(&mut self, deadline: u64, key: Key, token: u64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Pending {
            deadline,
            seq,
            key,
            token,
        }));
    }

    /// The earliest deadline, if any reply is pending.
    pub(super) fn earliest(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse(p)| p.deadline)
    }

    /// Removes and returns the earliest reply if its deadline is at or before `now`.
    pub(super) fn pop_due(&mut self, now: u64) -> Option<Pending> {
        match self.heap.peek() {
            Some(Reverse(p)) if p.deadline <= now => self.heap.pop().map(|Reverse(p)| p),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_replies_leave_in_deadline_then_arrival_order() {
        let mut t = Timers::default();
        let k = Key::new(0, 0);
        t.push(30, k, 3);
        t.push(10, k, 1);
        t.push(20, k, 2);
        t.push(10, k, 11);
        assert_eq!(t.earliest(), Some(10));
        assert!(t.pop_due(9).is_none());
        let order: Vec<u64> = std::iter::from_fn(|| t.pop_due(25))
            .map(|p| p.token)
            .collect();
        assert_eq!(order, [1, 11, 2]);
        assert_eq!(t.earliest(), Some(30));
    }
}
