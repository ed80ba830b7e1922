//! The anatomy atlas: limb nerves, their muscles in branching order, named injury sites, the
//! regrowth distance from a site to each muscle's motor entry point, and distal nerve transfers.
//!
//! Model: each limb region has a *frame*, a line along the nerve paths measured in mm of nerve from
//! a landmark for a reference adult. Sites and motor entry points have positions in a frame; the
//! distance from a site to a muscle is the difference of positions. Plexus elements carry a subset
//! of the spinal roots; in a plexus lesion a muscle's injured share of axons is the share of its
//! roots that run through the element (equal contribution per root: an assumption).
//!
//! Body size: distances scale with the patient's limb length, a fixed fraction of stature by sex
//! (Huston 50th-percentile segment lengths, clinical.md part 2D, [A37]); the reference limb is the
//! mean of the male and female limbs, since the cadaver series are of mixed sex.
//!
//! The data file `data/atlas/human.toml` gives every position with its source, or marks it as an
//! estimated assumption; [`Atlas::human`] embeds and validates it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::error::AtlasError;

/// The embedded human atlas file.
pub const HUMAN_ATLAS_TOML: &str = include_str!("../../../data/atlas/human.toml");

/// Sex, for body-size scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// Where a number came from.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct Provenance {
    /// Source id (see [`Atlas::sources`]).
    #[serde(default)]
    pub source: Option<String>,
    /// Arithmetic on cited numbers.
    #[serde(default)]
    pub derived: bool,
    /// Estimated, not read in a source.
    #[serde(default)]
    pub assumption: bool,
    /// How the number was obtained.
    #[serde(default)]
    pub note: Option<String>,
}

impl Provenance {
    /// A short tag: `[A12]`, `[A12, derived]` or `[assumption]`.
    pub fn tag(&self) -> String {
        match (&self.source, self.derived, self.assumption) {
            (_, _, true) => "assumption".to_string(),
            (Some(s), true, _) => format!("{s}, derived"),
            (Some(s), false, _) => s.clone(),
            (None, true, _) => "derived".to_string(),
            (None, false, false) => "unsourced".to_string(),
        }
    }
}

/// A named injury site.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Site {
    /// Identifier (`mid_humerus`).
    pub id: String,
    /// Frame.
    pub frame: String,
    /// Position in the frame, mm (reference adult).
    pub position_mm: f64,
    /// What and where it is.
    pub description: String,
    /// Provenance.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A nerve or a plexus element.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Nerve {
    /// Identifier (`radial`).
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Frame.
    pub frame: String,
    /// `nerve` (default), `plexus` or `trunk`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Where it begins in the frame, mm.
    pub from_mm: f64,
    /// Spinal roots carried.
    pub roots: Vec<String>,
    /// For plexus elements and trunks: the terminal nerves whose muscles they feed.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// Provenance.
    #[serde(flatten)]
    pub provenance: Provenance,
}

fn default_kind() -> String {
    "nerve".to_string()
}

/// A muscle and its motor entry point.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Muscle {
    /// Identifier (snake_case; also the twin's muscle name).
    pub id: String,
    /// Innervating nerve.
    pub nerve: String,
    /// Position of the motor entry point in the nerve's frame, mm.
    pub position_mm: f64,
    /// Between-person SD of the position where the source gives one, mm.
    #[serde(default)]
    pub sd_mm: Option<f64>,
    /// Spinal roots.
    pub roots: Vec<String>,
    /// Source of the root list.
    pub roots_source: String,
    /// Provenance of the position.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// A distal nerve transfer known to the atlas.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Transfer {
    /// Identifier.
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Nerve whose distal stump receives the donor.
    pub target_nerve: String,
    /// Target muscles.
    pub targets: Vec<String>,
    /// Coaptation position in the target's frame, mm.
    pub coaptation_mm: f64,
    /// Per-target coaptation where it differs.
    #[serde(default)]
    pub per_target_coaptation_mm: BTreeMap<String, f64>,
    /// The donor, in words.
    pub donor: String,
    /// Donor motor axons (assumption where no source); used only when the donor and
    /// recipient nerves are not both counted (see [`Transfer::nerves_for`]).
    pub donor_axons: u32,
    /// The donor nerve's id in `data/params/nerve-axon-counts.toml`, if counted.
    #[serde(default)]
    pub donor_nerve: Option<String>,
    /// The recipient nerve's id in the same file, if counted.
    #[serde(default)]
    pub recipient_nerve: Option<String>,
    /// Per-target donor and recipient nerves where they differ (a double transfer).
    #[serde(default)]
    pub per_target_nerves: BTreeMap<String, NervePair>,
    /// Provenance.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// The donor and recipient nerves of one coaptation (ids of `data/params/nerve-axon-counts.toml`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NervePair {
    /// Donor nerve id.
    pub donor: String,
    /// Recipient nerve id.
    pub recipient: String,
}

