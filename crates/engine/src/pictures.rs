//! The pictures of a run, as values: the cross-section (every stain), the needle EMG at rest and
//! at a weak effort, the CMAPs and the time strip of the same field on several days — SVG text,
//! PNG and WAV bytes on request, and the numbers behind them (EMG samples, CMAP waveforms, the
//! fibre table of the day) — for a caller to write, serve or turn into arrays. Nothing here
//! writes a file.
//!
//! [`crate::Engine::pictures`] runs a case's own seed at fibre resolution (the run `simulate` and
//! `snapshot` make, so the readings are the same) to the days asked for: `views` makes the
//! pictures' data, `render` draws them. [`crate::Engine::band_courses`] gives the further seeds
//! of the report's uncertainty bands. The drawing helpers the interfaces compose themselves (band
//! plots, the reliability diagram, XML escaping) are re-exported from `render`, so that no
//! interface depends on a drawing crate directly.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use render::cross_section::{CrossSectionOptions, TimeStrip, cross_section_svg};
use render::plot::{cmap_svg, emg_trace_svg};
use views::Reference;
use views::needle::spontaneous_near;
use views::needle_signal::{FibreGrid, NeedleSite, synthesize};
use views::reference::Views;
use views::state::MuscleState;

pub use render::cross_section::escape;
pub use render::raster::fontdb;
pub use render::{RenderError, plot, reliability};
pub use views::ViewError;
pub use views::state::{FibreState, FibreType};
pub use views::summary::DayViews;

use crate::{Control, Engine, EngineError, readout, twin};

/// Duration of each synthetic EMG record, ms.
pub const EMG_MS: f64 = 2000.0;
/// Part of the record drawn in the EMG plots, ms (a 200 ms sweep).
pub const EMG_PLOT_MS: f64 = 200.0;
/// Full scale of the WAV recordings, µV, unless the record is larger (then the next 1–2–5 step
/// above its peak, [`views::needle_signal::wav_full_scale_uv`], so that nothing clips).
pub const WAV_FULL_SCALE_UV: f64 = 2000.0;
/// Stains of the time strips (ids in `data/views/stains.toml`).
pub const STRIP_STAINS: [&str; 2] = ["atpase94", "he"];

/// The fonts text is drawn with when a picture becomes a PNG (the caller chooses; the engine
/// embeds none).
#[derive(Clone, Debug)]
pub struct Fonts(Arc<fontdb::Database>);

impl Fonts {
    /// The fonts installed on this machine (reads the system font directories), with the generic
    /// families pointed at fonts that are present. Empty if none are found: shapes still draw.
    pub fn system() -> Fonts {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        render::raster::use_available_generic_families(&mut db);
        Fonts(Arc::new(db))
    }

    /// No fonts: shapes draw, text is left out.
    pub fn none() -> Fonts {
        Fonts(Arc::new(fontdb::Database::new()))
    }
}

/// An SVG document rasterised at its own pixel size: PNG bytes.
pub fn png(svg: &str, fonts: &Fonts) -> Result<Vec<u8>, EngineError> {
    Ok(render::raster::svg_to_png(svg, Some(fonts.0.clone()), 1.0)?.0)
}

/// One drawn picture.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Picture {
    /// What it shows, as a file-name stem (`cross_section`, `cross_section_he`, `cmap`,
    /// `time_strip_atpase94` …).
    pub name: String,
    /// What it shows, in words (a caption: the stain's label for a cross-section).
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

impl Picture {
    /// The picture as PNG bytes.
    pub fn png(&self, fonts: &Fonts) -> Result<Vec<u8>, EngineError> {
        png(&self.svg, fonts)
    }
}

/// A synthetic concentric-needle EMG record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmgTrace {
    /// The record's description (what fires).
    pub label: String,
    /// Sampling rate, Hz.
    pub sample_rate_hz: f64,
    /// The samples, µV (physical sign), [`EMG_MS`] long.
    pub samples_uv: Vec<f64>,
    /// The first [`EMG_PLOT_MS`] drawn.
    pub picture: Picture,
}

