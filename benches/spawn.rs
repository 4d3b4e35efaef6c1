//! Spawn cost: a thread (spawn + join), a tokio task (spawn + await, one worker and a
//! multi-thread runtime), a process (the `spectrum` binary re-executed as `spectrum
//! --version`: clap prints the version and exits, so it is spawn + exec + load + exit +
//! wait with no work), a `process`-model worker until it says `ready` (Rust; embedded
//! Python: interpreter up and workloads imported), and a plain `python3` until its first
//! line. The spawners are `spectrum::probe::Spawner`, shared with `spectrum` itself; the
//! worker benches start workers with the process model's own code.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode};
use spectrum::probe::{ReadyWhen, Spawner};
use spectrum::scenario::Runtime;

/// The binary under test, built by cargo for this bench.
const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

/// Times `spawner`, set up on first use so a filtered-out bench costs nothing.
fn bench(group: &mut BenchmarkGroup<'_, WallTime>, id: &str, make: impl Fn() -> Spawner) {
    let mut spawner = None;
    group.bench_function(id, |b| {
        let s = spawner.get_or_insert_with(&make);
        b.iter_custom(|n| {
            s.spawns(n)
                .unwrap_or_else(|e| panic!("spawn/{id} failed: {e}"))
        })
    });
}

fn cheap(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    // 0.1-50 µs each: two seconds is tens of thousands of spawns.
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    bench(&mut group, "thread", Spawner::thread);
    bench(&mut group, "task_same_worker", || {
        Spawner::task(false).expect("could not build a tokio runtime")
    });
    bench(&mut group, "task_multi_thread", || {
        Spawner::task(true).expect("could not build a tokio runtime")
    });
    group.finish();
}

fn processes(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    // Milliseconds each: criterion's default 100 samples on a growing ramp would need
    // thousands of spawns; flat sampling with few samples keeps each bench to seconds.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    bench(&mut group, "process", || {
        Spawner::process(EXE, &["--version"], ReadyWhen::Exit)
    });
    bench(&mut group, "worker_rust", || {
        Spawner::worker(Runtime::Rust, EXE, None)
    });
    group.finish();
}

fn pythons(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn");
    // Tens of milliseconds each: the minimum of ten flat samples.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    // The plain interpreter of the `cpython` runtime: up to the first line it prints.
    let python3 = spectrum::python::interpreter();
    bench(&mut group, "python3", || {
        Spawner::process(
            &python3,
            &[
                "-c",
                "print('ready', flush=True); import sys; sys.stdin.read()",
            ],
            ReadyWhen::FirstLine,
        )
    });
    #[cfg(feature = "python")]
    match spectrum::python::locate_workloads(None) {
        Ok(dir) => bench(&mut group, "worker_python", || {
            Spawner::worker(Runtime::Python, EXE, Some(dir.clone()))
        }),
        Err(e) => eprintln!("spawn/worker_python skipped: {e:#}"),
    }
    group.finish();
}

criterion_group!(benches, cheap, processes, pythons);
criterion_main!(benches);
