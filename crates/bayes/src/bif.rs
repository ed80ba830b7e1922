//! Reader for the BIF (Bayesian Interchange Format, Cozman 1998) text format, as written by
//! pgmpy and the bnlearn repository: `network`, `variable … { type discrete [ n ] { … }; }` and
//! `probability ( child | parents ) { table …; | ( states ) …; }` blocks, `//` and `/* */`
//! comments, `property` lines (ignored). Errors give line and column. A `table` line for a
//! variable with parents is rejected (its value order is ambiguous between writers); `default`
//! rows fill the configurations not listed.

use std::io::Read;

use crate::error::{BayesError, Result};
use crate::network::{Network, VarId};

/// How table entries are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValuePrecision {
    /// Each entry is the nearest `f64` to its decimal text.
    #[default]
    Double,
    /// Each entry is rounded to the nearest `f32` first, then held as `f64`. pyAgrum 3.3.1's
    /// BIF reader stores entries this way: on `asia` the exact (double) posteriors of the
    /// reference cases differ from its output by up to 1.5e-8, the single-rounded ones by at
    /// most 5e-11 (measured; see `docs/bayes.md`). Use this to compare with pyAgrum at 1e-9.
    Single,
}

/// Options of the BIF reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BifOptions {
    /// Precision of table entries.
    pub precision: ValuePrecision,
    /// Most bytes reading may take. The text (after decompression) counts
    /// [`BYTES_PER_TEXT_BYTE`] bytes per byte (a token can start at every byte), each table
    /// entry 16 bytes (the table is built, then copied into the network). Every size is
    /// checked before it is allocated; a file over the budget is refused with
    /// [`BayesError::Limit`]. Default [`crate::default_budget_bytes`].
    pub memory_budget_bytes: u128,
}

impl Default for BifOptions {
    fn default() -> Self {
        BifOptions {
            precision: ValuePrecision::default(),
            memory_budget_bytes: crate::memory::default_budget_bytes(),
        }
    }
}

/// Bytes of reader memory counted per byte of BIF text: the text itself and at most one token
/// (line, column and a slice: 40 bytes) per byte.
pub const BYTES_PER_TEXT_BYTE: u128 = 48;

/// Bytes counted per table entry: the table being filled and its copy in the network.
const BYTES_PER_ENTRY: u128 = 16;

fn text_limit(opts: &BifOptions) -> u128 {
    opts.memory_budget_bytes / BYTES_PER_TEXT_BYTE
}

fn text_too_long(len: u128, opts: &BifOptions) -> BayesError {
    BayesError::Limit {
        what: "the BIF text (bytes, after decompression)".into(),
        value: len,
        limit: text_limit(opts),
        raise: format!(
            "raise `BifOptions::memory_budget_bytes` ({} bytes; {BYTES_PER_TEXT_BYTE} per byte of text)",
            opts.memory_budget_bytes
        ),
    }
}

/// Reads a network from gzip-compressed BIF bytes (or plain BIF bytes: the gzip magic number
/// is checked first).
pub fn parse_gz(bytes: &[u8]) -> Result<Network> {
    parse_gz_with(bytes, &BifOptions::default())
}

/// [`parse_gz`] with options.
pub fn parse_gz_with(bytes: &[u8], opts: &BifOptions) -> Result<Network> {
    if bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
        // Decompress at most one byte past the limit: a gzip bomb stops there.
        let limit = text_limit(opts);
        let cap = u64::try_from(limit.saturating_add(1)).unwrap_or(u64::MAX);
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(cap)
            .read_to_string(&mut text)
            .map_err(|e| BayesError::Gzip {
                message: e.to_string(),
            })?;
        if text.len() as u128 > limit {
            return Err(text_too_long(text.len() as u128, opts));
        }
        parse_str_with(&text, opts)
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| BayesError::Gzip {
            message: format!("not gzip and not UTF-8: {e}"),
        })?;
        parse_str_with(text, opts)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Punct(char),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    line: usize,
    column: usize,
}

fn err(line: usize, column: usize, message: impl Into<String>) -> BayesError {
    BayesError::Parse {
        line,
        column,
        message: message.into(),
    }
}

