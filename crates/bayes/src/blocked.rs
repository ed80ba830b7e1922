//! Fused, blocked passes over a clique potential.
//!
//! A clique potential is walked in *blocks*: the innermost dimensions whose product first
//! reaches [`BLOCK_MIN`] states form one block (contiguous in the clique), the outer dimensions
//! advance with an odometer. For every factor the clique exchanges values with (assigned CPTs,
//! messages from children, the separator towards the parent) the offsets of the block's entries
//! in that factor are tabulated once at compile time, as runs: the innermost merged dimension
//! of the block for that factor (offsets constant inside a run: multiply by one scalar, or sum
//! the run and add once; consecutive: a contiguous, vectorisable loop; else strided). One pass computes, block
//! by block, `φ = base × Π inputs` (written in place), then scatters `φ` into each output
//! (marginalisation onto separators) while the block is still in L1 cache. A collect step of
//! the Hugin scheme is therefore one pass over the clique, and so is a distribute step, however
//! many neighbours the clique has.
//!
//! Large cliques are cut into a fixed number of chunks of blocks (a function of the sizes only,
//! never of the thread count); each chunk marginalises into its own partial buffers, added in
//! chunk order, so results are bit-identical on any number of threads.

use rayon::prelude::*;

/// Minimum number of states in a block (when the clique has that many).
pub(crate) const BLOCK_MIN: usize = 512;
/// Potentials at least this large are processed in parallel chunks.
pub(crate) const PAR_MIN_STATES: usize = 1 << 18;

#[derive(Debug, Clone, PartialEq)]
struct FactorMap {
    /// Factor stride of each outer dimension.
    outer_strides: Vec<usize>,
    /// A block is a sequence of runs of `run` entries; inside a run the factor offset advances
    /// by `stride` (0: one factor entry for the whole run, 1: contiguous).
    run: usize,
    stride: usize,
    /// Factor offset of the first entry of each run of a block.
    starts: Vec<u32>,
}

/// Output buffers of a pass: (map index, buffer).
type Outputs<'a> = Vec<(usize, &'a mut [f64])>;

/// A clique's layout with the tabulated maps to a list of factors.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blocked {
    block: usize,
    outer: Vec<usize>,
    blocks: usize,
    maps: Vec<FactorMap>,
}

impl Blocked {
    /// `cards`: the clique's cardinalities in layout order; `factors[k][d]`: stride of clique
    /// dimension `d` in factor `k` (0 if absent).
    pub(crate) fn new(cards: &[usize], factors: &[Vec<usize>]) -> Self {
        let n = cards.len();
        let mut split = n;
        let mut block = 1usize;
        while split > 0 && block < BLOCK_MIN {
            split -= 1;
            block *= cards[split];
        }
        let outer = cards[..split].to_vec();
        let blocks = outer.iter().product();
        let inner = &cards[split..];
        let maps = factors
            .iter()
            .map(|strides| {
                let st = &strides[split..];
                // Innermost merged dimension of the block for this factor.
                let (mut run, mut stride, mut d) = (1usize, 0usize, inner.len());
                while d > 0 {
                    let (c, s) = (inner[d - 1], st[d - 1]);
                    if c == 1 {
                        d -= 1;
                        continue;
                    }
                    if run == 1 {
                        run = c;
                        stride = s;
                    } else if s == stride * run {
                        run *= c;
                    } else {
                        break;
                    }
                    d -= 1;
                }
                let mut starts = Vec::with_capacity(block / run);
                let mut digits = vec![0usize; inner.len()];
                for e in 0..block {
                    if e % run == 0 {
                        let off: usize = digits.iter().zip(st).map(|(d, s)| d * s).sum();
                        starts.push(u32::try_from(off).unwrap_or(u32::MAX));
                    }
                    for k in (0..digits.len()).rev() {
                        digits[k] += 1;
                        if digits[k] < inner[k] {
                            break;
                        }
                        digits[k] = 0;
                    }
                }
                FactorMap {
                    outer_strides: strides[..split].to_vec(),
                    run,
                    stride,
                    starts,
                }
            })
            .collect();
        Blocked {
            block,
            outer,
            blocks,
            maps,
        }
    }

