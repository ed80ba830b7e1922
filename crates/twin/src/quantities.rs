//! The per-day outputs named in the calibration format, derived from the state.
//!
//! Every number is a sum over the fibre and motor-unit tables — nothing bypasses
//! the state. Definitions (fractions relative to the same muscle healthy):
//!
//! * volumes: contractile = Σ count·base_csa·size over living fibres; fat/fibrous =
//!   the healthy extracellular share plus fat that replaced dead fibres; mass and
//!   anatomical CSA are contractile + fat/fibrous relative to healthy (equal
//!   density, a named assumption).
//! * `tetanic_force_fraction` = Σ count·base_csa·size·tension over living fibres
//!   (direct stimulation excites every living fibre); `voluntary_force_fraction`
//!   the same over fibres of units whose axon drives them, times neural drive;
//!   `nerve_stimulation_force_fraction` the same over innervated fibres times their
//!   axon's distal conduction (supramaximal nerve stimulation distal to the lesion:
//!   blocked axons still fire their fibres, degenerated ones do not).
//! * `cmap_fraction` = Σ count·√size·conduction over innervated fibres (amplitude
//!   scales with fibre diameter: a named assumption); `proximal_cmap_fraction` the
//!   same over fibres of units whose axon conducts across the lesion.
//! * unit summaries for the clinical readout (crate `readout`): units a voluntary
//!   command can fire, native (never regenerated) functional units, the share of
//!   functional units whose axon regenerated and the days since the earliest of them
//!   reconnected.
//! * `fibrillation_grade`: share of living fibres denervated for longer than the
//!   fibrillation delay, mapped to 0–4 by the thresholds in the parameter file.
//! * `mrc_grade`: voluntary force mapped to 0–5 by the thresholds in the parameter
//!   file (0 = no working motor unit).

use serde::{Deserialize, Serialize};

/// Every per-day quantity of `calibration/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Quantities {
    /// Day.
    pub day: u32,
    /// Whole-muscle wet mass relative to healthy.
    pub muscle_mass_fraction: f64,
    /// Whole-muscle anatomical cross-section relative to healthy.
    pub muscle_csa_fraction: f64,
    /// Mean cross-section of surviving fibres relative to healthy.
    pub fiber_csa_fraction: f64,
    /// Mean diameter of surviving fibres relative to healthy.
    pub fiber_diameter_fraction: f64,
    /// Share of muscle volume that is fat or connective tissue (absolute).
    pub fat_fibrous_fraction: f64,
    /// Maximal force on direct muscle stimulation relative to healthy.
    pub tetanic_force_fraction: f64,
    /// Maximal force through the nerve relative to healthy.
    pub voluntary_force_fraction: f64,
    /// Maximal force on supramaximal nerve stimulation distal to the lesion, relative to
    /// healthy (blocked axons fire their fibres; degenerated axons do not).
    #[serde(default)]
    pub nerve_stimulation_force_fraction: f64,
    /// Share of surviving fibres with a motor axon (absolute).
    pub innervated_fiber_fraction: f64,
    /// Functional motor units (absolute): units whose axon conducts distally (as
    /// counted by distal stimulation; a proximal conduction block does not remove
    /// them) and that innervate at least the detection share of a healthy unit.
    pub motor_unit_count: f64,
    /// Functional motor units relative to healthy.
    pub motor_unit_count_fraction: f64,
    /// Mean fibres per functional unit relative to healthy.
    pub motor_unit_size_fraction: f64,
    /// CMAP amplitude on stimulation distal to the lesion relative to healthy.
    pub cmap_fraction: f64,
    /// CMAP amplitude on stimulation proximal to the lesion relative to healthy (the
    /// distal CMAP without the units blocked at the lesion).
    #[serde(default)]
    pub proximal_cmap_fraction: f64,
    /// Functional units a voluntary command can fire (axon conducts across the lesion).
    #[serde(default)]
    pub voluntary_unit_count: f64,
    /// Those units relative to the healthy unit count.
    #[serde(default)]
    pub voluntary_unit_count_fraction: f64,
    /// Functional units with their original (never regenerated) axon, relative to healthy.
    #[serde(default)]
    pub native_unit_count_fraction: f64,
    /// Share of functional units whose axon regenerated (or was transferred).
    #[serde(default)]
    pub regenerated_unit_fraction: f64,
    /// Days since the earliest-reconnected functional regenerated unit reconnected (0 if none).
    #[serde(default)]
    pub oldest_reconnection_days: f64,
    /// Fibrillations and positive sharp waves, 0–4.
    pub fibrillation_grade: u8,
    /// MRC strength grade, 0–5.
    pub mrc_grade: u8,
    /// Conduction block across the lesion: share of connected axons blocked.
    pub conduction_block_fraction: f64,
    /// Share of functional units that are nascent (recently reinnervated).
    pub nascent_unit_fraction: f64,
}