impl Transfer {
    /// The counted donor and recipient nerves of the coaptation that reaches `muscle`: the
    /// per-target pair, else the transfer's own; `None` when either is not counted (then the
    /// transfer's assumed `donor_axons` apply). With them, each patient's donor axons come
    /// from the same size match as the calibration runner's
    /// (`twin::repair::size_matched_donor_axons`).
    pub fn nerves_for(&self, muscle: &str) -> Option<(&str, &str)> {
        if let Some(p) = self.per_target_nerves.get(muscle) {
            return Some((p.donor.as_str(), p.recipient.as_str()));
        }
        match (&self.donor_nerve, &self.recipient_nerve) {
            (Some(d), Some(r)) => Some((d.as_str(), r.as_str())),
            _ => None,
        }
    }

    /// Coaptation position for one target.
    pub fn coaptation_for(&self, muscle: &str) -> f64 {
        self.per_target_coaptation_mm
            .get(muscle)
            .copied()
            .unwrap_or(self.coaptation_mm)
    }
}

/// A reference for the ids used in provenance.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Source {
    /// Id.
    pub id: String,
    /// Authors, year, journal.
    pub citation: String,
}

/// A frame (coordinate line along a limb's nerves).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct Frame {
    /// Id.
    pub id: String,
    /// The landmark at position 0.
    pub origin: String,
    /// `upper_limb` or `lower_limb`: the limb whose length scales it.
    pub limb: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Segments {
    upper_limb: f64,
    lower_limb: f64,
}

#[derive(Debug, Clone, Deserialize)]
struct Scaling {
    male_stature_m: f64,
    female_stature_m: f64,
    male_segments_m: Segments,
    female_segments_m: Segments,
}

#[derive(Debug, Clone, Deserialize)]
struct Uncertainty {
    default_distance_cv: f64,
}

#[derive(Debug, Clone, Deserialize)]
struct AtlasFile {
    version: String,
    scaling: Scaling,
    uncertainty: Uncertainty,
    frame: Vec<Frame>,
    site: Vec<Site>,
    nerve: Vec<Nerve>,
    muscle: Vec<Muscle>,
    transfer: Vec<Transfer>,
    source: Vec<Source>,
}

/// The anatomy atlas, validated.
#[derive(Debug, Clone)]
pub struct Atlas {
    /// Data version.
    pub version: String,
    /// Frames.
    pub frames: Vec<Frame>,
    /// Sites.
    pub sites: Vec<Site>,
    /// Nerves and plexus elements.
    pub nerves: Vec<Nerve>,
    /// Muscles, in file order (branching order within a nerve).
    pub muscles: Vec<Muscle>,
    /// Distal nerve transfers.
    pub transfers: Vec<Transfer>,
    /// References.
    pub sources: Vec<Source>,
    /// Default coefficient of variation of a distance (assumption).
    pub default_distance_cv: f64,
    scaling: Scaling,
}

/// One muscle affected by an injury at a site, with its regrowth distance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AffectedMuscle {
    /// Muscle id.
    pub muscle: String,
    /// Its nerve.
    pub nerve: String,
    /// Distance from the injury to the motor entry point, scaled to the patient, mm.
    pub distance_mm: f64,
    /// SD of that distance between people, mm.
    pub distance_sd_mm: f64,
    /// Share of the muscle's axons that run through the injured element (1 for a nerve lesion).
    pub axon_share: f64,
    /// Provenance tag of the entry point.
    pub provenance: String,
}

impl Atlas {
    /// The embedded human atlas.
    pub fn human() -> Result<Self, AtlasError> {
        Self::from_toml(HUMAN_ATLAS_TOML)
    }

