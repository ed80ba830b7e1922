//! Monte Carlo over a case: draws of the unknowns, twin runs on the pooled resolution, and the
//! per-muscle outcomes of each draw.
//!
//! A *draw* fixes everything unknown about the patient: the twin's uncertain parameters (log-normal
//! around the central value with a stated CV, clamped to the twin's plausible range; see
//! `data/atlas/prognosis_uncertainty.toml`), the grade of each injury of unknown grade (from its
//! prior) and each muscle's exact distance (normal around the atlas distance with the atlas SD,
//! clamped to ±2.5 SD and at least 5 mm). Draw `i` takes its randomness from a ChaCha8 generator
//! seeded from the case seed and `i` (`twin::cohort::draw_rng`) in a fixed order, and each muscle's
//! twin run is seeded from the draw's seed and the muscle's index, so every plan sees the same draws
//! (common random numbers) and results do not depend on the thread count.

use std::collections::BTreeMap;

use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Deserialize;
use twin::{Parameters, Resolution, Simulation, Species};
use vocabulary::Control;

use crate::case::{Case, Grade, GradeSpec, RepairMethod, Sign, TransferSite, Treatment, Trigger};
use crate::error::{DataError, PrognosisError};

/// The embedded parameter-uncertainty file.
pub const UNCERTAINTY_TOML: &str = include_str!("../../../data/atlas/prognosis_uncertainty.toml");

/// The clinic's part of the uncertainty file: the distance section. The `[parameters]` tables
/// (between-patient spreads) are read and drawn by `twin::patient::Variation`, their one home.
#[derive(Debug, Deserialize)]
struct UncertaintyFile {
    distance: DistanceSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistanceSection {
    clamp_sd: ValueEntry,
    min_mm: ValueEntry,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueEntry {
    value: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: Option<String>,
}

fn sourced(source: &Option<String>, assumption: &Option<String>) -> bool {
    vocabulary::cited::has_provenance(source.as_deref(), assumption.as_deref())
}

/// The prognosis engine: the twin's human parameters and their between-patient spread.
#[derive(Debug, Clone)]
pub struct Engine {
    base: Parameters,
    /// The between-patient spreads (`twin::patient`, the one home of the draw).
    variation: twin::patient::Variation,
    /// Distance deviates are clamped to ± this many SD.
    distance_clamp_sd: f64,
    /// Shortest regrowth distance, mm.
    distance_min_mm: f64,
    /// Limits on the work of one run (draws); [`Engine::with_limits`] changes them.
    limits: twin::limits::Limits,
    /// How each twin run advances ([`twin::Stepper::Event`] unless [`Engine::with_stepper`]).
    stepper: twin::Stepper,
}

/// Muscles the twin may not know, and the muscle whose motor-unit pool stands in for each
/// (similar size and fibre make-up). A name mapping, not a number: the twin's muscle table is the
/// source of the pool sizes.
const PROXIES: &[(&str, &str)] = &[
    ("supraspinatus", "deltoid"),
    ("infraspinatus", "deltoid"),
    ("teres_minor", "deltoid"),
    ("coracobrachialis", "brachialis"),
    ("extensor_carpi_radialis_longus", "brachioradialis"),
    ("extensor_carpi_radialis_brevis", "brachioradialis"),
    ("supinator", "brachioradialis"),
    ("extensor_carpi_ulnaris", "extensor_digitorum"),
    ("abductor_pollicis_longus", "extensor_indicis"),
    ("extensor_pollicis_longus", "extensor_indicis"),
    ("pronator_teres", "flexor_carpi_ulnaris"),
    ("flexor_carpi_radialis", "flexor_carpi_ulnaris"),
    ("flexor_digitorum_superficialis", "flexor_carpi_ulnaris"),
    ("flexor_pollicis_longus", "flexor_carpi_ulnaris"),
    ("flexor_digitorum_profundus_index", "flexor_carpi_ulnaris"),
    ("flexor_digitorum_profundus_little", "flexor_carpi_ulnaris"),
    ("pronator_quadratus", "extensor_indicis"),
    ("opponens_pollicis", "abductor_pollicis_brevis"),
    ("adductor_pollicis", "first_dorsal_interosseous"),
    ("iliopsoas", "rectus_femoris"),
    ("sartorius", "rectus_femoris"),
    ("vastus_intermedius", "vastus_medialis"),
    ("semitendinosus", "rectus_femoris"),
    ("semimembranosus", "rectus_femoris"),
    ("biceps_femoris_long_head", "rectus_femoris"),
    ("biceps_femoris_short_head", "rectus_femoris"),
    ("adductor_magnus", "vastus_medialis"),
    ("peroneus_brevis", "peroneus_longus"),
    ("tibialis_posterior", "tibialis_anterior"),
    ("flexor_digitorum_longus", "extensor_digitorum_longus"),
    ("flexor_hallucis_longus", "extensor_hallucis_longus"),
    ("popliteus", "extensor_hallucis_longus"),
    ("abductor_hallucis", "extensor_digitorum_brevis"),
];

impl Engine {
    /// The human engine with the embedded uncertainty file.
    pub fn human() -> Result<Engine, PrognosisError> {
        let base = Parameters::for_species(Species::Human)?;
        Self::with_parameters(base, UNCERTAINTY_TOML)
    }

    /// An engine over given parameters and an uncertainty file.
    pub fn with_parameters(
        base: Parameters,
        uncertainty_toml: &str,
    ) -> Result<Engine, PrognosisError> {
        const FILE: &str = "data/atlas/prognosis_uncertainty.toml";
        let file: UncertaintyFile =
            toml::from_str(uncertainty_toml).map_err(|e| DataError::Parse {
                file: FILE,
                message: e.to_string(),
            })?;
        let d = &file.distance;
        for (field, e, lo, hi) in [
            ("distance.clamp_sd", &d.clamp_sd, 0.5, 10.0),
            ("distance.min_mm", &d.min_mm, 0.0, 100.0),
        ] {
            if !sourced(&e.source, &e.assumption) {
                return Err(DataError::Unsourced { file: FILE, field }.into());
            }
            if !(e.value.is_finite() && e.value >= lo && e.value <= hi) {
                return Err(DataError::Range {
                    file: FILE,
                    field,
                    value: e.value,
                    expected: format!("a number in [{lo}, {hi}]"),
                }
                .into());
            }
        }
        let variation = twin::patient::Variation::from_toml_str(uncertainty_toml, &base)?;
        Ok(Engine {
            base,
            variation,
            distance_clamp_sd: file.distance.clamp_sd.value,
            distance_min_mm: file.distance.min_mm.value,
            limits: twin::limits::Limits::default(),
            stepper: twin::Stepper::default(),
        })
    }

    /// The same engine with other limits (a server or batch job that allows more draws).
    pub fn with_limits(mut self, limits: twin::limits::Limits) -> Engine {
        self.limits = limits;
        self
    }

    /// The same engine with the twin advanced by `stepper` (the day stepper is the reference
    /// the event-driven bookkeeping is checked against).
    pub fn with_stepper(mut self, stepper: twin::Stepper) -> Engine {
        self.stepper = stepper;
        self
    }

    /// The limits this engine checks requests against.
    pub fn limits(&self) -> &twin::limits::Limits {
        &self.limits
    }

    /// The central parameters.
    pub fn parameters(&self) -> &Parameters {
        &self.base
    }

    /// The twin muscle that simulates an atlas muscle (itself if the twin knows it).
    pub fn twin_muscle<'a>(&self, muscle: &'a str) -> &'a str {
        if self.base.has_muscle(muscle) {
            return muscle;
        }
        PROXIES
            .iter()
            .find(|(m, _)| *m == muscle)
            .map(|(_, p)| *p)
            .filter(|p| self.base.has_muscle(p))
            .unwrap_or("biceps_brachii")
    }

