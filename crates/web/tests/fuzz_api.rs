//! Fuzz target: the API's command bodies and other JSON writes (`POST /api/v1/commands`,
//! `/eligibility`, `/notices/{id}/objections`, `/applications/{id}/recommendation`,
//! `/session`), sent to the real application on the demo data, signed in as the Hunan
//! department and anonymously. Real commands of the demo, and every command type, are mutated
//! (values replaced by hostile ones, members removed or added, lists and values swapped, the
//! text cut or spliced). The property: never a 5xx, never a dropped connection (a panic), every
//! answer a problem document when it refuses, and a 400 or 422 names the field.
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

use crate::api_common;
use crate::fuzz_support;

use api_common::{Client, Resp, demo_app, hunan_application};
use fuzz_support::*;
use hyper::Method;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

/// Bodies that the demo accepts or refuses only by its rules: the starting points.
fn seeds() -> Vec<(&'static str, Value)> {
    let mut out = vec![
        (
            "/api/v1/commands",
            json!({"type": "RecommendApplication", "application": "HN-2026-205", "recommender": "长沙市科学技术局", "opinion": "同意推荐。"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "Name", "confirm": true, "application": "HN-2026-201", "base_id": "HN-2026-09", "on": "2026-11-20"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "SubmitApplication", "id": "HN-2026-299", "round": "HN-2026-2", "facts": hunan_application("hn-xjsw")}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "SubmitReview", "application": "HN-2026-203", "expert": "expert-zhou", "score": 85, "conclusion": "recommend", "opinion": "合作基础扎实。"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "RecordEvaluation", "confirm": true, "base": "HN-2026-01", "grade": "qualified"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "DrawInspections", "confirm": true, "id": "HN-FUZZ-DRAW", "policy": "hunan-2026", "purpose": "annual_assessment", "year": 2026, "share": "0.5", "seed": "fuzz"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "OpenRound", "id": "HN-2027-1", "policy": "hunan-2026", "title": "2027年度申报", "opens_on": "2027-03-01", "closes_on": "2027-04-30"}),
        ),
        (
            "/api/v1/commands",
            json!({"type": "AwardPostSubsidies", "confirm": true, "policy": "hunan-2026", "year": 2026, "document_number": "湘科发〔2026〕99号", "issued_on": "2026-11-20", "awards": [{"base": "HN-2026-01", "amount_wan": "50"}]}),
        ),
        ("/api/v1/eligibility", hunan_application("hn-xjsw")),
        (
            "/api/v1/notices/HN-GS-2026-1/objections",
            json!({"application": "HN-2026-102", "objector_real_name": "王五", "contact": "13800000000", "content": "合作协议已过期。"}),
        ),
        (
            "/api/v1/applications/HN-2026-205/recommendation",
            json!({"decision": "recommend", "opinion": "同意推荐。"}),
        ),
        (
            "/api/v1/session",
            json!({"login": "hn-dept", "password": "Wrong@Pass2026", "otp": "000000"}),
        ),
    ];
    for name in guohe_domain::Command::NAMES {
        out.push(("/api/v1/commands", json!({ "type": name })));
    }
    out
}

/// A body: a seed mutated as a document, and sometimes damaged as text.
/// Which seed, its mutations, a damage to its text, and whether it is sent signed in.
type Body = (usize, Vec<Mutation>, Option<(usize, u8, String)>, bool);

fn bodies(n: usize) -> impl Strategy<Value = Body> {
    (
        0..n,
        mutations(),
        prop::option::weighted(0.2, damage_text()),
        any::<bool>(),
    )
}

/// The property, on one answer.
fn judge(r: &Resp, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(r.status < 500, "{}: {} {}", what, r.status, r.body);
    if r.status >= 400 {
        let ct = r.header("content-type");
        prop_assert!(
            ct.starts_with("application/problem+json"),
            "{}: {} as {}",
            what,
            r.status,
            ct
        );
        let p: Value = serde_json::from_str(&r.body).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
        prop_assert_eq!(p["status"].as_u64(), Some(u64::from(r.status)));
        // A body that is not JSON at all is placed by line and column instead of a field.
        if matches!(r.status, 400 | 422) && p["code"] != "malformed_json" {
            prop_assert!(
                p["field"].as_str().is_some_and(|f| !f.is_empty()),
                "{}: a refusal of input naming no field: {}",
                what,
                r.body
            );
        }
    }
    Ok(())
}

#[test]
fn hostile_api_bodies_never_get_a_server_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(demo_app());
    let dept = Client::new(&app);
    let anon = Client::new(&app);
    let (dept_token, anon_token) = rt.block_on(async {
        let r = dept.login("hn-dept").await;
        assert_eq!(r.status, 200, "{}", r.body);
        (dept.csrf().await, anon.csrf().await)
    });
    let seeds = seeds();
    run("api bodies", bodies(seeds.len()), |(i, ms, damaged, signed_in)| {
        let (path, seed) = &seeds[i];
        let mut text = apply(seed, &ms).to_string();
        if let Some(d) = &damaged {
            text = damage(&text, d);
        }
        let (c, token) = if signed_in {
            (&dept, &dept_token)
        } else {
            (&anon, &anon_token)
        };
        let r = rt.block_on(c.raw(
            Method::POST,
            path,
            Some(("application/json", text.clone())),
            &[("x-csrf-token", token)],
        ));
        judge(&r, &format!("POST {path} {text}"))
    });
}

/// Found by schemathesis: a page number far past the end (`page=576460752303423489`)
/// overflowed the offset and the connection was dropped; a page past the end is now empty,
/// and the page number is bounded as the document says.
#[tokio::test]
async fn a_page_far_past_the_end_is_empty_or_refused() {
    let app = demo_app().await;
    let c = Client::new(&app);
    for list in ["bases", "notices", "policies", "draws", "subsidies"] {
        let r = c.get(&format!("/api/v1/{list}?page=1000000&per_page=200")).await;
        assert_eq!(r.status, 200, "{list}: {}", r.body);
        assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0), "{list}");
        let r = c
            .get(&format!("/api/v1/{list}?page=576460752303423489&per_page=200"))
            .await;
        assert_eq!(r.problem(422)["field"], "page", "{list}");
    }
}
