//! Lazy fibres: the event-driven bookkeeping of the fibre resolution (issue 13).
//!
//! At fibre resolution the day stepper ([`crate::Stepper::Day`], the reference) advances and
//! sums every fibre every day. Yet fibres that are in the same state — the same size,
//! specific tension, regrowth capacity, days denervated and cumulative death hazard, and
//! (innervated) the same unit — follow the same daily map ([`crate::sim`]'s per-row day: end
//! plate, atrophy, fibrosis) and so stay equal, bit for bit, until an event of their own:
//!
//! * a fibre's end plate is lost on the day its days of denervation reach its own loss day
//!   ([`crate::end_plate::lost`]);
//! * it dies on the day its cumulative hazard reaches its own threshold
//!   ([`crate::fibrosis::reached`]);
//! * a mechanism moves it: Wallerian degeneration takes its axon, capture (reinnervation,
//!   sprouting) gives it a unit.
//!
//! So [`LazyFibres`] keeps **trajectories**: one row of those columns per set of fibres that
//! share them, advanced once a day by the very per-row day both steppers use
//! (`RowDay::advance`, the same equations and parameters). A denervated trajectory keeps its
//! fibres sorted by end-plate loss day and by death threshold, with a cursor each: a day
//! touches only the fibres whose event is today. Each trajectory keeps the sums of its living
//! fibres (count, healthy area, square root of healthy area, receptive end plates), updated
//! when a fibre leaves it, so the day's quantities are summed over trajectories, not over the
//! fibre table. The per-fibre columns of size, tension, capacity, days denervated and hazard
//! are written only when a fibre dies (frozen as it was), when the bookkeeping is given up
//! ([`LazyFibres::materialise_into`]) or when something reads the fibre table (a picture, a
//! fibre-level reading: [`LazyFibres::view`]).
//!
//! Agreement with the day stepper: the trajectories' values are the fibres' values bit for
//! bit; only the sums differ in rounding (per trajectory in f64, against per-fibre f32 chunk
//! sums, and `√base·√size` against `√(base·size)`), within the 0.5 % / 1e-6 of
//! [`crate::equivalence`] (`tests/stepper.rs`). Everything is sequential and in trajectory
//! order, so the numbers do not depend on the thread count.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::sim::{RowDay, RowMut, SUMS};
use crate::state::{FibreState, Fibres, MotorUnits, NO_UNIT};

/// No trajectory (a fibre already dead when the bookkeeping started).
const NONE: u32 = u32::MAX;

/// What identifies a trajectory: denervated or not, the unit (innervated), and the bits of
/// size, tension, capacity, days denervated and hazard.
type Key = (bool, u32, [u32; 5]);

/// The lazy fibre bookkeeping of one simulation (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(crate) struct LazyFibres {
    /// Each fibre's trajectory ([`NONE`] for a fibre dead from the start).
    traj: Vec<u32>,
    t: Trajectories,
    /// Trajectories with living fibres, in increasing order.
    active: Vec<u32>,
    /// Fibres a mechanism gave another state or unit since the last pass.
    moved: Vec<u32>,
    /// The fibre table's lazy columns, materialised when read (cleared by each pass).
    view: OnceLock<View>,
}

/// The lazy columns of every fibre on the current day.
#[derive(Debug, Clone)]
pub(crate) struct View {
    /// Size relative to healthy.
    pub size: Vec<f32>,
    /// Days denervated.
    pub denervated_days: Vec<f32>,
}

/// The trajectory table (struct of arrays).
#[derive(Debug, Clone, Default)]
struct Trajectories {
    size: Vec<f32>,
    tension: Vec<f32>,
    capacity: Vec<f32>,
    denervated_days: Vec<f32>,
    hazard: Vec<f32>,
    denervated: Vec<bool>,
    unit: Vec<u32>,
    /// Sums over the living fibres: count, healthy area, √(healthy area), receptive share.
    n: Vec<f64>,
    base: Vec<f64>,
    root: Vec<f64>,
    receptive: Vec<f64>,
    /// Denervated trajectories: fibres by end-plate loss day and by death threshold.
    by_until: Vec<Vec<u32>>,
    by_threshold: Vec<Vec<u32>>,
    /// Next fibre of each list not yet reached.
    cursor: Vec<[u32; 2]>,
}

impl Trajectories {
    fn values(&self, t: usize) -> [f32; 5] {
        [
            self.size[t],
            self.tension[t],
            self.capacity[t],
            self.denervated_days[t],
            self.hazard[t],
        ]
    }

