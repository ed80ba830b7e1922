//! The one reader of a treatment's keys: the key names of each period kind and of a repair, the
//! dose ranges, which dose keys may be given together and the order of a period's days; a
//! repair's method words, graft length range, donor axon count and which keys each method needs. The twin's
//! scenario reader ([`crate::Scenario::from_toml_str`]), calibration's experiment reader (which
//! wraps the same numbers in distributions) and the clinic's case reader all call these
//! functions, so a malformed period gets the same field, value and expected text from each.
//!
//! A [`KeyError`] names the key relative to the treatment's table (`end_day`,
//! `hours_per_day`); each reader puts its own path in front (`treatment[0]`,
//! `experiment.treatment[0]`).

use crate::scenario::StimulationDose;

/// The kinds of treatment that act over a period (`start_day` to `end_day`).
pub const PERIOD_KINDS: [&str; 3] = ["stimulation", "disuse", "rehabilitation"];

/// The keys every period kind has.
pub const PERIOD_KEYS: [&str; 2] = ["start_day", "end_day"];

/// Another spelling accepted for `programme`.
pub const PROGRAMME_ALIAS: &str = "program";

/// The keys a period treatment of `kind` has besides [`PERIOD_KEYS`] (and `kind`), or `None`
/// when `kind` is not a period kind.
pub fn own_keys(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "stimulation" => Some(&[CONTRACTIONS_PER_DAY.key, HOURS_PER_DAY.key]),
        "disuse" => Some(&["model"]),
        "rehabilitation" => Some(&["programme"]),
        _ => None,
    }
}

/// A treatment key's value refused, or a key missing or given with another.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("field `{key}` = {value}: expected {expected}")]
pub struct KeyError {
    /// The key inside the treatment's table.
    pub key: &'static str,
    /// The value as written (`missing`, `given with ...`).
    pub value: String,
    /// What would have been accepted.
    pub expected: String,
}

/// The accepted values of one numeric key (a dose, a graft length).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyRange {
    /// The key.
    pub key: &'static str,
    /// Least accepted value (included: a dose of 0 is a sham stimulation).
    pub lo: f64,
    /// Greatest accepted value (included).
    pub hi: f64,
    /// The accepted values in words.
    pub what: &'static str,
}

/// `contractions_per_day`: 0 to 100000 stimulated contractions a day.
pub const CONTRACTIONS_PER_DAY: KeyRange = KeyRange {
    key: "contractions_per_day",
    lo: 0.0,
    hi: 100_000.0,
    what: "a count between 0 and 100000",
};

/// `hours_per_day`: 0 to 24 hours of stimulation a day.
pub const HOURS_PER_DAY: KeyRange = KeyRange {
    key: "hours_per_day",
    lo: 0.0,
    hi: 24.0,
    what: "hours between 0 and 24",
};

impl KeyRange {
    /// Whether `x` is an accepted dose.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite() && x >= self.lo && x <= self.hi
    }

    /// `x` if accepted, else an error naming this key, `x` and the range.
    pub fn check(&self, x: f64) -> Result<f64, KeyError> {
        if self.contains(x) {
            Ok(x)
        } else {
            Err(KeyError {
                key: self.key,
                value: crate::limits::echo(&x.to_string()),
                expected: self.what.to_string(),
            })
        }
    }
}

/// The kind of a treatment on the nerve at one day.
pub const REPAIR_KIND: &str = "repair";

/// The words of a repair's `method` (of [`crate::RepairMethod`]'s variants, in order).
pub const REPAIR_METHODS: [&str; 3] = ["primary", "graft", "transfer"];

/// The accepted `method` words in an error's expected text.
pub const REPAIR_METHODS_EXPECTED: &str = "primary, graft or transfer";

/// The keys every reader of a repair has besides `kind` (a reader may add its own: the twin and
/// calibration name a transfer's donor by `donor_nerve` and `recipient_nerve`, the clinic by an
/// atlas `transfer`, a `coaptation` and a `date`).
pub const REPAIR_KEYS: [&str; 6] = [
    "day",
    "method",
    GRAFT_LENGTH_MM.key,
    DONOR_AXONS,
    "donor_axotomized_days",
    "distance_mm",
];

/// The key of a transfer's donor motor-axon count.
pub const DONOR_AXONS: &str = "donor_axons";

/// `graft_length_mm`: a graft of 0 to 2000 mm (the twin's distance rule).
pub const GRAFT_LENGTH_MM: KeyRange = KeyRange {
    key: "graft_length_mm",
    lo: 0.0,
    hi: 2000.0,
    what: "a graft length in mm between 0 and 2000",
};

/// Which method a repair's `method` word names (without the method's numbers), or an error
/// naming the word and the accepted words.
pub fn repair_method(word: &str) -> Result<&'static str, KeyError> {
    REPAIR_METHODS
        .into_iter()
        .find(|m| *m == word)
        .ok_or_else(|| KeyError {
            key: "method",
            value: crate::limits::echo(word),
            expected: REPAIR_METHODS_EXPECTED.to_string(),
        })
}

/// A graft's length: required for a graft, then [`GRAFT_LENGTH_MM`]'s range.
pub fn graft_length(x: Option<f64>) -> Result<f64, KeyError> {
    match x {
        Some(x) => GRAFT_LENGTH_MM.check(x),
        None => Err(KeyError {
            key: GRAFT_LENGTH_MM.key,
            value: "missing".to_string(),
            expected: format!("{} (required for a graft)", GRAFT_LENGTH_MM.what),
        }),
    }
}

