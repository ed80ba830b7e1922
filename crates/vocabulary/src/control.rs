//! Progress reporting and cooperative cancellation of long work.
//!
//! A [`Control`] is handed to every long operation: the operation reports how many of its units
//! of work (draws, runs, days) are done, and checks between units whether it has been cancelled.
//! The CLI turns progress into a bar, the server into Server-Sent Events; a cancelled operation
//! returns [`Cancelled`] at the next unit boundary and leaves nothing half-written.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The operation was cancelled before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled before it finished")]
pub struct Cancelled;

type Listener = dyn Fn(u64, u64) + Send + Sync;

/// Progress and cancellation for one operation. Cheap to clone: clones share the same state.
#[derive(Clone, Default)]
pub struct Control {
    cancelled: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    listener: Option<Arc<Listener>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("cancelled", &self.is_cancelled())
            .field("done", &self.done())
            .field("total", &self.total())
            .finish()
    }
}

impl Control {
    /// A control that nobody listens to and nobody cancels.
    pub fn new() -> Control {
        Control::default()
    }

    /// A control that calls `listener(done, total)` whenever progress is made.
    pub fn with_listener(listener: impl Fn(u64, u64) + Send + Sync + 'static) -> Control {
        Control {
            listener: Some(Arc::new(listener)),
            ..Control::default()
        }
    }

    /// Asks the operation to stop at its next unit boundary.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`Control::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// `Err(Cancelled)` if cancelled: call between units of work.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Adds `n` units to the expected total (an operation may announce its work in parts).
    pub fn add_total(&self, n: u64) {
        let total = self.total.fetch_add(n, Ordering::SeqCst) + n;
        self.notify(self.done(), total);
    }

    /// Records `n` finished units.
    pub fn advance(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::SeqCst) + n;
        self.notify(done, self.total());
    }

    /// Units finished so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::SeqCst)
    }

    /// Units announced so far.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    fn notify(&self, done: u64, total: u64) {
        if let Some(l) = &self.listener {
            l(done, total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_cancellation_and_progress() {
        let seen = Arc::new(AtomicU64::new(0));
        let s = seen.clone();
        let c = Control::with_listener(move |done, _| s.store(done, Ordering::SeqCst));
        let d = c.clone();
        c.add_total(10);
        d.advance(3);
        assert_eq!(c.done(), 3);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        assert!(c.check().is_ok());
        d.cancel();
        assert_eq!(c.check(), Err(Cancelled));
    }
}
