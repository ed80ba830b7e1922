//! Typed physiological quantities that cross module boundaries.
//!
//! Newtypes over `f64` so that a day is never mistaken for a distance. All are
//! `serde(transparent)`, so a case file writes plain numbers.

use serde::{Deserialize, Serialize};

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident, $unit:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// The unit symbol, for messages and tables.
            pub const UNIT: &'static str = $unit;
            /// The bare number.
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} {}", self.0, $unit)
            }
        }
    };
}

unit!(
    /// A time in days (since day 0 of a scenario, or a duration).
    Days,
    "d"
);
unit!(
    /// A length in millimetres (nerve distances, graft lengths).
    Millimetres,
    "mm"
);
unit!(
    /// A regeneration speed in millimetres per day.
    MmPerDay,
    "mm/d"
);
unit!(
    /// A length in micrometres (fibre positions, cross-section radius).
    Micrometres,
    "um"
);
unit!(
    /// A share in \[0, 1\].
    Fraction,
    ""
);

impl Fraction {
    /// A fraction clamped into \[0, 1\] (NaN becomes 0).
    pub fn clamped(x: f64) -> Fraction {
        if x.is_nan() {
            Fraction(0.0)
        } else {
            Fraction(x.clamp(0.0, 1.0))
        }
    }
}
