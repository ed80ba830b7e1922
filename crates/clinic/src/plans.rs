//! Treatment plans for a case, simulated on the same draws, ranked, with reasons.
//!
//! Plans: the case's own treatments always apply; each plan adds its own. Besides the plans
//! listed in the case, the standard ones for its injuries are
//! * **wait** (expectant management);
//! * **explore** at a day: the surgeon repairs the nerve (primary suture within a week of the
//!   injury, otherwise a graft of the case's `gap_mm` or a default length, an assumption) in the
//!   draws where it is divided or non-conducting (Sunderland IV–V), and does a neurolysis only
//!   otherwise. With no follow-up yet, two days are offered: early and after a period of waiting;
//!   with follow-up, shortly after the decision day;
//! * **distal nerve transfer** at the same day, for each atlas transfer that bypasses the injury
//!   (done in every draw);
//! * **stimulation**: direct muscle stimulation for a year from the decision day.
//!
//! The days, lengths and doses and the ranking weights are read from `data/clinic/plans.toml`
//! ([`PlanRules`]), each with its source or named as an assumption or value judgment there.
//!
//! Ranking criterion (documented in `docs/prognosis.md`): the score of a plan is the mean over the
//! affected muscles, weighted by their clinical priority (`[priority]` in `data/clinic/plans.toml`,
//! named value judgments: elbow flexors, then shoulder abductors, first), of
//! ½·(P(MRC ≥ 3) + P(MRC ≥ 4)) at the end of the horizon, minus a weight times the probability of
//! an operation that waiting did not need, under the follow-up weights if there are observations.
//! Plans within `PlanRules::tie` of each other are ordered by invasiveness (wait < stimulation <
//! exploration < transfer), then by the earlier median day of MRC ≥ 3 of the key muscle. The score puts no number on surgical risk or donor morbidity; the tie
//! rule is the only place where "less invasive" counts.

use serde::Serialize;

use crate::atlas::Atlas;
use crate::case::{Case, GradeSpec, PlanSpec, RepairMethod, Treatment};
use crate::error::PrognosisError;
use crate::montecarlo::{
    Engine, Outcome, PlannedTreatment, case_treatments, not_in_continuity, planned, run_days,
    run_plans,
};
use crate::prognosis::{FollowUp, MusclePrognosis, follow_up, summarise_muscle};

pub use crate::data::PlanRules;

/// One plan to simulate.
#[derive(Debug, Clone)]
pub struct PlanDef {
    /// Name.
    pub name: String,
    /// 0 wait, 1 stimulation, 2 exploration/repair, 3 transfer (listed plans: by their content).
    pub invasiveness: u8,
    /// Treatments added to the case's own.
    pub treatments: Vec<PlannedTreatment>,
    /// Plain-language description.
    pub description: String,
    /// For transfer plans: (atlas transfer id).
    pub transfer: Option<String>,
    /// Day of surgery, if any.
    pub surgery_day: Option<u32>,
}

fn repair_method(rules: &PlanRules, case: &Case, injury: usize, day: u32) -> RepairMethod {
    let inj = &case.injuries[injury];
    match inj.gap_mm {
        Some(g) if g > rules.primary_max_gap_mm => RepairMethod::Graft { length_mm: g },
        Some(_) => RepairMethod::Primary,
        None if day <= inj.day + rules.primary_within_days => RepairMethod::Primary,
        None => RepairMethod::Graft {
            length_mm: rules.default_graft_mm,
        },
    }
}

fn method_words(m: &RepairMethod) -> String {
    match m {
        RepairMethod::Primary => "primary suture".into(),
        RepairMethod::Graft { length_mm } => format!("a {length_mm:.0} mm graft"),
        RepairMethod::Transfer { .. } => "a nerve transfer".into(),
    }
}

