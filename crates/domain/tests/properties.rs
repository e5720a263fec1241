//! Properties over random command sequences: replay gives the same world, the world agrees with
//! an oracle read from the event log alone (which bases exist, each base's status from the last
//! status event of its stream, each stream's version), and no base leaves a final status.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::Days;
use common::*;
use guohe_domain::*;
use proptest::prelude::*;
use serde_json::json;

/// Two Hubei bases named through the whole procedure and one Hunan base carried over.
static FIXTURE: LazyLock<(World, Vec<Event>)> = LazyLock::new(|| {
    let mut s = Sim::new();
    s.name_bases(
        "hubei-2022",
        &[
            ("A1", "B1", hubei_facts(1, "李明", "光电子信息")),
            ("A2", "B2", hubei_facts(2, "王强", "新材料")),
        ],
    );
    s.ok(
        "2026-06-10",
        "dept:z",
        json!({"type": "CarryOverBase", "base_id": "H1", "policy": "hunan-2026", "official_name": "湖南省某国际联合研究中心", "unit_name": "湖南单位", "uscc": uscc(3), "domain": "生物医药", "old_category": "国际联合研究中心（实验室）", "director": "王", "recognised_on": "2020-06-01"}),
    );
    (s.world, s.events)
});

#[derive(Debug, Clone)]
enum Op {
    Wait(u64),
    Report {
        base: usize,
        back: i32,
    },
    Assess {
        base: usize,
        back: i32,
        grade: usize,
    },
    Evaluate {
        base: usize,
        grade: usize,
    },
    ReEvaluate {
        base: usize,
        grade: usize,
    },
    Finding {
        base: usize,
        finding: usize,
        back: u64,
    },
    FileChange {
        base: usize,
        kind: usize,
        n: u8,
    },
    Approve {
        base: usize,
        n: u8,
        department: bool,
    },
    CarryOver {
        n: u8,
        hunan: bool,
        national: bool,
        year: i32,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u64..400).prop_map(Op::Wait),
        3 => (0usize..6, 1i32..3).prop_map(|(base, back)| Op::Report { base, back }),
        3 => (0usize..6, 1i32..3, 0usize..3).prop_map(|(base, back, grade)| Op::Assess { base, back, grade }),
        2 => (0usize..6, 0usize..3).prop_map(|(base, grade)| Op::Evaluate { base, grade }),
        2 => (0usize..6, 0usize..3).prop_map(|(base, grade)| Op::ReEvaluate { base, grade }),
        1 => (0usize..6, 0usize..8, 0u64..60).prop_map(|(base, finding, back)| Op::Finding { base, finding, back }),
        1 => (0usize..6, 0usize..6, 0u8..3).prop_map(|(base, kind, n)| Op::FileChange { base, kind, n }),
        1 => (0usize..6, 0u8..3, any::<bool>()).prop_map(|(base, n, department)| Op::Approve { base, n, department }),
        1 => (0u8..3, any::<bool>(), any::<bool>(), 2015i32..2026).prop_map(|(n, hunan, national, year)| Op::CarryOver { n, hunan, national, year }),
    ]
}

const BASES: [&str; 6] = ["B1", "B2", "H1", "C0", "C1", "C2"];
const GRADES: [&str; 3] = ["excellent", "qualified", "unqualified"];

