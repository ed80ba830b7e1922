//! Nerve repair: primary suture, graft, nerve transfer.
//!
//! On the repair day, cut axons (or a transfer's donor axons) are launched to
//! regrow from the coaptation after the suture start-up delay, at the repair speed.
//! The share that reaches the muscle is
//!
//! * `coaptation_axon_success` once per repair: the share of motor axons that end in
//!   the right muscle's endoneurial tubes (mostly a matter of which distal tube an axon
//!   enters). A graft does not square it: in the primate median nerve, sural cable
//!   grafts over gaps of 20–50 mm gave motor-unit counts like direct suture (both up to
//!   twice the random expectation; Madison RD et al. 1999 J Neurosci 19:11007);
//! * the **right-target share** ([`right_target_share`]) sets which of the arriving axons
//!   are the muscle's own (functional misdirection): at a direct suture or a graft of a
//!   mixed nerve, regenerating motor axons enter other muscles' tubes; 42% (suture) and
//!   25% (graft) of the peroneal motoneurons returned to the peroneal nerve after repair
//!   of the rat sciatic nerve, against 71% after a crush, while the number of motoneurons
//!   that regenerated into it did not differ from normal (de Ruiter GCW et al. 2008 Exp
//!   Neurol 211:339). So the arriving count is not reduced (other muscles' axons take the
//!   tubes the muscle's own axons left), and of the arriving axons the share 1 − 0.41
//!   (suture) or 1 − 0.65 (graft; human 1 − 0.50) is the muscle's own; the rest are
//!   **foreign** units ([`crate::state::MotorUnits::foreign`]) that innervate fibres and
//!   count in the unit number, the CMAP and the needle EMG, but whose fibres the intended
//!   movement's command does not drive (human hand muscles after median or ulnar suture:
//!   Thomas CK, Stein RB, Gordon T, Lee RG, Elleker MG 1987 J Neurol Neurosurg Psychiatry
//!   50:259). Each of the muscle's own axons is lost with the same share as before this
//!   reading (sixth session of issue 12), so the misdirection is counted once: as own
//!   axons gone elsewhere, and as foreign axons that take fibres. A transfer's recipient
//!   is a muscle branch (every tube leads to the muscle): every arriving axon is own;
//! * for a graft, the loss along its length `exp(-L / graft_length_constant_mm)`
//!   ([`graft_factor`]); the graft also lengthens the regrowth path by L, and its
//!   axons cross two suture lines, each adding a staggered crossing delay
//!   ([`crate::regrowth::crossing_delay`]);
//! * times the **chronic-axotomy** factor `a + (1-a)·exp(-t_axotomy/τ_ax)` (τ 323 d in
//!   the rat) — neurons axotomized for long regenerate less;
//! * times the **chronic-denervation** factor `a + (1-a)·exp(-t_denervated/τ_den)`
//!   (τ about 45 d, asymptote about 19 of 137 units in the rat) — a long-denervated
//!   distal stump supports regrowth less.
//!
//! * times the **age** factor ([`age_factor`]) `1 - loss·clamp((age - a_ref)/(a_old - a_ref), 0, 1)`:
//!   old motoneurons send fewer axons into the muscle's tubes after a repair (rat femoral
//!   nerve, 159 motoneurons in the muscle branch in old rats vs 218 in young, Le TB,
//!   Aszmann O, Chen YG, Royall RM, Brushart TM; loss 0.27), linear from the young-adult
//!   reference age (no loss; laboratory rodents) to `age_old_years` (named assumption).
//!   One figure per patient, applied once per repair (direct, graft or transfer).
//!
//! Both time constants: Gordon lab, J Neurosci, PMC6622714 Fig. 5 (identity inferred
//! as Gordon, Tyreman & Raji 2011); Fu & Gordon 1995 J Neurosci 15:3886-3895.
//!
//! **Donor–recipient size match** of a transfer ([`size_matched_donor_axons`]): the donor's
//! axons are spread over the recipient nerve's endoneurial tubes at the coaptation, so a donor
//! with `D` myelinated axons sutured to a recipient with `R` reaches the share `min(1, D/R)`
//! of the recipient's tubes, and the muscle receives that share of its own motor units as
//! donor motor axons (the rest of its tubes stay empty; a donor larger than the recipient
//! fills every tube). Counts from `data/params/nerve-axon-counts.toml`
//! ([`crate::nerve_counts`]); the motor share of a nerve's axons is taken as equal in donor
//! and recipient (sensory axons outnumber motor axons at least 9:1 in every human arm nerve
//! counted, a ratio 'relatively constant' between nerves: Gesslbauer B et al. 2017 Ann
//! Neurol 82:396). The launched axons then cross the coaptation like any other
//! (`coaptation_axon_success` and the time factors above).

