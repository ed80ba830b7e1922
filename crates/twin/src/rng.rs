//! Counter-based randomness: every draw is a pure function of (seed, stream, index,
//! day), so results do not depend on thread count or evaluation order.
//!
//! The mixer is SplitMix64 (Steele, Lea & Flood 2014, OOPSLA "Fast splittable
//! pseudorandom number generators"). Set-up draws that are naturally sequential use
//! ChaCha8 seeded from the same hash.

/// Stream identifiers, so different purposes never share draws.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    /// Motor-unit set-up (sizes, centres).
    UnitSetup = 1,
    /// Fibre placement.
    FibreSetup = 2,
    /// Choice of injured axons.
    InjuredAxons = 3,
    /// Axon speeds and fates.
    AxonFate = 4,
    /// Fibre death thresholds.
    FibreDeath = 5,
    /// Daily capture (sprouting, reinnervation) draws.
    Capture = 6,
    /// Choice of adopting unit.
    Adopter = 7,
    /// Neurapraxia recovery times.
    Block = 8,
    /// Between-patient parameter draws ([`crate::patient`]).
    Patient = 9,
    /// Per-axon delay crossing suture lines ([`crate::regrowth`]).
    SutureCrossing = 10,
    /// A patient's myelinated axon count of a donor or recipient nerve ([`crate::nerve_counts`]).
    NerveCount = 11,
}

#[inline]
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit hash of (seed, stream, index, day).
#[inline]
pub fn hash(seed: u64, stream: Stream, index: u64, day: u64) -> u64 {
    let a = splitmix(seed ^ (stream as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let b = splitmix(a ^ index);
    splitmix(b ^ day.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7))
}

/// A uniform number in \[0, 1).
#[inline]
pub fn uniform(seed: u64, stream: Stream, index: u64, day: u64) -> f64 {
    (hash(seed, stream, index, day) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal number (Box–Muller on two counter draws).
pub fn normal(seed: u64, stream: Stream, index: u64, day: u64) -> f64 {
    let u1 = uniform(seed, stream, index, day.wrapping_mul(2).wrapping_add(1)).max(1e-300);
    let u2 = uniform(seed, stream, index, day.wrapping_mul(2).wrapping_add(2));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A stable index for a draw keyed by a name (FNV-1a 64 of its bytes; Fowler, Noll & Vo),
/// so that draws keyed by name do not move when another name is added or removed.
pub fn name_index(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// Seed of draw `index` of a cohort whose case seed is `seed`.
pub fn draw_seed(seed: u64, index: u64) -> u64 {
    splitmix(splitmix(seed) ^ splitmix(index.wrapping_add(0x5851_F42D_4C95_7F2D)))
}
