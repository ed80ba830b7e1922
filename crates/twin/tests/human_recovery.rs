//! Human recovery after repair, grafts, transfers and delay: one test for each class of
//! error of issue 12 that the mechanisms now address (staggered crossing and unit
//! maturation, graft loss and coaptation once per repair, between-patient variability).
//! Each runs small cohorts at pooled resolution with patients drawn by `twin::patient`
//! (run in release mode: `cargo test -p twin --release --test human_recovery`).
//!
//! Research and teaching software, not a medical device.

use twin::patient::Variation;
use twin::{Parameters, Resolution, Scenario, Simulation, Species, TimeCourse};

fn human() -> Parameters {
    Parameters::for_species(Species::Human).unwrap()
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml_str(text).unwrap()
}

/// Runs `n` patients of a scenario: patient `i` has seed `i + 1` and its own parameters.
fn cohort(text: &str, n: u64) -> Vec<TimeCourse> {
    let base = human();
    let v = Variation::human(&base).unwrap();
    (0..n)
        .map(|i| {
            let mut s = scenario(text);
            s.seed = i + 1;
            let p = v.draw(&base, s.seed);
            Simulation::new(&s, &p, Resolution::Pooled)
                .unwrap()
                .run(s.horizon_days)
        })
        .collect()
}

fn typical(text: &str) -> TimeCourse {
    let s = scenario(text);
    Simulation::new(&s, &human(), Resolution::Pooled)
        .unwrap()
        .run(s.horizon_days)
}

fn share_at_least(courses: &[TimeCourse], day: u32, grade: u8) -> f64 {
    courses
        .iter()
        .filter(|c| c.at(day).mrc_grade >= grade)
        .count() as f64
        / courses.len() as f64
}

const GRAFT_30MM_6_MONTHS: &str = r#"
species = "human"
muscle = "deltoid"
age_years = 30
horizon_days = 900
[injury]
grade = "neurotmesis"
distance_mm = 60
[[treatment]]
kind = "repair"
day = 180
method = "graft"
graft_length_mm = 30
"#;

/// Class 1: a 30 mm graft six months after the injury is not futile: most young adults
/// reach useful strength (MRC >= 3), as in clinical series of grafts of several
/// centimetres after delays of months (George & Boyce 2014: 64% MRC >= 4 after grafts
/// shorter than 6 cm).
#[test]
fn six_month_30mm_graft_gives_useful_recovery_in_most_young_adults() {
    let c = cohort(GRAFT_30MM_6_MONTHS, 20);
    let s = share_at_least(&c, 900, 3);
    assert!(s > 0.5, "share MRC >= 3 at 900 d: {s}");
}

/// Class 1: longer grafts and longer delays do worse, gradually (not a step): a 90 mm
/// graft at two weeks still helps some patients, and a 30 mm graft at six months does
/// worse than a direct repair at two weeks.
#[test]
fn graft_length_and_delay_grade_outcomes_without_collapse() {
    let long = GRAFT_30MM_6_MONTHS
        .replace("day = 180", "day = 14")
        .replace("graft_length_mm = 30", "graft_length_mm = 90");
    let long = share_at_least(&cohort(&long, 20), 900, 3);
    assert!(long > 0.0, "90 mm graft at 2 weeks: share MRC >= 3 {long}");
    let early = GRAFT_30MM_6_MONTHS
        .replace("day = 180", "day = 14")
        .replace(
            "method = \"graft\"\ngraft_length_mm = 30",
            "method = \"primary\"",
        );
    let early = typical(&early).at(900).voluntary_force_fraction;
    let late = typical(GRAFT_30MM_6_MONTHS)
        .at(900)
        .voluntary_force_fraction;
    assert!(
        late < early,
        "graft at 6 months {late} vs suture at 2 weeks {early}"
    );
}

const SPINAL_ACCESSORY_TO_SUPRASCAPULAR: &str = r#"
species = "human"
muscle = "deltoid"
age_years = 30
horizon_days = 900
[injury]
grade = "neurotmesis"
distance_mm = 200
regrowth = "prevented"
[[treatment]]
kind = "repair"
day = 180
method = "transfer"
donor_nerve = "spinal_accessory"
recipient_nerve = "suprascapular"
distance_mm = 40
"#;

