//! Treatment plans and strategies for a case, simulated on the same draws, ranked, with reasons
//! and the decision outputs.
//!
//! Plans: the case's own treatments always apply; each plan adds its own. Besides **wait**,
//! **stimulation** (direct muscle stimulation for a year) and the plans listed in the case, each
//! injury gets the operations its nerve's standard strategies offer (`data/clinic/strategies.toml`,
//! cited): **explore** (repair if divided or non-conducting, neurolysis otherwise), each atlas
//! **nerve transfer** that bypasses the injury, **combined** transfers in one operation, **tendon
//! transfers** (modelled by their published outcome rates, not by the twin) and **decompression**
//! (simulated as a neurolysis; its published results are shown). Each is offered now (two weeks
//! after the decision day with follow-up; on the early day without, for nerve operations) and as
//! **conditional strategies** — "wait; if the most proximal affected muscle shows no sign of
//! reinnervation by day D, operate" — at several decision days: monthly reviews after the decision
//! day with follow-up, the nerve's cited decision days without. A conditional strategy operates
//! only in the draws whose own simulated course shows no sign ([`crate::case::Trigger`]).
//!
//! Criterion (documented in `docs/prognosis.md`): functional goals (`[functions]` in
//! `data/clinic/plans.toml`, weights are named value judgments) count when at stake — every muscle
//! of the function denervated beyond `ranking.at_stake_share` — so strong and partly denervated
//! muscles do not dilute the score; each is worth ½·(1[MRC ≥ 3] + 1[MRC ≥ 4]) of its strongest
//! muscle (or a tendon transfer's result) at the horizon; minus explicit costs of an unneeded
//! operation, a failed one and each year without the function, all changeable in the case file
//! (`[criterion]`). The ranking repeatedly takes, among the plans within `PlanRules::tie` of the
//! best remaining score, the least invasive, then the one operating in fewer draws, then the one
//! with the earlier first useful function. The decision outputs ([`Decision`]):
//! P(useful recovery without surgery | no sign by month t), the value of waiting a month, the next
//! examination that would most change the decision, and the ranking's sensitivity to the weights.

use serde::Serialize;

use crate::atlas::Atlas;
use crate::case::{
    Case, GradeSpec, PlanSpec, RepairMethod, Sign, TransferSite, Treatment, Trigger,
};
use crate::data::{Operation, Strategies};
use crate::error::PrognosisError;
use crate::montecarlo::{
    Engine, Outcome, PlannedTreatment, case_treatments, not_in_continuity, planned, run_plans,
};
use crate::prognosis::{FollowUp, MusclePrognosis, Quantiles, follow_up, summarise_muscle};

pub use crate::data::PlanRules;

/// One plan to simulate.
#[derive(Debug, Clone)]
pub struct PlanDef {
    /// Name.
    pub name: String,
    /// 0 wait, 1 stimulation, 2 exploration/repair/decompression, 3 nerve or tendon transfer
    /// (listed plans: by their content).
    pub invasiveness: u8,
    /// Treatments added to the case's own (simulated by the twin).
    pub treatments: Vec<PlannedTreatment>,
    /// Plain-language description.
    pub description: String,
    /// Atlas transfers the plan does (one, or several in one operation).
    pub transfers: Vec<String>,
    /// Day of surgery, if any.
    pub surgery_day: Option<u32>,
    /// A conditional strategy: the operation is done only in the draws with no sign by the
    /// trigger's day while waiting.
    pub condition: Option<Trigger>,
    /// The injury the plan's operation addresses.
    pub injury: usize,
    /// A tendon transfer (id in `data/clinic/strategies.toml`), modelled by its outcome rates.
    pub tendon: Option<String>,
    /// A decompression (id in `data/clinic/strategies.toml`), simulated as a neurolysis.
    pub decompression: Option<String>,
    /// An orthosis (id in `data/clinic/strategies.toml`): function without muscle recovery.
    pub orthosis: Option<String>,
    /// A pharmacological what-if (id of a `[[drug]]` in `data/clinic/strategies.toml`).
    pub drug: Option<String>,
}

fn repair_method(rules: &PlanRules, case: &Case, injury: usize, day: u32) -> RepairMethod {
    let inj = &case.injuries[injury];
    match inj.gap_mm {
        Some(g) if g > rules.primary_max_gap_mm => RepairMethod::Graft {
            length_mm: twin::Millimetres(g),
        },
        Some(_) => RepairMethod::Primary,
        None if day <= inj.day + rules.primary_within_days => RepairMethod::Primary,
        None => RepairMethod::Graft {
            length_mm: twin::Millimetres(rules.default_graft_mm),
        },
    }
}

fn method_words(m: &RepairMethod) -> String {
    match m {
        RepairMethod::Primary => "primary suture".into(),
        RepairMethod::Graft { length_mm } => format!("a {:.0} mm graft", length_mm.0),
        RepairMethod::Transfer { .. } => "a nerve transfer".into(),
    }
}

fn transfer_treatment(
    case: &Case,
    atlas: &Atlas,
    injury: usize,
    day: u32,
    tr: &crate::atlas::Transfer,
) -> PlannedTreatment {
    planned(
        case,
        atlas,
        Treatment::Repair {
            injury,
            day,
            method: RepairMethod::Transfer {
                donor_axons: tr.donor_axons,
                donor_axotomized_days: twin::Days(0.0),
            },
            transfer: TransferSite {
                atlas_id: Some(tr.id.clone()),
                size_match: true,
                ..TransferSite::default()
            },
            brief_stimulation: false,
        },
        false,
    )
}

