//! Each demo's page on synthetic results of its own scenario, for both outcomes of its
//! verdict: the figures are invented (a test cannot run a minute of measuring), the
//! cells and the rendering path are the real ones — a results file whose scenario is a
//! demo's becomes that demo's `index.html`, with the full report as `full.html`.

use std::path::Path;

use spectrum::demo;
use spectrum::metrics::{LatencySummary, Measurement, Span, Summary, Timeline};
use spectrum::report::write_report;
use spectrum::results::{read_results, CellResult, CellStatus, Results};
use spectrum::scenario::{Cell, Gil, Impl, ModelKind, Runtime};

/// How the made-up machine behaves: throughput and memory of a cell.
struct Machine {
    /// Ops/s as a share of the cell's ideal bound.
    share: fn(&Cell) -> f64,
    /// Peak RSS, KiB.
    rss: fn(&Cell) -> u64,
    /// Median latency per op, µs.
    p50: fn(&Cell) -> f64,
}

/// The nominal op length as every op's latency.
fn nominal(c: &Cell) -> f64 {
    c.op_time_us
}

/// The fixture's environment with `demo`'s cells, measured on `machine`.
fn results_of(demo: &demo::Demo, machine: &Machine) -> Results {
    let plan = demo.plan().expect("the demo's scenario parses");
    let mut r = read_results(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fixture-results.json"
    )))
    .expect("fixture reads");
    r.scenario.name = plan.name.clone();
    r.scenario.text = plan.text.clone();
    let cores = r.environment.available_cores.max(1);
    r.cells = plan
        .cells
        .iter()
        .map(|c| synthetic(c, cores, machine))
        .collect();
    r
}

/// A timeline of two workers whose CPU halves each spend `ready` of their wall time
/// ready but not running.
fn timeline(cell: &Cell, ready: f64) -> Timeline {
    let op = (cell.op_time_us * 1e3) as u64;
    let wall = (op as f64 / (1.0 - ready)) as u64;
    let spans = (0..20)
        .map(|i| Span {
            worker: (i % 2) as u32,
            start: (i / 2) * wall,
            cpu_end: (i / 2) * wall + wall,
            end: (i / 2) * wall + wall,
            cpu: op,
        })
        .collect();
    Timeline {
        sampled: 20,
        workers: 2,
        window_ns: 20 * wall,
        spans,
    }
}

fn synthetic(cell: &Cell, cores: usize, machine: &Machine) -> CellResult {
    let ideal = cell.ideal_ops_per_s(cores);
    let share = (machine.share)(cell);
    let reps: Vec<Measurement> = [0.98, 1.0, 1.02]
        .iter()
        .enumerate()
        .map(|(k, jitter)| {
            let ops_per_s = ideal * share * jitter;
            let mut m = Measurement {
                ops: 100,
                wall_s: 100.0 / ops_per_s,
                ops_per_s,
                latency_us: LatencySummary {
                    count: 100,
                    mean: (machine.p50)(cell),
                    min: cell.op_time_us,
                    p50: (machine.p50)(cell),
                    p90: cell.op_time_us,
                    p99: cell.op_time_us,
                    p999: cell.op_time_us,
                    max: cell.op_time_us,
                },
                ..Measurement::default()
            };
            m.rusage.max_rss_kib = (machine.rss)(cell) + k as u64;
            if k == 0 && cell.cpu_us > 0.0 && cell.concurrency == 2 {
                // Python threads on pure Python wait half the time on a GIL machine.
                let gil = cell.runtime == Runtime::Python
                    && cell.model == ModelKind::Thread
                    && cell.cpu_impl != Some(Impl::Native);
                let ready = if gil && share < 0.6 { 0.5 } else { 0.02 };
                m.timeline = Some(timeline(cell, ready));
            }
            m
        })
        .collect();
    CellResult {
        id: cell.id(),
        label: cell.model_label(),
        cell: cell.clone(),
        status: CellStatus::Ok,
        error: None,
        summary: Summary::of(&reps, cell, cores),
        repetitions: reps,
    }
}