    /// The central draw of a case: every varied parameter at its central value, each injury at
    /// its known grade (or the most probable grade of its prior), every distance at the atlas
    /// mean. What a single, typical simulation of the case uses.
    pub fn central_draw(&self, case: &Case) -> Draw {
        let values = self.variation.central_values(&self.base);
        let grades: Vec<Grade> = case
            .injuries
            .iter()
            .map(|inj| match &inj.grade {
                GradeSpec::Known(g) => *g,
                GradeSpec::Unknown(prior) => prior
                    .iter()
                    .fold(None::<(Grade, f64)>, |best, &(g, p)| match best {
                        Some((_, bp)) if bp >= p => best,
                        _ => Some((g, p)),
                    })
                    .map_or(Grade::Axonotmesis, |x| x.0),
            })
            .collect();
        let z = case
            .injuries
            .iter()
            .map(|inj| vec![0.0; inj.muscles.len()])
            .collect();
        Draw {
            index: 0,
            seed: case.settings.seed,
            params: self.base.clone(),
            values,
            nerve_count_seed: None,
            avulsed: case.injuries.iter().map(|inj| inj.avulsion > 0.5).collect(),
            grades: grades
                .into_iter()
                .zip(&case.injuries)
                .map(|(g, inj)| {
                    if inj.avulsion > 0.5 {
                        Grade::Neurotmesis
                    } else {
                        g
                    }
                })
                .collect(),
            z,
        }
    }

    /// The typical draw of a case: the one run `simulate`, `snapshot` and the report picture.
    /// Every varied parameter, distance and nerve count as in [`Engine::central_draw`]; each
    /// injury whose grade is uncertain (a prior, or a root avulsion probability) at the *median*
    /// of its grade distribution on the severity order (neurapraxia … neurotmesis, avulsion last:
    /// the first grade whose cumulative probability reaches one half), where the distribution is
    /// the prior updated by the case's observations. The update weighs each candidate grade by the
    /// likelihood of the observations ([`crate::prognosis::follow_up`], the Monte Carlo's own
    /// reweighting) in the central draw with that grade; injuries are updated one after another.
    /// A case without observations takes its prior's median, a grade it states is kept.
    ///
    /// Why the median, not the most probable grade: the grade is ordinal and the other
    /// parameters sit at their central values; a prior of 35% neurapraxia and 65% spread over
    /// grades with axon loss is typically a lesion with axon loss, which its most probable single
    /// grade (neurapraxia) hides. Why the observations: a case that states MRC 0 and
    /// fibrillations at month 4 is not a neurapraxia, whatever its prior.
    pub fn typical_draw(
        &self,
        case: &Case,
        treatments: &[PlannedTreatment],
    ) -> Result<Draw, PrognosisError> {
        let mut draw = self.central_draw(case);
        for (j, inj) in case.injuries.iter().enumerate() {
            // (grade, avulsed, prior probability) in severity order, avulsion last.
            let mut candidates: Vec<(Grade, bool, f64)> = match &inj.grade {
                GradeSpec::Known(g) => vec![(*g, false, 1.0 - inj.avulsion)],
                GradeSpec::Unknown(prior) => prior
                    .iter()
                    .map(|&(g, p)| (g, false, p * (1.0 - inj.avulsion)))
                    .collect(),
            };
            candidates.sort_by_key(|c| c.0.order());
            if inj.avulsion > 0.0 {
                candidates.push((Grade::Neurotmesis, true, inj.avulsion));
            }
            candidates.retain(|c| c.2 > 0.0);
            if candidates.len() < 2 {
                continue;
            }
            let mut posterior: Vec<f64> = candidates.iter().map(|c| c.2).collect();
            if !case.observations.is_empty() {
                let draws: Vec<Draw> = candidates
                    .iter()
                    .map(|&(g, avulsed, _)| {
                        let mut d = draw.clone();
                        d.grades[j] = if avulsed { Grade::Neurotmesis } else { g };
                        d.avulsed[j] = avulsed;
                        d
                    })
                    .collect();
                let outcomes = (0..case.muscles().len())
                    .map(|k| {
                        draws
                            .iter()
                            .map(|d| simulate_muscle(self, case, d, k, treatments, 0))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let fm = &crate::data::ClinicData::embedded()?.follow_up;
                let likelihood = crate::prognosis::follow_up(fm, case, &draws, &outcomes).weights;
                for (p, l) in posterior.iter_mut().zip(likelihood) {
                    *p *= l;
                }
            }
            let total: f64 = posterior.iter().sum();
            let mut cumulative = 0.0;
            let pick = posterior
                .iter()
                .position(|p| {
                    cumulative += p / total;
                    cumulative >= 0.5
                })
                .unwrap_or(candidates.len() - 1);
            let (g, avulsed, _) = candidates[pick];
            draw.grades[j] = if avulsed { Grade::Neurotmesis } else { g };
            draw.avulsed[j] = avulsed;
        }
        Ok(draw)
    }

    /// Draws the unknowns of draw `index`.
    pub fn draw(&self, case: &Case, index: usize) -> Draw {
        let mut rng = twin::cohort::draw_rng(case.settings.seed, index);
        let seed = twin::cohort::draw_seed(case.settings.seed, index);
        // The patient's parameters: twin::patient's counter-based draw of the draw's seed (the
        // same code as the calibration populations).
        let (params, values) = self.variation.draw_with_values(&self.base, seed);
        // One uniform number per injury, as before avulsion existed: below the avulsion
        // probability the roots are avulsed; otherwise it is rescaled to pick the grade, so a case
        // without avulsion draws exactly as it did.
        let (grades, avulsed): (Vec<Grade>, Vec<bool>) = case
            .injuries
            .iter()
            .map(|inj| {
                let u: f64 = rng.r#gen();
                if u < inj.avulsion {
                    return (Grade::Neurotmesis, true);
                }
                let u = if inj.avulsion > 0.0 {
                    (u - inj.avulsion) / (1.0 - inj.avulsion)
                } else {
                    u
                };
                let g = match &inj.grade {
                    GradeSpec::Known(g) => *g,
                    GradeSpec::Unknown(prior) => {
                        let mut acc = 0.0;
                        let mut pick = prior.last().map(|x| x.0).unwrap_or(Grade::Axonotmesis);
                        for (g, p) in prior {
                            acc += p;
                            if u < acc {
                                pick = *g;
                                break;
                            }
                        }
                        pick
                    }
                };
                (g, false)
            })
            .unzip();
        let z = case
            .injuries
            .iter()
            .map(|inj| {
                inj.muscles
                    .iter()
                    .map(|_| {
                        let z: f64 = rng.sample(StandardNormal);
                        z.clamp(-self.distance_clamp_sd, self.distance_clamp_sd)
                    })
                    .collect()
            })
            .collect();
        Draw {
            index,
            seed,
            params,
            values,
            grades,
            avulsed,
            z,
            nerve_count_seed: Some(seed),
        }
    }
}

/// Everything fixed by one draw.
#[derive(Debug, Clone)]
pub struct Draw {
    /// Index.
    pub index: usize,
    /// Seed of the draw's twin runs.
    pub seed: u64,
    /// Parameters of this draw.
    pub params: Parameters,
    /// The varied parameter values, by name.
    pub values: Vec<(String, f64)>,
    /// Grade of each injury.
    pub grades: Vec<Grade>,
    /// Whether each injury's roots are avulsed in this draw (then its grade is neurotmesis).
    pub avulsed: Vec<bool>,
    /// Standard-normal distance deviate per injury and muscle.
    pub z: Vec<Vec<f64>>,
    /// Seed of the patient's nerve axon counts (donor and recipient of a size-matched transfer,
    /// `twin::nerve_counts::NerveCount::for_patient`); `None` in the central draw (mean counts).
    pub nerve_count_seed: Option<u64>,
}

impl Draw {
    /// A varied parameter's value in this draw (or the central one).
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|x| x.1)
            .or_else(|| self.params.entry(name).map(|e| e.value))
    }

