//! Comparing a time course with a reference course: the one check the equivalence tests of the
//! event-driven engine use (issue 13), in the twin, the clinic and the calibration runner.
//!
//! Two agreements are checked:
//! * [`Agreement::Exact`] — every quantity bit for bit and every event day equal. This is what
//!   [`crate::Simulation::step_to`] guarantees against stepping every day with the same
//!   [`crate::Stepper`] (it changes only which work is skipped, never the arithmetic).
//! * [`Agreement::Close`] — what the issue asks of the event bookkeeping ([`crate::Stepper::Event`])
//!   against the day stepper ([`crate::Stepper::Day`]): every quantity within 0.5 % relative or
//!   1e-6 absolute, and every event day within one day. A count or a grade (the [`STEPPED`]
//!   quantities, thresholds of continuous quantities) may instead take the reference's value of
//!   the day before or after: a threshold crossed a day apart.
//!
//! The course compared may be sparse (only the days something reads): each of its days is
//! compared with the reference's day of the same number.

use crate::quantities::{Events, Quantities};

/// How closely a course must agree with its reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Bit for bit (quantities) and to the day (events).
    Exact,
    /// 0.5 % relative or 1e-6 absolute; events and stepped quantities within one day.
    Close,
}

/// Quantities that count units or grade a continuous quantity (they move in whole steps).
pub const STEPPED: &[&str] = &[
    "mrc_grade",
    "fibrillation_grade",
    "motor_unit_count",
    "motor_unit_count_fraction",
    "voluntary_unit_count",
    "voluntary_unit_count_fraction",
    "native_unit_count_fraction",
    "regenerated_unit_fraction",
    "nascent_unit_fraction",
    "motor_unit_size_fraction",
    "conduction_block_fraction",
    "oldest_reconnection_days",
];

impl Agreement {
    /// Whether two values of a quantity agree.
    pub fn values(self, a: f64, b: f64) -> bool {
        match self {
            Agreement::Exact => a.to_bits() == b.to_bits(),
            Agreement::Close => {
                let diff = (a - b).abs();
                diff <= 1e-6 || diff <= 0.005 * a.abs().max(b.abs())
            }
        }
    }

    /// Whether two event days agree (both reached, or neither).
    pub fn days(self, a: Option<u32>, b: Option<u32>) -> bool {
        match (self, a, b) {
            (Agreement::Exact, a, b) => a == b,
            (Agreement::Close, Some(x), Some(y)) => x.abs_diff(y) <= 1,
            (Agreement::Close, None, None) => true,
            _ => false,
        }
    }
}

/// The sparse read days the equivalence tests step to (a recorder that reads weekly, on a few
/// odd days around the usual events, and at the horizon), from day 1 to `horizon`.
pub fn sparse_read_days(horizon: u32) -> Vec<u32> {
    let mut v: Vec<u32> = (1..=horizon)
        .filter(|d| d % 7 == 0 || [1, 3, 10, 45, 46, 200, 365].contains(d))
        .collect();
    if v.last() != Some(&horizon) {
        v.push(horizon);
    }
    v
}

/// Every disagreement of `course` (any days, each compared with the reference's day of the same
/// number) with `reference` (every day from day 0), one line of text each, prefixed by `name`.
pub fn course_disagreements(
    name: &str,
    course: &[Quantities],
    reference: &[Quantities],
    agreement: Agreement,
) -> Vec<String> {
    let mut out = Vec::new();
    for q in course {
        let d = q.day as usize;
        let Some(r) = reference.get(d) else {
            out.push(format!(
                "{name}: day {d} is past the reference's last day {}",
                reference.len().saturating_sub(1)
            ));
            continue;
        };
        if r.day != q.day {
            out.push(format!(
                "{name}: the reference's entry {d} is day {}",
                r.day
            ));
            continue;
        }
        for name_q in Quantities::NAMES {
            let (e, x) = (value(q, name_q), value(r, name_q));
            if agreement.values(e, x) {
                continue;
            }
            let shifted = agreement == Agreement::Close
                && STEPPED.contains(name_q)
                && [d.wrapping_sub(1), d + 1].iter().any(|&n| {
                    n < reference.len() && agreement.values(e, value(&reference[n], name_q))
                });
            if !shifted {
                out.push(format!("{name}: {name_q} on day {d}: {e}, reference {x}"));
            }
        }
    }
    out
}

/// Every disagreement of `events` with the `reference` events, one line of text each.
pub fn event_disagreements(
    name: &str,
    events: &Events,
    reference: &Events,
    agreement: Agreement,
) -> Vec<String> {
    let mut out = Vec::new();
    for ev in Events::NAMES {
        let (e, r) = (event(events, ev), event(reference, ev));
        if !agreement.days(e, r) {
            out.push(format!("{name}: {ev}: {e:?}, reference {r:?}"));
        }
    }
    out
}

fn value(q: &Quantities, name: &str) -> f64 {
    q.get(name)
        .unwrap_or_else(|| unreachable!("{name} is one of Quantities::NAMES"))
}

fn event(e: &Events, name: &str) -> Option<u32> {
    e.get(name)
        .unwrap_or_else(|| unreachable!("{name} is one of Events::NAMES"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(days: u32, mass: f64) -> Vec<Quantities> {
        (0..=days)
            .map(|d| Quantities {
                day: d,
                muscle_mass_fraction: mass,
                ..Quantities::default()
            })
            .collect()
    }

    #[test]
    fn exact_sees_one_bit_and_close_sees_more_than_half_a_percent() {
        let r = course(3, 1.0);
        let one_bit = course(3, f64::from_bits(1.0f64.to_bits() + 1));
        assert_eq!(
            course_disagreements("x", &one_bit, &r, Agreement::Exact).len(),
            4
        );
        assert!(course_disagreements("x", &one_bit, &r, Agreement::Close).is_empty());
        let off = course(3, 0.994);
        assert_eq!(
            course_disagreements("x", &off, &r, Agreement::Close).len(),
            4
        );
        // A sparse course is compared on its own days only.
        assert!(course_disagreements("x", &r[2..3], &r, Agreement::Exact).is_empty());
    }

    #[test]
    fn event_days_within_one_day_only_when_close() {
        let a = Events {
            mrc_3_day: Some(10),
            ..Events::default()
        };
        let b = Events {
            mrc_3_day: Some(11),
            ..Events::default()
        };
        assert!(event_disagreements("x", &a, &b, Agreement::Close).is_empty());
        assert_eq!(event_disagreements("x", &a, &b, Agreement::Exact).len(), 1);
        let never = Events::default();
        assert_eq!(
            event_disagreements("x", &a, &never, Agreement::Close).len(),
            1
        );
    }
}