/// Renders `results` as a demo would be and returns (index.html, full.html).
fn pages(results: &Results) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let written = write_report(std::slice::from_ref(results), None, dir.path()).unwrap();
    assert_eq!(written.page, dir.path().join("index.html"));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    (read("index.html"), read("full.html"))
}

/// The verdict box of `claim` on a demo page: its CSS class.
fn verdict_class<'a>(page: &'a str, title: &str) -> &'a str {
    let at = page
        .find(&format!("<h3>{title}:"))
        .unwrap_or_else(|| panic!("no verdict {title}"));
    let div = page[..at].rfind("<div class=\"verdict ").unwrap();
    let rest = &page[div + 20..];
    &rest[..rest.find('"').unwrap()]
}

/// Python threads on pure CPU: half the ideal (no speed-up at N = 2) on a GIL machine,
/// full speed where the GIL does not bind.
fn gil_share(gil_binds: bool) -> fn(&Cell) -> f64 {
    fn binds(c: &Cell) -> f64 {
        let python_code = c.runtime.is_python() && c.cpu_impl != Some(Impl::Native);
        let held = c.cpu_impl == Some(Impl::Native) && c.gil == Some(Gil::Held);
        match c.model {
            ModelKind::Thread if python_code || held => 0.5,
            _ => 0.95,
        }
    }
    fn free(c: &Cell) -> f64 {
        if c.model == ModelKind::Sequential {
            0.95
        } else {
            0.95 - 0.01 * f64::from(u8::from(c.runtime == Runtime::Rust))
        }
    }
    if gil_binds {
        binds
    } else {
        free
    }
}

#[test]
fn the_gil_demo_shows_threads_taking_turns_and_says_when_they_do_not() {
    let d = demo::find("gil").unwrap();
    let flat = |_: &Cell| 50_000;
    let (page, full) = pages(&results_of(
        d,
        &Machine {
            share: gil_share(true),
            rss: flat,
            p50: nominal,
        },
    ));
    assert!(
        full.contains("id=\"at-a-glance\""),
        "full.html is the full report"
    );
    assert!(page.contains("spectrum demo: gil"));
    assert_eq!(verdict_class(&page, "Claim 1"), "agrees", "GIL machine");
    assert!(
        page.contains("50% ready, not running"),
        "the threads' timeline"
    );
    assert!(
        page.contains("computing (thread CPU time)"),
        "the timeline's legend"
    );
    assert!(page.contains("spectrum run gil"), "try this next");

    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: gil_share(false),
            rss: flat,
            p50: nominal,
        },
    ));
    // Threads scale (disagrees) while processes still do (agrees): partly.
    assert_eq!(verdict_class(&page, "Claim 1"), "mixed", "no GIL");
    assert!(page.contains("a speed-up the GIL should prevent"));
    assert!(
        page.contains("2% ready, not running"),
        "threads ran side by side"
    );
}

#[test]
fn the_memory_demo_fits_units_and_judges_threads_against_tasks() {
    let d = demo::find("memory").unwrap();
    fn kib_per_unit(c: &Cell, thread: u64, task: u64) -> u64 {
        let per = match c.model {
            ModelKind::Thread => thread,
            ModelKind::Async => task,
            _ => 4_000,
        };
        20_000 + per * u64::from(c.concurrency)
    }
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: |_| 0.9,
            rss: |c| kib_per_unit(c, 20, 1),
            p50: nominal,
        },
    ));
    assert_eq!(
        verdict_class(&page, "Claim 3"),
        "agrees",
        "tasks are cheaper"
    );
    assert!(page.contains("20.0 KiB per unit"), "the thread slope");
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: |_| 0.9,
            rss: |c| kib_per_unit(c, 1, 20),
            p50: nominal,
        },
    ));
    assert_eq!(
        verdict_class(&page, "Claim 3"),
        "disagrees",
        "tasks cost more"
    );
}

