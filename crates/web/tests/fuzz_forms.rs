//! Fuzz target: the pages' POST forms. Every form found on a set of pages — anonymous (sign-in,
//! self-registration, a 公示's real-name objection) and as the Hunan department (its dashboard
//! and the pages it links to) — is submitted with its own field names and hostile values (empty,
//! huge, controls, markup, odd dates and numbers), stray fields and fields left out, with the
//! page's CSRF token. The property: never a 5xx and never a dropped connection (a panic); a
//! refusal of input (400, 422) is an HTML page that says what is wrong in Chinese.
//! Sign-out is left out (it would end the session the run uses).
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

use crate::api_common;
use crate::common;
use crate::fuzz_support;

use api_common::demo_app;
use common::{TestApp, csrf_of};
use fuzz_support::*;
use proptest::prelude::*;

/// The POST forms of a page: the action and the names of its fields.
fn forms(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for part in html.split("<form").skip(1) {
        let head = part.split('>').next().unwrap_or("");
        if !head.contains("method=\"post\"") {
            continue;
        }
        let Some(action) = head.split("action=\"").nth(1).and_then(|a| a.split('"').next()) else {
            continue;
        };
        let body = part.split("</form>").next().unwrap_or("");
        let mut names: Vec<String> = body
            .split("name=\"")
            .skip(1)
            .filter_map(|n| n.split('"').next())
            .filter(|n| *n != "_csrf")
            .map(|n| n.replace("&#x2F;", "/"))
            .collect();
        names.dedup();
        out.push((action.replace("&amp;", "&").replace("&#x2F;", "/"), names));
    }
    out
}

/// Every form of the pages, as (page, action, fields), sign-out left out.
async fn collect(app: &TestApp, pages: &[&str]) -> Vec<(String, String, Vec<String>)> {
    let mut all = Vec::new();
    for page in pages {
        let html = app.get(page).await.body;
        for (action, fields) in forms(&html) {
            if action.contains("logout") || !action.starts_with('/') {
                continue;
            }
            all.push((page.to_string(), action, fields));
        }
    }
    all.sort();
    all.dedup();
    all
}

fn submit(
    rt: &tokio::runtime::Runtime,
    app: &TestApp,
    forms: &[(String, String, Vec<String>)],
    (i, values, drop, stray): Case,
) -> Result<(), TestCaseError> {
    let (page, action, fields) = &forms[i % forms.len()];
    let r = rt.block_on(async {
        let token = csrf_of(&app.get(page).await.body);
        let mut form: Vec<(String, String)> = vec![("_csrf".into(), token)];
        for (k, name) in fields.iter().enumerate() {
            if drop.get(k).copied().unwrap_or(false) {
                continue;
            }
            form.push((name.clone(), values.get(k).cloned().unwrap_or_default()));
        }
        form.extend(stray);
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        app.post(action, &refs).await
    });
    prop_assert!(
        r.status < 500,
        "POST {} (from {}): {} {}",
        action,
        page,
        r.status,
        r.body
    );
    if matches!(r.status, 400 | 422) {
        let has_chinese = r.body.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        prop_assert!(has_chinese, "POST {}: {} without a Chinese message", action, r.status);
    }
    Ok(())
}

/// One submission: which form, a value per field, which fields to leave out, a stray field.
type Case = (usize, Vec<String>, Vec<bool>, Option<(String, String)>);

fn cases() -> impl Strategy<Value = Case> {
    (
        any::<usize>(),
        prop::collection::vec(hostile_text(), 12),
        prop::collection::vec(prop::bool::weighted(0.15), 12),
        prop::option::weighted(0.3, ("[a-z_]{1,10}", hostile_text())),
    )
}

#[test]
fn hostile_form_submissions_never_get_a_server_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let anon = rt.block_on(demo_app());
    let anonymous = rt.block_on(collect(&anon, &["/login", "/register", "/notices/HN-GS-2026-1"]));
    assert!(anonymous.len() >= 2, "{anonymous:?}");
    run("anonymous forms", cases(), |c| submit(&rt, &anon, &anonymous, c));

    let dept = rt.block_on(demo_app());
    let r = rt.block_on(dept.login("hn-dept", "Guohe@Demo2026"));
    assert!(r.status < 400, "{} {}", r.status, r.body);
    let signed_in = rt.block_on(async {
        let home = dept.get("/dept").await.body;
        let mut pages: Vec<String> = vec!["/dept".into(), "/account".into()];
        for link in home.split("href=\"").skip(1).filter_map(|l| l.split('"').next()) {
            if link.starts_with("/dept/") && !link.contains('.') && pages.len() < 25 {
                pages.push(link.replace("&amp;", "&"));
            }
        }
        let refs: Vec<&str> = pages.iter().map(String::as_str).collect();
        collect(&dept, &refs).await
    });
    assert!(!signed_in.is_empty());
    run("department forms", cases(), |c| submit(&rt, &dept, &signed_in, c));
}