    /// Parses and validates an atlas file.
    pub fn from_toml(text: &str) -> Result<Self, AtlasError> {
        let file: AtlasFile =
            toml::from_str(text).map_err(|e| AtlasError::Parse(e.message().to_string()))?;
        let atlas = Atlas {
            version: file.version,
            frames: file.frame,
            sites: file.site,
            nerves: file.nerve,
            muscles: file.muscle,
            transfers: file.transfer,
            sources: file.source,
            default_distance_cv: file.uncertainty.default_distance_cv,
            scaling: file.scaling,
        };
        atlas.validate()?;
        Ok(atlas)
    }

    fn validate(&self) -> Result<(), AtlasError> {
        let bad = |what: &str, id: &str, why: String| AtlasError::Invalid {
            what: what.to_string(),
            id: id.to_string(),
            why,
        };
        let frames: BTreeSet<&str> = self.frames.iter().map(|f| f.id.as_str()).collect();
        let sources: BTreeSet<&str> = self.sources.iter().map(|s| s.id.as_str()).collect();
        let nerves: BTreeMap<&str, &Nerve> =
            self.nerves.iter().map(|n| (n.id.as_str(), n)).collect();
        for f in &self.frames {
            if f.limb != "upper_limb" && f.limb != "lower_limb" {
                return Err(bad(
                    "frame",
                    &f.id,
                    format!("limb `{}` is not upper_limb or lower_limb", f.limb),
                ));
            }
        }
        let check_prov = |what: &str, id: &str, p: &Provenance| -> Result<(), AtlasError> {
            match &p.source {
                Some(s) if !sources.contains(s.as_str()) => Err(bad(
                    what,
                    id,
                    format!("source `{s}` is not in the source list"),
                )),
                None if !p.assumption => Err(bad(
                    what,
                    id,
                    "has neither a source nor `assumption = true`".to_string(),
                )),
                _ => Ok(()),
            }
        };
        let mut ids = BTreeSet::new();
        for s in &self.sites {
            if !ids.insert(format!("site:{}", s.id)) {
                return Err(bad("site", &s.id, "duplicate id".into()));
            }
            if !frames.contains(s.frame.as_str()) {
                return Err(bad("site", &s.id, format!("unknown frame `{}`", s.frame)));
            }
            check_prov("site", &s.id, &s.provenance)?;
        }
        for n in &self.nerves {
            if !ids.insert(format!("nerve:{}", n.id)) {
                return Err(bad("nerve", &n.id, "duplicate id".into()));
            }
            if !frames.contains(n.frame.as_str()) {
                return Err(bad("nerve", &n.id, format!("unknown frame `{}`", n.frame)));
            }
            for f in &n.feeds {
                if !nerves.contains_key(f.as_str()) {
                    return Err(bad("nerve", &n.id, format!("feeds unknown nerve `{f}`")));
                }
            }
            if n.roots.is_empty() {
                return Err(bad("nerve", &n.id, "no roots".into()));
            }
        }
        for m in &self.muscles {
            if !ids.insert(format!("muscle:{}", m.id)) {
                return Err(bad("muscle", &m.id, "duplicate id".into()));
            }
            let Some(n) = nerves.get(m.nerve.as_str()) else {
                return Err(bad("muscle", &m.id, format!("unknown nerve `{}`", m.nerve)));
            };
            if m.position_mm < n.from_mm {
                return Err(bad(
                    "muscle",
                    &m.id,
                    format!(
                        "entry point {} mm lies proximal to where its nerve starts ({} mm)",
                        m.position_mm, n.from_mm
                    ),
                ));
            }
            if m.roots.is_empty() || m.roots.iter().any(|r| !n.roots.contains(r)) {
                return Err(bad(
                    "muscle",
                    &m.id,
                    format!(
                        "roots {:?} must be a non-empty subset of the nerve's {:?}",
                        m.roots, n.roots
                    ),
                ));
            }
            if m.roots_source != "GK" && !sources.contains(m.roots_source.as_str()) {
                return Err(bad(
                    "muscle",
                    &m.id,
                    format!("roots source `{}` unknown", m.roots_source),
                ));
            }
            check_prov("muscle", &m.id, &m.provenance)?;
        }
        // Branching order: within a nerve, entry points must not decrease in file order.
        let mut last: BTreeMap<&str, f64> = BTreeMap::new();
        for m in &self.muscles {
            if let Some(prev) = last.get(m.nerve.as_str())
                && m.position_mm < *prev
            {
                {
                    return Err(bad(
                        "muscle",
                        &m.id,
                        format!(
                            "listed after a muscle at {prev} mm but enters at {} mm: the file must follow the branching order",
                            m.position_mm
                        ),
                    ));
                }
            }
            last.insert(m.nerve.as_str(), m.position_mm);
        }
        let counts = twin::nerve_counts::NerveCounts::human()
            .map_err(|e| AtlasError::Parse(format!("nerve axon counts: {e}")))?;
        for t in &self.transfers {
            check_prov("transfer", &t.id, &t.provenance)?;
            if t.donor_nerve.is_some() != t.recipient_nerve.is_some() {
                return Err(bad(
                    "transfer",
                    &t.id,
                    "donor_nerve and recipient_nerve must be given together".into(),
                ));
            }
            let pairs = t.donor_nerve.iter().chain(t.recipient_nerve.iter()).chain(
                t.per_target_nerves
                    .values()
                    .flat_map(|p| [&p.donor, &p.recipient]),
            );
            for id in pairs {
                if counts.get(id).is_none() {
                    return Err(bad(
                        "transfer",
                        &t.id,
                        format!(
                            "nerve `{id}` is not in data/params/nerve-axon-counts.toml; expected one of: {}",
                            counts.ids().collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
            if let Some(m) = t.per_target_nerves.keys().find(|m| !t.targets.contains(m)) {
                return Err(bad(
                    "transfer",
                    &t.id,
                    format!("per_target_nerves names `{m}`, which is not a target"),
                ));
            }
            if !nerves.contains_key(t.target_nerve.as_str()) {
                return Err(bad(
                    "transfer",
                    &t.id,
                    format!("unknown nerve `{}`", t.target_nerve),
                ));
            }
            for target in &t.targets {
                let Some(m) = self.muscle(target) else {
                    return Err(bad("transfer", &t.id, format!("unknown target `{target}`")));
                };
                if m.nerve != t.target_nerve || m.position_mm <= t.coaptation_for(target) {
                    return Err(bad(
                        "transfer",
                        &t.id,
                        format!(
                            "target `{target}` must be a muscle of {} distal to the coaptation",
                            t.target_nerve
                        ),
                    ));
                }
            }
        }
        let s = &self.scaling;
        for v in [
            s.male_stature_m,
            s.female_stature_m,
            s.male_segments_m.upper_limb,
            s.male_segments_m.lower_limb,
            s.female_segments_m.upper_limb,
            s.female_segments_m.lower_limb,
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(
                    "scaling",
                    "scaling",
                    format!("length {v} must be positive"),
                ));
            }
        }
        if !(0.0..1.0).contains(&self.default_distance_cv) {
            return Err(bad(
                "uncertainty",
                "default_distance_cv",
                "must be in [0, 1)".into(),
            ));
        }
        Ok(())
    }

    /// Ids of every nerve, in atlas order.
    pub fn nerve_ids(&self) -> Vec<&str> {
        self.nerves.iter().map(|n| n.id.as_str()).collect()
    }

    /// A nerve by id.
    pub fn nerve(&self, id: &str) -> Option<&Nerve> {
        self.nerves.iter().find(|n| n.id == id)
    }

    /// A site by id.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// A muscle by id.
    pub fn muscle(&self, id: &str) -> Option<&Muscle> {
        self.muscles.iter().find(|m| m.id == id)
    }

    /// A frame by id.
    pub fn frame(&self, id: &str) -> Option<&Frame> {
        self.frames.iter().find(|f| f.id == id)
    }

    /// The muscles of a nerve, in branching order (for a plexus element or a trunk, all muscles it
    /// feeds, with their own nerve's muscles first).
    pub fn muscles_of(&self, nerve: &str) -> Vec<&Muscle> {
        let Some(n) = self.nerve(nerve) else {
            return Vec::new();
        };
        let mut fed: Vec<&str> = vec![n.id.as_str()];
        fed.extend(n.feeds.iter().map(String::as_str));
        let mut out: Vec<&Muscle> = Vec::new();
        for id in fed {
            out.extend(self.muscles.iter().filter(|m| m.nerve == id));
        }
        out
    }

    /// Scale factor from the reference adult to a patient: patient limb length over the
    /// reference limb length (mean of the male and female 50th percentiles). Unknown height gives
    /// 1; unknown sex uses the mean of the two sexes' limb-to-stature fractions.
    pub fn scale_factor(&self, frame: &str, height_cm: Option<f64>, sex: Option<Sex>) -> f64 {
        let Some(h) = height_cm else { return 1.0 };
        let s = &self.scaling;
        let lower = self
            .frame(frame)
            .map(|f| f.limb == "lower_limb")
            .unwrap_or(false);
        let pick = |seg: &Segments| {
            if lower {
                seg.lower_limb
            } else {
                seg.upper_limb
            }
        };
        let male_frac = pick(&s.male_segments_m) / s.male_stature_m;
        let female_frac = pick(&s.female_segments_m) / s.female_stature_m;
        let frac = match sex {
            Some(Sex::Male) => male_frac,
            Some(Sex::Female) => female_frac,
            None => 0.5 * (male_frac + female_frac),
        };
        let reference = 0.5 * (pick(&s.male_segments_m) + pick(&s.female_segments_m));
        (h / 100.0) * frac / reference
    }

    /// The muscles affected by an injury of `nerve` at `site`, with their distances scaled to the
    /// patient. Muscles whose entry point lies at or proximal to the site are not affected.
    pub fn affected(
        &self,
        nerve: &str,
        site: &str,
        height_cm: Option<f64>,
        sex: Option<Sex>,
    ) -> Result<Vec<AffectedMuscle>, AtlasError> {
        let n = self.nerve(nerve).ok_or_else(|| {
            let ids = self.nerve_ids();
            AtlasError::UnknownNerve {
                value: twin::limits::echo(nerve),
                expected: format!(
                    "{}{}",
                    ids.join(", "),
                    twin::limits::did_you_mean(&twin::limits::close_names(
                        nerve,
                        &ids,
                        NERVE_SYNONYMS
                    ))
                ),
            }
        })?;
        let s = self.site(site).ok_or_else(|| {
            let sites = self.sites_for(nerve);
            let ids: Vec<&str> = sites.iter().map(String::as_str).collect();
            AtlasError::UnknownSite {
                value: twin::limits::echo(site),
                expected: format!(
                    "{}{}",
                    ids.join(", "),
                    twin::limits::did_you_mean(&twin::limits::close_names(site, &ids, &[]))
                ),
            }
        })?;
        if s.frame != n.frame || s.position_mm < n.from_mm {
            return Err(AtlasError::SiteNotOnNerve {
                site: site.to_string(),
                nerve: nerve.to_string(),
                expected: self.sites_for(nerve).join(", "),
            });
        }
        let scale = self.scale_factor(&n.frame, height_cm, sex);
        let mut out = Vec::new();
        for m in self.muscles_of(nerve) {
            if m.position_mm <= s.position_mm {
                continue;
            }
            let through = m.roots.iter().filter(|r| n.roots.contains(r)).count();
            if through == 0 {
                continue;
            }
            let share = through as f64 / m.roots.len() as f64;
            let d = (m.position_mm - s.position_mm) * scale;
            let sd = m
                .sd_mm
                .map(|x| x * scale)
                .unwrap_or(0.0)
                .max(self.default_distance_cv * d);
            out.push(AffectedMuscle {
                muscle: m.id.clone(),
                nerve: m.nerve.clone(),
                distance_mm: d,
                distance_sd_mm: sd,
                axon_share: share,
                provenance: m.provenance.tag(),
            });
        }
        Ok(out)
    }

    /// Site ids that lie on a nerve (in its frame, at or distal to its start, proximal to its
    /// last muscle).
    pub fn sites_for(&self, nerve: &str) -> Vec<String> {
        let Some(n) = self.nerve(nerve) else {
            return Vec::new();
        };
        let last = self
            .muscles_of(nerve)
            .iter()
            .map(|m| m.position_mm)
            .fold(f64::NEG_INFINITY, f64::max);
        self.sites
            .iter()
            .filter(|s| s.frame == n.frame && s.position_mm >= n.from_mm && s.position_mm < last)
            .map(|s| s.id.clone())
            .collect()
    }

    /// Distal transfers whose targets include muscles of `nerve` and whose coaptation lies distal
    /// to `site_position_mm` (a transfer must bypass the injury).
    pub fn transfers_for(&self, nerve: &str, site_position_mm: f64) -> Vec<&Transfer> {
        let fed: BTreeSet<&str> = match self.nerve(nerve) {
            Some(n) => std::iter::once(n.id.as_str())
                .chain(n.feeds.iter().map(String::as_str))
                .collect(),
            None => BTreeSet::new(),
        };
        self.transfers
            .iter()
            .filter(|t| fed.contains(t.target_nerve.as_str()))
            .filter(|t| {
                t.targets
                    .iter()
                    .all(|m| t.coaptation_for(m) > site_position_mm)
            })
            .collect()
    }

    /// Citation for a source id.
    pub fn citation(&self, id: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.citation.as_str())
    }
}

/// Other names a clinician may write for an atlas nerve: older or alternative nomenclature
/// (Terminologia Anatomica 1998 renamed the peroneal nerves fibular), not numbers.
pub const NERVE_SYNONYMS: &[(&str, &str)] = &[
    ("peroneal", "common_fibular"),
    ("common_peroneal", "common_fibular"),
    ("fibular", "common_fibular"),
    ("lateral_popliteal", "common_fibular"),
    ("medial_popliteal", "tibial"),
    ("circumflex", "axillary"),
    ("musculospiral", "radial"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_atlas_loads_and_validates() {
        let a = Atlas::human().unwrap();
        for nerve in [
            "upper_trunk",
            "lateral_cord",
            "posterior_cord",
            "medial_cord",
            "musculocutaneous",
            "axillary",
            "radial",
            "median",
            "ulnar",
            "femoral",
            "sciatic",
            "common_fibular",
            "tibial",
        ] {
            assert!(!a.muscles_of(nerve).is_empty(), "{nerve} has no muscles");
        }
    }

    #[test]
    fn radial_mid_humerus_spares_triceps_and_orders_by_distance() {
        let a = Atlas::human().unwrap();
        let m = a.affected("radial", "mid_humerus", None, None).unwrap();
        assert!(m.iter().all(|x| x.muscle != "triceps_brachii"));
        let br = m.iter().find(|x| x.muscle == "brachioradialis").unwrap();
        let eip = m.iter().find(|x| x.muscle == "extensor_indicis").unwrap();
        assert!((br.distance_mm - 152.0).abs() < 1.0);
        assert!((eip.distance_mm - 355.0).abs() < 1.0);
        for w in m.windows(2) {
            assert!(w[0].distance_mm <= w[1].distance_mm);
        }
    }

    #[test]
    fn taller_patients_have_longer_distances() {
        let a = Atlas::human().unwrap();
        let short = a
            .affected("ulnar", "elbow", Some(155.0), Some(Sex::Female))
            .unwrap();
        let tall = a
            .affected("ulnar", "elbow", Some(190.0), Some(Sex::Male))
            .unwrap();
        let fdi = |v: &[AffectedMuscle]| {
            v.iter()
                .find(|x| x.muscle == "first_dorsal_interosseous")
                .unwrap()
                .distance_mm
        };
        assert!(fdi(&tall) > fdi(&short) * 1.15);
    }

    #[test]
    fn plexus_share_follows_roots() {
        let a = Atlas::human().unwrap();
        let m = a
            .affected("upper_trunk", "supraclavicular", None, None)
            .unwrap();
        let share = |id: &str| m.iter().find(|x| x.muscle == id).map(|x| x.axon_share);
        assert_eq!(share("deltoid"), Some(1.0));
        assert_eq!(share("biceps_brachii"), Some(1.0));
        assert!((share("triceps_brachii").unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(share("first_dorsal_interosseous"), None);
    }

    #[test]
    fn site_not_on_nerve_is_an_error_that_names_the_alternatives() {
        let a = Atlas::human().unwrap();
        let e = a
            .affected("radial", "supraclavicular", None, None)
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("supraclavicular") && msg.contains("mid_humerus"),
            "{msg}"
        );
        assert!(a.affected("radial", "knee", None, None).is_err());
        assert!(a.affected("radius", "elbow", None, None).is_err());
    }

    #[test]
    fn unsourced_number_is_rejected() {
        let bad = HUMAN_ATLAS_TOML.replacen(
            "source = \"A1\"\nnote = \"First biceps",
            "note = \"First biceps",
            1,
        );
        assert_ne!(bad, HUMAN_ATLAS_TOML);
        assert!(Atlas::from_toml(&bad).is_err());
    }

    #[test]
    fn transfers_bypass_the_injury() {
        let a = Atlas::human().unwrap();
        let at_arm = a.transfers_for("radial", 155.0);
        assert!(at_arm.iter().any(|t| t.id == "median_to_radial"));
        let at_wrist = a.transfers_for("ulnar", 626.0);
        assert!(at_wrist.is_empty());
        assert!(
            a.transfers_for("ulnar", 310.0)
                .iter()
                .any(|t| t.id == "ain_to_ulnar_motor")
        );
    }
}
