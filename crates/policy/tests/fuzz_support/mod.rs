//! Shared by the fuzz targets (`crates/*/tests/fuzz_*.rs`, docs/fuzzing.md): a time budget on
//! stable Rust with proptest, and structure-aware mutations of JSON documents.
//!
//! Budget: by default each target runs `PROPTEST_CASES` cases (32 when unset), so that `cargo
//! test` stays short; with `GUOHE_FUZZ_SECONDS=N` it keeps generating fresh cases (each batch with
//! a new random seed) until N seconds are spent. A failing case is shrunk by proptest and
//! printed; it then becomes a regression test beside the target.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::{Map, Value, json};

/// Cases per batch: `PROPTEST_CASES`, or 32.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// `GUOHE_FUZZ_SECONDS`, when set.
pub fn budget() -> Option<Duration> {
    std::env::var("GUOHE_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // Regressions are kept as named tests beside the targets, not in files.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs `test` on cases of `strategy` for the budget; panics with the shrunk failing case.
pub fn run<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let mut total = 0u64;
    loop {
        let mut runner = TestRunner::new(config());
        match runner.run(&strategy, &test) {
            Ok(()) => {}
            Err(TestError::Fail(why, case)) => panic!("{name}: {why}\nminimal failing input: {case:#?}"),
            Err(TestError::Abort(why)) => panic!("{name}: aborted: {why}"),
        }
        total += u64::from(config().cases);
        match budget() {
            Some(b) if started.elapsed() < b => continue,
            _ => break,
        }
    }
    eprintln!("{name}: {total} cases in {:.1}s", started.elapsed().as_secs_f64());
}

/// Draws one value of a strategy outside a test (for seeds of corpora).
pub fn sample<S: Strategy>(s: S) -> S::Value {
    let mut runner = TestRunner::default();
    s.new_tree(&mut runner).expect("a value").current()
}

/// Text that has broken parsers before: empty, blanks, controls, markup, huge, odd dates and
/// numbers written as text, right-to-left marks, and arbitrary printable text.
pub fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("\u{0}".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("x".repeat(5000)),
        Just("国".repeat(2000)),
        Just("2026-02-30".to_string()),
        Just("9999-12-31".to_string()),
        Just("0000-01-01".to_string()),
        Just("-1".to_string()),
        Just("1e999999".to_string()),
        Just("NaN".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\u{202e}gnp.exe".to_string()),
        Just("../../etc/passwd".to_string()),
        Just("'; DROP TABLE events; --".to_string()),
        Just("91430100MA4L0XXXXX".to_string()),
        Just("5%".to_string()),
        "\\PC{0,40}",
        "[0-9A-Z]{0,20}",
    ]
}

/// Numbers at the edges: zero, negatives, the ends of the integer types, huge and tiny
/// decimals (the workspace's serde_json keeps arbitrary precision).
pub fn hostile_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
        Just(serde_json::from_str::<Value>("1e999999").unwrap_or(json!(0))),
        Just(serde_json::from_str::<Value>("123456789012345678901234567890.5").unwrap_or(json!(0))),
        Just(serde_json::from_str::<Value>("-0.000000000000000000000000001").unwrap_or(json!(0))),
        Just(json!(0.5)),
        any::<i32>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
    ]
}

/// Any JSON value, biased to the hostile leaves above.
pub fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        hostile_number(),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One change to a document.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Replace the value at the chosen place.
    Replace(usize, Value),
    /// Remove the chosen member or element.
    Remove(usize),
    /// Add a member no one asked for to the chosen object.
    AddMember(usize, String, Value),
    /// Put a list where one value was, or the other way round.
    Wrap(usize),
}

/// A few changes.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        4 => (any::<usize>(), hostile_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => (any::<usize>(), "[a-z_]{1,12}", hostile_json()).prop_map(|(i, k, v)| Mutation::AddMember(i, k, v)),
        1 => any::<usize>().prop_map(Mutation::Wrap),
    ];
    prop::collection::vec(one, 1..5)
}

/// Every place in a document, as JSON pointers (the root first).
fn places(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                places(c, format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                places(c, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Applies the changes, each at a place chosen among the document's places at that moment.
pub fn apply(doc: &Value, ms: &[Mutation]) -> Value {
    let mut doc = doc.clone();
    for m in ms {
        let mut all = Vec::new();
        places(&doc, String::new(), &mut all);
        let pick = |i: usize| all[i % all.len()].clone();
        match m {
            Mutation::Replace(i, v) => {
                if let Some(t) = doc.pointer_mut(&pick(*i)) {
                    *t = v.clone();
                }
            }
            Mutation::Remove(i) => {
                let p = pick(*i);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match doc.pointer_mut(parent) {
                        Some(Value::Object(o)) => {
                            o.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = last.parse::<usize>()
                                && i < a.len()
                            {
                                a.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::AddMember(i, k, v) => {
                if let Some(Value::Object(o)) = doc.pointer_mut(&pick(*i)) {
                    o.insert(k.clone(), v.clone());
                }
            }
            Mutation::Wrap(i) => {
                if let Some(t) = doc.pointer_mut(&pick(*i)) {
                    *t = match t.take() {
                        Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
                        other => Value::Array(vec![other]),
                    };
                }
            }
        }
    }
    doc
}

/// Byte-level damage to a text: cut it short, drop or repeat a line, splice in hostile text.
pub fn damage_text() -> impl Strategy<Value = (usize, u8, String)> {
    (any::<usize>(), 0u8..4, hostile_text())
}

/// Applies [`damage_text`] (on a character boundary).
pub fn damage(text: &str, (at, how, with): &(usize, u8, String)) -> String {
    let mut cut = at % (text.len() + 1);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let lines: Vec<&str> = text.lines().collect();
    let line = at % lines.len().max(1);
    match how {
        0 => text[..cut].to_string(),
        1 => {
            let mut l = lines.clone();
            if !l.is_empty() {
                l.remove(line);
            }
            l.join("\n")
        }
        2 => {
            let mut l = lines.clone();
            if !l.is_empty() {
                l.insert(line, lines[line]);
            }
            l.join("\n")
        }
        _ => format!("{}{}{}", &text[..cut], with, &text[cut..]),
    }
}