/// Column (1-based, in characters) of byte `i` on the line starting at byte `line_start`.
/// Positions are asked in increasing order, so the count resumes from the last one asked on the
/// same line: linear in the line's length, not quadratic (a network written on one line).
struct Columns<'a> {
    text: &'a str,
    /// (line start, byte, column of that byte) of the last answer.
    last: (usize, usize, usize),
}

impl Columns<'_> {
    fn at(&mut self, i: usize, line_start: usize) -> usize {
        let (ls, b, c) = self.last;
        let (from, base) = if ls == line_start && b <= i {
            (b, c)
        } else {
            (line_start, 1)
        };
        let col = base + self.text[from..i].chars().count();
        self.last = (line_start, i, col);
        col
    }
}

fn tokenize(text: &str) -> Result<Vec<Token<'_>>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut columns = Columns {
        text,
        last: (0, 0, 1),
    };
    let mut col = |i: usize, line_start: usize| columns.at(i, line_start);
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' {
            i += 1;
            line += 1;
            line_start = i;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let (l0, c0) = (line, col(i, line_start));
            i += 2;
            loop {
                if i + 1 >= bytes.len() {
                    return Err(err(l0, c0, "unterminated /* comment"));
                }
                if bytes[i] == b'*' && bytes[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                if bytes[i] == b'\n' {
                    line += 1;
                    line_start = i + 1;
                }
                i += 1;
            }
        } else if b"{}()[];,|".contains(&c) {
            out.push(Token {
                tok: Tok::Punct(c as char),
                line,
                column: col(i, line_start),
            });
            i += 1;
        } else if c == b'"' {
            let (l0, c0) = (line, col(i, line_start));
            let start = i + 1;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\n' {
                    return Err(err(l0, c0, "unterminated string"));
                }
                i += 1;
            }
            if i >= bytes.len() {
                return Err(err(l0, c0, "unterminated string"));
            }
            out.push(Token {
                tok: Tok::Word(&text[start..i]),
                line: l0,
                column: c0,
            });
            i += 1;
        } else {
            let start = i;
            while i < bytes.len() {
                let d = bytes[i];
                if d.is_ascii_whitespace() || b"{}()[];,|\"".contains(&d) {
                    break;
                }
                if d == b'/' && matches!(bytes.get(i + 1), Some(b'/') | Some(b'*')) {
                    break;
                }
                i += 1;
            }
            // `start..i` lies on char boundaries: the loop stops only at ASCII bytes.
            out.push(Token {
                tok: Tok::Word(&text[start..i]),
                line,
                column: col(start, line_start),
            });
        }
    }
    out.push(Token {
        tok: Tok::End,
        line,
        column: col(bytes.len(), line_start),
    });
    Ok(out)
}

fn describe(t: Tok<'_>) -> String {
    match t {
        Tok::Word(w) => format!("`{}`", crate::error::cut(w)),
        Tok::Punct(c) => format!("`{c}`"),
        Tok::End => "end of input".into(),
    }
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
}

struct ProbBlock<'a> {
    child: Token<'a>,
    parents: Vec<Token<'a>>,
    /// `None` key: `table` or `default`; the bool says `default`.
    rows: Vec<Row<'a>>,
}

