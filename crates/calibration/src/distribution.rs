//! Numbers that vary across a population: fixed values and distributions.
//!
//! The calibration format lets any number of a population experiment be written as a
//! distribution: a truncated normal `{ mean, sd, min, max }`, a uniform `{ uniform = [a, b] }`
//! or a weighted choice `{ choices = [..], weights = [..] }` (also for categorical values such
//! as the injury grade). A draw comes from a caller-supplied random generator, so that each
//! population member can be given its own generator derived from the experiment seed and the
//! member's index: the draws then do not depend on the order or the thread they run on.
//!
//! The truncated normal is sampled by inverting its cumulative distribution (no rejection
//! loop, so a truncation far in a tail costs the same as any other), working on the upper tail
//! above the mean so that far-tail probabilities keep their precision. The normal CDF uses
//! `erfc` from `libm`; its inverse is Acklam's rational approximation refined by one Halley
//! step (relative error below 1e-12 in the double range).
//!
//! A single (non-population) experiment is run at the central value of each distribution:
//! the truncated normal's mean (clamped into its bounds), the uniform's midpoint, and the
//! choice with the largest weight (the first one on a tie).

use rand::Rng;

/// A number that is either given or drawn from a distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Numeric {
    /// A fixed value.
    Fixed(f64),
    /// A normal distribution truncated to `[min, max]` (either bound may be infinite).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal (≥ 0).
        sd: f64,
        /// Lower truncation bound (`-inf` if absent).
        min: f64,
        /// Upper truncation bound (`+inf` if absent).
        max: f64,
    },
    /// A uniform distribution on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// One of a list of numbers, with weights.
    Choices(Choices<f64>),
}

/// A categorical value that is either given or drawn from weighted choices.
#[derive(Debug, Clone, PartialEq)]
pub enum Categorical<T> {
    /// A fixed value.
    Fixed(T),
    /// One of a list of values, with weights.
    Choices(Choices<T>),
}

/// Weighted choices among a list of options (weights are non-negative with a positive sum).
#[derive(Debug, Clone, PartialEq)]
pub struct Choices<T> {
    options: Vec<T>,
    weights: Vec<f64>,
}

impl<T: Clone> Choices<T> {
    /// Builds weighted choices. `weights` of `None` means equal weights. Returns `None` if the
    /// options are empty, the lengths differ, a weight is negative or not finite, or all
    /// weights are zero.
    pub fn new(options: Vec<T>, weights: Option<Vec<f64>>) -> Option<Self> {
        if options.is_empty() {
            return None;
        }
        let weights = weights.unwrap_or_else(|| vec![1.0; options.len()]);
        if weights.len() != options.len()
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
            || weights.iter().sum::<f64>() <= 0.0
        {
            return None;
        }
        Some(Choices { options, weights })
    }

    /// The options, in the order given.
    pub fn options(&self) -> &[T] {
        &self.options
    }

    /// The weights, in the order given.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The option with the largest weight (the first one on a tie).
    pub fn mode(&self) -> T {
        let mut best = 0;
        for (i, w) in self.weights.iter().enumerate() {
            if *w > self.weights[best] {
                best = i;
            }
        }
        self.options[best].clone()
    }

    /// Draws one option with probability proportional to its weight.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        let total: f64 = self.weights.iter().sum();
        let u = rng.r#gen::<f64>() * total;
        let mut acc = 0.0;
        for (option, w) in self.options.iter().zip(&self.weights) {
            acc += w;
            if u < acc && *w > 0.0 {
                return option.clone();
            }
        }
        // Rounding left `u` at the very top: take the last option with a positive weight.
        let last = self.weights.iter().rposition(|w| *w > 0.0).unwrap_or(0);
        self.options[last].clone()
    }
}

impl<T: Clone> Categorical<T> {
    /// The central value: the fixed value, or the choice with the largest weight.
    pub fn central(&self) -> T {
        match self {
            Categorical::Fixed(v) => v.clone(),
            Categorical::Choices(c) => c.mode(),
        }
    }

    /// Draws a value (a fixed value draws nothing from `rng`).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        match self {
            Categorical::Fixed(v) => v.clone(),
            Categorical::Choices(c) => c.sample(rng),
        }
    }

    /// Every value this can take.
    pub fn support(&self) -> Vec<T> {
        match self {
            Categorical::Fixed(v) => vec![v.clone()],
            Categorical::Choices(c) => c.options().to_vec(),
        }
    }

    /// Whether this is a distribution rather than a fixed value.
    pub fn is_distribution(&self) -> bool {
        matches!(self, Categorical::Choices(_))
    }
}

impl Numeric {
    /// The central value (see the module documentation).
    pub fn central(&self) -> f64 {
        match self {
            Numeric::Fixed(v) => *v,
            Numeric::Normal { mean, min, max, .. } => mean.clamp(*min, *max),
            Numeric::Uniform { low, high } => 0.5 * (low + high),
            Numeric::Choices(c) => c.mode(),
        }
    }

    /// Draws a value (a fixed value draws nothing from `rng`).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Numeric::Fixed(v) => *v,
            Numeric::Normal { mean, sd, min, max } => {
                truncated_normal(*mean, *sd, *min, *max, rng.r#gen::<f64>())
            }
            Numeric::Uniform { low, high } => low + (high - low) * rng.r#gen::<f64>(),
            Numeric::Choices(c) => c.sample(rng),
        }
    }

    /// The smallest and largest value a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Numeric::Fixed(v) => (*v, *v),
            Numeric::Normal { min, max, .. } => (*min, *max),
            Numeric::Uniform { low, high } => (*low, *high),
            Numeric::Choices(c) => c
                .options()
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), {
                    |(lo, hi), v| (lo.min(*v), hi.max(*v))
                }),
        }
    }

    /// Whether this is a distribution rather than a fixed value.
    pub fn is_distribution(&self) -> bool {
        !matches!(self, Numeric::Fixed(_))
    }
}

