//! GIL costs in the embedded interpreter (feature `python`): detach + re-attach from a
//! thread that stays attached, attach from a thread that is not, and a Python call of
//! the native no-op helper holding the GIL vs releasing it — the difference between the
//! last two is what releasing the GIL costs per call. The code is `spectrum::probe`'s.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use spectrum::probe::{gil_ops, GilPath};

fn gil(c: &mut Criterion) {
    let mut group = c.benchmark_group("gil");
    // Tens to hundreds of nanoseconds each: two seconds is millions of operations.
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for path in GilPath::ALL {
        group.bench_function(path.label(), |b| {
            b.iter_custom(|n| {
                gil_ops(path, n).unwrap_or_else(|e| panic!("gil/{} failed: {e}", path.label()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gil);
criterion_main!(benches);
