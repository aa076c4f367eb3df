//! Optional noise for trend releases: the discrete Laplace (two-sided geometric) mechanism,
//! drawn from a seeded cryptographic generator so that a release can be reproduced exactly
//! from its stored seed.
//!
//! * **Generator.** HMAC-SHA256 keyed with the 256-bit release seed, in counter mode, with a
//!   separate stream per counted cell (the label names the table, the row and the column). The
//!   noise of one cell therefore never depends on the order cells are visited or on other
//!   tables. Without the seed the stream cannot be predicted; with it, anyone can subtract the
//!   noise, so the seed is kept by the service and never shown to the board.
//! * **Sampler.** Exact, with integer arithmetic only (Canonne, Kamath and Steinke, "The
//!   Discrete Gaussian for Differential Privacy", 2020, algorithms 1 and 2): no floating-point
//!   logarithms whose rounding could leak the true count. The parameter `epsilon` is turned into
//!   a fraction `s / 10⁹` rounded down, so the noise realised is never weaker than configured.
//!
//! This module draws numbers; it decides nothing about what to publish and does no I/O (the seed
//! comes from the caller).

use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::domain::phrase::Phrase;

/// The secret seed a noisy release is drawn from. Store it with the release; never publish it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct NoiseSeed([u8; 32]);

impl NoiseSeed {
    /// A seed from 32 bytes (from the operating system's random source, for a new release).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The seed from 64 hexadecimal digits.
    ///
    /// # Errors
    /// If `text` is not exactly 64 hexadecimal digits (the phrase never repeats the text).
    pub fn from_hex(text: &str) -> Result<Self, Phrase> {
        let refused = || Phrase::new("board.problem.seed_hex");
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(text.trim().as_bytes())
            .map_err(|_| refused())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| refused())?;
        Ok(Self(bytes))
    }

    /// The seed as 64 lowercase hexadecimal digits, for storage.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// This seed bound to the digest of the counters a release is drawn from
    /// ([`counters_digest`]): HMAC-SHA256 keyed with the seed. One seed given twice with the same
    /// counters draws the same noise (so repeating a release cannot average it away); with
    /// counters that differ in any way, even by one case, it draws noise independent of the
    /// first, so that subtracting the two releases does not cancel it.
    pub fn bound_to(&self, digest: &[u8; 32]) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        mac.update(BIND);
        mac.update(digest);
        Self(mac.finalize().into_bytes().into())
    }
}

/// Separates binding a seed from drawing with it.
const BIND: &[u8] = b"ombuds/trends/seed-for-counters/v1";

/// A digest of the counters of `period`'s months: SHA-256 of one `key=count` line per counter
/// with a count above zero, in key order (repeated keys added up). Rows of other months, the
/// order of rows and the layout of a file do not change it.
pub fn counters_digest(period: super::Period, counters: &[(super::CounterKey, u64)]) -> [u8; 32] {
    use sha2::Digest as _;
    let mut rows: std::collections::BTreeMap<super::CounterKey, u64> =
        std::collections::BTreeMap::new();
    for &(key, count) in counters {
        if period.contains(key.month()) {
            let entry = rows.entry(key).or_default();
            *entry = entry.saturating_add(count);
        }
    }
    let mut hash = Sha256::new();
    for (key, count) in rows.iter().filter(|(_, c)| **c > 0) {
        hash.update(format!("{key}={count}\n").as_bytes());
    }
    hash.finalize().into()
}

impl fmt::Debug for NoiseSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NoiseSeed(..)")
    }
}

impl Serialize for NoiseSeed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for NoiseSeed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = zeroize::Zeroizing::new(String::deserialize(d)?);
        Self::from_hex(&text)
            .map_err(|_| serde::de::Error::invalid_length(text.len(), &"64 hexadecimal digits"))
    }
}

/// Separates this use of the seed from any other.
const DOMAIN: &[u8] = b"ombuds/trends/noise/v1";

