//! A fixed pseudo-random sequence for unit tests (Knuth's MMIX linear congruential
//! generator): the same numbers on every run and machine, no dependency.

/// Numbers in [0, 1) from `seed`, 53 bits each.
pub(crate) fn unit_sequence(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}
