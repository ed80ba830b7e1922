//! The simulation state, as structs of arrays.
//!
//! **Fibre table** ([`Fibres`]): one row per fibre at fibre resolution, or one row
//! per *group* of fibres (same motor unit, same state) at pooled resolution — the
//! `count` column says how many fibres a row stands for (always 1 at fibre
//! resolution). The mechanisms run the same equations over both.
//!
//! **Motor-unit table** ([`MotorUnits`]): one row per motor axon — the muscle's own
//! axons first (index `0..native_units`), then any donor axons of a nerve transfer.
//!
//! Muscle-wide bookkeeping (fat volume, neural drive) lives in [`Muscle`].

use serde::Serialize;

/// "No motor unit" in [`Fibres::unit`].
pub const NO_UNIT: u32 = u32::MAX;

/// Histochemical fibre type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[repr(u8)]
pub enum FibreType {
    /// Type I (slow-twitch, oxidative).
    Slow = 1,
    /// Type II (fast-twitch).
    Fast = 2,
}

/// What a fibre (or group) is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum FibreState {
    /// Innervated by its original motor axon.
    Innervated = 0,
    /// Innervated again after denervation — by a regrown axon or a collateral sprout.
    Reinnervated = 1,
    /// Without a working axon.
    Denervated = 2,
    /// Dead; its volume partly replaced by fat and connective tissue.
    Dead = 3,
}

impl FibreState {
    /// Whether the fibre has a motor axon.
    pub fn is_innervated(self) -> bool {
        matches!(self, FibreState::Innervated | FibreState::Reinnervated)
    }
}

/// State of a motor axon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[repr(u8)]
pub enum AxonState {
    /// Healthy and connected.
    Intact = 0,
    /// Conduction block at the lesion (neurapraxia); distal axon healthy.
    Blocked = 1,
    /// Cut; the distal stump is undergoing Wallerian degeneration.
    Degenerating = 2,
    /// Cut and degenerated; not (yet) regrowing (ligated, grade V, awaiting repair).
    Absent = 3,
    /// Regrowing towards the muscle.
    Regrowing = 4,
    /// Arrived at (or reconnected to) the muscle: can (re)innervate fibres.
    Reconnected = 5,
    /// Lost or misdirected: will not reach this muscle.
    Lost = 6,
    /// A donor axon not (yet) transferred.
    Donor = 7,
}

/// The fibre table (struct of arrays). See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Fibres {
    /// Fibres a row stands for (1 at fibre resolution).
    pub count: Vec<f32>,
    /// Centre x in the muscle cross-section, µm (empty at pooled resolution).
    pub x: Vec<f32>,
    /// Centre y in the muscle cross-section, µm (empty at pooled resolution).
    pub y: Vec<f32>,
    /// Healthy cross-sectional area, µm².
    pub base_csa: Vec<f32>,
    /// Current size relative to healthy (CSA = `base_csa * size`).
    pub size: Vec<f32>,
    /// Specific tension relative to healthy.
    pub tension: Vec<f32>,
    /// Capacity to regrow (falls with time spent denervated).
    pub capacity: Vec<f32>,
    /// Days since the fibre lost its axon (0 while innervated).
    pub denervated_days: Vec<f32>,
    /// Cumulative death hazard while denervated.
    pub hazard: Vec<f32>,
    /// Share of the row's fibres whose end plate still accepts an axon (0/1 per fibre).
    pub receptive: Vec<f32>,
    /// Fibre resolution: denervation days after which this fibre's end plate stops
    /// accepting an axon (a fixed per-fibre draw; empty at pooled resolution).
    pub receptive_until: Vec<f32>,
    /// Fibre resolution: cumulative hazard at which this fibre dies (a fixed
    /// exponential draw; empty at pooled resolution).
    pub death_threshold: Vec<f32>,
    /// Fibre type.
    pub ftype: Vec<FibreType>,
    /// Current motor unit, or [`NO_UNIT`].
    pub unit: Vec<u32>,
    /// Last motor unit that innervated the fibre (original unit at start).
    pub origin: Vec<u32>,
    /// State.
    pub state: Vec<FibreState>,
    /// Day the fibre was (last) reinnervated, or negative if never.
    pub reinnervated_day: Vec<f32>,
}

impl Fibres {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.count.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.count.is_empty()
    }

    /// Appends a row (positions only if `xy` is given).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        count: f32,
        xy: Option<(f32, f32)>,
        base_csa: f32,
        ftype: FibreType,
        unit: u32,
        state: FibreState,
    ) -> usize {
        self.count.push(count);
        if let Some((x, y)) = xy {
            self.x.push(x);
            self.y.push(y);
        }
        self.base_csa.push(base_csa);
        self.size.push(1.0);
        self.tension.push(1.0);
        self.capacity.push(1.0);
        self.denervated_days.push(0.0);
        self.hazard.push(0.0);
        self.receptive.push(1.0);
        self.ftype.push(ftype);
        self.unit.push(unit);
        self.origin.push(unit);
        self.state.push(state);
        self.reinnervated_day.push(-1.0);
        self.count.len() - 1
    }
}