    /// Number of states of the clique.
    pub(crate) fn size(&self) -> usize {
        self.blocks * self.block
    }

    /// Walks blocks `first..last` with the factor offsets of every map.
    #[inline]
    fn for_blocks(&self, first: usize, last: usize, mut f: impl FnMut(usize, &[usize])) {
        let n = self.outer.len();
        let m = self.maps.len();
        let mut ctr = vec![0usize; n];
        let mut off = vec![0usize; m];
        let mut rem = first;
        for d in (0..n).rev() {
            ctr[d] = rem % self.outer[d];
            rem /= self.outer[d];
            for (o, map) in off.iter_mut().zip(&self.maps) {
                *o += ctr[d] * map.outer_strides[d];
            }
        }
        for b in first..last {
            f(b, &off);
            let mut d = n;
            while d > 0 {
                d -= 1;
                ctr[d] += 1;
                let wrap = ctr[d] == self.outer[d];
                for (o, map) in off.iter_mut().zip(&self.maps) {
                    let s = map.outer_strides[d];
                    *o += s;
                    if wrap {
                        *o -= s * self.outer[d];
                    }
                }
                if !wrap {
                    break;
                }
                ctr[d] = 0;
            }
        }
    }

    /// One pass over blocks `blocks`: each block starts as `scale`, is multiplied by each
    /// input `(map, factor)`, then added into each output `(map, buffer)`. The block lives in a
    /// buffer of its own: the clique potential is never stored.
    fn pass_range(
        &self,
        scale: f64,
        inputs: &[(usize, &[f64])],
        outputs: &mut [(usize, &mut [f64])],
        blocks: std::ops::Range<usize>,
    ) {
        let (first, last) = (blocks.start, blocks.end);
        let l = self.block;
        let mut buf = vec![0.0f64; l];
        self.for_blocks(first, last, |_, off| {
            let x = &mut buf[..];
            x.fill(scale);
            for &(k, f) in inputs {
                let map = &self.maps[k];
                let (o, r) = (off[k], map.run);
                match map.stride {
                    0 => {
                        for (xs, &st) in x.chunks_exact_mut(r).zip(&map.starts) {
                            let c = f[o + st as usize];
                            for v in xs {
                                *v *= c;
                            }
                        }
                    }
                    1 => {
                        for (xs, &st) in x.chunks_exact_mut(r).zip(&map.starts) {
                            let b = o + st as usize;
                            for (v, c) in xs.iter_mut().zip(&f[b..b + r]) {
                                *v *= *c;
                            }
                        }
                    }
                    s => {
                        for (xs, &st) in x.chunks_exact_mut(r).zip(&map.starts) {
                            let b = o + st as usize;
                            for (t, v) in xs.iter_mut().enumerate() {
                                *v *= f[b + t * s];
                            }
                        }
                    }
                }
            }
            for (k, out) in outputs.iter_mut() {
                let map = &self.maps[*k];
                let (o, r) = (off[*k], map.run);
                match map.stride {
                    0 => {
                        for (xs, &st) in x.chunks_exact(r).zip(&map.starts) {
                            out[o + st as usize] += xs.iter().sum::<f64>();
                        }
                    }
                    1 => {
                        for (xs, &st) in x.chunks_exact(r).zip(&map.starts) {
                            let b = o + st as usize;
                            for (d, v) in out[b..b + r].iter_mut().zip(xs) {
                                *d += *v;
                            }
                        }
                    }
                    s => {
                        for (xs, &st) in x.chunks_exact(r).zip(&map.starts) {
                            let b = o + st as usize;
                            for (t, v) in xs.iter().enumerate() {
                                out[b + t * s] += *v;
                            }
                        }
                    }
                }
            }
        });
    }