impl EmgTrace {
    /// The record as 16-bit mono WAV, full scale [`WAV_FULL_SCALE_UV`] or, for a larger record,
    /// the next 1–2–5 step above its peak (never clipped).
    pub fn wav(&self) -> Vec<u8> {
        let fs = views::needle_signal::wav_full_scale_uv(&self.samples_uv, WAV_FULL_SCALE_UV);
        views::needle_signal::wav_bytes(&self.samples_uv, self.sample_rate_hz, fs)
    }

    /// The record as CSV (`time_ms,microvolts`, with a comment line).
    pub fn csv(&self) -> String {
        use std::fmt::Write as _;
        let fs = self.sample_rate_hz;
        let mut s = format!(
            "# synthetic concentric-needle EMG, sampling rate {fs} Hz, microvolts (physical sign)\ntime_ms,microvolts\n"
        );
        for (i, v) in self.samples_uv.iter().enumerate() {
            let _ = writeln!(s, "{:.3},{:.2}", i as f64 * 1000.0 / fs, v);
        }
        s
    }
}

/// The compound muscle action potentials of the day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cmaps {
    /// Sampling interval of the waveforms, ms.
    pub dt_ms: f64,
    /// Stimulation distal to the lesion, mV.
    pub distal_mv: Vec<f64>,
    /// Stimulation proximal to the lesion, mV.
    pub proximal_mv: Vec<f64>,
    /// The two waveforms drawn (up to 10 ms past the last response, at least 30 ms).
    pub picture: Picture,
}

impl Cmaps {
    /// The two waveforms as CSV (`time_ms,distal_mv,proximal_mv`, with a comment line).
    pub fn csv(&self) -> String {
        use std::fmt::Write as _;
        let mut s = format!(
            "# compound muscle action potentials, sampling interval {} ms, millivolts\ntime_ms,distal_mv,proximal_mv\n",
            self.dt_ms
        );
        let n = self.distal_mv.len().max(self.proximal_mv.len());
        let at = |v: &[f64], i: usize| v.get(i).map_or(String::new(), |x| format!("{x:.5}"));
        for i in 0..n {
            let _ = writeln!(
                s,
                "{:.3},{},{}",
                i as f64 * self.dt_ms,
                at(&self.distal_mv, i),
                at(&self.proximal_mv, i)
            );
        }
        s
    }
}

/// Days a run is pictured on by default (the report's picture days): before the injury, 3 weeks,
/// 3, 6, 12 and 24 months after it, and the horizon — those within the horizon.
pub fn picture_days(scenario: &twin::Scenario) -> Vec<u32> {
    let injury = scenario.injury.as_ref().map_or(0.0, |i| i.day.0) as u32;
    let mut d: Vec<u32> = [0, 21, 90, 180, 365, 730]
        .into_iter()
        .map(|x| if x == 0 { 0 } else { injury + x })
        .filter(|&x| x <= scenario.horizon_days)
        .collect();
    d.push(scenario.horizon_days);
    d.sort_unstable();
    d.dedup();
    d
}

/// The twin's fibres on the day, one entry per fibre in every column.
#[derive(Debug, Clone, Serialize)]
pub struct Fibres {
    /// Centre x, µm.
    pub x_um: Vec<f64>,
    /// Centre y, µm.
    pub y_um: Vec<f64>,
    /// Cross-sectional area, µm².
    pub csa_um2: Vec<f64>,
    /// Fibre type (I, IIa, IIx).
    pub fibre_type: Vec<FibreType>,
    /// Innervation state.
    pub state: Vec<FibreState>,
    /// Owning motor unit (none when the fibre has none).
    pub unit: Vec<Option<u32>>,
}

