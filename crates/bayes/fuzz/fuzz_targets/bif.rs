//! Arbitrary bytes into the BIF reader (plain and gzip paths) and, when they parse, through
//! compilation and a query: errors are fine, panics are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(net) = bayes::bif::parse_gz(data) {
        let opts = bayes::CompileOptions {
            memory_budget_bytes: 1 << 24,
            ..Default::default()
        };
        if let Ok(jt) = bayes::compile(&net, &opts) {
            let _ = jt.query(&bayes::Evidence::new());
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = bayes::bif::parse_str(text);
    }
});