/// The standard plans for a case, then the listed ones.
pub fn standard_plans(rules: &PlanRules, case: &Case, atlas: &Atlas) -> Vec<PlanDef> {
    let mut out = vec![PlanDef {
        name: "wait".into(),
        invasiveness: 0,
        treatments: Vec::new(),
        description: "expectant management: no operation".into(),
        transfer: None,
        surgery_day: None,
    }];
    let d = case.settings.decision_day;
    // (day, only if no sign of recovery by then, transfers offered)
    let days: Vec<(u32, bool, bool)> = if d == 0 {
        vec![
            (rules.early_day, false, false),
            (rules.late_day, true, true),
        ]
    } else {
        vec![(d + rules.after_decision_days, false, true)]
    };
    let days: Vec<(u32, bool, bool)> = days
        .into_iter()
        .filter(|x| x.0 < case.settings.horizon_days)
        .collect();
    for (i, inj) in case.injuries.iter().enumerate() {
        let possible_cut = match &inj.grade {
            GradeSpec::Known(g) => not_in_continuity(*g),
            GradeSpec::Unknown(p) => p.iter().any(|(g, w)| *w > 0.0 && not_in_continuity(*g)),
        };
        let known_cut = matches!(&inj.grade, GradeSpec::Known(g) if not_in_continuity(*g));
        let already_repaired = case
            .treatments
            .iter()
            .any(|t| matches!(t, Treatment::Repair { injury, .. } if *injury == i));
        for &(day, cond, transfers) in &days {
            let day = day.max(inj.day);
            let cond = cond && !known_cut;
            let suffix = if cond { " if no recovery" } else { "" };
            let when = if cond {
                format!(
                    " (only if waiting shows no sign of recovery by day {day}: the first muscle still MRC 0, no axon arrived)"
                )
            } else {
                String::new()
            };
            let with_cond = |mut t: PlannedTreatment| {
                if cond {
                    t.only_if_no_recovery_by = Some(day);
                }
                t
            };
            if possible_cut && !already_repaired {
                let method = repair_method(rules, case, i, day);
                let what = method_words(&method);
                out.push(PlanDef {
                    name: if known_cut { format!("repair day {day}") } else { format!("explore day {day}{suffix}") },
                    invasiveness: 2,
                    description: if known_cut {
                        format!("repair of the {} with {what} on day {day}", inj.place())
                    } else {
                        format!("exploration of the {} on day {day}{when}: {what} if it is found divided or non-conducting (Sunderland IV-V), neurolysis otherwise", inj.place())
                    },
                    treatments: vec![with_cond(planned(case, atlas, Treatment::Repair { injury: i, day, method }, true))],
                    transfer: None,
                    surgery_day: Some(day),
                });
            }
            if !transfers {
                continue;
            }
            if let crate::case::Location::Atlas { nerve, site } = &inj.location {
                let pos = atlas
                    .site(site)
                    .map(|s| s.position_mm)
                    .unwrap_or(f64::INFINITY);
                let affected: Vec<&str> = inj.muscles.iter().map(|m| m.muscle.as_str()).collect();
                for tr in atlas
                    .transfers_for(nerve, pos)
                    .into_iter()
                    .filter(|t| t.targets.iter().any(|m| affected.contains(&m.as_str())))
                {
                    let t = Treatment::Repair {
                        injury: i,
                        day,
                        method: RepairMethod::Transfer {
                            atlas_id: Some(tr.id.clone()),
                            donor_axons: tr.donor_axons,
                            distance_mm: None,
                            donor_axotomized_days: 0,
                        },
                    };
                    out.push(PlanDef {
                        name: format!("transfer {} day {day}{suffix}", tr.id),
                        invasiveness: 3,
                        description: format!(
                            "distal nerve transfer on day {day}{when}: {}; donor: {}",
                            tr.name, tr.donor
                        ),
                        treatments: vec![with_cond(planned(case, atlas, t, false))],
                        transfer: Some(tr.id.clone()),
                        surgery_day: Some(day),
                    });
                }
            }
        }
        let start = d.max(inj.day + rules.stim_start_after_injury_days);
        let end = (start + rules.stim_duration_days).min(case.settings.horizon_days);
        let stim_hours = rules.stim_hours;
        if end > start {
            out.push(PlanDef {
                name: if case.injuries.len() > 1 { format!("stimulation ({})", inj.nerve()) } else { "stimulation".into() },
                invasiveness: 1,
                description: format!("direct electrical stimulation of the denervated muscles, {stim_hours} h a day from day {start} to day {end}, no operation"),
                treatments: vec![planned(
                    case,
                    atlas,
                    Treatment::Stimulation { injury: i, start_day: start, end_day: end, hours_per_day: Some(stim_hours), contractions_per_day: None },
                    false,
                )],
                transfer: None,
                surgery_day: None,
            });
        }
    }
    for p in &case.plans {
        out.push(listed(case, atlas, p));
    }
    out
}

