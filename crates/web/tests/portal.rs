//! The portal on the demo data: the front page (通知公告, ways in, 政策文件, 办事指南, 下载中心,
//! contacts), every regulation's full text with each article anchored, the guides derived from
//! the policy files, and the citations shown on other pages linking to anchors that exist.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use guohe_web::pages::portal::DOWNLOADS;

async fn demo() -> TestApp {
    spawn_with(Options {
        demo: true,
        ..Options::default()
    })
    .await
}

/// The official text as the project carries it.
fn text_of(id: &str) -> String {
    let path = format!("{}/../../policies/texts/{id}.md", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every `/policies/{id}#art-{n}` link in a page.
fn article_links(body: &str) -> BTreeSet<(String, u16)> {
    let mut out = BTreeSet::new();
    for chunk in body.split("href=\"/policies/").skip(1) {
        let link = chunk.split('"').next().unwrap_or("");
        if let Some((id, n)) = link.split_once("#art-") {
            out.insert((id.to_string(), n.parse().unwrap_or_else(|_| panic!("anchor {link}"))));
        }
    }
    out
}

#[tokio::test]
async fn the_front_page_has_the_notices_the_ways_in_the_regulations_guides_downloads_and_contacts() {
    let app = demo().await;
    let r = app.get("/").await;
    assert_eq!(r.status, 200);
    let b = &r.body;
    for heading in ["通知公告", "政策文件", "办事指南", "下载中心", "办事入口", "联系我们"] {
        assert!(b.contains(heading), "no {heading}");
    }
    // Landmarks and one h1.
    assert!(b.contains("<main id=\"main\">") && b.contains("<nav") && b.contains("<footer>"));
    assert_eq!(b.matches("<h1").count(), 1);
    // The running 公示 of the demo and the naming announcements.
    assert!(b.contains("href=\"/notices/HN-GS-"), "no Hunan notice");
    assert!(b.contains("关于认定命名国际科技合作基地的公告"));
    // Each role's way in, sign-in and registration.
    for href in ["/unit", "/recommender", "/expert", "/dept", "/login", "/register"] {
        assert!(b.contains(&format!("href=\"{href}\"")), "no link to {href}");
    }
    // Both regulations and their guides.
    for id in ["hunan-2026", "hubei-2022"] {
        assert!(b.contains(&format!("href=\"/policies/{id}\"")), "{id}");
        assert!(b.contains(&format!("href=\"/guide/{id}\"")), "{id}");
    }
    // The demo's contacts (examples/portal.json) and record lines, from the settings.
    assert!(b.contains("guohe-hunan@example.org") && b.contains("guohe-hubei@example.org"));
    assert!(b.contains("备案号"));
    // Every download listed is served, as an attachment.
    for d in DOWNLOADS {
        assert!(b.contains(d.href), "{} not listed", d.href);
        let f = app.get(d.href).await;
        assert_eq!(f.status, 200, "{}", d.href);
        assert!(f.header("content-disposition").starts_with("attachment"), "{}", d.href);
    }
    assert_eq!(app.get("/downloads/secrets.json").await.status, 404);
    // Signed in, the front page leads to the role's desk.
    app.login("hb-dhcl", guohe_web::demo::DEMO_PASSWORD).await;
    let signed = app.get("/").await;
    assert!(signed.body.contains("进入我的工作台") && signed.body.contains("href=\"/unit\""));
    // /guide opens on the user's own province's regulation.
    assert!(
        app.get("/guide")
            .await
            .body
            .contains("湖北省国际科技合作基地认定与管理办事指南")
    );
    // In English too.
    let en = app.get("/?lang=en").await;
    assert!(en.body.contains("Notices and announcements") && en.body.contains("Downloads"));
}

#[tokio::test]
async fn a_deployment_without_settings_names_the_issuers_and_shows_no_example_contact() {
    let app = spawn_app().await;
    let b = app.get("/").await.body;
    assert!(b.contains("湖南省科学技术厅 · 湖北省科学技术厅"));
    assert!(!b.contains("example.org") && !b.contains("备案号"));
}

#[tokio::test]
async fn every_article_of_both_regulations_has_an_anchor() {
    let app = demo().await;
    let index = app.get("/policies").await;
    assert_eq!(index.status, 200);
    for id in ["hunan-2026", "hubei-2022"] {
        let text = text_of(id);
        // Articles are the `### 第N条` headings of the text.
        let headings: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("### ")).collect();
        assert!(headings.len() >= 20, "{id}: {}", headings.len());
        let p = guohe_policy::builtin_policy(id).expect("policy");
        assert_eq!(
            p.articles.len(),
            headings.len(),
            "{id}: the policy file and the text disagree"
        );
        assert!(index.body.contains(&format!("href=\"/policies/{id}\"")));
        let r = app.get(&format!("/policies/{id}")).await;
        assert_eq!(r.status, 200, "{id}");
        assert_eq!(r.body.matches("id=\"art-").count(), headings.len(), "{id}");
        for (i, h) in headings.iter().enumerate() {
            let n = i + 1;
            assert!(r.body.contains(&format!("id=\"art-{n}\"")), "{id}: no #art-{n}");
            // The Chinese anchor as well: /policies/hunan-2026#第二十二条.
            assert!(r.body.contains(&format!("id=\"{h}\"")), "{id}: no #{h}");
        }
        // The chapters, the notice of issue and the closing line are there.
        assert!(r.body.contains("第一章"), "{id}");
        assert!(r.body.contains("印发"), "{id}");
        assert!(r.body.contains(&p.document_number), "{id}");
    }
    // Hunan 第二十二条 names the expiry article's neighbour; 第二十三条 is the validity article.
    let hn = app.get("/policies/hunan-2026").await.body;
    assert!(hn.contains("本办法自公布之日起施行，有效期5年"));
}

#[tokio::test]
async fn unknown_policies_guides_and_files_are_a_chinese_404() {
    let app = demo().await;
    for path in ["/policies/hunan-2099", "/guide/nowhere", "/downloads/x.json"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(r.body.contains("页面不存在"), "{path}");
        assert!(r.body.contains("您要找的页面或记录不存在"), "{path}");
    }
}

#[tokio::test]
async fn each_guide_shows_every_step_with_its_period_and_article_from_the_policy() {
    let app = demo().await;
    assert_eq!(app.get("/guide").await.status, 200);
    for id in ["hunan-2026", "hubei-2022"] {
        let p = guohe_policy::builtin_policy(id).expect("policy");
        let steps = guohe_policy::guide::guide(p);
        let r = app.get(&format!("/guide/{id}")).await;
        assert_eq!(r.status, 200, "{id}");
        for s in &steps {
            let at = r
                .body
                .find(&format!("id=\"step-{}\"", s.key))
                .unwrap_or_else(|| panic!("{id}: no step {}", s.key));
            let block = &r.body[at..at + r.body[at..].find("</li>").expect("end of step")];
            assert!(block.contains(s.title_zh), "{id} {}", s.key);
            assert!(block.contains(&s.period_zh), "{id} {}: {}", s.key, s.period_zh);
            for a in &s.articles {
                assert!(block.contains(&p.cite_zh(*a)), "{id} {}: {a}", s.key);
                assert!(
                    block.contains(&format!("href=\"/policies/{id}#art-{}\"", a.article)),
                    "{id} {}: no link to {a}",
                    s.key
                );
            }
        }
    }
    // 湘科发〔2026〕27号 第九条第3项: 公示期不少于5个工作日.
    let hn = app.get("/guide/hunan-2026").await.body;
    assert!(hn.contains("不少于5个工作日") && hn.contains("第九条第3项"));
    // 鄂科技规〔2022〕6号 第二十二条第一款: 年度考核 — Hubei only.
    let hb = app.get("/guide/hubei-2022").await.body;
    assert!(hb.contains("年度考核") && hb.contains("第二十二条第一款"));
    assert!(!hn.contains("id=\"step-annual_assessment\""));
}

/// Every `<details class="cite">` of a page links to the article's text, and every article link
/// of the page points at an anchor that exists.
async fn check_citations(app: &TestApp, path: &str) -> usize {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}");
    for block in r.body.split("<details class=\"cite\">").skip(1) {
        let block = block.split("</details>").next().unwrap_or("");
        assert!(
            block.contains("class=\"cite-to-text\""),
            "{path}: a citation without a link: {block}"
        );
    }
    let links = article_links(&r.body);
    for (id, n) in &links {
        let text = app.get(&format!("/policies/{id}")).await;
        assert_eq!(text.status, 200, "{path} links to {id}");
        assert!(
            text.body.contains(&format!("id=\"art-{n}\"")),
            "{path} links to {id}#art-{n}"
        );
    }
    links.len()
}

#[tokio::test]
async fn citations_shown_on_pages_link_to_anchors_that_exist() {
    let app = demo().await;
    let mut total = 0;
    for path in [
        "/bases/HN-2026-01",
        "/bases/HB-2023-03",
        "/subsidies",
        "/policies/compare?a=hunan-2026&b=hubei-2022",
        "/guide/hubei-2022",
    ] {
        let n = check_citations(&app, path).await;
        assert!(n > 0, "{path} links to no article");
        total += n;
    }
    // The department's case history cites an article for each step.
    app.login("hn-dept", guohe_web::demo::DEMO_PASSWORD).await;
    total += check_citations(&app, "/dept/history?stream=base/HN-2026-01").await;
    assert!(total >= 10, "{total}");
}
