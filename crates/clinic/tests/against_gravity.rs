//! A patient's case can state the movement an MRC grade is read on and which of its muscles
//! still work (`[against_gravity]`, the twin's one rule `twin::gravity::AgainstGravity::check`).
//! The affected muscle it names is simulated against that movement's weight load; the others
//! keep the generic threshold. Each test asserts something the model could get wrong.

use clinic::montecarlo::{Engine, case_treatments, run_plans};
use clinic::{Atlas, Case};

/// An upper-trunk rupture (no regrowth) with a spinal accessory → suprascapular transfer at
/// three months: the reinnervated supraspinatus lifts the arm alone.
const UPPER_TRUNK: &str = "[patient]\nage_years = 30\n[[injury]]\nnerve = \"upper_trunk\"\nsite = \"supraclavicular\"\ngrade = \"neurotmesis\"\nregrowth = \"prevented\"\n[[treatment]]\nkind = \"repair\"\nmethod = \"transfer\"\ntransfer = \"accessory_to_suprascapular\"\nday = 90\n[settings]\nhorizon_days = 1095\nseed = 3\n";

const LIFTING_ALONE: &str = "[against_gravity]\nmovement = \"shoulder_abduction\"\nmuscle = \"supraspinatus\"\nworking = []\n";

fn mrc_end(case: &Case, muscle: &str, draws: usize) -> Vec<u8> {
    let e = Engine::human().unwrap();
    let atlas = Atlas::human().unwrap();
    let plan = case_treatments(case, &atlas);
    let r = run_plans(&e, case, &[plan], draws, &vocabulary::Control::new()).unwrap();
    let k = case
        .muscles()
        .iter()
        .position(|(_, m)| m.muscle == muscle)
        .unwrap();
    r.outcomes[0][k].iter().map(|o| o.mrc_end).collect()
}

#[test]
fn a_stated_movement_raises_the_named_muscles_threshold_only() {
    let atlas = Atlas::human().unwrap();
    let generic = Case::from_toml(UPPER_TRUNK, &atlas).unwrap();
    let stated = Case::from_toml(&format!("{UPPER_TRUNK}{LIFTING_ALONE}"), &atlas).unwrap();
    assert_eq!(
        stated.against_gravity.as_ref().map(|g| g.muscle.as_str()),
        Some("supraspinatus")
    );
    let draws = 12;
    let ge3 = |v: &[u8]| v.iter().filter(|g| **g >= 3).count();
    let (a, b) = (
        mrc_end(&generic, "supraspinatus", draws),
        mrc_end(&stated, "supraspinatus", draws),
    );
    // Lifting the arm alone needs more of the supraspinatus's force than the generic
    // threshold: fewer patients reach MRC 3, none reaches a higher grade.
    assert!(ge3(&b) < ge3(&a), "stated {b:?} vs generic {a:?}");
    assert!(b.iter().zip(&a).all(|(s, g)| s <= g), "{b:?} vs {a:?}");
    // A muscle the statement does not name keeps the generic threshold, draw for draw.
    assert_eq!(
        mrc_end(&generic, "infraspinatus", draws),
        mrc_end(&stated, "infraspinatus", draws)
    );
}

#[test]
fn a_statement_is_checked_with_the_field_the_value_and_what_is_expected() {
    let atlas = Atlas::human().unwrap();
    let wrong_muscle =
        "[against_gravity]\nmovement = \"shoulder_abduction\"\nmuscle = \"biceps_brachii\"\n";
    let msg = Case::from_toml(&format!("{UPPER_TRUNK}{wrong_muscle}"), &atlas)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("against_gravity.muscle") && msg.contains("\"supraspinatus\""),
        "{msg}"
    );
    let unknown = "[against_gravity]\nmovement = \"knee_extension\"\nmuscle = \"biceps_brachii\"\n";
    let msg = Case::from_toml(&format!("{UPPER_TRUNK}{unknown}"), &atlas)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("against_gravity.movement") && msg.contains("elbow_flexion"),
        "{msg}"
    );
    // Elbow flexion of the biceps, an affected muscle, with the brachioradialis paralysed too.
    let biceps = "[against_gravity]\nmovement = \"elbow_flexion\"\nmuscle = \"biceps_brachii\"\n";
    assert!(Case::from_toml(&format!("{UPPER_TRUNK}{biceps}"), &atlas).is_ok());
    // The muscle must be one of the case's affected muscles: an ulnar laceration does not
    // reach the biceps.
    let ulnar = "[patient]\nage_years = 45\n[[injury]]\nnerve = \"ulnar\"\nsite = \"elbow\"\ngrade = \"neurotmesis\"\n";
    let msg = Case::from_toml(&format!("{ulnar}{biceps}"), &atlas)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("against_gravity.muscle")
            && msg.contains("affected muscles")
            && msg.contains("flexor_carpi_ulnaris"),
        "{msg}"
    );
}
