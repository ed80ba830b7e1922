//! The input of every view: a read-only, struct-of-slices picture of one muscle on one day.
//!
//! Fibres are columns (position, cross-sectional area, type, owning unit, state, day of
//! denervation); motor units are columns (axon state, nascent flag, day the regenerated axon
//! reached the muscle). The views never mutate it and never need the twin's internals: the
//! [`crate::adapter`] fills it from a `twin` simulation, tests fill it from synthetic data.

use crate::ViewError;

/// Sentinel for "no motor unit" in `fibre_unit`.
pub const NO_UNIT: u32 = u32::MAX;

/// Fibre type as an ATPase stain separates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FibreType {
    /// Slow oxidative (light at ATPase pH 9.4).
    I,
    /// Fast oxidative-glycolytic (dark at pH 9.4).
    IIa,
    /// Fast glycolytic (dark at pH 9.4).
    IIx,
}

impl FibreType {
    /// Whether the fibre is type I (light at ATPase pH 9.4).
    pub fn is_slow(self) -> bool {
        matches!(self, FibreType::I)
    }
}

/// State of one muscle fibre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FibreState {
    /// Innervated by a functioning motor unit.
    Innervated,
    /// Denervated but viable (fibrillates after a delay).
    Denervated,
    /// Taken over by a regrowing axon or sprout; junction maturing.
    Reinnervating,
    /// Dead and replaced by fat and connective tissue.
    Fat,
}

/// State of a motor unit's axon, seen from the nerve-conduction laboratory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AxonState {
    /// Conducts from the spinal cord to the muscle.
    Intact,
    /// Neurapraxia: conducts below the lesion but not across it.
    Blocked,
    /// Cut; the distal stump is still excitable (early Wallerian degeneration).
    Degenerating,
    /// Cut; the distal stump is gone.
    Degenerated,
    /// Regrowing toward the muscle, not yet there.
    Regenerating,
    /// Regrown and connected to muscle fibres again (slow, immature conduction).
    Reconnected,
    /// The motor neuron or axon is lost for good.
    Lost,
}

impl AxonState {
    /// Conducts an impulse started between the lesion and the muscle.
    pub fn conducts_distal(self) -> bool {
        matches!(
            self,
            AxonState::Intact
                | AxonState::Blocked
                | AxonState::Degenerating
                | AxonState::Reconnected
        )
    }
    /// Conducts an impulse started above the lesion (and a voluntary command).
    pub fn conducts_proximal(self) -> bool {
        matches!(self, AxonState::Intact | AxonState::Reconnected)
    }
}

/// The nerve lesion, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lesion {
    /// Day of injury.
    pub injury_day: f64,
    /// Distance from the lesion to the muscle's motor point, mm.
    pub distance_mm: f64,
}

