//! Atlas transfers take their donor axons from the donor–recipient size match (issue 12): the
//! rule the calibration runner uses (`twin::repair::size_matched_donor_axons` of the donor and
//! recipient nerves' myelinated axon counts and the muscle's motor units), with the counts at
//! their means in the central draw and drawn per patient in the Monte Carlo. A case that gives
//! `donor_axons` keeps them; a transfer whose nerves are not counted keeps the atlas assumption.

use clinic::case::{RepairMethod, TransferSite, Treatment};
use clinic::montecarlo::{Engine, PlannedTreatment, planned, scenario_for};
use clinic::{Atlas, Case};
use twin::nerve_counts::NerveCounts;
use twin::repair::size_matched_donor_axons;

const UPPER_TRUNK: &str = "[patient]\nage_years = 24\n[[injury]]\nnerve = \"upper_trunk\"\nsite = \"supraclavicular\"\ngrade = \"neurotmesis\"\nregrowth = \"prevented\"\n";

fn transfer(id: &str, donor_axons: u32, size_match: bool) -> Treatment {
    Treatment::Repair {
        injury: 0,
        day: 120,
        method: RepairMethod::Transfer {
            donor_axons,
            donor_axotomized_days: twin::Days(0.0),
        },
        transfer: TransferSite {
            atlas_id: Some(id.into()),
            size_match,
            ..TransferSite::default()
        },
        brief_stimulation: false,
    }
}

/// The donor axons the twin scenario of `muscle` receives from the plan's transfer.
fn donor_axons(
    e: &Engine,
    c: &Case,
    draw: &clinic::montecarlo::Draw,
    plan: &[PlannedTreatment],
    muscle: &str,
) -> u32 {
    let k = c
        .muscles()
        .iter()
        .position(|(_, m)| m.muscle == muscle)
        .unwrap_or_else(|| panic!("{muscle} is a muscle of the case"));
    let s = scenario_for(e, c, draw, k, plan);
    s.treatments
        .iter()
        .find_map(|t| match t {
            twin::Treatment::Repair {
                method: twin::RepairMethod::Transfer { donor_axons, .. },
                ..
            } => Some(*donor_axons),
            _ => None,
        })
        .expect("the transfer reaches the muscle")
}

#[test]
fn atlas_transfers_use_the_size_match_of_the_calibration_runner() {
    let atlas = Atlas::human().unwrap();
    let c = Case::from_toml(UPPER_TRUNK, &atlas).unwrap();
    let e = Engine::human().unwrap();
    let counts = NerveCounts::human().unwrap();
    let mean = |id: &str| counts.get(id).unwrap().mean;
    let units = |m: &str| e.parameters().muscle(e.twin_muscle(m)).unwrap().motor_units;
    let central = e.central_draw(&c);
    let plan = |t: Treatment| vec![planned(&c, &atlas, t, false)];

    // Double fascicular: ulnar fascicle to the biceps branch (1318 / 1826), median fascicle to
    // the brachialis branch (1860 / 1840, every tube filled) — not the atlas's assumed 400.
    let df = plan(transfer("double_fascicular_to_musculocutaneous", 400, true));
    let biceps = donor_axons(&e, &c, &central, &df, "biceps_brachii");
    assert_eq!(
        biceps,
        size_matched_donor_axons(
            mean("ulnar_fascicle"),
            mean("biceps_branch"),
            units("biceps_brachii")
        )
    );
    assert!(
        biceps < units("biceps_brachii") && biceps != 400,
        "{biceps}"
    );
    let brachialis = donor_axons(&e, &c, &central, &df, "brachialis");
    assert_eq!(brachialis, units("brachialis"));

    // Spinal accessory to suprascapular (1323 / 3362): the supraspinatus gets about 39% of its
    // (stand-in) pool's units.
    let san = plan(transfer("accessory_to_suprascapular", 300, true));
    let supra = donor_axons(&e, &c, &central, &san, "supraspinatus");
    assert_eq!(
        supra,
        size_matched_donor_axons(
            mean("spinal_accessory"),
            mean("suprascapular"),
            units("supraspinatus")
        )
    );
    assert_ne!(supra, 300);

    // Patients differ: the Monte Carlo draws each patient's counts, within their bounds, the
    // same patient's count in every plan.
    let drawn: Vec<u32> = (0..40)
        .map(|i| donor_axons(&e, &c, &e.draw(&c, i), &san, "supraspinatus"))
        .collect();
    let (lo, hi) = (
        drawn.iter().min().copied().unwrap(),
        drawn.iter().max().copied().unwrap(),
    );
    assert!(lo < supra && supra < hi, "{lo} {supra} {hi}");
    let d = e.draw(&c, 7);
    assert_eq!(
        donor_axons(&e, &c, &d, &san, "supraspinatus"),
        donor_axons(&e, &c, &d, &san, "supraspinatus")
    );
}

#[test]
fn given_donor_axons_and_uncounted_nerves_keep_their_numbers() {
    let atlas = Atlas::human().unwrap();
    let c = Case::from_toml(UPPER_TRUNK, &atlas).unwrap();
    let e = Engine::human().unwrap();
    let central = e.central_draw(&c);
    // A case that states the donor axons (size_match false) keeps them.
    let given = vec![planned(
        &c,
        &atlas,
        transfer("double_fascicular_to_musculocutaneous", 250, false),
        false,
    )];
    assert_eq!(donor_axons(&e, &c, &central, &given, "biceps_brachii"), 250);
    // The same through the case file: `donor_axons` given with an atlas transfer.
    let text = format!(
        "{UPPER_TRUNK}[[treatment]]\nkind = \"repair\"\nmethod = \"transfer\"\ntransfer = \"accessory_to_suprascapular\"\nday = 120\ndonor_axons = 222\n"
    );
    let with = Case::from_toml(&text, &atlas).unwrap();
    assert!(with.treatments.iter().any(|t| matches!(
        t,
        Treatment::Repair {
            method: RepairMethod::Transfer {
                donor_axons: 222,
                ..
            },
            transfer: TransferSite {
                size_match: false,
                ..
            },
            ..
        }
    )));
    // A transfer whose nerves are not counted (median branches to the radial nerve) has no
    // size match.
    let median = atlas
        .transfers
        .iter()
        .find(|t| t.id == "median_to_radial")
        .unwrap();
    assert!(
        median
            .targets
            .iter()
            .all(|m| median.nerves_for(m).is_none()),
        "median-to-radial counts are not in the file; if added, this test should move to the counted list"
    );
    // The AIN to the ulnar motor branch is counted (pronator quadratus branch 757, deep motor
    // branch 2913, same specimens): every target takes the size match.
    let ain = atlas
        .transfers
        .iter()
        .find(|t| t.id == "ain_to_ulnar_motor")
        .unwrap();
    assert!(ain.targets.iter().all(|m| ain.nerves_for(m).is_some()));
}