#[test]
fn the_spectrum_demo_names_the_winners_at_each_end() {
    let d = demo::find("spectrum").unwrap();
    // Processes best at pure CPU in Python; every model tied at pure I/O.
    fn guide(c: &Cell) -> f64 {
        match (c.model, c.io_fraction == 1.0) {
            (_, true) => 0.95,
            (ModelKind::Process, false) => 0.95,
            (ModelKind::Thread, false) if c.runtime.is_python() => 0.5,
            (ModelKind::Sequential, false) => 0.5,
            _ => 0.9,
        }
    }
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: guide,
            rss: |_| 50_000,
            p50: nominal,
        },
    ));
    assert!(page.contains("The guide&#39;s line"), "the line's verdict");
    assert!(
        page.contains("0% I/O: processes"),
        "Python's CPU end: {page}"
    );
    assert!(page.contains("Timelines") || page.contains("worker 0"));
}

#[test]
fn a_run_of_another_scenario_keeps_the_full_report_as_its_page() {
    let d = demo::find("gil").unwrap();
    let mut r = results_of(
        d,
        &Machine {
            share: gil_share(true),
            rss: |_| 1,
            p50: nominal,
        },
    );
    r.scenario.name = "my-gil".into();
    let dir = tempfile::tempdir().unwrap();
    write_report(std::slice::from_ref(&r), None, dir.path()).unwrap();
    assert!(!dir.path().join("full.html").exists());
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(page.contains("id=\"at-a-glance\""));
}

#[test]
fn the_flush_demo_says_whether_a_sync_waits_for_the_device() {
    use spectrum::scenario::FileSync;
    let d = demo::find("flush").unwrap();
    fn disk(c: &Cell) -> f64 {
        match c.file_sync {
            Some(FileSync::None | FileSync::Flush) | None => 2.0,
            Some(_) => 100.0,
        }
    }
    fn ram(c: &Cell) -> f64 {
        match c.file_sync {
            Some(FileSync::None | FileSync::Flush) | None => 2.0,
            Some(_) => 2.2,
        }
    }
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: |_| 0.9,
            rss: |_| 1,
            p50: disk,
        },
    ));
    assert_eq!(verdict_class(&page, "Claim 7"), "agrees", "a disk");
    assert!(
        page.contains("2.00 µs → 100 µs per 4 KiB write"),
        "the first number"
    );
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: |_| 0.9,
            rss: |_| 1,
            p50: ram,
        },
    ));
    assert_eq!(verdict_class(&page, "Claim 7"), "disagrees", "tmpfs");
}

#[test]
fn the_convoy_demo_says_whether_a_cpu_thread_starves_the_io_thread() {
    use spectrum::scenario::BackgroundModel;
    let d = demo::find("convoy").unwrap();
    // With a GIL: beside a CPU-bound thread, one request per switch interval.
    fn convoy(c: &Cell) -> f64 {
        c.op_time_us / convoy_us(c)
    }
    fn convoy_us(c: &Cell) -> f64 {
        match c.background {
            Some(b) if b.model == BackgroundModel::Thread => {
                c.op_time_us / 0.3 + c.switch_interval_us.unwrap_or(5_000.0)
            }
            _ => c.op_time_us / 0.3,
        }
    }
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: convoy,
            rss: |_| 1,
            p50: convoy_us,
        },
    ));
    assert_eq!(verdict_class(&page, "Claim 6"), "agrees", "a convoy");
    assert!(page.contains("6000 → 194 requests/s"), "the first number");
    // No convoy: the I/O thread keeps its pace whatever runs beside it.
    let (page, _) = pages(&results_of(
        d,
        &Machine {
            share: |_| 0.3,
            rss: |_| 1,
            p50: |c| c.op_time_us / 0.3,
        },
    ));
    assert_eq!(verdict_class(&page, "Claim 6"), "disagrees", "no convoy");
}