/// A stream of uniform random bits for one cell: HMAC-SHA256(seed, label ‖ block number).
pub(crate) struct CellStream {
    mac: Hmac<Sha256>,
    label: Vec<u8>,
    block: u64,
    buffer: [u8; 32],
    used: usize,
}

impl CellStream {
    /// The stream of the cell named by `parts` (table, row, column).
    pub(crate) fn new(seed: &NoiseSeed, parts: &[&str]) -> Self {
        let mut label = Vec::with_capacity(64);
        for part in std::iter::once(DOMAIN).chain(parts.iter().map(|p| p.as_bytes())) {
            // Length-prefixed, so that no two lists of parts give the same label.
            label.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            label.extend_from_slice(part);
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&seed.0)
            .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
        Self {
            mac,
            label,
            block: 0,
            buffer: [0; 32],
            used: 32,
        }
    }

    fn next_u64(&mut self) -> u64 {
        if self.used + 8 > self.buffer.len() {
            let mut mac = self.mac.clone();
            mac.update(&self.label);
            mac.update(&self.block.to_be_bytes());
            self.buffer = mac.finalize().into_bytes().into();
            self.block += 1;
            self.used = 0;
        }
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.buffer[self.used..self.used + 8]);
        self.used += 8;
        u64::from_be_bytes(word)
    }

    /// A uniform integer in `0..n` (`n > 0`), by rejection: exact, no modulo bias.
    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// True with probability `numerator / denominator` (`numerator ≤ denominator`).
    fn bernoulli(&mut self, numerator: u64, denominator: u64) -> bool {
        self.below(denominator) < numerator
    }

    /// True with probability `exp(-numerator / denominator)`, for `numerator ≤ denominator`
    /// (CKS algorithm 1: the parity of the first failing trial).
    fn bernoulli_exp_minus(&mut self, numerator: u64, denominator: u64) -> bool {
        let mut k: u64 = 1;
        while self.bernoulli(numerator, denominator.saturating_mul(k)) {
            k += 1;
        }
        k % 2 == 1
    }
}

/// The denominator `epsilon` is expressed over.
const SCALE: u64 = 1_000_000_000;

/// The discrete Laplace distribution: `P(z) ∝ exp(-ε·|z|)` over the integers, with
/// `ε = s / 10⁹`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DiscreteLaplace {
    s: u64,
}

impl DiscreteLaplace {
    /// The distribution for `epsilon`, rounded down to a multiple of 10⁻⁹ (so never noisier
    /// in privacy terms than asked); `None` if that leaves nothing.
    pub(crate) fn new(epsilon: f64) -> Option<Self> {
        let scaled = (epsilon * SCALE as f64).floor();
        if !(1.0..=1e15).contains(&scaled) {
            return None;
        }
        // A whole number in range (checked above), so the conversion is exact.
        let s = scaled as u64;
        Some(Self { s })
    }

    /// The `ε` actually used.
    #[cfg(test)]
    pub(crate) fn epsilon(self) -> f64 {
        self.s as f64 / SCALE as f64
    }

    /// One draw (CKS algorithm 2 with `t = 10⁹`).
    pub(crate) fn sample(self, rng: &mut CellStream) -> i64 {
        loop {
            let u = rng.below(SCALE);
            if !rng.bernoulli_exp_minus(u, SCALE) {
                continue;
            }
            let mut v: u64 = 0;
            while rng.bernoulli_exp_minus(1, 1) {
                v += 1;
            }
            // x is geometric: P(x) ∝ exp(-x / 10⁹); y = ⌊x / s⌋ is geometric with
            // P(y) ∝ exp(-y·s / 10⁹).
            let x = u.saturating_add(SCALE.saturating_mul(v));
            let y = i64::try_from(x / self.s).unwrap_or(i64::MAX);
            let negative = rng.below(2) == 1;
            if negative && y == 0 {
                continue;
            }
            return if negative { -y } else { y };
        }
    }
}