    /// The draw's end-plate time constant (`end_plate_tau_days`, receptivity down to 1/e): its
    /// varied value, or the twin's own; an error if the twin's parameters lack it (no silent
    /// fallback to a constant).
    pub fn end_plate_tau_days(&self) -> Result<f64, DataError> {
        self.value("end_plate_tau_days")
            .ok_or(DataError::MissingParameter("end_plate_tau_days"))
    }
}

/// A treatment as a plan applies it to the muscles (transfers carry their per-muscle distances).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedTreatment {
    /// The treatment.
    pub treatment: Treatment,
    /// For transfers: per target muscle, the coaptation-to-entry distance (reference adult
    /// scaled to the patient), mm. Muscles not listed are not reached by the transfer.
    pub transfer_targets: Option<BTreeMap<String, f64>>,
    /// Applied only in draws whose injury grade is Sunderland IV or V (what an exploring surgeon
    /// would find divided or non-conducting); otherwise the exploration is a neurolysis only.
    pub only_if_not_in_continuity: bool,
    /// For a size-matched atlas transfer: per target muscle, the counted donor and recipient
    /// nerves ([`crate::atlas::Transfer::nerves_for`]); each draw's donor axons for that muscle
    /// are `twin::repair::size_matched_donor_axons` of the patient's two counts and the twin
    /// muscle's motor units, the rule the calibration runner uses. Muscles not listed keep the
    /// treatment's `donor_axons`.
    pub transfer_nerves: BTreeMap<String, [twin::nerve_counts::NerveCount; 2]>,
    /// Applied only in draws in which, while waiting, the trigger's muscle shows no sign of
    /// reinnervation by the trigger's day ([`sign_seen_by`]).
    pub condition: Option<Trigger>,
}

/// What the twin run of one muscle in one draw gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// First day a regrown or transferred axon made a working contact.
    pub first_reinnervation_day: Option<u32>,
    /// First day MRC ≥ 3 after the injury.
    pub mrc_3_day: Option<u32>,
    /// MRC at day 365.
    pub mrc_365: u8,
    /// MRC at day 730.
    pub mrc_730: u8,
    /// MRC at the end of the horizon.
    pub mrc_end: u8,
    /// Axons arrived before the end plates stopped accepting them (see [`Outcome`] docs in
    /// `docs/prognosis.md`): no denervation, or first reinnervation within the draw's end-plate time
    /// constant after the injury.
    pub axons_before_window: bool,
    /// Weekly MRC (day 0, 7, 14 …).
    pub weekly_mrc: Vec<u8>,
    /// Weekly innervated fibre fraction.
    pub weekly_innervated: Vec<f32>,
    /// Weekly: voluntary motor units present on needle EMG (MUP type other than none, by the
    /// follow-up readout of `data/clinic/follow_up.toml`).
    pub weekly_units: Vec<bool>,
    /// Weekly: a CMAP recordable (not absent, by the same readout).
    pub weekly_cmap: Vec<bool>,
    /// The twin's quantities on the days of the case's observations of this muscle.
    pub observed: Vec<twin::Quantities>,
    /// The distance simulated, mm.
    pub distance_mm: f64,
    /// The twin's quantities every `course_step` days from day 0 (see [`run_plans_with_course`];
    /// empty unless asked for).
    pub course: Vec<twin::Quantities>,
}

/// Days on which weekly series are sampled: 0, 7, … up to the run length.
pub fn weekly_days(run_days: u32) -> Vec<u32> {
    (0..=run_days / 7).map(|w| w * 7).collect()
}

/// Days simulated: the horizon, at least two years (so MRC at 730 exists).
pub fn run_days(case: &Case) -> u32 {
    case.settings.horizon_days.max(730)
}

/// Whether an exploring surgeon would find the nerve divided or non-conducting (IV–V).
pub fn not_in_continuity(g: Grade) -> bool {
    matches!(
        g,
        Grade::Neurotmesis | Grade::Sunderland(4) | Grade::Sunderland(5)
    )
}