impl Quantities {
    /// Names of the quantities, as in the calibration format.
    pub const NAMES: &'static [&'static str] = &[
        "muscle_mass_fraction",
        "muscle_csa_fraction",
        "fiber_csa_fraction",
        "fiber_diameter_fraction",
        "fat_fibrous_fraction",
        "tetanic_force_fraction",
        "voluntary_force_fraction",
        "innervated_fiber_fraction",
        "motor_unit_count",
        "motor_unit_count_fraction",
        "motor_unit_size_fraction",
        "cmap_fraction",
        "fibrillation_grade",
        "mrc_grade",
    ];

    /// A quantity by its calibration name.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "muscle_mass_fraction" => self.muscle_mass_fraction,
            "muscle_csa_fraction" => self.muscle_csa_fraction,
            "fiber_csa_fraction" => self.fiber_csa_fraction,
            "fiber_diameter_fraction" => self.fiber_diameter_fraction,
            "fat_fibrous_fraction" => self.fat_fibrous_fraction,
            "tetanic_force_fraction" => self.tetanic_force_fraction,
            "voluntary_force_fraction" => self.voluntary_force_fraction,
            "innervated_fiber_fraction" => self.innervated_fiber_fraction,
            "motor_unit_count" => self.motor_unit_count,
            "motor_unit_count_fraction" => self.motor_unit_count_fraction,
            "motor_unit_size_fraction" => self.motor_unit_size_fraction,
            "cmap_fraction" => self.cmap_fraction,
            "fibrillation_grade" => self.fibrillation_grade as f64,
            "mrc_grade" => self.mrc_grade as f64,
            "conduction_block_fraction" => self.conduction_block_fraction,
            "nascent_unit_fraction" => self.nascent_unit_fraction,
            "nerve_stimulation_force_fraction" => self.nerve_stimulation_force_fraction,
            "proximal_cmap_fraction" => self.proximal_cmap_fraction,
            "voluntary_unit_count" => self.voluntary_unit_count,
            "voluntary_unit_count_fraction" => self.voluntary_unit_count_fraction,
            "native_unit_count_fraction" => self.native_unit_count_fraction,
            "regenerated_unit_fraction" => self.regenerated_unit_fraction,
            "oldest_reconnection_days" => self.oldest_reconnection_days,
            _ => return None,
        })
    }
}

/// Event days (days since day 0 of the scenario; `None` = not reached).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Events {
    /// First day a regrown (or transferred) axon makes a working contact.
    pub first_reinnervation_day: Option<u32>,
    /// First day the fibrillation grade is ≥ 1.
    pub first_fibrillation_day: Option<u32>,
    /// First day MRC ≥ 3 after the injury (the injury day if strength never fell below 3).
    pub mrc_3_day: Option<u32>,
    /// First day MRC 5 after the injury (the injury day if strength never fell below 5).
    pub mrc_5_day: Option<u32>,
}

impl Events {
    /// Names of the event quantities, as in the calibration format.
    pub const NAMES: &'static [&'static str] = &[
        "first_reinnervation_day",
        "first_fibrillation_day",
        "mrc_3_day",
        "mrc_5_day",
    ];

    /// An event by its calibration name: `Some(None)` if known but not reached.
    pub fn get(&self, name: &str) -> Option<Option<u32>> {
        Some(match name {
            "first_reinnervation_day" => self.first_reinnervation_day,
            "first_fibrillation_day" => self.first_fibrillation_day,
            "mrc_3_day" => self.mrc_3_day,
            "mrc_5_day" => self.mrc_5_day,
            _ => return None,
        })
    }
}

/// Maps a share to a grade by ascending thresholds (grade = thresholds passed).
pub fn grade(value: f64, thresholds: &[f64]) -> u8 {
    thresholds.iter().take_while(|&&t| value >= t).count() as u8
}