fn listed(case: &Case, atlas: &Atlas, p: &PlanSpec) -> PlanDef {
    let invasiveness = p
        .treatments
        .iter()
        .map(|t| match t {
            Treatment::Stimulation { .. } => 1,
            Treatment::Repair {
                method: RepairMethod::Transfer { .. },
                ..
            } => 3,
            Treatment::Repair { .. } => 2,
        })
        .max()
        .unwrap_or(0);
    PlanDef {
        name: p.name.clone(),
        invasiveness,
        treatments: p
            .treatments
            .iter()
            .map(|t| planned(case, atlas, t.clone(), false))
            .collect(),
        description: "listed in the case".into(),
        transfer: None,
        surgery_day: p
            .treatments
            .iter()
            .filter(|t| matches!(t, Treatment::Repair { .. }))
            .map(|t| t.day())
            .min(),
    }
}

/// One ranked plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanResult {
    /// Name.
    pub name: String,
    /// Rank (1 = best).
    pub rank: usize,
    /// Score (see the module documentation).
    pub score: f64,
    /// What the plan does.
    pub description: String,
    /// Reasons, in plain language with numbers.
    pub reasons: Vec<String>,
    /// Per-muscle prognosis under the plan.
    pub muscles: Vec<MusclePrognosis>,
}

/// The plan comparison.
#[derive(Debug, Clone, Serialize)]
pub struct PlansReport {
    /// Draws.
    pub draws: usize,
    /// The day the question is asked.
    pub decision_day: u32,
    /// The ranking criterion, in words.
    pub criterion: String,
    /// Plans, best first.
    pub plans: Vec<PlanResult>,
    /// Follow-up reweighting, when the case has observations.
    pub follow_up: Option<FollowUp>,
    /// The wait-or-operate answer, with its evidence.
    pub answer: String,
}

fn priority_words(rules: &PlanRules) -> String {
    let mut v: Vec<String> = rules
        .priority
        .iter()
        .map(|(m, w)| format!("{} {w}", m.replace('_', " ")))
        .collect();
    v.push(format!("others {}", rules.default_priority));
    v.join(", ")
}

/// The ranking criterion, in words, with the weights of `rules`.
pub fn criterion(rules: &PlanRules) -> String {
    format!(
        "score = mean over the affected muscles, weighted by clinical priority ({}), of (P(MRC >= 3) + P(MRC >= 4)) / 2 at the end of the horizon, minus {} x P(an operation that waiting did not need) (follow-up weighted); plans within {} are ordered by invasiveness (wait < stimulation < exploration/repair < transfer), then by the earlier median day of MRC >= 3",
        priority_words(rules),
        rules.unneeded_operation_weight,
        rules.tie
    )
}

/// The recovery part of a plan's score: the mean of ½·(P(MRC ≥ 3) + P(MRC ≥ 4)) over the
/// muscles, weighted by their clinical priority (`PlanRules::priority_of`).
pub fn score(rules: &PlanRules, ms: &[MusclePrognosis]) -> f64 {
    let total: f64 = ms.iter().map(|m| rules.priority_of(&m.muscle)).sum();
    if ms.is_empty() || total <= 0.0 {
        return 0.0;
    }
    ms.iter()
        .map(|m| rules.priority_of(&m.muscle) * 0.5 * (m.p_mrc_ge_3 + m.p_mrc_ge_4))
        .sum::<f64>()
        / total
}

