//! Line-source volume-conductor model of the single-fibre action potential (SFAP).
//!
//! Model (Nandedkar & Stålberg 1983, Med Biol Eng Comput 21:158–165): a muscle fibre is a line
//! source; its transmembrane current density is proportional to the second spatial derivative of
//! the intracellular action potential, taken from Rosenfalck (1969):
//! `Vm(s) = A s³ e^(−s/λ) − B` behind the travelling front (s ≥ 0, mm). The potential at a point at
//! radial distance r and axial offset x from the front is
//! `φ = σi d² / (16 σr) · ∫ Vm''(s) / √(K r² + (x − s)²) ds`, with `K = σz/σr` for the anisotropic
//! muscle (σ values in `data/views/volume_conductor.toml`). The current is taken piecewise linear in
//! s, for which the integral against the distance kernel has a closed form
//! (`asinh` and square-root terms), so the near field of thin fibres is exact.
//!
//! The potential is tabulated once per radius on a grid of axial offsets for a reference fibre
//! diameter; a fibre of diameter d scales it by (d/d_ref)². A fibre's conduction velocity
//! ([`LineSource::velocity`]) is the measured mean muscle-fibre conduction velocity of a healthy
//! muscle (`mfcv_mean_m_s`, human tibialis anterior motor units: Andreassen & Arendt-Nielsen 1987)
//! scaled by its diameter relative to the muscle's healthy mean fibre, by the diameter relation of
//! Blijham et al. (2006: v ∝ 0.05 d + 0.95, d in µm); time is offset/velocity.
//!
//! **Finite fibres** ([`LineSource::add_finite_sfap`]). A real fibre's action potential starts at
//! its end plate, runs both ways and ends at the tendons; the start and the end give the MUP its
//! initial and terminal phases, far-field potentials that every fibre of a unit adds in phase
//! whatever its distance from the needle (Dumitru, King & Nandedkar 1997 name this current flow
//! from end plate to tendon the main factor of MUP duration). Integrating by parts, the potential
//! of a fibre occupying `[a, b]` is `φ = C ∫ₐᵇ V'(z_f − z) W'(z) dz` (z_f the front, `W` the
//! distance kernel above, `V` Rosenfalck's profile), so with
//! `T(a, u) = C ∫ᵤ^∞ V'(s) W'(a + u − s) ds` (the part of the profile behind a cut at `a`, with the
//! front `u` past the cut) a wave from the end plate `e` to the tendon `e + L` gives
//! `φ = T(e + L, vτ − L) − T(e, vτ)`, τ the time since the end plate fired, and the wave running
//! the other way the mirror image. `T` is tabulated per radius over the front's position and `u`,
//! integrated exactly for piecewise-linear `V'` (closed forms in `W` and `z W − asinh(z/r)`);
//! `T(x, 0)` is the infinite fibre's potential, which a unit test checks against the table above.

use std::sync::OnceLock;

use crate::params::VolumeConductor;

/// The finite-fibre table `T` (module docs): `table[(ri * ntx + xi) * nu + ui]`, µV for the
/// reference diameter, front position `TX_MIN_MM + xi·X_STEP_MM`, `u = ui·TU_STRIDE·S_STEP_MM`.
#[derive(Debug, Clone)]
struct Truncation {
    table: Vec<f32>,
    ntx: usize,
    nu: usize,
}

/// Reference fibre diameter of the tabulated potentials, µm.
const D_REF_UM: f64 = 50.0;
/// Axial-offset grid of the table, mm.
const X_MIN_MM: f64 = -20.0;
const X_MAX_MM: f64 = 30.0;
const X_STEP_MM: f64 = 0.05;
/// Current integration grid, mm (the Rosenfalck profile is negligible beyond 15 mm).
const S_MAX_MM: f64 = 15.0;
const S_STEP_MM: f64 = 0.05;
/// Radii of the table, µm (log-spaced).
const R_MIN_UM: f64 = 5.0;
const R_MAX_UM: f64 = 2500.0;
const N_R: usize = 40;
/// Front-position grid of the finite-fibre table `T`, mm (beyond it the cut is far enough from
/// the needle to be taken as 0).
const TX_MIN_MM: f64 = -25.0;
const TX_MAX_MM: f64 = 75.0;
/// The `u` nodes of `T` are every `TU_STRIDE`-th node of the current grid (0.2 mm).
const TU_STRIDE: usize = 4;

