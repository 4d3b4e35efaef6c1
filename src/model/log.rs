//! The op log every model records into during its window: one slot per op, allocated
//! and touched before the window opens.
//!
//! Why one shared, pre-touched array rather than a log per worker: a log that grows
//! while ops run puts spectrum's own bookkeeping into the cell's memory — 8 bytes per
//! op, so more in a longer window and more at a higher concurrency (more ops per
//! second) — and that is exactly the figure the report compares between threads and
//! tasks. A slot per op index, written once with a relaxed store, costs the same
//! whatever the model or the concurrency, never allocates inside the window, and its
//! pages are resident before the window starts, so its size is known exactly
//! ([`OpLog::resident_kib`]) and taken off the window's peak RSS. The log is folded into
//! the HDR histogram after the window closes (`cargo bench --bench overhead`).

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::trace::Span;
use crate::metrics::Recorder;

/// Numbers per span slot: worker, start, CPU half's end, end, CPU time.
const SPAN_WORDS: usize = 5;

/// Per-op durations of one run, in nanoseconds, indexed by op number; and for the first
/// [`OpLog::trace_len`] ops, their [`Span`]s (the timeline sample).
#[derive(Debug)]
pub struct OpLog {
    start: u64,
    ns: Box<[AtomicU64]>,
    /// `SPAN_WORDS` slots per sampled op, pre-touched like `ns`.
    spans: Box<[AtomicU64]>,
}

impl OpLog {
    /// A log for the ops `ops`, every slot zero and its pages touched.
    pub fn new(ops: Range<u64>) -> OpLog {
        OpLog::with_trace(ops, 0)
    }

    /// A log for the ops `ops` that also keeps the spans of its first `traced` ops.
    pub fn with_trace(ops: Range<u64>, traced: u64) -> OpLog {
        let len = usize::try_from(ops.end.saturating_sub(ops.start)).unwrap_or(usize::MAX);
        let traced = usize::try_from(traced).unwrap_or(usize::MAX).min(len);
        OpLog {
            start: ops.start,
            ns: touched(len),
            spans: touched(traced * SPAN_WORDS),
        }
    }

    /// The ops this log has a slot for.
    pub fn ops(&self) -> Range<u64> {
        self.start..self.start + self.ns.len() as u64
    }

    /// Records op `i`, which started at `start` and ends now.
    #[inline]
    pub fn record_since(&self, i: u64, start: Instant) {
        // Saturate rather than truncate: a silent wrap would be a wrong figure.
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.record(i, ns);
    }

    /// Records op `i` as taking `ns` nanoseconds (at least 1: 0 marks an empty slot).
    #[inline]
    pub fn record(&self, i: u64, ns: u64) {
        if let Some(slot) = i
            .checked_sub(self.start)
            .and_then(|k| self.ns.get(k as usize))
        {
            slot.store(ns.max(1), Ordering::Relaxed);
        }
    }

    /// How many ops (the first of the log) keep their span.
    pub fn trace_len(&self) -> u64 {
        (self.spans.len() / SPAN_WORDS) as u64
    }

    /// Whether op `i` is in the timeline sample.
    #[inline]
    pub fn traced(&self, i: u64) -> bool {
        i.wrapping_sub(self.start) < self.trace_len()
    }

    /// Records op `i`'s span, and its latency (`end - start`). Outside the sample, only
    /// the latency is kept.
    #[inline]
    pub fn record_span(&self, i: u64, span: Span) {
        self.record(i, span.end.saturating_sub(span.start));
        let k = i.wrapping_sub(self.start) as usize;
        if let Some(slot) = self.spans.get(k * SPAN_WORDS..(k + 1) * SPAN_WORDS) {
            let words: [u64; SPAN_WORDS] = span.into();
            for (s, w) in slot.iter().zip(words) {
                s.store(w, Ordering::Relaxed);
            }
        }
    }