/// The standard plans for a case, then the listed ones: waiting, stimulation, and for each injury
/// the operations its nerve's standard strategies offer (`data/clinic/strategies.toml`), each done
/// now and as conditional strategies ("if no sign by day D") at several decision days.
pub fn standard_plans(
    rules: &PlanRules,
    strategies: &Strategies,
    case: &Case,
    atlas: &Atlas,
) -> Vec<PlanDef> {
    let blank = |name: &str, description: &str| PlanDef {
        name: name.into(),
        invasiveness: 0,
        treatments: Vec::new(),
        description: description.into(),
        transfers: Vec::new(),
        surgery_day: None,
        condition: None,
        injury: 0,
        tendon: None,
        decompression: None,
        orthosis: None,
        drug: None,
    };
    let mut out = vec![blank("wait", "expectant management: no operation")];
    // Orthoses for the functions at stake: waiting with the orthosis worn while the muscle is
    // below MRC 3 (it changes function, not the muscle; the twin's course is waiting's).
    let at_stake: Vec<String> = goals(rules, case).into_iter().map(|g| g.0).collect();
    for o in &strategies.orthoses {
        let covered: Vec<&String> = o
            .functions
            .iter()
            .filter(|f| at_stake.contains(f))
            .collect();
        if covered.is_empty() {
            continue;
        }
        out.push(PlanDef {
            orthosis: Some(o.id.clone()),
            ..blank(
                &format!("wait with {}", o.id.replace('_', " ")),
                &format!(
                    "expectant management, no operation; orthosis: {}, worn while {} is below MRC 3",
                    o.name,
                    covered
                        .iter()
                        .map(|f| f.replace('_', " "))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        });
    }
    let d = case.settings.decision_day;
    let follow = d > 0;
    let horizon = case.settings.horizon_days;
    for (i, inj) in case.injuries.iter().enumerate() {
        let possible_cut = match &inj.grade {
            GradeSpec::Known(g) => not_in_continuity(*g) && inj.avulsion < 1.0,
            GradeSpec::Unknown(p) => {
                inj.avulsion < 1.0 && p.iter().any(|(g, w)| *w > 0.0 && not_in_continuity(*g))
            }
        };
        let known_cut = matches!(&inj.grade, GradeSpec::Known(g) if not_in_continuity(*g));
        let already_repaired = case
            .treatments
            .iter()
            .any(|t| matches!(t, Treatment::Repair { injury, .. } if *injury == i));
        let nerve_strategies = strategies.for_nerve(inj.nerve());
        let operations: Vec<Operation> = match nerve_strategies {
            Some(n) => n.operations.clone(),
            None => vec![Operation::Explore, Operation::NerveTransfers],
        };
        // (operation day, condition)
        let now = if follow {
            d + rules.after_decision_days
        } else {
            rules.early_day
        };
        let review_days: Vec<u32> = if follow {
            (1..=strategies.reviews)
                .map(|k| d + k * strategies.review_interval_days)
                .collect()
        } else {
            match nerve_strategies {
                Some(n) => n.decision_days.clone(),
                None => vec![rules.late_day],
            }
        };
        let when: Vec<(u32, Option<Trigger>)> = std::iter::once((now.max(inj.day), None))
            .chain(review_days.iter().map(|&r| {
                (
                    r.max(inj.day) + rules.after_decision_days,
                    Some(Trigger {
                        day: r.max(inj.day),
                        muscle: None,
                        sign: strategies.sign,
                    }),
                )
            }))
            .filter(|(day, _)| *day < horizon)
            .collect();
        let transfers: Vec<&crate::atlas::Transfer> = match &inj.location {
            crate::case::Location::Atlas { nerve, site } => {
                let pos = atlas
                    .site(site)
                    .map(|s| s.position_mm)
                    .unwrap_or(f64::INFINITY);
                let affected: Vec<&str> = inj.muscles.iter().map(|m| m.muscle.as_str()).collect();
                atlas
                    .transfers_for(nerve, pos)
                    .into_iter()
                    .filter(|t| t.targets.iter().any(|m| affected.contains(&m.as_str())))
                    .collect()
            }
            crate::case::Location::Explicit { .. } => Vec::new(),
        };
        let first = out.len();
        for op in &operations {
            for (day, cond) in &when {
                let (day, cond) = (*day, cond.clone());
                // A conditional strategy makes no sense when the nerve is known to be divided.
                if cond.is_some() && known_cut {
                    continue;
                }
                // Tendon transfers and decompressions are not offered as an early operation
                // before any follow-up.
                let late_only = matches!(op, Operation::Tendon(_) | Operation::Decompression(_));
                if late_only && !follow && cond.is_none() {
                    continue;
                }
                let suffix = match &cond {
                    Some(c) => format!(" if no sign by day {}", c.day),
                    None => String::new(),
                };
                let when_words = match &cond {
                    Some(c) => format!(
                        " (only if, while waiting, the most proximal affected muscle shows no {} by day {})",
                        c.sign.words(),
                        c.day
                    ),
                    None => String::new(),
                };
                let with_cond = |mut t: PlannedTreatment| {
                    t.condition = cond.clone();
                    t
                };
                let base = PlanDef {
                    condition: cond.clone(),
                    injury: i,
                    surgery_day: Some(day),
                    ..blank("", "")
                };
                match op {
                    Operation::Explore => {
                        if !possible_cut || already_repaired {
                            continue;
                        }
                        let method = repair_method(rules, case, i, day);
                        let what = method_words(&method);
                        out.push(PlanDef {
                            name: if known_cut { format!("repair day {day}") } else { format!("explore day {day}{suffix}") },
                            invasiveness: 2,
                            description: if known_cut {
                                format!("repair of the {} with {what} on day {day}", inj.place())
                            } else {
                                format!("exploration of the {} on day {day}{when_words}: {what} if it is found divided or non-conducting (Sunderland IV-V), neurolysis otherwise", inj.place())
                            },
                            treatments: vec![with_cond(planned(case, atlas, Treatment::Repair { injury: i, day, method, transfer: TransferSite::default(), brief_stimulation: false }, true))],
                            ..base
                        });
                    }
                    Operation::NerveTransfers => {
                        for tr in &transfers {
                            out.push(PlanDef {
                                name: format!("transfer {} day {day}{suffix}", tr.id),
                                invasiveness: 3,
                                description: format!(
                                    "distal nerve transfer on day {day}{when_words}: {}; donor: {}",
                                    tr.name, tr.donor
                                ),
                                treatments: vec![with_cond(transfer_treatment(
                                    case, atlas, i, day, tr,
                                ))],
                                transfers: vec![tr.id.clone()],
                                ..base.clone()
                            });
                        }
                    }
                    Operation::Combined(id) => {
                        let Some(c) = strategies.combined.iter().find(|c| &c.id == id) else {
                            continue;
                        };
                        let parts: Vec<&&crate::atlas::Transfer> = c
                            .transfers
                            .iter()
                            .filter_map(|t| transfers.iter().find(|x| &x.id == t))
                            .collect();
                        if parts.len() != c.transfers.len() {
                            continue;
                        }
                        out.push(PlanDef {
                            name: format!("combined {} day {day}{suffix}", c.id),
                            invasiveness: 3,
                            description: format!("{} on day {day}{when_words}", c.name),
                            treatments: parts
                                .iter()
                                .map(|tr| with_cond(transfer_treatment(case, atlas, i, day, tr)))
                                .collect(),
                            transfers: c.transfers.clone(),
                            ..base
                        });
                    }
                    Operation::Tendon(id) => {
                        let Some(t) = strategies.tendon_transfers.iter().find(|t| &t.id == id)
                        else {
                            continue;
                        };
                        out.push(PlanDef {
                            name: format!("tendon transfer {} day {day}{suffix}", t.id),
                            invasiveness: 3,
                            description: format!("{} on day {day}{when_words}", t.name),
                            tendon: Some(t.id.clone()),
                            ..base
                        });
                    }
                    Operation::Supercharge(id) => {
                        let Some(sc) = strategies.supercharges.iter().find(|c| &c.transfer == id)
                        else {
                            continue;
                        };
                        let Some(tr) = transfers.iter().find(|t| &t.id == id) else {
                            continue;
                        };
                        let mut sets = transfer_treatment(case, atlas, i, day, tr);
                        if let Treatment::Repair {
                            method: RepairMethod::Transfer { .. },
                            transfer,
                            ..
                        } = &mut sets.treatment
                        {
                            transfer.end_to_side = true;
                        }
                        out.push(PlanDef {
                            name: format!("SETS {} day {day}{suffix}", tr.id),
                            invasiveness: 3,
                            description: format!(
                                "{} on day {day}{when_words}; donor: {}; the recipient is not cut, so its own regrowth continues",
                                sc.name, tr.donor
                            ),
                            treatments: vec![with_cond(sets.clone())],
                            transfers: vec![tr.id.clone()],
                            ..base.clone()
                        });
                        // With the repair of a nerve that may be divided: the repaired axons and
                        // the donor's reach the recipient's targets together.
                        if possible_cut && !already_repaired {
                            let method = repair_method(rules, case, i, day);
                            let what = method_words(&method);
                            out.push(PlanDef {
                                name: if known_cut {
                                    format!("repair day {day} + SETS {}", tr.id)
                                } else {
                                    format!("explore day {day}{suffix} + SETS {}", tr.id)
                                },
                                invasiveness: 3,
                                description: format!(
                                    "{} of the {} on day {day}{when_words} ({what} where it is divided or non-conducting), with the {}",
                                    if known_cut { "repair" } else { "exploration" },
                                    inj.place(),
                                    sc.name
                                ),
                                treatments: vec![
                                    with_cond(planned(case, atlas, Treatment::Repair { injury: i, day, method, transfer: TransferSite::default(), brief_stimulation: false }, true)),
                                    with_cond(sets),
                                ],
                                transfers: vec![tr.id.clone()],
                                ..base
                            });
                        }
                    }
                    Operation::Decompression(id) => {
                        let Some(t) = strategies.decompressions.iter().find(|t| &t.id == id) else {
                            continue;
                        };
                        out.push(PlanDef {
                            name: format!("decompression {} day {day}{suffix}", t.id),
                            invasiveness: 2,
                            description: format!("{} on day {day}{when_words}", t.name),
                            decompression: Some(t.id.clone()),
                            ..base
                        });
                    }
                }
            }
        }
        // Brief electrical stimulation of the nerve at the operation (1 h, 20 Hz): offered with
        // each repair or combined transfer done now (a case can add it to any repair with
        // `brief_stimulation = true`).
        let variants: Vec<PlanDef> = out[first..]
            .iter()
            .filter(|p| {
                p.condition.is_none()
                    && p.tendon.is_none()
                    && p.decompression.is_none()
                    && !p.treatments.is_empty()
                    && p.transfers.len() != 1
            })
            .map(|p| {
                let mut v = p.clone();
                v.name = format!("{} + brief stimulation", p.name);
                v.description = format!(
                    "{}, with 1 h of 20 Hz electrical stimulation of the nerve at the operation",
                    p.description
                );
                for t in &mut v.treatments {
                    if let Treatment::Repair {
                        brief_stimulation, ..
                    } = &mut t.treatment
                    {
                        *brief_stimulation = true;
                    }
                }
                v
            })
            .collect();
        out.extend(variants);
        let start = d.max(inj.day + rules.stim_start_after_injury_days);
        let end = (start + rules.stim_duration_days).min(horizon);
        let stim_hours = rules.stim_hours;
        if end > start {
            out.push(PlanDef {
                name: if case.injuries.len() > 1 { format!("stimulation ({})", inj.nerve()) } else { "stimulation".into() },
                invasiveness: 1,
                description: format!("direct electrical stimulation of the denervated muscles, {stim_hours} h a day from day {start} to day {end}, no operation"),
                treatments: vec![planned(
                    case,
                    atlas,
                    Treatment::Muscle {
                        injury: i,
                        // The last day `end` included (the case's convention).
                        treatment: twin::Treatment::Stimulation {
                            start_day: twin::Days(f64::from(start)),
                            end_day: twin::Days(f64::from(end) + 1.0),
                            dose: twin::StimulationDose::HoursPerDay(stim_hours),
                        },
                    },
                    false,
                )],
                injury: i,
                ..blank("", "")
            });
        }
    }
    for p in &case.plans {
        out.push(listed(case, atlas, p));
    }
    out.extend(drug_variants(strategies, case, &out));
    out
}

/// The pharmacological what-ifs the case asks for (`[what_if] drugs`; none by default): each
/// drug added to waiting and to every plan that operates now (without brief stimulation), named
/// as experimental with the species of its evidence.
fn drug_variants(strategies: &Strategies, case: &Case, plans: &[PlanDef]) -> Vec<PlanDef> {
    let mut out = Vec::new();
    for id in &case.what_if_drugs {
        let Some(drug) = strategies.drugs.iter().find(|d| &d.id == id) else {
            continue;
        };
        let label = format!("{} [experimental; {} evidence]", drug.id, drug.species);
        let effect = match (&drug.effect, &drug.no_figure) {
            (Some(e), _) => format!(
                "{} x {:.2} (evidence in the {})",
                e.parameter, e.factor, drug.species
            ),
            _ => format!(
                "no effect size found (evidence in the {}), so it changes nothing",
                drug.species
            ),
        };
        let day = case
            .settings
            .decision_day
            .max(case.injuries.iter().map(|i| i.day).min().unwrap_or(0));
        for p in plans {
            let operates_now = p.condition.is_none()
                && p.tendon.is_none()
                && p.decompression.is_none()
                && p.orthosis.is_none()
                && p.treatments.iter().any(|t| {
                    matches!(
                        t.treatment,
                        Treatment::Repair {
                            brief_stimulation: false,
                            ..
                        }
                    )
                })
                && !p.treatments.iter().any(|t| {
                    matches!(
                        t.treatment,
                        Treatment::Repair {
                            brief_stimulation: true,
                            ..
                        }
                    )
                });
            let waiting = p.invasiveness == 0 && p.treatments.is_empty() && p.orthosis.is_none();
            if !(operates_now || waiting) {
                continue;
            }
            let mut v = p.clone();
            v.name = format!("{} + {label}", p.name);
            v.description = format!(
                "{}, with {} (what-if, EXPERIMENTAL: {effect})",
                p.description, drug.name
            );
            v.treatments.push(PlannedTreatment {
                treatment: Treatment::Drug {
                    injury: p.injury,
                    day,
                    id: drug.id.clone(),
                },
                transfer_targets: None,
                only_if_not_in_continuity: false,
                transfer_nerves: Default::default(),
                condition: None,
            });
            v.drug = Some(drug.id.clone());
            out.push(v);
        }
    }
    out
}

fn listed(case: &Case, atlas: &Atlas, p: &PlanSpec) -> PlanDef {
    let invasiveness = p
        .treatments
        .iter()
        .map(|t| match t {
            Treatment::Drug { .. } => 0,
            Treatment::Muscle { .. } => 1,
            Treatment::Repair { .. } if t.is_transfer() => 3,
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
            .map(|t| {
                let mut x = planned(case, atlas, t.clone(), false);
                x.condition = p.condition.clone();
                x
            })
            .collect(),
        description: match &p.condition {
            Some(c) => format!(
                "listed in the case; done only if {} shows no {} by day {}",
                c.muscle
                    .as_deref()
                    .map(|m| m.replace('_', " "))
                    .unwrap_or_else(|| "the most proximal affected muscle".into()),
                c.sign.words(),
                c.day
            ),
            None => "listed in the case".into(),
        },
        transfers: p
            .treatments
            .iter()
            .filter_map(|t| match t {
                Treatment::Repair {
                    method: RepairMethod::Transfer { .. },
                    transfer:
                        TransferSite {
                            atlas_id: Some(id), ..
                        },
                    ..
                } => Some(id.clone()),
                _ => None,
            })
            .collect(),
        surgery_day: p
            .treatments
            .iter()
            .filter(|t| matches!(t, Treatment::Repair { .. }))
            .map(|t| t.day())
            .min(),
        condition: p.condition.clone(),
        injury: p.treatments.first().map(|t| t.injury()).unwrap_or(0),
        tendon: None,
        decompression: None,
        orthosis: None,
        drug: None,
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
    /// The function part of the score: weighted mean over the functions at stake of
    /// ½·(P(MRC ≥ 3) + P(MRC ≥ 4)).
    pub function_value: f64,
    /// P(the plan operates).
    pub p_operated: f64,
    /// P(an operation that waiting did not need).
    pub p_unneeded: f64,
    /// P(an operation that brought no function waiting would not have brought).
    pub p_failed: f64,
    /// Expected years without useful function from the decision day (weighted over functions).
    pub years_without_function: f64,
    /// Day the first function at stake becomes useful (MRC ≥ 3, or a tendon transfer's result).
    pub first_useful_function_day: Quantiles,
    /// What the plan does.
    pub description: String,
    /// Reasons, in plain language with numbers.
    pub reasons: Vec<String>,
    /// Per-muscle prognosis under the plan.
    pub muscles: Vec<MusclePrognosis>,
    /// A pharmacological what-if in the plan (experimental; the species of its evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what_if: Option<crate::data::Drug>,
}

/// A functional goal as scored for this case.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    /// Function id (or a muscle id when no function is at stake).
    pub id: String,
    /// Weight.
    pub weight: f64,
    /// Its affected muscles.
    pub muscles: Vec<String>,
    /// P(useful, MRC >= 3) at the end of the horizon when waiting.
    pub p_useful_waiting: f64,
}

/// The costs in the score, each in units of one function's full recovery.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Costs {
    /// An operation waiting did not need.
    pub unneeded_operation: f64,
    /// An operation that brought nothing waiting would not have brought.
    pub failed_operation: f64,
    /// A year without a useful function (per unit weight).
    pub time_without_function_per_year: f64,
}

/// A point of the curve P(useful recovery without surgery | no sign by day t).
#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    /// Day after the first injury.
    pub day: u32,
    /// Month (30.44 days).
    pub month: f64,
    /// P(no sign by then) when waiting.
    pub p_no_sign: f64,
    /// P(every function at stake useful at the horizon without surgery | no sign by then);
    /// `None` when no draw is left without a sign.
    pub p_useful_without_surgery: Option<f64>,
}

/// The next examination that would most change the decision.
#[derive(Debug, Clone, Serialize)]
pub struct NextObservation {
    /// Muscle.
    pub muscle: String,
    /// Sign looked for.
    pub sign: String,
    /// Day of the examination.
    pub day: u32,
    /// P(the sign is seen).
    pub p_sign: f64,
    /// Expected gain in score from knowing the result before choosing.
    pub value: f64,
    /// Best plan if the sign is seen.
    pub if_sign: String,
    /// Best plan if it is not.
    pub if_no_sign: String,
}

/// Ranking under a changed weight.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityRow {
    /// What was changed.
    pub weight: String,
    /// Its value in this row.
    pub value: f64,
    /// The plan ranked first.
    pub best_plan: String,
    /// Its score.
    pub best_score: f64,
}

