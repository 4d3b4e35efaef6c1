//! The speed check: a short, single-threaded run of the cell's kernel right before and
//! right after each measured window, as a ratio to the run's calibration.
//!
//! Calibration happens once per run, but the machine's speed may not hold still (on a
//! shared host the Python kernel has been seen to flip between two speeds for seconds at
//! a time). The check does not correct anything: it records how fast the kernel ran
//! around each window, so a reader can tell a real effect from a slow phase
//! (`docs/noise.md`). It runs outside the window: neither the window's clock nor its
//! rusage samples include it.

use anyhow::{bail, Result};

use crate::model::{CellSpec, Model};
use crate::scenario::Runtime;

/// Microseconds of calibrated work per kernel call of the check; three calls are timed
/// and the median kept, about 15 ms in all.
pub const CALL_US: f64 = 5_000.0;

/// Seed of the check's kernel calls (any fixed value: the checksum is unused).
const SEED: u64 = 7;

/// How fast the cell's kernel runs now, relative to the calibration in `spec`: 1.0 = as
/// calibrated, 0.6 = 40% slower. The kernel is the one that sizes the cell's CPU half
/// (Rust for rust cells and native halves, Python otherwise), timed where the ops run.
pub fn speed_ratio(spec: &CellSpec, model: &mut dyn Model) -> Result<f64> {
    let cal = &spec.calibration;
    let iters = cal.iters_for_us(CALL_US);
    if iters == 0 || cal.iters_per_us <= 0.0 {
        bail!("the calibration has no iterations per µs to compare against");
    }
    let seconds = kernel_seconds(spec, model, SEED, iters)?;
    ratio(
        iters,
        seconds,
        spec.speed_reference.unwrap_or(cal.iters_per_us),
    )
}

/// `iters` in `seconds` as a multiple of `calibrated` iterations per µs.
fn ratio(iters: u64, seconds: f64, calibrated: f64) -> Result<f64> {
    if !(seconds.is_finite() && seconds > 0.0) {
        bail!("the speed check measured {seconds} s for {iters} kernel iterations");
    }
    Ok(iters as f64 / (seconds * 1e6) / calibrated)
}

/// Seconds one call of `iters` kernel iterations takes (median of three), in the
/// runtime whose calibration sizes the cell's CPU half.
pub fn kernel_seconds(
    spec: &CellSpec,
    model: &mut dyn Model,
    seed: u64,
    iters: u64,
) -> Result<f64> {
    // The Rust kernel is the same code in every process of the cell: time it here.
    if crate::python::calibration_runtime(&spec.cell) == Runtime::Rust {
        return Ok(time_rust(seed, iters));
    }
    // The python3 runner and worker processes time the Python kernel where they run it.
    if let Some(seconds) = model.time_kernel(seed, iters)? {
        return Ok(seconds);
    }
    match spec.cell.runtime {
        Runtime::Python => {
            let workloads = match &spec.python_path {
                Some(dir) => dir.clone(),
                None => crate::python::locate_workloads(None)?,
            };
            crate::python::time_kernel(&workloads, seed, iters)
        }
        other => bail!(
            "no speed check for a {} cell run in this process",
            other.as_str()
        ),
    }
}

/// Median of three timed calls of the Rust kernel.
fn time_rust(seed: u64, iters: u64) -> f64 {
    let mut times: Vec<f64> = (0..3)
        .map(|i| {
            let t = std::time::Instant::now();
            crate::workload::kernel(seed + i, iters);
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_compares_the_rate_with_the_calibration() {
        // 1000 iterations in 1 ms = 1 per µs; calibrated at 2 per µs: half speed.
        assert!((ratio(1000, 0.001, 2.0).unwrap() - 0.5).abs() < 1e-12);
        assert!((ratio(2000, 0.001, 2.0).unwrap() - 1.0).abs() < 1e-12);
        assert!(ratio(1000, 0.0, 2.0).is_err());
        assert!(ratio(1000, f64::NAN, 2.0).is_err());
    }

    #[test]
    fn the_rust_kernel_runs_near_its_own_calibration() {
        let cal = crate::workload::calibrate_rust();
        let spec = CellSpec {
            cell: crate::scenario::Cell::sleep_op(
                Runtime::Rust,
                crate::scenario::ModelKind::Sequential,
                10.0,
                0.0,
                1,
            ),
            ops: 1,
            warmup_ops: 0,
            calibration: cal,
            repetition: 0,
            python_path: None,
            io_server: None,
            trace_ops: 0,
            python_exe: None,
            speed_reference: None,
            file_dir: None,
        };
        let mut model = crate::dispatch::build(&spec).unwrap();
        let r = speed_ratio(&spec, model.as_mut()).unwrap();
        // Generous: a direction, not a figure (tests run side by side on 2 cores).
        assert!(r > 0.2 && r < 5.0, "{r}");
    }
}
