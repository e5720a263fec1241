//! Helpers shared by the policy scenario tests.
#![allow(dead_code)]

use chrono::NaiveDate;
use guohe_policy::{Application, CheckError, Report, Status, Verdict, builtin_policy, eval::Prepared, evaluate};
use serde_json::{Value, json};

pub const HUNAN: &str = include_str!("../../../../examples/applications/hunan-joint-research.json");
pub const HUBEI: &str = include_str!("../../../../examples/applications/hubei-enterprise.json");

pub fn base(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Sets a value at a JSON pointer, creating objects on the way.
pub fn set(v: &mut Value, pointer: &str, new: Value) {
    if let Some(slot) = v.pointer_mut(pointer) {
        *slot = new;
        return;
    }
    if let Some((parent, key)) = pointer.rsplit_once('/')
        && let Some(obj) = v.pointer_mut(parent).and_then(Value::as_object_mut)
    {
        obj.insert(key.to_string(), new);
        return;
    }
    let mut cur = v;
    let segs: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    for (i, s) in segs.iter().enumerate() {
        if i == segs.len() - 1 {
            cur.as_object_mut().expect("object").insert((*s).to_string(), new);
            return;
        }
        cur = cur
            .as_object_mut()
            .expect("object")
            .entry((*s).to_string())
            .or_insert(json!({}));
    }
}

pub fn check_value(app: &Value) -> Result<Report, CheckError> {
    let app = Application::parse(&app.to_string())?;
    let policy = builtin_policy(&app.policy).expect("policy");
    let prepared = Prepared::new(policy, app, None)?;
    let as_of = NaiveDate::from_ymd_opt(2030, 1, 1)
        .unwrap()
        .min(guohe_policy::valid_until(policy));
    evaluate(policy, &prepared, as_of.max(prepared.application.application_date)).map(|e| e.report())
}

pub fn check(app: &Value) -> Report {
    check_value(app).unwrap_or_else(|e| panic!("check failed: {e}"))
}

/// Asserts one rule's status and its cited article.
pub fn assert_rule(report: &Report, rule: &str, status: Status, article: &str) {
    let f = report
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no rule {rule}"));
    assert_eq!(f.article, article, "rule {rule} cites {}", f.article);
    assert_eq!(f.status, status, "rule {rule}: {} / {}", f.reason_zh, f.reason_en);
}

pub fn assert_verdict(report: &Report, v: Verdict) {
    let failing: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| format!("{} {}", f.rule, f.reason_zh))
        .collect();
    assert_eq!(report.verdict, v, "failing: {failing:?}");
}

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