/// One muscle on one day, as columns.
#[derive(Debug, Clone, Copy)]
pub struct MuscleState<'a> {
    /// Muscle name or abbreviation (selects normal NCS values).
    pub muscle: &'a str,
    /// Simulation day.
    pub day: f64,
    /// The lesion, if any.
    pub lesion: Option<Lesion>,
    /// Fibre centre x, µm.
    pub fibre_x_um: &'a [f32],
    /// Fibre centre y, µm.
    pub fibre_y_um: &'a [f32],
    /// Fibre cross-sectional area, µm².
    pub fibre_csa_um2: &'a [f32],
    /// Fibre type.
    pub fibre_type: &'a [FibreType],
    /// Owning motor unit ([`NO_UNIT`] when none).
    pub fibre_unit: &'a [u32],
    /// Fibre state.
    pub fibre_state: &'a [FibreState],
    /// Day the fibre lost its nerve supply (NaN if it never did or is innervated).
    pub fibre_denervated_day: &'a [f32],
    /// Axon state per motor unit.
    pub unit_axon: &'a [AxonState],
    /// Nascent (newly reinnervating, immature) flag per motor unit.
    pub unit_nascent: &'a [bool],
    /// Day the regenerated axon reached the muscle (NaN if not applicable).
    pub unit_reconnected_day: &'a [f32],
    /// Distal conduction of each unit's axon, 1 = normal, 0 = none (Wallerian degeneration).
    pub unit_distal_conduction: &'a [f32],
    /// Specific tension of each fibre relative to healthy.
    pub fibre_tension: &'a [f32],
    /// Voluntary activation relative to healthy (falls in disuse).
    pub neural_drive: f64,
    /// Fraction of the cross-section that is fat and connective tissue (from the twin).
    pub fat_fibrous_fraction: f64,
    /// Days a fibre must have been denervated before it fibrillates (the twin's
    /// `fibrillation_onset_days + fibrillation_onset_per_mm × lesion distance`), so that the
    /// synthetic EMG draws the fibres the readout's fibrillation grade counts.
    pub fibrillation_delay_days: f64,
    /// Non-contractile share of the healthy muscle (the twin's `extracellular_volume_fraction`);
    /// the twin keeps this tissue's absolute amount as fibres shrink, so it widens.
    pub extracellular_fraction: f64,
    /// Share of a dead fibre's healthy size that fat takes (the twin's
    /// `fat_replacement_fraction`).
    pub fat_replacement_fraction: f64,
    /// Mean cross-section of the muscle's fibres when healthy, µm² (the twin's fibre sizes before
    /// any change); a fibre of this size conducts at the measured mean velocity
    /// ([`crate::line_source::LineSource::velocity`]). Not positive: unknown (the fibre's own
    /// size is then taken as healthy).
    pub healthy_fibre_csa_um2: f64,
}

impl MuscleState<'_> {
    /// Number of fibres.
    pub fn n_fibres(&self) -> usize {
        self.fibre_x_um.len()
    }
    /// Number of motor units.
    pub fn n_units(&self) -> usize {
        self.unit_axon.len()
    }

    /// Checks that the columns agree in length and the numbers are sane.
    pub fn validate(&self) -> Result<(), ViewError> {
        let n = self.n_fibres();
        let fibre_cols = [
            ("fibre_y_um", self.fibre_y_um.len()),
            ("fibre_csa_um2", self.fibre_csa_um2.len()),
            ("fibre_type", self.fibre_type.len()),
            ("fibre_unit", self.fibre_unit.len()),
            ("fibre_state", self.fibre_state.len()),
            ("fibre_denervated_day", self.fibre_denervated_day.len()),
            ("fibre_tension", self.fibre_tension.len()),
        ];
        for (field, len) in fibre_cols {
            if len != n {
                return Err(ViewError::Length {
                    field,
                    len,
                    expected: n,
                });
            }
        }
        let u = self.n_units();
        for (field, len) in [
            ("unit_nascent", self.unit_nascent.len()),
            ("unit_reconnected_day", self.unit_reconnected_day.len()),
            ("unit_distal_conduction", self.unit_distal_conduction.len()),
        ] {
            if len != u {
                return Err(ViewError::Length {
                    field,
                    len,
                    expected: u,
                });
            }
        }
        if !self.day.is_finite() {
            return Err(ViewError::Value {
                field: "day",
                value: self.day,
                expected: "a finite day",
            });
        }
        if let Some(l) = self.lesion {
            if !(l.distance_mm.is_finite() && l.distance_mm >= 0.0) {
                return Err(ViewError::Value {
                    field: "lesion.distance_mm",
                    value: l.distance_mm,
                    expected: "a finite distance >= 0 mm",
                });
            }
            if !l.injury_day.is_finite() {
                return Err(ViewError::Value {
                    field: "lesion.injury_day",
                    value: l.injury_day,
                    expected: "a finite day",
                });
            }
        }
        if let Some(bad) = self
            .fibre_unit
            .iter()
            .find(|&&k| k != NO_UNIT && k as usize >= u)
        {
            return Err(ViewError::Value {
                field: "fibre_unit",
                value: f64::from(*bad),
                expected: "a unit index below the number of units, or NO_UNIT",
            });
        }
        if let Some(bad) = self
            .fibre_csa_um2
            .iter()
            .find(|c| !(c.is_finite() && **c >= 0.0))
        {
            return Err(ViewError::Value {
                field: "fibre_csa_um2",
                value: f64::from(*bad),
                expected: "a finite area >= 0",
            });
        }
        Ok(())
    }

    /// Whether fibre `i` is excitable through its motor unit by an impulse that passes
    /// `conducts` (a predicate on the unit's axon state).
    pub fn fibre_driven(&self, i: usize, conducts: impl Fn(AxonState) -> bool) -> bool {
        let owned = matches!(
            self.fibre_state[i],
            FibreState::Innervated | FibreState::Reinnervating
        );
        let u = self.fibre_unit[i];
        owned && u != NO_UNIT && conducts(self.unit_axon[u as usize])
    }
}