/// The twin scenario of muscle `k` (index into [`Case::muscles`]) of a case in one draw under a
/// set of treatments: the one mapping from a patient's case to the twin, used by the Monte Carlo
/// and by a single simulation of the case.
pub fn scenario_for(
    engine: &Engine,
    case: &Case,
    draw: &Draw,
    k: usize,
    treatments: &[PlannedTreatment],
) -> twin::Scenario {
    let muscles = case.muscles();
    let (inj_idx, m) = muscles[k];
    let injury = &case.injuries[inj_idx];
    let pos = injury
        .muscles
        .iter()
        .position(|x| x.muscle == m.muscle)
        .unwrap_or(0);
    let z = draw.z[inj_idx].get(pos).copied().unwrap_or(0.0);
    let rel = if m.distance_mm > 0.0 {
        m.distance_sd_mm / m.distance_mm
    } else {
        0.0
    };
    let distance = (m.distance_mm + z * m.distance_sd_mm).max(engine.distance_min_mm);
    let grade = draw.grades[inj_idx];
    let avulsed = draw.avulsed.get(inj_idx).copied().unwrap_or(false);
    let data = crate::data::ClinicData::embedded().ok();
    // An end-to-end transfer that reaches this muscle divides its nerve distal to the injury:
    // the muscle gets the donor axons only, so the injury's own regrowth (and a repair's) into
    // it stops. An end-to-side (supercharged) transfer keeps the recipient: both sources reach it.
    let divided_by_transfer = treatments.iter().any(|p| {
        p.treatment.injury() == inj_idx
            && (!p.only_if_not_in_continuity || not_in_continuity(grade))
            && matches!(
                p.treatment,
                Treatment::Repair {
                    method: RepairMethod::Transfer { .. },
                    transfer: TransferSite {
                        end_to_side: false,
                        ..
                    },
                    ..
                }
            )
            && p.transfer_targets
                .as_ref()
                .is_none_or(|t| t.contains_key(&m.muscle))
    });
    let mut tw = Vec::new();
    let mut brief_stimulation = false;
    let mut drugs: Vec<&str> = Vec::new();
    for p in treatments {
        // A drug acts on the patient, whichever injury it is listed with.
        if let Treatment::Drug { id, .. } = &p.treatment {
            drugs.push(id);
            continue;
        }
        if p.treatment.injury() != inj_idx {
            continue;
        }
        if p.only_if_not_in_continuity && !not_in_continuity(grade) {
            continue;
        }
        match &p.treatment {
            // A root avulsion leaves no proximal stump: a suture or graft has nothing to connect;
            // nor does it into a muscle whose nerve an end-to-end transfer divided.
            Treatment::Repair {
                method: RepairMethod::Primary | RepairMethod::Graft { .. },
                ..
            } if avulsed || divided_by_transfer => continue,
            Treatment::Drug { .. } => continue,
            Treatment::Repair {
                day,
                method,
                transfer,
                brief_stimulation: stim,
                ..
            } => {
                brief_stimulation |= *stim;
                let (method, dist) = match method {
                    RepairMethod::Transfer {
                        donor_axons,
                        donor_axotomized_days,
                    } => {
                        let d = match &p.transfer_targets {
                            Some(t) => match t.get(&m.muscle) {
                                Some(d) => Some(*d),
                                None => continue,
                            },
                            None => transfer.distance_mm,
                        };
                        let d = d.map(|d| (d * (1.0 + z * rel)).max(5.0));
                        // End-to-side: the share of the donor axons that enter the recipient
                        // through its window (`[end_to_side]` in strategies.toml).
                        let share = match (transfer.end_to_side, &data) {
                            (true, Some(data)) => data.strategies.end_to_side_share,
                            _ => 1.0,
                        };
                        let donor_axons = match p.transfer_nerves.get(&m.muscle) {
                            Some(pair) => size_matched_donor_axons(engine, draw, &m.muscle, pair),
                            None => *donor_axons,
                        };
                        (
                            RepairMethod::Transfer {
                                donor_axons: (donor_axons as f64 * share).round() as u32,
                                donor_axotomized_days: *donor_axotomized_days,
                            },
                            d,
                        )
                    }
                    other => (other.clone(), None),
                };
                tw.push(twin::Treatment::Repair {
                    day: twin::Days(*day as f64),
                    method,
                    distance_mm: dist.map(twin::Millimetres),
                });
            }
            // Stimulation, disuse, rehabilitation: to the twin as they are.
            Treatment::Muscle { treatment, .. } => tw.push(treatment.clone()),
        }
    }
    let days = run_days(case);
    // Brief electrical stimulation at a repair acts through one twin parameter: the spread of
    // the suture-line crossing delays, scaled by the cited factor (kept in the twin's range).
    let mut overrides = BTreeMap::new();
    // A pharmacological what-if scales one twin parameter by its cited factor (kept in the
    // parameter's range); a drug with no figure changes nothing.
    if let Some(data) = &data {
        for id in &drugs {
            let Some(e) = data
                .strategies
                .drugs
                .iter()
                .find(|d| d.id == *id)
                .and_then(|d| d.effect.as_ref())
            else {
                continue;
            };
            if let Some(range) = draw.params.entry(&e.parameter) {
                let v = overrides
                    .get(&e.parameter)
                    .copied()
                    .or(draw.value(&e.parameter))
                    .unwrap_or(range.value);
                overrides.insert(
                    e.parameter.clone(),
                    (v * e.factor).clamp(range.min, range.max),
                );
            }
        }
    }
    if brief_stimulation
        && let Some(data) = &data
        && let Some(e) = draw.params.entry("suture_crossing_days")
    {
        let v = draw.value("suture_crossing_days").unwrap_or(e.value);
        overrides.insert(
            "suture_crossing_days".to_string(),
            (v * data.strategies.brief_stimulation.crossing_factor).clamp(e.min, e.max),
        );
    }
    twin::Scenario {
        species: Species::Human,
        muscle: engine.twin_muscle(&m.muscle).to_string(),
        age_years: case.patient.age_years,
        injury: Some(twin::Injury {
            day: twin::Days(injury.day as f64),
            distance_mm: twin::Millimetres(distance),
            grade,
            fraction_of_axons: twin::Fraction::clamped(m.axon_share),
            regrowth: if injury.regrowth_prevented || avulsed || divided_by_transfer {
                twin::Regrowth::Prevented
            } else {
                twin::Regrowth::Allowed
            },
            blocked_share: twin::Fraction(0.0),
        }),
        treatments: tw,
        horizon_days: days,
        seed: twin::cohort::draw_seed(draw.seed, k),
        overrides,
        modifiers: case.patient.modifiers,
        // The case's statement of the movement graded, for the muscle it names (the twin's
        // stand-in pool, if any, carries it); the other muscles keep the generic MRC 3
        // threshold (twin::gravity).
        against_gravity: case
            .against_gravity
            .as_ref()
            .filter(|g| g.muscle == m.muscle)
            .cloned(),
    }
}

/// The donor motor axons a size-matched transfer gives `muscle` in one draw: the patient's
/// donor and recipient counts (means in the central draw) and the twin muscle's motor units,
/// through `twin::repair::size_matched_donor_axons` (the calibration runner's rule).
fn size_matched_donor_axons(
    engine: &Engine,
    draw: &Draw,
    muscle: &str,
    [donor, recipient]: &[twin::nerve_counts::NerveCount; 2],
) -> u32 {
    let count = |n: &twin::nerve_counts::NerveCount| match draw.nerve_count_seed {
        Some(seed) => n.for_patient(seed),
        None => n.mean,
    };
    let units = draw
        .params
        .muscle(engine.twin_muscle(muscle))
        .map_or(0, |m| m.motor_units);
    twin::repair::size_matched_donor_axons(count(donor), count(recipient), units)
}