/// Tabulated SFAPs of the line-source model.
#[derive(Debug, Clone)]
pub struct LineSource {
    radii_um: Vec<f64>,
    /// Row-major: `table[ri * nx + xi]`, µV for the reference diameter.
    table: Vec<f32>,
    nx: usize,
    /// Finite-fibre table `T`, tabulated on first use (only the MUPs need it).
    trunc: OnceLock<Truncation>,
    /// The constants the finite-fibre table is made from.
    constants: VolumeConductor,
    /// µV per unit of the line-source integral for the reference diameter.
    scale_uv: f64,
    mfcv_slope: f64,
    mfcv_intercept: f64,
    mfcv_mean: f64,
}

impl LineSource {
    /// Tabulates the model for the given constants.
    pub fn new(p: &VolumeConductor) -> LineSource {
        let k = p.sigma_z / p.sigma_r;
        let d_mm = D_REF_UM / 1000.0;
        let scale_uv = p.sigma_i * d_mm * d_mm / (16.0 * p.sigma_r) * 1000.0; // mV -> µV
        // Piecewise-linear current Vm''(s) on the s grid.
        let ns = (S_MAX_MM / S_STEP_MM).round() as usize + 1;
        let lam = p.iap_lambda_mm;
        let a = p.iap_a_mv;
        let current: Vec<f64> = (0..ns)
            .map(|j| {
                let s = j as f64 * S_STEP_MM / lam;
                // d²/ds² of A s³ e^{-s} in units of the length constant.
                a * (-s).exp() * (s * s * s - 6.0 * s * s + 6.0 * s) / (lam * lam)
            })
            .collect();
        let nx = ((X_MAX_MM - X_MIN_MM) / X_STEP_MM).round() as usize + 1;
        let radii_um: Vec<f64> = (0..N_R)
            .map(|i| R_MIN_UM * (R_MAX_UM / R_MIN_UM).powf(i as f64 / (N_R - 1) as f64))
            .collect();
        let mut table = vec![0.0f32; N_R * nx];
        for (ri, r_um) in radii_um.iter().enumerate() {
            let rr = (k.sqrt() * r_um / 1000.0).max(1e-6);
            for xi in 0..nx {
                let x = X_MIN_MM + xi as f64 * X_STEP_MM;
                let mut acc = 0.0;
                for j in 0..ns - 1 {
                    let s0 = j as f64 * S_STEP_MM;
                    let (c0, c1) = (current[j], current[j + 1]);
                    let beta = (c1 - c0) / S_STEP_MM;
                    // current(s) = c0 + beta (s - s0); with u = s - x:
                    // ∫ (c0 + beta (x + u - s0)) / sqrt(rr² + u²) du
                    let u0 = s0 - x;
                    let u1 = u0 + S_STEP_MM;
                    let alpha = c0 + beta * (x - s0);
                    let int0 = (u1 / rr).asinh() - (u0 / rr).asinh();
                    let int1 = (rr * rr + u1 * u1).sqrt() - (rr * rr + u0 * u0).sqrt();
                    acc += alpha * int0 + beta * int1;
                }
                table[ri * nx + xi] = (scale_uv * acc) as f32;
            }
        }
        LineSource {
            radii_um,
            table,
            nx,
            trunc: OnceLock::new(),
            constants: p.clone(),
            scale_uv,
            mfcv_slope: p.mfcv_slope,
            mfcv_intercept: p.mfcv_intercept,
            mfcv_mean: p.mfcv_mean_m_s,
        }
    }