/// The value of a normal(`mean`, `sd`) truncated to `[min, max]` at quantile `u` in `[0, 1)`.
///
/// Requires `min <= max` and `sd >= 0`; with `sd == 0` returns the mean clamped into the bounds.
pub fn truncated_normal(mean: f64, sd: f64, min: f64, max: f64, u: f64) -> f64 {
    if sd <= 0.0 || min >= max {
        return mean.clamp(min, max);
    }
    let a = (min - mean) / sd;
    let b = (max - mean) / sd;
    let z = if a >= 0.0 {
        // Whole interval above the mean: work with upper-tail probabilities Q(z) = 1 - Φ(z).
        let (qa, qb) = (upper_tail(a), upper_tail(b));
        inverse_upper_tail(qa - u * (qa - qb))
    } else if b <= 0.0 {
        // Whole interval below the mean: mirror it above the mean.
        let (qa, qb) = (upper_tail(-b), upper_tail(-a));
        -inverse_upper_tail(qa - u * (qa - qb))
    } else {
        let (pa, pb) = (1.0 - upper_tail(a), 1.0 - upper_tail(b));
        let p = pa + u * (pb - pa);
        if p > 0.5 {
            inverse_upper_tail(1.0 - p)
        } else {
            -inverse_upper_tail(p)
        }
    };
    (mean + sd * z).clamp(min, max)
}

/// Upper-tail probability of the standard normal, Q(z) = 1 − Φ(z).
fn upper_tail(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

/// The z with Q(z) = q, for q in (0, 1); returns ±infinity at the ends.
fn inverse_upper_tail(q: f64) -> f64 {
    if q <= 0.0 {
        return f64::INFINITY;
    }
    if q >= 1.0 {
        return f64::NEG_INFINITY;
    }
    // Φ⁻¹(p) with p = 1 - q, computed from the smaller tail for precision.
    let z0 = if q < 0.5 {
        -acklam_lower(q)
    } else {
        acklam_lower(1.0 - q)
    };
    // One Halley step on Q(z) - q.
    let e = upper_tail(z0) - q;
    let density = (-0.5 * z0 * z0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    if density <= 0.0 || !e.is_finite() {
        return z0;
    }
    let step = e / density; // Q'(z) = -φ(z), so Newton's step is +e/φ
    z0 + step / (1.0 - 0.5 * z0 * step)
}

/// Acklam's approximation of Φ⁻¹(p) for p in (0, 0.5].
fn acklam_lower(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383_577_518_672_69e2,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    const P_LOW: f64 = 0.02425;
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn inverse_matches_known_quantiles() {
        // Φ⁻¹(0.975) = 1.959963984540054; Φ⁻¹(1e-10) = -6.361340902404056
        assert!((inverse_upper_tail(0.025) - 1.959963984540054).abs() < 1e-9);
        assert!((inverse_upper_tail(1.0 - 1e-10) + 6.361340902404056).abs() < 1e-7);
        assert!((inverse_upper_tail(0.5)).abs() < 1e-12);
    }

    #[test]
    fn truncated_normal_stays_in_bounds_even_far_in_a_tail() {
        for i in 0..100 {
            let u = i as f64 / 100.0;
            let x = truncated_normal(0.0, 1.0, 10.0, 11.0, u);
            assert!((10.0..=11.0).contains(&x), "{x}");
            let y = truncated_normal(0.0, 1.0, -11.0, -10.0, u);
            assert!((-11.0..=-10.0).contains(&y), "{y}");
        }
        // Far in the tail the mass sits near the inner bound.
        assert!(truncated_normal(0.0, 1.0, 10.0, 11.0, 0.5) < 10.1);
    }

    #[test]
    fn truncated_normal_moments_are_plausible() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let d = Numeric::Normal {
            mean: 29.6,
            sd: 11.2,
            min: 16.0,
            max: 70.0,
        };
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().all(|x| (16.0..=70.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / n as f64;
        // Truncated-normal mean: mu + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a)) = 32.00 here;
        // the standard error of the sample mean is about 0.07.
        assert!((mean - 32.0).abs() < 0.25, "mean {mean}");
    }

    #[test]
    fn choices_follow_weights_and_skip_zero_weights() {
        let c = Choices::new(vec!["a", "b", "c"], Some(vec![0.6, 0.4, 0.0])).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 10_000;
        let a = (0..n).filter(|_| c.sample(&mut rng) == "a").count();
        assert!((a as f64 / n as f64 - 0.6).abs() < 0.03);
        assert_eq!(c.mode(), "a");
        assert!(Choices::new(vec![1.0], Some(vec![0.0])).is_none());
        assert!(Choices::new(vec![1.0, 2.0], Some(vec![1.0])).is_none());
    }

    #[test]
    fn central_values() {
        let n = Numeric::Normal {
            mean: 198.0,
            sd: 152.0,
            min: 21.0,
            max: 730.0,
        };
        assert_eq!(n.central(), 198.0);
        assert_eq!(
            Numeric::Uniform {
                low: 2.0,
                high: 4.0
            }
            .central(),
            3.0
        );
    }
}
