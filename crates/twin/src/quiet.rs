//! Quiet stretches of the event stepper at pooled resolution (`Core::jump`): the innervated
//! rows still relaxing toward their synthesis target, advanced together from contiguous
//! columns, and a certificate that a stretch's daily MRC grade cannot change, so its days
//! need no grade sums.
//!
//! Both change bookkeeping only: the rows are advanced by the one innervated daily map
//! ([`crate::atrophy::relax_innervated`]) in the same operations, and a day is read without
//! its sums only when the grade the sums would give is proven to be the certificate's.
//!
//! **Why the certificate is a proof.** On a quiet day the voluntary-force sum is a sum, in a
//! fixed row order and in f32, of terms `n·(base·size)·tension·gate`, all non-negative, and
//! the grade is a non-decreasing function of that sum times the neural drive (whether any
//! motor unit counts, the grade's other input, does not change on a quiet day: no unit gains
//! or loses fibres, conduction or its axon). IEEE rounding
//! is monotone (`x ≤ x'` gives `fl(x ∘ y) ≤ fl(x' ∘ y)` for addition, and for multiplication
//! and division by a positive number), so if on a day every relaxing row's size and tension,
//! every maturing unit's maturity and the neural drive lie within the certificate's bounds,
//! the day's sum and grade lie between the sums and grades of the bounds. When the two bound
//! grades are equal the day's grade is that grade. The bounds are checked on every certified
//! day against the state actually reached (the prediction of where the rows will be only
//! chooses the bounds); a day that falls outside them is summed as before.

use crate::sim::{Core, voluntary_row_gated};
use crate::state::{FibreState, NO_UNIT};

/// Innervated rows not at a fixed point of their daily map, gathered into contiguous
/// columns for a quiet stretch (their daily constants do not change over it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Relaxing {
    /// Row of the fibre table.
    pub rows: Vec<usize>,
    /// Size (CSA relative to health).
    pub size: Vec<f32>,
    /// Specific tension.
    pub tension: Vec<f32>,
    /// The size the row relaxes toward (its unit's drive × capacity × synthesis modifier).
    pub target: Vec<f32>,
}

impl Relaxing {
    /// Adds row `i` with its current size and tension and its synthesis target.
    pub fn push(&mut self, i: usize, size: f32, tension: f32, target: f32) {
        self.rows.push(i);
        self.size.push(size);
        self.tension.push(tension);
        self.target.push(target);
    }

    /// One day of every row ([`crate::atrophy::relax_innervated`]).
    #[inline(never)]
    pub fn advance(&mut self, decay: f32, q_decay: f32) {
        for ((s, q), &a) in self
            .size
            .iter_mut()
            .zip(self.tension.iter_mut())
            .zip(self.target.iter())
        {
            crate::atrophy::relax_innervated(s, q, a, decay, q_decay);
        }
    }

    /// Empties the columns (their allocation is kept for the next stretch).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.size.clear();
        self.tension.clear();
        self.target.clear();
    }

    /// Writes the rows back into the fibre table.
    pub fn scatter(&self, size: &mut [f32], tension: &mut [f32]) {
        for (j, &i) in self.rows.iter().enumerate() {
            size[i] = self.size[j];
            tension[i] = self.tension[j];
        }
    }
}

/// Extra distance a bound is put beyond the predicted value (share of the distance still to
/// go to the target): it leaves room for f32 steps that run slightly ahead of the exact
/// solution. Not a model number: only how wide the bounds are drawn; any width is sound,
/// since every certified day is checked against them.
const SLACK: f64 = 1e-3;

/// Where a quantity relaxing geometrically from `x` toward `target` with daily factor
/// `keep` (the share of the gap left after a day) may be after `days` days, pushed a little
/// further toward the target; with `x` it brackets every day in between.
fn reach(x: f64, target: f64, keep: f64, days: u32) -> f64 {
    target + (x - target) * keep.powi(days as i32) * (1.0 - SLACK)
}

/// A proof, for the days `first..=last` of a quiet stretch, that the daily MRC grade is
/// `grade` on every day whose state lies within the bounds (checked by [`Certificate::holds`]).
#[derive(Debug)]
pub(crate) struct Certificate {
    /// The grade of every certified day.
    pub grade: u8,
    /// Last day covered.
    pub last: u32,
    size: (Vec<f32>, Vec<f32>),
    tension: (Vec<f32>, Vec<f32>),
    /// Maturing units and their maturity bounds.
    maturity: Vec<(usize, f32, f32)>,
    neural_drive: (f64, f64),
}

fn bracket(a: f32, b: f32) -> (f32, f32) {
    (a.min(b), a.max(b))
}

