//! Between-patient variability: one draw of the twin's uncertain parameters per patient.
//!
//! People differ in how fast their axons regrow, how many cross a coaptation, how long
//! their denervated stumps and end plates keep supporting reinnervation, and how their
//! neurons tolerate long axotomy. A population (a calibration cohort or the draws of a
//! prognosis) therefore runs each member with its own parameter set: each varied
//! parameter is log-normal around the species' central value with a stated coefficient
//! of variation, truncated to the parameter's plausible range in `data/params/`. The
//! spreads and their sources live in one file, `data/atlas/prognosis_uncertainty.toml`
//! (its `[parameters.<name>]` tables: `cv` and a `source` or an `assumption`).
//!
//! Draws are counter-based ([`crate::rng`], stream `Patient`): the parameter named `n` of
//! the patient with seed `s` is a pure function of (s, n) — keyed by the name's hash
//! ([`crate::rng::name_index`]), not its position — so a member's parameters depend
//! neither on the thread count, nor on the other members, nor on which other parameters
//! the file varies (adding one leaves every other parameter's draws unchanged).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::params::{ParamError, Parameters};
use crate::rng::{self, Stream};

/// The embedded between-patient spreads (human).
pub const HUMAN_VARIATION_TOML: &str =
    include_str!("../../../data/atlas/prognosis_uncertainty.toml");

#[derive(Debug, Deserialize)]
struct File {
    parameters: BTreeMap<String, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    cv: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

/// The parameters that vary between patients and their log-normal spreads.
#[derive(Debug, Clone, PartialEq)]
pub struct Variation {
    /// (parameter name, log-sd σ = √ln(1 + cv²)), in name order.
    varied: Vec<(String, f64)>,
}

impl Variation {
    /// The human spreads embedded from `data/atlas/prognosis_uncertainty.toml`,
    /// checked against `base` (every name must be a parameter of the twin).
    pub fn human(base: &Parameters) -> Result<Variation, ParamError> {
        Self::from_toml_str(HUMAN_VARIATION_TOML, base)
    }

