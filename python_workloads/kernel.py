"""The CPU kernel: an xorshift64 integer-mixing loop returning a checksum.

The twin of ``src/workload/kernel.rs``: per iteration one xorshift64 step (13, 7, 17) of
the state, then ``state ^ i`` is added to the accumulator, modulo 2**64. A zero seed is
replaced by a fixed odd constant because xorshift's state must never be zero. Both
implementations reproduce ``kernel_vectors.json``.
"""

MASK = 0xFFFFFFFFFFFFFFFF
ZERO_SEED = 0x9E3779B97F4A7C15


def kernel(seed, iters):
    """Runs ``iters`` iterations from ``seed`` (0 <= seed < 2**64); returns the checksum."""
    x = seed or ZERO_SEED
    acc = 0
    # Locals and a bare loop: this is the bytecode the calibration times. The left
    # shifts are masked so the state stays 64-bit; the accumulator is masked once at the
    # end (addition commutes with reduction modulo 2**64), which saves one op per step.
    mask = MASK
    for i in range(iters):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
        acc += x ^ i
    return acc & mask


def wrapping_add(a, b):
    """``a + b`` modulo 2**64, like Rust's ``u64::wrapping_add``."""
    return (a + b) & MASK
