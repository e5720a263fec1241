//! Helpers shared by the scenario tests: a world driven by JSON commands, with the clock
//! advanced to each command's date first (as a simulation does).
#![allow(dead_code)]

use chrono::NaiveDate;
use guohe_calendar::Calendar;
use guohe_domain::*;
use guohe_policy::PolicySet;
use serde_json::{Value, json};

pub const HUBEI_APP: &str = include_str!("../../../../examples/applications/hubei-enterprise.json");
pub const HUNAN_APP: &str = include_str!("../../../../examples/applications/hunan-joint-research.json");

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Sets a value at a JSON pointer (the parent must exist).
pub fn set(v: &mut Value, pointer: &str, new: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .insert(key.to_string(), new);
}

/// A valid unified social credit code, different for every `n`.
pub fn uscc(n: u32) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("9142010000{:06}", n);
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {n}");
}

pub fn hubei_facts(unit: u32, director: &str, domain: &str) -> Value {
    let mut v: Value = serde_json::from_str(HUBEI_APP).unwrap();
    set(&mut v, "/unit/uscc", json!(uscc(unit)));
    set(&mut v, "/unit/name", json!(format!("武汉示范单位{unit}")));
    set(&mut v, "/director/name", json!(director));
    set(&mut v, "/technology_domain", json!(domain));
    v
}

pub fn hunan_facts(unit: u32, domain: &str) -> Value {
    let mut v: Value = serde_json::from_str(HUNAN_APP).unwrap();
    let code = uscc(unit).replacen("9142", "9143", 1);
    let code = if guohe_reference::uscc::is_valid(&code) {
        code
    } else {
        hunan_uscc(unit)
    };
    set(&mut v, "/unit/uscc", json!(code));
    set(&mut v, "/unit/name", json!(format!("湖南示范单位{unit}")));
    set(&mut v, "/technology_domain", json!(domain));
    v
}

fn hunan_uscc(n: u32) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let stem = format!("9143010000{:06}", n);
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    panic!("no valid USCC for {n}");
}

pub fn command(v: Value) -> Command {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("bad command: {e}"))
}

pub struct Sim {
    pub world: World,
    pub events: Vec<Event>,
    pub policies: PolicySet,
    pub calendar: Calendar,
}

impl Default for Sim {
    fn default() -> Self {
        Sim::new()
    }
}

impl Sim {
    pub fn new() -> Sim {
        Sim {
            world: World::new(),
            events: Vec::new(),
            policies: PolicySet::default(),
            calendar: Calendar::builtin(),
        }
    }

    fn apply(&mut self, evs: &[Event]) {
        for e in evs {
            // Every event must survive the store's round trip.
            let back = Event::from_parts(
                &e.stream,
                e.on,
                &e.actor,
                &e.article_texts(),
                e.kind_name(),
                e.payload(),
            )
            .unwrap();
            assert_eq!(&back, e, "round trip of {}", e.kind_name());
            self.world.apply(e);
        }
        self.events.extend_from_slice(evs);
    }

    pub fn tick(&mut self, to: &str) -> Vec<Event> {
        let ctx = Ctx {
            policies: &self.policies,
            calendar: &self.calendar,
            actor: Actor::system(),
            today: d(to),
        };
        let evs = tick(&self.world, &ctx, d(to)).unwrap_or_else(|r| panic!("tick refused: {r}"));
        self.apply(&evs);
        evs
    }

    pub fn cmd(&mut self, on: &str, actor: &str, v: Value) -> Result<Vec<Event>, Refusal> {
        if self.world.clock().is_none_or(|c| c < d(on)) {
            self.tick(on);
        }
        let ctx = Ctx {
            policies: &self.policies,
            calendar: &self.calendar,
            actor: Actor::parse(actor).unwrap(),
            today: d(on),
        };
        let r = handle(&self.world, &ctx, command(v));
        if let Ok(evs) = &r {
            let evs = evs.clone();
            self.apply(&evs);
        }
        r
    }

    #[track_caller]
    pub fn ok(&mut self, on: &str, actor: &str, v: Value) -> Vec<Event> {
        let what = v["type"].to_string();
        self.cmd(on, actor, v)
            .unwrap_or_else(|r| panic!("{what} refused: {} / {} {:?}", r.message_zh, r.message_en, r.citation))
    }

    #[track_caller]
    pub fn refused(&mut self, on: &str, actor: &str, v: Value) -> Refusal {
        match self.cmd(on, actor, v) {
            Ok(evs) => panic!(
                "expected a refusal, got {:?}",
                evs.iter().map(|e| e.kind_name()).collect::<Vec<_>>()
            ),
            Err(r) => r,
        }
    }

    pub fn base(&self, id: &str) -> &Base {
        self.world.base(id).unwrap_or_else(|| panic!("no base {id}"))
    }

