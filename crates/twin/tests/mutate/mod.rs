//! Text mutations shared by the structured fuzz tests of every parser (issue 20): each test
//! file includes this module with `#[path]`, so the mutations have one home. A mutation is
//! chosen by `(op, at, pick)` — proptest draws those — and never panics itself.

const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "-5",
    "0.5",
    "1e9",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "18446744073709551615",
    "4294967296",
    "36501",
    "100001",
    "3651",
    "1e-300",
];
const STRINGS: &[&str] = &[
    "",
    "peroneal",
    "bicep",
    "common_fibular",
    "4-",
    "2026-13-45",
    "[[",
    "x\u{0}y",
    "éé",
];
const INSERTS: &[&str] = &[
    "nan",
    "[[",
    "]]",
    "[",
    "=",
    "\"",
    "\n[[injury]]\n",
    "\n[injury]\n",
    "\ndate = 2026-01-01\n",
    "\nmrc = \"4-\"\n",
    "\n[settings]\ndraws = 1e9\n",
    ",",
    "{",
    "}",
];

/// One mutation chosen by `(op, at, pick)`.
pub fn mutate(text: &str, op: u8, at: usize, pick: usize) -> String {
    let n = text.len();
    let cut = |i: usize| {
        let mut i = i.min(n);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let i = cut(at % (n + 1));
    match op % 5 {
        0 => {
            // a number -> an extreme number
            let starts: Vec<usize> = text
                .char_indices()
                .filter(|(k, c)| {
                    c.is_ascii_digit()
                        && (*k == 0 || !text.as_bytes()[k - 1].is_ascii_alphanumeric())
                })
                .map(|(k, _)| k)
                .collect();
            if starts.is_empty() {
                return text.to_string();
            }
            let s = starts[at % starts.len()];
            let e = text[s..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
                .map_or(n, |k| s + k);
            format!(
                "{}{}{}",
                &text[..s],
                NUMBERS[pick % NUMBERS.len()],
                &text[e..]
            )
        }
        1 => {
            // a string value -> an extreme string
            let quotes: Vec<usize> = text.match_indices('"').map(|(k, _)| k).collect();
            if quotes.len() < 2 {
                return text.to_string();
            }
            let k = (at % (quotes.len() / 2)) * 2;
            let (s, e) = (quotes[k], quotes[k + 1]);
            format!(
                "{}\"{}\"{}",
                &text[..s],
                STRINGS[pick % STRINGS.len()],
                &text[e + 1..]
            )
        }
        2 => format!(
            "{}{}{}",
            &text[..i],
            INSERTS[pick % INSERTS.len()],
            &text[i..]
        ),
        3 => {
            let e = cut(i + pick % 64);
            format!("{}{}", &text[..i], &text[e..])
        }
        _ => {
            let e = cut(i + pick % 128);
            let span = &text[i..e];
            format!("{}{}{}", &text[..e], span.repeat(pick % 20), &text[e..])
        }
    }
}