    /// Conduction velocity (m/s = mm/ms) of a fibre of diameter `d_um` in a muscle whose healthy
    /// mean fibre has diameter `healthy_d_um`: the measured mean velocity of healthy muscle
    /// (`mfcv_mean_m_s`) times Blijham et al.'s (2006) diameter relation relative to the healthy
    /// mean fibre, `(0.05 d + 0.95) / (0.05 d_healthy + 0.95)`. So a healthy fibre conducts at the
    /// measured mean, a larger one faster and an atrophic one slower. (Blijham's relation alone
    /// gives 5.1 m/s for the twin's human fibres of 5,400 µm², above the 2.6–5.3 m/s range
    /// measured in tibialis anterior motor units: `volume_conductor.toml`.) A `healthy_d_um` that
    /// is not positive takes `d_um` itself as the healthy size.
    pub fn velocity(&self, d_um: f64, healthy_d_um: f64) -> f64 {
        let relation = |d: f64| (self.mfcv_slope * d + self.mfcv_intercept).max(1e-6);
        let healthy = if healthy_d_um.is_finite() && healthy_d_um > 0.0 {
            healthy_d_um
        } else {
            d_um
        };
        (self.mfcv_mean * relation(d_um) / relation(healthy)).max(0.5)
    }

    /// Potential (µV) at radial distance `r_um` from a fibre of diameter `d_um`, when the
    /// action-potential front is `x_mm` past the electrode's axial position (negative: approaching).
    pub fn potential(&self, r_um: f64, d_um: f64, x_mm: f64) -> f64 {
        let r = r_um.max(d_um * 0.5 + 2.0).clamp(R_MIN_UM, R_MAX_UM);
        let fr = (r / R_MIN_UM).ln() / (R_MAX_UM / R_MIN_UM).ln() * (N_R - 1) as f64;
        let r0 = (fr.floor() as usize).min(N_R - 2);
        let wr = (fr - r0 as f64).clamp(0.0, 1.0);
        let fx = (x_mm - X_MIN_MM) / X_STEP_MM;
        if !(0.0..(self.nx - 1) as f64).contains(&fx) {
            return 0.0;
        }
        let x0 = fx.floor() as usize;
        let wx = fx - x0 as f64;
        let at = |ri: usize| {
            let row = &self.table[ri * self.nx..(ri + 1) * self.nx];
            f64::from(row[x0]) * (1.0 - wx) + f64::from(row[x0 + 1]) * wx
        };
        let v = at(r0) * (1.0 - wr) + at(r0 + 1) * wr;
        let ds = d_um / D_REF_UM;
        v * ds * ds
    }

    /// Adds the SFAP of one fibre to `out` (µV), sampled at `fs_hz` from time 0.
    ///
    /// `t_front_ms` is when the front passes the electrode's axial position; `r_um` the radial
    /// distance; `d_um` the fibre diameter; `v` its conduction velocity, mm/ms
    /// ([`LineSource::velocity`]); `amp` a gain (1 for a normal fibre).
    #[allow(clippy::too_many_arguments)]
    pub fn add_sfap(
        &self,
        out: &mut [f64],
        fs_hz: f64,
        t_front_ms: f64,
        r_um: f64,
        d_um: f64,
        v: f64,
        amp: f64,
    ) {
        let v = v.max(0.5);
        let dt_ms = 1000.0 / fs_hz;
        // Window where the table is non-zero: x in [X_MIN, X_MAX] → t = t_front + x / v.
        let t0 = t_front_ms + X_MIN_MM / v;
        let t1 = t_front_ms + X_MAX_MM / v;
        let i0 = (t0 / dt_ms).floor().max(0.0) as usize;
        let i1 = ((t1 / dt_ms).ceil().max(0.0) as usize).min(out.len());
        for (i, o) in out.iter_mut().enumerate().take(i1).skip(i0) {
            let x = (i as f64 * dt_ms - t_front_ms) * v;
            *o += amp * self.potential(r_um, d_um, x);
        }
    }

    /// Radii of the table, µm.
    pub fn radii_um(&self) -> &[f64] {
        &self.radii_um
    }

    /// The finite-fibre table, tabulated on first use (deterministic: the same constants give
    /// the same table whichever thread makes it).
    fn truncation(&self) -> &Truncation {
        self.trunc
            .get_or_init(|| truncation_table(&self.constants, &self.radii_um, self.scale_uv))
    }

