//! Synthetic concentric-needle EMG: what a needle at a chosen spot would record.
//!
//! The needle core is treated as a point electrode at a position in the cross-section, a fixed
//! axial distance from the end-plate zone (`data/views/volume_conductor.toml`). A motor-unit
//! potential (MUP) is the sum of the single-fibre potentials ([`crate::line_source`]) of the unit's
//! driven fibres within the pickup radius; each fibre's action potential starts at its own end
//! plate (scattered along the fibre) after its own terminal-branch delay (scattered more widely in
//! nascent units, whose terminals are immature) and travels at its own diameter-dependent velocity.
//! So large, sprouted units near the needle give large, long potentials; nascent units made of
//! small reinnervating fibres give small, long, polyphasic ones. In a trace every discharge is
//! redrawn ([`Mup::discharge`]): each fibre's end plate fires with the unit's neuromuscular
//! jitter, and a nascent unit's fibres are blocked on a share of discharges ([`Instability`]), so
//! nascent units are unstable and mature ones nearly identical from one discharge to the next.
//!
//! At rest, denervated viable fibres near the needle fire spontaneously once fibrillation has
//! begun (see [`crate::needle`]): as fibrillation potentials (their own SFAP, scaled to the
//! amplitude for the time since denervation, Kraft 1990) or, for a share of them, as positive sharp
//! waves (a sharp positive deflection followed by a slow return to baseline; the shape is a named
//! assumption in `data/views/electrodiagnosis.toml`, standing for a fibre whose action potential is
//! blocked at the injured needle tip).
//!
//! Samples are in µV at `sample_rate_hz` (20 kHz by default) with the clinical sign convention
//! *not* applied: the physical potential is returned; plots draw negativity upward.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::line_source::LineSource;
use crate::params::Params;
use crate::state::{MuscleState, NO_UNIT};

/// A uniform grid over fibre centres for radius queries.
#[derive(Debug, Clone)]
pub struct FibreGrid {
    cell_um: f32,
    x0: f32,
    y0: f32,
    nx: usize,
    ny: usize,
    start: Vec<u32>,
    items: Vec<u32>,
}

