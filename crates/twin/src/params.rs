//! Parameters as data: one cited TOML file per species, embedded in the binary.
//!
//! Each file (`data/params/<species>.toml`) has a `[parameters.<name>]` table per
//! mechanism constant — `value`, `unit`, `min`, `max` and either a `source`
//! (authors, year, journal) or an `assumption` (why the number was chosen) — and a
//! `[muscles.<name>]` table per limb muscle whose every field is
//! `{ value = …, source = … }` or `{ value = …, assumption = … }`.
//!
//! Loading validates every entry once (unit as expected, value inside its range,
//! a source or a named assumption present); the mechanisms then read the typed
//! [`Coefficients`]. Overrides from a case file go through the same checks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use vocabulary::Species;

/// The embedded parameter file of a species.
fn species_data(species: Species) -> &'static str {
    match species {
        Species::Human => include_str!("../../../data/params/human.toml"),
        Species::Rat => include_str!("../../../data/params/rat.toml"),
        Species::Mouse => include_str!("../../../data/params/mouse.toml"),
    }
}

/// Errors from loading, validating or overriding parameters.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ParamError {
    /// The embedded data file does not parse.
    #[error("parameter file for {species}: {message}")]
    Parse {
        /// Species whose file failed.
        species: Species,
        /// What the TOML parser said.
        message: String,
    },
    /// A parameter the model needs is missing from the file.
    #[error("parameter `{name}` is missing from the {species} parameter file")]
    Missing {
        /// Species.
        species: Species,
        /// Parameter name.
        name: String,
    },
    /// A parameter has another unit than the model expects.
    #[error("parameter `{name}`: unit `{found}`, expected `{expected}`")]
    Unit {
        /// Parameter name.
        name: String,
        /// Unit found in the file.
        found: String,
        /// Unit the model expects.
        expected: String,
    },
    /// A value lies outside its documented range.
    #[error("parameter `{name}` = {value}: outside its range [{min}, {max}]")]
    OutOfRange {
        /// Parameter name.
        name: String,
        /// The offending value.
        value: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// An entry has neither a source nor a named assumption.
    #[error("parameter `{name}` has neither a `source` nor an `assumption`")]
    Unsourced {
        /// Parameter or muscle field name.
        name: String,
    },
    /// An override names a parameter the model does not have.
    #[error("unknown parameter `{name}` in overrides; known parameters: {known}")]
    UnknownParameter {
        /// The unknown name.
        name: String,
        /// Comma-separated list of the known names.
        known: String,
    },
    /// A muscle name the species file does not list.
    #[error("unknown muscle `{name}` for {species}; known muscles: {known}")]
    UnknownMuscle {
        /// Species.
        species: Species,
        /// The unknown name.
        name: String,
        /// Comma-separated list of the known muscles.
        known: String,
    },
    /// A species name that is not `human`, `rat` or `mouse`.
    #[error("unknown species `{0}`; expected one of: human, rat, mouse")]
    UnknownSpecies(String),
    /// A muscle field is invalid (e.g. zero fibres, fraction above 1).
    #[error("muscle `{muscle}` field `{field}` = {value}: {expected}")]
    BadMuscle {
        /// Muscle name.
        muscle: String,
        /// Field name.
        field: String,
        /// The offending value.
        value: f64,
        /// What was expected.
        expected: String,
    },
}

/// One parameter entry as stored in the data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamEntry {
    /// Central value.
    pub value: f64,
    /// Unit symbol (`d`, `mm/d`, `1`, `1/d` …).
    pub unit: String,
    /// Lowest plausible value.
    pub min: f64,
    /// Highest plausible value.
    pub max: f64,
    /// Authors, year, journal (when the figure is from the literature).
    #[serde(default)]
    pub source: Option<String>,
    /// The reason for a named assumption (when no source gives the figure).
    #[serde(default)]
    pub assumption: Option<String>,
    /// Free-text note (how a figure was derived from its source).
    #[serde(default)]
    pub note: Option<String>,
}

/// A cited number in a muscle table (the workspace's one definition).
pub use vocabulary::Cited;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMuscle {
    fibres: Cited,
    motor_units: Cited,
    type1_fraction: Cited,
    fibre_csa_um2: Cited,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    species: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    parameters: BTreeMap<String, ParamEntry>,
    muscles: BTreeMap<String, RawMuscle>,
}

