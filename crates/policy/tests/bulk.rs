//! The bulk check against the traced check: for thousands of generated applications under each
//! shipped policy, both give the same verdict, the same status for every rule, and the same kind
//! of refusal (incomplete facts, out of force, dated in the future). The applications come
//! from `guohe_policy::sample`: seeded mutations of real ones, so a failure reproduces.

use crate::common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::*;
use guohe_policy::eval::bulk::{BulkError, BulkPolicy};
use guohe_policy::model::Mode;
use guohe_policy::sample::Variants;
use guohe_policy::{Application, CheckError, Policy, Status, Verdict, builtin_policy, eval::Prepared, evaluate};

const FULL: &str = include_str!("fixtures/full-application.json");

#[derive(Debug, PartialEq)]
enum Outcome {
    Checked(Verdict, Vec<Status>),
    Incomplete,
    NotInForce,
    DatedInFuture,
}

fn traced(policy: &Policy, p: &Prepared, as_of: NaiveDate) -> Outcome {
    match evaluate(policy, p, as_of) {
        Ok(e) => Outcome::Checked(e.verdict, e.findings.iter().map(|f| f.status).collect()),
        Err(CheckError::Facts(_)) => Outcome::Incomplete,
        Err(CheckError::NotYetInForce { .. } | CheckError::Expired { .. }) => Outcome::NotInForce,
        Err(CheckError::DatedInFuture { .. }) => Outcome::DatedInFuture,
    }
}

fn differential(policy_id: &str, sources: &[&str], seed: u64, n: usize) {
    let policy = builtin_policy(policy_id).unwrap();
    let mut prepared = Vec::new();
    let from = policy.in_force_from;
    let span = (guohe_policy::valid_until(policy) - from).num_days();
    for v in Variants::new(policy, sources, seed) {
        if prepared.len() == n {
            break;
        }
        let Ok(app) = Application::parse(&v.to_string()) else {
            continue;
        };
        if let Ok(p) = Prepared::new(policy, app, None) {
            prepared.push(p);
        }
    }
    let bulk = BulkPolicy::compile(policy).expect("the shipped policy compiles for bulk checks");
    let batch = bulk.batch(prepared.iter());
    assert_eq!(batch.len(), n);
    // Late in the period, so that most applications are dated before the check and a few after.
    let as_of = from + chrono::Duration::days(span - 90);
    let mut statuses = vec![Status::NotApplicable; bulk.rules()];
    let mut all_statuses = Vec::new();
    let all = bulk.check_all(&batch, as_of, &mut all_statuses);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, p) in prepared.iter().enumerate() {
        let expected = traced(policy, p, as_of);
        let got = match bulk.check(&batch, i, as_of, &mut statuses) {
            Ok(v) => Outcome::Checked(v, statuses.clone()),
            Err(BulkError::Incomplete { .. }) => Outcome::Incomplete,
            Err(BulkError::NotInForce) => Outcome::NotInForce,
            Err(BulkError::DatedInFuture) => Outcome::DatedInFuture,
        };
        // Rule by rule over the whole batch gives what one row at a time gives.
        let rules = bulk.rules();
        let by_rule = match all[i] {
            Ok(v) => Outcome::Checked(v, all_statuses[i * rules..(i + 1) * rules].to_vec()),
            Err(BulkError::Incomplete { .. }) => Outcome::Incomplete,
            Err(BulkError::NotInForce) => Outcome::NotInForce,
            Err(BulkError::DatedInFuture) => Outcome::DatedInFuture,
        };
        assert_eq!(by_rule, got, "check_all and check differ on application {i}");
        assert_eq!(
            got,
            expected,
            "application {i} of seed {seed} under {policy_id}:\n{}",
            serde_json::to_string_pretty(&p.application).unwrap()
        );
        if let Outcome::Checked(_, st) = &got {
            for (rule, s) in policy.eligibility.iter().zip(st) {
                *seen.entry(format!("{} {s:?}", rule.id)).or_default() += 1;
            }
        }
        let key = match &got {
            Outcome::Checked(v, _) => format!("{v:?}"),
            other => format!("{other:?}"),
        };
        *seen.entry(key).or_default() += 1;
    }
    // The generated set reaches every outcome, so agreement means something.
    // Every outcome, every rule applied, and most rules failing now and then.
    let count = |k: &str| seen.get(k).copied().unwrap_or(0);
    for outcome in ["Ineligible", "Incomplete", "NotInForce", "DatedInFuture"] {
        assert!(count(outcome) > 0, "{policy_id}: no {outcome} in {seen:#?}");
    }
    assert!(
        count("Eligible") + count("NeedsReview") > 0,
        "{policy_id}: nothing passed in {seen:#?}"
    );
    let (mut failing, mut can_fail) = (0, 0);
    for rule in &policy.eligibility {
        let applied = [Status::Pass, Status::Fail, Status::Review]
            .iter()
            .map(|s| count(&format!("{} {s:?}", rule.id)))
            .sum::<usize>();
        assert!(applied > 0, "{policy_id}: rule {} never applied in {seen:#?}", rule.id);
        // A judged rule without a precondition is for the experts and never fails here.
        if rule.condition.is_some() || rule.mode != Mode::Judged {
            can_fail += 1;
            failing += usize::from(count(&format!("{} Fail", rule.id)) > 0);
        }
    }
    assert!(
        failing * 3 >= can_fail * 2,
        "{policy_id}: only {failing} of {can_fail} rules that can fail ever failed: {seen:#?}"
    );
}