/// What a muscle's run records day by day (weekly series, observation days, MRC at 1 and 2
/// years and at the horizon); cloned with the simulation when plans branch.
#[derive(Debug, Clone)]
struct Recorder {
    obs_days: Vec<u32>,
    observed: Vec<twin::Quantities>,
    weekly_mrc: Vec<u8>,
    weekly_innervated: Vec<f32>,
    weekly_units: Vec<bool>,
    weekly_cmap: Vec<bool>,
    mrc_365: u8,
    mrc_730: u8,
    mrc_end: u8,
    days: u32,
    /// Record the quantities every `course_step` days (0: none).
    course_step: u32,
    course: Vec<twin::Quantities>,
}

impl Recorder {
    fn new(case: &Case, muscle: &str, days: u32, course_step: u32) -> Recorder {
        let obs_days: Vec<u32> = case
            .observations
            .iter()
            .filter(|o| o.muscle == muscle)
            .map(|o| o.day)
            .collect();
        let nweeks = days as usize / 7 + 1;
        Recorder {
            observed: Vec::with_capacity(obs_days.len()),
            obs_days,
            weekly_mrc: Vec::with_capacity(nweeks),
            weekly_innervated: Vec::with_capacity(nweeks),
            weekly_units: Vec::with_capacity(nweeks),
            weekly_cmap: Vec::with_capacity(nweeks),
            mrc_365: 0,
            mrc_730: 0,
            mrc_end: 0,
            days,
            course_step,
            course: Vec::with_capacity(if course_step > 0 {
                days as usize / course_step as usize + 1
            } else {
                0
            }),
        }
    }

    /// Records day `day` of `sim` (which has been stepped to it).
    fn record(&mut self, day: u32, sim: &Simulation, fm: &crate::data::FollowUpModel) {
        let need_week = day.is_multiple_of(7);
        let need_obs = self.obs_days.contains(&day);
        let need_course = self.course_step > 0 && day.is_multiple_of(self.course_step);
        if !(need_week || need_obs || need_course || day == 365 || day == 730 || day == self.days) {
            return;
        }
        let q = sim.quantities();
        if need_course {
            self.course.push(q);
        }
        if need_week {
            self.weekly_mrc.push(q.mrc_grade);
            self.weekly_innervated
                .push(q.innervated_fiber_fraction as f32);
            // Signs read through the one clinical readout: voluntary units on needle EMG,
            // and a distal CMAP that is not absent.
            self.weekly_units.push(
                readout::reading::mup_type(&fm.readout, &q) != readout::reading::MupType::None,
            );
            self.weekly_cmap.push(
                readout::reading::cmap_level(&fm.readout, readout::reading::cmap_fraction(&q))
                    != readout::reading::Level::Absent,
            );
        }
        if need_obs {
            for _ in self.obs_days.iter().filter(|d| **d == day) {
                self.observed.push(q);
            }
        }
        if day == 365 {
            self.mrc_365 = q.mrc_grade;
        }
        if day == 730 {
            self.mrc_730 = q.mrc_grade;
        }
        if day == self.days {
            self.mrc_end = q.mrc_grade;
        }
    }

    /// Steps `sim` from its day to the horizon, recording each day it reads.
    fn run(&mut self, sim: &mut Simulation, fm: &crate::data::FollowUpModel) {
        self.run_to(sim, self.days, fm);
    }

    /// Steps `sim` from its day to day `end`, recording the days it reads: the simulation
    /// goes from one read day to the next ([`Simulation::step_to`]: the same states and
    /// events as day by day, without the quantities of the days nobody reads).
    fn run_to(&mut self, sim: &mut Simulation, end: u32, fm: &crate::data::FollowUpModel) {
        while sim.day() < end {
            let next = self.next_read(sim.day()).min(end);
            sim.step_to(next);
            self.record(next, sim, fm);
        }
    }

    /// The first day after `day` that [`Recorder::record`] reads.
    fn next_read(&self, day: u32) -> u32 {
        let after = |step: u32| (day / step + 1) * step;
        let mut next = after(7);
        if self.course_step > 0 {
            next = next.min(after(self.course_step));
        }
        for &d in self.obs_days.iter().chain(&[365, 730, self.days]) {
            if d > day {
                next = next.min(d);
            }
        }
        next
    }

    /// The outcome of a finished run of muscle `k`.
    fn finish(
        self,
        case: &Case,
        draw: &Draw,
        k: usize,
        sim: &Simulation,
        distance: f64,
    ) -> Result<Outcome, PrognosisError> {
        let (inj_idx, _) = case.muscles()[k];
        let injury = &case.injuries[inj_idx];
        let grade = draw.grades[inj_idx];
        let weekly_mrc = self.weekly_mrc;
        let ev = sim.events();
        // For a conduction block (no axon cut) "reinnervation" is the return of conduction: the
        // first weekly reading after the lowest point with MRC >= 1 (the injury day if strength
        // never fell to 0).
        let first_reinnervation_day = if grade.is_axonal() {
            ev.first_reinnervation_day
        } else {
            let start = (injury.day as usize).div_ceil(7);
            let low = weekly_mrc
                .iter()
                .enumerate()
                .skip(start + 1)
                .min_by_key(|(_, m)| **m)
                .map(|(j, m)| (j, *m));
            match low {
                Some((_, m)) if m >= 1 => Some(injury.day),
                Some((j, _)) => weekly_mrc
                    .iter()
                    .enumerate()
                    .skip(j)
                    .find(|(_, m)| **m >= 1)
                    .map(|(w, _)| (w * 7) as u32),
                None => None,
            }
        };
        let window = draw.end_plate_tau_days()?;
        let axons_before_window = if !grade.is_axonal() {
            true
        } else {
            ev.first_reinnervation_day
                .is_some_and(|d| (d as f64) <= injury.day as f64 + window)
        };
        Ok(Outcome {
            first_reinnervation_day,
            mrc_3_day: ev.mrc_3_day,
            mrc_365: self.mrc_365,
            mrc_730: self.mrc_730,
            mrc_end: self.mrc_end,
            axons_before_window,
            weekly_mrc,
            weekly_innervated: self.weekly_innervated,
            weekly_units: self.weekly_units,
            weekly_cmap: self.weekly_cmap,
            observed: self.observed,
            distance_mm: distance,
            course: self.course,
        })
    }
}

fn twin_error(case: &Case, draw: &Draw, k: usize, e: twin::TwinError) -> PrognosisError {
    PrognosisError::Twin {
        muscle: case.muscles()[k].1.muscle.clone(),
        draw: draw.index,
        source: e,
    }
}