use crate::params::Coefficients;
use crate::scenario::{RepairMethod, Treatment};
use crate::sim::Core;
use crate::state::AxonState;

/// A repair waiting for axons still degenerating on the repair day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pending {
    /// Repair day.
    pub day: f64,
    /// Day regrowth starts.
    pub start: f64,
    /// Distance to the motor entry point, mm.
    pub distance_mm: f64,
    /// Success share before the chronic-axotomy factor.
    pub success: f64,
    /// Share of the arriving axons that are the muscle's own ([`right_target_share`]).
    pub own_share: f64,
    /// Suture lines the axons cross (1 suture, 2 graft).
    pub lines: u32,
}

/// Share of a young adult's coaptation success that a patient of `age_years` keeps:
/// `1 - age_coaptation_success_loss · clamp((age - age_reference_years) / (age_old_years -
/// age_reference_years), 0, 1)`; 1 at or below the reference age.
pub fn age_factor(k: &Coefficients, age_years: f64) -> f64 {
    let span = k.age_old_years - k.age_reference_years;
    let share = if span > 0.0 {
        ((age_years - k.age_reference_years) / span).clamp(0.0, 1.0)
    } else if age_years > k.age_reference_years {
        1.0
    } else {
        0.0
    };
    (1.0 - k.age_coaptation_success_loss.clamp(0.0, 1.0) * share).clamp(0.0, 1.0)
}

/// Share of the axons entering a graft of `length_mm` that leave its distal end.
pub fn graft_factor(k: &Coefficients, length_mm: f64) -> f64 {
    (-length_mm.max(0.0) / k.graft_length_constant_mm).exp()
}

/// Donor motor axons a transfer gives a muscle of `motor_units` units when a donor nerve of
/// `donor_count` myelinated axons is coapted to a recipient nerve of `recipient_count` (both
/// counted the same way): `round(motor_units · min(1, donor/recipient))`, at least 1 when
/// both counts are positive. A non-positive or non-finite count gives 0.
pub fn size_matched_donor_axons(donor_count: f64, recipient_count: f64, motor_units: u32) -> u32 {
    if !(donor_count.is_finite() && recipient_count.is_finite())
        || donor_count <= 0.0
        || recipient_count <= 0.0
    {
        return 0;
    }
    let share = (donor_count / recipient_count).min(1.0);
    (f64::from(motor_units) * share).round().max(1.0) as u32
}

/// Chronic-axotomy factor after `t` days of axotomy.
pub fn axotomy_factor(k: &Coefficients, t: f64) -> f64 {
    let a = k.chronic_axotomy_asymptote;
    a + (1.0 - a) * (-t.max(0.0) / k.chronic_axotomy_tau_days).exp()
}

