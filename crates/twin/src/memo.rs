//! Per-thread memory of the last few results of a pure set-up function (the day tables a
//! simulation builds from its coefficients), keyed by the exact bits of every input: a result
//! is copied only for the same inputs, so the numbers are the ones computing it gives, and
//! whatever the thread or the order of the runs.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Results kept per function and thread.
const KEEP: usize = 4;

/// The remembered results of one function on one thread.
pub(crate) struct Memo<K, T> {
    entries: RefCell<Vec<(K, T)>>,
}

impl<K, T> Default for Memo<K, T> {
    fn default() -> Self {
        Memo {
            entries: RefCell::new(Vec::with_capacity(KEEP)),
        }
    }
}

/// The result of `compute` for `key`: a copy of the remembered one, or computed and
/// remembered (the oldest of [`KEEP`] forgotten).
pub(crate) fn cached<K: PartialEq + 'static, T: Clone + 'static>(
    memo: &'static LocalKey<Memo<K, T>>,
    key: K,
    compute: impl FnOnce() -> T,
) -> T {
    if let Some(hit) = memo.with(|m| {
        m.entries
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }) {
        return hit;
    }
    let value = compute();
    memo.with(|m| {
        let mut e = m.entries.borrow_mut();
        if e.len() >= KEEP {
            e.remove(0);
        }
        e.push((key, value.clone()));
    });
    value
}