    pub fn app(&self, id: &str) -> &ApplicationCase {
        self.world
            .application(id)
            .unwrap_or_else(|| panic!("no application {id}"))
    }

    pub fn open_round(&mut self, policy: &str, id: &str, opens: &str, closes: &str) {
        self.ok(
            opens,
            "dept:zhang",
            json!({"type": "OpenRound", "id": id, "policy": policy, "title": "年度申报", "opens_on": opens, "closes_on": closes}),
        );
    }

    /// Submits, recommends (unless direct), reviews with three experts and approves, on fixed
    /// 2026 dates; returns nothing, the applications end `Approved`.
    pub fn approve(&mut self, round: &str, apps: &[(&str, Value)]) {
        for (id, facts) in apps {
            self.ok(
                "2026-03-16",
                "unit:applicant",
                json!({"type": "SubmitApplication", "id": id, "round": round, "facts": facts}),
            );
        }
        for (id, _) in apps {
            if !self.app(id).direct {
                self.ok(
                    "2026-03-20",
                    "recommender:city",
                    json!({"type": "RecommendApplication", "application": id, "recommender": "市科技局", "opinion": "同意推荐"}),
                );
            }
        }
        for (id, _) in apps {
            for (i, e) in ["E1", "E2", "E3"].iter().enumerate() {
                self.ok(
                    "2026-04-01",
                    "dept:zhang",
                    json!({"type": "AssignExpert", "application": id, "expert_id": e, "expert_unit_uscc": uscc(900 + i as u32)}),
                );
            }
        }
        for (id, _) in apps {
            for e in ["E1", "E2", "E3"] {
                self.ok(
                    "2026-04-10",
                    &format!("expert:{e}"),
                    json!({"type": "SubmitReview", "application": id, "expert": e, "score": 86.5, "conclusion": "recommend", "comments": "基础扎实"}),
                );
            }
        }
        for (id, _) in apps {
            self.ok(
                "2026-05-10",
                "dept:zhang",
                json!({"type": "Decide", "application": id, "decision": "approve", "reasons": "综合评议同意"}),
            );
        }
    }

    /// Runs a round under `policy` to naming on 2026-06-10 (notice 2026-06-01 to 2026-06-05).
    /// `apps` are (application id, base id, facts).
    pub fn name_bases(&mut self, policy: &str, apps: &[(&str, &str, Value)]) {
        let round = format!("{policy}-2026");
        if self.world.round(&round).is_none() {
            self.open_round(policy, &round, "2026-03-01", "2026-04-30");
        }
        let list: Vec<(&str, Value)> = apps.iter().map(|(a, _, f)| (*a, f.clone())).collect();
        self.approve(&round, &list);
        let ids: Vec<&str> = apps.iter().map(|(a, _, _)| *a).collect();
        let notice = format!("N-{}", ids.join("-"));
        self.ok(
            "2026-06-01",
            "dept:zhang",
            json!({"type": "StartPublicNotice", "notice_id": notice, "applications": ids, "starts_on": "2026-06-01"}),
        );
        for (a, b, _) in apps {
            self.ok(
                "2026-06-10",
                "dept:zhang",
                json!({"type": "Name", "application": a, "base_id": b, "on": "2026-06-10"}),
            );
        }
    }

    pub fn report(&mut self, base: &str, year: i32, on: &str) -> Vec<Event> {
        self.ok(
            on,
            "unit:applicant",
            json!({"type": "SubmitAnnualReport", "base": base, "year": year, "submitted_on": on}),
        )
    }

    pub fn assess(&mut self, base: &str, year: i32, grade: &str, on: &str) -> Vec<Event> {
        self.ok(
            on,
            "dept:zhang",
            json!({"type": "RecordAnnualAssessment", "base": base, "year": year, "grade": grade}),
        )
    }
}

/// The kinds of a list of events.
pub fn kinds(evs: &[Event]) -> Vec<&'static str> {
    evs.iter().map(|e| e.kind_name()).collect()
}

/// The event of a kind, which must be there.
#[track_caller]
pub fn find<'a>(evs: &'a [Event], kind: &str) -> &'a Event {
    evs.iter()
        .find(|e| e.kind_name() == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(evs)))
}

#[track_caller]
pub fn assert_cites(e: &Event, citation: &str) {
    assert!(
        e.cites(citation),
        "{} cites {:?}, not {citation}",
        e.kind_name(),
        e.article_texts()
    );
}

#[track_caller]
pub fn assert_refusal(r: &Refusal, code: RefusalCode, citation: Option<&str>) {
    assert_eq!(r.code, code, "{} / {}", r.message_zh, r.message_en);
    assert_eq!(
        r.citation.as_ref().map(|c| c.to_string()).as_deref(),
        citation,
        "{}",
        r.message_zh
    );
    assert!(!r.message_zh.is_empty() && !r.message_en.is_empty());
}