    fn push(&mut self, denervated: bool, unit: u32, v: [f32; 5]) -> u32 {
        let t = self.size.len() as u32;
        self.size.push(v[0]);
        self.tension.push(v[1]);
        self.capacity.push(v[2]);
        self.denervated_days.push(v[3]);
        self.hazard.push(v[4]);
        self.denervated.push(denervated);
        self.unit.push(unit);
        self.n.push(0.0);
        self.base.push(0.0);
        self.root.push(0.0);
        self.receptive.push(0.0);
        self.by_until.push(Vec::new());
        self.by_threshold.push(Vec::new());
        self.cursor.push([0, 0]);
        t
    }

    /// Takes fibre `i` out of trajectory `t`'s sums.
    fn remove(&mut self, t: usize, f: &Fibres, i: usize) {
        let b = f.base_csa[i] as f64;
        self.n[t] -= f.count[i] as f64;
        if self.n[t] <= 0.0 {
            // Exactly empty (no rounding left behind).
            self.n[t] = 0.0;
            self.base[t] = 0.0;
            self.root[t] = 0.0;
            self.receptive[t] = 0.0;
            return;
        }
        self.base[t] -= f.count[i] as f64 * b;
        self.root[t] -= f.count[i] as f64 * b.sqrt();
        if self.denervated[t] {
            self.receptive[t] -= (f.count[i] * f.receptive[i]) as f64;
        }
    }

    /// Adds fibre `i` to trajectory `t`'s sums and event lists.
    fn add(&mut self, t: usize, f: &Fibres, i: usize) {
        let b = f.base_csa[i] as f64;
        self.n[t] += f.count[i] as f64;
        self.base[t] += f.count[i] as f64 * b;
        self.root[t] += f.count[i] as f64 * b.sqrt();
        if self.denervated[t] {
            self.receptive[t] += (f.count[i] * f.receptive[i]) as f64;
            self.by_until[t].push(i as u32);
            self.by_threshold[t].push(i as u32);
        }
    }
}

/// Sorts fibres by a column's value, ties by index (the same order on every run).
fn sort_by_column(list: &mut [u32], col: &[f32]) {
    list.sort_unstable_by(|a, b| col[*a as usize].total_cmp(&col[*b as usize]).then(a.cmp(b)));
}

/// The key of a fibre in state `state` of unit `unit` with lazy values `v`.
fn key(state: FibreState, unit: u32, v: [f32; 5]) -> Key {
    let den = state == FibreState::Denervated;
    (den, if den { NO_UNIT } else { unit }, v.map(f32::to_bits))
}

impl LazyFibres {
    /// The bookkeeping of a fibre table whose per-fibre columns are up to date.
    pub(crate) fn new(f: &Fibres) -> LazyFibres {
        let mut l = LazyFibres {
            traj: vec![NONE; f.len()],
            ..Default::default()
        };
        let mut made = HashMap::new();
        let first = l.t.size.len();
        for i in 0..f.len() {
            if f.state[i] == FibreState::Dead {
                continue;
            }
            let v = [
                f.size[i],
                f.tension[i],
                f.capacity[i],
                f.denervated_days[i],
                f.hazard[i],
            ];
            l.assign(f, i, key(f.state[i], f.unit[i], v), v, &mut made);
        }
        l.close_batch(f, first);
        l
    }

    /// Puts fibre `i` in the trajectory of `k` made in this batch (a new one if none).
    fn assign(&mut self, f: &Fibres, i: usize, k: Key, v: [f32; 5], made: &mut HashMap<Key, u32>) {
        let t = *made.entry(k).or_insert_with(|| self.t.push(k.0, k.1, v));
        self.traj[i] = t;
        self.t.add(t as usize, f, i);
    }

    /// Sorts the event lists of the trajectories made since `first` and makes them active.
    fn close_batch(&mut self, f: &Fibres, first: usize) {
        for t in first..self.t.size.len() {
            if self.t.denervated[t] {
                sort_by_column(&mut self.t.by_until[t], &f.receptive_until);
                sort_by_column(&mut self.t.by_threshold[t], &f.death_threshold);
            }
            if self.t.n[t] > 0.0 {
                self.active.push(t as u32);
            }
        }
    }

    /// Notes that a mechanism (Wallerian degeneration, capture) gave fibre `i` another state
    /// or unit: the next pass moves it to a trajectory of its new state.
    pub(crate) fn note_move(&mut self, i: usize) {
        self.moved.push(i as u32);
    }

    /// Whether fibre `i`'s trajectory still holds it (it was not moved since the last pass).
    #[inline]
    fn holds(&self, f: &Fibres, i: usize) -> Option<usize> {
        let t = self.traj[i];
        if t == NONE || f.state[i] == FibreState::Dead {
            return None;
        }
        let t = t as usize;
        let den = f.state[i] == FibreState::Denervated;
        (self.t.denervated[t] == den && (den || self.t.unit[t] == f.unit[i])).then_some(t)
    }