impl Fibres {
    fn of(state: &MuscleState<'_>) -> Fibres {
        let f = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect();
        Fibres {
            x_um: f(state.fibre_x_um),
            y_um: f(state.fibre_y_um),
            csa_um2: f(state.fibre_csa_um2),
            fibre_type: state.fibre_type.to_vec(),
            state: state.fibre_state.to_vec(),
            unit: state
                .fibre_unit
                .iter()
                .map(|&u| (u != views::state::NO_UNIT).then_some(u))
                .collect(),
        }
    }
}

/// One day's readings and pictures.
#[derive(Debug, Clone, Serialize)]
pub struct DayPictures {
    /// The day.
    pub day: u32,
    /// The clinical readout of the day (the same reading `simulate` gives).
    pub readout: readout::Readout,
    /// The pictures' data of the day (MUP measurements, grouping, conduction).
    pub views: DayViews,
    /// Cross-section in the first stain of `data/views/stains.toml` (ATPase pH 9.4).
    pub cross_section: Picture,
    /// The same field in the other stains (`cross_section_<stain id>`).
    pub stains: Vec<Picture>,
    /// Needle EMG at rest.
    pub emg_rest: EmgTrace,
    /// Needle EMG at a weak voluntary effort.
    pub emg_effort: EmgTrace,
    /// The CMAPs.
    pub cmap: Cmaps,
    /// The fibre table of the day.
    pub fibres: Fibres,
}

impl DayPictures {
    /// Every picture of the day, in the order the CLI writes them: cross-section, EMG at rest, EMG
    /// at effort, CMAP, then the other stains.
    pub fn all(&self) -> Vec<&Picture> {
        let mut v = vec![
            &self.cross_section,
            &self.emg_rest.picture,
            &self.emg_effort.picture,
            &self.cmap.picture,
        ];
        v.extend(&self.stains);
        v
    }
}

/// The pictures of a run: the days asked for and the time strips.
#[derive(Debug, Clone, Serialize)]
pub struct PictureRun {
    /// The muscle pictured.
    pub muscle: String,
    /// The seed of the run.
    pub seed: u64,
    /// The pictures of each picture day, in day order.
    pub days: Vec<DayPictures>,
    /// The time strips (`time_strip_<stain>`, stains [`STRIP_STAINS`]), empty without strip days.
    pub strips: Vec<Picture>,
    /// The event days of the run up to the last day run.
    pub events: twin::Events,
}

/// The needle site: the reference site nearest the centre of the muscle.
fn centre_site(state: &MuscleState<'_>, reference: &Reference) -> Result<NeedleSite, EngineError> {
    let n = state.n_fibres() as f32;
    if n == 0.0 {
        return Err(no_fibres());
    }
    let cx = state.fibre_x_um.iter().sum::<f32>() / n;
    let cy = state.fibre_y_um.iter().sum::<f32>() / n;
    Ok(reference
        .sites
        .iter()
        .copied()
        .min_by(|a, b| {
            let da = (a.x_um - cx).powi(2) + (a.y_um - cy).powi(2);
            let db = (b.x_um - cx).powi(2) + (b.y_um - cy).powi(2);
            da.total_cmp(&db)
        })
        .unwrap_or(NeedleSite { x_um: cx, y_um: cy }))
}

fn no_fibres() -> EngineError {
    EngineError::NotApplicable {
        operation: "pictures",
        reason: "the muscle has no fibres".into(),
    }
}