/// The decision outputs.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// Goals scored (weights after the case's overrides).
    pub goals: Vec<Goal>,
    /// Costs used.
    pub costs: Costs,
    /// The muscle examined for signs of recovery (the most proximal affected muscle at stake).
    pub sentinel_muscle: String,
    /// P(useful recovery without surgery | no sign by day t), monthly.
    pub recovery_curve: Vec<CurvePoint>,
    /// Score of the best plan that waits a month and decides on that month's examination, minus
    /// that of the best plan that operates now; `None` when one side is not offered.
    pub value_of_waiting_a_month: Option<f64>,
    /// The two sides of that comparison.
    pub waiting_a_month: Option<(String, String)>,
    /// The examinations whose result would most change the decision, best first.
    pub next_observations: Vec<NextObservation>,
    /// The plan ranked first when each weight is changed.
    pub sensitivity: Vec<SensitivityRow>,
    /// Per injury with a root-avulsion probability: before and after the case's findings.
    pub avulsion: Vec<AvulsionEstimate>,
}

/// The probability that an injury's roots are avulsed, before and after the stated findings.
#[derive(Debug, Clone, Serialize)]
pub struct AvulsionEstimate {
    /// The injury, in words.
    pub injury: String,
    /// From the case's grade or prior weight.
    pub prior: f64,
    /// After the findings (what the draws use).
    pub posterior: f64,
    /// The findings with the likelihood ratio each contributed.
    pub findings: Vec<crate::case::StatedFinding>,
}