/// One line of a probability block: parent states (`None` for `table`/`default`), whether it
/// is `default`, the numbers with their tokens, and the line's first token.
type Row<'a> = (
    Option<Vec<Token<'a>>>,
    bool,
    Vec<(f64, Token<'a>)>,
    Token<'a>,
);

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.toks[self.pos]
    }
    fn next(&mut self) -> Token<'a> {
        let t = self.toks[self.pos];
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn expect_punct(&mut self, c: char) -> Result<Token<'a>> {
        let t = self.next();
        if t.tok == Tok::Punct(c) {
            Ok(t)
        } else {
            Err(err(
                t.line,
                t.column,
                format!("expected `{c}`, found {}", describe(t.tok)),
            ))
        }
    }
    fn word(&mut self, what: &str) -> Result<(&'a str, Token<'a>)> {
        let t = self.next();
        match t.tok {
            Tok::Word(w) => Ok((w, t)),
            other => Err(err(
                t.line,
                t.column,
                format!("expected {what}, found {}", describe(other)),
            )),
        }
    }
    fn skip_block(&mut self) -> Result<()> {
        let open = self.expect_punct('{')?;
        let mut depth = 1;
        while depth > 0 {
            let t = self.next();
            match t.tok {
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => depth -= 1,
                Tok::End => return Err(err(open.line, open.column, "unclosed `{`")),
                _ => {}
            }
        }
        Ok(())
    }
    fn skip_statement(&mut self) -> Result<()> {
        let start = self.peek();
        loop {
            let t = self.next();
            match t.tok {
                Tok::Punct(';') => return Ok(()),
                Tok::End | Tok::Punct('}') => {
                    return Err(err(start.line, start.column, "statement not ended by `;`"));
                }
                _ => {}
            }
        }
    }
    fn numbers(&mut self) -> Result<Vec<(f64, Token<'a>)>> {
        self.list(';', |p| {
            let (w, t) = p.word("a number")?;
            let v: f64 = w
                .parse()
                .map_err(|_| err(t.line, t.column, format!("expected a number, found `{w}`")))?;
            Ok((v, t))
        })
    }
    /// Reads `item (, item)*` ended by `close`: a state list `a, b }`, parents `p, q )`,
    /// numbers `0.1, 0.9 ;`.
    fn list<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        loop {
            out.push(item(self)?);
            let sep = self.next();
            match sep.tok {
                Tok::Punct(',') => {}
                Tok::Punct(c) if c == close => return Ok(out),
                other => {
                    return Err(err(
                        sep.line,
                        sep.column,
                        format!("expected `,` or `{close}`, found {}", describe(other)),
                    ));
                }
            }
        }
    }
}

/// Reads a network from BIF text.
pub fn parse_str(text: &str) -> Result<Network> {
    parse_str_with(text, &BifOptions::default())
}

/// [`parse_str`] with options.
pub fn parse_str_with(text: &str, opts: &BifOptions) -> Result<Network> {
    if text.len() as u128 > text_limit(opts) {
        return Err(text_too_long(text.len() as u128, opts));
    }
    let mut p = Parser {
        toks: tokenize(text)?,
        pos: 0,
    };
    let mut net = Network::new();
    let mut probs: Vec<ProbBlock<'_>> = Vec::new();
    loop {
        let t = p.next();
        match t.tok {
            Tok::End => break,
            Tok::Word("network") => {
                let (name, _) = p.word("a network name")?;
                net.name = name.to_string();
                p.skip_block()?;
            }
            Tok::Word("variable") => {
                let (name, nt) = p.word("a variable name")?;
                let shown = crate::error::cut(name);
                p.expect_punct('{')?;
                let mut states: Option<Vec<String>> = None;
                loop {
                    let t = p.next();
                    match t.tok {
                        Tok::Punct('}') => break,
                        Tok::Word("type") => {
                            let (kind, kt) = p.word("`discrete`")?;
                            if kind != "discrete" {
                                return Err(err(
                                    kt.line,
                                    kt.column,
                                    format!("expected `discrete`, found `{kind}`"),
                                ));
                            }
                            p.expect_punct('[')?;
                            let (n, ntok) = p.word("the number of states")?;
                            let n: usize = n.parse().map_err(|_| {
                                err(
                                    ntok.line,
                                    ntok.column,
                                    format!("expected a number of states, found `{n}`"),
                                )
                            })?;
                            p.expect_punct(']')?;
                            p.expect_punct('{')?;
                            let s = p.list('}', |p| Ok(p.word("a state name")?.0.to_string()))?;
                            if s.len() != n {
                                return Err(err(
                                    ntok.line,
                                    ntok.column,
                                    format!(
                                        "variable `{shown}` declares {n} states but lists {}",
                                        s.len()
                                    ),
                                ));
                            }
                            p.expect_punct(';')?;
                            states = Some(s);
                        }
                        Tok::Word("property") => p.skip_statement()?,
                        other => {
                            return Err(err(
                                t.line,
                                t.column,
                                format!(
                                    "expected `type`, `property` or `}}` in variable `{shown}`, found {}",
                                    describe(other)
                                ),
                            ));
                        }
                    }
                }
                let states = states.ok_or_else(|| {
                    err(
                        nt.line,
                        nt.column,
                        format!("variable `{shown}` has no `type discrete` line"),
                    )
                })?;
                net.add_variable(name, &states)
                    .map_err(|e| err(nt.line, nt.column, e.to_string()))?;
            }
            Tok::Word("probability") => {
                p.expect_punct('(')?;
                let (_, child) = p.word("a variable name")?;
                let mut parents = Vec::new();
                let t = p.next();
                match t.tok {
                    Tok::Punct(')') => {}
                    Tok::Punct('|') => {
                        parents = p.list(')', |p| Ok(p.word("a parent name")?.1))?;
                    }
                    other => {
                        return Err(err(
                            t.line,
                            t.column,
                            format!("expected `|` or `)`, found {}", describe(other)),
                        ));
                    }
                }
                p.expect_punct('{')?;
                let mut rows = Vec::new();
                loop {
                    let t = p.peek();
                    match t.tok {
                        Tok::Punct('}') => {
                            p.next();
                            break;
                        }
                        Tok::Word("table") => {
                            p.next();
                            rows.push((None, false, p.numbers()?, t));
                        }
                        Tok::Word("default") => {
                            p.next();
                            rows.push((None, true, p.numbers()?, t));
                        }
                        Tok::Word("property") => {
                            p.next();
                            p.skip_statement()?;
                        }
                        Tok::Punct('(') => {
                            p.next();
                            let key = p.list(')', |p| Ok(p.word("a state name")?.1))?;
                            rows.push((Some(key), false, p.numbers()?, t));
                        }
                        other => {
                            p.next();
                            return Err(err(
                                t.line,
                                t.column,
                                format!(
                                    "expected `table`, `default`, `(` or `}}`, found {}",
                                    describe(other)
                                ),
                            ));
                        }
                    }
                }
                probs.push(ProbBlock {
                    child,
                    parents,
                    rows,
                });
            }
            other => {
                return Err(err(
                    t.line,
                    t.column,
                    format!(
                        "expected `network`, `variable` or `probability`, found {}",
                        describe(other)
                    ),
                ));
            }
        }
    }
    // Table memory left once the text and its tokens are counted.
    let mut table_budget = opts
        .memory_budget_bytes
        .saturating_sub(text.len() as u128 * BYTES_PER_TEXT_BYTE);
    for block in probs {
        resolve(&mut net, block, opts, &mut table_budget)?;
    }
    for (i, v) in net.variables().iter().enumerate() {
        if net.cpt(VarId(i)).is_none() {
            return Err(BayesError::MissingCpt {
                variable: v.name.clone(),
            });
        }
    }
    net.validate()?;
    Ok(net)
}