impl Certificate {
    /// Tries to certify the next `days` days of a quiet stretch from today's state (the
    /// relaxing rows as gathered, `maturing` units advancing by 1/T a day, the neural drive
    /// relaxing toward `neural_target`). `None` when the bounds' grades differ.
    pub fn try_new(
        c: &Core,
        relaxing: &Relaxing,
        maturing: &[usize],
        neural_target: f64,
        (decay, q_decay): (f32, f32),
        days: u32,
    ) -> Option<Certificate> {
        let (decay, q_decay) = (decay as f64, q_decay as f64);
        let k = relaxing.rows.len();
        let mut size = (Vec::with_capacity(k), Vec::with_capacity(k));
        let mut tension = (Vec::with_capacity(k), Vec::with_capacity(k));
        for j in 0..k {
            let s = relaxing.size[j];
            let far = reach(s as f64, relaxing.target[j] as f64, decay, days) as f32;
            let (lo, hi) = bracket(s, far);
            size.0.push(lo);
            size.1.push(hi);
            let q = relaxing.tension[j];
            let far = reach(q as f64, 1.0, q_decay, days) as f32;
            let (lo, hi) = bracket(q, far);
            tension.0.push(lo);
            tension.1.push(hi);
        }
        let t = c.coef.maturation_days;
        let maturity: Vec<(usize, f32, f32)> = maturing
            .iter()
            .map(|&u| {
                let m = c.units.maturity[u];
                let step = if t > 0.0 { days as f64 / t } else { 1.0 };
                let far = (m as f64 + step * (1.0 + SLACK)).min(1.0) as f32;
                (u, m.min(far), far.max(m))
            })
            .collect();
        let nd = c.muscle.neural_drive;
        let far = reach(nd, neural_target, 1.0 - c.cache.neural_rate, days);
        let neural_drive = (nd.min(far), nd.max(far));
        let mut cert = Certificate {
            grade: 0,
            last: c.day + days,
            size,
            tension,
            maturity,
            neural_drive,
        };
        // Row → slot in `relaxing`; each unit's maturity, the maturing ones at a bound.
        let mut slot = vec![usize::MAX; c.fibres.len()];
        for (j, &i) in relaxing.rows.iter().enumerate() {
            slot[i] = j;
        }
        let mut maturity: Vec<f32> = c.units.maturity.clone();
        for &(u, lo, _) in &cert.maturity {
            maturity[u] = lo;
        }
        let lo = cert.grade_at(c, &slot, &maturity, false);
        for &(u, _, hi) in &cert.maturity {
            maturity[u] = hi;
        }
        let hi = cert.grade_at(c, &slot, &maturity, true);
        if lo != hi {
            return None;
        }
        cert.grade = lo;
        Some(cert)
    }

    /// The MRC grade with every bounded value at its lower (or upper) bound, summed as the
    /// daily sums are (the same rows, the same order, f32 chunks).
    /// `slot[i]`: row `i`'s place in the relaxing rows (`usize::MAX` if none); `maturity`:
    /// each unit's maturity, the maturing units' at the bound asked for.
    fn grade_at(&self, c: &Core, slot: &[usize], maturity: &[f32], upper: bool) -> u8 {
        let f = &c.fibres;
        let pick = |b: &(Vec<f32>, Vec<f32>), j: usize| if upper { b.1[j] } else { b.0[j] };
        let mut s5 = 0.0f64;
        for (ci, chunk) in slot.chunks(crate::sim::CHUNK).enumerate() {
            let mut s = 0.0f32;
            for (o, &place) in chunk.iter().enumerate() {
                let i = ci * crate::sim::CHUNK + o;
                let st = f.state[i];
                if st == FibreState::Dead || st == FibreState::Denervated || f.unit[i] == NO_UNIT {
                    continue;
                }
                let u = f.unit[i] as usize;
                let (size, tension) = match place {
                    usize::MAX => (f.size[i], f.tension[i]),
                    j => (pick(&self.size, j), pick(&self.tension, j)),
                };
                let gate = c.units.voluntary_gate(u, maturity[u]);
                s += voluntary_row_gated(f.count[i], f.base_csa[i], size, tension, gate);
            }
            s5 += s as f64;
        }
        let nd = if upper {
            self.neural_drive.1
        } else {
            self.neural_drive.0
        };
        c.mrc_with(s5, nd)
    }

    /// Whether today's state lies within the bounds (then today's grade is [`Self::grade`]).
    pub fn holds(&self, c: &Core, relaxing: &Relaxing) -> bool {
        if c.day > self.last {
            return false;
        }
        let nd = c.muscle.neural_drive;
        if !(self.neural_drive.0 <= nd && nd <= self.neural_drive.1) {
            return false;
        }
        if !self.maturity.iter().all(|&(u, lo, hi)| {
            let m = c.units.maturity[u];
            lo <= m && m <= hi
        }) {
            return false;
        }
        within(&relaxing.size, &self.size) && within(&relaxing.tension, &self.tension)
    }
}

/// Whether every value lies within its bounds (a NaN never does).
fn within(x: &[f32], b: &(Vec<f32>, Vec<f32>)) -> bool {
    x.iter()
        .zip(b.0.iter().zip(b.1.iter()))
        .fold(true, |ok, (&v, (&lo, &hi))| ok & (lo <= v) & (v <= hi))
}
