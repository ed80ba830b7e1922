//! Prognosis per muscle from the Monte Carlo outcomes, and follow-up reweighting.
//!
//! Summaries: for each muscle, weighted quantiles (10th, 50th, 90th percentile) of the first
//! reinnervation day, the day MRC ≥ 3 is reached and the MRC grade at days 365 and 730 (a day
//! never reached counts as later than any day, so a quantile that falls among those draws is
//! `None`); the probabilities of MRC ≥ 3 and ≥ 4 at the end of the horizon; and the probability
//! that axons arrive before the end plates stop accepting them.
//!
//! Follow-up: each observation gives every draw a likelihood (a stated measurement error, below);
//! the draws are reweighted by the product of likelihoods (importance reweighting of the prior
//! draws). Measurement error model (**assumptions**, no inter-rater figures were seen in a source;
//! the numbers and their reasons are in `data/clinic/follow_up.toml`, read into
//! [`FollowUpModel`]):
//! * MRC: the observed grade is the simulated one plus a rounding of normal noise with SD
//!   `mrc_sd` grades;
//! * fibrillation grade: as MRC with SD `fib_sd` grades; `present` = any grade ≥ 1 with
//!   probability `1 - categorical_error`;
//! * categorical EMG/NCS readings (MUP type, recruitment, CMAP level): read correctly with
//!   probability `1 - categorical_error`, otherwise any other category equally likely.
//!
//! What the twin's state shows on the observation day — MRC grade, fibrillation grade, MUP type,
//! recruitment level, CMAP level — is the clinical readout's (crate `readout`), the same reading
//! `simulate`, `snapshot` and the report print.

use serde::Serialize;

use crate::case::{Case, Fibrillations, Grade, MupType, Observation};
use crate::error::{DataError, PrognosisError};
use crate::montecarlo::{Draw, Outcome, weekly_days};

pub use crate::data::FollowUpModel;

/// 10th, 50th, 90th percentiles (`None` = not reached by that share of draws).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    /// Median.
    pub median: Option<f64>,
    /// 10th percentile.
    pub p10: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
}

/// One point of a band: weighted percentiles on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BandPoint {
    /// Day.
    pub day: u32,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// Weighted quantile of optional values (`None` = +infinity).
pub fn weighted_quantile(values: &[Option<f64>], weights: &[f64], q: f64) -> Option<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| match (values[a], values[b]) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let target = q * total;
    let mut acc = 0.0;
    for i in idx {
        acc += weights[i];
        if acc >= target - 1e-12 * total {
            return values[i];
        }
    }
    None
}

/// The weighted median and 80% interval of values where `None` means "never".
pub fn quantiles_of(values: &[Option<f64>], w: &[f64]) -> Quantiles {
    quantiles(values, w)
}

fn quantiles(values: &[Option<f64>], w: &[f64]) -> Quantiles {
    Quantiles {
        median: weighted_quantile(values, w, 0.5),
        p10: weighted_quantile(values, w, 0.1),
        p90: weighted_quantile(values, w, 0.9),
    }
}

fn prob(w: &[f64], f: impl Fn(usize) -> bool) -> f64 {
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    w.iter()
        .enumerate()
        .filter(|(i, _)| f(*i))
        .map(|(_, x)| x)
        .sum::<f64>()
        / total
        + 0.0
}

/// Prognosis of one muscle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MusclePrognosis {
    /// Muscle.
    pub muscle: String,
    /// Nerve.
    pub nerve: String,
    /// Atlas distance from the injury to the motor entry point (scaled), mm.
    pub distance_mm: f64,
    /// Where that distance comes from.
    pub distance_source: String,
    /// The twin muscle whose pool simulated it.
    pub simulated_as: String,
    /// P(MRC ≥ 3) at the end of the horizon.
    pub p_mrc_ge_3: f64,
    /// P(MRC ≥ 4) at the end of the horizon.
    pub p_mrc_ge_4: f64,
    /// P(axons arrive before the end plates stop accepting them).
    pub p_axons_before_window: f64,
    /// First reinnervation day.
    pub first_reinnervation_day: Quantiles,
    /// Day MRC ≥ 3 is reached.
    pub mrc_3_day: Quantiles,
    /// MRC at day 365.
    pub mrc_at_365: Quantiles,
    /// MRC at day 730.
    pub mrc_at_730: Quantiles,
    /// P(MRC = g) at the end of the horizon, g = 0..5.
    pub mrc_distribution: [f64; 6],
}

