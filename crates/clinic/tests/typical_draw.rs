//! The typical draw of a patient's case (`Engine::typical_draw`: what `simulate`, `snapshot` and
//! the report picture): an uncertain grade at the median of its prior updated by the case's
//! observations, a stated grade kept.

use clinic::case::Grade;
use clinic::montecarlo::{Engine, case_treatments};
use clinic::{Atlas, Case};

const RADIAL: &str = include_str!("../../../examples/radial-mid-humerus.toml");
const RADIAL_MONTH4: &str = include_str!("../../../examples/case-radial-followup-month4.toml");
const ULNAR: &str = include_str!("../../../examples/case-ulnar-elbow-laceration.toml");

fn typical(text: &str) -> (Grade, bool, Grade) {
    let atlas = Atlas::human().unwrap();
    let case = Case::from_toml(text, &atlas).unwrap();
    let e = Engine::human().unwrap();
    let d = e
        .typical_draw(&case, &case_treatments(&case, &atlas))
        .unwrap();
    (d.grades[0], d.avulsed[0], e.central_draw(&case).grades[0])
}

#[test]
fn an_uncertain_grade_is_drawn_at_the_median_of_its_prior() {
    // Prior: neurapraxia 35%, Sunderland 2 25%, 3 20%, 4 10%, neurotmesis 10%. Its most probable
    // grade is neurapraxia (the central draw's), but 65% of the prior has axon loss: the median
    // on the severity order is Sunderland 2.
    let (g, avulsed, central) = typical(RADIAL);
    assert_eq!(central, Grade::Neurapraxia);
    assert_eq!(g, Grade::Sunderland(2));
    assert!(!avulsed);
}

#[test]
fn the_observations_update_the_grade_before_the_median_is_taken() {
    // The same prior, with MRC 0, fibrillations 3+ and no MUP in the brachioradialis at month 4:
    // a neurapraxia would have recovered, so its weight goes; the median of what is left
    // (Sunderland 2 to neurotmesis, equally likely at the central parameters because no regrown
    // axon reaches the muscle by day 120 in any of them) is Sunderland 3.
    let (g, _, central) = typical(RADIAL_MONTH4);
    assert_eq!(central, Grade::Neurapraxia);
    assert_eq!(g, Grade::Sunderland(3));
}

#[test]
fn a_stated_grade_is_kept() {
    let (g, avulsed, central) = typical(ULNAR);
    assert_eq!(g, Grade::Neurotmesis);
    assert_eq!(central, Grade::Neurotmesis);
    assert!(!avulsed);
}