/// Share of a repair's arriving motor axons that are the muscle's own motoneurons
/// (misdirection at a mixed-nerve coaptation); the rest are foreign units, which add
/// fibres and units but no voluntary force ([`crate::state::MotorUnits::voluntary_gate`]).
///
/// A direct suture or a graft joins a mixed nerve (the twin's reading of `Primary` and
/// `Graft`): `1 - wrong_target_share_mixed_suture` or `1 - wrong_target_share_mixed_graft`
/// (de Ruiter et al. 2008 Exp Neurol 211:339, relative to crush). A transfer's recipient
/// is a muscle branch whose every tube leads to the target muscle: 1.
pub fn right_target_share(k: &Coefficients, method: &RepairMethod) -> f64 {
    let wrong = match method {
        RepairMethod::Primary => k.wrong_target_share_mixed_suture,
        RepairMethod::Graft { .. } => k.wrong_target_share_mixed_graft,
        RepairMethod::Transfer { .. } => 0.0,
    };
    (1.0 - wrong).clamp(0.0, 1.0)
}

/// Chronic-denervation factor after `t` days of distal-stump denervation.
pub fn denervation_factor(k: &Coefficients, t: f64) -> f64 {
    let a = k.chronic_denervation_asymptote;
    a + (1.0 - a) * (-t.max(0.0) / k.chronic_denervation_tau_days).exp()
}