/// Simulates muscle `k` (index into [`Case::muscles`]) of a case in one draw under a set of
/// treatments.
pub fn simulate_muscle(
    engine: &Engine,
    case: &Case,
    draw: &Draw,
    k: usize,
    treatments: &[PlannedTreatment],
    course_step: u32,
) -> Result<Outcome, PrognosisError> {
    let scenario = scenario_for(engine, case, draw, k, treatments);
    let distance = scenario.injury.as_ref().map_or(0.0, |i| i.distance_mm.0);
    let mut sim = Simulation::new(&scenario, &draw.params, Resolution::Pooled)
        .map_err(|e| twin_error(case, draw, k, e))?
        .with_stepper(engine.stepper);
    let fm = &crate::data::ClinicData::embedded()?.follow_up;
    let mut rec = Recorder::new(
        case,
        &case.muscles()[k].1.muscle,
        scenario.horizon_days,
        course_step,
    );
    rec.record(0, &sim, fm);
    rec.run(&mut sim, fm);
    rec.finish(case, draw, k, &sim, distance)
}

/// A muscle's run under the first plan, kept at the days other plans branch from it.
struct Trunk {
    scenario: twin::Scenario,
    course_step: u32,
    stepper: twin::Stepper,
    outcome: Outcome,
    /// (day, simulation stepped to that day, what was recorded up to it), by day.
    checkpoints: Vec<(u32, Simulation, Recorder)>,
}

/// Runs muscle `k` under `scenario` to the horizon, keeping a copy of the run at each of
/// `days` (the days other plans branch from it).
fn run_trunk(
    case: &Case,
    draw: &Draw,
    k: usize,
    scenario: twin::Scenario,
    mut days: Vec<u32>,
    course_step: u32,
    stepper: twin::Stepper,
) -> Result<Trunk, PrognosisError> {
    days.sort_unstable();
    days.dedup();
    let distance = scenario.injury.as_ref().map_or(0.0, |i| i.distance_mm.0);
    let mut sim = Simulation::new(&scenario, &draw.params, Resolution::Pooled)
        .map_err(|e| twin_error(case, draw, k, e))?
        .with_stepper(stepper);
    let fm = &crate::data::ClinicData::embedded()?.follow_up;
    let mut rec = Recorder::new(
        case,
        &case.muscles()[k].1.muscle,
        scenario.horizon_days,
        course_step,
    );
    rec.record(0, &sim, fm);
    let mut checkpoints = Vec::with_capacity(days.len());
    for d in days {
        if d >= scenario.horizon_days {
            break;
        }
        rec.run_to(&mut sim, d, fm);
        checkpoints.push((d, sim.clone(), rec.clone()));
    }
    rec.run(&mut sim, fm);
    let outcome = rec.finish(case, draw, k, &sim, distance)?;
    Ok(Trunk {
        scenario,
        course_step,
        stepper,
        outcome,
        checkpoints,
    })
}

/// Muscle `k` under `scenario`: the trunk's outcome when the scenario is the trunk's (or
/// differs only after the horizon), else continued from the trunk's latest checkpoint that
/// the scenario shares ([`twin::shared_days`]), else a fresh run. The same numbers as
/// [`simulate_muscle`] in every case (`tests/prognosis.rs` checks it). Also the days stepped.
fn from_trunk(
    case: &Case,
    draw: &Draw,
    k: usize,
    trunk: &Trunk,
    scenario: &twin::Scenario,
) -> Result<(Outcome, u64), PrognosisError> {
    let shared = twin::shared_days(&trunk.scenario, scenario);
    if shared.is_some_and(|d| d >= scenario.horizon_days) {
        return Ok((trunk.outcome.clone(), 0));
    }
    let distance = scenario.injury.as_ref().map_or(0.0, |i| i.distance_mm.0);
    let fm = &crate::data::ClinicData::embedded()?.follow_up;
    let from = shared.and_then(|d| trunk.checkpoints.iter().rev().find(|c| c.0 <= d));
    let (mut sim, mut rec) = match from {
        Some((_, sim, rec)) => (
            sim.branch(scenario)
                .map_err(|e| twin_error(case, draw, k, e))?,
            rec.clone(),
        ),
        None => {
            let sim = Simulation::new(scenario, &draw.params, Resolution::Pooled)
                .map_err(|e| twin_error(case, draw, k, e))?
                .with_stepper(trunk.stepper);
            let mut rec = Recorder::new(
                case,
                &case.muscles()[k].1.muscle,
                scenario.horizon_days,
                trunk.course_step,
            );
            rec.record(0, &sim, fm);
            (sim, rec)
        }
    };
    let start = sim.day();
    rec.run(&mut sim, fm);
    let stepped = u64::from(sim.day() - start);
    Ok((rec.finish(case, draw, k, &sim, distance)?, stepped))
}

/// The days the twin is stepped for one draw of `plans` ([`run_plans`]), per muscle: the trunk
/// (the first plan) to the horizon, and every later plan whose scenario for the muscle is new,
/// from the day it parts from the trunk (from day 0 when it shares nothing). Conditional
/// treatments are counted as done: a condition that is false removes a treatment, which can
/// only make a plan part later or repeat an earlier one, so this is the most work of the draw.
/// The work model of the cost estimate (`engine::cost`); [`Runs::simulated_days`] counts what
/// a run did.
pub fn planned_days(
    engine: &Engine,
    case: &Case,
    plans: &[Vec<PlannedTreatment>],
    draw: &Draw,
) -> Vec<u64> {
    (0..case.muscles().len())
        .map(|k| {
            let Some(first) = plans.first() else {
                return 0;
            };
            let s0 = scenario_for(engine, case, draw, k, first);
            let horizon = s0.horizon_days;
            let mut seen = vec![s0.clone()];
            let mut days = u64::from(horizon);
            for p in &plans[1..] {
                let s = scenario_for(engine, case, draw, k, p);
                if seen.contains(&s) {
                    continue;
                }
                let from = twin::shared_days(&s0, &s).map_or(0, |d| d.min(horizon));
                days += u64::from(s.horizon_days.saturating_sub(from));
                seen.push(s);
            }
            days
        })
        .collect()
}

/// Outcomes of every muscle in every draw for several plans: `result[plan][muscle][draw]`.
pub type Outcomes = Vec<Vec<Vec<Outcome>>>;

/// The result of [`run_plans`].
#[derive(Debug, Clone)]
pub struct Runs {
    /// The draws, in index order.
    pub draws: Vec<Draw>,
    /// `outcomes[plan][muscle][draw]`.
    pub outcomes: Outcomes,
    /// `operated[plan][draw]`: the plan led to an operation in that draw.
    pub operated: Vec<Vec<bool>>,
    /// Days the twin was stepped, summed over every muscle, plan and draw (a plan's shared past
    /// and a reused outcome are not stepped again): the work done, which
    /// [`planned_days`] estimates beforehand.
    pub simulated_days: u64,
}

