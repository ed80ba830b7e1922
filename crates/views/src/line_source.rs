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
//! diameter; a fibre of diameter d scales it by (d/d_ref)². A fibre's conduction velocity follows
//! its diameter (Blijham et al. 2006: v = 0.05 d + 0.95 m/s, d in µm), so time is offset/velocity.

use crate::params::VolumeConductor;

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

/// Tabulated SFAPs of the line-source model.
#[derive(Debug, Clone)]
pub struct LineSource {
    radii_um: Vec<f64>,
    /// Row-major: `table[ri * nx + xi]`, µV for the reference diameter.
    table: Vec<f32>,
    nx: usize,
    mfcv_slope: f64,
    mfcv_intercept: f64,
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
            mfcv_slope: p.mfcv_slope,
            mfcv_intercept: p.mfcv_intercept,
        }
    }

    /// Conduction velocity (m/s = mm/ms) of a fibre of diameter `d_um` (Blijham et al. 2006).
    pub fn velocity(&self, d_um: f64) -> f64 {
        (self.mfcv_slope * d_um + self.mfcv_intercept).max(0.5)
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
    /// distance; `d_um` the fibre diameter; `amp` a gain (1 for a normal fibre).
    pub fn add_sfap(
        &self,
        out: &mut [f64],
        fs_hz: f64,
        t_front_ms: f64,
        r_um: f64,
        d_um: f64,
        amp: f64,
    ) {
        let v = self.velocity(d_um);
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
        ls.add_sfap(&mut near, fs, 10.0, 50.0, 50.0, 1.0);
        ls.add_sfap(&mut far, fs, 10.0, 500.0, 50.0, 1.0);
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
    fn velocity_follows_blijham() {
        let p = Params::embedded().unwrap();
        let ls = LineSource::new(&p.volume);
        assert!((ls.velocity(50.0) - 3.45).abs() < 1e-9);
    }
}