/// Class 2: MRC 3 of shoulder abduction depends on which lifters survive (twin::gravity,
/// from the arm's weight load and the supraspinatus's share of elevation): the same
/// reinnervated muscle reaches MRC 3 in fewer patients when it lifts the arm alone (after
/// an upper-trunk injury) than with a working synergist, and in fewer than under the
/// generic threshold, which is far below the arm's load.
#[test]
fn lifting_the_arm_alone_needs_more_of_the_reinnervated_muscle() {
    let stated = |working: &str| {
        format!(
            "{SPINAL_ACCESSORY_TO_SUPRASCAPULAR}[against_gravity]\nmovement = \"shoulder_abduction\"\nmuscle = \"supraspinatus\"\nworking = [{working}]\n"
        )
    };
    let generic = share_at_least(&cohort(SPINAL_ACCESSORY_TO_SUPRASCAPULAR, 20), 900, 3);
    let alone = share_at_least(&cohort(&stated(""), 20), 900, 3);
    let helped = share_at_least(&cohort(&stated("\"deltoid\""), 20), 900, 3);
    assert!(
        alone < generic && alone < helped,
        "MRC >= 3 alone {alone}, with a working deltoid {helped}, generic threshold {generic}"
    );
    let bad = Scenario::from_toml_str(&stated("\"biceps_brachii\"")).unwrap_err();
    assert!(
        bad.to_string().contains("against_gravity.working[0]"),
        "{bad}"
    );
}

const TRANSFER: &str = r#"
species = "human"
muscle = "biceps_brachii"
age_years = 30
horizon_days = 800
[injury]
grade = "neurotmesis"
distance_mm = 250
regrowth = "prevented"
[[treatment]]
kind = "repair"
day = 180
method = "transfer"
donor_axons = 400
distance_mm = 30
"#;

/// Class 2: a nerve transfer coapted 30 mm from the motor point does not give MRC 3
/// within weeks: axons cross the suture line over weeks and new units mature over
/// months (clinical reinnervation 3.5-7 months after a double fascicular transfer,
/// Mackinnon et al. 2005).
#[test]
fn transfer_reaches_mrc3_months_after_surgery() {
    let c = typical(TRANSFER);
    let mrc3 = c
        .events
        .mrc_3_day
        .expect("the typical transfer reaches MRC 3");
    assert!(mrc3 >= 180 + 90, "MRC 3 on day {mrc3}, transfer on day 180");
}

/// Class 2: transfers fail in some patients when old and late.
#[test]
fn late_transfers_in_older_patients_do_not_all_succeed() {
    let late = TRANSFER
        .replace("age_years = 30", "age_years = 60")
        .replace("day = 180", "day = 365")
        .replace("horizon_days = 800", "horizon_days = 1000");
    let s = share_at_least(&cohort(&late, 20), 1000, 4);
    assert!(
        s < 1.0,
        "share MRC >= 4 after a transfer at 12 months, age 60: {s}"
    );
}

/// Class 2, age: with the same transfer, delay and seed, a 65-year-old's deltoid receives
/// fewer donor units than a 25-year-old's, in the proportion of the old-animal loss of
/// coaptation success (Le et al.: 159 of 218 motoneurons, linear from 30 to 75 years:
/// 1 - 0.27 x 35/45 = 0.79), and is weaker at two years. 200 donor axons into the
/// deltoid's 330 units leave every donor unit its own tubes (no saturation); the tolerance
/// is the +/-1 unit of the stratified fates on a few dozen units.
#[test]
fn older_patients_receive_fewer_donor_units_after_the_same_transfer() {
    let at = |age: u32| {
        let text = TRANSFER
            .replace("age_years = 30", &format!("age_years = {age}"))
            .replace("biceps_brachii", "deltoid")
            .replace("donor_axons = 400", "donor_axons = 200");
        *typical(&text).at(800)
    };
    let young = at(25);
    let old = at(65);
    let ratio = old.motor_unit_count / young.motor_unit_count;
    assert!(
        (ratio - 0.79).abs() < 0.04,
        "units at 65 y {} vs 25 y {} (ratio {ratio})",
        old.motor_unit_count,
        young.motor_unit_count
    );
    assert!(
        old.voluntary_force_fraction < young.voluntary_force_fraction,
        "force at 65 y {} vs 25 y {}",
        old.voluntary_force_fraction,
        young.voluntary_force_fraction
    );
}