/// Whether a muscle's course shows `sign` by `day` (weekly readings, no measurement error): the
/// sign was never lost after the injury (an incomplete lesion: voluntary units or strength kept),
/// or it was lost and has come back by `day`.
pub fn sign_seen_by(o: &Outcome, sign: Sign, injury_day: u32, day: u32) -> bool {
    let at = |w: usize| -> bool {
        let mrc = o.weekly_mrc.get(w).copied().unwrap_or(0);
        let units = o.weekly_units.get(w).copied().unwrap_or(false);
        match sign {
            Sign::Mrc(n) => mrc >= n,
            Sign::NascentUnits => units,
            Sign::Cmap => o.weekly_cmap.get(w).copied().unwrap_or(false),
            Sign::Any => mrc >= 1 || units,
        }
    };
    let first = (injury_day as usize + 1).div_ceil(7);
    let last = day as usize / 7;
    if last < first {
        return false;
    }
    match (first..=last).find(|&w| !at(w)) {
        None => true,
        Some(lost) => (lost + 1..=last).any(at),
    }
}

/// Whether a conditional treatment is done in a draw: no sign in the trigger's muscle by the
/// trigger's day in the draw's course while waiting. `base(k)` is the waiting outcome of muscle
/// `k` (index into [`Case::muscles`]) in that draw; without a named muscle, the most proximal
/// affected muscle of `injury` is examined.
pub fn triggered<'a>(
    case: &Case,
    trigger: &Trigger,
    injury: usize,
    base: &dyn Fn(usize) -> &'a Outcome,
) -> bool {
    let muscles = case.muscles();
    let k = match &trigger.muscle {
        Some(m) => muscles.iter().position(|(_, x)| &x.muscle == m),
        None => muscles.iter().position(|(i, _)| *i == injury),
    };
    match k {
        Some(k) => !sign_seen_by(
            base(k),
            trigger.sign,
            case.injuries[muscles[k].0].day,
            trigger.day,
        ),
        None => false,
    }
}

/// Runs `draws` draws of a case for each plan (treatment list; the first plan must be the case as
/// treated, without conditional treatments: conditions are read from it), in parallel over draws;
/// the result does not depend on the thread count. `control` is told of the `draws` units of work
/// at the start, advanced once per finished draw, and checked for cancellation before each draw.
pub fn run_plans(
    engine: &Engine,
    case: &Case,
    plans: &[Vec<PlannedTreatment>],
    draws: usize,
    control: &Control,
) -> Result<Runs, PrognosisError> {
    run_plans_with_course(engine, case, plans, draws, 0, control)
}

/// [`run_plans`], keeping in every outcome the twin's quantities every `course_step` days from
/// day 0 ([`Outcome::course`]; 0 keeps none). The other results do not depend on `course_step`.
pub fn run_plans_with_course(
    engine: &Engine,
    case: &Case,
    plans: &[Vec<PlannedTreatment>],
    draws: usize,
    course_step: u32,
    control: &Control,
) -> Result<Runs, PrognosisError> {
    // Checked before the per-draw results are allocated.
    engine.limits.draws_count("draws", draws)?;
    let muscles = case.muscles();
    let nm = muscles.len();
    if nm == 0 {
        return Err(PrognosisError::Empty(
            "no muscle lies distal to the injuries".into(),
        ));
    }
    type DrawResult = Result<(Draw, Vec<Vec<Outcome>>, Vec<bool>, u64), PrognosisError>;
    control.add_total(draws as u64);
    let per_draw: Vec<DrawResult> = (0..draws)
        .into_par_iter()
        .with_min_len(1)
        .map(|i| {
            control.check()?;
            let d = engine.draw(case, i);
            // Plans share their past: each muscle runs once under the first plan (the trunk),
            // kept at the days the other plans' scenarios part from it (with every
            // conditional treatment in: a condition that is false only removes a treatment,
            // so the parting day can only come later); every other plan continues from the
            // latest such copy its own scenario shares, or reuses the outcome of an earlier
            // plan whose scenario for that muscle is the same.
            let mut trunks = Vec::with_capacity(nm);
            for k in 0..nm {
                let s0 = scenario_for(engine, case, &d, k, &plans[0]);
                let days = plans[1..]
                    .iter()
                    .filter_map(|p| twin::shared_days(&s0, &scenario_for(engine, case, &d, k, p)))
                    .collect();
                trunks.push(run_trunk(
                    case,
                    &d,
                    k,
                    s0,
                    days,
                    course_step,
                    engine.stepper,
                )?);
            }
            let base: Vec<Outcome> = trunks.iter().map(|t| t.outcome.clone()).collect();
            let mut stepped: u64 = trunks
                .iter()
                .map(|t| u64::from(t.scenario.horizon_days))
                .sum();
            let mut by_plan: Vec<Vec<Outcome>> = Vec::with_capacity(plans.len());
            let mut operated = Vec::with_capacity(plans.len());
            // Per muscle, the scenarios already simulated and the plan that has the outcome.
            let mut seen: Vec<Vec<(twin::Scenario, usize)>> = vec![Vec::new(); nm];
            for (pi, p) in plans.iter().enumerate() {
                let effective: Vec<PlannedTreatment> = p
                    .iter()
                    .filter(|t| match (&t.condition, pi) {
                        (Some(c), pi) if pi > 0 => {
                            triggered(case, c, t.treatment.injury(), &|k| &base[k])
                        }
                        _ => true,
                    })
                    .cloned()
                    .collect();
                operated.push(
                    effective
                        .iter()
                        .any(|t| matches!(t.treatment, Treatment::Repair { .. })),
                );
                if pi == 0 {
                    by_plan.push(base.clone());
                    continue;
                }
                let mut by_muscle = Vec::with_capacity(nm);
                for k in 0..nm {
                    let s = scenario_for(engine, case, &d, k, &effective);
                    let same = seen[k].iter().find(|(x, _)| *x == s).map(|x| x.1);
                    let o = match same {
                        Some(q) => by_plan[q][k].clone(),
                        None => {
                            let (o, days) = from_trunk(case, &d, k, &trunks[k], &s)?;
                            stepped += days;
                            seen[k].push((s, pi));
                            o
                        }
                    };
                    by_muscle.push(o);
                }
                by_plan.push(by_muscle);
            }
            control.advance(1);
            Ok((d, by_plan, operated, stepped))
        })
        .collect();
    let mut all_draws = Vec::with_capacity(draws);
    let mut out: Outcomes = (0..plans.len())
        .map(|_| (0..nm).map(|_| Vec::with_capacity(draws)).collect())
        .collect();
    let mut operated: Vec<Vec<bool>> = (0..plans.len())
        .map(|_| Vec::with_capacity(draws))
        .collect();
    let mut simulated_days = 0u64;
    for r in per_draw {
        let (d, by_plan, op, stepped) = r?;
        simulated_days += stepped;
        all_draws.push(d);
        for (pi, by_muscle) in by_plan.into_iter().enumerate() {
            for (k, o) in by_muscle.into_iter().enumerate() {
                out[pi][k].push(o);
            }
            operated[pi].push(op[pi]);
        }
    }
    Ok(Runs {
        draws: all_draws,
        outcomes: out,
        operated,
        simulated_days,
    })
}

