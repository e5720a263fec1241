//! The application service end to end on a real database — the same suite on SQLite (a file in
//! a temp dir) and on PostgreSQL (a fresh database on 127.0.0.1:5432; set GUOHE_SKIP_POSTGRES=1
//! to skip where no server runs). Covers: a Hubei application from round to naming through every
//! procedural step, the register as of past dates, tick idempotence, concurrent conflicting
//! commands from two servers, replay after restart, and the audit chain.

use crate::common;

use chrono::NaiveDate;
use common::on_both;
use guohe_app::{AppError, Guohe};
use guohe_domain::{Actor, Command};
use guohe_policy::PolicySet;
use serde_json::json;

const HUBEI: &str = include_str!("../../../examples/applications/hubei-enterprise.json");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn cmd(v: serde_json::Value) -> Command {
    serde_json::from_value(v).unwrap_or_else(|e| panic!("command: {e}"))
}

fn actor(s: &str) -> Actor {
    Actor::parse(s).unwrap()
}

async fn open(url: &str) -> Guohe {
    Guohe::open(url, PolicySet::default()).await.unwrap()
}

const UNIT: &str = "unit:91420100MA4K56786D";

/// Round → submission → recommendation → three reviews → decision → 公示 → naming.
async fn run_to_naming(g: &Guohe) {
    let dept = actor("dept:zhang");
    g.execute(&dept, d("2026-03-01"), cmd(json!({"type": "OpenRound", "id": "HB-2026", "policy": "hubei-2022", "title": "2026年度湖北省国合基地申报", "opens_on": "2026-03-01", "closes_on": "2026-04-30"})))
        .await
        .unwrap();
    let facts: serde_json::Value = serde_json::from_str(HUBEI).unwrap();
    g.execute(
        &actor(UNIT),
        d("2026-03-16"),
        cmd(json!({"type": "SubmitApplication", "id": "A1", "round": "HB-2026", "facts": facts})),
    )
    .await
    .unwrap();
    g.execute(&actor("recommender:wuhan"), d("2026-03-20"), cmd(json!({"type": "RecommendApplication", "application": "A1", "recommender": "武汉市科学技术局", "opinion": "材料齐全，同意推荐"})))
        .await
        .unwrap();
    for (i, uscc) in ["12100000441626842D", "12100000441626770L", "12430000444881590X"]
        .iter()
        .enumerate()
    {
        g.execute(&dept, d("2026-04-01"), cmd(json!({"type": "AssignExpert", "application": "A1", "expert_id": format!("e{i}"), "expert_unit_uscc": uscc})))
            .await
            .unwrap();
        g.execute(&actor(&format!("expert:e{i}")), d("2026-04-10"), cmd(json!({"type": "SubmitReview", "application": "A1", "expert": format!("e{i}"), "score": 85 + i, "conclusion": "recommend", "comments": "基础扎实"})))
            .await
            .unwrap();
    }
    g.execute(
        &dept,
        d("2026-09-20"),
        cmd(json!({"type": "Decide", "application": "A1", "decision": "approve", "reasons": "综合评议同意"})),
    )
    .await
    .unwrap();
    g.execute(
        &dept,
        d("2026-09-28"),
        cmd(json!({"type": "StartPublicNotice", "notice_id": "N1", "applications": ["A1"], "starts_on": "2026-09-28"})),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_application_runs_from_round_to_naming_and_the_register_reads_as_of_any_date() {
    on_both(|url| async move {
        let g = open(&url).await;
        run_to_naming(&g).await;
        let ends = g.read(|w, _, _| w.notice("N1").map(|n| n.ends_on)).await;
        // Hubei 第十七条: 不少于5个工作日 — from 2026-09-28 across 国庆节 to 2026-10-09.
        assert_eq!(ends, Some(d("2026-10-09")));
        // Naming before the notice period has ended is refused, citing 第十七条.
        let err = g
            .execute(
                &actor("dept:zhang"),
                d("2026-10-09"),
                cmd(json!({"type": "Name", "application": "A1", "base_id": "HB-2026-001", "on": "2026-10-09"})),
            )
            .await
            .unwrap_err();
        let AppError::Refused(r) = err else { panic!("{err:?}") };
        assert_eq!(r.citation.map(|c| c.to_string()), Some("hubei-2022:17(1)".into()));
        let out = g
            .execute(
                &actor("dept:zhang"),
                d("2026-10-12"),
                cmd(json!({"type": "Name", "application": "A1", "base_id": "HB-2026-001", "on": "2026-10-12"})),
            )
            .await
            .unwrap();
        assert!(out.events.iter().any(|e| e.cites("hubei-2022:18")), "{:?}", out.events);
        assert_eq!(out.events.len(), out.stored.len());
        let name = g
            .read(|w, _, _| w.base("HB-2026-001").map(|b| b.official_name.clone()))
            .await;
        assert_eq!(name.as_deref(), Some("湖北省光电子信息国际科技合作基地"));
        // The register as of any date.
        let before = g.read(|w, _, _| guohe_domain::register(w, d("2026-10-11"))).await;
        let after = g.read(|w, _, _| guohe_domain::register(w, d("2026-10-12"))).await;
        assert!(before.is_empty());
        assert_eq!(after.len(), 1);
        // A restart rebuilds the same state from the log.
        drop(g);
        let g2 = open(&url).await;
        let again = g2.read(|w, _, _| guohe_domain::register(w, d("2026-10-12"))).await;
        assert_eq!(again.len(), 1);
        assert!(g2.verify().await.unwrap().is_intact());
    })
    .await;
}

#[tokio::test]
async fn tick_is_idempotent_and_applies_what_fell_due() {
    on_both(|url| async move {
        let g = open(&url).await;
        // A legacy Hubei base (第三十一条) with no annual report for 2026.
        g.execute(&actor("dept:zhang"), d("2026-01-05"), cmd(json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司", "uscc": "91420100MA4K56786D", "domain": "新材料", "director": "赵强", "partner_country": "DE", "recognised_on": "2019-06-01"})))
            .await
            .unwrap();
        let first = g.tick(d("2027-01-20")).await.unwrap();
        // No report by 15 January → 2026 assessment 不合格, citing 第二十二条.
        assert!(first.events.iter().any(|e| e.cites("hubei-2022:22(1)")), "{:?}", first.events);
        let again = g.tick(d("2027-01-20")).await.unwrap();
        assert!(again.events.is_empty(), "{:?}", again.events);
        // The clock cannot go back.
        assert!(matches!(g.tick(d("2027-01-01")).await, Err(AppError::Refused(_))));
    })
    .await;
}

#[tokio::test]
async fn conflicting_decisions_exactly_one_wins_the_other_gets_a_conflict() {
    on_both(|url| async move {
        // Two servers on the same database.
        let a = open(&url).await;
        let b = open(&url).await;
        let carry = |id: &str| {
            cmd(json!({"type": "CarryOverBase", "base_id": id, "policy": "hubei-2022", "official_name": "湖北省生物医药国际科技合作基地", "unit_name": "武汉示范生物有限公司", "uscc": "91420100MA4K56786D", "domain": "生物医药", "director": "钱敏", "recognised_on": "2020-01-01"}))
        };
        a.execute(&actor("dept:zhang"), d("2026-05-01"), carry("HB-X")).await.unwrap();
        b.refresh().await.unwrap();
        // Both decide on the same base from the same state, before either appends; the one
        // that appends second finds the stream moved on and conflicts, writing nothing.
        let report = |who: &str| cmd(json!({"type": "RecordFinding", "case": "base/HB-X", "finding": "misconduct", "effective_on": "2026-05-02", "evidence": who}));
        let (zhang, li) = (actor("dept:zhang"), actor("dept:li"));
        let da = a.decide(&zhang, d("2026-05-02"), report("a")).await.unwrap();
        let db = b.decide(&li, d("2026-05-02"), report("b")).await.unwrap();
        assert!(da.events().iter().any(|e| e.kind_name() == "BaseTerminated"), "both decided a termination");
        assert!(db.events().iter().any(|e| e.kind_name() == "BaseTerminated"));
        let ra = a.append_decided(da).await;
        let rb = b.append_decided(db).await;
        assert!(ra.is_ok(), "the first append wins: {:?}", ra.err());
        match rb {
            Err(AppError::Conflict { stream }) => assert_eq!(stream, "base/HB-X"),
            other => panic!("the second append must conflict: {:?}", other.map(|o| o.events.len())),
        }
        assert_eq!(
            AppError::Conflict { stream: "base/HB-X".into() }.message_zh(),
            "该案件刚被他人修改，本次操作未保存；请刷新后重试。"
        );
        // The loser's server has caught up: deciding again is now refused by the rules.
        assert!(matches!(
            b.execute(&li, d("2026-05-02"), report("b")).await,
            Err(AppError::Refused(_))
        ));
        // Nothing half-written: the chain verifies and the base is terminated exactly once.
        assert!(a.verify().await.unwrap().is_intact());
        a.refresh().await.unwrap();
        let terminated = a.history("base/HB-X").await.unwrap().iter().filter(|e| e.kind == "BaseTerminated").count();
        assert_eq!(terminated, 1);
    })
    .await;
}

#[tokio::test]
async fn refusals_write_nothing_and_security_events_join_the_chain() {
    on_both(|url| async move {
        let g = open(&url).await;
        let head = g.log().head().await.unwrap();
        let err = g
            .execute(&actor("unit:91420100MA4K56786D"), d("2026-03-01"), cmd(json!({"type": "OpenRound", "id": "R", "policy": "hubei-2022", "title": "t", "opens_on": "2026-03-01", "closes_on": "2026-03-31"})))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Refused(_)));
        assert_eq!(g.log().head().await.unwrap(), head);
        g.audit(d("2026-03-01"), "user:zhang", "LoginFailed", json!({"ip": "127.0.0.1"})).await.unwrap();
        g.refresh().await.unwrap();
        let report = g.verify().await.unwrap();
        assert!(report.is_intact(), "{report:?}");
    })
    .await;
}