impl FibreGrid {
    /// Builds the grid for the state's fibre positions.
    pub fn new(x: &[f32], y: &[f32], cell_um: f32) -> FibreGrid {
        let cell_um = cell_um.max(1.0);
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (&a, &b) in x.iter().zip(y) {
            if a.is_finite() && b.is_finite() {
                x0 = x0.min(a);
                y0 = y0.min(b);
                x1 = x1.max(a);
                y1 = y1.max(b);
            }
        }
        if x0 > x1 {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let nx = (((x1 - x0) / cell_um) as usize + 1).min(4096);
        let ny = (((y1 - y0) / cell_um) as usize + 1).min(4096);
        let cell_of = |a: f32, b: f32| -> Option<usize> {
            if !(a.is_finite() && b.is_finite()) {
                return None;
            }
            let cx = (((a - x0) / cell_um) as usize).min(nx - 1);
            let cy = (((b - y0) / cell_um) as usize).min(ny - 1);
            Some(cy * nx + cx)
        };
        let mut count = vec![0u32; nx * ny + 1];
        for (&a, &b) in x.iter().zip(y) {
            if let Some(c) = cell_of(a, b) {
                count[c + 1] += 1;
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let mut fill = count.clone();
        let mut items = vec![0u32; count[nx * ny] as usize];
        for (i, (&a, &b)) in x.iter().zip(y).enumerate() {
            if let Some(c) = cell_of(a, b) {
                items[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        FibreGrid {
            cell_um,
            x0,
            y0,
            nx,
            ny,
            start: count,
            items,
        }
    }

    /// Calls `f(i)` for every fibre whose centre may lie within `r_um` of (px, py) (a superset).
    pub fn for_near(&self, px: f32, py: f32, r_um: f32, mut f: impl FnMut(usize)) {
        let cx0 = ((px - r_um - self.x0) / self.cell_um).floor().max(0.0) as usize;
        let cy0 = ((py - r_um - self.y0) / self.cell_um).floor().max(0.0) as usize;
        let cx1 =
            (((px + r_um - self.x0) / self.cell_um).floor().max(0.0) as usize).min(self.nx - 1);
        let cy1 =
            (((py + r_um - self.y0) / self.cell_um).floor().max(0.0) as usize).min(self.ny - 1);
        if cx0 > cx1 || cy0 > cy1 {
            return;
        }
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                let c = cy * self.nx + cx;
                for &i in &self.items[self.start[c] as usize..self.start[c + 1] as usize] {
                    f(i as usize);
                }
            }
        }
    }
}

/// A deterministic per-fibre standard normal pair from a fibre index (same fibre, same draw).
fn fibre_normals(i: usize, salt: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt);
    normal_pair(&mut rng)
}

/// Diameter (µm) of a fibre of cross-sectional area `csa` µm² (circular equivalent).
pub fn diameter_um(csa: f32) -> f64 {
    circle_diameter_um(f64::from(csa.max(1.0)))
}

/// Diameter (µm) of a circle of area `area_um2` µm²: the one circular-equivalent rule of
/// [`diameter_um`] and [`healthy_diameter_um`].
fn circle_diameter_um(area_um2: f64) -> f64 {
    2.0 * (area_um2 / std::f64::consts::PI).sqrt()
}

/// Diameter (µm) of the state's healthy mean fibre, NaN when unknown.
fn healthy_diameter_um(state: &MuscleState<'_>) -> f64 {
    let a = state.healthy_fibre_csa_um2;
    if a.is_finite() && a > 0.0 {
        circle_diameter_um(a)
    } else {
        f64::NAN
    }
}

/// Conduction velocity (mm/ms) of a fibre of diameter `d_um` in the state's muscle
/// ([`LineSource::velocity`]: the measured mean for a healthy fibre, slower for an atrophic one).
pub fn fibre_velocity(line: &LineSource, state: &MuscleState<'_>, d_um: f64) -> f64 {
    line.velocity(d_um, healthy_diameter_um(state))
}

/// A needle position in the cross-section, µm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeedleSite {
    /// x, µm.
    pub x_um: f32,
    /// y, µm.
    pub y_um: f32,
}

/// One motor-unit potential recorded at a site.
#[derive(Debug, Clone)]
pub struct Mup {
    /// Unit index.
    pub unit: u32,
    /// Samples, µV.
    pub samples: Vec<f64>,
    /// Distance to the unit's nearest fibre, µm.
    pub nearest_um: f64,
    /// Whether the unit is nascent.
    pub nascent: bool,
    /// Number of the unit's fibres summed (its driven fibres within the pickup radius).
    pub fibres: usize,
    /// The summed fibres, as the line source sees them (one discharge is redrawn from these).
    pub sources: Vec<FibreSource>,
}

/// One fibre of a MUP as the line source sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FibreSource {
    /// When its end plate fires in the MUP record, ms.
    pub t_start_ms: f64,
    /// Radial distance to the needle core, µm.
    pub r_um: f64,
    /// Diameter, µm.
    pub d_um: f64,
    /// Conduction velocity, mm/ms.
    pub v_mm_ms: f64,
    /// Axial position of its end plate, the needle at 0, mm.
    pub endplate_mm: f64,
}

/// Neuromuscular jitter and blocking of one discharge (single-fibre EMG's instability).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instability {
    /// Standard deviation of each fibre's end-plate firing time about its mean, ms.
    pub jitter_sd_ms: f64,
    /// Probability that a fibre's junction fails on a discharge (blocking).
    pub blocking: f64,
}

impl Instability {
    /// The instability of a unit from the cited normal jitter or the nascent unit's.
    ///
    /// Jitter is published as the mean consecutive difference (MCD) of the interval between two
    /// fibres of a unit; with two independent Gaussian end-plate delays of SD σ that interval
    /// has SD σ√2 and MCD 2σ√2/√π, so σ = MCD·√π/(2√2).
    pub fn of_unit(params: &Params, nascent: bool) -> Instability {
        let np = &params.needle;
        let mcd_us = if nascent {
            np.nascent_jitter_mcd_us.value
        } else {
            np.jitter_mcd_us.value
        };
        Instability {
            jitter_sd_ms: mcd_us / 1000.0 * std::f64::consts::PI.sqrt() / (2.0 * 2f64.sqrt()),
            blocking: if nascent {
                np.nascent_blocking.value
            } else {
                0.0
            },
        }
    }
}