/// The pictures of one day; `reading` is the day's clinical readout (the CMAPs are drawn at its
/// amplitudes, the effort trace recruits its units at its firing rate).
fn day_pictures(
    views: &Views,
    reference: &Reference,
    state: &MuscleState<'_>,
    reading: readout::Readout,
    day: u32,
) -> Result<DayPictures, EngineError> {
    let dv = views::summary::day_views(views, state, reference, &reading.cmap)?;
    let p = &views.params;
    let site = centre_site(state, reference)?;
    let all_stains = views::params::stains()?;
    let opts = CrossSectionOptions {
        centre_um: Some((site.x_um, site.y_um)),
        title: format!("{} — day {:.0}", state.muscle.replace('_', " "), state.day),
        healthy_csa_um2: Some(reference.mean_fibre_csa as f32),
        stain: all_stains.first().cloned(),
        ..CrossSectionOptions::with_params(p)
    };
    let day_words = format!("{}, day {:.0}", state.muscle.replace('_', " "), state.day);
    let section_title = |stain: Option<&views::params::Stain>| {
        format!(
            "Cross-section of {day_words}, {}",
            stain.map_or("unstained", |s| s.label.as_str())
        )
    };
    let cross_section = Picture {
        name: "cross_section".into(),
        title: section_title(all_stains.first()),
        svg: cross_section_svg(state, &opts)?,
    };
    let mut stains = Vec::new();
    for st in all_stains.iter().skip(1) {
        let o = CrossSectionOptions {
            stain: Some(st.clone()),
            ..opts.clone()
        };
        stains.push(Picture {
            name: format!("cross_section_{}", st.id),
            title: section_title(Some(st)),
            svg: cross_section_svg(state, &o)?,
        });
    }
    let grid = FibreGrid::new(state.fibre_x_um, state.fibre_y_um, 100.0);
    let gain = reference.mup_gain(p);
    let spont = spontaneous_near(p, state, &grid, site, p.needle.rest_radius_um.value as f32);
    let seed = 0xE3 ^ (state.day as u64);
    let rest = synthesize(
        gain,
        state,
        &grid,
        &views.line,
        p,
        site,
        &spont,
        0,
        10.0,
        EMG_MS,
        seed,
    );
    let recruitment = &reading.needle.recruitment;
    let units = (recruitment.units.round() as usize).min(3);
    let effort = synthesize(
        gain,
        state,
        &grid,
        &views.line,
        p,
        site,
        &[],
        units,
        recruitment.firing_rate_hz.max(1.0),
        EMG_MS,
        seed + 1,
    );
    let d = state.day;
    let shown = ((EMG_PLOT_MS * rest.sample_rate_hz / 1000.0) as usize).min(rest.samples.len());
    let emg_rest_svg = emg_trace_svg(
        &rest.samples[..shown],
        rest.sample_rate_hz,
        &format!("Needle EMG at rest, day {d:.0}: {}", rest.label),
        (900, 280),
    )?;
    let effort_label = if units == 0 {
        "no motor unit can be recruited".to_string()
    } else {
        effort.label.clone()
    };
    let emg_effort_svg = emg_trace_svg(
        &effort.samples[..shown.min(effort.samples.len())],
        effort.sample_rate_hz,
        &format!("Weak voluntary effort, day {d:.0}: {effort_label}"),
        (900, 280),
    )?;
    let mv = p.ncs_for(state.muscle).cmap_mv.mean;
    let c = &dv.conduction;
    let dt = views::conduction::CMAP_DT_MS;
    // Show the CMAP record up to 10 ms past the last response (at least 30 ms).
    let last = c
        .distal
        .waveform
        .iter()
        .rposition(|v| v.abs() > 1e-4)
        .max(c.proximal.waveform.iter().rposition(|v| v.abs() > 1e-4))
        .unwrap_or(0);
    let keep = ((last as f64 * dt + 10.0).max(30.0) / dt) as usize;
    let distal = &c.distal.waveform[..keep.min(c.distal.waveform.len())];
    let proximal = &c.proximal.waveform[..keep.min(c.proximal.waveform.len())];
    let cmap_picture = cmap_svg(
        &[
            ("distal stimulation", distal),
            ("proximal to the lesion", proximal),
        ],
        dt,
        mv,
        &format!("CMAP, day {d:.0}"),
        (600, 300),
    )?;
    let cmap = Cmaps {
        dt_ms: dt,
        distal_mv: c.distal.waveform.clone(),
        proximal_mv: c.proximal.waveform.clone(),
        picture: Picture {
            name: "cmap".into(),
            title: format!("CMAP of {day_words}, distal and proximal stimulation"),
            svg: cmap_picture,
        },
    };
    Ok(DayPictures {
        day,
        readout: reading,
        views: dv,
        cross_section,
        stains,
        emg_rest: EmgTrace {
            label: rest.label,
            sample_rate_hz: rest.sample_rate_hz,
            samples_uv: rest.samples,
            picture: Picture {
                name: "emg_rest".into(),
                title: format!("Needle EMG at rest, {day_words}"),
                svg: emg_rest_svg,
            },
        },
        emg_effort: EmgTrace {
            label: effort_label,
            sample_rate_hz: effort.sample_rate_hz,
            samples_uv: effort.samples,
            picture: Picture {
                name: "emg_effort".into(),
                title: format!("Needle EMG at a weak voluntary effort, {day_words}"),
                svg: emg_effort_svg,
            },
        },
        cmap,
        fibres: Fibres::of(state),
    })
}

