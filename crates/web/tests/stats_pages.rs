//! 统计 over HTTP on the demo data: `/stats` counts the register as of a date as the register
//! itself lists it (counted here base by base, per province and for a past date); the public
//! view has no applications, the department's adds them for its own province only; every chart
//! is well-formed SVG beside its table; the workbook downloads; a bad `as_of` is refused in
//! Chinese keeping what was typed.

use crate::pages_support;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use pages_support::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The number in `data-on-register>N<`.
fn on_register(body: &str) -> usize {
    let i = body.find("data-on-register>").expect("the count") + "data-on-register>".len();
    body[i..].split('<').next().unwrap().parse().unwrap()
}

/// The rows of a statistic's table: (label, total).
fn table(body: &str, id: &str) -> BTreeMap<String, u64> {
    let start = body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}"));
    let section = &body[start..];
    let section = &section[..section.find("</section>").unwrap()];
    let tbody = &section[section.find("<tbody>").unwrap()..section.find("</tbody>").unwrap()];
    tbody
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let label = row
                .split("<th scope=\"row\">")
                .nth(1)
                .unwrap()
                .split("</th>")
                .next()
                .unwrap();
            let last = row
                .rsplit("<td class=\"num\">")
                .next()
                .unwrap()
                .split('<')
                .next()
                .unwrap();
            (unescape(label), last.parse().unwrap())
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Every chart on the page parses as XML, is an SVG with a title, and has a table beside it.
fn charts_are_well_formed(body: &str) -> usize {
    let mut n = 0;
    let mut rest = body;
    while let Some(i) = rest.find("<svg") {
        let end = rest[i..].find("</svg>").expect("closed") + i + "</svg>".len();
        let svg = &rest[i..end];
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        assert_eq!(root.attribute("role"), Some("img"));
        assert!(root.children().any(|c| c.tag_name().name() == "title"), "{svg}");
        assert!(
            rest[end..].trim_start().starts_with("</figure>\n<table"),
            "a table beside it"
        );
        n += 1;
        rest = &rest[end..];
    }
    n
}

#[tokio::test]
async fn stats_count_the_register_and_draw_well_formed_charts() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("g.db"), d("2026-11-20"), true).await;
    let public = Browser::new(&s);

    for (query, policy, date) in [
        ("as_of=2026-11-20", None, "2026-11-20"),
        ("as_of=2026-11-20&policy=hunan-2026", Some("hunan-2026"), "2026-11-20"),
        ("policy=hubei-2022", Some("hubei-2022"), "2026-11-20"),
        ("as_of=2024-06-30", None, "2024-06-30"),
    ] {
        let page = public.get(&format!("/stats?{query}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        // The register on the same date, counted here.
        let register: Vec<guohe_domain::RegisterEntry> = s
            .state
            .guohe
            .read(|w, _, _| guohe_domain::register(w, d(date)))
            .await
            .into_iter()
            .filter(|e| policy.is_none_or(|p| e.policy == p))
            .collect();
        assert!(!register.is_empty(), "{query}: the demo has bases then");
        assert_eq!(on_register(&page.body), register.len(), "{query}");
        let mut by_domain: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
        for e in &register {
            *by_domain.entry(e.domain.clone()).or_default() += 1;
            *by_year
                .entry(format!("{}年", e.recognised_on.format("%Y")))
                .or_default() += 1;
        }
        assert_eq!(table(&page.body, "bases_by_domain"), by_domain, "{query}");
        assert_eq!(table(&page.body, "bases_by_year"), by_year, "{query}");
        let statuses: u64 = table(&page.body, "bases_by_status")
            .iter()
            .filter(|(k, _)| k.as_str() == "正常运行" || k.as_str() == "限期整改")
            .map(|(_, n)| n)
            .sum();
        assert_eq!(statuses as usize, register.len(), "{query}");
        assert_eq!(charts_are_well_formed(&page.body), 6, "{query}");
        // The public view holds what the register shows, no applications nor grades.
        assert!(!page.body.contains("applications_by_stage") && !page.body.contains("evaluations_by_year"));
    }

    let xlsx = public.get("/stats?as_of=2026-11-20&format=xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an xlsx is a zip file");

    // A bad date: a Chinese error on the field, what was typed kept, no numbers shown.
    let bad = public.get("/stats?as_of=2026-02-30&policy=hunan-2026").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("“2026-02-30”不是有效日期"), "{}", bad.body);
    assert!(bad.body.contains("value=\"2026-02-30\""), "{}", bad.body);
    assert!(!bad.body.contains("data-on-register"));
    assert_eq!(public.get("/stats?as_of=yesterday&format=xlsx").await.status, 400);
    let bad = public.get("/stats?policy=nowhere-2020").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("未载入办法“nowhere-2020”"), "{}", bad.body);
}

#[tokio::test]
async fn the_department_sees_applications_and_grades_of_its_province_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("g.db"), d("2026-11-20"), true).await;
    let anonymous = Browser::new(&s);
    assert_eq!(anonymous.get("/dept/stats").await.status, 303);

    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    let page = dept.get("/dept/stats?as_of=2026-11-20").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(charts_are_well_formed(&page.body), 10);
    // Its own province: Hunan's register only.
    let register = s
        .state
        .guohe
        .read(|w, _, _| guohe_domain::register(w, d("2026-11-20")))
        .await
        .into_iter()
        .filter(|e| e.policy == "hunan-2026")
        .count();
    assert_eq!(on_register(&page.body), register);
    // Every Hunan application submitted by then, by stage.
    let applications = s
        .state
        .guohe
        .read(|w, _, _| {
            w.applications()
                .filter(|a| a.policy == "hunan-2026" && a.submitted_on <= d("2026-11-20"))
                .count()
        })
        .await;
    let by_round: u64 = table(&page.body, "applications_by_stage").values().sum();
    assert_eq!(by_round as usize, applications);
    let by_recommender: u64 = table(&page.body, "applications_by_recommender").values().sum();
    assert_eq!(by_recommender as usize, applications);
    assert!(page.body.contains("id=\"evaluations_by_year\""));
    // No other province: every prefecture is Hunan's, every round too.
    let prefectures = table(&page.body, "bases_by_prefecture");
    assert!(
        !prefectures.is_empty() && prefectures.keys().all(|k| k.starts_with("湖南省")),
        "{prefectures:?}"
    );
    let rounds = table(&page.body, "applications_by_stage");
    assert!(
        !rounds.is_empty() && rounds.keys().all(|k| !k.contains("湖北")),
        "{rounds:?}"
    );

    // Another province's policy is refused.
    assert_eq!(dept.get("/dept/stats?policy=hubei-2022").await.status, 403);
    let bad = dept.get("/dept/stats?as_of=20261120").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("value=\"20261120\"") && bad.body.contains("不是有效日期"));
    let xlsx = dept.get("/dept/stats?format=xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"));
}
