//! The measured quantities an expectation can name (the tables of the calibration format).

use std::fmt;

/// A quantity read from one muscle on one day of a single run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DailyQuantity {
    /// Whole-muscle wet mass, fraction of healthy.
    MuscleMassFraction,
    /// Whole-muscle anatomical cross-section, fraction of healthy.
    MuscleCsaFraction,
    /// Mean cross-section of surviving fibres, fraction of healthy.
    FiberCsaFraction,
    /// Mean diameter of surviving fibres, fraction of healthy.
    FiberDiameterFraction,
    /// Share of muscle volume that is fat or connective tissue (0–1).
    FatFibrousFraction,
    /// Force on direct muscle stimulation, fraction of healthy.
    TetanicForceFraction,
    /// Force through the nerve, fraction of healthy.
    VoluntaryForceFraction,
    /// Share of surviving fibres with a working axon (0–1).
    InnervatedFiberFraction,
    /// Functional motor units (count).
    MotorUnitCount,
    /// Functional motor units, fraction of healthy.
    MotorUnitCountFraction,
    /// Mean fibres per functional unit, fraction of healthy.
    MotorUnitSizeFraction,
    /// CMAP amplitude distal to the injury, fraction of healthy.
    CmapFraction,
    /// Needle-EMG fibrillation grade, 0–4.
    FibrillationGrade,
    /// MRC strength grade, 0–5.
    MrcGrade,
}

impl DailyQuantity {
    /// Every daily quantity, in a fixed order (the order of [`DailyQuantity::index`]).
    pub const ALL: [DailyQuantity; 14] = [
        DailyQuantity::MuscleMassFraction,
        DailyQuantity::MuscleCsaFraction,
        DailyQuantity::FiberCsaFraction,
        DailyQuantity::FiberDiameterFraction,
        DailyQuantity::FatFibrousFraction,
        DailyQuantity::TetanicForceFraction,
        DailyQuantity::VoluntaryForceFraction,
        DailyQuantity::InnervatedFiberFraction,
        DailyQuantity::MotorUnitCount,
        DailyQuantity::MotorUnitCountFraction,
        DailyQuantity::MotorUnitSizeFraction,
        DailyQuantity::CmapFraction,
        DailyQuantity::FibrillationGrade,
        DailyQuantity::MrcGrade,
    ];

    /// Position in [`DailyQuantity::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A day on which something first happens in a single run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventQuantity {
    /// First regrowing axon makes a working contact.
    FirstReinnervationDay,
    /// Fibrillation grade first ≥ 1.
    FirstFibrillationDay,
    /// MRC ≥ 3 first reached.
    Mrc3Day,
}

/// A summary over the members of a population experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopulationQuantity {
    /// Share of members with MRC ≥ `grade` on the day (grade 3, 4 or 5).
    FractionMrcAtLeast(u8),
    /// Median day on which MRC ≥ `grade` is first reached (3 or 5); never reached is infinite.
    MedianMrcDay(u8),
    /// Mean day on which MRC ≥ `grade` is first reached (3 or 5), for series that publish a
    /// mean; infinite if any member never reaches it.
    MeanMrcDay(u8),
}

impl PopulationQuantity {
    /// The grade of a recovery-day summary (median or mean), if this is one.
    pub fn recovery_grade(self) -> Option<u8> {
        match self {
            PopulationQuantity::MedianMrcDay(g) | PopulationQuantity::MeanMrcDay(g) => Some(g),
            PopulationQuantity::FractionMrcAtLeast(_) => None,
        }
    }
}

/// Any quantity of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Read on a day.
    Daily(DailyQuantity),
    /// An event day.
    Event(EventQuantity),
    /// A population summary.
    Population(PopulationQuantity),
}

