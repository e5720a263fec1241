//! 样本申报 — generated applications: mutations of real ones from a seeded generator, for the
//! bulk check's differential test and its benchmark.
//!
//! Numbers are scaled across every threshold, flags flipped, list items dropped and repeated,
//! dates moved, unit kinds and codes swapped for others of their kind, facts now and then left
//! out, and application dates spread over the policy's period of force and a little beyond. The
//! same seed gives the same applications, so a failure reproduces.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta};
use serde_json::Value;

use crate::model::Policy;

/// splitmix64: small, seeded, good enough to spread mutations.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Every string seen under each key, so that a code is swapped for another code of its kind.
fn pools(sources: &[Value], policy: &Policy) -> BTreeMap<String, Vec<String>> {
    fn walk(v: &Value, key: &str, out: &mut BTreeMap<String, Vec<String>>) {
        match v {
            Value::String(s) => out.entry(key.to_string()).or_default().push(s.clone()),
            Value::Array(xs) => xs.iter().for_each(|x| walk(x, key, out)),
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for s in sources {
        walk(s, "", &mut out);
    }
    let kinds = out.entry("kind".into()).or_default();
    kinds.extend(policy.vocabularies.unit_kinds.iter().map(|t| t.code.clone()));
    let cats = out.entry("category".into()).or_default();
    cats.extend(policy.vocabularies.categories.iter().map(|t| t.code.clone()));
    for v in out.values_mut() {
        v.sort();
        v.dedup();
    }
    out
}

/// Mutation rates (per cent) at one of three levels: most variants are light, so that many
/// stay eligible, and some are heavy, so that every rule fails now and then.
#[derive(Clone, Copy)]
struct Rates {
    number: u64,
    flag: u64,
    code: u64,
    list: u64,
    drop: u64,
    date: u64,
}

const LEVELS: [Rates; 3] = [
    Rates {
        number: 8,
        flag: 3,
        code: 3,
        list: 4,
        drop: 0,
        date: 8,
    },
    Rates {
        number: 30,
        flag: 10,
        code: 15,
        list: 10,
        drop: 1,
        date: 20,
    },
    Rates {
        number: 60,
        flag: 20,
        code: 25,
        list: 20,
        drop: 3,
        date: 30,
    },
];

fn mutate(v: &mut Value, key: &str, rng: &mut Rng, pools: &BTreeMap<String, Vec<String>>, r: Rates) {
    match v {
        Value::Number(n) => {
            if rng.chance(r.number) {
                let x = n.as_f64().unwrap_or(0.0);
                let factors = [0.0, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 2.0, 3.0];
                let y = x * factors[rng.below(factors.len())];
                *v = if n.is_i64() || n.is_u64() {
                    Value::from(y.round() as i64)
                } else {
                    Value::from((y * 100.0).round() / 100.0)
                };
            }
        }
        Value::Bool(b) => {
            if rng.chance(r.flag) {
                *b = !*b;
            }
        }
        Value::String(s) => {
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                if key != "application_date" && rng.chance(r.date) {
                    let days = rng.below(2400) as i64 - 1200;
                    *s = (d + chrono::Duration::days(days)).to_string();
                }
            } else if let Some(pool) = pools.get(key)
                && key != "uscc"
                && key != "policy"
                && rng.chance(r.code)
            {
                *s = pool[rng.below(pool.len())].clone();
            }
        }
        Value::Array(xs) => {
            if !xs.is_empty() && rng.chance(r.list) {
                let i = rng.below(xs.len());
                xs.remove(i);
            }
            if !xs.is_empty() && rng.chance(r.list) {
                let i = rng.below(xs.len());
                let copy = xs[i].clone();
                xs.push(copy);
            }
            xs.iter_mut().for_each(|x| mutate(x, key, rng, pools, r));
        }
        Value::Object(m) => {
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                // Now and then a fact is left out, to reach incomplete checks.
                if !matches!(k.as_str(), "policy" | "application_date" | "unit" | "uscc" | "name") && rng.chance(r.drop)
                {
                    m.remove(&k);
                    continue;
                }
                if let Some(x) = m.get_mut(&k) {
                    mutate(x, &k, rng, pools, r);
                }
            }
        }
        Value::Null => {}
    }
}

/// An endless stream of application facts (JSON) for `policy`, mutated from `sources`.
pub struct Variants<'p> {
    policy: &'p Policy,
    sources: Vec<Value>,
    pools: BTreeMap<String, Vec<String>>,
    rng: Rng,
}

impl<'p> Variants<'p> {
    /// Variants of `sources` (application JSON of any policy; the policy id is replaced).
    pub fn new(policy: &'p Policy, sources: &[&str], seed: u64) -> Variants<'p> {
        let mut values: Vec<Value> = sources.iter().filter_map(|s| serde_json::from_str(s).ok()).collect();
        for v in &mut values {
            if let Some(o) = v.as_object_mut() {
                o.insert("policy".into(), Value::from(policy.id.as_str()));
            }
        }
        let pools = pools(&values, policy);
        Variants {
            policy,
            sources: values,
            pools,
            rng: Rng(seed),
        }
    }
}

impl Iterator for Variants<'_> {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        if self.sources.is_empty() {
            return None;
        }
        let i = self.rng.below(self.sources.len());
        let mut v = self.sources[i].clone();
        let level = LEVELS[[0, 0, 1, 2][self.rng.below(4)]];
        mutate(&mut v, "", &mut self.rng, &self.pools, level);
        let from = self.policy.in_force_from;
        let span = (crate::eval::valid_until(self.policy) - from).num_days();
        // Application dates across the period of force and a little beyond both ends; the
        // facts' own dates and years move with it, so look-back windows still find them.
        let day = self.rng.below(span.max(0) as usize + 120) as i64 - 60;
        let new = from + chrono::Duration::days(day);
        let old = v
            .get("application_date")
            .and_then(Value::as_str)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or(new);
        shift(&mut v, "", new - old, new.year() - old.year());
        if let Some(o) = v.as_object_mut() {
            o.insert("application_date".into(), Value::from(new.to_string()));
        }
        Some(v)
    }
}

/// Moves every date by `days` and every `year` by `years`.
fn shift(v: &mut Value, key: &str, days: TimeDelta, years: i32) {
    match v {
        Value::String(s) => {
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                *s = (d + days).to_string();
            }
        }
        Value::Number(n) if key == "year" => {
            if let Some(y) = n.as_i64() {
                *v = Value::from(y + i64::from(years));
            }
        }
        Value::Array(xs) => xs.iter_mut().for_each(|x| shift(x, key, days, years)),
        Value::Object(m) => m.iter_mut().for_each(|(k, x)| shift(x, k, days, years)),
        _ => {}
    }
}
