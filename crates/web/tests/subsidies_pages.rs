//! 建设经费后补助 over HTTP on the demo data: 湖北第二十五条 “按一定比例评选优秀的省国合基地，并给予
//! 一定金额的建设经费后补助” — the department sees the bases graded 优秀 in 2026 with the share, a
//! selection beyond it or a malformed amount is refused keeping what was typed, the award is
//! confirmed quoting 第二十五、二十六条, then published with its 文号, exported as CSV and xlsx, listed
//! by the API and shown on the base's page and the unit's dashboard. 湖南第十五条 (“优秀基地加大支持
//! 力度”): no post-subsidy, and what 优秀 brings is shown.

use crate::pages_support;

use chrono::NaiveDate;
use pages_support::*;

const PAGE: &str = "/dept/subsidies?policy=hubei-2022&year=2026";

fn form<'a>(picks: &[(&'a str, &'a str)], doc: &'a str) -> Vec<(String, String)> {
    let mut f = vec![
        ("policy".to_string(), "hubei-2022".to_string()),
        ("year".to_string(), "2026".to_string()),
        ("document_number".to_string(), doc.to_string()),
        ("issued_on".to_string(), "2026-11-20".to_string()),
    ];
    for (b, amount) in picks {
        f.push(("pick".into(), b.to_string()));
        f.push((format!("amount_{b}"), amount.to_string()));
    }
    f
}

async fn post(b: &Browser, f: &[(String, String)]) -> Resp {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post_form(PAGE, "/dept/subsidies", &pairs).await
}

#[tokio::test]
async fn hubei_25_candidates_share_confirmation_publication_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hb-dept").await;

    // Seven Hubei bases graded in 2026, three of them 优秀: 20% rounded down allows one.
    let page = dept.get(PAGE).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("评估基地 7 个") && page.body.contains("即 1 个"),
        "{}",
        page.body
    );
    for b in ["HB-2023-01", "HB-N-2018-02", "HB-N-2019-04"] {
        assert!(page.body.contains(&format!("value=\"{b}\"")), "{b}: {}", page.body);
    }
    assert!(!page.body.contains("value=\"HB-2023-02\""), "合格 is no candidate");

    // Two of seven: beyond the share, refused with the article; what was typed is kept.
    let r = post(
        &dept,
        &form(&[("HB-2023-01", "50"), ("HB-N-2019-04", "30")], "鄂科技函〔2026〕18号"),
    )
    .await;
    assert!(r.status >= 400, "{}", r.body);
    assert!(
        r.body.contains("超出比例") && r.body.contains("第二十五条"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"鄂科技函〔2026〕18号\"") && r.body.contains("value=\"30\""),
        "{}",
        r.body
    );

    // A malformed amount is named beside its base, nothing else lost.
    let r = post(&dept, &form(&[("HB-2023-01", "五十万")], "鄂科技函〔2026〕18号")).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("不是数字") && r.body.contains("value=\"五十万\""),
        "{}",
        r.body
    );

    // One base: a confirmation quoting 第二十五条 and 第二十六条; nothing published yet.
    let preview = post(&dept, &form(&[("HB-2023-01", "50.5")], "鄂科技函〔2026〕18号")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("请确认") && preview.body.contains("第二十五条") && preview.body.contains("第二十六条"),
        "{}",
        preview.body
    );
    let public = Browser::new(&s);
    assert!(!public.get("/subsidies").await.body.contains("鄂科技函〔2026〕18号"));

    let r = dept.confirm(&preview.body, "/dept/subsidies").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location, "/subsidies/2026");

    // Published with its 文号, on the year's page and the list.
    let y = public.get("/subsidies/2026").await;
    assert_eq!(y.status, 200, "{}", y.body);
    assert!(
        y.body.contains("鄂科技函〔2026〕18号") && y.body.contains("HB-2023-01") && y.body.contains("50.5"),
        "{}",
        y.body
    );
    assert!(public.get("/subsidies").await.body.contains("鄂科技函〔2026〕18号"));
    assert_eq!(public.get("/subsidies/2019").await.status, 404);

    // Exports.
    let csv = public.get("/subsidies.csv?year=2026").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains("2026,鄂科技函〔2026〕18号,2026-11-20,HB-2023-01"),
        "{}",
        csv.body
    );
    let xlsx = public.get("/subsidies.xlsx?year=2026").await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an xlsx is a zip file");
    assert_eq!(public.get("/subsidies.csv?year=abc").await.status, 400);

    // The API lists it.
    let api = public.get("/api/v1/subsidies?year=2026").await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["document_number"], "鄂科技函〔2026〕18号");
    assert_eq!(v["items"][0]["amount_wan"], "50.5");

    // The base's page: the award in its record and what 优秀 brought.
    let base = public.get("/bases/HB-2023-01").await;
    assert!(
        base.body.contains("建设经费后补助") && base.body.contains("鄂科技函〔2026〕18号"),
        "{}",
        base.body
    );
    assert!(base.body.contains("按一定比例评选优秀"), "{}", base.body);

    // The share is used up: a second base is refused; the first cannot receive another.
    let r = post(&dept, &form(&[("HB-N-2019-04", "20")], "鄂科技函〔2026〕19号")).await;
    assert!(r.status >= 400 && r.body.contains("已给予 1 个"), "{}", r.body);
    let r = post(&dept, &form(&[("HB-2023-01", "20")], "鄂科技函〔2026〕19号")).await;
    assert!(
        r.status >= 400 && r.body.contains("已就 2026 年度评估获得后补助"),
        "{}",
        r.body
    );

    // The unit's dashboard shows it.
    let unit = Browser::new(&s);
    unit.login("hb-ggjg").await;
    let home = unit.get("/unit").await;
    assert!(home.body.contains("后补助 50.5 万元"), "{}", home.body);

    // Hunan's department may not award under Hubei's policy.
    let hn = Browser::new(&s);
    hn.login("hn-dept").await;
    let pairs = form(&[("HB-N-2019-04", "20")], "湘科函〔2026〕1号");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hn.post_form("/dept/subsidies", "/dept/subsidies", &pairs).await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn hunan_15_no_post_subsidy_but_excellent_brings_more_support() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    let page = dept.get("/dept/subsidies?policy=hunan-2026&year=2026").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("未规定建设经费后补助") && page.body.contains("优秀基地加大支持力度"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("name=\"pick\""), "no award form under Hunan");

    // 第十五条: HN-2026-01 graded 优秀 — its page and its unit's dashboard say what that brings.
    let preview = dept
        .post_form(
            "/dept/bases/HN-2026-01",
            "/dept/bases/HN-2026-01/evaluation",
            &[("grade", "excellent")],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let r = dept.confirm(&preview.body, "/dept/bases/HN-2026-01/evaluation").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let public = Browser::new(&s);
    let base = public.get("/bases/HN-2026-01").await;
    assert!(
        base.body.contains("优秀基地加大支持力度") && base.body.contains("第十五条"),
        "{}",
        base.body
    );
    let unit = Browser::new(&s);
    unit.login("hn-xjsw").await;
    assert!(unit.get("/unit").await.body.contains("优秀基地加大支持力度"));
}
