//! 推荐申报国家级基地 over HTTP on the demo data (湖北第二十七条): the department sees the candidate
//! list with every criterion's reason and article, exports it, recommends behind a confirmation
//! quoting the article, records the outcome; the base's public page shows both; the API answers
//! the same list; the other province's department may not read Hubei's list.

use crate::pages_support;

use chrono::NaiveDate;
use pages_support::*;

#[tokio::test]
async fn candidates_recommend_outcome_and_the_public_history() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hb-dept").await;

    // The list: HB-2023-01 (优秀 2026-07-01, 合格 2023–2025) is a candidate; HB-2023-02 (合格) is
    // not, and says why with 第二十四条.
    let page = dept.get("/dept/national?policy=hubei-2022&as_of=2026-11-20").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("第二十七条"), "{}", page.body);
    assert!(
        page.body.contains("name=\"base\" value=\"HB-2023-01\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("name=\"base\" value=\"HB-2023-02\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("须为优秀") && page.body.contains("第二十四条"),
        "{}",
        page.body
    );

    // Exports.
    let csv = dept
        .get("/dept/national?policy=hubei-2022&as_of=2026-11-20&format=csv")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("\"候选\",\"HB-2023-01\""), "{}", csv.body);
    let xlsx = dept
        .get("/dept/national?policy=hubei-2022&as_of=2026-11-20&format=xlsx")
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"), "an xlsx is a zip archive");

    // A form without a document or a base: the fields are named, nothing recorded.
    let r = dept
        .post_form(
            "/dept/national",
            "/dept/national/recommend",
            &[("policy", "hubei-2022"), ("year", "2026")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("document-err") && r.body.contains("请至少选择"),
        "{}",
        r.body
    );

    // A base that does not qualify is refused with the criterion's article, the form kept.
    let form = |base: &'static str| {
        vec![
            ("policy", "hubei-2022"),
            ("year", "2026"),
            ("document", "鄂科技函〔2026〕30号"),
            ("recommended_on", "2026-11-20"),
            ("base", base),
        ]
    };
    let r = dept
        .post_form("/dept/national", "/dept/national/recommend", &form("HB-2023-02"))
        .await;
    assert!(r.status >= 400, "{}", r.body);
    assert!(
        r.body.contains("第二十四条") && r.body.contains("鄂科技函〔2026〕30号"),
        "{}",
        r.body
    );

    // The preview quotes the article; confirmed, the recommendation is recorded.
    let preview = dept
        .post_form("/dept/national", "/dept/national/recommend", &form("HB-2023-01"))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("请确认") && preview.body.contains("第二十七条"),
        "{}",
        preview.body
    );
    let public = Browser::new(&s);
    assert!(
        !public
            .get("/bases/HB-2023-01")
            .await
            .body
            .contains("鄂科技函〔2026〕30号")
    );
    let r = dept.confirm(&preview.body, "/dept/national/recommend").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let base = public.get("/bases/HB-2023-01").await;
    assert!(
        base.body.contains("推荐申报国家国际科技合作基地") && base.body.contains("鄂科技函〔2026〕30号"),
        "{}",
        base.body
    );

    // The outcome, behind a confirmation, on the base's public history.
    let outcome = [
        ("policy", "hubei-2022"),
        ("base", "HB-2023-01"),
        ("year", "2026"),
        ("outcome", "not_recognised"),
        ("outcome_document", "科技部通知（2026年度未入选）"),
        ("effective_on", "2026-11-20"),
    ];
    let preview = dept
        .post_form("/dept/national", "/dept/national/outcome", &outcome)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("请确认"), "{}", preview.body);
    let r = dept.confirm(&preview.body, "/dept/national/outcome").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let base = public.get("/bases/HB-2023-01").await;
    assert!(
        base.body.contains("未获国家级认定") && base.body.contains("2026年度未入选"),
        "{}",
        base.body
    );
    let page = dept.get("/dept/national?policy=hubei-2022").await;
    assert!(page.body.contains("未获国家级认定"), "{}", page.body);

    // The API answers the same.
    let api = dept
        .get("/api/v1/national/candidates?policy=hubei-2022&as_of=2026-11-20&year=2027")
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["candidates"][0]["base"], "HB-2023-01");
    assert_eq!(v["article"], "hubei-2022:27");
    let api = dept.get("/api/v1/national/recommendations?policy=hubei-2022").await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v[0]["outcome"], "not_recognised");

    // Hunan's department may not read Hubei's list.
    let hn = Browser::new(&s);
    hn.login("hn-dept").await;
    assert_eq!(hn.get("/dept/national?policy=hubei-2022").await.status, 403);
    assert_eq!(
        hn.get("/api/v1/national/candidates?policy=hubei-2022").await.status,
        403
    );
}
