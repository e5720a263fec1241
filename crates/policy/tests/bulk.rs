//! The bulk check against the traced check: for thousands of generated applications under each
//! shipped policy, both give the same verdict, the same status for every rule, and the same kind
//! of refusal (incomplete facts, out of force, dated in the future). The applications come
//! from `guohe_policy::sample`: seeded mutations of real ones, so a failure reproduces.

mod common;

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
