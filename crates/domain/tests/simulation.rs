//! The simulation format and its example file.

use crate::common;

use common::*;
use guohe_calendar::Calendar;
use guohe_domain::*;
use guohe_policy::PolicySet;

const EXAMPLE: &str = include_str!("../examples/hubei-two-fails.json");

#[test]
fn the_hubei_example_runs_from_round_to_termination() {
    let timeline = Timeline::from_json(EXAMPLE).unwrap();
    let out = simulate(&timeline, &PolicySet::default(), &Calendar::builtin()).unwrap_or_else(|e| panic!("{e}"));
    let base = out.world.base("HB-0001").unwrap();
    assert_eq!(base.official_name, "湖北省光电子信息国际科技合作基地");
    assert_eq!(base.status, BaseStatus::Terminated);
    let grades: Vec<(i32, &str, bool)> = base
        .annual_grades
        .iter()
        .map(|(y, g)| (*y, g.grade.as_str(), g.missing_report))
        .collect();
    assert_eq!(
        grades,
        [
            (2026, "qualified", false),
            (2027, "unqualified", true),
            (2028, "unqualified", false)
        ]
    );
    let missing = out
        .events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::AnnualAssessmentRecorded(a) if a.missing_report))
        .unwrap();
    assert_cites(missing, "hubei-2022:22(1)");
    assert_eq!(missing.on, d("2028-01-16"));
    let t = find(&out.events, "BaseTerminated");
    assert_cites(t, "hubei-2022:28.1");
    assert_eq!(t.on, d("2029-02-01"));
    let refused: Vec<&str> = out
        .outcomes
        .iter()
        .filter_map(|o| o.refusal.as_ref())
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(refused, ["notice_period", "wrong_state"]);
    assert_eq!(register(&out.world, d("2029-01-31")).len(), 1);
    assert!(register(&out.world, d("2029-02-01")).is_empty());
    assert_eq!(out.world.clock(), Some(d("2030-02-01")));

    // Replaying the events into a fresh world gives the same world.
    let mut replayed = World::new();
    for e in &out.events {
        replayed.apply(
            &Event::from_parts(
                &e.stream,
                e.on,
                &e.actor,
                &e.article_texts(),
                e.kind_name(),
                e.payload(),
            )
            .unwrap(),
        );
    }
    assert_eq!(replayed, out.world);
    assert_eq!(
        replayed.stream_version("base/HB-0001"),
        out.events.iter().filter(|e| e.stream == "base/HB-0001").count() as i64
    );
}

#[test]
fn timelines_round_trip_and_report_unexpected_outcomes() {
    let timeline = Timeline::from_json(EXAMPLE).unwrap();
    let again = Timeline::from_json(&serde_json::to_string(&timeline).unwrap()).unwrap();
    assert_eq!(again, timeline);
    let bad =
        r#"{"steps": [{"on": "2026-03-01", "as": "dept:zhang", "command": {"type": "CloseRound", "round": "none"}}]}"#;
    let err = simulate(
        &Timeline::from_json(bad).unwrap(),
        &PolicySet::default(),
        &Calendar::builtin(),
    )
    .unwrap_err();
    assert!(matches!(err, SimulationError::Refused { step: 0, .. }), "{err}");
    let bad =
        r#"{"steps": [{"on": "2026-03-01", "as": "boss:zhang", "command": {"type": "CloseRound", "round": "none"}}]}"#;
    assert!(matches!(
        simulate(
            &Timeline::from_json(bad).unwrap(),
            &PolicySet::default(),
            &Calendar::builtin()
        ),
        Err(SimulationError::Actor { .. })
    ));
    assert!(Timeline::from_json(r#"{"steps": [{"on": "2026-03-01"}]}"#).is_err());
}