fn pct(x: f64) -> String {
    format!("{:.0}%", (100.0 * x).max(0.0))
}

fn day_words(d: Option<f64>) -> String {
    match d {
        Some(d) => format!("day {d:.0}"),
        None => "never (within the horizon)".into(),
    }
}

/// Compares the standard and listed plans on the same draws.
pub fn compare(
    engine: &Engine,
    atlas: &Atlas,
    case: &Case,
    draws: usize,
    control: &vocabulary::Control,
) -> Result<PlansReport, PrognosisError> {
    let data = crate::data::ClinicData::embedded()?;
    let rules = &data.plans;
    let defs = standard_plans(rules, case, atlas);
    let base = case_treatments(case, atlas);
    let lists: Vec<Vec<PlannedTreatment>> = defs
        .iter()
        .map(|d| {
            base.iter()
                .cloned()
                .chain(d.treatments.iter().cloned())
                .collect()
        })
        .collect();
    let runs = run_plans(engine, case, &lists, draws, control)?;
    let (all_draws, outcomes) = (&runs.draws, &runs.outcomes);
    let fu = follow_up(&data.follow_up, case, all_draws, &outcomes[0]);
    let w = fu.weights.clone();
    let muscles = case.muscles();
    let summaries: Vec<Vec<MusclePrognosis>> = outcomes
        .iter()
        .map(|per_m| {
            per_m
                .iter()
                .enumerate()
                .map(|(k, o)| {
                    summarise_muscle(case, k, engine.twin_muscle(&muscles[k].1.muscle), o, &w)
                })
                .collect()
        })
        .collect();
    // Draws in which waiting reaches MRC >= 3 in every affected muscle.
    let wait_enough: Vec<bool> = (0..all_draws.len())
        .map(|i| outcomes[0].iter().all(|o| o[i].mrc_end >= 3))
        .collect();
    let p_operated: Vec<f64> = runs
        .operated
        .iter()
        .map(|op| {
            op.iter()
                .zip(&w)
                .filter(|(o, _)| **o)
                .map(|(_, x)| x)
                .sum::<f64>()
                + 0.0
        })
        .collect();
    let p_needless: Vec<f64> = runs
        .operated
        .iter()
        .map(|op| {
            op.iter()
                .zip(&w)
                .zip(&wait_enough)
                .filter(|((o, _), e)| **o && **e)
                .map(|((_, x), _)| x)
                .sum()
        })
        .collect();
    let scores: Vec<f64> = summaries
        .iter()
        .zip(&p_needless)
        .map(|(s, n)| score(rules, s) - rules.unneeded_operation_weight * n)
        .collect();
    let wait = &summaries[0];
    // Key muscle per plan: where it changes P(MRC>=3) most against waiting, else the most distal.
    let key = |pi: usize| -> usize {
        let mut best = (0.0, usize::MAX);
        for k in 0..muscles.len() {
            let d = (summaries[pi][k].p_mrc_ge_3 - wait[k].p_mrc_ge_3).abs();
            if d > best.0 + 1e-9 {
                best = (d, k);
            }
        }
        if best.1 != usize::MAX {
            best.1
        } else {
            (0..muscles.len())
                .max_by(|&a, &b| {
                    muscles[a]
                        .1
                        .distance_mm
                        .total_cmp(&muscles[b].1.distance_mm)
                })
                .unwrap_or(0)
        }
    };
    let mut results: Vec<(usize, PlanResult, u8, Option<f64>)> = Vec::new();
    for (pi, def) in defs.iter().enumerate() {
        let k = key(pi);
        let mk = &summaries[pi][k];
        let wk = &wait[k];
        let name = |s: &str| s.replace('_', " ");
        let mut reasons = vec![format!(
            "Mean over {} muscle(s): P(MRC >= 3) {} and P(MRC >= 4) {} at day {} (waiting: {} and {}).",
            muscles.len(),
            pct(summaries[pi].iter().map(|m| m.p_mrc_ge_3).sum::<f64>() / muscles.len() as f64),
            pct(summaries[pi].iter().map(|m| m.p_mrc_ge_4).sum::<f64>() / muscles.len() as f64),
            run_days(case).min(case.settings.horizon_days),
            pct(wait.iter().map(|m| m.p_mrc_ge_3).sum::<f64>() / muscles.len() as f64),
            pct(wait.iter().map(|m| m.p_mrc_ge_4).sum::<f64>() / muscles.len() as f64),
        )];
        let inj_day = case.injuries[muscles[k].0].day as f64;
        // Statistics over a subset of draws (weighted): median first reinnervation, P(MRC >= 3).
        let subset = |o: &[Outcome], mask: &dyn Fn(usize) -> bool| -> (Option<f64>, f64) {
            let ws: Vec<f64> = (0..o.len())
                .map(|i| if mask(i) { w[i] } else { 0.0 })
                .collect();
            let v: Vec<Option<f64>> = o
                .iter()
                .map(|x| x.first_reinnervation_day.map(f64::from))
                .collect();
            let tot: f64 = ws.iter().sum();
            let p3 = if tot > 0.0 {
                o.iter()
                    .zip(&ws)
                    .filter(|(x, _)| x.mrc_end >= 3)
                    .map(|(_, x)| x)
                    .sum::<f64>()
                    / tot
            } else {
                0.0
            };
            (crate::prognosis::weighted_quantile(&v, &ws, 0.5), p3)
        };
        let op = &runs.operated[pi];
        let conditional = p_operated[pi] > 0.0 && p_operated[pi] < 0.999;
        let compare_sentence = || -> String {
            let mask = |i: usize| !conditional || op[i];
            let (fp, pp) = subset(&outcomes[pi][k], &mask);
            let (fw, pw) = subset(&outcomes[0][k], &mask);
            let scope = if conditional {
                format!(", in the {} of draws operated", pct(p_operated[pi]))
            } else {
                String::new()
            };
            format!(
                "{}{scope}: first reinnervation {} vs {} waiting; P(MRC >= 3) {} vs {}.",
                name(&mk.muscle),
                day_words(fp),
                day_words(fw),
                pct(pp),
                pct(pw)
            )
        };
        match (&def.transfer, def.invasiveness) {
            (_, 0) => {
                let inj = muscles[k].0;
                let axonal = |i: usize| all_draws[i].grades[inj].is_axonal();
                let regrow = subset(&outcomes[0][k], &axonal).0.map(|d| d - inj_day);
                reasons.push(match regrow {
                    Some(r) => format!(
                        "Where axons are cut, regrowth to the {} ({:.0} mm from the injury) needs about {:.0} days at age {:.0} (median draw); P(axons arrive before its end plates stop accepting them) {}; P(MRC >= 3) {}.",
                        name(&mk.muscle), mk.distance_mm, r, case.patient.age_years, pct(mk.p_axons_before_window), pct(mk.p_mrc_ge_3)
                    ),
                    None => format!(
                        "In most draws no axon reaches the {} ({:.0} mm from the injury) without surgery; P(axons before the window) {}; P(MRC >= 3) {}.",
                        name(&mk.muscle), mk.distance_mm, pct(mk.p_axons_before_window), pct(mk.p_mrc_ge_3)
                    ),
                });
            }
            (Some(tid), _) => {
                if let Some(tr) = atlas.transfers.iter().find(|t| &t.id == tid) {
                    let targets: Vec<String> = def
                        .treatments
                        .first()
                        .and_then(|t| t.transfer_targets.as_ref())
                        .map(|m| {
                            m.iter()
                                .filter_map(|(mu, d)| {
                                    let from =
                                        muscles.iter().find(|x| &x.1.muscle == mu)?.1.distance_mm;
                                    Some(format!("{} from {:.0} mm to {:.0} mm", name(mu), from, d))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    reasons.push(format!(
                        "The transfer ({}) shortens the regrowth distance: {}.",
                        tr.donor,
                        targets.join("; ")
                    ));
                }
                reasons.push(compare_sentence());
            }
            (None, 2) => {
                let inj = muscles[k].0;
                let p_cut: f64 = all_draws
                    .iter()
                    .zip(&w)
                    .filter(|(d, _)| not_in_continuity(d.grades[inj]))
                    .map(|(_, x)| x)
                    .sum();
                let conditional_repair = def.treatments.iter().any(|t| t.only_if_not_in_continuity)
                    && matches!(case.injuries[inj].grade, GradeSpec::Unknown(_));
                if conditional_repair {
                    reasons.push(format!(
                        "The nerve is divided or non-conducting (Sunderland IV-V) in {} of the draws; only those are repaired, the others get a neurolysis.",
                        pct(p_cut)
                    ));
                }
                reasons.push(compare_sentence());
            }
            _ => {
                reasons.push(format!(
                    "{}: P(MRC >= 3) {} vs {} waiting; MRC 3 reached (median) {} vs {}.",
                    name(&mk.muscle),
                    pct(mk.p_mrc_ge_3),
                    pct(wk.p_mrc_ge_3),
                    day_words(mk.mrc_3_day.median),
                    day_words(wk.mrc_3_day.median)
                ));
            }
        }
        if p_operated[pi] > 0.0 {
            reasons.push(format!(
                "Operated in {} of the draws; in {} the operation was not needed (waiting reaches MRC >= 3 in every affected muscle).",
                pct(p_operated[pi]),
                pct(p_needless[pi])
            ));
        }
        results.push((
            pi,
            PlanResult {
                name: def.name.clone(),
                rank: 0,
                score: scores[pi],
                description: def.description.clone(),
                reasons,
                muscles: summaries[pi].clone(),
            },
            def.invasiveness,
            mk.mrc_3_day.median,
        ));
    }
    results.sort_by(|a, b| {
        let (sa, sb) = (a.1.score, b.1.score);
        if (sa - sb).abs() >= rules.tie {
            return sb.total_cmp(&sa);
        }
        a.2.cmp(&b.2)
            .then_with(|| {
                a.3.unwrap_or(f64::INFINITY)
                    .total_cmp(&b.3.unwrap_or(f64::INFINITY))
            })
            .then_with(|| sb.total_cmp(&sa))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut plans: Vec<PlanResult> = results.into_iter().map(|r| r.1).collect();
    for (i, p) in plans.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    let answer = answer(rules, case, &fu, &plans, &summaries[0], &outcomes[0]);
    Ok(PlansReport {
        draws,
        decision_day: case.settings.decision_day,
        criterion: criterion(rules),
        follow_up: if case.observations.is_empty() {
            None
        } else {
            Some(fu)
        },
        plans,
        answer,
    })
}

fn answer(
    rules: &PlanRules,
    case: &Case,
    fu: &FollowUp,
    plans: &[PlanResult],
    wait: &[MusclePrognosis],
    wait_outcomes: &[Vec<Outcome>],
) -> String {
    let d = case.settings.decision_day;
    let n = wait.len().max(1) as f64;
    let p_post = wait.iter().map(|m| m.p_mrc_ge_3).sum::<f64>() / n;
    let ndraws = wait_outcomes.first().map(|v| v.len()).unwrap_or(0).max(1);
    let p_prior = wait_outcomes
        .iter()
        .map(|o| o.iter().filter(|x| x.mrc_end >= 3).count() as f64 / ndraws as f64)
        .sum::<f64>()
        / n;
    if fu.implausible {
        return format!(
            "No confident answer: the observations are unlikely under every simulated course (the best draw explains them {:.1e} times as well as a perfect fit; {:.1} effective draws). Re-check the examination, the level of the injury and its date, or run more draws.",
            fu.best_fit, fu.effective_draws
        );
    }
    let best = &plans[0];
    let best_surgical = plans
        .iter()
        .find(|p| p.name != "wait" && !p.name.starts_with("stimulation"));
    let month = d as f64 / 30.44;
    let mut s = if case.observations.is_empty() {
        format!(
            "Before any follow-up: P(MRC >= 3) averaged over the affected muscles if we wait is {}. ",
            pct(p_prior)
        )
    } else {
        format!(
            "At day {d} (month {month:.1}), the {} observation(s) change P(MRC >= 3 without surgery), averaged over the affected muscles, from {} to {}. ",
            fu.observations,
            pct(p_prior),
            pct(p_post)
        )
    };
    if best.name == "wait" || best.name.starts_with("stimulation") {
        s.push_str(&format!("Waiting ranks first (score {:.2}", best.score));
        if let Some(b) = best_surgical {
            s.push_str(&format!(
                " against {:.2} for the best operation, {}{}",
                b.score,
                b.name,
                if b.score > best.score {
                    format!(
                        "; within the {} margin the less invasive plan ranks first",
                        rules.tie
                    )
                } else {
                    String::new()
                }
            ));
        }
        s.push_str("): wait and re-examine, looking for nascent units on EMG in the most proximal affected muscle.");
    } else {
        let w = plans
            .iter()
            .find(|p| p.name == "wait")
            .map(|p| p.score)
            .unwrap_or(0.0);
        s.push_str(&format!(
            "Operate: {} ranks first (score {:.2} against {:.2} for waiting).",
            best.name, best.score, w
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn muscle(name: &str, p3: f64, p4: f64) -> MusclePrognosis {
        let q = crate::prognosis::Quantiles {
            median: None,
            p10: None,
            p90: None,
        };
        MusclePrognosis {
            muscle: name.into(),
            nerve: "n".into(),
            distance_mm: 100.0,
            distance_source: "test".into(),
            simulated_as: name.into(),
            p_mrc_ge_3: p3,
            p_mrc_ge_4: p4,
            p_axons_before_window: 0.0,
            first_reinnervation_day: q,
            mrc_3_day: q,
            mrc_at_365: q,
            mrc_at_730: q,
            mrc_distribution: [0.0; 6],
        }
    }

    #[test]
    fn priority_muscles_are_atlas_muscles() {
        let rules = &crate::data::ClinicData::embedded().unwrap().plans;
        let atlas = Atlas::human().unwrap();
        assert!(!rules.priority.is_empty());
        for m in rules.priority.keys() {
            assert!(
                atlas.muscle(m).is_some(),
                "priority muscle `{m}` is not in the atlas"
            );
        }
    }

    #[test]
    fn a_priority_muscle_outweighs_an_unlisted_one() {
        let rules = &crate::data::ClinicData::embedded().unwrap().plans;
        let w = rules.priority_of("biceps_brachii");
        assert!(w > rules.default_priority);
        // Restoring the biceps alone scores more than restoring one unlisted muscle alone.
        let biceps = [
            muscle("biceps_brachii", 1.0, 1.0),
            muscle("teres_minor", 0.0, 0.0),
        ];
        let other = [
            muscle("biceps_brachii", 0.0, 0.0),
            muscle("teres_minor", 1.0, 1.0),
        ];
        let (a, b) = (score(rules, &biceps), score(rules, &other));
        assert!(a > b, "{a} {b}");
        let expected = w / (w + rules.priority_of("teres_minor"));
        assert!((a - expected).abs() < 1e-12);
        // Unlisted muscles alone: the plain mean.
        let plain = [
            muscle("teres_minor", 1.0, 0.0),
            muscle("coracobrachialis", 0.0, 0.0),
        ];
        assert!((score(rules, &plain) - 0.25).abs() < 1e-12);
    }
}
