//! The one reader of a treatment's keys: the key names of each period kind and of a repair, the
//! dose ranges, which dose keys may be given together and the order of a period's days; a
//! repair's method words, graft length range, donor axon count and which keys each method needs. The twin's
//! scenario reader ([`crate::Scenario::from_toml_str`]), calibration's experiment reader (which
//! wraps the same numbers in distributions) and the clinic's case reader all call these
//! functions, so a malformed period gets the same field, value and expected text from each.
//!
//! The rules every reader applies, here once:
//!
//! * **Days are whole days** ([`day`], [`DAY`]): a day is a whole number from 0 to
//!   [`crate::limits::MAX_DAYS`] (the twin steps in whole days; `12.5` is refused, not rounded —
//!   the rule of [`crate::limits::Limits::day`] for flags and requests). Every day key of a
//!   treatment (`day`, `start_day`, `end_day`, `donor_axotomized_days`) and the injury's `day`.
//! * **A repair without a `method` is a primary repair** ([`repair_method`]): the ordinary
//!   end-to-end suture; a key of another method (`graft_length_mm` off a graft, `donor_axons`
//!   off a transfer) is refused ([`method_keys`]), so a forgotten `method` is never silently
//!   read as a primary repair.
//! * **A graft is longer than 0 mm** ([`GRAFT_LENGTH_MM`], an exclusive lower bound) and at most
//!   2000 mm; **a distance** ([`DISTANCE_MM`]: the injury's, or a repair's coaptation to the
//!   muscle) is 0 to 2000 mm.
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

/// The accepted values of one numeric key (a dose, a graft length, a day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyRange {
    /// The key.
    pub key: &'static str,
    /// Least accepted value (included unless `lo_open`: a dose of 0 is a sham stimulation).
    pub lo: f64,
    /// Whether `lo` itself is refused (a graft of 0 mm is no graft).
    pub lo_open: bool,
    /// Greatest accepted value (included).
    pub hi: f64,
    /// Whether only whole numbers are accepted (days).
    pub whole: bool,
    /// The accepted values in words.
    pub what: &'static str,
}

/// `contractions_per_day`: 0 to 100000 stimulated contractions a day.
pub const CONTRACTIONS_PER_DAY: KeyRange = KeyRange {
    key: "contractions_per_day",
    lo: 0.0,
    lo_open: false,
    hi: 100_000.0,
    whole: false,
    what: "a count between 0 and 100000",
};

/// `hours_per_day`: 0 to 24 hours of stimulation a day.
pub const HOURS_PER_DAY: KeyRange = KeyRange {
    key: "hours_per_day",
    lo: 0.0,
    lo_open: false,
    hi: 24.0,
    whole: false,
    what: "hours between 0 and 24",
};

/// The one range rule: `x` is finite, above `lo` (or at it unless `lo_open`), at most `hi`, and
/// whole when `whole` — for [`KeyRange`] and for the calibration format's value domains.
pub fn within(x: f64, lo: f64, lo_open: bool, hi: f64, whole: bool) -> bool {
    x.is_finite()
        && (if lo_open { x > lo } else { x >= lo })
        && x <= hi
        && (!whole || x.fract() == 0.0)
}