    /// Radius interpolation: lower row and weight of the upper.
    fn radius_row(&self, r_um: f64, d_um: f64) -> (usize, f64) {
        let r = r_um.max(d_um * 0.5 + 2.0).clamp(R_MIN_UM, R_MAX_UM);
        let fr = (r / R_MIN_UM).ln() / (R_MAX_UM / R_MIN_UM).ln() * (N_R - 1) as f64;
        let r0 = (fr.floor() as usize).min(N_R - 2);
        (r0, (fr - r0 as f64).clamp(0.0, 1.0))
    }

    /// `T(a, u)` of the module docs for the reference diameter at radius row `(r0, wr)`: the
    /// potential of the part of a wave's profile behind a cut at axial position `a_mm` (needle at
    /// 0) when the front is `u_mm` past the cut (u ≤ 0: the whole profile, the infinite fibre).
    fn truncated(&self, r0: usize, wr: f64, a_mm: f64, u_mm: f64) -> f64 {
        let t = self.truncation();
        let u = u_mm.max(0.0);
        let u_max = ((t.nu - 1) * TU_STRIDE) as f64 * S_STEP_MM;
        if u >= u_max {
            return 0.0;
        }
        let x = a_mm + u_mm;
        let fx = (x - TX_MIN_MM) / X_STEP_MM;
        if !(0.0..(t.ntx - 1) as f64).contains(&fx) {
            return 0.0;
        }
        let x0 = fx.floor() as usize;
        let wx = fx - x0 as f64;
        let fu = u / (TU_STRIDE as f64 * S_STEP_MM);
        let u0 = (fu.floor() as usize).min(t.nu - 2);
        let wu = fu - u0 as f64;
        let at = |ri: usize, xi: usize| {
            let k = (ri * t.ntx + xi) * t.nu + u0;
            f64::from(t.table[k]) * (1.0 - wu) + f64::from(t.table[k + 1]) * wu
        };
        let row = |ri: usize| at(ri, x0) * (1.0 - wx) + at(ri, x0 + 1) * wx;
        row(r0) * (1.0 - wr) + row(r0 + 1) * wr
    }

    /// Adds the potential of one *finite* fibre to `out` (µV), sampled at `fs_hz` from time 0:
    /// its end plate at axial position `endplate_mm` (the needle at 0; negative: the needle lies
    /// on the positive side) fires at `t_start_ms`, and two waves run from it at the fibre's
    /// velocity to the tendons `half_length_mm` away on either side, where they end (module docs).
    /// `r_um`, `d_um`, `v` and `amp` as in [`LineSource::add_sfap`].
    #[allow(clippy::too_many_arguments)]
    pub fn add_finite_sfap(
        &self,
        out: &mut [f64],
        fs_hz: f64,
        t_start_ms: f64,
        r_um: f64,
        d_um: f64,
        v: f64,
        amp: f64,
        endplate_mm: f64,
        half_length_mm: f64,
    ) {
        let v = v.max(0.5);
        let dt_ms = 1000.0 / fs_hz;
        let (r0, wr) = self.radius_row(r_um, d_um);
        let ds = d_um / D_REF_UM;
        let k = amp * ds * ds;
        let e = endplate_mm;
        let l = half_length_mm.max(0.0);
        let u_max = ((self.truncation().nu - 1) * TU_STRIDE) as f64 * S_STEP_MM;
        // Nothing before the end plate fires; nothing once both waves have ended.
        let t1 = t_start_ms + (l + u_max) / v;
        let i0 = (t_start_ms / dt_ms).ceil().max(0.0) as usize;
        let i1 = ((t1 / dt_ms).ceil().max(0.0) as usize).min(out.len());
        for (i, o) in out.iter_mut().enumerate().take(i1).skip(i0) {
            let travelled = (i as f64 * dt_ms - t_start_ms) * v;
            let toward =
                self.truncated(r0, wr, e + l, travelled - l) - self.truncated(r0, wr, e, travelled);
            let away = self.truncated(r0, wr, l - e, travelled - l)
                - self.truncated(r0, wr, -e, travelled);
            *o += k * (toward + away);
        }
    }
}

