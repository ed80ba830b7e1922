//! Allocation of large potentials. On Linux a potential of at least 4 MiB is advised to the
//! kernel as a candidate for transparent huge pages (`madvise(MADV_HUGEPAGE)`), before it is
//! first touched: first-touch page faults fall 512-fold, which matters for MUNIN1's 1.6 GB of
//! clique potentials. Elsewhere, or if the advice is refused, nothing changes but speed.

/// The budget when nothing else is said: 12 GiB, or half the machine's physical memory if
/// that is less, or half the process's address-space limit (`ulimit -v`) if one is set and
/// that is less. Every size read from input (BIF text, tables, junction-tree buffers) is
/// checked against it before allocation, so a network that does not fit is refused with an
/// error instead of aborting the process on a failed allocation.
pub fn default_budget_bytes() -> u128 {
    let mut b: u128 = 12 << 30;
    if let Some(p) = physical_bytes() {
        b = b.min(p / 2);
    }
    if let Some(l) = address_space_limit() {
        b = b.min(l / 2);
    }
    b
}

#[cfg(target_os = "linux")]
fn physical_bytes() -> Option<u128> {
    // SAFETY: sysconf reads a system constant; it has no preconditions.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && size > 0).then(|| pages as u128 * size as u128)
}

#[cfg(target_os = "linux")]
fn address_space_limit() -> Option<u128> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `r` is a valid, writable rlimit; getrlimit only writes it.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut r) };
    (rc == 0 && r.rlim_cur != libc::RLIM_INFINITY).then_some(r.rlim_cur as u128)
}

#[cfg(not(target_os = "linux"))]
fn physical_bytes() -> Option<u128> {
    None
}

#[cfg(not(target_os = "linux"))]
fn address_space_limit() -> Option<u128> {
    None
}

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