/// Empty time strips (one per stain of [`STRIP_STAINS`]) of `panels` panels: a 360 × 360 µm field
/// around the needle site of the day pictures.
fn time_strips(
    views: &Views,
    reference: &Reference,
    state: &MuscleState<'_>,
    panels: usize,
) -> Result<Vec<(String, String, TimeStrip)>, EngineError> {
    let site = centre_site(state, reference)?;
    let all = views::params::stains()?;
    let mut out = Vec::new();
    for id in STRIP_STAINS {
        let stain = all
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| EngineError::NotApplicable {
                operation: "pictures",
                reason: format!("stain `{id}` is missing from data/views/stains.toml"),
            })?;
        let opts = CrossSectionOptions {
            centre_um: Some((site.x_um, site.y_um)),
            width_um: 360.0,
            height_um: 360.0,
            px_per_um: 0.8,
            title: format!(
                "{}: the same field over time",
                state.muscle.replace('_', " ")
            ),
            healthy_csa_um2: Some(reference.mean_fibre_csa as f32),
            stain: Some(stain.clone()),
            ..CrossSectionOptions::with_params(&views.params)
        };
        out.push((
            id.to_string(),
            stain.label.clone(),
            TimeStrip::new(&opts, panels),
        ));
    }
    Ok(out)
}

impl Engine {
    /// Runs `scenario` at fibre resolution with its own seed (the run `simulate` makes by default)
    /// and pictures it: the readings and pictures of each of `days`, and the time strips of the
    /// same field on `strip_days` (none if empty). Day 0 is before the injury.
    pub fn pictures(
        &self,
        scenario: &twin::Scenario,
        days: &[u32],
        strip_days: &[u32],
        control: &Control,
    ) -> Result<PictureRun, EngineError> {
        let mut sdays = strip_days.to_vec();
        sdays.sort_unstable();
        sdays.dedup();
        let mut all: Vec<u32> = days.iter().chain(&sdays).copied().collect();
        all.sort_unstable();
        all.dedup();
        let mut sim = self.snapshot_run(scenario, &all, control)?;
        let views = Views::embedded()?;
        let s0 = views::adapter::from_simulation(&sim, &scenario.muscle)?;
        let reference = Reference::from_state(&views, &s0.view())?;
        let mut strips: Vec<(String, String, TimeStrip)> = Vec::new();
        let mut out = Vec::new();
        for d in all {
            advance(&mut sim, d, control)?;
            let s = views::adapter::from_simulation(&sim, &scenario.muscle)?;
            if sdays.contains(&d) {
                if strips.is_empty() {
                    strips = time_strips(&views, &reference, &s.view(), sdays.len())?;
                }
                for (_, _, strip) in &mut strips {
                    strip.add(&s.view(), &format!("day {d}"))?;
                }
            }
            if days.contains(&d) {
                let reading = read(scenario, &sim)?;
                out.push(day_pictures(&views, &reference, &s.view(), reading, d)?);
            }
        }
        Ok(PictureRun {
            muscle: scenario.muscle.clone(),
            seed: scenario.seed,
            days: out,
            strips: strips
                .into_iter()
                .map(|(id, label, strip)| Picture {
                    name: format!("time_strip_{id}"),
                    title: format!(
                        "{}: the same field over time, {label}",
                        scenario.muscle.replace('_', " ")
                    ),
                    svg: strip.finish(),
                })
                .collect(),
            events: sim.events(),
        })
    }