/// The case's own treatments as planned treatments (transfers resolved against the atlas).
pub fn case_treatments(case: &Case, atlas: &crate::atlas::Atlas) -> Vec<PlannedTreatment> {
    case.treatments
        .iter()
        .map(|t| planned(case, atlas, t.clone(), false))
        .collect()
}

/// Wraps a treatment, resolving an atlas transfer's per-muscle distances.
pub fn planned(
    case: &Case,
    atlas: &crate::atlas::Atlas,
    t: Treatment,
    conditional: bool,
) -> PlannedTreatment {
    let transfer_nerves = match &t {
        Treatment::Repair {
            method: RepairMethod::Transfer { .. },
            transfer:
                TransferSite {
                    atlas_id: Some(id),
                    size_match: true,
                    ..
                },
            ..
        } => transfer_nerves(atlas, id),
        _ => BTreeMap::new(),
    };
    let transfer_targets = match &t {
        Treatment::Repair {
            method: RepairMethod::Transfer { .. },
            transfer:
                TransferSite {
                    atlas_id: Some(id),
                    distance_mm,
                    ..
                },
            ..
        } => atlas.transfers.iter().find(|x| &x.id == id).map(|tr| {
            let frame = atlas
                .nerve(&tr.target_nerve)
                .map(|n| n.frame.clone())
                .unwrap_or_default();
            let scale = atlas.scale_factor(&frame, case.patient.height_cm, case.patient.sex);
            tr.targets
                .iter()
                .filter_map(|m| {
                    let pos = atlas.muscle(m)?.position_mm;
                    Some((
                        m.clone(),
                        distance_mm.unwrap_or((pos - tr.coaptation_for(m)) * scale),
                    ))
                })
                .collect()
        }),
        _ => None,
    };
    PlannedTreatment {
        treatment: t,
        transfer_targets,
        only_if_not_in_continuity: conditional,
        transfer_nerves,
        condition: None,
    }
}

/// The counted donor and recipient nerves of each target of atlas transfer `id` (targets whose
/// nerves are not both counted are left out and keep the atlas's assumed donor axons).
fn transfer_nerves(
    atlas: &crate::atlas::Atlas,
    id: &str,
) -> BTreeMap<String, [twin::nerve_counts::NerveCount; 2]> {
    let (Some(tr), Ok(counts)) = (
        atlas.transfers.iter().find(|x| x.id == id),
        twin::nerve_counts::NerveCounts::human(),
    ) else {
        return BTreeMap::new();
    };
    tr.targets
        .iter()
        .filter_map(|m| {
            let (d, r) = tr.nerves_for(m)?;
            Some((m.clone(), [counts.get(d)?.clone(), counts.get(r)?.clone()]))
        })
        .collect()
}

#[cfg(test)]
mod uncertainty_file_tests {
    use super::*;

    fn course(mrc: &[u8], units: &[bool]) -> Outcome {
        Outcome {
            first_reinnervation_day: None,
            mrc_3_day: None,
            mrc_365: 0,
            mrc_730: 0,
            mrc_end: 0,
            axons_before_window: false,
            weekly_mrc: mrc.to_vec(),
            weekly_innervated: vec![0.0; mrc.len()],
            weekly_units: units.to_vec(),
            weekly_cmap: vec![false; mrc.len()],
            observed: Vec::new(),
            distance_mm: 100.0,
            course: Vec::new(),
        }
    }

    #[test]
    fn a_sign_counts_when_kept_or_when_it_returns_after_being_lost() {
        // Weeks 0..5: strength lost at the injury (day 0), back to MRC 1 in week 4.
        let o = course(&[5, 0, 0, 0, 1, 2], &[true, false, false, true, true, true]);
        assert!(!sign_seen_by(&o, Sign::Mrc(1), 0, 21));
        assert!(sign_seen_by(&o, Sign::Mrc(1), 0, 28));
        assert!(!sign_seen_by(&o, Sign::Mrc(2), 0, 28));
        // EMG units return a week before strength.
        assert!(sign_seen_by(&o, Sign::NascentUnits, 0, 21));
        assert!(sign_seen_by(&o, Sign::Any, 0, 21));
        assert!(!sign_seen_by(&o, Sign::Cmap, 0, 35));
        // An incomplete lesion that never loses strength shows the sign from the start.
        let kept = course(&[5, 3, 3, 4], &[true; 4]);
        assert!(sign_seen_by(&kept, Sign::Mrc(1), 0, 7));
        // Before the first reading after the injury nothing can be seen.
        assert!(!sign_seen_by(&kept, Sign::Mrc(1), 14, 14));
    }

    fn base() -> Parameters {
        Parameters::for_species(Species::Human).unwrap()
    }

    #[test]
    fn embedded_uncertainty_file_loads() {
        let e = Engine::with_parameters(base(), UNCERTAINTY_TOML).unwrap();
        assert!(e.distance_clamp_sd > 0.0 && e.distance_min_mm > 0.0);
    }

    #[test]
    fn unsourced_or_out_of_range_distance_entries_are_refused() {
        let marker = "clamp_sd = { value = 2.5, assumption = ";
        assert!(UNCERTAINTY_TOML.contains(marker));
        let start = UNCERTAINTY_TOML.find(marker).unwrap();
        let end = start + UNCERTAINTY_TOML[start..].find('\n').unwrap();
        let unsourced = format!(
            "{}clamp_sd = {{ value = 2.5 }}{}",
            &UNCERTAINTY_TOML[..start],
            &UNCERTAINTY_TOML[end..]
        );
        let e = Engine::with_parameters(base(), &unsourced).unwrap_err();
        assert!(e.to_string().contains("distance.clamp_sd"), "{e}");
        // The error keeps its type: a data-file error naming the file and field.
        assert!(
            matches!(
                e,
                PrognosisError::Data(DataError::Unsourced {
                    file: "data/atlas/prognosis_uncertainty.toml",
                    field: "distance.clamp_sd"
                })
            ),
            "{e:?}"
        );
        let negative =
            UNCERTAINTY_TOML.replace("min_mm = { value = 5.0,", "min_mm = { value = -1.0,");
        let e = Engine::with_parameters(base(), &negative).unwrap_err();
        assert!(e.to_string().contains("distance.min_mm"), "{e}");
        assert!(
            matches!(
                e,
                PrognosisError::Data(DataError::Range { field: "distance.min_mm", value, .. })
                    if value == -1.0
            ),
            "{e:?}"
        );
        // A spread the twin's parameter set refuses comes back as the twin's own error type.
        let unknown = format!(
            "{UNCERTAINTY_TOML}\n[parameters.no_such_parameter]\ncv = 0.1\nassumption = \"a test\"\n"
        );
        let e = Engine::with_parameters(base(), &unknown).unwrap_err();
        assert!(
            matches!(
                &e,
                PrognosisError::Parameters(twin::ParamError::UnknownParameter { name, .. })
                    if name == "no_such_parameter"
            ),
            "{e:?}"
        );
    }
}