#[test]
fn hubei_2022_bulk_and_traced_checks_agree_on_generated_applications() {
    differential("hubei-2022", &[HUBEI, FULL], 2022, 2000);
}

#[test]
fn hunan_2026_bulk_and_traced_checks_agree_on_generated_applications() {
    differential("hunan-2026", &[HUNAN, FULL], 2026, 2000);
}

#[test]
fn a_missing_fact_names_the_rule_that_needed_it() {
    let policy = builtin_policy("hubei-2022").unwrap();
    let mut v = base(HUBEI);
    v["unit"].as_object_mut().unwrap().remove("finance");
    let app = Application::parse(&v.to_string()).unwrap();
    let p = Prepared::new(policy, app, None).unwrap();
    let as_of = date("2026-11-20");
    let Err(CheckError::Facts(f)) = evaluate(policy, &p, as_of) else {
        panic!("the traced check needs the finance facts")
    };
    let bulk = BulkPolicy::compile(policy).unwrap();
    let batch = bulk.batch([&p]);
    let mut statuses = vec![Status::NotApplicable; bulk.rules()];
    let Err(BulkError::Incomplete { rule }) = bulk.check(&batch, 0, as_of, &mut statuses) else {
        panic!("the bulk check is incomplete too")
    };
    let rule = &policy.eligibility[rule];
    assert!(f.message_zh.contains(&rule.title_zh), "{} / {}", f.message_zh, rule.id);
}