impl AvulsionEstimate {
    /// In words, with each finding's likelihood ratio.
    pub fn words(&self) -> String {
        let fx: Vec<String> = self
            .findings
            .iter()
            .map(|f| {
                let what = f.finding.replace('_', " ");
                match f.likelihood_ratio {
                    Some(lr) => format!("{what} {} (likelihood ratio {lr:.2})", f.value),
                    None => format!(
                        "{what} {} (noted; no figure in the sources seen, not used)",
                        f.value
                    ),
                }
            })
            .collect();
        if fx.is_empty() {
            format!(
                "Root avulsion ({}): P {} (the case's prior; no findings stated).",
                self.injury,
                pct(self.posterior)
            )
        } else {
            format!(
                "Root avulsion ({}): P {} before the findings, {} after: {}.",
                self.injury,
                pct(self.prior),
                pct(self.posterior),
                fx.join("; ")
            )
        }
    }
}

/// The avulsion estimates of a case's injuries (those with a non-zero prior).
pub fn avulsion_estimates(case: &Case) -> Vec<AvulsionEstimate> {
    case.injuries
        .iter()
        .filter(|inj| inj.avulsion_prior > 0.0 || !inj.avulsion_findings.is_empty())
        .map(|inj| AvulsionEstimate {
            injury: inj.place(),
            prior: inj.avulsion_prior,
            posterior: inj.avulsion,
            findings: inj.avulsion_findings.clone(),
        })
        .collect()
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
    /// The decision outputs.
    pub decision: Decision,
    /// The wait-or-operate answer, with its evidence.
    pub answer: String,
}

fn priority_words(rules: &PlanRules) -> String {
    let mut v: Vec<String> = rules
        .functions
        .iter()
        .map(|f| format!("{} {}", f.id.replace('_', " "), f.weight))
        .collect();
    v.sort();
    v.join(", ")
}

/// The ranking criterion, in words, with the weights of `rules` and the costs used.
pub fn criterion(rules: &PlanRules, costs: &Costs) -> String {
    format!(
        "score = mean over the functions at stake (every muscle of the function denervated beyond {} of its axons), weighted ({}), of (P(MRC >= 3) + P(MRC >= 4)) / 2 of the function at the end of the horizon (its strongest muscle, or a tendon transfer's result), minus {} x P(an operation waiting did not need), {} x P(an operation that brought nothing waiting would not have), {} x expected years without the function from the decision day (follow-up weighted); if no function is at stake the muscles are scored one by one with the [priority] weights; the ranking repeatedly takes, among the plans within {} of the best remaining score, the least invasive (wait < stimulation < exploration/decompression < transfer), then the one operating in fewer draws, then the earlier median day of first useful function",
        rules.at_stake_share,
        priority_words(rules),
        costs.unneeded_operation,
        costs.failed_operation,
        costs.time_without_function_per_year,
        rules.tie
    )
}

/// The recovery part of a plan's score in the muscle-by-muscle fallback: the mean of
/// ½·(P(MRC ≥ 3) + P(MRC ≥ 4)) over the muscles, weighted by their clinical priority
/// (`PlanRules::priority_of`).
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

