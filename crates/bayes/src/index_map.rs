//! Index maps between a clique potential and a factor over a subset of its variables.
//!
//! A potential is a flat row-major `f64` array over its variables (last variable fastest). The
//! entry of a sub-factor that corresponds to clique entry `i` is `Σ_d digit_d(i) · stride_d`,
//! where `stride_d` is the sub-factor's stride of clique dimension `d` (0 if absent). Adjacent
//! clique dimensions whose sub-factor strides chain (`stride_d = stride_{d+1} · card_{d+1}`,
//! including two absent ones) are merged once at compile time, so every operation walks the
//! clique as a few long contiguous *runs*: the innermost merged dimension, with a constant
//! sub-factor stride (0: one sub-factor entry for the whole run; 1: both contiguous). The outer
//! dimensions advance with an odometer held in a fixed-size array: no allocation per message.

/// Most merged dimensions a map can have (each has at least 2 states, and no clique has
/// 2^64 states).
const MAX_DIMS: usize = 64;

/// A compiled map from a clique's entries to a sub-factor's entries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexMap {
    /// Merged outer dimensions `(count, sub_stride)`, outermost first.
    outer: Vec<(usize, usize)>,
    /// Length of a run (innermost merged dimension).
    pub(crate) run: usize,
    /// Sub-factor stride inside a run.
    pub(crate) run_stride: usize,
    /// Number of runs (product of outer counts).
    pub(crate) runs: usize,
}

impl IndexMap {
    /// Builds the map. `clique_cards[d]` and `sub_strides[d]` for each clique dimension.
    pub(crate) fn new(clique_cards: &[usize], sub_strides: &[usize]) -> Self {
        let mut dims: Vec<(usize, usize)> = Vec::new();
        for (&c, &s) in clique_cards.iter().zip(sub_strides) {
            if c == 1 {
                continue;
            }
            if let Some(last) = dims.last_mut().filter(|l| l.1 == s * c) {
                *last = (last.0 * c, s);
                continue;
            }
            dims.push((c, s));
        }
        let (run, run_stride) = dims.pop().unwrap_or((1, 0));
        assert!(
            dims.len() <= MAX_DIMS,
            "index map with more than {MAX_DIMS} dimensions"
        );
        let runs = dims.iter().map(|d| d.0).product();
        IndexMap {
            outer: dims,
            run,
            run_stride,
            runs,
        }
    }

    /// Map from a clique over `clique_vars` to a factor over `sub_vars` (row-major in that
    /// order); every sub variable must be in the clique.
    pub(crate) fn between(clique_vars: &[usize], cards: &[usize], sub_vars: &[usize]) -> Self {
        let mut sub_stride_of = vec![0usize; sub_vars.len()];
        let mut s = 1;
        for k in (0..sub_vars.len()).rev() {
            sub_stride_of[k] = s;
            s *= cards[sub_vars[k]];
        }
        let ccards: Vec<usize> = clique_vars.iter().map(|&v| cards[v]).collect();
        let strides: Vec<usize> = clique_vars
            .iter()
            .map(|v| {
                sub_vars
                    .iter()
                    .position(|u| u == v)
                    .map(|k| sub_stride_of[k])
                    .unwrap_or(0)
            })
            .collect();
        debug_assert!(sub_vars.iter().all(|v| clique_vars.contains(v)));
        Self::new(&ccards, &strides)
    }

    /// Calls `f(clique_offset, sub_offset)` for each run with index in `first..last`.
    #[inline]
    pub(crate) fn for_runs(&self, first: usize, last: usize, mut f: impl FnMut(usize, usize)) {
        if first >= last {
            return;
        }
        let n = self.outer.len();
        let mut ctr = [0usize; MAX_DIMS];
        // Decompose `first` into odometer digits.
        let mut rem = first;
        let mut j = 0usize;
        for k in (0..n).rev() {
            let (c, s) = self.outer[k];
            ctr[k] = rem % c;
            rem /= c;
            j += ctr[k] * s;
        }
        let mut i = first * self.run;
        for _ in first..last {
            f(i, j);
            i += self.run;
            let mut k = n;
            while k > 0 {
                k -= 1;
                let (c, s) = self.outer[k];
                ctr[k] += 1;
                j += s;
                if ctr[k] < c {
                    break;
                }
                ctr[k] = 0;
                j -= s * c;
            }
        }
    }

    /// `dst[j] += Σ src[i]` over the clique entries `i` of runs `first..last` (dst not cleared).
    pub(crate) fn marginalize_add(&self, src: &[f64], dst: &mut [f64], first: usize, last: usize) {
        let (run, rs) = (self.run, self.run_stride);
        match rs {
            0 => self.for_runs(first, last, |i, j| {
                dst[j] += src[i..i + run].iter().sum::<f64>();
            }),
            1 => self.for_runs(first, last, |i, j| {
                for (d, s) in dst[j..j + run].iter_mut().zip(&src[i..i + run]) {
                    *d += *s;
                }
            }),
            _ => self.for_runs(first, last, |i, j| {
                for (t, s) in src[i..i + run].iter().enumerate() {
                    dst[j + t * rs] += *s;
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_marginalizes() {
        // clique (a:2, b:3, c:2), sub (c, a)
        let cards = [2, 3, 2];
        let m = IndexMap::between(&[0, 1, 2], &cards, &[2, 0]);
        let src: Vec<f64> = (0..12).map(|x| x as f64).collect();
        let mut dst = vec![0.0; 4];
        m.marginalize_add(&src, &mut dst, 0, m.runs);
        // dst[c*2 + a] = Σ_b src[a*6 + b*2 + c]
        let mut want = [0.0; 4];
        for a in 0..2 {
            for b in 0..3 {
                for c in 0..2 {
                    want[c * 2 + a] += src[a * 6 + b * 2 + c];
                }
            }
        }
        assert_eq!(dst, want);
        // prefix sub (a, b) merges into one contiguous dim
        let p = IndexMap::between(&[0, 1, 2], &cards, &[0, 1]);
        assert_eq!((p.runs, p.run, p.run_stride), (6, 2, 0));
    }
}
