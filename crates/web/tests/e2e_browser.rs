//! End to end in headless Chromium (Debian's chromium + chromedriver over WebDriver): the real
//! server with the demo data, and one application walked through the role pages from the form to
//! the public register, with screenshots of the main pages in `target/screenshots/`.
//!
//! Without chromedriver the test fails and says how to install it; `GUOHE_SKIP_BROWSER=1` skips
//! it. The walk is bounded in time; the browser and its driver are stopped however it ends.

use crate::e2e;
use crate::otp_support as otp;

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use e2e::{Driver, Server, Shots, css};
use fantoccini::Client;

/// The whole walk, browser start included.
const LIMIT: Duration = Duration::from_secs(300);

const PASSWORD: &str = guohe_web::demo::DEMO_PASSWORD;

/// The walk's actors, from the demo: a Wuhan company, Wuhan's recommender, Hubei's department,
/// three experts from other units.
const UNIT: &str = "hb-dhcl";
const RECOMMENDER: &str = "rec-wuhan";
const DEPT: &str = "hb-dept";
const EXPERTS: [&str; 3] = ["expert-chen", "expert-wang", "expert-huang"];
/// The demo's open Hubei round.
const ROUND: &str = "HB-2026";
const DOMAIN: &str = "先进高分子材料";
const NOTICE: &str = "HB-GS-2026-1";
const BASE: &str = "HB-2026-01";
/// 鄂科技规〔2022〕6号 第十八条: 湖北省{domain}国际科技合作基地.
const OFFICIAL_NAME: &str = "湖北省先进高分子材料国际科技合作基地";

/// Business date of the walk (a Friday; the demo's Hubei round 2026 is open).
fn day_one() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("date")
}