/// Summarises the outcomes of one muscle with draw weights.
pub fn summarise_muscle(
    case: &Case,
    k: usize,
    simulated_as: &str,
    outcomes: &[Outcome],
    w: &[f64],
) -> MusclePrognosis {
    let (_, m) = case.muscles()[k];
    let f = |g: &dyn Fn(&Outcome) -> Option<f64>| outcomes.iter().map(g).collect::<Vec<_>>();
    let mut dist = [0.0; 6];
    for g in 0..6u8 {
        dist[g as usize] = prob(w, |i| outcomes[i].mrc_end == g);
    }
    MusclePrognosis {
        muscle: m.muscle.clone(),
        nerve: m.nerve.clone(),
        distance_mm: m.distance_mm,
        distance_source: m.provenance.clone(),
        simulated_as: simulated_as.to_string(),
        p_mrc_ge_3: prob(w, |i| outcomes[i].mrc_end >= 3),
        p_mrc_ge_4: prob(w, |i| outcomes[i].mrc_end >= 4),
        p_axons_before_window: prob(w, |i| outcomes[i].axons_before_window),
        first_reinnervation_day: quantiles(&f(&|o| o.first_reinnervation_day.map(f64::from)), w),
        mrc_3_day: quantiles(&f(&|o| o.mrc_3_day.map(f64::from)), w),
        mrc_at_365: quantiles(&f(&|o| Some(o.mrc_365 as f64)), w),
        mrc_at_730: quantiles(&f(&|o| Some(o.mrc_730 as f64)), w),
        mrc_distribution: dist,
    }
}

/// Weekly bands of MRC and innervated fraction for one muscle.
pub fn bands(outcomes: &[Outcome], w: &[f64], run_days: u32) -> (Vec<BandPoint>, Vec<BandPoint>) {
    let days = weekly_days(run_days);
    let mut mrc = Vec::with_capacity(days.len());
    let mut inn = Vec::with_capacity(days.len());
    for (j, &day) in days.iter().enumerate() {
        let vm: Vec<Option<f64>> = outcomes
            .iter()
            .map(|o| o.weekly_mrc.get(j).map(|x| *x as f64))
            .collect();
        let vi: Vec<Option<f64>> = outcomes
            .iter()
            .map(|o| o.weekly_innervated.get(j).map(|x| *x as f64))
            .collect();
        let band = |v: &[Option<f64>]| BandPoint {
            day,
            p10: weighted_quantile(v, w, 0.1).unwrap_or(f64::NAN),
            p50: weighted_quantile(v, w, 0.5).unwrap_or(f64::NAN),
            p90: weighted_quantile(v, w, 0.9).unwrap_or(f64::NAN),
        };
        mrc.push(band(&vm));
        inn.push(band(&vi));
    }
    (mrc, inn)
}

fn discretised_normal(obs: u8, sim: f64, sd: f64, max: u8) -> f64 {
    // P(round(sim + e) = obs), e ~ N(0, sd), the ends absorbing the tails.
    let cdf = |x: f64| 0.5 * (1.0 + erf(x / (sd * std::f64::consts::SQRT_2)));
    let lo = if obs == 0 {
        f64::NEG_INFINITY
    } else {
        obs as f64 - 0.5 - sim
    };
    let hi = if obs == max {
        f64::INFINITY
    } else {
        obs as f64 + 0.5 - sim
    };
    let p = (if hi.is_infinite() { 1.0 } else { cdf(hi) })
        - (if lo.is_infinite() { 0.0 } else { cdf(lo) });
    p.max(1e-12)
}

/// Error function (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y
}

fn categorical(obs: usize, sim: usize, n: usize, error: f64) -> f64 {
    if obs == sim {
        1.0 - error
    } else {
        error / (n as f64 - 1.0)
    }
}

/// The MUP type the twin's state would show (the clinical readout's MUP type).
pub fn simulated_mup(m: &FollowUpModel, q: &twin::Quantities) -> MupType {
    readout::reading::mup_type(&m.readout, q)
}

/// Likelihood of one observation given the twin's quantities that day.
pub fn likelihood(fm: &FollowUpModel, o: &Observation, q: &twin::Quantities) -> f64 {
    let err = fm.categorical_error;
    let mut l = 1.0;
    if let Some(m) = o.mrc {
        l *= discretised_normal(m, q.mrc_grade as f64, fm.mrc_sd, 5);
    }
    match o.fibrillations {
        Some(Fibrillations::Grade(g)) => {
            l *= discretised_normal(g, q.fibrillation_grade as f64, fm.fib_sd, 4)
        }
        Some(Fibrillations::Present) => {
            l *= if q.fibrillation_grade >= 1 {
                1.0 - err
            } else {
                err
            }
        }
        None => {}
    }
    if let Some(m) = o.mup {
        let idx = |m: MupType| m as usize;
        l *= categorical(idx(m), idx(simulated_mup(fm, q)), 4, err);
    }
    // Recruitment and CMAP: the readout's three-level readings.
    if let Some(r) = o.recruitment {
        let sim = readout::reading::recruitment(&fm.readout, q).level;
        l *= categorical(r as usize, sim as usize, 3, err);
    }
    if let Some(c) = o.cmap {
        let sim = readout::reading::cmap_level(&fm.readout, q.cmap_fraction);
        l *= categorical(c as usize, sim as usize, 3, err);
    }
    l
}