/// Class 2, donor size: with the same delay, distance and patients, two intercostal nerves
/// sutured to the motor part of the musculocutaneous nerve (a donor/recipient ratio of 0.2 in
/// the cited counts) leave the biceps weaker at two years than an ulnar fascicle sutured to
/// the biceps branch (ratio 0.72), and fail to reach MRC 3 in more patients
/// (`twin::repair::size_matched_donor_axons`, counts of `data/params/nerve-axon-counts.toml`).
#[test]
fn a_small_donor_for_a_large_recipient_gives_weaker_transfers() {
    let counts = twin::nerve_counts::NerveCounts::human().unwrap();
    let units = human().muscle("biceps_brachii").unwrap().motor_units;
    let axons = |donor: &str, recipient: &str| {
        twin::repair::size_matched_donor_axons(
            counts.get(donor).unwrap().mean,
            counts.get(recipient).unwrap().mean,
            units,
        )
    };
    let run = |n: u32| {
        let text = TRANSFER
            .replace("donor_axons = 400", &format!("donor_axons = {n}"))
            .replace("distance_mm = 30", "distance_mm = 120");
        cohort(&text, 20)
    };
    let small = run(axons("intercostal_x2", "musculocutaneous_motor"));
    let matched = run(axons("ulnar_fascicle", "biceps_branch"));
    let mean_force = |c: &[TimeCourse]| {
        c.iter()
            .map(|t| t.at(800).voluntary_force_fraction)
            .sum::<f64>()
            / c.len() as f64
    };
    assert!(
        mean_force(&small) < 0.8 * mean_force(&matched),
        "force at 2 years: small donor {}, matched donor {}",
        mean_force(&small),
        mean_force(&matched)
    );
    assert!(share_at_least(&small, 800, 3) <= share_at_least(&matched, 800, 3));
}

/// Class 4: from the first working contact to MRC 3 takes weeks to months, not days.
#[test]
fn first_contact_to_mrc3_takes_weeks() {
    let text = r#"
species = "human"
muscle = "tibialis_anterior"
age_years = 30
horizon_days = 500
[injury]
grade = "neurotmesis"
distance_mm = 42
[[treatment]]
kind = "repair"
day = 7
method = "primary"
"#;
    let c = typical(text);
    let first = c.events.first_reinnervation_day.expect("axons arrive");
    let mrc3 = c.events.mrc_3_day.expect("MRC 3 is reached");
    assert!(
        mrc3 >= first + 28,
        "first contact day {first}, MRC 3 day {mrc3}"
    );
}

/// Class 3: a grade II lesion close to the muscle recovers full strength (MRC 5).
#[test]
fn close_grade_two_lesion_reaches_mrc5() {
    let text = r#"
species = "human"
muscle = "biceps_brachii"
age_years = 30
horizon_days = 400
[injury]
sunderland = 2
distance_mm = 60
"#;
    let c = typical(text);
    assert_eq!(c.at(400).mrc_grade, 5, "{:?}", c.at(400));
}

/// Class 5: patients differ: after the same repair, the 2-year MRC grades of a population
/// spread over more than one grade.
#[test]
fn two_year_grades_of_a_population_spread_over_more_than_one_grade() {
    let text = r#"
species = "human"
muscle = "tibialis_anterior"
age_years = 35
horizon_days = 730
[injury]
grade = "neurotmesis"
distance_mm = 42
[[treatment]]
kind = "repair"
day = 120
method = "graft"
graft_length_mm = 80
"#;
    let c = cohort(text, 24);
    let mut grades: Vec<u8> = c.iter().map(|t| t.at(730).mrc_grade).collect();
    grades.sort_unstable();
    grades.dedup();
    assert!(grades.len() >= 2, "grades at 2 years: {grades:?}");
}

/// Class 5, transfers: patients differ after a transfer too. An ulnar-fascicle-to-biceps
/// transfer (Oberlin; donor axons size-matched from the cited counts, ratio 0.72) six months
/// after the injury, 24 adults of 35: their grades two years after the transfer spread over
/// more than one grade (clinical series of single fascicular transfers report MRC >= 4 in
/// 63%, not in all or none: Rezzadeh et al. 2020, data/calibration/human-series.toml).
#[test]
fn two_year_grades_after_a_transfer_spread_over_more_than_one_grade() {
    let counts = twin::nerve_counts::NerveCounts::human().unwrap();
    let units = human().muscle("biceps_brachii").unwrap().motor_units;
    let axons = twin::repair::size_matched_donor_axons(
        counts.get("ulnar_fascicle").unwrap().mean,
        counts.get("biceps_branch").unwrap().mean,
        units,
    );
    let text = TRANSFER
        .replace("age_years = 30", "age_years = 35")
        .replace("donor_axons = 400", &format!("donor_axons = {axons}"))
        .replace("horizon_days = 800", "horizon_days = 910");
    let c = cohort(&text, 24);
    let mut grades: Vec<u8> = c.iter().map(|t| t.at(910).mrc_grade).collect();
    grades.sort_unstable();
    grades.dedup();
    assert!(
        grades.len() >= 2,
        "grades 2 years after the transfer: {grades:?}"
    );
}

