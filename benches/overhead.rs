//! Measurement overhead: the per-op recording path inside the measured window (clock
//! reads + log push, as the native models run it), the fold of the log into the HDR
//! histogram (also inside the window: `Model::run` merges each worker's log as the
//! worker finishes), and recording straight into the histogram.
//!
//! Each must stay far below `spectrum::probe::OVERHEAD_BUDGET` (1%) of the smallest op a
//! scenario allows (`spectrum::probe::smallest_op()`, the `op_time` floor of 50 µs: 500 ns).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use spectrum::probe::{record_ops, RecordingPath};

fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("overhead");
    // Tens of nanoseconds per op: one second is hundreds of millions of ops.
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1));
    for path in RecordingPath::ALL {
        group.bench_function(path.label(), |b| b.iter_custom(|ops| record_ops(path, ops)));
    }
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
