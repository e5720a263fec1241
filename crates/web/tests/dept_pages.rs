//! The department's remaining pages on the demo data: carrying one base over (Hunan 第二十二条,
//! Hubei 第三十条), reclassifying a carried-over base (Hunan 第二十二条: 依托单位可申请重新认定类别),
//! recording a site inspection (Hubei 第十五条第2项: 必要时组织专家进行现场勘验) — each through its
//! confirmation quoting the article — and what people read on the department's pages and the
//! audit log: labels, not codes; experts by name and unit; Beijing time; no raw JSON.

use crate::api_common;

use api_common::{Client, Resp, demo_app};
use hyper::Method;

/// Posts a page form with the session's CSRF token.
async fn form(c: &Client<'_>, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let token = c.csrf().await;
    let body = serde_urlencoded::to_string(pairs).unwrap();
    c.raw(
        Method::POST,
        path,
        Some(("application/x-www-form-urlencoded", body)),
        &[("x-csrf-token", &token)],
    )
    .await
}

/// The form, then its confirmation (the same fields and `confirmed=yes`).
async fn confirm(c: &Client<'_>, path: &str, pairs: &[(&str, &str)]) -> (Resp, Resp) {
    let first = form(c, path, pairs).await;
    let mut all = pairs.to_vec();
    all.push(("confirmed", "yes"));
    let second = form(c, path, &all).await;
    (first, second)
}

/// What a reader sees: the text without tags, scripts, disclosures or attributes.
fn visible(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<details", "</details>"),
    ] {
        while let Some(i) = s.find(open) {
            let Some(j) = s[i..].find(close) else { break };
            s.replace_range(i..i + j + close.len(), " ");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"").replace("&#34;", "\"").replace("&amp;", "&")
}

/// The `/dept…` links of a page.
fn dept_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|x| x.split('"').next())
        .filter(|h| {
            h.starts_with("/dept")
                && !h.contains("format=")
                && !h.contains("lang=")
                && !h.contains("sort=")
                && !h.contains("page=")
        })
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn a_base_is_carried_over_through_a_confirmation_quoting_the_transitional_article() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let page = dept.get("/dept/carry-over").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("国际联合研究中心（实验室） → 联合研究类"),
        "the old categories' table"
    );
    let uscc = api_common::uscc("hn-xjsw");
    let fields = [
        ("policy", "hunan-2026"),
        ("base_id", "HN-2017-09"),
        ("official_name", "湖南省先进储能国际联合研究中心"),
        ("unit_name", "湘江示范储能有限公司"),
        ("uscc", uscc.as_str()),
        ("domain", "先进储能"),
        ("old_category", "国际联合研究中心（实验室）"),
        ("director", "刘洋"),
        ("partner_country", "DE"),
        ("recognised_on", "2017-09-01"),
    ];
    let (ask, done) = confirm(&dept, "/dept/carry-over", &fields).await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(ask.body.contains("请确认"), "a confirmation first");
    assert!(
        ask.body.contains("湘科发〔2026〕27号 第二十二条"),
        "it quotes Hunan 第二十二条"
    );
    assert!(ask.body.contains("国际联合研究中心（实验室） → 联合研究类"));
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), "/dept/bases/HN-2017-09");
    let base = dept.get("/dept/bases/HN-2017-09").await;
    assert_eq!(base.status, 200);
    assert!(base.body.contains("湖南省先进储能国际联合研究中心"));
    // The same id twice is refused beside the field, keeping what was typed.
    let mut again = fields.to_vec();
    again.push(("confirmed", "yes"));
    let dup = form(&dept, "/dept/carry-over", &again).await;
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert!(dup.body.contains("已存在") && dup.body.contains("湖南省先进储能国际联合研究中心"));
}