impl Mup {
    /// One discharge of the unit: every fibre's end plate fires at its mean time plus a Gaussian
    /// jitter, or not at all with the blocking probability (draws from `rng`, in fibre order).
    /// Returns the samples (µV, model scale) and the number of blocked fibres.
    pub fn discharge(
        &self,
        line: &LineSource,
        params: &Params,
        instability: Instability,
        rng: &mut ChaCha8Rng,
    ) -> (Vec<f64>, usize) {
        let mut out = vec![0.0; self.samples.len()];
        let mut blocked = 0;
        for f in &self.sources {
            if instability.blocking > 0.0 && rng.gen_range(0.0..1.0) < instability.blocking {
                blocked += 1;
                continue;
            }
            let (z, _) = normal_pair(rng);
            add_fibre(
                line,
                params,
                &mut out,
                f.t_start_ms + instability.jitter_sd_ms * z,
                f,
            );
        }
        (out, blocked)
    }
}

/// A standard normal pair (Box–Muller) from `rng`.
fn normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = rng.gen_range(1e-12..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    let r = (-2.0 * u1.ln()).sqrt();
    let th = 2.0 * std::f64::consts::PI * u2;
    (r * th.cos(), r * th.sin())
}

/// Adds one fibre's potential, its end plate firing at `t_start_ms`.
fn add_fibre(
    line: &LineSource,
    params: &Params,
    out: &mut [f64],
    t_start_ms: f64,
    f: &FibreSource,
) {
    let vc = &params.volume;
    line.add_finite_sfap(
        out,
        vc.sample_rate_hz,
        t_start_ms,
        f.r_um,
        f.d_um,
        f.v_mm_ms,
        1.0,
        f.endplate_mm,
        vc.endplate_to_tendon_mm,
    );
}

/// Computes the MUPs of every unit with a driven fibre within the pickup radius of `site`.
///
/// `window_ms` is the length of each MUP record; fibres' fronts pass the needle around its middle.
pub fn mups_at(
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    params: &Params,
    site: NeedleSite,
    window_ms: f64,
) -> Vec<Mup> {
    mups_near(state, grid, line, params, site, window_ms, f64::INFINITY)
}