/// `count` with noise for one cell added, negative results clamped to 0.
pub(crate) fn noisy(count: u64, mechanism: DiscreteLaplace, rng: &mut CellStream) -> u64 {
    let noise = mechanism.sample(rng);
    let base = i64::try_from(count).unwrap_or(i64::MAX);
    u64::try_from(base.saturating_add(noise)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(byte: u8) -> NoiseSeed {
        NoiseSeed::from_bytes([byte; 32])
    }

    #[test]
    fn streams_are_reproducible_and_separate() {
        let draw = |seed: &NoiseSeed, parts: &[&str]| {
            let mut rng = CellStream::new(seed, parts);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(&seed(1), &["a", "b"]), draw(&seed(1), &["a", "b"]));
        assert_ne!(draw(&seed(1), &["a", "b"]), draw(&seed(2), &["a", "b"]));
        assert_ne!(draw(&seed(1), &["a", "b"]), draw(&seed(1), &["ab", ""]));
    }

    #[test]
    fn discrete_laplace_has_the_right_shape() {
        let epsilon = 0.5;
        let mechanism = DiscreteLaplace::new(epsilon).unwrap();
        assert!((mechanism.epsilon() - epsilon).abs() < 1e-9);
        let mut rng = CellStream::new(&seed(7), &["test"]);
        let n = 40_000;
        let draws: Vec<i64> = (0..n).map(|_| mechanism.sample(&mut rng)).collect();
        let alpha = (-epsilon).exp();
        let p0 = (1.0 - alpha) / (1.0 + alpha);
        let share = |z: i64| draws.iter().filter(|&&d| d == z).count() as f64 / n as f64;
        assert!((share(0) - p0).abs() < 0.01, "P(0) {} vs {p0}", share(0));
        assert!((share(1) - p0 * alpha).abs() < 0.01);
        assert!((share(-3) - p0 * alpha.powi(3)).abs() < 0.01);
        let mean = draws.iter().sum::<i64>() as f64 / n as f64;
        assert!(mean.abs() < 0.1, "mean {mean}");
        // Variance 2α/(1-α)².
        let variance = draws.iter().map(|&d| (d as f64).powi(2)).sum::<f64>() / n as f64;
        let expected = 2.0 * alpha / (1.0 - alpha).powi(2);
        assert!(
            (variance / expected - 1.0).abs() < 0.1,
            "{variance} vs {expected}"
        );
    }

    #[test]
    fn noisy_counts_are_never_negative() {
        let mechanism = DiscreteLaplace::new(0.01).unwrap();
        let mut rng = CellStream::new(&seed(3), &["clamp"]);
        let counts: Vec<u64> = (0..200).map(|_| noisy(0, mechanism, &mut rng)).collect();
        assert!(counts.contains(&0));
        assert!(counts.iter().any(|&c| c > 0));
    }

    #[test]
    fn tiny_epsilons_are_refused_and_rounding_goes_down() {
        assert_eq!(DiscreteLaplace::new(1e-10), None);
        assert_eq!(DiscreteLaplace::new(0.0), None);
        assert_eq!(DiscreteLaplace::new(f64::NAN), None);
        assert!(DiscreteLaplace::new(1.0 / 3.0).unwrap().epsilon() <= 1.0 / 3.0);
    }

    #[test]
    fn a_bound_seed_depends_on_the_counters() {
        let s = seed(4);
        let a = s.bound_to(&[1; 32]);
        assert_eq!(a, s.bound_to(&[1; 32]));
        assert_ne!(a, s.bound_to(&[2; 32]));
        assert_ne!(a, seed(5).bound_to(&[1; 32]));
        assert_ne!(a, s);
    }

    #[test]
    fn seeds_round_trip_as_hex_and_hide_in_debug() {
        let s = seed(0xab);
        assert_eq!(NoiseSeed::from_hex(&s.to_hex()).unwrap(), s);
        assert!(NoiseSeed::from_hex("abc").is_err());
        assert_eq!(format!("{s:?}"), "NoiseSeed(..)");
    }
}
