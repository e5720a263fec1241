//! 双随机、一公开 over HTTP on the demo data (湖南第十五条 evaluations): the department previews a
//! draw, confirms it, the draw is published with its record, the record reruns to the recorded
//! selection, the base's page shows it, a result is recorded behind a confirmation; the other
//! province's department may not draw Hunan's bases.

use crate::pages_support;

use chrono::NaiveDate;
use guohe_domain::InspectionsDrawn;
use pages_support::*;

const FORM: &[(&str, &str)] = &[
    ("id", "HN-DRAW-2026"),
    ("policy", "hunan-2026"),
    ("purpose", "evaluation"),
    ("year", "2026"),
    ("share", "1"),
    ("strata", "category"),
    ("seed", "湘科-2026-动态评估-1120"),
];

/// The published record on a draw's page.
fn record_of(html: &str) -> InspectionsDrawn {
    let start = html.find("<pre class=\"record\">").expect("record") + "<pre class=\"record\">".len();
    let end = start + html[start..].find("</pre>").unwrap();
    serde_json::from_str(&unescape(&html[start..end])).expect("the record parses")
}

#[tokio::test]
async fn preview_confirm_publish_rerun_and_record_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;

    // Missing seed: the field is named, nothing drawn.
    let mut no_seed: Vec<(&str, &str)> = FORM.iter().copied().filter(|(k, _)| *k != "seed").collect();
    no_seed.push(("seed", ""));
    let r = dept.post_form("/dept/draws", "/dept/draws", &no_seed).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("seed-err"), "{}", r.body);

    // A share out of range is refused with the article (湘科发〔2026〕27号 第十五条).
    let mut bad: Vec<(&str, &str)> = FORM.iter().copied().filter(|(k, _)| *k != "share").collect();
    bad.push(("share", "1.5"));
    let r = dept.post_form("/dept/draws", "/dept/draws", &bad).await;
    assert!(r.status >= 400, "{}", r.body);
    assert!(r.body.contains("第十五条"), "{}", r.body);

    // The preview: a confirmation quoting the article, listing the selection; nothing recorded.
    let preview = dept.post_form("/dept/draws", "/dept/draws", FORM).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("请确认") && preview.body.contains("第十五条"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("湘科-2026-动态评估-1120"), "{}", preview.body);
    let public = Browser::new(&s);
    assert!(!public.get("/draws").await.body.contains("HN-DRAW-2026"));

    // Confirmed: recorded and published.
    let r = dept.confirm(&preview.body, "/dept/draws").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/draws/HN-DRAW-2026");
    let list = public.get("/draws").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("HN-DRAW-2026") && list.body.contains("湘科-2026-动态评估-1120"));
    let page = public.get("/draws/HN-DRAW-2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let x = record_of(&page.body);
    assert_eq!(x.seed, "湘科-2026-动态评估-1120");
    assert_eq!(
        x.selected.len(),
        x.candidates.len(),
        "a share of 1 draws every candidate"
    );
    // The published record alone reruns to the recorded selection.
    let rerun = x.rerun().expect("reruns");
    assert_eq!(rerun.selected, x.selected);
    assert_eq!(rerun.exclusions, x.exclusions);
    // expert-tang works at 湘潭电气 (hn-xtdq), the support unit of HN-2018-05: kept off it.
    let b = x
        .selected
        .iter()
        .find(|b| b.base == "HN-2018-05")
        .expect("HN-2018-05 drawn");
    assert!(!b.inspectors.contains(&"expert-tang".to_string()));
    assert!(
        x.exclusions
            .iter()
            .any(|e| e.base == "HN-2018-05" && e.expert == "expert-tang")
    );
    assert!(
        page.body.contains("专家所在单位即被考察基地的依托单位"),
        "{}",
        page.body
    );

    // The base's public page links the draw.
    let base = public.get("/bases/HN-2018-05").await;
    assert!(base.body.contains("/draws/HN-DRAW-2026"), "{}", base.body);

    // A second draw with the same id is refused (never redone).
    let again = dept.post_form("/dept/draws", "/dept/draws", FORM).await;
    assert!(again.status >= 400 && again.body.contains("不能重抽"), "{}", again.body);

    // A result, behind a confirmation, then on the draw's page and the base's record.
    let preview = dept
        .post_form(
            "/dept/draws",
            "/dept/draws/HN-DRAW-2026/results",
            &[
                ("base", "HN-2018-05"),
                ("findings", "现场考察：运行正常，合作项目进展与报告一致"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("请确认"), "{}", preview.body);
    let r = dept.confirm(&preview.body, "/dept/draws/HN-DRAW-2026/results").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        public
            .get("/draws/HN-DRAW-2026")
            .await
            .body
            .contains("合作项目进展与报告一致")
    );
    let base = public.get("/bases/HN-2018-05").await;
    assert!(base.body.contains("现场考察（随机抽取）") && base.body.contains("合作项目进展与报告一致"));

    // The draws and results as a download (双随机、一公开: results made public), inspectors by
    // name and unit rather than login.
    let csv = public.get("/draws.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'), "UTF-8 with a byte-order mark");
    let row = csv
        .body
        .lines()
        .find(|l| l.contains("\"HN-2018-05\""))
        .unwrap_or_else(|| panic!("{}", csv.body));
    assert!(
        row.contains("HN-DRAW-2026") && row.contains("合作项目进展与报告一致"),
        "{row}"
    );
    assert!(
        !row.contains("\"expert-") && row.contains('（'),
        "names, not logins: {row}"
    );
    assert!(csv.body.lines().next().unwrap().contains("双随机、一公开"));
    let xlsx = public.get("/draws.xlsx").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an xlsx (zip) workbook");

    // Hubei's department may not draw Hunan's bases.
    let hb = Browser::new(&s);
    hb.login("hb-dept").await;
    let r = hb.post_form("/dept/draws", "/dept/draws", FORM).await;
    assert_eq!(r.status, 403, "{}", r.body);
}
