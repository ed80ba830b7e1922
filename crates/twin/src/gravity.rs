//! MRC 3 against gravity: the share of a muscle's force that lifting its segment needs.
//!
//! MRC 3 is active movement against gravity. The twin's generic threshold (`mrc3_force`, a
//! named assumption) is one force fraction for every muscle, although lifting the whole arm
//! at the shoulder needs a far larger share of the lifting muscles' strength than other
//! movements. Where a case states the movement graded and which of its muscles still work
//! ([`AgainstGravity`]), the MRC 3 force fraction of the simulated muscle is instead derived
//! from cited figures:
//!
//! `f = (L − Σ s_working) / s_muscle`, clamped to \[`mrc2_force`, 1\],
//!
//! where `L` is the weight moment of the moved segment as a share of the healthy maximal
//! moment of all the movement's muscles, `s_muscle` the simulated muscle's share of that
//! maximal moment and `s_working` the shares of the movement's other muscles that still work
//! at full strength (they lift with it). MRC 4 and 5 need at least this force (they add
//! resistance to gravity), so their thresholds are raised to `f` when below it.
//!
//! Built for two movements (figures in `data/params/<species>.toml`, with sources):
//!
//! * **shoulder abduction** to 90°: the whole arm's weight load (`abduction_arm_weight_load`)
//!   shared by the supraspinatus (`supraspinatus_elevation_share`) and the deltoid (the rest);
//! * **elbow flexion** with the forearm horizontal: the forearm and hand's weight load
//!   (`elbow_flexion_forearm_weight_load`, from Dempster's segment figures and a peak
//!   elbow-flexion torque) shared by the brachioradialis (`brachioradialis_flexion_share`) and
//!   the musculocutaneous flexors (the rest), named `biceps_brachii` here because the twin
//!   runs the biceps's pool for them (the biceps and the brachialis share the
//!   musculocutaneous nerve and are reinnervated together by its repairs and transfers).
//!
//! The statement is the case's, because which synergists survive depends on the injury (after
//! an upper-trunk injury the supraspinatus reinnervated by a spinal accessory transfer lifts
//! the arm alone; after an isolated axillary palsy it still works; after an upper-trunk or
//! pan-plexus injury the brachioradialis, C5–C6 through the radial nerve, is paralysed with
//! the biceps), not on the muscle.

use serde::{Deserialize, Serialize};

use crate::params::Coefficients;

/// The movements whose weight load and muscle shares are in the parameter files.
pub const MOVEMENTS: &[&str] = &["shoulder_abduction", "elbow_flexion"];

/// A case's statement of the movement an MRC grade is read on and which of its muscles work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgainstGravity {
    /// The movement graded (one of [`MOVEMENTS`]).
    pub movement: String,
    /// Which of the movement's muscles the simulated motor-unit pool is (the twin may run
    /// another muscle's pool as a stand-in, e.g. the deltoid's for the supraspinatus).
    pub muscle: String,
    /// The movement's other muscles that still work at full strength and lift with it.
    #[serde(default)]
    pub working: Vec<String>,
}