/// After the notice period: five working days from Friday 20 November end on Thursday 26.
fn after_notice() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_walks_from_the_form_to_the_public_register() {
    if e2e::skipped() {
        eprintln!("GUOHE_SKIP_BROWSER=1: browser test skipped");
        return;
    }
    let driver = Driver::start().await.unwrap_or_else(|e| panic!("{e}"));
    let client = match driver.session().await {
        Ok(c) => c,
        Err(e) => panic!("{e}\nchromedriver log:\n{}", driver.log()),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("guohe.db");
    let c = client.clone();
    let mut walk = tokio::spawn(async move { walk(&c, &db).await });
    let outcome = tokio::time::timeout(LIMIT, &mut walk).await;
    if outcome.is_err() {
        walk.abort();
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    drop(driver);
    match outcome {
        Err(_) => panic!("the browser walk took longer than {} s", LIMIT.as_secs()),
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("the browser walk stopped: {e}"),
        Ok(Ok(shots)) => shots.publish(),
    }
}

fn step(what: &str) {
    eprintln!("e2e: {what}");
}

async fn walk(c: &Client, db: &Path) -> Shots {
    let mut shots = Shots::new();
    let files = tempfile::tempdir().expect("tempdir");
    let server = Server::start(db, day_one()).await;
    let b = Browser {
        c,
        base: server.url(""),
        state: server.state.clone(),
    };

    step("1. the public pages: register, a base, notices");
    b.go("/bases").await;
    b.expect_text("h1", "基地名录").await;
    shots.take(c, "01-public-register").await;
    b.go("/bases/HB-2023-01").await;
    b.expect_text("main", "湖北省光电子信息国际科技合作基地").await;
    shots.take(c, "02-public-base").await;
    b.go("/notices").await;
    shots.take(c, "03-public-notices").await;

    step("2. the support unit fills in the application form and submits it");
    b.login(UNIT).await;
    b.go("/unit").await;
    b.select("#round", ROUND).await;
    b.submit("form[action='/unit/drafts'] button[type=submit]").await;
    b.wait_for("#draft-form").await;
    fill_application(&b).await;
    b.submit("#draft-form button[value=save]").await;
    b.expect_text(".alert.ok", "草稿已保存").await;
    // The cooperation agreement, as a PDF.
    let pdf = files.path().join("中德合作协议.pdf");
    std::fs::write(&pdf, guohe_web::upload::sample_pdf("Cooperation agreement")).expect("pdf");
    b.select("#kind", "cooperation_agreement").await;
    b.c.find(css("#file"))
        .await
        .expect("file field")
        .send_keys(&pdf.display().to_string())
        .await
        .expect("choose file");
    b.submit("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    b.expect_text("main", "中德合作协议").await;
    b.submit("#draft-form button[value=check]").await;
    let panel = b.text("#check-panel").await;
    assert!(panel.contains("结论"), "the eligibility panel gives a verdict: {panel}");
    assert!(
        !panel.contains("不符合"),
        "the application meets every condition: {panel}"
    );
    shots.take(c, "04-unit-application-form").await;
    shots.take_at(c, "05-unit-eligibility-panel", "#check-panel").await;
    b.submit("#draft-form button[value=submit]").await;
    let app = b.wait_path_prefix("/unit/applications/").await;
    let app = app
        .trim_start_matches("/unit/applications/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(app.starts_with(ROUND), "application id {app:?}");
    b.expect_text("h1", &app).await;
    shots.take(c, "06-unit-application-submitted").await;
    b.logout().await;

    step("3. the recommender recommends it");
    b.login(RECOMMENDER).await;
    b.go("/recommender").await;
    b.expect_text("main", &app).await;
    shots.take(c, "07-recommender-queue").await;
    b.go(&format!("/recommender/applications/{app}")).await;
    b.fill("#opinion", "经形式审查，材料齐全，同意推荐。").await;
    b.submit(&format!(
        "form[action='/recommender/applications/{app}/recommend'] button"
    ))
    .await;
    b.expect_text("h1", "已推荐").await;
    b.logout().await;

    step("4. the department assigns three experts");
    b.login(DEPT).await;
    b.go("/dept/applications").await;
    b.expect_text("main", &app).await;
    shots.take(c, "08-dept-pipeline").await;
    for e in EXPERTS {
        b.go(&format!("/dept/applications/{app}")).await;
        b.select("[name='expert_id']", e).await;
        b.submit(&format!("form[action='/dept/applications/{app}/experts'] button"))
            .await;
        b.expect_text(".alert.ok", "已指派").await;
    }
    b.logout().await;

    step("5. each expert scores and concludes");
    for (i, e) in EXPERTS.iter().enumerate() {
        b.login(e).await;
        b.go("/expert").await;
        b.expect_text("main", &app).await;
        b.go(&format!("/expert/applications/{app}")).await;
        b.fill("#score", &format!("{}", 84 + 3 * i)).await;
        b.select("#conclusion", "recommend").await;
        b.fill("#comments", "合作基础扎实，外方伙伴稳定，建议认定。").await;
        if i == 0 {
            shots.take(c, "09-expert-review-form").await;
        }
        b.submit(&format!("form[action='/expert/applications/{app}/review'] button"))
            .await;
        b.expect_text("main", "我的评审意见").await;
        b.logout().await;
    }

    step("6. the department decides 同意 (confirmation quoting the article)");
    b.login(DEPT).await;
    b.go(&format!("/dept/applications/{app}")).await;
    b.expect_text("#review-count", "3").await;
    b.select("[name='decision']", "approve").await;
    b.fill("#reasons", "综合专家评审意见，同意认定。").await;
    b.submit(&format!("form[action='/dept/applications/{app}/decide'] button"))
        .await;
    b.expect_text("section.confirm", "第十六条").await;
    shots.take(c, "10-dept-confirm-decision").await;
    b.submit("section.confirm button[type=submit]").await;
    b.expect_text("h1", "认定同意").await;

    step("7. the department starts the 公示");
    b.go("/dept/notices").await;
    b.fill("[name='notice_id']", NOTICE).await;
    b.click(&format!("input[name='applications'][value='{app}']")).await;
    b.set_value("[name='starts_on']", &day_one().to_string()).await;
    b.submit("form[action='/dept/notices'] button[type=submit]").await;
    b.expect_text("section.confirm", "2026-11-26").await;
    shots.take(c, "11-dept-confirm-notice").await;
    b.submit("section.confirm button[type=submit]").await;
    b.go(&format!("/notices/{NOTICE}")).await;
    b.expect_text("main", "公示中").await;
    b.logout().await;

    step("8. a member of the public lodges a real-name objection");
    b.go(&format!("/notices/{NOTICE}")).await;
    b.select("#application", &app).await;
    b.fill("#name", "张建华").await;
    b.fill("#contact", "027-8765xxxx").await;
    b.fill(
        "#content",
        "申报材料所列德方合作项目的经费到位情况与公开信息不一致，请予核实。",
    )
    .await;
    b.submit(&format!("form[action='/notices/{NOTICE}/objections'] button"))
        .await;
    b.expect_text(".alert.ok", "异议已受理").await;
    shots.take(c, "12-public-notice-objection").await;

    step("9. the department resolves the objection");
    b.login(DEPT).await;
    b.go("/dept").await;
    b.expect_text("main", "实名异议待处理").await;
    shots.take(c, "13-dept-dashboard").await;
    b.go(&format!("/dept/notices/{NOTICE}")).await;
    b.fill(
        &format!("#resolution-{NOTICE}-1"),
        "经核实，德方合作经费已按协议到位，异议不成立。",
    )
    .await;
    b.submit(&format!("form[action='/dept/objections/{NOTICE}-1/resolve'] button"))
        .await;
    b.submit("section.confirm button[type=submit]").await;
    b.expect_text("main", "异议不成立").await;
    b.logout().await;

    step("10. the notice period passes: the server comes back on a later business date");
    server.stop().await;
    let server = Server::start(db, after_notice()).await;
    // What `guohe tick` does every day: the notice's end is recorded.
    server.state.guohe.tick(after_notice()).await.expect("tick");
    let b = Browser {
        c,
        base: server.url(""),
        state: server.state.clone(),
    };
    b.go(&format!("/notices/{NOTICE}")).await;
    b.expect_text("main", "已结束").await;

    step("11. the department names the base");
    b.login(DEPT).await;
    b.go(&format!("/dept/applications/{app}")).await;
    b.fill("[name='base_id']", BASE).await;
    b.set_value("[name='on']", &after_notice().to_string()).await;
    b.submit(&format!("form[action='/dept/applications/{app}/name'] button"))
        .await;
    b.expect_text("section.confirm", OFFICIAL_NAME).await;
    shots.take(c, "14-dept-confirm-naming").await;
    b.submit("section.confirm button[type=submit]").await;
    b.expect_text("h1", "已命名").await;
    b.logout().await;

    step("12. the base is on the public register with its official name");
    b.go("/bases?q=%E5%85%88%E8%BF%9B%E9%AB%98%E5%88%86%E5%AD%90").await;
    b.expect_text("table", OFFICIAL_NAME).await;
    shots.take(c, "15-public-register-named").await;
    b.go(&format!("/bases/{BASE}")).await;
    b.expect_text("h1", OFFICIAL_NAME).await;
    b.expect_text("main", "武汉东湖新材料有限公司").await;
    shots.take(c, "16-public-base-named").await;
    b.go("/announcements").await;
    b.expect_text("main", OFFICIAL_NAME).await;
    b.expect_text("main", &format!("{} · 湖北省", after_notice())).await;

    step("13. the portal: the front page, a guide, and an article it cites in the regulation's text");
    b.go("/").await;
    b.expect_text("main", "通知公告").await;
    b.expect_text("main", "湖北省科学技术厅关于认定命名国际科技合作基地的公告")
        .await;
    b.expect_text(".band", "湖北省科学技术厅").await;
    b.expect_text("footer", "联系我们").await;
    shots.take(c, "17-portal-home").await;
    b.click("a[href=\"/guide/hubei-2022\"]").await;
    b.wait_path_prefix("/guide/hubei-2022").await;
    // 鄂科技规〔2022〕6号 第十七条: 公示期不少于5个工作日.
    b.expect_text("#step-public_notice", "不少于5个工作日").await;
    b.expect_text("#step-public_notice", "第十七条第一款").await;
    shots.take(c, "18-portal-guide").await;
    b.click("#step-public_notice a.cite-link").await;
    b.wait_path_prefix("/policies/hubei-2022").await;
    let target = c
        .execute(
            "return document.querySelector(':target') && document.querySelector(':target').id",
            vec![],
        )
        .await
        .expect("target");
    assert_eq!(
        target.as_str(),
        Some("art-17"),
        "the cited article is the page's target"
    );
    b.expect_text("#art-17", "公示").await;
    shots.take_at(c, "19-policy-text-article", "#art-17").await;

    server.stop().await;
    shots
}

/// The application form, as 武汉东湖新材料有限公司 fills it in (the account gives name and USCC).
async fn fill_application(b: &Browser<'_>) {
    b.fill("[name='technology_domain']", DOMAIN).await;
    b.select("[name='primary_partner.country']", "DE").await;
    b.select("[name='unit.kind']", "enterprise").await;
    b.select("[name='unit.affiliation']", "local").await;
    for flag in [
        "unit.registered_in_province",
        "unit.independent_legal_person",
        "unit.international_rd_centre",
        "director.formal_employee",
        "director.research_lead",
    ] {
        b.check(&format!("[name='{flag}']")).await;
    }
    for (i, (year, sales, rd)) in [
        (2023, "42000000", "2300000"),
        (2024, "46000000", "2500000"),
        (2025, "50000000", "2700000"),
    ]
    .iter()
    .enumerate()
    {
        b.fill(&format!("[name='unit.finance[{i}].year']"), &year.to_string())
            .await;
        b.fill(&format!("[name='unit.finance[{i}].sales_revenue']"), sales)
            .await;
        b.fill(&format!("[name='unit.finance[{i}].rd_expense']"), rd).await;
    }
    let p = "partner_institutions[0]";
    b.fill(
        &format!("[name='{p}.name']"),
        "Fraunhofer-Institut für Angewandte Polymerforschung",
    )
    .await;
    b.select(&format!("[name='{p}.country']"), "DE").await;
    b.select(&format!("[name='{p}.kind']"), "research_institute").await;
    b.set_value(&format!("[name='{p}.since']"), "2019-04-01").await;
    b.check(&format!("[name='{p}.agreement']")).await;
    b.check(&format!("[name='{p}.long_term']")).await;
    b.fill("[name='director.name']", "孙丽").await;
    b.select("[name='director.title']", "senior").await;
    let q = "unit.international_projects[0]";
    b.fill(&format!("[name='{q}.name']"), "中德生物基高分子材料联合研发")
        .await;
    b.select(&format!("[name='{q}.level']"), "provincial").await;
    b.select(&format!("[name='{q}.kind']"), "cooperation").await;
    b.select(&format!("[name='{q}.role']"), "lead").await;
    b.set_value(&format!("[name='{q}.start_date']"), "2024-01-01").await;
    b.set_value(&format!("[name='{q}.end_date']"), "2027-12-31").await;
    // Facts the form has no field for, in the facts format: the share of the target foreign
    // market (鄂 第十条第（四）项, enterprises) and the director's own project (第九条).
    b.fill(
        "#extra",
        r#"{"unit": {"overseas_market_share": "6.5%"}, "director": {"projects_led": [{"name": "中德生物基高分子材料联合研发", "level": "provincial", "kind": "cooperation", "role": "lead", "start_date": "2024-01-01"}]}}"#,
    )
    .await;
}

/// The browser on the server: navigation, forms and checks with readable failures.
struct Browser<'c> {
    c: &'c Client,
    base: String,
    /// The server's state: the department's one-time code is computed from its printed secret.
    state: guohe_web::AppState,
}

impl Browser<'_> {
    async fn go(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        self.no_error_page(path).await;
    }

    /// The path of the current page.
    async fn path(&self) -> String {
        let u = self.c.current_url().await.expect("url");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    async fn no_error_page(&self, what: &str) {
        if let Ok(e) = self.c.find(css("section.error")).await {
            let text = e.text().await.unwrap_or_default();
            panic!("{what}: error page at {}: {text}", self.path().await);
        }
    }

    async fn text(&self, sel: &str) -> String {
        match self
            .c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(css(sel))
            .await
        {
            Ok(e) => e.text().await.expect("text"),
            Err(e) => panic!("no `{sel}` on {}: {e}", self.path().await),
        }
    }

    async fn expect_text(&self, sel: &str, needle: &str) {
        let t = self.text(sel).await;
        assert!(
            t.contains(needle),
            "`{sel}` on {} should contain {needle:?}: {t:?}",
            self.path().await
        );
    }

    async fn page_text(&self) -> String {
        self.text("main").await
    }

    async fn fill(&self, sel: &str, value: &str) {
        let e = match self.c.find(css(sel)).await {
            Ok(e) => e,
            Err(e) => panic!("no field `{sel}` on {}: {e}", self.path().await),
        };
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    async fn click(&self, sel: &str) {
        self.c
            .find(css(sel))
            .await
            .unwrap_or_else(|e| panic!("nothing to click at `{sel}`: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click `{sel}`: {e}"));
    }

    async fn element(&self, sel: &str) -> fantoccini::elements::Element {
        match self
            .c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(css(sel))
            .await
        {
            Ok(e) => e,
            Err(e) => panic!("no `{sel}` on {}: {e}", self.path().await),
        }
    }

    async fn wait_for(&self, sel: &str) {
        self.element(sel).await;
    }

    async fn select(&self, sel: &str, value: &str) {
        let e = self.element(sel).await;
        if let Err(err) = e.select_by_value(value).await {
            panic!("`{sel}` on {} has no option {value:?}: {err}", self.path().await);
        }
    }

    async fn check(&self, sel: &str) {
        let e = self.element(sel).await;
        if !e.is_selected().await.expect("checkbox state") {
            e.click().await.unwrap_or_else(|err| panic!("tick `{sel}`: {err}"));
        }
    }

    /// Sets a value as the page's script would (date inputs take typing in the locale's order).
    async fn set_value(&self, sel: &str, value: &str) {
        let e = self.element(sel).await;
        let arg = serde_json::to_value(&e).expect("element");
        self.c
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![arg, serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|err| panic!("set `{sel}`: {err}"));
    }

    /// Clicks a submit button and waits for the next page to load; an error page fails the step.
    async fn submit(&self, sel: &str) {
        let e = self.element(sel).await;
        let button_name = e.attr("name").await.ok().flatten();
        let old = self.c.find(css("html")).await.expect("page");
        e.click().await.unwrap_or_else(|err| panic!("click `{sel}`: {err}"));
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        // The old document is gone once the new page has replaced it.
        while old.tag_name().await.is_ok() {
            assert!(std::time::Instant::now() < deadline, "`{sel}` led to no new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.wait_for("main").await;
        if let (Some(name), Ok(err)) = (button_name, self.c.find(css("section.error")).await) {
            let text = err.text().await.unwrap_or_default();
            if text.contains("未知操作") {
                panic!(
                    "`{sel}` posted its form without the button's `{name}` value ({text}). \
                     The browser leaves a disabled submitter out of the form data, and \
                     static/guohe.js disables every submit button inside the `submit` event; \
                     disabling them after the event (setTimeout 0) keeps the value"
                );
            }
        }
        self.no_error_page(sel).await;
    }

    async fn wait_path_prefix(&self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let p = self.path().await;
            if p.starts_with(prefix) {
                return p;
            }
            if std::time::Instant::now() > deadline {
                panic!(
                    "expected a page under {prefix}, still at {p}: {}",
                    self.page_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn login(&self, login: &str) {
        self.go("/login").await;
        self.fill("#login", login).await;
        self.fill("#password", PASSWORD).await;
        let otp = otp::code_for(&self.state, login).await;
        if !otp.is_empty() {
            self.fill("#otp", &otp).await;
        }
        self.submit("form[action='/login'] button[type=submit]").await;
        let signed_in = self.c.wait().at_most(Duration::from_secs(10));
        if let Err(e) = signed_in.for_element(css("form[action='/logout']")).await {
            panic!("{login} could not sign in ({e}): {}", self.page_text().await);
        }
    }

    async fn logout(&self) {
        self.submit("form[action='/logout'] button").await;
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(css("a[href='/login']"))
            .await
            .expect("signed out");
    }
}