    /// The spans recorded (slots never written are left out), in op order.
    pub fn spans(&self) -> Vec<Span> {
        self.spans
            .chunks_exact(SPAN_WORDS)
            .map(|c| {
                let mut w = [0u64; SPAN_WORDS];
                for (w, s) in w.iter_mut().zip(c) {
                    *w = s.load(Ordering::Relaxed);
                }
                Span::from(w)
            })
            .filter(|s| s.end != 0)
            .collect()
    }

    /// The span slots as plain memory (`SPAN_WORDS` u64 per sampled op: worker, start,
    /// CPU end, end, CPU ns), for a Python memoryview, like [`OpLog::as_mut_ptr`].
    pub fn spans_mut_ptr(&self) -> (*mut u64, usize) {
        (self.spans.as_ptr() as *mut u64, self.spans.len())
    }

    /// The slots as plain memory, for a Python memoryview that writes into them (the
    /// embedded asyncio model). Nothing else may touch the log while it is borrowed.
    pub fn as_mut_ptr(&self) -> (*mut u64, usize) {
        (self.ns.as_ptr() as *mut u64, self.ns.len())
    }

    /// Memory the log holds, KiB (rounded up to whole pages: all of it is resident).
    pub fn resident_kib(&self) -> u64 {
        resident_kib(self.ns.len() as u64) + resident_kib(self.spans.len() as u64)
    }

    /// Folds every recorded op into a histogram; also returns how many slots are empty
    /// (ops that were never recorded).
    pub fn to_recorder(&self) -> (Recorder, u64) {
        let mut r = Recorder::new();
        let mut empty = 0;
        for slot in self.ns.iter() {
            match slot.load(Ordering::Relaxed) {
                0 => empty += 1,
                ns => r.record_ns(ns),
            }
        }
        (r, empty)
    }
}

/// `len` zeroed atomics, built element by element (not zeroed memory from the
/// allocator, which the kernel maps lazily): every page is written now, before the window.
fn touched(len: usize) -> Box<[AtomicU64]> {
    (0..len).map(|_| AtomicU64::new(0)).collect()
}

/// KiB that a pre-touched log of `ops` slots keeps resident (whole 4 KiB pages).
pub fn resident_kib(ops: u64) -> u64 {
    (ops * 8).div_ceil(4096) * 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_per_op_and_folded_after() {
        let log = OpLog::new(10..15);
        assert_eq!(log.ops(), 10..15);
        log.record(10, 5_000);
        log.record(14, 0); // recorded as 1 ns, not as an empty slot
        log.record_since(12, Instant::now());
        log.record(99, 1); // outside the log: ignored
        let (rec, empty) = log.to_recorder();
        assert_eq!(rec.len(), 3);
        assert_eq!(empty, 2);
    }

    #[test]
    fn resident_size_is_whole_pages() {
        assert_eq!(resident_kib(0), 0);
        assert_eq!(resident_kib(1), 4);
        assert_eq!(resident_kib(512), 4);
        assert_eq!(resident_kib(513), 8);
        assert_eq!(OpLog::new(0..1000).resident_kib(), 8);
        // 100 sampled ops: 4000 bytes of spans, one more page.
        assert_eq!(OpLog::with_trace(0..1000, 100).resident_kib(), 12);
    }

    #[test]
    fn only_the_first_ops_keep_their_span() {
        let log = OpLog::with_trace(10..20, 3);
        assert_eq!(log.trace_len(), 3);
        assert!(log.traced(10) && log.traced(12));
        assert!(!log.traced(13) && !log.traced(9));
        let span = |worker, start| Span {
            worker,
            start,
            cpu_end: start + 5,
            end: start + 9,
            cpu: 4,
        };
        log.record_span(11, span(2, 100));
        log.record_span(15, span(1, 200)); // outside the sample: latency only
        assert_eq!(log.spans(), vec![span(2, 100)]);
        let (rec, empty) = log.to_recorder();
        assert_eq!((rec.len(), empty), (2, 8));
    }
}