/// A muscle of the species: the size of its motor-unit pool and fibre population.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MuscleSpec {
    /// snake_case name (`tibialis_anterior`).
    pub name: String,
    /// Number of muscle fibres.
    pub fibres: u32,
    /// Number of motor units (motor axons).
    pub motor_units: u32,
    /// Share of type I (slow) fibres.
    pub type1_fraction: f64,
    /// Mean fibre cross-sectional area, µm².
    pub fibre_csa_um2: f64,
    /// Provenance of each field (`field: source or assumption`).
    pub provenance: BTreeMap<String, String>,
    /// Free-text note.
    pub note: Option<String>,
}

impl MuscleSpec {
    /// Mean number of fibres per motor unit (the innervation ratio).
    pub fn innervation_ratio(&self) -> f64 {
        self.fibres as f64 / self.motor_units.max(1) as f64
    }
}

macro_rules! coefficients {
    ($($(#[$doc:meta])* $name:ident : $unit:literal,)*) => {
        /// Typed mechanism constants of one species, read from the data file.
        /// Each field's documentation names its unit; the value, range and source
        /// are in `data/params/<species>.toml` under the same name.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Coefficients {
            $($(#[$doc])* pub $name: f64,)*
        }

        impl Coefficients {
            /// Names and expected units of every coefficient, in declaration order.
            pub const NAMES: &'static [(&'static str, &'static str)] = &[$((stringify!($name), $unit),)*];

            fn from_entries(species: Species, map: &BTreeMap<String, ParamEntry>) -> Result<Self, ParamError> {
                Ok(Coefficients {
                    $($name: {
                        let name = stringify!($name);
                        let e = map.get(name).ok_or_else(|| ParamError::Missing { species, name: name.to_string() })?;
                        e.value
                    },)*
                })
            }
        }
    };
}

coefficients! {
    /// Days from axotomy until the distal axon stops conducting (d).
    wallerian_latency_days: "d",
    /// Days over which the distal response falls to zero once conduction fails (d).
    wallerian_duration_days: "d",
    /// Shortest recovery time of a neurapraxic conduction block (d).
    block_recovery_min_days: "d",
    /// Longest recovery time of a neurapraxic conduction block (d).
    block_recovery_max_days: "d",
    /// Start-up delay before axons advance after a crush/axonotmesis (d).
    regrowth_delay_crush_days: "d",
    /// Start-up delay before axons advance after a suture or graft (d).
    regrowth_delay_repair_days: "d",
    /// Mean axon regrowth speed at the reference age (mm/d).
    regrowth_speed_mm_per_day: "mm/d",
    /// Speed after a repair relative to after a crush (1).
    repair_speed_factor: "1",
    /// Coefficient of variation of the speed between axons (1).
    regrowth_speed_cv: "1",
    /// Age at which the regrowth speed is the reference speed (y).
    age_reference_years: "y",
    /// Relative fall of regrowth speed per year of age above the reference (1/y).
    age_speed_decline_per_year: "1/y",
    /// Share of coaptation success lost by old animals (at `age_old_years`) (1).
    age_coaptation_success_loss: "1",
    /// Age from which the old-animal loss of coaptation success applies in full (y).
    age_old_years: "y",
    /// Lowest value of the age factor on regrowth speed (1).
    regrowth_age_factor_min: "1",
    /// Highest value of the age factor on regrowth speed (1).
    regrowth_age_factor_max: "1",
    /// Clip, in standard deviations, of the per-axon regrowth-speed draw (1).
    regrowth_speed_clip_sd: "1",
    /// Share of axons that reach the muscle after a Sunderland II lesion (1).
    sunderland2_axon_success: "1",
    /// Share after a Sunderland III lesion (endoneurium disrupted) (1).
    sunderland3_axon_success: "1",
    /// Share after a Sunderland IV lesion (neuroma in continuity) (1).
    sunderland4_axon_success: "1",
    /// Share of axons crossing one coaptation into the right muscle (1).
    coaptation_axon_success: "1",
    /// Length constant of axon loss along a graft (mm).
    graft_length_constant_mm: "mm",
    /// Share of a mixed nerve's regenerating motor axons that end in a wrong target
    /// (another muscle's or a cutaneous pathway) after direct suture (1).
    wrong_target_share_mixed_suture: "1",
    /// The same after an autologous graft of a mixed nerve (1).
    wrong_target_share_mixed_graft: "1",
    /// Largest extra delay, per suture line, before an axon has crossed it (d).
    suture_crossing_days: "d",
    /// Time constant of the chronic-axotomy penalty (d).
    chronic_axotomy_tau_days: "d",
    /// Asymptote of the chronic-axotomy penalty (1).
    chronic_axotomy_asymptote: "1",
    /// Time constant of the chronic-denervation (distal stump) penalty (d).
    chronic_denervation_tau_days: "d",
    /// Asymptote of the chronic-denervation penalty (1).
    chronic_denervation_asymptote: "1",
    /// Ratio of the largest to the smallest motor unit, in fibres (1).
    unit_size_range: "1",
    /// Number of motor units whose fibres intermingle in one territory (1).
    territory_overlap: "1",
    /// Coefficient of variation of healthy fibre areas within a muscle (1).
    fibre_area_cv: "1",
    /// Clip, in standard deviations, of the per-fibre area draw (1).
    fibre_area_clip_sd: "1",
    /// Non-contractile (extracellular, fat, connective) share of healthy muscle volume (1).
    extracellular_volume_fraction: "1",
    /// Fractional myofibrillar protein turnover per day in health (1/d).
    protein_turnover_per_day: "1/d",
    /// Synthesis in a denervated fibre relative to health (1).
    denervated_synthesis_fraction: "1",
    /// Time constant of the fall of a denervated fibre's synthesis from the paralysed level
    /// to `denervated_synthesis_fraction` (d; 0: the floor from the first day).
    denervated_synthesis_decline_days: "d",
    /// Extra breakdown early after denervation, relative to the basal rate (1).
    denervation_breakdown_boost: "1",
    /// Time constant of the early breakdown boost's decline (d).
    denervation_breakdown_tau_days: "d",
    /// Time constant of the loss of specific tension in a denervated fibre (d).
    specific_tension_tau_days: "d",
    /// Floor of the specific tension of a denervated fibre (1).
    specific_tension_floor: "1",
    /// Time constant of the loss of a denervated fibre's capacity to regrow (d).
    regrowth_capacity_tau_days: "d",
    /// Weibull shape of the loss of regrowth capacity with denervation time (1).
    regrowth_capacity_shape: "1",
    /// Time constant of end-plate receptivity decay in a denervated fibre (d).
    end_plate_tau_days: "d",
    /// Asymptote of end-plate receptivity (1).
    end_plate_asymptote: "1",
    /// Shape (Weibull exponent) of the end-plate receptivity decay (1).
    end_plate_shape: "1",
    /// Denervation time before fibres begin to die (d).
    fibre_death_onset_days: "d",
    /// Mean survival of a denervated fibre after the onset of death (d).
    fibre_death_tau_days: "d",
    /// Share of a dead fibre's volume at death (its atrophied size) replaced by fat and connective tissue (1).
    fat_replacement_fraction: "1",
    /// Days after denervation before intact units sprout (d).
    sprouting_onset_days: "d",
    /// Daily adoption probability of an orphaned fibre amid innervated fibres (1/d).
    sprouting_rate_per_day: "1/d",
    /// Largest enlargement of a motor unit by sprouting or reinnervation (1).
    sprouting_cap: "1",
    /// Daily capture probability of a receptive fibre by an arrived axon (1/d).
    reinnervation_rate_per_day: "1/d",
    /// Days a new unit stays nascent (small, unstable potentials) (d).
    maturation_days: "d",
    /// Smallest unit counted as functional, as a share of the healthy mean unit size (1).
    motor_unit_detection_fraction: "1",
    /// Shortest delay from denervation of a fibre to fibrillation (d).
    fibrillation_onset_days: "d",
    /// Extra fibrillation delay per millimetre of distal stump (d/mm).
    fibrillation_onset_per_mm: "d/mm",
    /// Fibrillating share of fibres for grade 1 (1).
    fibrillation_grade1: "1",
    /// Fibrillating share of fibres for grade 2 (1).
    fibrillation_grade2: "1",
    /// Fibrillating share of fibres for grade 3 (1).
    fibrillation_grade3: "1",
    /// Fibrillating share of fibres for grade 4 (1).
    fibrillation_grade4: "1",
    /// Voluntary force fraction for MRC 2 (1).
    mrc2_force: "1",
    /// Voluntary force fraction for MRC 3 (1).
    mrc3_force: "1",
    /// Voluntary force fraction for MRC 4 (1).
    mrc4_force: "1",
    /// Voluntary force fraction for MRC 5 (1).
    mrc5_force: "1",
    /// Weight moment of the unloaded arm held at 90 degrees, as a share of the healthy
    /// shoulder elevators' maximal isometric moment ([`crate::gravity`]) (1).
    abduction_arm_weight_load: "1",
    /// The supraspinatus's share of the shoulder elevators' maximal moment; the deltoid's is
    /// the rest ([`crate::gravity`]) (1).
    supraspinatus_elevation_share: "1",
    /// Weight moment of the forearm and hand held horizontal, as a share of the healthy
    /// elbow flexors' maximal moment ([`crate::gravity`]) (1).
    elbow_flexion_forearm_weight_load: "1",
    /// The brachioradialis's share of the elbow flexors' maximal moment; the musculocutaneous
    /// flexors' (biceps brachii and brachialis) is the rest ([`crate::gravity`]) (1).
    brachioradialis_flexion_share: "1",
    /// Days after the injury within which an MRC grade must fall below a threshold
    /// for the recovery event to be dated later than the injury day (d).
    mrc_event_settle_days: "d",
    /// Stimulated contractions per hour of a stimulation session (1/h).
    contractions_per_hour: "1/h",
    /// Daily contractions giving half the protection of mass (1/d).
    stim_mass_half_dose: "1/d",
    /// Daily contractions giving half the protection of force (1/d).
    stim_force_half_dose: "1/d",
    /// Daily contractions at which over-use halves the force benefit (1/d).
    stim_overuse_dose: "1/d",
    /// Steepness (Hill coefficient) of the stimulation dose-response (1).
    stim_hill: "1",
    /// Synthesis relative to health during limb unloading (1).
    unloading_synthesis_fraction: "1",
    /// Synthesis relative to health during bed rest (1).
    bed_rest_synthesis_fraction: "1",
    /// Synthesis relative to health during cast immobilization (1).
    immobilization_synthesis_fraction: "1",
    /// Synthesis relative to health in an innervated, never-activated muscle (1).
    paralysis_synthesis_fraction: "1",
    /// Days for synthesis to fall to its disuse level (d).
    disuse_onset_days: "d",
    /// Largest loss of neural drive (voluntary activation) in disuse (1).
    disuse_neural_drive_loss: "1",
    /// Time constant of the neural-drive loss in disuse (d).
    disuse_neural_tau_days: "d",
    /// Synthesis boost from progressive resistance exercise after reinnervation (1).
    resistance_synthesis_boost: "1",
    /// Slowing of end-plate decay by range-of-motion exercise (1).
    range_of_motion_end_plate_factor: "1",
    /// Regrowth speed factor with diabetes (1).
    diabetes_speed_factor: "1",
    /// Regrowth speed factor with smoking (1).
    smoking_speed_factor: "1",
    /// Synthesis factor with protein supplementation (1).
    protein_synthesis_factor: "1",
}

/// A validated parameter set for one species: mechanism coefficients and muscle table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parameters {
    species: Species,
    entries: BTreeMap<String, ParamEntry>,
    /// The typed coefficients the mechanisms read.
    pub coef: Coefficients,
    muscles: BTreeMap<String, MuscleSpec>,
}

fn provenance(name: &str, v: &Cited) -> Result<String, ParamError> {
    v.provenance().ok_or_else(|| ParamError::Unsourced {
        name: name.to_string(),
    })
}

fn check_entry(name: &str, e: &ParamEntry, expected_unit: &str) -> Result<(), ParamError> {
    if e.unit != expected_unit {
        return Err(ParamError::Unit {
            name: name.to_string(),
            found: e.unit.clone(),
            expected: expected_unit.to_string(),
        });
    }
    if !vocabulary::cited::has_provenance(e.source.as_deref(), e.assumption.as_deref()) {
        return Err(ParamError::Unsourced {
            name: name.to_string(),
        });
    }
    if e.min.partial_cmp(&e.max) == Some(std::cmp::Ordering::Greater)
        || e.min.is_nan()
        || !e.value.is_finite()
        || e.value < e.min
        || e.value > e.max
    {
        return Err(ParamError::OutOfRange {
            name: name.to_string(),
            value: e.value,
            min: e.min,
            max: e.max,
        });
    }
    Ok(())
}

impl Parameters {
    /// Loads and validates the embedded parameter file of a species.
    pub fn for_species(species: Species) -> Result<Parameters, ParamError> {
        Self::from_toml_str(species, species_data(species))
    }

    /// Loads and validates a parameter file given as text (for tests and tools).
    pub fn from_toml_str(species: Species, text: &str) -> Result<Parameters, ParamError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ParamError::Parse {
            species,
            message: e.to_string(),
        })?;
        if raw.species != species.name() {
            return Err(ParamError::Parse {
                species,
                message: format!("file declares species `{}`", raw.species),
            });
        }
        for (name, unit) in Coefficients::NAMES {
            let e = raw
                .parameters
                .get(*name)
                .ok_or_else(|| ParamError::Missing {
                    species,
                    name: name.to_string(),
                })?;
            check_entry(name, e, unit)?;
        }
        if let Some(extra) = raw
            .parameters
            .keys()
            .find(|k| !Coefficients::NAMES.iter().any(|(n, _)| n == k))
        {
            return Err(ParamError::UnknownParameter {
                name: extra.clone(),
                known: known_names(),
            });
        }
        let coef = Coefficients::from_entries(species, &raw.parameters)?;
        let mut muscles = BTreeMap::new();
        for (name, m) in raw.muscles {
            let mut prov = BTreeMap::new();
            for (field, v) in [
                ("fibres", &m.fibres),
                ("motor_units", &m.motor_units),
                ("type1_fraction", &m.type1_fraction),
                ("fibre_csa_um2", &m.fibre_csa_um2),
            ] {
                prov.insert(
                    field.to_string(),
                    provenance(&format!("{name}.{field}"), v)?,
                );
            }
            let bad = |field: &str, value: f64, expected: &str| ParamError::BadMuscle {
                muscle: name.clone(),
                field: field.to_string(),
                value,
                expected: expected.to_string(),
            };
            if !(m.fibres.value >= 1.0 && m.fibres.value <= 5.0e6) {
                return Err(bad(
                    "fibres",
                    m.fibres.value,
                    "a count between 1 and 5,000,000",
                ));
            }
            if !(m.motor_units.value >= 1.0 && m.motor_units.value <= m.fibres.value) {
                return Err(bad(
                    "motor_units",
                    m.motor_units.value,
                    "a count between 1 and the fibre count",
                ));
            }
            if !(0.0..=1.0).contains(&m.type1_fraction.value) {
                return Err(bad(
                    "type1_fraction",
                    m.type1_fraction.value,
                    "a fraction in [0, 1]",
                ));
            }
            if !(m.fibre_csa_um2.value > 0.0 && m.fibre_csa_um2.value < 50_000.0) {
                return Err(bad(
                    "fibre_csa_um2",
                    m.fibre_csa_um2.value,
                    "an area in (0, 50000) um2",
                ));
            }
            muscles.insert(
                name.clone(),
                MuscleSpec {
                    name: name.clone(),
                    fibres: m.fibres.value.round() as u32,
                    motor_units: m.motor_units.value.round() as u32,
                    type1_fraction: m.type1_fraction.value,
                    fibre_csa_um2: m.fibre_csa_um2.value,
                    provenance: prov,
                    note: m.note,
                },
            );
        }
        Ok(Parameters {
            species,
            entries: raw.parameters,
            coef,
            muscles,
        })
    }

    /// The species.
    pub fn species(&self) -> Species {
        self.species
    }

    /// The stored entry (value, unit, range, source) of a parameter.
    pub fn entry(&self, name: &str) -> Option<&ParamEntry> {
        self.entries.get(name)
    }

    /// All entries by name.
    pub fn entries(&self) -> &BTreeMap<String, ParamEntry> {
        &self.entries
    }

    /// Replaces parameter values by name; every value must lie in its range.
    /// Errors name the unknown parameter (with the known names) or the value and range.
    pub fn apply_overrides(&mut self, overrides: &BTreeMap<String, f64>) -> Result<(), ParamError> {
        for (name, &value) in overrides {
            let entry = self
                .entries
                .get_mut(name)
                .ok_or_else(|| ParamError::UnknownParameter {
                    name: name.clone(),
                    known: known_names(),
                })?;
            if !value.is_finite() || value < entry.min || value > entry.max {
                return Err(ParamError::OutOfRange {
                    name: name.clone(),
                    value,
                    min: entry.min,
                    max: entry.max,
                });
            }
            entry.value = value;
        }
        self.coef = Coefficients::from_entries(self.species, &self.entries)?;
        Ok(())
    }

    /// Whether the species has a muscle of this snake_case name (no error text built: a
    /// cheap test for callers that fall back to another muscle).
    pub fn has_muscle(&self, name: &str) -> bool {
        self.muscles.contains_key(name)
    }

    /// Looks up a muscle by snake_case name; the error lists the known muscles.
    pub fn muscle(&self, name: &str) -> Result<&MuscleSpec, ParamError> {
        self.muscles.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.muscles.keys().map(String::as_str).collect();
            ParamError::UnknownMuscle {
                species: self.species,
                name: crate::limits::echo(name),
                known: format!(
                    "{}{}",
                    known.join(", "),
                    crate::limits::did_you_mean(&crate::limits::close_names(name, &known, &[]))
                ),
            }
        })
    }

    /// All muscles of the species, by name.
    pub fn muscles(&self) -> impl Iterator<Item = &MuscleSpec> {
        self.muscles.values()
    }
}

fn known_names() -> String {
    Coefficients::NAMES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}