    /// Days denervated of fibre `i` (what the day stepper's column holds).
    #[inline]
    pub(crate) fn denervated_days(&self, f: &Fibres, i: usize) -> f32 {
        match self.holds(f, i) {
            Some(t) => self.t.denervated_days[t],
            // Dead (frozen at death) or moved today: the mechanism wrote the column.
            None => f.denervated_days[i],
        }
    }

    /// Moves every fibre a mechanism gave another state or unit into a trajectory of its
    /// new state: size, tension and capacity from the one it leaves, days denervated and
    /// hazard as the mechanism set them. Fibres moved together with equal values share one.
    fn regroup(&mut self, f: &Fibres) {
        let mut made = HashMap::new();
        let first = self.t.size.len();
        // In index order, each once (a fibre may be moved twice in a day).
        let mut moved = std::mem::take(&mut self.moved);
        moved.sort_unstable();
        moved.dedup();
        for &i in &moved {
            let i = i as usize;
            let t = self.traj[i];
            if t == NONE || f.state[i] == FibreState::Dead || self.holds(f, i).is_some() {
                continue;
            }
            let t = t as usize;
            let old = self.t.values(t);
            self.t.remove(t, f, i);
            let v = [old[0], old[1], old[2], f.denervated_days[i], f.hazard[i]];
            self.assign(f, i, key(f.state[i], f.unit[i], v), v, &mut made);
        }
        moved.clear();
        self.moved = moved;
        self.close_batch(f, first);
        self.view = OnceLock::new();
    }

    /// The receptive denervated fibres denervated for at least `min_days` days (capture's
    /// orphans), from the trajectories once the fibres moved today are in theirs. At fibre
    /// resolution each fibre counts 0 or 1, so the count is the one a scan of the fibre table
    /// gives, whatever the order of the sum.
    pub(crate) fn receptive_orphans(&mut self, f: &Fibres, min_days: f32) -> f64 {
        if !self.moved.is_empty() {
            self.regroup(f);
        }
        let tr = &self.t;
        self.active
            .iter()
            .map(|&t| t as usize)
            .filter(|&t| tr.denervated[t] && tr.denervated_days[t] >= min_days)
            .map(|t| tr.receptive[t])
            .sum()
    }

    /// Each unit's innervated fibres (the day stepper's recount), from the trajectories once
    /// the fibres moved today are in theirs.
    pub(crate) fn recount(&mut self, f: &Fibres, unit_fibres: &mut [f32]) {
        if !self.moved.is_empty() {
            self.regroup(f);
        }
        unit_fibres.iter_mut().for_each(|x| *x = 0.0);
        for &t in &self.active {
            let t = t as usize;
            let u = self.t.unit[t];
            if !self.t.denervated[t] && u != NO_UNIT {
                unit_fibres[u as usize] += self.t.n[t] as f32;
            }
        }
    }

    /// One day of every trajectory (after the day's mechanisms): finds the fibres moved,
    /// advances each trajectory by `rd`, applies the day's end-plate losses and deaths to
    /// the fibres whose day it is, and returns the day's sums (as the day stepper's pass
    /// gives them), the healthy area of the fibres that died and their number.
    pub(crate) fn pass(
        &mut self,
        rd: &RowDay<'_>,
        f: &mut Fibres,
        units: &MotorUnits,
        fibrillation_delay: f32,
        sprout_onset: f32,
    ) -> ([f64; SUMS], f64, f64) {
        if !self.moved.is_empty() {
            self.regroup(f);
        }
        self.view = OnceLock::new();
        let mut s = [0.0f64; SUMS];
        let (mut fat, mut dead_n) = (0.0f64, 0.0f64);
        let tr = &mut self.t;
        for &t in &self.active {
            let t = t as usize;
            let den = tr.denervated[t];
            // The per-row day, with the per-fibre events left to the lists below.
            let mut state = if den {
                FibreState::Denervated
            } else {
                FibreState::Innervated
            };
            let (mut receptive, mut count) = (1.0f32, 1.0f32);
            rd.advance(
                RowMut {
                    size: &mut tr.size[t],
                    tension: &mut tr.tension[t],
                    capacity: &mut tr.capacity[t],
                    denervated_days: &mut tr.denervated_days[t],
                    hazard: &mut tr.hazard[t],
                    receptive: &mut receptive,
                    state: &mut state,
                    count: &mut count,
                },
                f32::INFINITY,
                f32::INFINITY,
                tr.unit[t],
            );
            if den {
                let dd = tr.denervated_days[t];
                // End plates lost today.
                let [mut cu, mut ct] = tr.cursor[t];
                let list = std::mem::take(&mut tr.by_until[t]);
                while (cu as usize) < list.len() {
                    let i = list[cu as usize] as usize;
                    if !crate::end_plate::lost(dd, f.receptive_until[i]) {
                        break;
                    }
                    cu += 1;
                    if self.traj[i] as usize == t && f.state[i] == FibreState::Denervated {
                        tr.receptive[t] -= (f.count[i] * f.receptive[i]) as f64;
                        f.receptive[i] = 0.0;
                    }
                }
                tr.by_until[t] = list;
                // Deaths today (the hazard accrues only past the onset).
                if rd.death_accrues(dd) {
                    let h = tr.hazard[t];
                    let list = std::mem::take(&mut tr.by_threshold[t]);
                    while (ct as usize) < list.len() {
                        let i = list[ct as usize] as usize;
                        if !crate::fibrosis::reached(h, f.death_threshold[i]) {
                            break;
                        }
                        ct += 1;
                        if self.traj[i] as usize != t || f.state[i] != FibreState::Denervated {
                            continue;
                        }
                        // The fibre's columns frozen as they are on its last day.
                        let v = tr.values(t);
                        f.size[i] = v[0];
                        f.tension[i] = v[1];
                        f.capacity[i] = v[2];
                        f.denervated_days[i] = v[3];
                        f.hazard[i] = v[4];
                        // Fat takes the fibre's place at its volume at death (`crate::fibrosis`).
                        fat += f.count[i] as f64 * f.base_csa[i] as f64 * f.size[i] as f64;
                        dead_n += f.count[i] as f64;
                        tr.remove(t, f, i);
                        f.state[i] = FibreState::Dead;
                    }
                    tr.by_threshold[t] = list;
                }
                tr.cursor[t] = [cu, ct];
            }
            accumulate_trajectory(&mut s, tr, t, units, fibrillation_delay, sprout_onset);
        }
        let tr = &self.t;
        self.active.retain(|&t| tr.n[t as usize] > 0.0);
        (s, fat, dead_n)
    }