/// Class 3, a long lesion in continuity: a grade I-II lesion 240 mm above the extensor
/// indicis that leaves half its axons only blocked (a mixed lesion, `blocked_share`) reaches
/// MRC 5 within a year, long before regrowing axons could arrive: the blocked units lift their
/// block after 3-8 weeks and their sprouts have taken the orphaned fibres meanwhile (human
/// units enlarge several-fold). The share 0.5 is an even mix, not read from a series.
#[test]
fn a_mixed_grade_one_two_lesion_far_from_the_muscle_reaches_mrc5() {
    let text = r#"
species = "human"
muscle = "extensor_indicis"
age_years = 30
horizon_days = 365
[injury]
sunderland = 2
distance_mm = 240
blocked_share = 0.5
"#;
    let c = typical(text);
    let day = c.events.mrc_5_day.expect("the mixed lesion reaches MRC 5");
    let arrival = (240.0 / human().coef.regrowth_speed_mm_per_day) as u32;
    assert!(
        day < arrival,
        "MRC 5 on day {day}; regrowing axons arrive from about day {arrival}"
    );
    assert_eq!(c.at(365).mrc_grade, 5, "{:?}", c.at(365));
}

/// Class 6: a human thigh muscle denervated for good (conus/cauda lesion, no regrowth)
/// keeps shrinking in bulk: once its fibres have atrophied, a fibre that dies is replaced by
/// fat and collagen no larger than the fibre it replaces, so the whole muscle does not grow
/// again as fibres die (before the change it rose from 0.14 of healthy at one year to 0.52 at
/// six, as dead fibres were replaced at 0.6 of their healthy volume). Denervated muscle is
/// described as severely shrunken and then fibro-fatty (Carraro & Kern 2016), and the
/// quadriceps of the RISE patients, several years after the lesion, measured 28.2 +/- 8.1 cm2
/// on CT (Kern et al. 2010).
#[test]
fn long_denervated_human_muscle_does_not_regain_bulk_as_fibres_die() {
    let text = r#"
species = "human"
muscle = "quadriceps"
age_years = 40
horizon_days = 2190
[injury]
grade = "neurotmesis"
distance_mm = 400
regrowth = "prevented"
"#;
    let c = typical(text);
    let days = [200u32, 365, 540, 730, 1095, 1460, 1825, 2190];
    for pair in days.windows(2) {
        let (a, b) = (c.at(pair[0]), c.at(pair[1]));
        assert!(
            b.muscle_mass_fraction <= a.muscle_mass_fraction + 1e-9,
            "mass rose from {} on day {} to {} on day {}",
            a.muscle_mass_fraction,
            pair[0],
            b.muscle_mass_fraction,
            pair[1]
        );
    }
    // Fibres do die over these years (the test is not passing because none died).
    assert!(
        c.at(2190).fat_fibrous_fraction > c.at(540).fat_fibrous_fraction,
        "{:?} vs {:?}",
        c.at(540),
        c.at(2190)
    );
}

/// Class 6, the early course: denervated human muscle atrophies severely over years, not
/// within months. After complete lower-motor-neuron lesions the quadriceps shows "severe
/// atrophy and disorganization of contractile apparatus after 1-3 years" (Carraro & Kern
/// 2010), severely atrophic fibres (nuclear clumps) are "very seldom" up to two years
/// and fibrosis takes over only from the sixth year (Carraro & Kern 2016); several years
/// after the lesion the RISE cohort's fibres measured 16.6 um across (Kern et al. 2010),
/// 16.6/71 = 0.234 of a healthy vastus lateralis fibre at most (4000-5400 um2, 71-83 um if
/// round). Before `denervated_synthesis_decline_days` the twin's fibres reached that size
/// within the first year (diameter 0.20 on day 365) and the fat/fibrous share passed 0.7.
#[test]
fn denervated_human_fibres_atrophy_severely_over_years_not_months() {
    let text = r#"
species = "human"
muscle = "quadriceps"
age_years = 40
horizon_days = 1095
[injury]
grade = "neurotmesis"
distance_mm = 400
regrowth = "prevented"
"#;
    let c = typical(text);
    let rise = 16.6 / 71.0;
    let (one, three) = (c.at(365), c.at(1095));
    assert!(
        one.fiber_diameter_fraction > rise,
        "fibres severely atrophied within a year: diameter {} of healthy on day 365 (RISE cohort \
         several years after the lesion: at most {rise:.3})",
        one.fiber_diameter_fraction
    );
    assert!(
        one.fat_fibrous_fraction < 0.5,
        "fibrosis has taken over within a year: fat/fibrous share {} on day 365",
        one.fat_fibrous_fraction
    );
    assert!(
        three.fiber_diameter_fraction <= rise,
        "fibres not severely atrophied after three years: diameter {} of healthy on day 1095 \
         (RISE cohort: at most {rise:.3})",
        three.fiber_diameter_fraction
    );
}