/// The movement's muscles and their shares of its healthy maximal moment.
fn shares(movement: &str, coef: &Coefficients) -> Option<[(&'static str, f64); 2]> {
    match movement {
        "shoulder_abduction" => Some([
            ("supraspinatus", coef.supraspinatus_elevation_share),
            ("deltoid", 1.0 - coef.supraspinatus_elevation_share),
        ]),
        "elbow_flexion" => Some([
            ("biceps_brachii", 1.0 - coef.brachioradialis_flexion_share),
            ("brachioradialis", coef.brachioradialis_flexion_share),
        ]),
        _ => None,
    }
}

/// The segment's weight moment as a share of the movement's healthy maximal moment.
fn load(movement: &str, coef: &Coefficients) -> Option<f64> {
    match movement {
        "shoulder_abduction" => Some(coef.abduction_arm_weight_load),
        "elbow_flexion" => Some(coef.elbow_flexion_forearm_weight_load),
        _ => None,
    }
}

impl AgainstGravity {
    /// Checks the names against the movement's muscles: `Err((field, value, expected))`.
    pub fn check(&self) -> Result<(), (String, String, String)> {
        let Some(names) = muscle_names(&self.movement) else {
            return Err((
                "movement".into(),
                format!("\"{}\"", self.movement),
                format!("one of {}", quoted(MOVEMENTS)),
            ));
        };
        if !names.contains(&self.muscle.as_str()) {
            return Err((
                "muscle".into(),
                format!("\"{}\"", self.muscle),
                format!("one of the movement's muscles: {}", quoted(&names)),
            ));
        }
        for (i, w) in self.working.iter().enumerate() {
            if !names.contains(&w.as_str()) || *w == self.muscle || self.working[..i].contains(w) {
                return Err((
                    format!("working[{i}]"),
                    format!("\"{w}\""),
                    format!(
                        "another of the movement's muscles than `muscle`, each once: {}",
                        quoted(&names)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The simulated muscle's MRC 3 force fraction (relative to its healthy maximum).
    /// A statement that fails [`AgainstGravity::check`] gives the generic `mrc3_force`.
    pub fn mrc3_force(&self, coef: &Coefficients) -> f64 {
        let (Some(shares), Some(load)) = (shares(&self.movement, coef), load(&self.movement, coef))
        else {
            return coef.mrc3_force;
        };
        let share = |m: &str| shares.iter().find(|(n, _)| *n == m).map(|(_, s)| *s);
        let Some(own) = share(&self.muscle).filter(|s| *s > 0.0) else {
            return coef.mrc3_force;
        };
        let helpers: f64 = self.working.iter().filter_map(|w| share(w)).sum();
        ((load - helpers) / own).clamp(coef.mrc2_force, 1.0)
    }

    /// Replaces the MRC 3 threshold of `coef` by this statement's and raises the MRC 4 and 5
    /// thresholds to it where they are lower (they add resistance to gravity).
    pub fn apply(&self, coef: &mut Coefficients) {
        let f = self.mrc3_force(coef);
        coef.mrc3_force = f;
        coef.mrc4_force = coef.mrc4_force.max(f);
        coef.mrc5_force = coef.mrc5_force.max(f);
    }
}

fn muscle_names(movement: &str) -> Option<Vec<&'static str>> {
    match movement {
        "shoulder_abduction" => Some(vec!["supraspinatus", "deltoid"]),
        "elbow_flexion" => Some(vec!["biceps_brachii", "brachioradialis"]),
        _ => None,
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Parameters, Species};

    fn stmt(muscle: &str, working: &[&str]) -> AgainstGravity {
        AgainstGravity {
            movement: "shoulder_abduction".into(),
            muscle: muscle.into(),
            working: working.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_muscle_lifting_the_arm_alone_needs_the_load_over_its_share() {
        let coef = Parameters::for_species(Species::Human).unwrap().coef;
        let load = coef.abduction_arm_weight_load;
        let s = coef.supraspinatus_elevation_share;
        let alone = stmt("supraspinatus", &[]).mrc3_force(&coef);
        assert!((alone - load / s).abs() < 1e-12, "{alone}");
        // The deltoid, the larger share, needs less of its own force.
        let deltoid = stmt("deltoid", &[]).mrc3_force(&coef);
        assert!(deltoid < alone && (deltoid - load / (1.0 - s)).abs() < 1e-12);
        // A working supraspinatus carries part of the load: the deltoid needs less.
        let helped = stmt("deltoid", &["supraspinatus"]).mrc3_force(&coef);
        assert!(helped < deltoid, "{helped} vs {deltoid}");
        assert!(helped >= coef.mrc2_force);
    }

    #[test]
    fn mrc4_and_5_are_never_below_mrc3() {
        let mut coef = Parameters::for_species(Species::Human).unwrap().coef;
        coef.abduction_arm_weight_load = 0.34;
        coef.supraspinatus_elevation_share = 0.32;
        stmt("supraspinatus", &[]).apply(&mut coef);
        assert!(coef.mrc3_force > 0.9);
        assert!(coef.mrc4_force >= coef.mrc3_force && coef.mrc5_force >= coef.mrc3_force);
    }

    #[test]
    fn bad_names_are_refused_with_the_field_and_what_is_expected() {
        let mut s = stmt("biceps_brachii", &[]);
        let (field, value, expected) = s.check().unwrap_err();
        assert_eq!(
            (field.as_str(), value.as_str()),
            ("muscle", "\"biceps_brachii\"")
        );
        assert!(expected.contains("\"supraspinatus\""), "{expected}");
        s = stmt("deltoid", &["deltoid"]);
        assert_eq!(s.check().unwrap_err().0, "working[0]");
        s.movement = "knee_extension".into();
        let (field, _, expected) = s.check().unwrap_err();
        assert_eq!(field, "movement");
        assert!(expected.contains("shoulder_abduction") && expected.contains("elbow_flexion"));
        assert!(stmt("supraspinatus", &["deltoid"]).check().is_ok());
        // A shoulder muscle is not an elbow flexor.
        s = stmt("deltoid", &[]);
        s.movement = "elbow_flexion".into();
        let (field, _, expected) = s.check().unwrap_err();
        assert_eq!(field, "muscle");
        assert!(expected.contains("\"biceps_brachii\""), "{expected}");
    }

    /// Flexing the elbow against the forearm's weight needs a small share of the flexors'
    /// force (the forearm and hand weigh about 2% of the body), far less than lifting the arm;
    /// a paralysed brachioradialis leaves the musculocutaneous flexors a larger share to carry.
    #[test]
    fn flexing_the_elbow_needs_the_forearm_load_over_the_flexors_share() {
        let coef = Parameters::for_species(Species::Human).unwrap().coef;
        let mut s = stmt("biceps_brachii", &[]);
        s.movement = "elbow_flexion".into();
        assert!(s.check().is_ok());
        let alone = s.mrc3_force(&coef);
        let expected =
            coef.elbow_flexion_forearm_weight_load / (1.0 - coef.brachioradialis_flexion_share);
        assert!((alone - expected).abs() < 1e-12, "{alone} vs {expected}");
        s.working = vec!["brachioradialis".into()];
        let helped = s.mrc3_force(&coef);
        assert!(helped < alone, "{helped} vs {alone}");
        assert!(helped >= coef.mrc2_force);
        let shoulder = stmt("supraspinatus", &[]).mrc3_force(&coef);
        assert!(
            alone < shoulder / 4.0,
            "elbow {alone} vs shoulder {shoulder}"
        );
    }
}