#[test]
fn the_offload_demo_says_whether_inline_cpu_stalls_the_io_tasks_and_a_pool_fixes_it() {
    use spectrum::scenario::AsyncCpu;
    let d = demo::find("offload").unwrap();
    // The median round trip: 300 µs alone; `inline`, `offload` and `pool` beside the
    // CPU-heavy tasks as each machine says.
    fn round_trip(c: &Cell, inline: f64, offload: f64, pool: f64) -> f64 {
        match (c.background, c.async_cpu) {
            (None, _) => 300.0,
            (Some(_), Some(AsyncCpu::Offload)) => offload,
            (Some(_), Some(AsyncCpu::Pool)) => pool,
            (Some(_), _) => inline,
        }
    }
    let machine = |p50: fn(&Cell) -> f64| Machine {
        share: |_| 0.5,
        rss: |_| 1,
        p50,
    };
    // The claim: inline stalls, both pools fix it.
    let (page, _) = pages(&results_of(
        d,
        &machine(|c| round_trip(c, 3000.0, 320.0, 330.0)),
    ));
    assert_eq!(verdict_class(&page, "Claim 5"), "agrees", "stall and fix");
    assert!(
        page.contains("300 µs alone → 3000 µs inline (in the task) → 320 µs spawn_blocking → 330 µs rayon&#39;s pool")
            || page.contains("300 µs alone → 3000 µs inline (in the task) → 320 µs spawn_blocking → 330 µs rayon's pool"),
        "the first number"
    );
    // A runtime that preempts: no stall, and the pools only add their hop.
    let (page, _) = pages(&results_of(
        d,
        &machine(|c| round_trip(c, 310.0, 3000.0, 3000.0)),
    ));
    assert_eq!(verdict_class(&page, "Claim 5"), "disagrees", "no stall");
    // Python's to_thread still needs the GIL: the loop waits, the process pool fixes it.
    let (page, _) = pages(&results_of(
        d,
        &machine(|c| {
            if c.runtime.is_python() && c.async_cpu == Some(AsyncCpu::Offload) {
                round_trip(c, 3000.0, 3000.0, 330.0)
            } else {
                round_trip(c, 3000.0, 320.0, 330.0)
            }
        }),
    ));
    assert_eq!(
        verdict_class(&page, "Claim 5"),
        "mixed",
        "to_thread and the GIL"
    );
    assert!(
        page.contains("still needs the GIL"),
        "the failed finding says why"
    );
}

#[test]
fn the_race_demo_counts_lost_updates_and_judges_the_race_and_the_fixes() {
    use spectrum::metrics::CounterTally;
    use spectrum::scenario::Counter;
    let d = demo::find("race").unwrap();
    /// Every repetition of every counting cell made 100 000 increments and lost
    /// `lost(cell)` of them.
    fn counted(d: &demo::Demo, lost: fn(&Cell) -> u64) -> Results {
        let mut r = results_of(
            d,
            &Machine {
                share: |_| 0.9,
                rss: |_| 1,
                p50: nominal,
            },
        );
        for c in &mut r.cells {
            for m in &mut c.repetitions {
                m.counter = Some(CounterTally {
                    increments: 100_000,
                    counted: 100_000 - lost(&c.cell),
                });
            }
        }
        r
    }
    // This machine: two threads racing lose updates, except Python 3.10+'s bare +=;
    // one thread and the fixes lose none.
    fn racing(c: &Cell) -> u64 {
        let racy = matches!(c.counter, Some(Counter::Racy | Counter::RacyCall));
        let bare_plus = c.runtime == Runtime::Python && c.counter == Some(Counter::Racy);
        if c.model == ModelKind::Thread && racy && !bare_plus {
            30_000
        } else {
            0
        }
    }
    let (page, _) = pages(&counted(d, racing));
    assert!(page.contains("spectrum demo: race"));
    assert_eq!(verdict_class(&page, "Claim 8"), "agrees", "the race loses");
    assert_eq!(
        verdict_class(&page, "Claim 9"),
        "agrees",
        "the fixes do not"
    );
    assert!(
        page.contains("30\u{202f}000 of 100\u{202f}000 increments lost (30.0%)"),
        "the first number"
    );
    assert!(page.contains("0 updates lost with a fix"));
    assert!(page.contains("<svg"), "the bar chart");
    assert!(page.contains("none lost in this run, which does not make it atomic"));

    // A machine where nothing races (one core, say) and a fix is broken.
    fn broken(c: &Cell) -> u64 {
        u64::from(c.counter.is_some_and(Counter::is_synchronised)) * 5
    }
    let (page, _) = pages(&counted(d, broken));
    assert_eq!(
        verdict_class(&page, "Claim 8"),
        "inconclusive",
        "no race seen"
    );
    assert_eq!(
        verdict_class(&page, "Claim 9"),
        "disagrees",
        "a fix lost updates"
    );
    assert!(page.contains("proves no atomicity"));
}