    /// One fused pass over the whole clique (see [`Blocked::pass_range`]); outputs are cleared
    /// first. Large cliques run in a fixed number of chunks; `scratch` (grown once, then reused)
    /// holds the partial outputs of the chunks after the first, added in chunk order.
    pub(crate) fn pass(
        &self,
        scale: f64,
        inputs: &[(usize, &[f64])],
        outputs: &mut [(usize, &mut [f64])],
        scratch: &mut Vec<f64>,
    ) {
        for (_, o) in outputs.iter_mut() {
            o.fill(0.0);
        }
        let size = self.blocks * self.block;
        let out_len: usize = outputs.iter().map(|(_, o)| o.len()).sum();
        let chunks = if size < PAR_MIN_STATES || self.blocks < 16 {
            1
        } else if out_len * 3 * 8 <= size {
            4
        } else if out_len * 4 <= size {
            2
        } else {
            1
        };
        if chunks == 1 {
            return self.pass_range(scale, inputs, outputs, 0..self.blocks);
        }
        let need = (chunks - 1) * out_len;
        if scratch.len() < need {
            scratch.resize(need, 0.0);
        }
        let per = self.blocks.div_ceil(chunks);
        // Partial outputs of chunks 1.. laid out chunk after chunk in `scratch`.
        let mut partials: Vec<(usize, Outputs<'_>)> = Vec::with_capacity(chunks - 1);
        let mut rest: &mut [f64] = &mut scratch[..need];
        for k in 1..chunks {
            let mut v = Vec::with_capacity(outputs.len());
            for (map, o) in outputs.iter() {
                let (a, b) = rest.split_at_mut(o.len());
                a.fill(0.0);
                v.push((*map, a));
                rest = b;
            }
            partials.push((k, v));
        }
        let range = |k: usize| (k * per).min(self.blocks)..((k + 1) * per).min(self.blocks);
        rayon::join(
            || self.pass_range(scale, inputs, outputs, range(0)),
            || {
                partials.par_iter_mut().for_each(|(k, outs)| {
                    self.pass_range(scale, inputs, outs, range(*k));
                });
            },
        );
        for (_, part) in &partials {
            for ((_, o), (_, p)) in outputs.iter_mut().zip(part) {
                for (d, s) in o.iter_mut().zip(p.iter()) {
                    *d += *s;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_pass_matches_a_direct_computation() {
        // clique (a:3, b:4, c:5, d:7) = 420 states; factors: f over (c, a), g over (d).
        let cards = [3, 4, 5, 7];
        let f: Vec<f64> = (0..15).map(|x| 1.0 + x as f64).collect();
        let g: Vec<f64> = (0..7).map(|x| 0.5 + x as f64).collect();
        // maps: f, g, out over (b), and the whole clique (identity strides).
        let blk = Blocked::new(
            &cards,
            &[
                vec![1, 0, 3, 0],
                vec![0, 0, 0, 1],
                vec![0, 1, 0, 0],
                vec![140, 35, 7, 1],
            ],
        );
        let mut out = vec![0.0; 4];
        let mut whole = vec![0.0; 420];
        let mut scratch = Vec::new();
        blk.pass(
            2.0,
            &[(0, &f), (1, &g)],
            &mut [(2, &mut out), (3, &mut whole)],
            &mut scratch,
        );
        let mut want = [0.0; 4];
        for a in 0..3 {
            for b in 0..4 {
                for c in 0..5 {
                    for d in 0..7 {
                        let v = 2.0 * f[c * 3 + a] * g[d];
                        assert_eq!(whole[((a * 4 + b) * 5 + c) * 7 + d], v);
                        want[b] += v;
                    }
                }
            }
        }
        for (o, w) in out.iter().zip(want) {
            assert!((o - w).abs() < 1e-9 * w);
        }
    }
}