#[tokio::test]
async fn the_carry_over_form_names_each_bad_field_in_chinese_and_keeps_the_input() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let r = form(
        &dept,
        "/dept/carry-over",
        &[
            ("policy", "hunan-2026"),
            ("base_id", "HN-2017-10"),
            ("official_name", "湖南省某国际联合研究中心"),
            ("uscc", "123"),
            ("recognised_on", "2017-13-40"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("日期格式应为 YYYY-MM-DD"), "the date field");
    assert!(r.body.contains("此项为必填项"), "the empty fields");
    assert!(r.body.contains("湖南省某国际联合研究中心"), "what was typed stays");
    let log = app.state.guohe.log().read_all(0, 1_000_000).await.unwrap();
    assert!(!log.iter().any(|e| e.stream == "base/HN-2017-10"), "nothing written");
}

#[tokio::test]
async fn a_carried_over_base_is_reclassified_on_request_quoting_hunan_article_22() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    // HN-2018-05 was carried over from 国际技术转移中心.
    let page = dept.get("/dept/bases/HN-2018-05/reclassify").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("国际技术转移中心"));
    let empty = form(
        &dept,
        "/dept/bases/HN-2018-05/reclassify",
        &[("category", "joint_research")],
    )
    .await;
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("此项为必填项"), "the reasons are required");
    let (ask, done) = confirm(
        &dept,
        "/dept/bases/HN-2018-05/reclassify",
        &[
            ("category", "joint_research"),
            ("reasons", "依托单位申请按联合研究类管理。"),
        ],
    )
    .await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(ask.body.contains("湘科发〔2026〕27号 第二十二条") && ask.body.contains("联合研究类"));
    assert_eq!(done.status, 303, "{}", done.body);
    let history = dept.get("/dept/history?stream=base/HN-2018-05").await;
    assert!(history.body.contains("重新认定类别"), "{}", history.body);
    assert!(history.body.contains("新类型 联合研究类"), "the new category in words");
    // A base named under the regulation was never carried over: refused with the article.
    let named = form(
        &dept,
        "/dept/bases/HN-2026-01/reclassify",
        &[
            ("category", "technology_transfer"),
            ("reasons", "申请调整。"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(named.status, 409, "{}", named.body);
    assert!(named.body.contains("只有按过渡条款纳入管理的基地可以申请重新认定类别"));
}

#[tokio::test]
async fn a_site_inspection_is_recorded_with_the_experts_by_name_and_unit() {
    let app = demo_app().await;
    // HB-2026-001 reaches expert review: recommended, then an expert assigned.
    let rec = Client::new(&app);
    rec.login("rec-wuhan").await;
    let r = form(
        &rec,
        "/recommender/applications/HB-2026-001/recommend",
        &[("opinion", "经形式审查，材料齐全，同意推荐。")],
    )
    .await;
    assert!(r.status == 303 || r.status == 200, "{} {}", r.status, r.body);
    let dept = Client::new(&app);
    dept.login("hb-dept").await;
    let r = form(
        &dept,
        "/dept/applications/HB-2026-001/experts",
        &[("expert_id", "expert-chen"), ("reason", "")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = dept.get("/dept/applications/HB-2026-001/site-inspection").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("鄂科技规〔2022〕6号 第十五条"),
        "it quotes Hubei 第十五条第2项"
    );
    let missing = form(
        &dept,
        "/dept/applications/HB-2026-001/site-inspection",
        &[("findings", "实验室运行正常。")],
    )
    .await;
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("请选择参加勘验的专家") && missing.body.contains("实验室运行正常。"));
    let (ask, done) = confirm(
        &dept,
        "/dept/applications/HB-2026-001/site-inspection",
        &[
            ("inspectors", "expert-wang"),
            ("inspectors", "expert-huang"),
            ("findings", "联合实验室运行正常。"),
        ],
    )
    .await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(
        !visible(&ask.body).contains("expert-wang"),
        "experts by name on the confirmation"
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let app_page = dept.get("/dept/applications/HB-2026-001").await;
    let text = visible(&app_page.body);
    assert!(text.contains("联合实验室运行正常。"), "{text}");
    for login in ["expert-wang", "expert-huang", "expert-chen"] {
        assert!(!text.contains(login), "{login} is shown by name: {text}");
    }
    // A Hunan application: the regulation has no site inspection, and the form says so.
    let hn = Client::new(&app);
    hn.login("hn-dept").await;
    let r = form(
        &hn,
        "/dept/applications/HN-2026-101/site-inspection",
        &[
            ("inspectors", "expert-liu"),
            ("findings", "情况良好。"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("未规定现场勘验"), "{}", r.body);
}

/// Codes no department page may show as text.
const RAW: &[&str] = &[
    "needs_review",
    "not_recommend",
    "recommend",
    "approve",
    "reject",
    "ineligible",
    "eligible",
    "joint_research",
    "technology_transfer",
    "dept:",
    "expert:",
    "unit:",
    "recommender:",
    "system:",
    "expert-liu",
    "expert-zhou",
    "expert-tang",
    "expert-xie",
    "expert-wang",
    "expert-chen",
    "{\"",
];

#[tokio::test]
async fn no_department_page_of_the_demo_shows_a_raw_code() {
    let app = demo_app().await;
    let mut bad = Vec::new();
    for who in ["hn-dept", "hb-dept"] {
        let c = Client::new(&app);
        c.login(who).await;
        let mut todo: Vec<String> = [
            "/dept",
            "/dept/applications",
            "/dept/bases",
            "/dept/notices",
            "/dept/rounds",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(p) = todo.pop() {
            if !seen.insert(p.clone()) || seen.len() > 150 {
                continue;
            }
            let r = c.get(&p).await;
            if r.status != 200 {
                continue;
            }
            let text = visible(&r.body);
            for code in RAW {
                let hit = text.match_indices(code).any(|(i, _)| {
                    !text[..i].ends_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
                });
                if hit {
                    let i = text.find(code).unwrap_or(0);
                    let from = text[..i].char_indices().rev().nth(40).map(|x| x.0).unwrap_or(0);
                    let ctx: String = text[from..].chars().take(100).collect();
                    bad.push(format!("{who} {p}: `{code}` in …{ctx}…"));
                }
            }
            todo.extend(dept_links(&r.body).into_iter().filter(|h| !seen.contains(h)));
        }
        assert!(seen.len() > 20, "{who} crawled only {}", seen.len());
    }
    assert!(bad.is_empty(), "raw codes on department pages:\n{}", bad.join("\n"));
}

/// `YYYY-MM-DD HH:MM` in Beijing time of a UTC moment.
fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

#[tokio::test]
async fn the_audit_log_and_the_history_are_read_in_beijing_time_by_name_without_json() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let audit = Client::new(&app);
    audit.login("audit-admin").await;
    let page = audit.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    let text = visible(&page.body);
    let log = app.state.guohe.log();
    let head = log.head().await.unwrap().unwrap().0;
    let last = log
        .read_all(head - 1, 1)
        .await
        .unwrap()
        .pop()
        .expect("the newest record");
    assert!(
        text.contains(&beijing(last.recorded_at)),
        "the newest record at {} (Beijing time) in {text}",
        beijing(last.recorded_at)
    );
    assert!(text.contains("北京时间"));
    assert!(text.contains("登录成功"), "the kind in words");
    assert!(text.contains("湖南省科技厅国际合作处"), "who by name: {text}");
    assert!(
        !text.contains('{') && !text.contains('}'),
        "no JSON braces in the visible text: {text}"
    );
    assert!(
        page.body.contains("<details class=\"raw\">"),
        "the raw record behind a disclosure"
    );
    let csv = audit.get("/admin/audit?format=csv").await;
    assert!(csv.body.contains("LoginSucceeded"), "the raw record stays in the CSV");

    let h = dept.get("/dept/history?stream=application/HN-2026-101").await;
    assert_eq!(h.status, 200);
    let text = visible(&h.body);
    assert!(!text.contains('{') && !text.contains('}'), "no JSON braces: {text}");
    assert!(text.contains("提交评审意见") && text.contains("作出认定结论"), "{text}");
    assert!(text.contains("记录时间（北京时间）"));
    let events = app.state.guohe.history("application/HN-2026-101").await.unwrap();
    assert!(text.contains(&beijing(events[0].recorded_at)), "{text}");
    assert!(!text.contains("expert-liu") && !text.contains("dept:hn-dept"), "{text}");
    // Named from the accounts the record mentions (read by login, not every account).
    assert!(
        text.contains("湖南省科技厅国际合作处（省科技厅）") && text.contains("刘建国（教授）"),
        "{text}"
    );
}

#[tokio::test]
async fn a_notice_the_rules_refuse_is_refused_before_its_confirmation() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    // 湖南第九条第三项 (read with the department's practice of a notice before recognition,
    // interpretation `public_notice_practice`): only approved applications are published. The
    // domain says so at the preview, not only after the confirmation.
    let not_approved = app
        .state
        .guohe
        .read(|w, _, _| {
            w.applications()
                .find(|a| a.policy == "hunan-2026" && a.status != guohe_domain::ApplicationStatus::Approved)
                .map(|a| a.id.clone())
        })
        .await
        .expect("the demo has an application that is not approved");
    let r = form(
        &dept,
        "/dept/notices",
        &[
            ("notice_id", "HN-GS-PREVIEW"),
            ("applications", &not_approved),
            ("starts_on", "2026-11-20"),
        ],
    )
    .await;
    assert!(r.status >= 400 && r.status < 500, "{}: {}", r.status, r.body);
    assert!(!r.body.contains("请确认"), "no confirmation for a refused notice");
    assert!(
        r.body.contains("只有认定同意的申报可以公示"),
        "the domain's reason: {}",
        r.body
    );
    assert!(r.body.contains("HN-GS-PREVIEW"), "what was typed stays");
    let log = app.state.guohe.log().read_all(0, 1_000_000).await.unwrap();
    assert!(
        !log.iter().any(|e| e.stream == "notice/HN-GS-PREVIEW"),
        "nothing written"
    );
}

/// The demo's applications carry an attachment, uploaded by the unit as through its draft: the
/// department's case page lists it by kind and file name, and the link downloads the PDF.
#[tokio::test]
async fn a_demo_application_lists_its_attachment_and_the_link_downloads_it() {
    let app = demo_app().await;
    let dept = Client::new(&app);
    dept.login("hn-dept").await;
    let page = dept.get("/dept/applications/HN-2026-101").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let file = guohe_web::demo::attachment_id("HN-2026-101");
    let link = format!("<a href=\"/files/{file}\">营业执照.pdf</a>");
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains("营业执照/法人证书："), "listed by its kind");
    let pdf = dept.get(&format!("/files/{file}")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"), "a PDF");
    assert!(
        pdf.header("content-disposition")
            .contains("%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf"),
        "{}",
        pdf.header("content-disposition")
    );
}