    /// The clinical readout of `scenario` on each of `days`, in day order (duplicates read once):
    /// the readings [`Engine::pictures`] gives for those days — the same run (the case's own
    /// seed at fibre resolution), stepped and read the same way — without drawing anything. For
    /// many days at once (the agreement test reads every day of a run).
    pub fn readouts(
        &self,
        scenario: &twin::Scenario,
        days: &[u32],
        control: &Control,
    ) -> Result<Vec<readout::Readout>, EngineError> {
        let mut all = days.to_vec();
        all.sort_unstable();
        all.dedup();
        let mut sim = self.snapshot_run(scenario, &all, control)?;
        let mut out = Vec::with_capacity(all.len());
        for d in all {
            advance(&mut sim, d, control)?;
            out.push(read(scenario, &sim)?);
        }
        Ok(out)
    }

    /// The run a snapshot reads and pictures: `scenario` at fibre resolution with its own seed,
    /// on day 0, after checking every day of `days` (sorted) against the day limit and telling
    /// `control` how many days will be stepped.
    fn snapshot_run(
        &self,
        scenario: &twin::Scenario,
        days: &[u32],
        control: &Control,
    ) -> Result<twin::Simulation, EngineError> {
        let limits = twin::limits::Limits::default();
        for &d in days {
            limits.day("day", f64::from(d))?;
        }
        let params = self.parameters(scenario.species)?;
        let sim = twin::Simulation::new(scenario, params, twin::Resolution::Fibre)?;
        control.add_total(u64::from(days.last().copied().unwrap_or(0)));
        Ok(sim)
    }

    /// The daily time courses of `scenario` under `seeds` further seeds (draw `k` seeded from the
    /// case seed and `k`, [`twin::cohort::draw_seed`]) at pooled resolution: the spread of the
    /// course around the case's own run, for uncertainty bands.
    pub fn band_courses(
        &self,
        scenario: &twin::Scenario,
        seeds: u64,
        control: &Control,
    ) -> Result<Vec<twin::TimeCourse>, EngineError> {
        let params = self.parameters(scenario.species)?;
        let mut courses = Vec::new();
        for k in 0..seeds {
            control.check()?;
            let mut s = scenario.clone();
            s.seed = twin::cohort::draw_seed(scenario.seed, k as usize);
            let sim = twin::Simulation::new(&s, params, twin::Resolution::Pooled)?;
            courses.push(sim.run(scenario.horizon_days));
        }
        Ok(courses)
    }
}

/// Steps `sim` day by day to `day` (no step when it is there already), reporting each day to
/// `control` and checking for cancellation.
fn advance(sim: &mut twin::Simulation, day: u32, control: &Control) -> Result<(), EngineError> {
    // In stretches of at most 30 days, checking for a cancel between them (`step_to`: the state
    // of stepping every day, with the unread days unsummed and quiet stretches advanced together).
    while sim.day() < day {
        let from = sim.day();
        sim.step_to(day.min((from / 30 + 1) * 30));
        control.advance(u64::from(sim.day() - from));
        control.check()?;
    }
    control.check()?;
    Ok(())
}

/// The clinical readout of `sim`'s current day (the one reading of `readout`).
fn read(
    scenario: &twin::Scenario,
    sim: &twin::Simulation,
) -> Result<readout::Readout, EngineError> {
    let constants = readout::Constants::embedded()?;
    Ok(readout::read(
        constants,
        &scenario.muscle,
        &sim.quantities(),
    ))
}

/// The views' constants of the report (the reinnervation window and its source): read from the
/// embedded data files alone, without tabulating the volume conductor a [`Views`] builds.
pub fn report_constants() -> Result<views::params::ReportParams, EngineError> {
    Ok(views::Params::embedded()?.report)
}