fn word_of<'a>(t: &Token<'a>) -> &'a str {
    match t.tok {
        Tok::Word(w) => w,
        _ => "",
    }
}

fn resolve(
    net: &mut Network,
    b: ProbBlock<'_>,
    opts: &BifOptions,
    table_budget: &mut u128,
) -> Result<()> {
    let precision = opts.precision;
    let at = |t: &Token<'_>, e: BayesError| err(t.line, t.column, e.to_string());
    let child = net.var(word_of(&b.child)).map_err(|e| at(&b.child, e))?;
    if net.cpt(child).is_some() {
        return Err(at(
            &b.child,
            BayesError::BadCpt {
                variable: net.variable(child).name.clone(),
                reason: "a second probability block for this variable".into(),
            },
        ));
    }
    let parents = b
        .parents
        .iter()
        .map(|t| net.var(word_of(t)).map_err(|e| at(t, e)))
        .collect::<Result<Vec<_>>>()?;
    let cards: Vec<usize> = parents.iter().map(|&p| net.cardinality(p)).collect();
    let cc = net.cardinality(child);
    // Sizes are checked before the table is allocated: the product of the cardinalities can
    // overflow (64 binary parents) or ask for terabytes (28 binary parents and a `default` row).
    let entries = cards
        .iter()
        .fold(cc as u128, |acc, &c| acc.saturating_mul(c as u128));
    let bytes = entries.saturating_mul(BYTES_PER_ENTRY);
    if bytes > *table_budget {
        let name = crate::error::cut(&net.variable(child).name);
        return Err(BayesError::Limit {
            what: format!(
                "the table of `{name}` (BIF line {}: {} parents, {cc} states; entries)",
                b.child.line,
                parents.len()
            ),
            value: entries,
            limit: *table_budget / BYTES_PER_ENTRY,
            raise: format!(
                "raise `BifOptions::memory_budget_bytes` ({} bytes; {BYTES_PER_ENTRY} per entry, tables and text share it)",
                opts.memory_budget_bytes
            ),
        });
    }
    *table_budget -= bytes;
    // Fits in memory, hence in usize.
    let nrows = (entries / cc as u128) as usize;
    let mut values = vec![f64::NAN; nrows * cc];
    let mut filled = vec![false; nrows];
    let mut default: Option<Vec<f64>> = None;
    let name = crate::error::cut(&net.variable(child).name);
    for (key, is_default, vals, t) in &b.rows {
        let nums: Vec<f64> = match precision {
            ValuePrecision::Double => vals.iter().map(|v| v.0).collect(),
            ValuePrecision::Single => vals.iter().map(|v| v.0 as f32 as f64).collect(),
        };
        match key {
            None if *is_default => {
                if nums.len() != cc {
                    return Err(err(
                        t.line,
                        t.column,
                        format!(
                            "default row of `{name}` has {} values, expected {cc}",
                            nums.len()
                        ),
                    ));
                }
                default = Some(nums);
            }
            None => {
                if !parents.is_empty() {
                    return Err(err(
                        t.line,
                        t.column,
                        format!(
                            "`table` for `{name}`, which has parents: value order is ambiguous; write one `(states…)` row per parent configuration"
                        ),
                    ));
                }
                if nums.len() != cc {
                    return Err(err(
                        t.line,
                        t.column,
                        format!("table of `{name}` has {} values, expected {cc}", nums.len()),
                    ));
                }
                values.copy_from_slice(&nums);
                filled[0] = true;
            }
            Some(k) => {
                if k.len() != parents.len() {
                    return Err(err(
                        t.line,
                        t.column,
                        format!(
                            "row of `{name}` names {} parent states, expected {}",
                            k.len(),
                            parents.len()
                        ),
                    ));
                }
                let mut row = 0usize;
                for (i, st) in k.iter().enumerate() {
                    let s = net.state(parents[i], word_of(st)).map_err(|e| at(st, e))?;
                    row = row * cards[i] + s;
                }
                if nums.len() != cc {
                    return Err(err(
                        t.line,
                        t.column,
                        format!("row of `{name}` has {} values, expected {cc}", nums.len()),
                    ));
                }
                if filled[row] {
                    return Err(err(
                        t.line,
                        t.column,
                        format!("row of `{name}` given twice"),
                    ));
                }
                values[row * cc..(row + 1) * cc].copy_from_slice(&nums);
                filled[row] = true;
            }
        }
    }
    for r in 0..nrows {
        if !filled[r] {
            match &default {
                Some(d) => values[r * cc..(r + 1) * cc].copy_from_slice(d),
                None => {
                    return Err(err(
                        b.child.line,
                        b.child.column,
                        format!(
                            "probability block of `{name}` leaves parent configuration {r} without a row"
                        ),
                    ));
                }
            }
        }
    }
    net.set_cpt(child, &parents, &values)
        .map_err(|e| at(&b.child, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_network() {
        let net = parse_str(
            "network n { }\nvariable a { type discrete [ 2 ] { y, n }; }\n\
             variable b { type discrete [ 2 ] { y, n }; property x = 1; }\n\
             probability ( a ) { table 0.3, 0.7; }\n\
             probability ( b | a ) { (y) 0.9, 0.1; (n) 0.2, 0.8; }\n",
        )
        .unwrap();
        assert_eq!(net.len(), 2);
        let b = net.var("b").unwrap();
        assert_eq!(net.cpt(b).unwrap().values, vec![0.9, 0.1, 0.2, 0.8]);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let e = parse_str("variable a {\n  type discrete [ 2 ] { y n };\n}").unwrap_err();
        assert_eq!(
            e,
            BayesError::Parse {
                line: 2,
                column: 27,
                message: "expected `,` or `}`, found `n`".into()
            }
        );
        let e = parse_str(
            "variable a { type discrete [ 2 ] { y, n }; }\nprobability ( a ) { table 0.3, x; }",
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                BayesError::Parse {
                    line: 2,
                    column: 32,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = parse_str(
            "variable a { type discrete [ 2 ] { y, n }; }\nprobability ( a ) { table 0.3, 0.6; }",
        )
        .unwrap_err();
        assert!(e.to_string().contains("sums to"), "{e}");
        let e = parse_str(
            "variable a { type discrete [ 2 ] { y, n }; }\nprobability ( b ) { table 0.3, 0.7; }",
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown variable `b`"), "{e}");
    }
}