/// [`mups_at`] for only the units with a driven fibre within `max_nearest_um` of the needle
/// (the others are not computed): the same MUPs as `mups_at` keeps after that filter.
pub fn mups_near(
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    params: &Params,
    site: NeedleSite,
    window_ms: f64,
    max_nearest_um: f64,
) -> Vec<Mup> {
    let vc = &params.volume;
    let fs = vc.sample_rate_hz;
    let n = (window_ms * fs / 1000.0).round().max(1.0) as usize;
    let r_max = vc.pickup_radius_um as f32;
    let mut per_unit: Vec<(u32, Vec<usize>, f64)> = Vec::new();
    let mut index: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    grid.for_near(site.x_um, site.y_um, r_max, |i| {
        if !state.fibre_driven(i, |a| a.conducts_proximal()) {
            return;
        }
        let dx = state.fibre_x_um[i] - site.x_um;
        let dy = state.fibre_y_um[i] - site.y_um;
        let r = (dx * dx + dy * dy).sqrt();
        if r > r_max {
            return;
        }
        let u = state.fibre_unit[i];
        let k = *index.entry(u).or_insert_with(|| {
            per_unit.push((u, Vec::new(), f64::MAX));
            per_unit.len() - 1
        });
        per_unit[k].1.push(i);
        per_unit[k].2 = per_unit[k].2.min(f64::from(r));
    });
    let mut out: Vec<Mup> = Vec::with_capacity(per_unit.len());
    let v_align = fibre_velocity(line, state, params.needle.alignment_fibre_diameter_um.value);
    // Order by unit index for determinism.
    per_unit.sort_by_key(|(u, _, _)| *u);
    for (u, fibres, nearest) in per_unit {
        if nearest > max_nearest_um {
            continue;
        }
        let nascent = state.unit_nascent.get(u as usize).copied().unwrap_or(false);
        let term_sd = if nascent {
            vc.nascent_terminal_delay_sd_ms
        } else {
            vc.terminal_delay_sd_ms
        };
        let mut samples = vec![0.0; n];
        // Fronts of a fibre with the mean end plate and the alignment diameter's velocity pass
        // the needle at 40% of the window.
        let t_mid = window_ms * 0.4;
        let mut sources = Vec::with_capacity(fibres.len());
        for &i in &fibres {
            let d = diameter_um(state.fibre_csa_um2[i]);
            let (z1, z2) = fibre_normals(i, 0xE17D);
            let dist = vc.needle_to_endplate_mm + vc.endplate_zone_sd_mm * z1;
            let delay = (term_sd * z2).abs();
            let dx = f64::from(state.fibre_x_um[i] - site.x_um);
            let dy = f64::from(state.fibre_y_um[i] - site.y_um);
            // The end plate fires after the terminal delay; its front reaches the needle
            // `dist / v` later.
            let source = FibreSource {
                t_start_ms: t_mid + delay - vc.needle_to_endplate_mm / v_align,
                r_um: (dx * dx + dy * dy + vc.core_radius_um * vc.core_radius_um).sqrt(),
                d_um: d,
                v_mm_ms: fibre_velocity(line, state, d),
                endplate_mm: -dist,
            };
            add_fibre(line, params, &mut samples, source.t_start_ms, &source);
            sources.push(source);
        }
        out.push(Mup {
            unit: u,
            fibres: fibres.len(),
            sources,
            samples,
            nearest_um: nearest,
            nascent,
        });
    }
    out
}

/// Peak-to-peak amplitude (µV), duration (ms) and number of phases of a MUP.
///
/// Duration runs from the first to the last sample whose magnitude exceeds `threshold_uv`.
/// Phases follow the definition of a phase (the part of a waveform between a departure from and
/// a return to the baseline): the baseline crossings between the duration's start and end plus
/// one, with no amplitude criterion of their own (a sample exactly on the baseline neither
/// starts nor ends a phase).
pub fn mup_metrics(samples: &[f64], fs_hz: f64, threshold_uv: f64) -> (f64, f64, usize) {
    let max = samples.iter().cloned().fold(f64::MIN, f64::max);
    let min = samples.iter().cloned().fold(f64::MAX, f64::min);
    if samples.is_empty() {
        return (0.0, 0.0, 0);
    }
    let amp = max - min;
    let first = samples.iter().position(|v| v.abs() > threshold_uv);
    let last = samples.iter().rposition(|v| v.abs() > threshold_uv);
    let (Some(a), Some(b)) = (first, last) else {
        return (amp, 0.0, 0);
    };
    let dur = (b - a) as f64 * 1000.0 / fs_hz;
    let mut crossings = 0usize;
    let mut sign = 0.0f64;
    for &v in &samples[a..=b] {
        if v == 0.0 {
            continue;
        }
        let s = v.signum();
        if sign != 0.0 && s != sign {
            crossings += 1;
        }
        sign = s;
    }
    (amp, dur, crossings + 1)
}

/// Spontaneous activity near the needle: which fibres fibrillate and how large their potentials are.
#[derive(Debug, Clone, Copy)]
pub struct Spontaneous {
    /// Fibre index.
    pub fibre: usize,
    /// Peak-to-peak amplitude (µV) the fibre would give right at the needle core (Kraft 1990).
    pub gain_uv: f64,
    /// Whether drawn as a positive sharp wave.
    pub psw: bool,
    /// Firing rate, Hz.
    pub rate_hz: f64,
}

