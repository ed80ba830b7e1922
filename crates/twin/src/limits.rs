//! The documented limits on every size taken from input: Monte Carlo draws, population
//! members, horizons and days, axon counts. A number from a command-line flag, a case or
//! calibration file or (later) an HTTP request goes through the same check here, so the same
//! limits hold whatever the way in; each is checked before anything of that size is
//! allocated or run.
//!
//! These are limits on work and memory, not physiological figures. Each default is an
//! assumption, named as such, chosen so that the largest sensible request runs (a century of
//! days, a hundred thousand draws) and a mistyped one (`1e9`, `NaN`, `-5`) is refused:
//!
//! | limit | default | why |
//! |---|---|---|
//! | [`Limits::max_draws`] | 100,000 | about 19 min of prognosis on 2 cores; 10^5 draws put a 1% tail at ±0.06% |
//! | [`Limits::max_population`] | 100,000 | a calibration cohort of the same size as the largest Monte Carlo |
//! | [`Limits::max_days`] | 36,500 | a simulated day or horizon: one century after the injury |
//! | [`Limits::max_prognosis_horizon_days`] | 3,650 | a prognosis horizon: ten years, beyond any reinnervation window |
//! | [`Limits::max_axons`] | 100,000 | a motor-axon count (donor nerve or pool): above any human motor nerve's |
//!
//! Refused input is echoed cut ([`echo`], [`echo_lines`]) and an unknown name comes with
//! the close known names ([`close_names`], [`did_you_mean`]).
//!
//! An embedding program (a server, a batch job) that needs more builds its own [`Limits`] and
//! passes it where the library takes one; the error of a refused number says which field to
//! raise.

use thiserror::Error;

/// Most characters of an input value echoed back in an error message; longer values are cut
/// (a 1 MB name must not make a 1 MB error line).
pub const ECHO_CHARS: usize = 80;

/// `value` as text, cut to [`ECHO_CHARS`] characters with `…` and the full length appended
/// when it is longer.
pub fn echo(value: &str) -> String {
    let n = value.chars().count();
    if n <= ECHO_CHARS {
        value.to_string()
    } else {
        let head: String = value.chars().take(ECHO_CHARS).collect();
        format!("{head}… ({n} characters)")
    }
}

/// A multi-line message (a TOML parser's, which quotes the offending line) with every line cut
/// to [`ECHO_CHARS`] characters (see [`echo`]), and at most 20 lines.
pub fn echo_lines(message: &str) -> String {
    let mut lines: Vec<String> = message.lines().take(20).map(echo).collect();
    if message.lines().count() > 20 {
        lines.push("…".into());
    }
    lines.join("\n")
}

/// A number that is not acceptable: out of its documented limit, or not a number of the kind
/// expected (NaN, infinite, negative, fractional count).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum LimitError {
    /// Over a documented limit.
    #[error("`{field}` = {value} is over the limit of {limit}; {raise}")]
    Exceeded {
        /// Where the number came from (a flag such as `--draws`, or a file field path).
        field: String,
        /// The value given, as text.
        value: String,
        /// The limit in force.
        limit: String,
        /// How to raise it.
        raise: String,
    },
    /// Not a number of the kind expected.
    #[error("`{field}` = {value}: expected {expected}")]
    Invalid {
        /// Where the number came from.
        field: String,
        /// The value given, as text.
        value: String,
        /// What was expected.
        expected: String,
    },
}

impl LimitError {
    /// What was expected, without the field and value: for callers that put the refusal into
    /// their own field error type.
    pub fn expected(&self) -> String {
        match self {
            LimitError::Exceeded { limit, raise, .. } => format!("at most {limit} ({raise})"),
            LimitError::Invalid { expected, .. } => expected.clone(),
        }
    }
}

/// The limits in force. [`Limits::default`] gives the documented defaults of the module
/// table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most Monte Carlo draws per run.
    pub max_draws: usize,
    /// Most members of a simulated population.
    pub max_population: usize,
    /// Latest simulated day (a horizon, a snapshot day, an event day), days after the injury.
    pub max_days: u32,
    /// Longest prognosis horizon, days.
    pub max_prognosis_horizon_days: u32,
    /// Most motor axons in one count.
    pub max_axons: u32,
}