    /// Reads spreads from text; each entry needs a `cv` in \[0, 2) and a `source` or an
    /// `assumption`, and must name a positive parameter of `base`.
    pub fn from_toml_str(text: &str, base: &Parameters) -> Result<Variation, ParamError> {
        let file: File = toml::from_str(text).map_err(|e| ParamError::Parse {
            species: base.species(),
            message: format!("between-patient variation: {e}"),
        })?;
        let mut varied = Vec::new();
        for (name, e) in file.parameters {
            if !vocabulary::cited::has_provenance(e.source.as_deref(), e.assumption.as_deref()) {
                return Err(ParamError::Unsourced { name });
            }
            let Some(p) = base.entry(&name) else {
                return Err(ParamError::UnknownParameter {
                    name,
                    known: base
                        .entries()
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if !(e.cv.is_finite() && (0.0..2.0).contains(&e.cv)) || p.value <= 0.0 {
                return Err(ParamError::OutOfRange {
                    name: format!("{name}.cv"),
                    value: e.cv,
                    min: 0.0,
                    max: 2.0,
                });
            }
            varied.push((name, (1.0 + e.cv * e.cv).ln().sqrt()));
        }
        Ok(Variation { varied })
    }

    /// Names of the varied parameters.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.varied.iter().map(|(n, _)| n.as_str())
    }

    /// The parameter set of the patient with seed `seed`: each varied parameter is
    /// `central · exp(σ z)` (z a standard normal draw of (seed, parameter name)), held within its
    /// plausible range.
    pub fn draw(&self, base: &Parameters, seed: u64) -> Parameters {
        self.draw_with_values(base, seed).0
    }

    /// As [`Variation::draw`], also returning the drawn value of each varied parameter (name
    /// order), for reports that say which parameters drive a spread.
    pub fn draw_with_values(
        &self,
        base: &Parameters,
        seed: u64,
    ) -> (Parameters, Vec<(String, f64)>) {
        let mut overrides = BTreeMap::new();
        let mut values = Vec::with_capacity(self.varied.len());
        for (name, sigma) in &self.varied {
            let Some(e) = base.entry(name) else { continue };
            let z = rng::normal(seed, Stream::Patient, rng::name_index(name), 0);
            let x = (e.value * (sigma * z).exp()).clamp(e.min, e.max);
            overrides.insert(name.clone(), x);
            values.push((name.clone(), x));
        }
        let mut p = base.clone();
        // Every value is inside its range by construction; keep the centre otherwise.
        if p.apply_overrides(&overrides).is_err() {
            let central = self.central_values(base);
            return (base.clone(), central);
        }
        (p, values)
    }

    /// The central value of each varied parameter (name order): the typical patient.
    pub fn central_values(&self, base: &Parameters) -> Vec<(String, f64)> {
        self.varied
            .iter()
            .filter_map(|(name, _)| base.entry(name).map(|e| (name.clone(), e.value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Species;

    #[test]
    fn human_variation_loads_and_draws_differ_between_patients_within_ranges() {
        let base = Parameters::for_species(Species::Human).unwrap();
        let v = Variation::human(&base).unwrap();
        assert!(v.names().count() >= 5);
        let a = v.draw(&base, 1);
        let b = v.draw(&base, 2);
        assert_ne!(a.coef, b.coef);
        assert_eq!(v.draw(&base, 1).coef, a.coef, "same seed, same patient");
        let (p, values) = v.draw_with_values(&base, 1);
        assert_eq!(p.coef, a.coef, "draw and draw_with_values agree");
        assert_eq!(values.len(), v.names().count());
        for (name, x) in &values {
            assert_eq!(p.entry(name).unwrap().value, *x, "{name}");
        }
        for name in v.names() {
            let e = a.entry(name).unwrap();
            assert!(e.value >= e.min && e.value <= e.max, "{name}");
        }
    }

    /// A parameter's draw is keyed by its name: varying one more (or one fewer) parameter
    /// leaves every other parameter's value of the same patient unchanged.
    #[test]
    fn adding_a_varied_parameter_leaves_the_other_draws_unchanged() {
        let base = Parameters::for_species(Species::Human).unwrap();
        let full = Variation::human(&base).unwrap();
        // The same file without its first entry (in name order), which shifted every later
        // position when draws were keyed by position.
        let first = full.names().next().unwrap().to_string();
        let mut doc: toml::Table = toml::from_str(HUMAN_VARIATION_TOML).unwrap();
        doc["parameters"].as_table_mut().unwrap().remove(&first);
        let fewer = Variation::from_toml_str(&toml::to_string(&doc).unwrap(), &base).unwrap();
        assert_eq!(fewer.names().count() + 1, full.names().count());
        for seed in [1, 7, 12345] {
            let (_, a) = full.draw_with_values(&base, seed);
            let (_, b) = fewer.draw_with_values(&base, seed);
            for (name, x) in &b {
                let y = a.iter().find(|(n, _)| n == name).unwrap().1;
                assert_eq!(*x, y, "{name}, seed {seed}");
            }
        }
    }

    #[test]
    fn unsourced_or_unknown_entries_are_refused() {
        let base = Parameters::for_species(Species::Human).unwrap();
        let unsourced = "[parameters.regrowth_speed_mm_per_day]\ncv = 0.2\n";
        assert!(matches!(
            Variation::from_toml_str(unsourced, &base),
            Err(ParamError::Unsourced { .. })
        ));
        let unknown = "[parameters.warp_speed]\ncv = 0.2\nassumption = \"x\"\n";
        assert!(matches!(
            Variation::from_toml_str(unknown, &base),
            Err(ParamError::UnknownParameter { .. })
        ));
    }
}
