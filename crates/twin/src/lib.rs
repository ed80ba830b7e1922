//! # twin — the physiology core of reinnervate
//!
//! A day-by-day simulation of the nerve–muscle unit after a nerve injury: motor
//! axons (block, Wallerian degeneration, regrowth, repair), motor units (sizes,
//! territories, sprouting, reinnervation) and muscle fibres (atrophy, death, fat),
//! with treatments (repair, stimulation, disuse, rehabilitation).
//!
//! No I/O: no files, terminal, HTTP or clock; all randomness comes from the
//! scenario's seed. Parameters are cited data embedded from `data/params/`.
//!
//! ## Using it
//! ```
//! use twin::{Parameters, Resolution, Scenario, Simulation, Species};
//! let scenario = Scenario::from_toml_str(r#"
//!     species = "rat"
//!     muscle = "extensor_digitorum_longus"
//!     horizon_days = 35
//!     [injury]
//!     grade = "neurotmesis"
//!     distance_mm = 20
//!     regrowth = "prevented"
//! "#).unwrap();
//! let params = Parameters::for_species(Species::Rat).unwrap();
//! let course = Simulation::new(&scenario, &params, Resolution::Pooled).unwrap().run(35);
//! assert!(course.at(35).muscle_mass_fraction < 0.6);
//! ```
//!
//! ## Public surface
//! * [`Species`], [`Parameters`] (`for_species`, `apply_overrides`, `muscle`),
//!   [`MuscleSpec`], [`Coefficients`] — parameters as validated data.
//! * [`Scenario`], [`Injury`], [`Grade`], [`Regrowth`], [`Treatment`],
//!   [`RepairMethod`], [`StimulationDose`], [`DisuseModel`], [`RehabKind`],
//!   [`Modifiers`] — the case (serde-deserialisable from TOML).
//! * [`Simulation`] (`new`, `step`, `day`, `quantities`, `events`, `run`),
//!   [`Resolution`], [`TimeCourse`], [`Quantities`], [`Events`], [`TwinError`].
//! * Read access for pictures and EMG: [`Simulation::fibres`] ([`FibreView`]:
//!   positions, CSA, type, unit, state), [`Simulation::motor_units`]
//!   ([`MotorUnitView`]: axon state, block, nascent, days since reinnervation),
//!   [`Simulation::muscle_radius_um`], [`Simulation::fat_fibrous_fraction`],
//!   [`Simulation::lesion_distance_mm`], [`Simulation::injury_day`].
//! * [`patient`] — between-patient parameter draws (populations, prognosis).
//! * [`limits`] — the documented limits on draws, populations, days and axon counts, one
//!   check for flags, files and requests alike ([`limits::Limits`], [`limits::LimitError`]).
//! * [`cohort`] — many seeded draws in parallel, deterministic, in index order.
//! * [`equivalence`] — a time course against a reference course (exactly, or within the
//!   tolerance the event-driven engine is held to against the day stepper).
//!
//! ## Mechanisms (one module each, called in the order documented in [`sim`])
//! [`lesion`], [`conduction`], [`wallerian`], [`regrowth`], [`repair`],
//! [`end_plate`], [`maturation`], [`reinnervation`], [`sprouting`], [`disuse`], [`stimulation`],
//! [`atrophy`], [`fibrosis`]; the pool is built by [`motor_unit`].
#![deny(missing_docs)]

pub mod atrophy;
pub mod cohort;
pub mod conduction;
pub mod disuse;
pub mod end_plate;
pub mod equivalence;
pub mod fibrosis;
pub mod gravity;
mod lazy_fibres;
pub mod lesion;
pub mod limits;
pub mod maturation;
mod memo;
pub mod motor_unit;
pub mod nerve_counts;
pub mod params;
pub mod patient;
pub mod quantities;
mod quiet;
pub mod regrowth;
pub mod reinnervation;
pub mod repair;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod sprouting;
pub mod state;
pub mod stimulation;
pub mod treatment;
pub mod treatment_keys;
pub mod units;
pub mod wallerian;

pub use params::{Coefficients, MuscleSpec, ParamEntry, ParamError, Parameters, Species};
pub use quantities::{Events, Quantities};
pub use scenario::{
    DisuseModel, Grade, Injury, Modifiers, Regrowth, RehabKind, RepairMethod, Scenario,
    ScenarioError, StimulationDose, Treatment,
};
pub use sim::{
    FibreView, MotorUnitView, Resolution, Simulation, Stepper, TimeCourse, TwinError, run,
    run_scenario, shared_days,
};
pub use state::{AxonState, FibreState, FibreType, NO_UNIT};
pub use units::{Days, Fraction, Micrometres, Millimetres, MmPerDay};
