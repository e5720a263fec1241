//! Fuzz target: application facts JSON (docs/application-facts.md). The two example
//! applications, damaged as text and as documents, must be read and checked against their
//! policy (`Application::parse`, `Prepared::new`, `evaluate`) or refused with an error naming
//! the field — never a panic.
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

use crate::fuzz_support;

use chrono::NaiveDate;
use fuzz_support::*;
use guohe_policy::{Application, FactError, PolicySet, Prepared, evaluate};
use proptest::prelude::*;
use serde_json::Value;

const EXAMPLES: [&str; 2] = [
    include_str!("../../../examples/applications/hunan-joint-research.json"),
    include_str!("../../../examples/applications/hubei-enterprise.json"),
];

/// A refusal names the field: by its path, or — for the document as a whole — by the member
/// missing or unknown, or by the line and column of a syntax error.
fn names_a_field(e: &FactError) -> bool {
    !e.path.is_empty()
        || e.message_en.contains('`')
        || e.message_en.contains("line")
        || e.message_en.starts_with("invalid type")
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let app = match Application::parse(text) {
        Ok(a) => a,
        Err(e) => {
            prop_assert!(names_a_field(&e), "names no field: {:?}", e);
            prop_assert!(!e.message_zh.is_empty());
            return Ok(());
        }
    };
    let policies = PolicySet::default();
    let Some(policy) = policies.get(&app.policy) else {
        return Ok(());
    };
    match Prepared::new(policy, app, None) {
        Err(e) => prop_assert!(names_a_field(&e), "names no field: {:?}", e),
        Ok(prepared) => {
            for as_of in ["2026-11-20", "2022-01-01", "2099-12-31"] {
                let as_of: NaiveDate = as_of.parse().unwrap();
                if let Err(e) = evaluate(policy, &prepared, as_of) {
                    prop_assert!(e.path().is_some_and(|p| !p.is_empty()), "names no field: {e}");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn damaged_facts_text_is_refused_naming_the_field() {
    run(
        "facts text",
        (0..EXAMPLES.len(), prop::collection::vec(damage_text(), 1..4)),
        |(i, damages)| {
            let mut t = EXAMPLES[i].to_string();
            for d in &damages {
                t = damage(&t, d);
            }
            check(&t)
        },
    );
}

#[test]
fn mutated_facts_are_checked_or_refused_naming_the_field() {
    let docs: Vec<Value> = EXAMPLES.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    run("facts document", (0..EXAMPLES.len(), mutations()), |(i, ms)| {
        check(&apply(&docs[i], &ms).to_string())
    });
}

#[test]
fn arbitrary_json_is_refused_naming_the_field() {
    run("facts from nothing", hostile_json(), |v| check(&v.to_string()));
}
