//! The CPU kernel: an xorshift64 integer-mixing loop that returns a checksum.
//!
//! The algorithm is chosen to be cheap per iteration, impossible to shortcut (each step
//! depends on the last) and easy to write identically in Python with a 64-bit mask.

use std::hint::black_box;

/// Runs `iters` iterations of the mixing loop from `seed` and returns the checksum.
///
/// Per iteration: one xorshift64 step (13, 7, 17) of the state, then the state xor the
/// iteration index is added (wrapping) to the accumulator. A zero seed is replaced by a
/// fixed odd constant because xorshift's state must never be zero.
pub fn kernel(seed: u64, iters: u64) -> u64 {
    // black_box on the inputs: the optimizer must not precompute a call whose
    // arguments are constants (benches and calibration call it that way).
    let mut x = black_box(if seed == 0 {
        0x9E37_79B9_7F4A_7C15
    } else {
        seed
    });
    let iters = black_box(iters);
    let mut acc: u64 = 0;
    for i in 0..iters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc = acc.wrapping_add(x ^ i);
    }
    black_box(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_iterations_give_zero() {
        assert_eq!(kernel(1, 0), 0);
    }

    #[test]
    fn deterministic_and_seed_sensitive() {
        assert_eq!(kernel(42, 1000), kernel(42, 1000));
        assert_ne!(kernel(42, 1000), kernel(43, 1000));
        assert_ne!(kernel(0, 10), kernel(1, 10));
    }
}