/// The best likelihood an observation can have (the twin showing exactly what was seen).
fn best_likelihood(fm: &FollowUpModel, o: &Observation) -> f64 {
    let err = fm.categorical_error;
    let mut l = 1.0;
    if let Some(m) = o.mrc {
        l *= discretised_normal(m, m as f64, fm.mrc_sd, 5);
    }
    match o.fibrillations {
        Some(Fibrillations::Grade(g)) => l *= discretised_normal(g, g as f64, fm.fib_sd, 4),
        Some(Fibrillations::Present) => l *= 1.0 - err,
        None => {}
    }
    for present in [o.mup.is_some(), o.recruitment.is_some(), o.cmap.is_some()] {
        if present {
            l *= 1.0 - err;
        }
    }
    l
}

/// The result of reweighting the draws by the follow-up observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// Number of observations used.
    pub observations: usize,
    /// Weight of each draw (sum 1).
    #[serde(skip)]
    pub weights: Vec<f64>,
    /// Effective sample size, (Σw)²/Σw².
    pub effective_draws: f64,
    /// The best draw's likelihood relative to a perfect fit (1 = some draw shows exactly what was
    /// observed).
    pub best_fit: f64,
    /// Whether every draw makes the observations unlikely (best fit < 1% of perfect) or too few
    /// draws carry the weight: the update is then not to be trusted.
    pub implausible: bool,
    /// Prior and posterior probability of each injury grade (first injury).
    pub grade_prior: Vec<(String, f64)>,
    /// Posterior.
    pub grade_posterior: Vec<(String, f64)>,
}