/// Applies repairs scheduled for today.
pub(crate) fn step(c: &mut Core) {
    let d = c.day as f64;
    let repairs: Vec<Treatment> = c
        .treatments
        .iter()
        .filter(|t| matches!(t, Treatment::Repair { day, .. } if d - 1.0 <= day.0 && day.0 < d))
        .cloned()
        .collect();
    for t in repairs {
        let Treatment::Repair {
            day,
            method,
            distance_mm,
        } = t
        else {
            continue;
        };
        let injury_day = c.injury.as_ref().map(|i| i.day.0);
        let base_distance = distance_mm
            .map(|m| m.0)
            .or(c.injury.as_ref().map(|i| i.distance_mm.0))
            .unwrap_or(0.0);
        let stump_days = injury_day.map(|i| (day.0 - i).max(0.0)).unwrap_or(0.0);
        let den = if injury_day.is_some() {
            denervation_factor(&c.coef, stump_days)
        } else {
            1.0
        };
        let k = c.coef.clone();
        let den = den * age_factor(&k, c.age_years);
        let start = day.0 + k.regrowth_delay_repair_days;
        match method {
            RepairMethod::Primary | RepairMethod::Graft { .. } => {
                // Every tube of the distal stump that an axon enters is filled: the muscle's
                // own misdirected axons are replaced by other muscles' (foreign) ones, so
                // the arriving count is not reduced by misdirection; the right-target
                // share sets which of them are the muscle's own.
                let (success, extra, lines) = match method {
                    RepairMethod::Graft { length_mm } => (
                        k.coaptation_axon_success * graft_factor(&k, length_mm.0),
                        length_mm.0,
                        2,
                    ),
                    _ => (k.coaptation_axon_success, 0.0, 1),
                };
                let pending = Pending {
                    day: day.0,
                    start,
                    distance_mm: base_distance + extra,
                    success: success * den,
                    own_share: right_target_share(&k, &method),
                    lines,
                };
                for u in 0..c.native_units {
                    if matches!(
                        c.units.axon[u],
                        AxonState::Absent | AxonState::Lost | AxonState::Regrowing
                    ) && c.units.cut_day[u] >= 0.0
                    {
                        let t_ax = day.0 - c.units.cut_day[u] as f64;
                        let s = pending.success * axotomy_factor(&k, t_ax);
                        crate::regrowth::launch(
                            c,
                            u,
                            s,
                            pending.own_share,
                            start,
                            pending.distance_mm,
                            k.repair_speed_factor,
                            pending.lines,
                        );
                    }
                }
                c.pending_repair = Some(pending);
            }
            RepairMethod::Transfer {
                donor_axons,
                donor_axotomized_days,
            } => {
                let success =
                    k.coaptation_axon_success * axotomy_factor(&k, donor_axotomized_days.0) * den;
                // A muscle branch: every donor axon that arrives is in the target's tubes.
                let own_share = right_target_share(&k, &method);
                let mut left = donor_axons;
                for u in c.native_units..c.units.len() {
                    if left == 0 {
                        break;
                    }
                    if c.units.axon[u] == AxonState::Donor {
                        left -= 1;
                        crate::regrowth::launch(
                            c,
                            u,
                            success,
                            own_share,
                            start,
                            base_distance,
                            k.repair_speed_factor,
                            1,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{age_factor, right_target_share, size_matched_donor_axons};
    use crate::scenario::RepairMethod;
    use crate::units::{Days, Millimetres};
    use crate::{Parameters, Species};

    #[test]
    fn mixed_nerve_repairs_give_foreign_units_and_transfers_to_a_muscle_branch_none() {
        let suture = RepairMethod::Primary;
        let graft = RepairMethod::Graft {
            length_mm: Millimetres(40.0),
        };
        let transfer = RepairMethod::Transfer {
            donor_axons: 300,
            donor_axotomized_days: Days(0.0),
        };
        for species in [Species::Human, Species::Rat, Species::Mouse] {
            let k = Parameters::for_species(species).unwrap().coef;
            // de Ruiter et al. 2008: 42% (suture) and 25% (graft) vs 71% after crush; for
            // people the graft's share is the primate one (Madison et al. 1999: graft/suture
            // thenar units 0.85 of the suture's 42/71).
            let s = right_target_share(&k, &suture);
            let g = right_target_share(&k, &graft);
            assert!((s - 42.0 / 71.0).abs() < 0.01, "{species}: {s}");
            let want = if species == Species::Human {
                42.0 / 71.0 * 0.85
            } else {
                25.0 / 71.0
            };
            assert!((g - want).abs() < 0.01, "{species}: {g}");
            assert!(g < s && s < 1.0, "{species}");
            assert_eq!(right_target_share(&k, &transfer), 1.0, "{species}");
        }
    }

    #[test]
    fn coaptation_success_falls_with_age_from_the_young_adult_to_the_old_animal_figure() {
        for species in [Species::Human, Species::Rat, Species::Mouse] {
            let k = Parameters::for_species(species).unwrap().coef;
            // Young adults (the default age, and every rodent experiment) keep it all.
            assert_eq!(age_factor(&k, k.age_reference_years), 1.0, "{species}");
            assert_eq!(
                age_factor(&k, k.age_reference_years / 2.0),
                1.0,
                "{species}"
            );
            // Old animals keep Le et al.'s 159 of 218 motoneurons (loss 0.27).
            let old = age_factor(&k, k.age_old_years);
            assert!((old - 0.73).abs() < 1e-9, "{species}: {old}");
            assert_eq!(age_factor(&k, k.age_old_years + 10.0), old, "{species}");
        }
        let k = Parameters::for_species(Species::Human).unwrap().coef;
        // Half way from 30 to 75 years: half the loss.
        assert!((age_factor(&k, 52.5) - 0.865).abs() < 1e-9);
        assert!(age_factor(&k, 40.0) > age_factor(&k, 60.0));
    }

    #[test]
    fn a_small_donor_reaches_its_share_of_the_recipient_tubes_and_a_large_one_all() {
        // Three intercostal nerves (1063) to the biceps branch (1826): 58% of 113 units.
        assert_eq!(size_matched_donor_axons(1063.0, 1826.0, 113), 66);
        // A donor larger than the recipient fills every tube, no more.
        assert_eq!(size_matched_donor_axons(3000.0, 1826.0, 113), 113);
        // Monotone in the donor count.
        let a = size_matched_donor_axons(736.0, 3666.0, 113);
        let b = size_matched_donor_axons(1418.0, 3666.0, 113);
        assert!(a < b, "{a} {b}");
        assert_eq!(size_matched_donor_axons(0.0, 1826.0, 113), 0);
        assert_eq!(size_matched_donor_axons(f64::NAN, 1826.0, 113), 0);
        assert_eq!(size_matched_donor_axons(10.0, 1.0e5, 113), 1);
    }
}
