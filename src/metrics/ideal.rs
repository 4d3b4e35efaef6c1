//! The ideal throughput bound every efficiency figure is measured against.

/// Logical cores this process may run on (`std::thread::available_parallelism`).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `min(cores / cpu_s, N / (cpu_s + io_s))` in ops/s: no model can beat the cores on the
/// CPU half, nor N workers each doing one op at a time. A pure-I/O op has no CPU bound;
/// an empty op has no bound at all (`f64::INFINITY`).
pub fn ideal_ops_per_s(cpu_us: f64, io_us: f64, concurrency: u32, cores: usize) -> f64 {
    let cpu_s = cpu_us.max(0.0) / 1e6;
    let op_s = cpu_s + io_us.max(0.0) / 1e6;
    let cpu_bound = if cpu_s > 0.0 {
        cores as f64 / cpu_s
    } else {
        f64::INFINITY
    };
    let worker_bound = if op_s > 0.0 {
        f64::from(concurrency) / op_s
    } else {
        f64::INFINITY
    };
    cpu_bound.min(worker_bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_cpu_is_bound_by_the_cores() {
        // 1 ms ops, 2 cores, 8 workers: 2000 ops/s, not 8000.
        assert_eq!(ideal_ops_per_s(1000.0, 0.0, 8, 2), 2000.0);
        // One worker cannot use the second core.
        assert_eq!(ideal_ops_per_s(1000.0, 0.0, 1, 2), 1000.0);
    }

    #[test]
    fn pure_io_is_bound_by_the_workers() {
        assert_eq!(ideal_ops_per_s(0.0, 10_000.0, 1000, 2), 100_000.0);
    }

    #[test]
    fn mixed_takes_the_lower_bound() {
        // 0.5 ms CPU + 0.5 ms I/O, 4 workers: workers allow 4000/s, cores 4000/s.
        assert_eq!(ideal_ops_per_s(500.0, 500.0, 4, 2), 4000.0);
        assert_eq!(ideal_ops_per_s(500.0, 500.0, 2, 2), 2000.0);
    }
}