/// A transfer's donor motor-axon count: 1 to the default [`crate::limits::Limits::max_axons`],
/// rounded to a whole count.
pub fn donor_axons(x: f64) -> Result<u32, KeyError> {
    crate::limits::Limits::default()
        .axons(DONOR_AXONS, x)
        .map(|n| n.round() as u32)
        .map_err(|e| KeyError {
            key: DONOR_AXONS,
            value: crate::limits::echo(&x.to_string()),
            expected: e.expected(),
        })
}

/// How a transfer names its donor: `donor_axons`, or `donor_nerve` with `recipient_nerve`
/// (their counts size-matched), not both; `Ok(true)` when by the two nerves.
pub fn donor_by_nerves(
    axons_given: bool,
    donor_nerve_given: bool,
    recipient_nerve_given: bool,
) -> Result<bool, KeyError> {
    match (donor_nerve_given, recipient_nerve_given) {
        (false, false) => Ok(false),
        (true, true) if !axons_given => Ok(true),
        (true, true) => Err(KeyError {
            key: DONOR_AXONS,
            value: "given with donor_nerve".to_string(),
            expected: "either donor_axons or donor_nerve and recipient_nerve, not both".to_string(),
        }),
        (true, false) => Err(KeyError {
            key: "recipient_nerve",
            value: "missing".to_string(),
            expected: "the recipient nerve's id (required with donor_nerve)".to_string(),
        }),
        (false, true) => Err(KeyError {
            key: "donor_nerve",
            value: "missing".to_string(),
            expected: "the donor nerve's id (required with recipient_nerve)".to_string(),
        }),
    }
}

/// The one dose key a stimulation gives, from which of the two keys are present: exactly one
/// of them (both together are refused, not one silently preferred).
pub fn dose_key(contractions_given: bool, hours_given: bool) -> Result<KeyRange, KeyError> {
    const EXPECTED: &str = "exactly one of contractions_per_day or hours_per_day";
    match (contractions_given, hours_given) {
        (true, false) => Ok(CONTRACTIONS_PER_DAY),
        (false, true) => Ok(HOURS_PER_DAY),
        (true, true) => Err(KeyError {
            key: CONTRACTIONS_PER_DAY.key,
            value: "given with hours_per_day".to_string(),
            expected: EXPECTED.to_string(),
        }),
        (false, false) => Err(KeyError {
            key: CONTRACTIONS_PER_DAY.key,
            value: "missing".to_string(),
            expected: EXPECTED.to_string(),
        }),
    }
}

/// A stimulation's daily dose from its two optional keys: [`dose_key`], then the key's range.
pub fn dose(contractions: Option<f64>, hours: Option<f64>) -> Result<StimulationDose, KeyError> {
    let key = dose_key(contractions.is_some(), hours.is_some())?;
    match (contractions, hours) {
        (Some(c), _) => key.check(c).map(StimulationDose::ContractionsPerDay),
        (None, Some(h)) => key.check(h).map(StimulationDose::HoursPerDay),
        (None, None) => unreachable!("dose_key refuses a stimulation without a dose"),
    }
}

/// A period's days in order: `end_day` not before `start_day` (the range of each day is the
/// reader's day rule).
pub fn period_order(start_day: f64, end_day: f64) -> Result<(), KeyError> {
    if end_day < start_day {
        return Err(KeyError {
            key: "end_day",
            value: crate::limits::echo(&end_day.to_string()),
            expected: format!("a day on or after start_day ({start_day})"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dose_of_zero_is_a_sham_and_both_keys_are_refused() {
        assert_eq!(
            dose(Some(0.0), None),
            Ok(StimulationDose::ContractionsPerDay(0.0))
        );
        let e = dose(Some(100.0), Some(1.0)).unwrap_err();
        assert_eq!(e.key, "contractions_per_day");
        assert_eq!(e.value, "given with hours_per_day");
        let e = dose(None, Some(25.0)).unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("hours_per_day", "25"));
        assert!(dose(None, Some(f64::NAN)).is_err());
        assert_eq!(dose(None, None).unwrap_err().value, "missing");
    }

    #[test]
    fn a_period_ends_on_or_after_its_start() {
        assert!(period_order(3.0, 3.0).is_ok());
        let e = period_order(10.0, 9.0).unwrap_err();
        assert_eq!(e.key, "end_day");
        assert_eq!(e.value, "9");
        assert_eq!(e.expected, "a day on or after start_day (10)");
    }

    #[test]
    fn repair_keys_are_checked_by_method() {
        assert_eq!(repair_method("graft"), Ok("graft"));
        let e = repair_method("suture").unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("method", "suture"));
        assert_eq!(graft_length(Some(30.0)), Ok(30.0));
        let e = graft_length(Some(2500.0)).unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("graft_length_mm", "2500"));
        assert_eq!(graft_length(None).unwrap_err().value, "missing");
        assert_eq!(donor_axons(1200.4), Ok(1200));
        assert_eq!(donor_axons(0.0).unwrap_err().key, "donor_axons");
        assert_eq!(donor_by_nerves(false, true, true), Ok(true));
        assert_eq!(donor_by_nerves(true, false, false), Ok(false));
        assert_eq!(
            donor_by_nerves(true, true, true).unwrap_err().key,
            "donor_axons"
        );
        assert_eq!(
            donor_by_nerves(false, true, false).unwrap_err().key,
            "recipient_nerve"
        );
    }

    #[test]
    fn every_period_kind_has_its_own_keys() {
        for k in PERIOD_KINDS {
            assert!(own_keys(k).is_some(), "{k}");
        }
        assert!(own_keys("repair").is_none());
    }
}