/// An owned muscle state (for tests, examples and adapters); [`OwnedMuscleState::view`] borrows it.
#[derive(Debug, Clone, Default)]
pub struct OwnedMuscleState {
    /// Muscle name.
    pub muscle: String,
    /// Day.
    pub day: f64,
    /// Lesion.
    pub lesion: Option<Lesion>,
    /// Fibre x, µm.
    pub fibre_x_um: Vec<f32>,
    /// Fibre y, µm.
    pub fibre_y_um: Vec<f32>,
    /// Fibre CSA, µm².
    pub fibre_csa_um2: Vec<f32>,
    /// Fibre type.
    pub fibre_type: Vec<FibreType>,
    /// Fibre unit.
    pub fibre_unit: Vec<u32>,
    /// Fibre state.
    pub fibre_state: Vec<FibreState>,
    /// Day of denervation.
    pub fibre_denervated_day: Vec<f32>,
    /// Unit axon state.
    pub unit_axon: Vec<AxonState>,
    /// Unit nascent flag.
    pub unit_nascent: Vec<bool>,
    /// Unit reconnection day.
    pub unit_reconnected_day: Vec<f32>,
    /// Unit distal conduction.
    pub unit_distal_conduction: Vec<f32>,
    /// Fibre specific tension.
    pub fibre_tension: Vec<f32>,
    /// Neural drive.
    pub neural_drive: f64,
    /// Fat and connective-tissue fraction.
    pub fat_fibrous_fraction: f64,
    /// Fibrillation delay after denervation, days.
    pub fibrillation_delay_days: f64,
    /// Healthy extracellular share.
    pub extracellular_fraction: f64,
    /// Fat share of a dead fibre's healthy size.
    pub fat_replacement_fraction: f64,
    /// Mean healthy fibre cross-section, µm².
    pub healthy_fibre_csa_um2: f64,
}

impl OwnedMuscleState {
    /// Borrows the columns as a [`MuscleState`].
    pub fn view(&self) -> MuscleState<'_> {
        MuscleState {
            muscle: &self.muscle,
            day: self.day,
            lesion: self.lesion,
            fibre_x_um: &self.fibre_x_um,
            fibre_y_um: &self.fibre_y_um,
            fibre_csa_um2: &self.fibre_csa_um2,
            fibre_type: &self.fibre_type,
            fibre_unit: &self.fibre_unit,
            fibre_state: &self.fibre_state,
            fibre_denervated_day: &self.fibre_denervated_day,
            unit_axon: &self.unit_axon,
            unit_nascent: &self.unit_nascent,
            unit_reconnected_day: &self.unit_reconnected_day,
            unit_distal_conduction: &self.unit_distal_conduction,
            fibre_tension: &self.fibre_tension,
            neural_drive: self.neural_drive,
            fat_fibrous_fraction: self.fat_fibrous_fraction,
            fibrillation_delay_days: self.fibrillation_delay_days,
            extracellular_fraction: self.extracellular_fraction,
            fat_replacement_fraction: self.fat_replacement_fraction,
            healthy_fibre_csa_um2: self.healthy_fibre_csa_um2,
        }
    }
}