/// A synthetic recording at one site.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Samples, µV (physical sign; plots draw negativity up).
    pub samples: Vec<f64>,
    /// Sampling rate, Hz.
    pub sample_rate_hz: f64,
    /// What the recording contains, in words.
    pub label: String,
}

/// Synthesises `duration_ms` of signal at `site`: `mup_gain` scales model MUPs to µV (see
/// [`crate::Reference::mup_gain`]); the MUP trains of the units recruited at a weak
/// effort (`firing_hz` each; `effort_units` lowest-index driven units near the needle, `0` = rest)
/// plus the spontaneous potentials in `spont`, plus amplifier noise. Deterministic given `seed`.
#[allow(clippy::too_many_arguments)]
pub fn synthesize(
    mup_gain: f64,
    state: &MuscleState<'_>,
    grid: &FibreGrid,
    line: &LineSource,
    params: &Params,
    site: NeedleSite,
    spont: &[Spontaneous],
    effort_units: usize,
    firing_hz: f64,
    duration_ms: f64,
    seed: u64,
) -> Recording {
    let vc = &params.volume;
    let np = &params.needle;
    let half_width = np.firing_cv.value * 3f64.sqrt();
    let fs = vc.sample_rate_hz;
    let n = (duration_ms * fs / 1000.0).round().max(1.0) as usize;
    let mut out = vec![0.0; n];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dt = 1000.0 / fs;
    let mut label = Vec::new();
    if effort_units > 0 {
        let window = np.mup_window_ms.value;
        let mups = mups_near(
            state,
            grid,
            line,
            params,
            site,
            window,
            np.effort_max_nearest_um.value,
        );
        // The units an electromyographer would analyse: the needle is moved until the recruited
        // units give sharp potentials, i.e. the units with a fibre closest to the tip.
        let max_near = np.effort_max_nearest_um.value;
        let mut near: Vec<&Mup> = mups.iter().filter(|m| m.nearest_um < max_near).collect();
        near.sort_by(|a, b| {
            a.nearest_um
                .total_cmp(&b.nearest_um)
                .then(a.unit.cmp(&b.unit))
        });
        let chosen: Vec<&Mup> = near.into_iter().take(effort_units).collect();
        for m in &chosen {
            let isi = 1000.0 / firing_hz.max(1.0);
            let mut t = rng.gen_range(0.0..isi);
            // Each discharge is redrawn with the unit's jitter and blocking, from a stream of
            // its own (the same record whatever else is drawn).
            let instability = Instability::of_unit(params, m.nascent);
            let mut unit_rng = ChaCha8Rng::seed_from_u64(
                seed ^ u64::from(m.unit).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x717E,
            );
            while t < duration_ms {
                let i0 = (t / dt) as usize;
                let (samples, _) = m.discharge(line, params, instability, &mut unit_rng);
                for (k, v) in samples.iter().enumerate() {
                    if i0 + k < n {
                        out[i0 + k] += mup_gain * v;
                    }
                }
                // Firing variability: uniform within ±cv·√3, which has coefficient of variation
                // cv (Fuglevand-style cv = 0.1).
                let jitter: f64 = rng.gen_range(-1.0..1.0) * half_width;
                t += isi * (1.0 + jitter);
            }
        }
        label.push(format!(
            "{} motor unit(s) at {:.0} Hz",
            chosen.len(),
            firing_hz
        ));
    }
    let mut n_fib = 0;
    let mut n_psw = 0;
    for s in spont {
        let i = s.fibre;
        let d = diameter_um(state.fibre_csa_um2[i]);
        let dx = f64::from(state.fibre_x_um[i] - site.x_um);
        let dy = f64::from(state.fibre_y_um[i] - site.y_um);
        let r = (dx * dx + dy * dy + vc.core_radius_um * vc.core_radius_um).sqrt();
        let v = fibre_velocity(line, state, d);
        let mut shape = vec![0.0; (20.0 / dt) as usize];
        // Absolute size: a fibre right at the needle core gives the Kraft (1990) mean amplitude
        // for its time since denervation (`s.gain_uv`); farther fibres are attenuated as the
        // line-source model says.
        let mut at_core = vec![0.0; shape.len()];
        line.add_sfap(&mut at_core, fs, 8.0, vc.core_radius_um, d, v, 1.0);
        let pp_core = peak_to_peak(&at_core).max(1e-9);
        let k = s.gain_uv / pp_core;
        if s.psw {
            n_psw += 1;
            // Positive sharp wave: a fast positive deflection (rise under 1 ms), then an
            // exponential return to baseline (time constant 4 ms: 14% left after 8 ms).
            let ps = &np.psw;
            let mut probe = vec![0.0; shape.len()];
            line.add_sfap(&mut probe, fs, 5.0, r, d, v, 1.0);
            let a = ps.height_ratio * peak_to_peak(&probe) * k;
            for (j, v) in shape.iter_mut().enumerate() {
                let t = j as f64 * dt;
                // Positive deflection, physical sign positive (drawn downward, negative up).
                *v = if t < ps.rise_ms {
                    a * t / ps.rise_ms
                } else {
                    a * (-(t - ps.rise_ms) / ps.decay_ms).exp()
                };
            }
        } else {
            n_fib += 1;
            line.add_sfap(&mut shape, fs, 8.0, r, d, v, k);
        }
        let isi = 1000.0 / s.rate_hz.max(0.5);
        let mut t = rng.gen_range(0.0..isi);
        while t < duration_ms {
            let i0 = (t / dt) as usize;
            for (k, v) in shape.iter().enumerate() {
                if i0 + k < n {
                    out[i0 + k] += v;
                }
            }
            // Fibrillations fire very regularly.
            let j = np.fibrillation_interval_jitter.value;
            t += isi * (1.0 + if j > 0.0 { rng.gen_range(-j..j) } else { 0.0 });
        }
    }
    if n_fib + n_psw > 0 {
        label.push(format!(
            "{n_fib} fibrillating fibre(s), {n_psw} positive sharp wave source(s)"
        ));
    }
    // Amplifier noise (Box–Muller).
    for v in out.iter_mut() {
        let u1: f64 = rng.gen_range(1e-12..1.0);
        let u2: f64 = rng.gen_range(0.0..1.0);
        *v += vc.noise_uv * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    }
    if label.is_empty() {
        label.push("electrical silence at rest".into());
    }
    Recording {
        samples: out,
        sample_rate_hz: fs,
        label: label.join("; "),
    }
}