/// Reweights draws by the observations. `outcomes[k][i]` are the baseline (case as treated)
/// outcomes of muscle `k` in draw `i`.
pub fn follow_up(
    fm: &FollowUpModel,
    case: &Case,
    draws: &[Draw],
    outcomes: &[Vec<Outcome>],
) -> FollowUp {
    let n = draws.len();
    let muscles = case.muscles();
    let mut logw = vec![0.0f64; n];
    let mut log_best = 0.0;
    for (k, (_, m)) in muscles.iter().enumerate() {
        let obs: Vec<&Observation> = case
            .observations
            .iter()
            .filter(|o| o.muscle == m.muscle)
            .collect();
        for (j, o) in obs.iter().enumerate() {
            log_best += best_likelihood(fm, o).ln();
            for (i, lw) in logw.iter_mut().enumerate() {
                if let Some(q) = outcomes[k][i].observed.get(j) {
                    *lw += likelihood(fm, o, q).ln();
                }
            }
        }
    }
    let max = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut w: Vec<f64> = logw.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = w.iter().sum();
    for x in &mut w {
        *x /= total;
    }
    let ess = 1.0 / w.iter().map(|x| x * x).sum::<f64>();
    let best_fit = if case.observations.is_empty() {
        1.0
    } else {
        (max - log_best).exp()
    };
    let uniform = vec![1.0 / n as f64; n];
    let grades_of = |w: &[f64]| -> Vec<(String, f64)> {
        // Key: (severity order, label); a root avulsion sorts after every grade.
        let mut acc: Vec<((u32, String), f64)> = Vec::new();
        for (i, d) in draws.iter().enumerate() {
            let key = if d.avulsed.first().copied().unwrap_or(false) {
                (u32::MAX, "avulsion".to_string())
            } else {
                let g = d.grades.first().copied().unwrap_or(Grade::Axonotmesis);
                (g.order(), g.label())
            };
            match acc.iter_mut().find(|x| x.0 == key) {
                Some(x) => x.1 += w[i],
                None => acc.push((key, w[i])),
            }
        }
        acc.sort_by(|a, b| a.0.cmp(&b.0));
        acc.into_iter().map(|((_, l), p)| (l, p)).collect()
    };
    FollowUp {
        observations: case.observations.len(),
        effective_draws: ess,
        best_fit,
        implausible: !case.observations.is_empty()
            && (best_fit < fm.implausible_best_fit
                || ess < fm.min_effective_draws.min(n as f64 / 2.0)),
        grade_prior: grades_of(&uniform),
        grade_posterior: grades_of(&w),
        weights: w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_treat_none_as_never() {
        let v = vec![Some(10.0), Some(20.0), None, None, None];
        let w = vec![0.2; 5];
        assert_eq!(weighted_quantile(&v, &w, 0.1), Some(10.0));
        assert_eq!(weighted_quantile(&v, &w, 0.4), Some(20.0));
        assert_eq!(weighted_quantile(&v, &w, 0.5), None);
        let w2 = vec![0.45, 0.45, 0.1 / 3.0, 0.1 / 3.0, 0.1 / 3.0];
        assert_eq!(weighted_quantile(&v, &w2, 0.5), Some(20.0));
    }

    #[test]
    fn mrc_likelihood_peaks_at_the_observed_grade() {
        let sd = crate::data::ClinicData::embedded()
            .unwrap()
            .follow_up
            .mrc_sd;
        let a = discretised_normal(0, 0.0, sd, 5);
        let b = discretised_normal(0, 2.0, sd, 5);
        assert!(a > 0.75 && b < 0.01, "{a} {b}");
        let s: f64 = (0..=5).map(|g| discretised_normal(g, 2.3, sd, 5)).sum();
        assert!((s - 1.0).abs() < 1e-6);
    }
}

/// The prognosis of a case.
#[derive(Debug, Clone, Serialize)]
pub struct PrognosisReport {
    /// Draws.
    pub draws: usize,
    /// Per muscle, in injury then branching order.
    pub muscles: Vec<MusclePrognosis>,
    /// Follow-up reweighting, when the case has observations.
    pub follow_up: Option<FollowUp>,
    /// The wait-or-operate answer (when the case has observations).
    pub answer: Option<String>,
    /// The decision outputs of the plan comparison (when the case has observations): the
    /// recovery curve, the value of waiting a month, the next examination, the sensitivity.
    pub decision: Option<crate::plans::Decision>,
    /// Weekly MRC bands per muscle (same order as `muscles`), for reports and plots.
    pub mrc_bands: Vec<Vec<BandPoint>>,
    /// Weekly innervated-fraction bands per muscle.
    pub innervated_bands: Vec<Vec<BandPoint>>,
    /// Per-muscle end-plate window: the median draw's end-plate time constant after the injury day.
    pub window_day: f64,
}

impl PrognosisReport {
    /// Weekly MRC band (10th, 50th, 90th percentile per week) of a muscle, for plots.
    pub fn mrc_band(&self, muscle: &str) -> Option<&[BandPoint]> {
        let i = self.muscles.iter().position(|m| m.muscle == muscle)?;
        self.mrc_bands.get(i).map(|v| v.as_slice())
    }
    /// Weekly innervated-fibre-fraction band of a muscle.
    pub fn innervated_band(&self, muscle: &str) -> Option<&[BandPoint]> {
        let i = self.muscles.iter().position(|m| m.muscle == muscle)?;
        self.innervated_bands.get(i).map(|v| v.as_slice())
    }
}

/// Computes the prognosis of a case with `draws` draws (the case's own number if `None`).
/// With follow-up observations, the draws are reweighted and the plans compared to answer
/// "wait or operate?".
pub fn prognose(
    engine: &crate::montecarlo::Engine,
    atlas: &crate::atlas::Atlas,
    case: &Case,
    draws: Option<usize>,
    control: &vocabulary::Control,
) -> Result<PrognosisReport, PrognosisError> {
    let n = draws.unwrap_or(case.settings.draws);
    let base = crate::montecarlo::case_treatments(case, atlas);
    let runs = crate::montecarlo::run_plans(engine, case, &[base], n, control)?;
    let (all_draws, outcomes) = (runs.draws, runs.outcomes);
    let fm = &crate::data::ClinicData::embedded()?.follow_up;
    let fu = follow_up(fm, case, &all_draws, &outcomes[0]);
    let w = fu.weights.clone();
    let run = crate::montecarlo::run_days(case);
    let mut muscles = Vec::new();
    let mut mb = Vec::new();
    let mut ib = Vec::new();
    for (k, (_, m)) in case.muscles().iter().enumerate() {
        muscles.push(summarise_muscle(
            case,
            k,
            engine.twin_muscle(&m.muscle),
            &outcomes[0][k],
            &w,
        ));
        let (a, b) = bands(&outcomes[0][k], &w, run);
        mb.push(a);
        ib.push(b);
    }
    let taus: Vec<Option<f64>> = all_draws
        .iter()
        .map(|d| d.end_plate_tau_days().map(Some))
        .collect::<Result<_, _>>()?;
    let window = weighted_quantile(&taus, &w, 0.5).ok_or(PrognosisError::Data(
        DataError::MissingParameter("end_plate_tau_days"),
    ))? + case.injuries[0].day as f64;
    let (answer, decision) = if case.observations.is_empty() {
        (None, None)
    } else {
        let p = crate::plans::compare(engine, atlas, case, n, control)?;
        (Some(p.answer), Some(p.decision))
    };
    Ok(PrognosisReport {
        draws: n,
        muscles,
        follow_up: if case.observations.is_empty() {
            None
        } else {
            Some(fu)
        },
        answer,
        decision,
        mrc_bands: mb,
        innervated_bands: ib,
        window_day: window,
    })
}