/// Default of [`Limits::max_draws`].
pub const MAX_DRAWS: usize = 100_000;
/// Default of [`Limits::max_population`].
pub const MAX_POPULATION: usize = 100_000;
/// Default of [`Limits::max_days`].
pub const MAX_DAYS: u32 = 36_500;
/// Default of [`Limits::max_prognosis_horizon_days`].
pub const MAX_PROGNOSIS_HORIZON_DAYS: u32 = 3_650;
/// Default of [`Limits::max_axons`].
pub const MAX_AXONS: u32 = 100_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_draws: MAX_DRAWS,
            max_population: MAX_POPULATION,
            max_days: MAX_DAYS,
            max_prognosis_horizon_days: MAX_PROGNOSIS_HORIZON_DAYS,
            max_axons: MAX_AXONS,
        }
    }
}

fn show(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// A whole number between `lo` and `limit` (inclusive); `what` names the kind and `knob` the
/// [`Limits`] field that sets `limit`.
fn whole(
    field: &str,
    v: f64,
    lo: f64,
    limit: f64,
    what: &str,
    knob: &str,
) -> Result<f64, LimitError> {
    if !v.is_finite() || v < lo || v != v.trunc() {
        return Err(LimitError::Invalid {
            field: field.to_string(),
            value: show(v),
            expected: format!(
                "{what}: a whole number from {} to {}",
                show(lo),
                show(limit)
            ),
        });
    }
    if v > limit {
        return Err(LimitError::Exceeded {
            field: field.to_string(),
            value: show(v),
            limit: show(limit),
            raise: format!(
                "{what}; a program embedding the library can raise `twin::limits::Limits::{knob}`"
            ),
        });
    }
    Ok(v)
}

impl Limits {
    /// A number of Monte Carlo draws: a whole number from 1 to [`Limits::max_draws`].
    pub fn draws(&self, field: &str, v: f64) -> Result<usize, LimitError> {
        whole(
            field,
            v,
            1.0,
            self.max_draws as f64,
            "Monte Carlo draws",
            "max_draws",
        )
        .map(|v| v as usize)
    }

    /// A number of draws already held as an integer (an API argument, a parsed flag): the
    /// same check as [`Limits::draws`], with the value echoed exactly.
    pub fn draws_count(&self, field: &str, n: usize) -> Result<usize, LimitError> {
        if n == 0 {
            return Err(LimitError::Invalid {
                field: field.to_string(),
                value: "0".into(),
                expected: format!(
                    "Monte Carlo draws: a whole number from 1 to {}",
                    self.max_draws
                ),
            });
        }
        if n > self.max_draws {
            return Err(LimitError::Exceeded {
                field: field.to_string(),
                value: n.to_string(),
                limit: self.max_draws.to_string(),
                raise: "Monte Carlo draws; a program embedding the library can raise \
                        `twin::limits::Limits::max_draws`"
                    .into(),
            });
        }
        Ok(n)
    }

    /// A population size: a whole number from 1 to [`Limits::max_population`].
    pub fn population(&self, field: &str, v: f64) -> Result<usize, LimitError> {
        whole(
            field,
            v,
            1.0,
            self.max_population as f64,
            "population members",
            "max_population",
        )
        .map(|v| v as usize)
    }

    /// A day or a horizon: a whole number of days from 0 to [`Limits::max_days`].
    pub fn day(&self, field: &str, v: f64) -> Result<u32, LimitError> {
        whole(
            field,
            v,
            0.0,
            self.max_days as f64,
            "days after the injury",
            "max_days",
        )
        .map(|v| v as u32)
    }

    /// A prognosis horizon: a whole number of days from `min` to
    /// [`Limits::max_prognosis_horizon_days`].
    pub fn prognosis_horizon(&self, field: &str, v: f64, min: u32) -> Result<u32, LimitError> {
        whole(
            field,
            v,
            min as f64,
            self.max_prognosis_horizon_days as f64,
            "prognosis horizon days",
            "max_prognosis_horizon_days",
        )
        .map(|v| v as u32)
    }

    /// A motor-axon count: a finite number from 1 to [`Limits::max_axons`] (fractional
    /// counts are accepted and rounded by the caller: they are estimates).
    pub fn axons(&self, field: &str, v: f64) -> Result<f64, LimitError> {
        if !v.is_finite() || v < 1.0 {
            return Err(LimitError::Invalid {
                field: field.to_string(),
                value: show(v),
                expected: format!("a motor-axon count from 1 to {}", self.max_axons),
            });
        }
        if v > self.max_axons as f64 {
            return Err(LimitError::Exceeded {
                field: field.to_string(),
                value: show(v),
                limit: self.max_axons.to_string(),
                raise: "motor axons; a program embedding the library can raise \
                        `twin::limits::Limits::max_axons`"
                    .into(),
            });
        }
        Ok(v)
    }
}

/// Up to three known names close to `value`, for a "did you mean" hint: a synonym first, then
/// names within two edits (after lower-casing and writing spaces and hyphens as `_`), then
/// names that contain it or that it contains.
pub fn close_names<'a>(
    value: &str,
    known: &[&'a str],
    synonyms: &[(&str, &'a str)],
) -> Vec<&'a str> {
    let v: String = value
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    if v.is_empty() || v.chars().count() > 64 {
        return Vec::new();
    }
    let mut out: Vec<&'a str> = Vec::new();
    let push = |name: &'a str, out: &mut Vec<&'a str>| {
        if !out.contains(&name) && out.len() < 3 && known.contains(&name) {
            out.push(name);
        }
    };
    let stripped = v.strip_suffix("_nerve").unwrap_or(&v);
    for (syn, name) in synonyms {
        if *syn == stripped {
            push(name, &mut out);
        }
    }
    let mut by_distance: Vec<(usize, &'a str)> = known
        .iter()
        .map(|k| (edit_distance(stripped, k), *k))
        .filter(|(d, _)| *d <= 2)
        .collect();
    by_distance.sort();
    for (_, k) in by_distance {
        push(k, &mut out);
    }
    if stripped.chars().count() >= 4 {
        for k in known {
            if k.contains(stripped) || stripped.contains(*k) {
                push(k, &mut out);
            }
        }
    }
    out
}

/// ` — did you mean `a` or `b`?`, or nothing.
pub fn did_you_mean(names: &[&str]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    format!(" — did you mean {}?", quoted.join(" or "))
}

/// Levenshtein distance (insertions, deletions, substitutions), on characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_refuse_nan_negative_fractional_and_huge() {
        let l = Limits::default();
        assert_eq!(l.draws("--draws", 200.0), Ok(200));
        for bad in [f64::NAN, f64::INFINITY, -5.0, 0.0, 2.5] {
            assert!(
                matches!(l.draws("--draws", bad), Err(LimitError::Invalid { .. })),
                "{bad}"
            );
        }
        let e = l.draws("--draws", 18446744073709551615.0).unwrap_err();
        let s = e.to_string();
        assert!(matches!(e, LimitError::Exceeded { .. }), "{s}");
        assert!(
            s.contains("--draws") && s.contains("100000") && s.contains("max_draws"),
            "{s}"
        );
    }

    #[test]
    fn a_raised_limit_accepts_more() {
        let l = Limits {
            max_draws: 1_000_000,
            ..Limits::default()
        };
        assert_eq!(l.draws("draws", 500_000.0), Ok(500_000));
    }

    #[test]
    fn axons_refuse_nan_negative_and_huge() {
        let l = Limits::default();
        assert_eq!(l.axons("donor_axons", 1200.0), Ok(1200.0));
        for bad in [f64::NAN, -5.0, 0.0, 1e9] {
            assert!(l.axons("donor_axons", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn echo_cuts_long_values() {
        assert_eq!(echo("biceps"), "biceps");
        let long = "x".repeat(1_000_000);
        let e = echo(&long);
        assert!(e.chars().count() < 120, "{}", e.len());
        assert!(e.ends_with("(1000000 characters)"), "{e}");
    }

    #[test]
    fn close_names_find_synonyms_typos_and_parts() {
        let known = ["common_fibular", "tibial", "biceps_brachii", "brachialis"];
        let syn = [("peroneal", "common_fibular")];
        assert_eq!(
            close_names("peroneal", &known, &syn),
            vec!["common_fibular"]
        );
        assert_eq!(
            close_names("Peroneal nerve", &known, &syn),
            vec!["common_fibular"]
        );
        assert_eq!(
            close_names("bicep_brachii", &known, &[]),
            vec!["biceps_brachii"]
        );
        assert_eq!(close_names("tibia", &known, &[]), vec!["tibial"]);
        assert!(close_names("zzzzzz", &known, &[]).is_empty());
        assert!(close_names(&"x".repeat(100_000), &known, &[]).is_empty());
        assert_eq!(did_you_mean(&[]), "");
    }
}
