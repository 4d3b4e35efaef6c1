//! `--export-trace`: the per-op timelines as Chrome trace-event JSON, which Perfetto
//! (ui.perfetto.dev) and `chrome://tracing` open.
//!
//! One process per cell (named by its id), one thread per worker (its lane), and for
//! every sampled op up to three complete (`"ph": "X"`) slices on that thread:
//! *computing* (the CPU half's CPU time), *ready, not running* (the rest of the CPU
//! half: the GIL, or no free core) and *waiting on I/O* (the I/O half). Within a CPU half
//! the order of computing and waiting is not recorded, only their totals: the slices put
//! the computing first. Times are µs from the start of the cell's window.

use anyhow::Result;
use serde_json::{json, Value};

use super::{Exporter, Input};
use crate::metrics::Timeline;

/// Writes every timeline of the given results as one trace.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceExporter;

/// Slice names (the three states of a span), shared with the report's timeline chart.
pub const STATES: [&str; 3] = ["computing", "ready, not running", "waiting on I/O"];

impl Exporter for TraceExporter {
    fn serialize(&self, input: &Input) -> Result<Vec<u8>> {
        let mut events = Vec::new();
        for (k, sc) in input.merged.cells.iter().enumerate() {
            let Some(timeline) = sc
                .result
                .repetitions
                .iter()
                .find_map(|m| m.timeline.as_ref())
            else {
                continue;
            };
            cell_events(
                &mut events,
                k as u64 + 1,
                &input.merged.display_id(sc),
                timeline,
            );
        }
        anyhow::ensure!(
            !events.is_empty(),
            "these results hold no timeline (the scenario's `timeline` was 0, or they were \
             written before spectrum recorded timelines); run again to get one"
        );
        let doc = json!({ "traceEvents": events, "displayTimeUnit": "ms" });
        Ok(serde_json::to_vec(&doc)?)
    }
}

/// µs from ns, as the trace format wants (fractions allowed).
fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// The events of one cell's timeline: its process and thread names, then the slices.
fn cell_events(events: &mut Vec<Value>, pid: u64, name: &str, t: &Timeline) {
    events.push(
        json!({"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                       "args": {"name": name}}),
    );
    for w in 0..t.workers {
        events.push(
            json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": w,
                           "args": {"name": format!("worker {w}")}}),
        );
    }
    for s in &t.spans {
        let pieces = [
            (s.start, s.computing()),
            (s.start + s.computing(), s.ready()),
            (s.cpu_end, s.io()),
        ];
        for (state, (at, dur)) in STATES.iter().zip(pieces) {
            if dur == 0 {
                continue;
            }
            events.push(json!({"ph": "X", "name": state, "cat": "op", "pid": pid,
                               "tid": s.worker, "ts": us(at), "dur": us(dur)}));
        }
    }
}