/// The motor-unit table (struct of arrays).
#[derive(Debug, Clone, Default)]
pub struct MotorUnits {
    /// Axon state.
    pub axon: Vec<AxonState>,
    /// Fibre type of the unit (its fibres', and of fibres it adopts).
    pub ftype: Vec<FibreType>,
    /// Fibres at the start (native units), or the muscle's mean unit size (donors).
    pub native_size: Vec<f32>,
    /// Innervated fibres now (recounted every day).
    pub fibres: Vec<f32>,
    /// Day the axon was cut (negative if never).
    pub cut_day: Vec<f32>,
    /// Day a neurapraxic block resolves.
    pub block_until: Vec<f32>,
    /// Distal conduction, 1 = normal, 0 = none (Wallerian degeneration).
    pub conduction: Vec<f32>,
    /// Day regrowth starts.
    pub regrowth_start: Vec<f32>,
    /// Regrowth speed, mm/day.
    pub speed: Vec<f32>,
    /// Distance grown, mm.
    pub front_mm: Vec<f32>,
    /// Distance to grow, mm.
    pub target_mm: Vec<f32>,
    /// Day the axon reconnected with the muscle (negative if never).
    pub reconnected_day: Vec<f32>,
    /// Territory centre x, µm.
    pub cx: Vec<f32>,
    /// Territory centre y, µm.
    pub cy: Vec<f32>,
    /// Whether the axon is a transferred donor axon.
    pub donor: Vec<bool>,
    /// Maturity of the unit's terminals and junctions, 0–1 (1 for a native unit;
    /// 0 when a regrown axon reconnects, rising over `maturation_days`; see
    /// [`crate::maturation`]).
    pub maturity: Vec<f32>,
    /// Whether the regrown axon belongs to another muscle's motoneuron (misdirection at a
    /// mixed-nerve repair, [`crate::repair::right_target_share`]): it innervates and fires
    /// its fibres on nerve stimulation (unit count, CMAP, needle EMG) but the command of
    /// the intended movement does not drive them ([`MotorUnits::voluntary_gate`]).
    pub foreign: Vec<bool>,
}

impl MotorUnits {
    /// Appends rows `rows` of another table (every column).
    pub(crate) fn append_from(&mut self, o: &MotorUnits, rows: std::ops::Range<usize>) {
        let r = rows;
        self.axon.extend_from_slice(&o.axon[r.clone()]);
        self.ftype.extend_from_slice(&o.ftype[r.clone()]);
        self.native_size
            .extend_from_slice(&o.native_size[r.clone()]);
        self.fibres.extend_from_slice(&o.fibres[r.clone()]);
        self.cut_day.extend_from_slice(&o.cut_day[r.clone()]);
        self.block_until
            .extend_from_slice(&o.block_until[r.clone()]);
        self.conduction.extend_from_slice(&o.conduction[r.clone()]);
        self.regrowth_start
            .extend_from_slice(&o.regrowth_start[r.clone()]);
        self.speed.extend_from_slice(&o.speed[r.clone()]);
        self.front_mm.extend_from_slice(&o.front_mm[r.clone()]);
        self.target_mm.extend_from_slice(&o.target_mm[r.clone()]);
        self.reconnected_day
            .extend_from_slice(&o.reconnected_day[r.clone()]);
        self.cx.extend_from_slice(&o.cx[r.clone()]);
        self.cy.extend_from_slice(&o.cy[r.clone()]);
        self.donor.extend_from_slice(&o.donor[r.clone()]);
        self.maturity.extend_from_slice(&o.maturity[r.clone()]);
        self.foreign.extend_from_slice(&o.foreign[r]);
    }

    /// Number of motor axons (native and donor).
    pub fn len(&self) -> usize {
        self.axon.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.axon.is_empty()
    }

    /// Whether the unit's axon reaches its fibres (may still be blocked).
    pub fn connected(&self, u: usize) -> bool {
        matches!(
            self.axon[u],
            AxonState::Intact
                | AxonState::Blocked
                | AxonState::Degenerating
                | AxonState::Reconnected
        )
    }

    /// Whether the unit can drive its fibres through the nerve today.
    pub fn drives(&self, u: usize) -> bool {
        matches!(self.axon[u], AxonState::Intact | AxonState::Reconnected)
    }

    /// The one gate of a unit's fibres in the voluntary force of the intended movement
    /// (MRC grade): 1 if the axon drives its fibres through the nerve and belongs to the
    /// muscle's own motoneuron (not [`MotorUnits::foreign`]), times `maturity` (the
    /// unit's junction maturity, or a bound of it); 0 otherwise. Every voluntary-force sum
    /// (day stepper, lazy fibres, quiet stretches' certificate) reads it.
    #[inline]
    pub fn voluntary_gate(&self, u: usize, maturity: f32) -> f32 {
        (self.drives(u) && !self.foreign[u]) as u32 as f32 * maturity
    }
}

/// Muscle-wide state.
#[derive(Debug, Clone, Default)]
pub struct Muscle {
    /// Healthy contractile volume (Σ count·base_csa), µm² per section.
    pub healthy_contractile: f64,
    /// Healthy fibre count.
    pub healthy_fibres: f64,
    /// Healthy motor-unit count.
    pub healthy_units: f64,
    /// Healthy mean fibre diameter proxy (mean √base_csa).
    pub healthy_mean_diameter: f64,
    /// Non-contractile volume of the healthy muscle (constant).
    pub extracellular: f64,
    /// Fat and connective tissue that replaced dead fibres.
    pub fat: f64,
    /// Dead fibres (count).
    pub dead_fibres: f64,
    /// Voluntary activation relative to healthy (falls in disuse).
    pub neural_drive: f64,
    /// Radius of the cross-section, µm.
    pub radius_um: f64,
    /// Fibres per row of the position grid (fibre resolution).
    pub grid_row: usize,
}