fn run(ops: &[Op]) -> Sim {
    let mut s = Sim::new();
    s.world = FIXTURE.0.clone();
    s.events = FIXTURE.1.clone();
    let mut today = d("2026-07-01");
    let mut finals: HashMap<String, BaseStatus> = HashMap::new();
    for op in ops {
        let on = today.to_string();
        let base_policy = |s: &Sim, b: &str| s.world.base(b).map(|x| x.policy.clone());
        let _ = match op.clone() {
            Op::Wait(n) => {
                today = today.checked_add_days(Days::new(n)).unwrap();
                s.tick(&today.to_string());
                Ok(vec![])
            }
            Op::Report { base, back } => {
                let year = chrono::Datelike::year(&today) - back;
                s.cmd(
                    &on,
                    "unit:x",
                    json!({"type": "SubmitAnnualReport", "base": BASES[base], "year": year, "submitted_on": on}),
                )
            }
            Op::Assess { base, back, grade } => {
                let year = chrono::Datelike::year(&today) - back;
                let grade = if grade == 0 { "qualified" } else { GRADES[grade] };
                s.cmd(
                    &on,
                    "dept:z",
                    json!({"type": "RecordAnnualAssessment", "base": BASES[base], "year": year, "grade": grade}),
                )
            }
            Op::Evaluate { base, grade } => s.cmd(
                &on,
                "dept:z",
                json!({"type": "RecordEvaluation", "base": BASES[base], "grade": GRADES[grade]}),
            ),
            Op::ReEvaluate { base, grade } => s.cmd(
                &on,
                "dept:z",
                json!({"type": "RecordReEvaluation", "base": BASES[base], "grade": GRADES[grade]}),
            ),
            Op::Finding { base, finding, back } => {
                let Some(p) = base_policy(&s, BASES[base]) else {
                    continue;
                };
                let findings = &s.policies.get(&p).unwrap().vocabularies.findings;
                let code = findings[finding % findings.len()].code.clone();
                let eff = today.checked_sub_days(Days::new(back)).unwrap().to_string();
                s.cmd(&on, "dept:z", json!({"type": "RecordFinding", "case": format!("base/{}", BASES[base]), "finding": code, "effective_on": eff, "evidence": "x"}))
            }
            Op::FileChange { base, kind, n } => {
                let Some(p) = base_policy(&s, BASES[base]) else {
                    continue;
                };
                let kinds = &s.policies.get(&p).unwrap().vocabularies.major_change_kinds;
                let code = kinds[kind % kinds.len()].code.clone();
                s.cmd(&on, "unit:x", json!({"type": "FileMajorChange", "base": BASES[base], "change_id": format!("C{n}"), "kind": code, "details": {"description": "变更", "director": format!("新负责人{n}")}}))
            }
            Op::Approve { base, n, department } => {
                let (actor, by) = if department {
                    ("dept:z", "department")
                } else {
                    ("recommender:r", "recommender")
                };
                s.cmd(
                    &on,
                    actor,
                    json!({"type": "ApproveMajorChange", "base": BASES[base], "change_id": format!("C{n}"), "by": by}),
                )
            }
            Op::CarryOver {
                n,
                hunan,
                national,
                year,
            } => {
                let (policy, old) = if hunan {
                    ("hunan-2026", Some("示范型"))
                } else {
                    ("hubei-2022", None)
                };
                s.cmd(
                    &on,
                    "dept:z",
                    json!({"type": "CarryOverBase", "base_id": format!("C{n}"), "policy": policy, "official_name": "旧基地", "unit_name": "旧单位", "uscc": uscc(100 + n as u32), "domain": "农业", "old_category": old, "director": "周", "recognised_on": format!("{year}-05-01"), "national": national && !hunan}),
                )
            }
        };
        for b in s.world.bases() {
            if let Some(st) = finals.get(&b.id) {
                assert_eq!(*st, b.status, "base {} left its final status", b.id);
                assert!(b.status_on(today).is_some_and(|x| x.is_final()));
            } else if b.status.is_final() {
                finals.insert(b.id.clone(), b.status);
            }
        }
    }
    s
}

/// A base status by name, for comparing the world with the oracle.
fn status_name(s: &BaseStatus) -> &'static str {
    match s {
        BaseStatus::Active => "active",
        BaseStatus::UnderRectification { .. } => "rectification",
        BaseStatus::Terminated => "terminated",
        BaseStatus::Revoked => "revoked",
        BaseStatus::Disqualified { .. } => "disqualified",
        BaseStatus::ExitedNational => "exited_national",
    }
}

/// The oracle: what the log says, by event kind name only, without `World::apply`. A base
/// exists once named or carried over; its status is set by the last status event of its
/// stream (限期整改, 终止, 撤销, 取消资格 … each its own event).
fn oracle(events: &[Event]) -> (BTreeMap<String, &'static str>, BTreeMap<String, i64>) {
    let mut bases = BTreeMap::new();
    let mut versions = BTreeMap::new();
    for e in events {
        *versions.entry(e.stream.clone()).or_insert(0) += 1;
        let Some(id) = e.stream.strip_prefix("base/") else {
            continue;
        };
        let status = match e.kind_name() {
            "BaseNamed" | "BaseCarriedOver" | "RectificationCompleted" => "active",
            "RectificationOrdered" => "rectification",
            "BaseTerminated" => "terminated",
            "BaseRevoked" => "revoked",
            "BaseDisqualified" => "disqualified",
            "BaseExitedNational" => "exited_national",
            _ => continue,
        };
        bases.insert(id.to_string(), status);
    }
    (bases, versions)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_world_agrees_with_the_log_read_independently(ops in proptest::collection::vec(op(), 1..40)) {
        let s = run(&ops);
        let (bases, versions) = oracle(&s.events);
        let world: BTreeMap<String, &'static str> =
            s.world.bases().map(|b| (b.id.clone(), status_name(&b.status))).collect();
        prop_assert_eq!(&world, &bases);
        for (stream, n) in &versions {
            prop_assert_eq!(s.world.stream_version(stream), *n, "{}", stream);
        }
    }

    #[test]
    fn replay_gives_the_same_world(ops in proptest::collection::vec(op(), 1..40)) {
        let s = run(&ops);
        let mut replayed = World::new();
        for e in &s.events {
            let json = serde_json::to_string(&e.payload()).unwrap();
            let payload: serde_json::Value = serde_json::from_str(&json).unwrap();
            replayed.apply(&Event::from_parts(&e.stream, e.on, &e.actor, &e.article_texts(), e.kind_name(), payload).unwrap());
        }
        prop_assert_eq!(&replayed, &s.world);
        // Whole events survive JSON too.
        for e in s.events.iter().rev().take(20) {
            let back: Event = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
            prop_assert_eq!(&back, e);
        }
    }

    #[test]
    fn final_statuses_are_final(ops in proptest::collection::vec(op(), 1..60)) {
        // The check runs after every step inside `run`.
        let s = run(&ops);
        for b in s.world.bases() {
            if b.history.iter().any(|h| h.status.is_final()) {
                prop_assert!(b.status.is_final());
            }
        }
    }
}