    /// Today's sums without advancing (day 0).
    pub(crate) fn sums(
        &self,
        units: &MotorUnits,
        fibrillation_delay: f32,
        sprout_onset: f32,
    ) -> [f64; SUMS] {
        let mut s = [0.0f64; SUMS];
        for &t in &self.active {
            accumulate_trajectory(
                &mut s,
                &self.t,
                t as usize,
                units,
                fibrillation_delay,
                sprout_onset,
            );
        }
        s
    }

    /// The lazy columns of every fibre today (materialised on first read after a pass).
    pub(crate) fn view(&self, f: &Fibres) -> &View {
        self.view.get_or_init(|| {
            let mut v = View {
                size: f.size.clone(),
                denervated_days: f.denervated_days.clone(),
            };
            for i in 0..f.len() {
                if let Some(t) = self.holds(f, i) {
                    v.size[i] = self.t.size[t];
                    v.denervated_days[i] = self.t.denervated_days[t];
                }
            }
            v
        })
    }

    /// Writes every living fibre's lazy columns into the fibre table (when the bookkeeping
    /// is given up for the day stepper).
    pub(crate) fn materialise_into(&self, f: &mut Fibres) {
        for i in 0..f.len() {
            if let Some(t) = self.holds(f, i) {
                let v = self.t.values(t);
                f.size[i] = v[0];
                f.tension[i] = v[1];
                f.capacity[i] = v[2];
                f.denervated_days[i] = v[3];
                f.hazard[i] = v[4];
            }
        }
    }
}

/// Adds trajectory `t`'s living fibres to the sums: the group form of the day stepper's
/// per-row sums (`sim::accumulate_row`, whose numbering it keeps), with Σ count, Σ healthy
/// area and Σ √(healthy area) of the fibres in place of one row's count and area.
fn accumulate_trajectory(
    s: &mut [f64; SUMS],
    tr: &Trajectories,
    t: usize,
    units: &MotorUnits,
    delay: f32,
    sprout_onset: f32,
) {
    let n = tr.n[t];
    if n <= 0.0 {
        return;
    }
    let size = tr.size[t] as f64;
    let tension = tr.tension[t] as f64;
    let vol = tr.base[t] * size;
    let root = size.sqrt();
    s[0] += n;
    s[1] += vol;
    s[2] += tr.root[t] * root;
    s[3] += vol * tension;
    let unit = tr.unit[t];
    if !tr.denervated[t] && unit != NO_UNIT {
        let u = unit as usize;
        let gate = units.drives(u) as u32 as f64 * units.maturity[u] as f64;
        let cond = units.conduction[u] as f64;
        s[4] += n;
        s[5] += vol * tension * units.voluntary_gate(u, units.maturity[u]) as f64;
        s[6] += n * root * cond;
        s[10] += vol * tension * cond;
        s[11] += n * root * cond * gate;
    } else if tr.denervated[t] {
        let dd = tr.denervated_days[t];
        if dd >= delay {
            s[7] += n;
        }
        s[8] += tr.receptive[t];
        if dd >= sprout_onset {
            s[9] += tr.receptive[t];
        }
    }
}