/// Hubei 第十条第四款 (R&D expense over sales revenue of the three complete fiscal years, banded
/// by the latest year's revenue): the bulk check sums both in one pass in whole numbers and
/// hands anything else back to the general form. Every awkward shape of the finance list gives
/// the traced check's status for `enterprise.rd_ratio`.
#[test]
fn the_rd_ratio_in_one_pass_agrees_with_the_traced_check_on_awkward_finances() {
    let policy = builtin_policy("hubei-2022").unwrap();
    let rule = policy
        .eligibility
        .iter()
        .position(|r| r.id == "enterprise.rd_ratio")
        .expect("hubei-2022 has the R&D ratio rule");
    let row = |year: serde_json::Value, sales: serde_json::Value, rd: serde_json::Value| serde_json::json!({ "year": year, "sales_revenue": sales, "rd_expense": rd });
    fn n(x: impl Into<serde_json::Value>) -> serde_json::Value {
        x.into()
    }
    let cases: Vec<(&str, Vec<serde_json::Value>)> = vec![
        (
            "exactly 5% under 50m",
            vec![
                row(n(2023), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
        (
            "one yuan short of 5%",
            vec![
                row(n(2023), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_499_999)),
            ],
        ),
        (
            "4.9999993% (7,499,999 / 150,000,000)",
            vec![
                row(n(2023), n(50_000_000), n(2_500_000)),
                row(n(2024), n(50_000_000), n(2_500_000)),
                row(n(2025), n(50_000_000), n(2_499_999)),
            ],
        ),
        (
            "decimals in the amounts",
            vec![
                row(n(2023), n(40_000_000.5), n(2_000_000.25)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_499_999.75)),
            ],
        ),
        (
            "a year missing",
            vec![
                row(n(2023), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
        (
            "a year twice",
            vec![
                row(n(2023), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(100)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
        (
            "the application year and an old year do not count",
            vec![
                row(n(2019), n(1), n(1_000_000_000)),
                row(n(2023), n(40_000_000), n(1_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
                row(n(2026), n(1), n(900_000_000)),
            ],
        ),
        (
            "no revenue at all",
            vec![
                row(n(2023), n(0), n(0)),
                row(n(2024), n(0), n(0)),
                row(n(2025), n(0), n(0)),
            ],
        ),
        (
            "negative R&D",
            vec![
                row(n(2023), n(40_000_000), n(-2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
        (
            "the 4% band at 200m exactly",
            vec![
                row(n(2023), n(200_000_000), n(8_000_000)),
                row(n(2024), n(200_000_000), n(8_000_000)),
                row(n(2025), n(200_000_000), n(7_999_999)),
            ],
        ),
        (
            "the 3% band, huge amounts",
            vec![
                row(n(2023), n(9_000_000_000_000_000_000i64), n(270_000_000_000_000_000i64)),
                row(n(2024), n(9_000_000_000_000_000_000i64), n(270_000_000_000_000_000i64)),
                row(n(2025), n(9_000_000_000_000_000_000i64), n(270_000_000_000_000_000i64)),
            ],
        ),
        (
            "latest year's revenue with decimals",
            vec![
                row(n(2023), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000.01), n(2_100_000)),
            ],
        ),
        (
            "years written with decimals",
            vec![
                row(n(2023.0), n(40_000_000), n(2_000_000)),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
        (
            "rows without amounts",
            vec![
                serde_json::json!({ "year": 2023 }),
                row(n(2024), n(40_000_000), n(2_000_000)),
                row(n(2025), n(50_000_000), n(2_500_000)),
            ],
        ),
    ];
    let bulk = BulkPolicy::compile(policy).unwrap();
    let as_of = date("2026-11-20");
    let (mut checked, mut refused) = (0, Vec::new());
    for (what, finance) in cases {
        let mut v = base(HUBEI);
        v["unit"]["finance"] = serde_json::Value::Array(finance);
        let Some(p) = Application::parse(&v.to_string())
            .ok()
            .and_then(|app| Prepared::new(policy, app, None).ok())
        else {
            refused.push(what);
            continue;
        };
        let expected = match evaluate(policy, &p, as_of) {
            Ok(e) => Some(e.findings[rule].status),
            Err(_) => None,
        };
        let batch = bulk.batch([&p]);
        let mut statuses = vec![Status::NotApplicable; bulk.rules()];
        let got = match bulk.check(&batch, 0, as_of, &mut statuses) {
            Ok(_) => Some(statuses[rule]),
            Err(BulkError::Incomplete { .. }) => None,
            Err(e) => panic!("{what}: {e:?}"),
        };
        assert_eq!(got, expected, "{what}");
        checked += 1;
    }
    // The facts' own validation refuses these before any rule sees them.
    assert_eq!(
        refused,
        [
            "a year twice",
            "negative R&D",
            "years written with decimals",
            "rows without amounts"
        ]
    );
    assert_eq!(checked, 10);
}