/// Tabulates `T(a, u)` (module docs) per radius over the front position `x = a + u` and `u`:
/// for each `(r, x)` one pass down the current grid sums the exact segment integrals of
/// `V'(s) W'(x − s)` from the profile's tail, so every `u` node comes from the same sums.
fn truncation_table(p: &VolumeConductor, radii_um: &[f64], scale_uv: f64) -> Truncation {
    let k = p.sigma_z / p.sigma_r;
    let lam = p.iap_lambda_mm;
    let a = p.iap_a_mv;
    let ns = (S_MAX_MM / S_STEP_MM).round() as usize + 1;
    // V'(s) of Rosenfalck's profile A σ³ e^(−σ), σ = s/λ.
    let slope: Vec<f64> = (0..ns)
        .map(|j| {
            let sg = j as f64 * S_STEP_MM / lam;
            a * (-sg).exp() * (3.0 * sg * sg - sg * sg * sg) / lam
        })
        .collect();
    let ntx = ((TX_MAX_MM - TX_MIN_MM) / X_STEP_MM).round() as usize + 1;
    let nu = (ns - 1) / TU_STRIDE + 1;
    let mut trunc = vec![0.0f32; radii_um.len() * ntx * nu];
    // The front grid and the current grid share one step, so `z = x − s` runs over one lattice:
    // `W` and `z W − asinh(z/r)` are computed once per radius on it.
    debug_assert!((X_STEP_MM - S_STEP_MM).abs() < 1e-12);
    let nz = ntx + ns - 1;
    let mut w = vec![0.0f64; nz];
    let mut f = vec![0.0f64; nz];
    for (ri, r_um) in radii_um.iter().enumerate() {
        let rr = (k.sqrt() * r_um / 1000.0).max(1e-6);
        for m in 0..nz {
            let z = TX_MIN_MM + (m as f64 - (ns - 1) as f64) * S_STEP_MM;
            let wz = 1.0 / (rr * rr + z * z).sqrt();
            w[m] = wz;
            // ∫ z W'(z) dz = z W(z) − asinh(z / r).
            f[m] = z * wz - (z / rr).asinh();
        }
        for xi in 0..ntx {
            let x = TX_MIN_MM + xi as f64 * X_STEP_MM;
            let base = (ri * ntx + xi) * nu;
            let mut acc = 0.0;
            // The last u node (the profile's end) stays 0.
            for j in (0..ns - 1).rev() {
                let beta = (slope[j + 1] - slope[j]) / S_STEP_MM;
                let alpha = slope[j] + beta * (x - j as f64 * S_STEP_MM);
                // ∫ over [s_j, s_j+1] of V'(s) W'(x − s) ds with z = x − s: the lattice index
                // of z_j = x − s_j is xi − j + ns − 1.
                let (mj, mj1) = (xi + ns - 1 - j, xi + ns - 2 - j);
                acc += alpha * (w[mj] - w[mj1]) - beta * (f[mj] - f[mj1]);
                if j % TU_STRIDE == 0 {
                    trunc[base + j / TU_STRIDE] = (scale_uv * acc) as f32;
                }
            }
        }
    }
    Truncation {
        table: trunc,
        ntx,
        nu,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Params;

    #[test]
    fn sfap_is_triphasic_and_falls_with_distance() {
        let p = Params::embedded().unwrap();
        let ls = LineSource::new(&p.volume);
        let fs = 20_000.0;
        let mut near = vec![0.0; 400];
        let mut far = vec![0.0; 400];
        ls.add_sfap(&mut near, fs, 10.0, 50.0, 50.0, 3.45, 1.0);
        ls.add_sfap(&mut far, fs, 10.0, 500.0, 50.0, 3.45, 1.0);
        let pp = |v: &[f64]| {
            v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
        };
        let (a_near, a_far) = (pp(&near), pp(&far));
        // A fibre 50 µm away gives a potential of the order of a millivolt; far fibres much less.
        assert!(a_near > 200.0 && a_near < 20_000.0, "near SFAP {a_near} µV");
        assert!(a_far < a_near / 5.0, "far {a_far} vs near {a_near}");
        // The main spike is negative (upward in EMG convention is negative; here the raw sign).
        let min = near.iter().cloned().fold(f64::MAX, f64::min);
        let max = near.iter().cloned().fold(f64::MIN, f64::max);
        assert!(min < 0.0 && max > 0.0, "biphasic at least");
        // Integral of the current is zero: the far-field sum over time is small relative to the peak.
        let sum: f64 = near.iter().sum::<f64>() / near.len() as f64;
        assert!(sum.abs() < 0.05 * a_near);
    }

    #[test]
    fn whole_profile_of_the_finite_table_is_the_infinite_fibre() {
        // T(x, 0) integrates V'·W' by parts where the infinite table integrates V''·W: two
        // different exact integrations of the same potential must agree.
        let p = Params::embedded().unwrap();
        let ls = LineSource::new(&p.volume);
        for r in [75.0, 200.0, 800.0] {
            let (r0, wr) = ls.radius_row(r, D_REF_UM);
            let peak = (-100..=200)
                .map(|i| ls.potential(r, D_REF_UM, i as f64 * 0.1).abs())
                .fold(0.0, f64::max);
            for i in -100..=200 {
                let x = i as f64 * 0.1;
                let inf = ls.potential(r, D_REF_UM, x);
                let fin = ls.truncated(r0, wr, x, 0.0);
                assert!(
                    (inf - fin).abs() < 0.01 * peak,
                    "r {r} µm, x {x} mm: infinite {inf} µV, T(x, 0) {fin} µV"
                );
            }
        }
    }

    #[test]
    fn a_finite_fibre_starts_at_its_end_plate_and_ends_at_its_tendons() {
        let p = Params::embedded().unwrap();
        let ls = LineSource::new(&p.volume);
        let fs = 20_000.0;
        let n = 1200; // 60 ms
        let (d, r) = (50.0, 150.0);
        let v = ls.velocity(d, d);
        let mut finite = vec![0.0; n];
        // End plate 10 mm before the needle, tendons 30 mm either side of it; fires at 10 ms.
        ls.add_finite_sfap(&mut finite, fs, 10.0, r, d, v, 1.0, -10.0, 30.0);
        // Silent before the end plate fires.
        assert!(finite[..200].iter().all(|x| *x == 0.0));
        // The near-field spike is the infinite fibre's when the front passes the needle.
        let mut infinite = vec![0.0; n];
        ls.add_sfap(&mut infinite, fs, 10.0 + 10.0 / v, r, d, v, 1.0);
        let pp = peak_to_peak;
        assert!(
            (pp(&finite) - pp(&infinite)).abs() < 0.2 * pp(&infinite),
            "finite {} vs infinite {}",
            pp(&finite),
            pp(&infinite)
        );
        // Both waves end at the tendons, 30 mm from the end plate, plus the profile's tail.
        let end = ((10.0 + (30.0 + S_MAX_MM) / v) * fs / 1000.0).ceil() as usize + 1;
        assert!(finite[end..].iter().all(|x| *x == 0.0));
        // The terminal phase: while the wave toward the needle ends at its tendon (20 mm past
        // the needle), the finite fibre's potential differs from the infinite fibre's, whose
        // wave would run on.
        let t_tendon = 10.0 + 30.0 / v;
        let i = (t_tendon * fs / 1000.0) as usize;
        let diff: f64 = (i..i + 60)
            .map(|k| (finite[k] - infinite[k]).abs())
            .sum::<f64>();
        assert!(diff > 0.0, "no terminal phase");
    }

    fn peak_to_peak(v: &[f64]) -> f64 {
        v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
    }

    #[test]
    fn a_healthy_fibre_conducts_at_the_measured_mean_and_smaller_ones_slower_as_blijham_says() {
        let p = Params::embedded().unwrap();
        let ls = LineSource::new(&p.volume);
        let mean = p.volume.mfcv_mean_m_s;
        assert!((ls.velocity(83.0, 83.0) - mean).abs() < 1e-12);
        assert!((ls.velocity(50.0, 50.0) - mean).abs() < 1e-12);
        // Blijham et al. 2006: v ∝ 0.05 d + 0.95, so a 50 µm fibre in a muscle of 83 µm fibres
        // conducts at (0.05·50 + 0.95) / (0.05·83 + 0.95) of the mean.
        let expected = mean * 3.45 / 5.1;
        assert!((ls.velocity(50.0, 83.0) - expected).abs() < 1e-9);
        assert!(ls.velocity(100.0, 83.0) > mean);
    }
}