/// Classes 4 and 5, a compression palsy: patients with the same neurapraxia at the spiral
/// groove do not all reach full strength on the same day. The duration of a demyelinating
/// block differs between patients (complete recovery after 46.8 +/- 34.3 days in 33 patients
/// with acute compressive radial neuropathy: the spread carried by `block_recovery_max_days`
/// in `data/atlas/prognosis_uncertainty.toml`); before it, every patient reached MRC 5 on
/// day 54.
#[test]
fn neurapraxic_patients_reach_full_strength_on_different_days() {
    let text = r#"
species = "human"
muscle = "extensor_indicis"
age_years = 40
horizon_days = 240
[injury]
grade = "neurapraxia"
distance_mm = 325
"#;
    let c = cohort(text, 20);
    let mut days: Vec<u32> = c
        .iter()
        .map(|t| t.events.mrc_5_day.expect("a neurapraxia recovers fully"))
        .collect();
    days.sort_unstable();
    let (early, late) = (days[4], days[15]);
    assert!(
        late >= early + 21,
        "MRC 5 days of 20 patients: {days:?} (5th {early}, 16th {late})"
    );
}

const MEDIAN_SUTURE: &str = r#"
species = "human"
muscle = "abductor_pollicis_brevis"
age_years = 30
horizon_days = 1095
[injury]
grade = "neurotmesis"
distance_mm = 80
[[treatment]]
kind = "repair"
day = 7
method = "primary"
"#;

/// Functional misdirection at a mixed-nerve suture (de Ruiter et al. 2008: as many
/// motoneurons regenerate into the distal nerve as normal, 42/71 of them its own; Thomas
/// et al. 1987, human hand muscles): three years after a direct suture the units of other
/// muscles' motoneurons fire their fibres on nerve stimulation but not in the intended
/// movement, so voluntary force is the own share of the force on nerve stimulation; after
/// a transfer to a muscle branch every arriving unit is the muscle's own.
#[test]
fn misdirected_units_fire_on_nerve_stimulation_but_not_in_the_intended_movement() {
    let k = human().coef;
    let own = 1.0 - k.wrong_target_share_mixed_suture;
    let q = *typical(MEDIAN_SUTURE).at(1095);
    assert!(q.nerve_stimulation_force_fraction > 0.0, "{q:?}");
    let ratio = q.voluntary_force_fraction / q.nerve_stimulation_force_fraction;
    assert!(
        (ratio - own).abs() < 0.1,
        "voluntary / nerve-stimulation force {ratio}, own share {own}"
    );
    let t = *typical(TRANSFER).at(800);
    let ratio = t.voluntary_force_fraction / t.nerve_stimulation_force_fraction;
    assert!(
        ratio > 0.95,
        "transfer: voluntary / nerve-stimulation force {ratio}"
    );
}

/// The foreign units count in the unit number and the CMAP (they take the tubes the muscle's
/// own misdirected axons left: de Ruiter et al. 2008 found as many motoneurons regenerating
/// as normal): the same suture with no misdirection gives the same units and CMAP, and
/// only the voluntary force differs.
#[test]
fn misdirected_units_count_in_the_unit_number_and_cmap() {
    let s = scenario(MEDIAN_SUTURE);
    let run = |p: &Parameters| {
        let c = Simulation::new(&s, p, Resolution::Pooled)
            .unwrap()
            .run(s.horizon_days);
        *c.at(1095)
    };
    let base = human();
    let mut none = human();
    none.coef.wrong_target_share_mixed_suture = 0.0;
    let (q, q0) = (run(&base), run(&none));
    assert_eq!(q.motor_unit_count, q0.motor_unit_count);
    assert_eq!(q.cmap_fraction, q0.cmap_fraction);
    assert!(
        q.voluntary_force_fraction < 0.75 * q0.voluntary_force_fraction,
        "voluntary force {} with misdirection, {} without",
        q.voluntary_force_fraction,
        q0.voluntary_force_fraction
    );
}
