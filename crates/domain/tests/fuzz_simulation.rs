//! Fuzz target: simulation timelines (docs/simulation.md). The example timeline, damaged as
//! text and as a document (steps removed, dates, actors and command fields replaced by hostile
//! values, unknown members added), must run or stop with an error — never a panic; a refusal of
//! input (`invalid_input`) names its field, and a timeline that does not parse says where.
//! Every step that is refused is also given an `expect_refusal` of `any` and rerun, so that the
//! whole timeline is driven past its first refusal.
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

#[path = "../../policy/tests/fuzz_support/mod.rs"]
mod fuzz_support;

use fuzz_support::*;
use guohe_calendar::Calendar;
use guohe_domain::{RefusalCode, SimulationError, Timeline, simulate};
use guohe_policy::PolicySet;
use proptest::prelude::*;
use serde_json::{Value, json};

const EXAMPLE: &str = include_str!("../examples/hubei-two-fails.json");

fn check(text: &str, policies: &PolicySet, calendar: &Calendar) -> Result<(), TestCaseError> {
    let mut timeline = match Timeline::from_json(text) {
        Ok(t) => t,
        Err(SimulationError::Parse(why)) => {
            let says_where = why.contains("line") || why.contains('`');
            prop_assert!(says_where, "a parse error that says nowhere: {}", why);
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("from_json answered {e}"))),
    };
    // Each refused step is marked as expected to be refused, and the rest is run again.
    for _ in 0..timeline.steps.len() + 1 {
        match simulate(&timeline, policies, calendar) {
            Ok(_) => return Ok(()),
            Err(SimulationError::Refused { step, refusal }) => {
                if refusal.code == RefusalCode::InvalidInput {
                    prop_assert!(
                        refusal.field.as_deref().is_some_and(|f| !f.is_empty()),
                        "an input refusal without its field: {:?}",
                        refusal
                    );
                }
                match timeline.steps.get_mut(step) {
                    Some(guohe_domain::Step::Command { expect_refusal, .. }) if expect_refusal.is_none() => {
                        *expect_refusal = Some("any".into());
                    }
                    _ => return Ok(()),
                }
            }
            Err(SimulationError::Actor { message, .. }) => {
                prop_assert!(!message.is_empty());
                return Ok(());
            }
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

#[test]
fn mutated_timelines_run_or_stop_without_panic() {
    let doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let (policies, calendar) = (PolicySet::default(), Calendar::builtin());
    run("timeline document", mutations(), |ms| {
        check(&apply(&doc, &ms).to_string(), &policies, &calendar)
    });
}

#[test]
fn damaged_timeline_text_runs_or_stops_without_panic() {
    let (policies, calendar) = (PolicySet::default(), Calendar::builtin());
    run("timeline text", prop::collection::vec(damage_text(), 1..4), |damages| {
        let mut t = EXAMPLE.to_string();
        for d in &damages {
            t = damage(&t, d);
        }
        check(&t, &policies, &calendar)
    });
}

/// Steps shuffled and dates moved: the same commands in an order the procedure never allows.
#[test]
fn reordered_timelines_run_or_stop_without_panic() {
    let doc: Value = serde_json::from_str(EXAMPLE).unwrap();
    let steps = doc["steps"].as_array().unwrap().clone();
    let (policies, calendar) = (PolicySet::default(), Calendar::builtin());
    let order = Just((0..steps.len()).collect::<Vec<_>>()).prop_shuffle();
    run(
        "timeline order",
        (order, prop::collection::vec(-4000i64..4000, 0..4), any::<bool>()),
        |(order, shifts, auto_tick)| {
            let mut shuffled: Vec<Value> = order.iter().map(|i| steps[*i].clone()).collect();
            for (i, days) in shifts.iter().enumerate() {
                let n = shuffled.len();
                let s = &mut shuffled[(i * 7) % n];
                for key in ["on", "tick"] {
                    if let Some(d) = s[key].as_str().and_then(|d| d.parse::<chrono::NaiveDate>().ok()) {
                        s[key] = json!((d + chrono::Duration::days(*days)).to_string());
                    }
                }
            }
            let t = json!({ "auto_tick": auto_tick, "steps": shuffled });
            check(&t.to_string(), &policies, &calendar)
        },
    );
}
