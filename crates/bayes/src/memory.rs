//! Allocation of large potentials. On Linux a potential of at least 4 MiB is advised to the
//! kernel as a candidate for transparent huge pages (`madvise(MADV_HUGEPAGE)`), before it is
//! first touched: first-touch page faults fall 512-fold, which matters for MUNIN1's 1.6 GB of
//! clique potentials. Elsewhere, or if the advice is refused, nothing changes but speed.

/// Potentials at least this large (in `f64`s) get the huge-page advice.
const HUGE_MIN: usize = 1 << 19;

/// A zeroed vector of `n` floats.
pub(crate) fn zeroed(n: usize) -> Vec<f64> {
    let v = vec![0.0f64; n];
    if n >= HUGE_MIN {
        advise_huge(&v);
    }
    v
}

#[cfg(target_os = "linux")]
fn advise_huge(v: &[f64]) {
    const PAGE: usize = 4096;
    let start = v.as_ptr() as usize;
    let end = start + std::mem::size_of_val(v);
    let aligned = start.div_ceil(PAGE) * PAGE;
    if end > aligned + PAGE {
        let len = (end - aligned) / PAGE * PAGE;
        // SAFETY: the range lies inside the allocation of `v`, starts on a page boundary and is
        // a whole number of pages; MADV_HUGEPAGE is advice only and changes no contents.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_v: &[f64]) {}
