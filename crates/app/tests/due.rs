//! The reminders' schedule at its boundaries.
//!
//! Hunan 第十四条: "上年度工作报告和下年度工作计划……于每年1月15日前向省科技厅报送"; Hubei 第二十二条:
//! "省国合基地应于每年 1 月 15 日前向省科技厅报送上一年度建设和运行情况总结报告". Both policy files
//! read the 15th itself as on time (`due_inclusive: true`). Reminders go out 30, 7 and 1 days
//! before the 15th and on the day the report is missed, the 16th.

use chrono::NaiveDate;
use guohe_app::Guohe;
use guohe_app::due::{Audience, ReminderKind, ReportStage, annual_report_stage, reminders_on};
use guohe_domain::{Actor, Command};
use guohe_policy::PolicySet;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn stage(policy: &guohe_policy::Policy, on: &str) -> Option<(ReportStage, NaiveDate)> {
    annual_report_stage(policy, 2026, d(on))
}

#[test]
fn annual_report_stages_at_the_boundaries_in_both_provinces() {
    let set = PolicySet::default();
    for id in ["hunan-2026", "hubei-2022"] {
        let p = set.get(id).unwrap();
        let cases = [
            ("2026-12-15", None),
            ("2026-12-16", Some((ReportStage::Before(30), "2026-12-16"))),
            ("2027-01-07", Some((ReportStage::Before(30), "2026-12-16"))),
            ("2027-01-08", Some((ReportStage::Before(7), "2027-01-08"))),
            ("2027-01-13", Some((ReportStage::Before(7), "2027-01-08"))),
            ("2027-01-14", Some((ReportStage::Before(1), "2027-01-14"))),
            // The 15th is still on time ("1月15日前", read as inclusive): no overdue notice yet.
            ("2027-01-15", Some((ReportStage::Before(1), "2027-01-14"))),
            ("2027-01-16", Some((ReportStage::Missed, "2027-01-16"))),
            ("2027-02-15", Some((ReportStage::Missed, "2027-01-16"))),
            ("2027-02-16", None),
        ];
        for (on, want) in cases {
            let want = want.map(|(s, day)| (s, d(day)));
            assert_eq!(stage(p, on), want, "{id} on {on}");
        }
    }
}

#[test]
fn an_exclusive_deadline_is_missed_on_the_day_itself() {
    let mut p = PolicySet::default().get("hubei-2022").unwrap().clone();
    p.lifecycle.annual_report.due_inclusive = false;
    assert_eq!(stage(&p, "2027-01-14"), Some((ReportStage::Before(1), d("2027-01-14"))));
    assert_eq!(stage(&p, "2027-01-15"), Some((ReportStage::Missed, d("2027-01-15"))));
}

fn cmd(v: serde_json::Value) -> Command {
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn a_base_is_reminded_until_its_report_is_filed() {
    let g = Guohe::open("sqlite::memory:", PolicySet::default()).await.unwrap();
    let uscc = "91420100MA4K56786D";
    g.execute(
        &Actor::parse("dept:zhang").unwrap(),
        d("2026-01-05"),
        cmd(json!({"type": "CarryOverBase", "base_id": "HB-OLD-1", "policy": "hubei-2022", "official_name": "湖北省新材料国际科技合作基地", "unit_name": "武汉示范新材料有限公司", "uscc": uscc, "domain": "新材料", "director": "赵强", "partner_country": "DE", "recognised_on": "2019-06-01"})),
    )
    .await
    .unwrap();
    let on = |day: &'static str| {
        let g = &g;
        async move { g.read(|w, _, p| reminders_on(w, p, d(day))).await }
    };
    assert!(on("2026-12-15").await.is_empty());
    let r = on("2027-01-08").await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].key, "annual_report:base/HB-OLD-1:2026:d-7");
    assert_eq!(r[0].kind, ReminderKind::AnnualReport);
    assert_eq!(r[0].audience, [Audience::Unit(uscc.into())]);
    assert_eq!(r[0].due_on, d("2027-01-15"));
    assert!(r[0].body.contains("第二十二条"), "{}", r[0].body);
    assert_eq!(r[0].link_for(&Audience::Unit(uscc.into())), "/unit/bases/HB-OLD-1");
    // The same stage on another day has the same key: stored once.
    assert_eq!(on("2027-01-10").await[0].key, r[0].key);
    let missed = on("2027-01-16").await;
    assert_eq!(missed[0].key, "annual_report:base/HB-OLD-1:2026:missed");
    assert_eq!(missed[0].audience, [Audience::Unit(uscc.into()), Audience::Department]);

    g.execute(
        &Actor::parse(&format!("unit:{uscc}")).unwrap(),
        d("2027-01-09"),
        cmd(json!({"type": "SubmitAnnualReport", "base": "HB-OLD-1", "year": 2026, "submitted_on": "2027-01-09"})),
    )
    .await
    .unwrap();
    assert!(on("2027-01-14").await.is_empty());
    assert!(on("2027-01-16").await.is_empty());
}