/// Deterministic needle sites: `k` fibres drawn with `seed` among fibres at least `margin_um`
/// inside the bounding box, the needle placed just beside each fibre.
pub fn sample_sites(
    state: &MuscleState<'_>,
    k: usize,
    seed: u64,
    margin_um: f32,
) -> Vec<NeedleSite> {
    let n = state.n_fibres();
    if n == 0 {
        return Vec::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for i in 0..n {
        x0 = x0.min(state.fibre_x_um[i]);
        y0 = y0.min(state.fibre_y_um[i]);
        x1 = x1.max(state.fibre_x_um[i]);
        y1 = y1.max(state.fibre_y_um[i]);
    }
    let m = margin_um.min((x1 - x0) / 4.0).min((y1 - y0) / 4.0).max(0.0);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(k);
    let mut tries = 0;
    while out.len() < k && tries < 100 * k {
        tries += 1;
        let i = rng.gen_range(0..n);
        let (x, y) = (state.fibre_x_um[i], state.fibre_y_um[i]);
        if x < x0 + m || x > x1 - m || y < y0 + m || y > y1 - m {
            continue;
        }
        // Beside the fibre, independent of its current size so that the same sites are used on
        // every day.
        out.push(NeedleSite {
            x_um: x + 10.0,
            y_um: y + 10.0,
        });
    }
    out
}

/// Peak-to-peak of a sample array.
pub fn peak_to_peak(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
}

/// Whether a fibre index belongs to no unit.
pub fn orphan(state: &MuscleState<'_>, i: usize) -> bool {
    state.fibre_unit[i] == NO_UNIT
}

/// Full scale (µV) for listening to `samples` without clipping: `floor_uv`, or when the record's
/// largest magnitude exceeds it, the next step of the 1–2–5 series above that magnitude (as an EMG
/// machine's sensitivity is switched, and its loudspeaker with it, so that a large neurogenic MUP
/// is not flattened).
pub fn wav_full_scale_uv(samples: &[f64], floor_uv: f64) -> f64 {
    let floor = if floor_uv.is_finite() && floor_uv > 0.0 {
        floor_uv
    } else {
        1000.0
    };
    let peak = samples
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if peak <= floor {
        return floor;
    }
    let decade = 10f64.powf(peak.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * decade)
        .find(|&s| s >= peak)
        .unwrap_or(10.0 * decade)
}

/// Encodes samples (µV) as a mono 16-bit PCM WAV file (bytes), so that the EMG can be listened
/// to as on an EMG machine's loudspeaker. `full_scale_uv` maps to the largest 16-bit value;
/// louder samples are clipped.
pub fn wav_bytes(samples: &[f64], sample_rate_hz: f64, full_scale_uv: f64) -> Vec<u8> {
    let rate = sample_rate_hz.round().clamp(1.0, f64::from(u32::MAX / 2)) as u32;
    let fs = if full_scale_uv.is_finite() && full_scale_uv > 0.0 {
        full_scale_uv
    } else {
        1000.0
    };
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // PCM header size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &v in samples {
        let x = if v.is_finite() {
            (v / fs * 32767.0).clamp(-32768.0, 32767.0)
        } else {
            0.0
        };
        out.extend_from_slice(&(x as i16).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit of 30 fibres between 80 and 660 µm from the needle, end plates 10 mm away.
    fn test_mup(line: &LineSource, params: &Params) -> Mup {
        let sources: Vec<FibreSource> = (0..30)
            .map(|k| FibreSource {
                t_start_ms: 10.0 + 0.01 * k as f64,
                r_um: 80.0 + 20.0 * k as f64,
                d_um: 50.0,
                v_mm_ms: params.volume.mfcv_mean_m_s,
                endplate_mm: -10.0,
            })
            .collect();
        let mut samples = vec![0.0; 800];
        for f in &sources {
            add_fibre(line, params, &mut samples, f.t_start_ms, f);
        }
        Mup {
            unit: 0,
            samples,
            nearest_um: 80.0,
            nascent: false,
            fibres: sources.len(),
            sources,
        }
    }

    #[test]
    fn jitter_is_converted_from_the_mean_consecutive_difference() {
        let p = Params::embedded().unwrap();
        let mature = Instability::of_unit(&p, false);
        // MCD 37 µs (JNNP TA table) -> SD 37·√π/(2√2) = 23.2 µs; no blocking.
        assert!(
            (mature.jitter_sd_ms * 1000.0 - 23.19).abs() < 0.01,
            "{mature:?}"
        );
        assert_eq!(mature.blocking, 0.0);
        let nascent = Instability::of_unit(&p, true);
        assert!(nascent.jitter_sd_ms > mature.jitter_sd_ms && nascent.blocking > 0.0);
    }

    #[test]
    fn nascent_discharges_are_unstable_and_mature_ones_nearly_identical() {
        let p = Params::embedded().unwrap();
        let line = LineSource::new(&p.volume);
        let m = test_mup(&line, &p);
        // Without jitter or blocking a discharge is the MUP itself (one code path).
        let still = Instability {
            jitter_sd_ms: 0.0,
            blocking: 0.0,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (same, blocked) = m.discharge(&line, &p, still, &mut rng);
        assert_eq!(blocked, 0);
        assert!(
            same.iter()
                .zip(&m.samples)
                .all(|(a, b)| (a - b).abs() < 1e-9)
        );
        // Variability between consecutive discharges, relative to the MUP's peak to peak.
        let pp = peak_to_peak(&m.samples);
        let variability = |inst: Instability| {
            let mut rng = ChaCha8Rng::seed_from_u64(11);
            let (mut prev, mut blocked) = m.discharge(&line, &p, inst, &mut rng);
            let mut sum = 0.0;
            for _ in 0..40 {
                let (next, b) = m.discharge(&line, &p, inst, &mut rng);
                blocked += b;
                let rms = (prev
                    .iter()
                    .zip(&next)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    / next.len() as f64)
                    .sqrt();
                sum += rms / pp;
                prev = next;
            }
            (sum / 40.0, blocked as f64 / (41.0 * 30.0))
        };
        let (mature, mature_blocked) = variability(Instability::of_unit(&p, false));
        let (nascent, nascent_blocked) = variability(Instability::of_unit(&p, true));
        eprintln!(
            "variability: mature {mature:.4}, nascent {nascent:.4}; blocked {nascent_blocked:.3}"
        );
        assert_eq!(mature_blocked, 0.0);
        // 1,230 fibre discharges at the data's rate (10%: binomial SD 0.9 points).
        let rate = p.needle.nascent_blocking.value;
        assert!(
            (nascent_blocked - rate).abs() < 0.03,
            "{nascent_blocked} vs {rate}"
        );
        assert!(
            nascent > 3.0 * mature,
            "nascent variability {nascent} vs mature {mature}"
        );
        // Same seed, same discharge.
        let inst = Instability::of_unit(&p, true);
        let a = m.discharge(&line, &p, inst, &mut ChaCha8Rng::seed_from_u64(3));
        let b = m.discharge(&line, &p, inst, &mut ChaCha8Rng::seed_from_u64(3));
        assert_eq!(a, b);
    }

    #[test]
    fn phases_are_baseline_crossings_inside_the_duration_plus_one() {
        // 1 kHz: each sample is 1 ms. A wobble before the duration's start does not count; a
        // small crossing inside it counts whatever its size (no amplitude criterion of its own).
        let s = [
            0.0, -1.0, 1.0, 0.0, 30.0, 50.0, -40.0, 0.0, -2.0, 3.0, 25.0, 0.0, 0.0,
        ];
        let (amp, dur, phases) = mup_metrics(&s, 1000.0, 20.0);
        assert_eq!(amp, 90.0);
        assert_eq!(dur, 6.0, "from sample 4 to sample 10");
        // + + - (0) - + + : crossings at 5→6 and 8→9.
        assert_eq!(phases, 3);
        // A monophasic potential has one phase.
        assert_eq!(
            mup_metrics(&[0.0, 30.0, 60.0, 30.0, 0.0], 1000.0, 20.0).2,
            1
        );
        // Nothing above the edge: no duration, no phase.
        assert_eq!(mup_metrics(&[0.0, 5.0, -5.0], 1000.0, 20.0).2, 0);
    }

    #[test]
    fn wav_header_and_length() {
        let w = wav_bytes(&[0.0, 500.0, -2000.0], 20_000.0, 1000.0);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(&w[8..12], b"WAVE");
        assert_eq!(w.len(), 44 + 6);
        assert_eq!(u32::from_le_bytes([w[24], w[25], w[26], w[27]]), 20_000);
        assert_eq!(i16::from_le_bytes([w[46], w[47]]), 16383);
        assert_eq!(i16::from_le_bytes([w[48], w[49]]), -32768);
    }

    #[test]
    fn wav_full_scale_follows_the_record_so_nothing_clips() {
        // Fibrillations of a few hundred µV keep the 2 mV scale.
        assert_eq!(wav_full_scale_uv(&[0.0, 350.0, -120.0], 2000.0), 2000.0);
        // An 8.6 mV sprouted MUP (peak 4.9 mV) is heard on the 5 mV scale, unclipped.
        let big = [0.0, 4900.0, -3700.0];
        let fs = wav_full_scale_uv(&big, 2000.0);
        assert_eq!(fs, 5000.0);
        let w = wav_bytes(&big, 20_000.0, fs);
        let peak = i16::from_le_bytes([w[46], w[47]]);
        assert!(peak < 32767 && peak > 30_000, "{peak}");
        assert_eq!(wav_full_scale_uv(&[12_000.0], 2000.0), 20_000.0);
        assert_eq!(wav_full_scale_uv(&[f64::NAN, 10.0], -1.0), 1000.0);
    }
}