/// The goals of a case: the functions at stake (every listed muscle affected with more than
/// `rules.at_stake_share` of its axons injured), with the case's weights; if none, each affected
/// muscle (beyond the share, or all if none is) with its priority weight. Returns (id, weight,
/// muscle indices into [`Case::muscles`]).
pub fn goals(rules: &PlanRules, case: &Case) -> Vec<(String, f64, Vec<usize>)> {
    let muscles = case.muscles();
    let idx = |m: &str| muscles.iter().position(|(_, x)| x.muscle == m);
    let weight = |id: &str, w: f64| case.criterion.weights.get(id).copied().unwrap_or(w);
    let mut out = Vec::new();
    for f in &rules.functions {
        let ks: Vec<Option<usize>> = f.muscles.iter().map(|m| idx(m)).collect();
        let at_stake = ks
            .iter()
            .all(|k| k.is_some_and(|k| muscles[k].1.axon_share > rules.at_stake_share));
        if at_stake {
            out.push((
                f.id.clone(),
                weight(&f.id, f.weight),
                ks.into_iter().flatten().collect(),
            ));
        }
    }
    if out.is_empty() {
        let strong: Vec<usize> = (0..muscles.len())
            .filter(|&k| muscles[k].1.axon_share > rules.at_stake_share)
            .collect();
        let ks = if strong.is_empty() {
            (0..muscles.len()).collect()
        } else {
            strong
        };
        for k in ks {
            let m = &muscles[k].1.muscle;
            out.push((m.clone(), weight(m, rules.priority_of(m)), vec![k]));
        }
    }
    out
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

/// Per-draw quantities of one plan that the score is made of.
struct DrawStats {
    /// Weighted mean over goals of ½·(1[≥3] + 1[≥4]).
    value: Vec<f64>,
    /// Weighted mean over goals of years without the function from the decision day.
    years: Vec<f64>,
    operated: Vec<bool>,
    unneeded: Vec<bool>,
    failed: Vec<bool>,
    first_useful: Vec<Option<f64>>,
    /// Per goal: useful (level ≥ 3) at the horizon.
    useful: Vec<Vec<bool>>,
}

impl DrawStats {
    fn score(&self, w: &[f64], c: &Costs) -> f64 {
        let tot: f64 = w.iter().sum();
        if tot <= 0.0 {
            return 0.0;
        }
        (0..w.len())
            .map(|i| {
                w[i] * (self.value[i]
                    - c.unneeded_operation * f64::from(u8::from(self.unneeded[i]))
                    - c.failed_operation * f64::from(u8::from(self.failed[i]))
                    - c.time_without_function_per_year * self.years[i])
            })
            .sum::<f64>()
            / tot
    }
    fn prob(&self, w: &[f64], f: impl Fn(usize) -> bool) -> f64 {
        let tot: f64 = w.iter().sum();
        if tot <= 0.0 {
            return 0.0;
        }
        (0..w.len()).filter(|&i| f(i)).map(|i| w[i]).sum::<f64>() / tot + 0.0
    }
}

/// A uniform number in [0, 1) for draw `seed` and goal `g`, the same for every plan (common
/// random numbers for the tendon-transfer results).
fn uniform(seed: u64, g: usize) -> f64 {
    use rand::Rng;
    let mut rng = twin::cohort::draw_rng(seed ^ 0x7E4D_0000_0000_0000, g);
    rng.r#gen::<f64>()
}

/// Compares the standard and listed plans on the same draws.
pub fn compare(
    engine: &Engine,
    atlas: &Atlas,
    case: &Case,
    draws: usize,
    control: &vocabulary::Control,
) -> Result<PlansReport, PrognosisError> {
    compare_runs(engine, atlas, case, draws, control).map(|x| x.1)
}

/// The prognosis and the plan comparison of a case from one set of runs: the first plan
/// ("wait": the case as treated) is the prognosis's baseline, so it is simulated once (the
/// same numbers as [`crate::prognosis::prognose`] and [`compare`] run apart, which simulate
/// it twice).
pub fn compare_with_prognosis(
    engine: &Engine,
    atlas: &Atlas,
    case: &Case,
    draws: usize,
    control: &vocabulary::Control,
) -> Result<(crate::prognosis::PrognosisReport, PlansReport), PrognosisError> {
    let (runs, plans) = compare_runs(engine, atlas, case, draws, control)?;
    let prognosis =
        crate::prognosis::from_runs(engine, case, &runs.draws, &runs.outcomes[0], Some(&plans))?;
    Ok((prognosis, plans))
}

/// The treatment list of each plan a comparison runs: the case's own treatments, then the
/// plan's (plan 0 is the case as treated).
fn treatment_lists(case: &Case, atlas: &Atlas, defs: &[PlanDef]) -> Vec<Vec<PlannedTreatment>> {
    let base = case_treatments(case, atlas);
    defs.iter()
        .map(|d| {
            base.iter()
                .cloned()
                .chain(d.treatments.iter().cloned())
                .collect()
        })
        .collect()
}

/// The treatment lists [`compare`] runs for a case (with the standard plans), as
/// [`crate::montecarlo::run_plans`] takes them: what the cost estimate counts.
pub fn plan_treatment_lists(
    case: &Case,
    atlas: &Atlas,
) -> Result<Vec<Vec<PlannedTreatment>>, PrognosisError> {
    let data = crate::data::ClinicData::embedded()?;
    let defs = standard_plans(&data.plans, &data.strategies, case, atlas);
    Ok(treatment_lists(case, atlas, &defs))
}

/// [`compare`], also returning the runs (plan 0 is the case as treated).
fn compare_runs(
    engine: &Engine,
    atlas: &Atlas,
    case: &Case,
    draws: usize,
    control: &vocabulary::Control,
) -> Result<(crate::montecarlo::Runs, PlansReport), PrognosisError> {
    let data = crate::data::ClinicData::embedded()?;
    let rules = &data.plans;
    let strategies = &data.strategies;
    let defs = standard_plans(rules, strategies, case, atlas);
    let lists = treatment_lists(case, atlas, &defs);
    let runs = run_plans(engine, case, &lists, draws, control)?;
    let (all_draws, outcomes) = (&runs.draws, &runs.outcomes);
    let n = all_draws.len();
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
    let costs = Costs {
        unneeded_operation: case
            .criterion
            .unneeded_operation
            .unwrap_or(rules.unneeded_operation_weight),
        failed_operation: case
            .criterion
            .failed_operation
            .unwrap_or(rules.failed_operation_weight),
        time_without_function_per_year: case
            .criterion
            .time_without_function_per_year
            .unwrap_or(rules.time_without_function_per_year),
    };
    let goal_list = goals(rules, case);
    let gw_total: f64 = goal_list.iter().map(|g| g.1).sum::<f64>().max(1e-12);
    let d = case.settings.decision_day;
    let horizon = case.settings.horizon_days;
    // Per plan, per draw: operated (twin treatments, or a tendon transfer / decompression whose
    // condition holds in that draw).
    let wait_o = &outcomes[0];
    let fires = |def: &PlanDef, i: usize| -> bool {
        match &def.condition {
            None => true,
            Some(c) => crate::montecarlo::triggered(case, c, def.injury, &|k| &wait_o[k][i]),
        }
    };
    // Levels of goal g in plan pi, draw i: (level, useful day).
    let level = |pi: usize, def: &PlanDef, g: usize, i: usize| -> (u8, Option<f64>) {
        let (gid, _, ks) = &goal_list[g];
        let mut lv = ks
            .iter()
            .map(|&k| outcomes[pi][k][i].mrc_end)
            .max()
            .unwrap_or(0);
        let mut day = ks
            .iter()
            .filter_map(|&k| outcomes[pi][k][i].mrc_3_day)
            .min()
            .map(f64::from);
        if let (Some(tid), Some(sday)) = (&def.tendon, def.surgery_day)
            && let Some(t) = strategies.tendon_transfers.iter().find(|t| &t.id == tid)
            && let Some(o) = t.outcomes.iter().find(|o| &o.function == gid)
            && fires(def, i)
        {
            let u = uniform(all_draws[i].seed, g);
            let tl = if u < o.p_ge_4 {
                4
            } else if u < o.p_ge_3 {
                3
            } else {
                0
            };
            if tl >= 3 {
                let td = f64::from(sday + t.useful_after_days);
                day = Some(day.map_or(td, |x: f64| x.min(td)));
            }
            lv = lv.max(tl);
        }
        (lv, day)
    };
    let wait_useful: Vec<Vec<bool>> = (0..goal_list.len())
        .map(|g| (0..n).map(|i| level(0, &defs[0], g, i).0 >= 3).collect())
        .collect();
    let stats: Vec<DrawStats> = defs
        .iter()
        .enumerate()
        .map(|(pi, def)| {
            let mut st = DrawStats {
                value: vec![0.0; n],
                years: vec![0.0; n],
                operated: vec![false; n],
                unneeded: vec![false; n],
                failed: vec![false; n],
                first_useful: vec![None; n],
                useful: vec![vec![false; n]; goal_list.len()],
            };
            let extra_op = def.tendon.is_some() || def.decompression.is_some();
            let orthosis = def
                .orthosis
                .as_ref()
                .and_then(|id| strategies.orthoses.iter().find(|o| &o.id == id));
            // `i` is the draw: it indexes several parallel per-draw arrays at once.
            #[allow(clippy::needless_range_loop)]
            for i in 0..n {
                let op = runs.operated[pi][i] || (extra_op && fires(def, i));
                let mut gained = false;
                let mut all_wait = true;
                for (g, (gid, gw, _)) in goal_list.iter().enumerate() {
                    let (lv, day) = level(pi, def, g, i);
                    st.value[i] += gw / gw_total
                        * 0.5
                        * (f64::from(u8::from(lv >= 3)) + f64::from(u8::from(lv >= 4)));
                    // An orthosis substitutes part of the function while the muscle is below
                    // MRC 3; it does not make the function useful (no effect on the operation
                    // bookkeeping or the time without function).
                    if let Some(o) = orthosis
                        && lv < 3
                        && o.functions.contains(gid)
                    {
                        st.value[i] += gw / gw_total * o.worth_below_mrc3;
                    }
                    let until = day.unwrap_or(f64::from(horizon)).min(f64::from(horizon));
                    st.years[i] += gw / gw_total * ((until - f64::from(d)).max(0.0) / 365.25);
                    if lv >= 3 {
                        st.useful[g][i] = true;
                        st.first_useful[i] = match (st.first_useful[i], day) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                        if !wait_useful[g][i] {
                            gained = true;
                        }
                    }
                    all_wait &= wait_useful[g][i];
                }
                st.operated[i] = op;
                st.unneeded[i] = op && all_wait;
                st.failed[i] = op && !all_wait && !gained;
            }
            st
        })
        .collect();
    let scores: Vec<f64> = stats.iter().map(|s| s.score(&w, &costs)).collect();
    let wait = &summaries[0];
    // Key muscle per plan: where it changes P(MRC>=3) most against waiting, else the most distal.
    let key = |pi: usize| -> usize {
        let mut best = (0.0, usize::MAX);
        for k in 0..muscles.len() {
            let dd = (summaries[pi][k].p_mrc_ge_3 - wait[k].p_mrc_ge_3).abs();
            if dd > best.0 + 1e-9 {
                best = (dd, k);
            }
        }
        if best.1 != usize::MAX {
            best.1
        } else {
            goal_list
                .first()
                .and_then(|g| g.2.first().copied())
                .unwrap_or(0)
        }
    };
    let name = |s: &str| s.replace('_', " ");
    let goal_words = |pi: usize| -> String {
        goal_list
            .iter()
            .enumerate()
            .map(|(g, (id, _, _))| {
                format!(
                    "{} {}",
                    name(id),
                    pct(stats[pi].prob(&w, |i| stats[pi].useful[g][i]))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    // (plan index, result, (invasiveness, P(operated)), median first useful function day)
    type Ranked = (usize, PlanResult, (u8, f64), Option<f64>);
    let mut results: Vec<Ranked> = Vec::new();
    for (pi, def) in defs.iter().enumerate() {
        let k = key(pi);
        let mk = &summaries[pi][k];
        let wk = &wait[k];
        let st = &stats[pi];
        let first_useful = crate::prognosis::quantiles_of(&st.first_useful, &w);
        let mut reasons = vec![format!(
            "Useful function (MRC >= 3) at day {horizon}: {} (waiting: {}).",
            goal_words(pi),
            goal_words(0)
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
        let p_op = st.prob(&w, |i| st.operated[i]);
        let conditional = p_op > 0.0 && p_op < 0.999;
        let compare_sentence = || -> String {
            let mask = |i: usize| !conditional || st.operated[i];
            let (fp, pp) = subset(&outcomes[pi][k], &mask);
            let (fw, pw) = subset(&outcomes[0][k], &mask);
            let scope = if conditional {
                format!(", in the {} of draws operated", pct(p_op))
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
        if let Some(c) = &def.condition {
            let m = c.muscle.clone().unwrap_or_else(|| {
                muscles
                    .iter()
                    .find(|(inj, _)| *inj == def.injury)
                    .map(|(_, m)| m.muscle.clone())
                    .unwrap_or_default()
            });
            reasons.push(format!(
                "Conditional: wait, examine the {} on day {} and operate only if it shows no {}; that happens in {} of the draws (each judged on its own simulated course).",
                name(&m),
                c.day,
                c.sign.words(),
                pct(p_op)
            ));
        }
        if def.treatments.iter().any(|t| {
            matches!(
                t.treatment,
                Treatment::Repair {
                    brief_stimulation: true,
                    ..
                }
            )
        }) {
            let b = &strategies.brief_stimulation;
            reasons.push(format!(
                "Brief stimulation at the operation: the spread of the axons' suture-line crossing delays is multiplied by {:.2} (one twin parameter, suture_crossing_days; the rat figure), so axons arrive sooner; human evidence: {}.",
                b.crossing_factor, b.source
            ));
        }
        let transfer_kinds: Vec<bool> = def
            .treatments
            .iter()
            .filter_map(|t| match &t.treatment {
                Treatment::Repair {
                    method: RepairMethod::Transfer { .. },
                    transfer,
                    ..
                } => Some(transfer.end_to_side),
                _ => None,
            })
            .collect();
        if transfer_kinds.contains(&true) {
            let published = def
                .transfers
                .iter()
                .filter_map(|id| strategies.supercharges.iter().find(|c| &c.transfer == id))
                .map(|c| c.source.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            reasons.push(format!(
                "Supercharged end-to-side: the recipient is not cut, so its own regrowth (or the repair's) continues, and {:.0}% of the donor's axons are added beside it (share through an end-to-side window: a named assumption). Published: {}.",
                100.0 * strategies.end_to_side_share,
                if published.is_empty() { "no series in the data file" } else { &published }
            ));
        }
        if transfer_kinds.contains(&false) {
            let axons = def
                .treatments
                .iter()
                .filter_map(|t| match &t.treatment {
                    Treatment::Repair {
                        method: RepairMethod::Transfer { donor_axons, .. },
                        transfer:
                            TransferSite {
                                end_to_side: false, ..
                            },
                        ..
                    } => Some((
                        if t.transfer_nerves.is_empty() {
                            *donor_axons
                        } else {
                            0
                        },
                        t.transfer_targets.as_ref().map_or(0, |m| m.len()),
                        !t.transfer_nerves.is_empty(),
                    )),
                    _ => None,
                })
                .fold((0, 0, false), |a, b| (a.0 + b.0, a.1 + b.1, a.2 || b.2));
            let (axons, targets, matched) = (axons.0, axons.1, axons.2);
            let donor = if matched {
                "the donor's axons, size-matched per patient from the donor and recipient nerves' myelinated axon counts (the muscle's motor units times min(1, donor/recipient), data/params/nerve-axon-counts.toml),".to_string()
            } else {
                format!("the donor's {axons} axons")
            };
            reasons.push(format!(
                "End-to-end: the recipient nerve is divided for the transfer, so its {targets} target muscle(s) get {donor} only; the injured nerve's own regrowth (or a repair's) into them stops."
            ));
        }
        let what_if = def
            .drug
            .as_ref()
            .and_then(|id| strategies.drugs.iter().find(|d| &d.id == id))
            .cloned();
        if let Some(d) = &what_if {
            reasons.push(match (&d.effect, &d.no_figure) {
                (Some(e), _) => format!(
                    "EXPERIMENTAL what-if, evidence in the {} only: {} multiplies the twin's {} by {:.2} in every run of this plan (within the parameter's range). Source: {}.",
                    d.species, d.name, e.parameter, e.factor, e.source
                ),
                (None, Some(why)) => format!(
                    "EXPERIMENTAL what-if, evidence in the {} only: {}. No effect size found, so the plan equals the one without it: {why}.",
                    d.species, d.name
                ),
                (None, None) => format!("EXPERIMENTAL what-if, evidence in the {}.", d.species),
            });
        }
        if let Some(tid) = &def.tendon {
            if let Some(t) = strategies.tendon_transfers.iter().find(|t| &t.id == tid) {
                let fx: Vec<String> = t
                    .outcomes
                    .iter()
                    .map(|o| {
                        format!(
                            "{} MRC >= 3 in {}, >= 4 in {}",
                            name(&o.function),
                            pct(o.p_ge_3),
                            pct(o.p_ge_4)
                        )
                    })
                    .collect();
                reasons.push(format!(
                    "A tendon transfer restores function with innervated donor muscles, whatever the nerve does: {} (published series: {}); useful from about {} days after the operation (assumption).",
                    fx.join("; "),
                    t.source,
                    t.useful_after_days
                ));
            }
        } else if let Some(oid) = &def.orthosis {
            if let Some(o) = strategies.orthoses.iter().find(|o| &o.id == oid) {
                reasons.push(format!(
                    "An orthosis changes function, not the muscle: the twin's course is waiting's; while {} stays below MRC 3 it counts {} of a function (useful function counts 0.5, good 1); it can be worn with any plan while waiting. Evidence: {}.",
                    o.functions.iter().map(|f| name(f)).collect::<Vec<_>>().join(", "),
                    o.worth_below_mrc3,
                    o.source
                ));
            }
        } else if let Some(did) = &def.decompression {
            if let Some(t) = strategies.decompressions.iter().find(|t| &t.id == did) {
                reasons.push(format!(
                    "The twin has no mechanism for a persisting compression, so the decompression is simulated as a neurolysis (the nerve's course unchanged) and carries only the costs of an operation; published results: {}.",
                    t.source
                ));
            }
        } else {
            match (def.transfers.is_empty(), def.invasiveness) {
                (_, 0) => {
                    let inj = muscles[k].0;
                    let axonal = |i: usize| all_draws[i].grades[inj].is_axonal();
                    let regrow = subset(&outcomes[0][k], &axonal).0.map(|x| x - inj_day);
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
                (false, _) => {
                    let mut parts = Vec::new();
                    for t in &def.treatments {
                        let Some(tm) = &t.transfer_targets else {
                            continue;
                        };
                        for (mu, dist) in tm {
                            if let Some(x) = muscles.iter().find(|x| &x.1.muscle == mu) {
                                parts.push(format!(
                                    "{} from {:.0} mm to {:.0} mm",
                                    name(mu),
                                    x.1.distance_mm,
                                    dist
                                ));
                            }
                        }
                    }
                    let donors: Vec<String> = def
                        .transfers
                        .iter()
                        .filter_map(|id| atlas.transfers.iter().find(|t| &t.id == id))
                        .map(|t| t.donor.clone())
                        .collect();
                    reasons.push(format!(
                        "The transfer ({}) shortens the regrowth distance: {}.",
                        donors.join("; "),
                        parts.join("; ")
                    ));
                    reasons.push(compare_sentence());
                }
                (true, 2) => {
                    let inj = muscles[k].0;
                    let p_cut: f64 = all_draws
                        .iter()
                        .zip(&w)
                        .filter(|(dr, _)| not_in_continuity(dr.grades[inj]))
                        .map(|(_, x)| x)
                        .sum();
                    let conditional_repair =
                        def.treatments.iter().any(|t| t.only_if_not_in_continuity)
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
        }
        let p_unneeded = st.prob(&w, |i| st.unneeded[i]);
        let p_failed = st.prob(&w, |i| st.failed[i]);
        if p_op > 0.0 {
            reasons.push(format!(
                "Operated in {} of the draws; not needed in {} (waiting makes every function at stake useful); no gain in {} (no function useful that waiting leaves unuseful).",
                pct(p_op),
                pct(p_unneeded),
                pct(p_failed)
            ));
        }
        reasons.push(format!(
            "First useful function: {} (median; 80% interval {} to {}).",
            day_words(first_useful.median),
            day_words(first_useful.p10),
            day_words(first_useful.p90)
        ));
        let tie_day = first_useful.median;
        results.push((
            pi,
            PlanResult {
                name: def.name.clone(),
                rank: 0,
                score: scores[pi],
                function_value: st.score(
                    &w,
                    &Costs {
                        unneeded_operation: 0.0,
                        failed_operation: 0.0,
                        time_without_function_per_year: 0.0,
                    },
                ),
                p_operated: p_op,
                p_unneeded,
                p_failed,
                years_without_function: {
                    let tot: f64 = w.iter().sum();
                    (0..n).map(|i| w[i] * st.years[i]).sum::<f64>() / tot.max(1e-300)
                },
                first_useful_function_day: first_useful,
                description: def.description.clone(),
                reasons,
                muscles: summaries[pi].clone(),
                what_if,
            },
            (def.invasiveness, p_op),
            tie_day,
        ));
    }
    // Ranking: repeatedly take, among the remaining plans within `tie` of the best remaining
    // score, the least invasive, then the one operating in fewer draws, then the earlier first
    // useful function, then the higher score, then the first listed. A selection, not a pairwise
    // comparator: near-ties cannot make the order inconsistent.
    let mut ordered = Vec::with_capacity(results.len());
    while !results.is_empty() {
        let top = results
            .iter()
            .map(|r| r.1.score)
            .fold(f64::NEG_INFINITY, f64::max);
        let pick = (0..results.len())
            .filter(|&j| results[j].1.score > top - rules.tie)
            .min_by(|&x, &y| {
                let (a, b) = (&results[x], &results[y]);
                a.2.0
                    .cmp(&b.2.0)
                    .then_with(|| a.2.1.total_cmp(&b.2.1))
                    .then_with(|| {
                        a.3.unwrap_or(f64::INFINITY)
                            .total_cmp(&b.3.unwrap_or(f64::INFINITY))
                    })
                    .then_with(|| b.1.score.total_cmp(&a.1.score))
                    .then_with(|| a.0.cmp(&b.0))
            })
            .unwrap_or(0);
        ordered.push(results.remove(pick));
    }
    let results = ordered;
    let mut plans: Vec<PlanResult> = results.into_iter().map(|r| r.1).collect();
    for (i, p) in plans.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    // ---- decision outputs ----
    let best_by =
        |ws: &[f64], c: &Costs, allowed: &dyn Fn(usize) -> bool| -> Option<(usize, f64)> {
            (0..defs.len())
                .filter(|&p| allowed(p))
                .map(|p| (p, stats[p].score(ws, c)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        };
    let all = |_: usize| true;
    let goal_out: Vec<Goal> = goal_list
        .iter()
        .enumerate()
        .map(|(g, (id, wt, ks))| Goal {
            id: id.clone(),
            weight: *wt,
            muscles: ks.iter().map(|&k| muscles[k].1.muscle.clone()).collect(),
            p_useful_waiting: stats[0].prob(&w, |i| stats[0].useful[g][i]),
        })
        .collect();
    let sentinel = goal_list
        .iter()
        .flat_map(|g| g.2.iter().copied())
        .min()
        .unwrap_or(0);
    let s_inj_day = case.injuries[muscles[sentinel].0].day;
    let all_useful_wait = |i: usize| (0..goal_list.len()).all(|g| wait_useful[g][i]);
    let months = (horizon.saturating_sub(s_inj_day) as f64 / 30.44).floor() as u32;
    let recovery_curve: Vec<CurvePoint> = (1..=months.min(24))
        .map(|m| {
            let day = s_inj_day + (m as f64 * 30.44).round() as u32;
            let no_sign = |i: usize| {
                !crate::montecarlo::sign_seen_by(&wait_o[sentinel][i], Sign::Any, s_inj_day, day)
            };
            let p_no = stats[0].prob(&w, no_sign);
            let mass: f64 = (0..n).filter(|&i| no_sign(i)).map(|i| w[i]).sum();
            let useful: f64 = (0..n)
                .filter(|&i| no_sign(i) && all_useful_wait(i))
                .map(|i| w[i])
                .sum();
            CurvePoint {
                day,
                month: f64::from(m),
                p_no_sign: p_no,
                p_useful_without_surgery: (mass > 1e-12).then(|| useful / mass + 0.0),
            }
        })
        .collect();
    // Waiting a month: plans that need no operation before the next review and use it, against
    // plans that operate now in every draw.
    let next_review = d + strategies.review_interval_days;
    let now_ops = |p: usize| {
        defs[p].condition.is_none()
            && defs[p]
                .surgery_day
                .is_some_and(|s| s <= d + rules.after_decision_days)
            && (defs[p].invasiveness >= 2)
    };
    let after_month = |p: usize| {
        p == 0
            || (defs[p].surgery_day.is_none() && defs[p].invasiveness <= 1)
            || defs[p]
                .condition
                .as_ref()
                .is_some_and(|c| c.day == next_review)
    };
    let (value_of_waiting_a_month, waiting_a_month) = match (
        best_by(&w, &costs, &after_month),
        best_by(&w, &costs, &now_ops),
    ) {
        (Some(a), Some(b))
            if defs
                .iter()
                .any(|x| x.condition.as_ref().is_some_and(|c| c.day == next_review)) =>
        {
            (
                Some(a.1 - b.1),
                Some((defs[a.0].name.clone(), defs[b.0].name.clone())),
            )
        }
        _ => (None, None),
    };
    // The next examination: value of knowing a sign in a muscle at the next review.
    let overall = best_by(&w, &costs, &all).map(|x| x.1).unwrap_or(0.0);
    let mut next_observations = Vec::new();
    let mut cand: Vec<usize> = goal_list.iter().flat_map(|g| g.2.iter().copied()).collect();
    cand.sort_unstable();
    cand.dedup();
    for &k in &cand {
        for sign in [Sign::Mrc(1), Sign::NascentUnits, Sign::Cmap] {
            let inj_day = case.injuries[muscles[k].0].day;
            let seen: Vec<bool> = (0..n)
                .map(|i| crate::montecarlo::sign_seen_by(&wait_o[k][i], sign, inj_day, next_review))
                .collect();
            let ws: Vec<f64> = (0..n).map(|i| if seen[i] { w[i] } else { 0.0 }).collect();
            let wn: Vec<f64> = (0..n).map(|i| if seen[i] { 0.0 } else { w[i] }).collect();
            let p: f64 = ws.iter().sum::<f64>() / w.iter().sum::<f64>().max(1e-300);
            if !(1e-3..=0.999).contains(&p) {
                continue;
            }
            let (Some(bs), Some(bn)) = (best_by(&ws, &costs, &all), best_by(&wn, &costs, &all))
            else {
                continue;
            };
            next_observations.push(NextObservation {
                muscle: muscles[k].1.muscle.clone(),
                sign: sign.words(),
                day: next_review,
                p_sign: p,
                value: p * bs.1 + (1.0 - p) * bn.1 - overall,
                if_sign: defs[bs.0].name.clone(),
                if_no_sign: defs[bn.0].name.clone(),
            });
        }
    }
    next_observations.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.muscle.cmp(&b.muscle))
    });
    next_observations.truncate(3);
    // Sensitivity: the plan ranked first (highest score) when each cost or goal weight changes.
    let mut sensitivity = Vec::new();
    let mut row = |label: String, value: f64, c: &Costs, st_w: Option<(usize, f64)>| {
        let best = (0..defs.len())
            .map(|p| {
                let s = match st_w {
                    None => stats[p].score(&w, c),
                    Some((g, wt)) => {
                        // Rescore with goal g reweighted.
                        let old = goal_list[g].1;
                        let tot_new = gw_total - old + wt;
                        let tot: f64 = w.iter().sum::<f64>().max(1e-300);
                        (0..n)
                            .map(|i| {
                                let gv = |pp: usize| {
                                    let (lv, _) = level(pp, &defs[pp], g, i);
                                    0.5 * (f64::from(u8::from(lv >= 3))
                                        + f64::from(u8::from(lv >= 4)))
                                };
                                let v = (stats[p].value[i] * gw_total - old * gv(p) + wt * gv(p))
                                    / tot_new;
                                w[i] * (v
                                    - c.unneeded_operation
                                        * f64::from(u8::from(stats[p].unneeded[i]))
                                    - c.failed_operation * f64::from(u8::from(stats[p].failed[i]))
                                    - c.time_without_function_per_year * stats[p].years[i])
                            })
                            .sum::<f64>()
                            / tot
                    }
                };
                (p, s)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        if let Some((p, s)) = best {
            sensitivity.push(SensitivityRow {
                weight: label,
                value,
                best_plan: defs[p].name.clone(),
                best_score: s,
            });
        }
    };
    row("as given".into(), 0.0, &costs, None);
    for f in [0.0, 0.5, 2.0] {
        let mut c = costs;
        c.unneeded_operation *= f;
        row("unneeded_operation".into(), c.unneeded_operation, &c, None);
        let mut c = costs;
        c.failed_operation *= f;
        row("failed_operation".into(), c.failed_operation, &c, None);
        let mut c = costs;
        c.time_without_function_per_year *= f;
        row(
            "time_without_function_per_year".into(),
            c.time_without_function_per_year,
            &c,
            None,
        );
    }
    for (g, (id, wt, _)) in goal_list.iter().enumerate() {
        if goal_list.len() > 1 {
            row(
                format!("weight of {id}"),
                wt * 2.0,
                &costs,
                Some((g, wt * 2.0)),
            );
        }
    }
    let decision = Decision {
        goals: goal_out,
        costs,
        sentinel_muscle: muscles[sentinel].1.muscle.clone(),
        recovery_curve,
        value_of_waiting_a_month,
        waiting_a_month,
        next_observations,
        sensitivity,
        avulsion: avulsion_estimates(case),
    };
    let answer = answer(rules, case, &fu, &plans, &stats[0], &w, &decision);
    let report = PlansReport {
        draws,
        decision_day: case.settings.decision_day,
        criterion: criterion(rules, &costs),
        follow_up: if case.observations.is_empty() {
            None
        } else {
            Some(fu)
        },
        plans,
        decision,
        answer,
    };
    Ok((runs, report))
}

fn answer(
    rules: &PlanRules,
    case: &Case,
    fu: &FollowUp,
    plans: &[PlanResult],
    wait: &DrawStats,
    w: &[f64],
    decision: &Decision,
) -> String {
    let d = case.settings.decision_day;
    let n = w.len().max(1);
    let all_useful = |i: usize| (0..wait.useful.len()).all(|g| wait.useful[g][i]);
    let p_post = wait.prob(w, all_useful);
    let p_prior = wait.prob(&vec![1.0 / n as f64; n], all_useful);
    if fu.implausible {
        return format!(
            "No confident answer: the observations are unlikely under every simulated course (the best draw explains them {:.1e} times as well as a perfect fit; {:.1} effective draws). Re-check the examination, the level of the injury and its date, or run more draws.",
            fu.best_fit, fu.effective_draws
        );
    }
    let best = &plans[0];
    let non_surgical = |p: &PlanResult| p.name == "wait" || p.name.starts_with("stimulation");
    let best_surgical = plans.iter().find(|p| !non_surgical(p));
    let month = d as f64 / 30.44;
    let mut s = if case.observations.is_empty() {
        format!(
            "Before any follow-up: P(every function at stake useful without surgery) is {}. ",
            pct(p_prior)
        )
    } else {
        format!(
            "At day {d} (month {month:.1}), the {} observation(s) change P(every function at stake useful without surgery) from {} to {}. ",
            fu.observations,
            pct(p_prior),
            pct(p_post)
        )
    };
    if non_surgical(best) {
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
        s.push_str(&format!(
            "): wait and re-examine, looking for voluntary units on EMG in the {} (the most proximal muscle at stake).",
            decision.sentinel_muscle.replace('_', " ")
        ));
    } else if best.p_operated < 0.999 && best.p_operated > 0.0 {
        s.push_str(&format!(
            "A conditional strategy ranks first: {} (score {:.2}; it operates in {} of the draws, only those without a sign of reinnervation by then).",
            best.name,
            best.score,
            pct(best.p_operated)
        ));
    } else {
        let wv = plans
            .iter()
            .find(|p| p.name == "wait")
            .map(|p| p.score)
            .unwrap_or(0.0);
        s.push_str(&format!(
            "Operate: {} ranks first (score {:.2} against {:.2} for waiting).",
            best.name, best.score, wv
        ));
    }
    if let Some(o) = decision.next_observations.first() {
        s.push_str(&format!(
            " The examination that would most change the decision: {} in the {} on day {} (P {}; if seen: {}; if not: {}).",
            o.sign,
            o.muscle.replace('_', " "),
            o.day,
            pct(o.p_sign),
            o.if_sign,
            o.if_no_sign
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
