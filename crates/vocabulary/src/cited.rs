//! A number read from one of the project's data files, with where it comes from.
//!
//! Every physiological or clinical number of reinnervate lives in a data file beside its source
//! (authors, year, journal) and, where the source gives one, its range; a number no source gives
//! is allowed only as a named assumption. [`Cited`] is the one shape of such an entry and
//! [`has_provenance`] the one rule that checks it, for every crate that loads data.

use serde::{Deserialize, Serialize};

/// One cited number: `{ value, low?, high?, source? | assumption?, note? }` in a data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cited {
    /// The value used.
    pub value: f64,
    /// Lower end of the source's range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Upper end of the source's range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Authors, year, journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The named assumption, when no source gives the value (or how a source is applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
    /// Free text: how the figure was derived from its source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Cited {
    /// A value with a source.
    pub fn sourced(value: f64, source: &str) -> Cited {
        Cited {
            value,
            low: None,
            high: None,
            source: Some(source.to_string()),
            assumption: None,
            note: None,
        }
    }

    /// Whether the entry names a source or an assumption ([`has_provenance`]).
    pub fn is_sourced(&self) -> bool {
        has_provenance(self.source.as_deref(), self.assumption.as_deref())
    }

    /// Whether the value is finite and within `[low, high]` (the plausible range the loader
    /// documents for the field, not the source's range).
    pub fn is_within(&self, low: f64, high: f64) -> bool {
        self.value.is_finite() && self.value >= low && self.value <= high
    }

    /// The provenance as one line: the source, or `assumption: …`.
    pub fn provenance(&self) -> Option<String> {
        provenance(self.source.as_deref(), self.assumption.as_deref())
    }

    /// The source, or an empty string for a named assumption.
    pub fn source_text(&self) -> &str {
        self.source.as_deref().unwrap_or("")
    }
}

/// The provenance rule: an entry names a non-empty source or a non-empty assumption.
pub fn has_provenance(source: Option<&str>, assumption: Option<&str>) -> bool {
    let text = |s: Option<&str>| s.is_some_and(|t| !t.trim().is_empty());
    text(source) || text(assumption)
}

/// The provenance as one line: the source when there is one, else `assumption: …`; `None` when
/// the entry has neither.
pub fn provenance(source: Option<&str>, assumption: Option<&str>) -> Option<String> {
    fn text(s: Option<&str>) -> Option<&str> {
        s.filter(|t| !t.trim().is_empty())
    }
    match (text(source), text(assumption)) {
        (Some(s), _) => Some(s.to_string()),
        (None, Some(a)) => Some(format!("assumption: {a}")),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_needs_a_source_or_an_assumption_with_text() {
        assert!(has_provenance(Some("Lexell 1983"), None));
        assert!(has_provenance(None, Some("scaled from rat")));
        assert!(!has_provenance(None, None));
        assert!(!has_provenance(Some("  "), Some("")));
        assert_eq!(
            provenance(Some(" "), Some("x")).as_deref(),
            Some("assumption: x")
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_the_range_is_checked() {
        #[derive(Deserialize)]
        struct F {
            a: Cited,
        }
        let bad: Result<F, _> = serde_json::from_str(r#"{"a": {"value": 1, "sourec": "x"}}"#);
        assert!(bad.is_err());
        let f: F = serde_json::from_str(r#"{"a": {"value": 2, "source": "x"}}"#).unwrap();
        assert!(f.a.is_sourced() && f.a.is_within(0.0, 2.0) && !f.a.is_within(0.0, 1.9));
        let nan = Cited::sourced(f64::NAN, "x");
        assert!(!nan.is_within(f64::NEG_INFINITY, f64::INFINITY));
    }
}