const NAMES: &[(&str, Quantity)] = &[
    (
        "muscle_mass_fraction",
        Quantity::Daily(DailyQuantity::MuscleMassFraction),
    ),
    (
        "muscle_csa_fraction",
        Quantity::Daily(DailyQuantity::MuscleCsaFraction),
    ),
    (
        "fiber_csa_fraction",
        Quantity::Daily(DailyQuantity::FiberCsaFraction),
    ),
    (
        "fiber_diameter_fraction",
        Quantity::Daily(DailyQuantity::FiberDiameterFraction),
    ),
    (
        "fat_fibrous_fraction",
        Quantity::Daily(DailyQuantity::FatFibrousFraction),
    ),
    (
        "tetanic_force_fraction",
        Quantity::Daily(DailyQuantity::TetanicForceFraction),
    ),
    (
        "voluntary_force_fraction",
        Quantity::Daily(DailyQuantity::VoluntaryForceFraction),
    ),
    (
        "innervated_fiber_fraction",
        Quantity::Daily(DailyQuantity::InnervatedFiberFraction),
    ),
    (
        "motor_unit_count",
        Quantity::Daily(DailyQuantity::MotorUnitCount),
    ),
    (
        "motor_unit_count_fraction",
        Quantity::Daily(DailyQuantity::MotorUnitCountFraction),
    ),
    (
        "motor_unit_size_fraction",
        Quantity::Daily(DailyQuantity::MotorUnitSizeFraction),
    ),
    (
        "cmap_fraction",
        Quantity::Daily(DailyQuantity::CmapFraction),
    ),
    (
        "fibrillation_grade",
        Quantity::Daily(DailyQuantity::FibrillationGrade),
    ),
    ("mrc_grade", Quantity::Daily(DailyQuantity::MrcGrade)),
    (
        "first_reinnervation_day",
        Quantity::Event(EventQuantity::FirstReinnervationDay),
    ),
    (
        "first_fibrillation_day",
        Quantity::Event(EventQuantity::FirstFibrillationDay),
    ),
    ("mrc_3_day", Quantity::Event(EventQuantity::Mrc3Day)),
    (
        "fraction_mrc_ge_3",
        Quantity::Population(PopulationQuantity::FractionMrcAtLeast(3)),
    ),
    (
        "fraction_mrc_ge_4",
        Quantity::Population(PopulationQuantity::FractionMrcAtLeast(4)),
    ),
    (
        "fraction_mrc_5",
        Quantity::Population(PopulationQuantity::FractionMrcAtLeast(5)),
    ),
    (
        "median_mrc_3_day",
        Quantity::Population(PopulationQuantity::MedianMrcDay(3)),
    ),
    (
        "median_mrc_5_day",
        Quantity::Population(PopulationQuantity::MedianMrcDay(5)),
    ),
    (
        "mean_mrc_3_day",
        Quantity::Population(PopulationQuantity::MeanMrcDay(3)),
    ),
    (
        "mean_mrc_5_day",
        Quantity::Population(PopulationQuantity::MeanMrcDay(5)),
    ),
];

/// Accepted spelling variants: `fraction_mrc_ge_5` for symmetry with the other two, and the
/// British `fibre` for `fiber`.
const ALIASES: &[(&str, Quantity)] = &[
    (
        "fraction_mrc_ge_5",
        Quantity::Population(PopulationQuantity::FractionMrcAtLeast(5)),
    ),
    (
        "fibre_csa_fraction",
        Quantity::Daily(DailyQuantity::FiberCsaFraction),
    ),
    (
        "fibre_diameter_fraction",
        Quantity::Daily(DailyQuantity::FiberDiameterFraction),
    ),
    (
        "innervated_fibre_fraction",
        Quantity::Daily(DailyQuantity::InnervatedFiberFraction),
    ),
];

impl Quantity {
    /// The quantity with this name in the format (or an accepted variant), if any.
    pub fn from_name(name: &str) -> Option<Quantity> {
        NAMES
            .iter()
            .chain(ALIASES)
            .find(|(n, _)| *n == name)
            .map(|(_, q)| *q)
    }

    /// The format's name of this quantity.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, q)| *q == self)
            .map(|(n, _)| *n)
            .unwrap_or("unknown")
    }

    /// All names the format knows, for error messages.
    pub fn all_names() -> String {
        NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    }

    /// Whether the quantity needs a `day`.
    pub fn needs_day(self) -> bool {
        match self {
            Quantity::Daily(_) => true,
            Quantity::Event(_) => false,
            Quantity::Population(PopulationQuantity::FractionMrcAtLeast(_)) => true,
            Quantity::Population(PopulationQuantity::MedianMrcDay(_))
            | Quantity::Population(PopulationQuantity::MeanMrcDay(_)) => false,
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