impl KeyRange {
    /// Whether `x` is an accepted value.
    pub fn contains(&self, x: f64) -> bool {
        within(x, self.lo, self.lo_open, self.hi, self.whole)
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

/// `graft_length_mm`: a graft longer than 0 mm (a graft of 0 mm is no graft: write
/// `method = "primary"`), at most 2000 mm (the distance rule, [`DISTANCE_MM`]).
pub const GRAFT_LENGTH_MM: KeyRange = KeyRange {
    key: "graft_length_mm",
    lo: 0.0,
    lo_open: true,
    hi: 2000.0,
    whole: false,
    what: "a graft length in mm greater than 0, at most 2000",
};

/// `distance_mm`: a distance along the nerve (the injury's to the muscle, or a repair's
/// coaptation to the muscle), 0 to 2000 mm.
pub const DISTANCE_MM: KeyRange = KeyRange {
    key: "distance_mm",
    lo: 0.0,
    lo_open: false,
    hi: 2000.0,
    whole: false,
    what: "a distance in mm between 0 and 2000",
};

/// A day (`day`, `start_day`, `end_day`, `donor_axotomized_days`): a whole number of days from 0
/// to [`crate::limits::MAX_DAYS`] — the rule of [`crate::limits::Limits::day`].
pub const DAY: KeyRange = KeyRange {
    key: "day",
    lo: 0.0,
    lo_open: false,
    hi: crate::limits::MAX_DAYS as f64,
    whole: true,
    what: "a whole number of days from 0 to 36500",
};

/// A day at `key` by the one day rule ([`DAY`]): a whole number from 0 to
/// [`crate::limits::MAX_DAYS`] — `12.5` is refused, not rounded.
pub fn day(key: &'static str, x: f64) -> Result<u32, KeyError> {
    KeyRange { key, ..DAY }.check(x).map(|d| d as u32)
}

/// A distance at `key` by the one distance rule ([`DISTANCE_MM`]).
pub fn distance_mm(key: &'static str, x: f64) -> Result<f64, KeyError> {
    KeyRange { key, ..DISTANCE_MM }.check(x)
}

/// The method of a repair that names none: a primary repair (end-to-end suture).
pub const DEFAULT_REPAIR_METHOD: &str = "primary";

/// Which method a repair's `method` word names (without the method's numbers) — a repair with
/// no `method` is a primary repair ([`DEFAULT_REPAIR_METHOD`]) — or an error naming the word
/// and the accepted words.
pub fn repair_method(word: Option<&str>) -> Result<&'static str, KeyError> {
    let Some(word) = word else {
        return Ok(DEFAULT_REPAIR_METHOD);
    };
    REPAIR_METHODS
        .into_iter()
        .find(|m| *m == word)
        .ok_or_else(|| KeyError {
            key: "method",
            value: crate::limits::echo(word),
            expected: REPAIR_METHODS_EXPECTED.to_string(),
        })
}

/// The repair keys that belong to one method: `graft_length_mm` to a graft; `donor_axons`,
/// `donor_nerve`, `recipient_nerve` and `donor_axotomized_days` to a transfer.
pub const METHOD_KEYS: [(&str, &str); 5] = [
    (GRAFT_LENGTH_MM.key, "graft"),
    (DONOR_AXONS, "transfer"),
    ("donor_nerve", "transfer"),
    ("recipient_nerve", "transfer"),
    ("donor_axotomized_days", "transfer"),
];

/// Refuses a key of another method on a repair whose method may be any of `methods` (one
/// method, or a calibration distribution's choices): `given` lists the keys written. So a
/// graft whose `method` was forgotten is not read as a primary repair.
pub fn method_keys(methods: &[&str], given: &[&str]) -> Result<(), KeyError> {
    for (key, method) in METHOD_KEYS {
        if given.contains(&key) && !methods.contains(&method) {
            return Err(KeyError {
                key,
                value: format!(
                    "given with method = {}",
                    methods.first().copied().unwrap_or(DEFAULT_REPAIR_METHOD)
                ),
                expected: format!("`{key}` only on a {method} (method = \"{method}\")"),
            });
        }
    }
    Ok(())
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

/// A period's days in order: `end_day` not before `start_day` (each day is checked by [`day`]).
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
        assert_eq!(repair_method(Some("graft")), Ok("graft"));
        assert_eq!(repair_method(None), Ok("primary"));
        let e = repair_method(Some("suture")).unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("method", "suture"));
        assert_eq!(graft_length(Some(30.0)), Ok(30.0));
        let e = graft_length(Some(2500.0)).unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("graft_length_mm", "2500"));
        assert_eq!(graft_length(None).unwrap_err().value, "missing");
        assert_eq!(graft_length(Some(0.0)).unwrap_err().value, "0");
        assert_eq!(graft_length(Some(0.5)), Ok(0.5));
        assert!(method_keys(&["graft"], &["graft_length_mm"]).is_ok());
        let e = method_keys(&["primary"], &["day", "graft_length_mm"]).unwrap_err();
        assert_eq!(
            (e.key, e.value.as_str()),
            ("graft_length_mm", "given with method = primary")
        );
        assert!(method_keys(&["primary", "transfer"], &["donor_axons"]).is_ok());
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
    fn a_day_is_a_whole_number_of_days() {
        assert_eq!(day("start_day", 12.0), Ok(12));
        assert_eq!(day("day", 0.0), Ok(0));
        assert_eq!(day("day", 36_500.0), Ok(36_500));
        let e = day("start_day", 12.5).unwrap_err();
        assert_eq!((e.key, e.value.as_str()), ("start_day", "12.5"));
        assert_eq!(e.expected, "a whole number of days from 0 to 36500");
        assert!(day("day", -1.0).is_err());
        assert!(day("day", 36_501.0).is_err());
        assert!(day("day", f64::NAN).is_err());
        // The words say the limit in force.
        assert!(DAY.what.ends_with(&crate::limits::MAX_DAYS.to_string()));
        assert!(distance_mm("distance_mm", 0.0).is_ok());
        assert!(distance_mm("distance_mm", 2000.5).is_err());
    }

    #[test]
    fn every_period_kind_has_its_own_keys() {
        for k in PERIOD_KINDS {
            assert!(own_keys(k).is_some(), "{k}");
        }
        assert!(own_keys("repair").is_none());
    }
}
