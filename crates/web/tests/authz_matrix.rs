//! 权限矩阵 — every route of the application (pages and API, enumerated from the router's
//! source and the OpenAPI document) × every kind of principal, each asserted allowed or refused
//! with its status. A route without a row fails the test, so nothing new goes unchecked.
//!
//! The principals, around the demo's application HN-2026-101 (长沙, named as base HN-2026-01):
//! anonymous; the department; the recommender of the unit's jurisdiction (长沙) and another
//! (衡阳); the applying unit and another unit; an expert assigned to it and one who is not —
//! and, for the province dimension, a principal of the other province (湖北) for each role:
//! the department, a recommender (武汉), a unit (武汉) and an expert. Their cells are not
//! written by hand but follow one rule from their Hunan counterpart's ([`other_province`]): a
//! route open to everyone stays open; a route naming a Hunan record is refused (403) wherever
//! the counterpart was let in; anything else (their own work areas and lists) answers as for
//! the counterpart.
//! Requests are chosen so that what is allowed is refused later by the rules or the form, and
//! nothing in the demo changes except objections and sessions.
//!
//! Cells: `L` sign-in required (pages: 303 to /login; API: 401), `403` refused, `ok` allowed
//! (any status but a refusal or a sign-in redirect), or an exact status.

use crate::api_common;
use crate::common;

use std::collections::BTreeSet;

use api_common::{Client, DEMO};
use hyper::Method;

/// Column order of the table.
const ROLES: [&str; 8] = [
    "anonymous",
    "hn-dept",
    "rec-changsha",
    "rec-hengyang",
    "hn-xjsw",
    "hn-hyhj",
    "expert-liu",
    "expert-xie",
];

/// The other province's principals, each with the column of its Hunan counterpart in [`ROLES`].
const OTHER_PROVINCE: [(&str, usize); 4] = [("hb-dept", 1), ("rec-wuhan", 2), ("hb-dhcl", 4), ("expert-wang", 6)];

/// The three administrators (三权分立), each with the path prefixes of their own duty.
const ADMINISTRATORS: [(&str, &[&str]); 3] = [
    ("sys-admin", &["/admin/system"]),
    ("sec-admin", &["/admin/security"]),
    ("audit-admin", &["/admin/audit", "/api/v1/audit"]),
];

/// The expected cell of an administrator: their own duty's routes are open to them alone; a
/// route every signed-in business role answers alike (public pages, their own account) answers
/// them the same; the second factor's page answers them as the department; everything else — every business step and record, and every domain command
/// through the API, even one open to the public — is refused.
fn administrator(cells: &[&str], own: &[&str], route: &str) -> String {
    let signed_in_alike = cells[1..].iter().all(|c| *c == cells[1]);
    if own.iter().any(|p| route.starts_with(p)) {
        "ok".to_string()
    } else if route == "/account/2fa" {
        // Administrators sign in with a second factor, as the department does.
        cells[1].to_string()
    } else if route.starts_with("/admin/") || route.starts_with("/api/v1/audit") || route == "/api/v1/commands" {
        "403".to_string()
    } else if signed_in_alike {
        cells[1].to_string()
    } else {
        "403".to_string()
    }
}

/// The expected cell of a principal of the other province, from its Hunan counterpart's.
fn other_province(cells: &[&str], counterpart: usize, path: &str, body: &str) -> String {
    let everyone_alike = cells[1..].iter().all(|c| *c == cells[1]);
    let names_a_hunan_record = path.contains("HN-") || body.contains("HN-");
    match cells[counterpart] {
        c if everyone_alike => c.to_string(),
        "L" => "L".to_string(),
        _ if names_a_hunan_record => "403".to_string(),
        c => c.to_string(),
    }
}

/// (method, route, concrete path, body, cells in [`ROLES`] order). `{me}` in a body is the
/// principal's login; `{attachment}` in a path is the file the demo attaches to HN-2026-101.
type Row = (&'static str, &'static str, &'static str, &'static str, &'static str);

const TABLE: &[Row] = &[
    // ---- public pages ----
    ("GET", "/", "/", "", "200 200 200 200 200 200 200 200"),
    ("GET", "/bases", "/bases", "", "200 200 200 200 200 200 200 200"),
    ("GET", "/bases.csv", "/bases.csv", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/bases.xlsx",
        "/bases.xlsx",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/bases/{id}",
        "/bases/HN-2026-01",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    ("GET", "/notices", "/notices", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/notices/{id}",
        "/notices/HN-GS-2026-2",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/notices/{id}/objections",
        "/notices/HN-GS-2026-2/objections",
        "application=HN-2026-201",
        "400 400 400 400 400 400 400 400",
    ),
    // The issued 公示 PDF is public; the demo's notice has none issued.
    (
        "GET",
        "/notices/{id}/document.pdf",
        "/notices/HN-GS-2026-2/document.pdf",
        "",
        "404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/announcements",
        "/announcements",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    // 双随机、一公开: draws are published to everyone.
    ("GET", "/draws", "/draws", "", "200 200 200 200 200 200 200 200"),
    ("GET", "/draws.csv", "/draws.csv", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/draws.xlsx",
        "/draws.xlsx",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/draws/{id}",
        "/draws/NO-SUCH-DRAW",
        "",
        "404 404 404 404 404 404 404 404",
    ),
    // 后补助: the published list and its exports are public.
    ("GET", "/subsidies", "/subsidies", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/subsidies/{year}",
        "/subsidies/1999",
        "",
        "404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/subsidies.csv",
        "/subsidies.csv",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/subsidies.xlsx",
        "/subsidies.xlsx",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    // 统计: the public view (the bases only) is open to all.
    ("GET", "/stats", "/stats", "", "200 200 200 200 200 200 200 200"),
    // A review panel is published once its application is decided; HN-2026-101 has none.
    (
        "GET",
        "/panels/{application}",
        "/panels/HN-2026-101",
        "",
        "404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/policies/compare",
        "/policies/compare?a=hunan-2026&b=hubei-2022",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/static/{file}",
        "/static/guohe.css",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    ("GET", "/healthz", "/healthz", "", "200 200 200 200 200 200 200 200"),
    ("GET", "/policies", "/policies", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/policies/{id}",
        "/policies/hunan-2026",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    ("GET", "/guide", "/guide", "", "200 200 200 200 200 200 200 200"),
    (
        "GET",
        "/guide/{policy}",
        "/guide/hubei-2022",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/downloads/{file}",
        "/downloads/application-facts.schema.json",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    ("GET", "/verify", "/verify", "", "200 200 200 200 200 200 200 200"),
    // ---- sign-in and my account ----
    ("GET", "/login", "/login", "", "200 303 303 303 303 303 303 303"),
    (
        "POST",
        "/login",
        "/login",
        "login={me}&password={password}&otp={otp}",
        "401 303 303 303 303 303 303 303",
    ),
    ("POST", "/logout", "/logout", "", "303 303 303 303 303 303 303 303"),
    ("GET", "/account", "/account", "", "L 200 200 200 200 200 200 200"),
    (
        "POST",
        "/account/password",
        "/account/password",
        "current=wrong",
        "L 400 400 400 400 400 400 400",
    ),
    // ---- notifications: every signed-in account has its own inbox ----
    ("GET", "/inbox", "/inbox", "", "L 200 200 200 200 200 200 200"),
    (
        "POST",
        "/inbox/read-all",
        "/inbox/read-all",
        "",
        "L 303 303 303 303 303 303 303",
    ),
    (
        "POST",
        "/inbox/{id}/read",
        "/inbox/999999/read",
        "",
        "L 404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/account/personal",
        "/account/personal",
        "phone=1",
        "L 400 400 400 400 400 400 400",
    ),
    // Second-factor enrolment: only roles that need one; hn-dept is already enrolled.
    (
        "GET",
        "/account/2fa",
        "/account/2fa",
        "",
        "L 200 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/account/2fa",
        "/account/2fa",
        "code=123456",
        "L 409 404 404 404 404 404 404",
    ),
    // ---- work areas ----
    ("GET", "/dept", "/dept", "", "L 200 403 403 403 403 403 403"),
    ("GET", "/dept/due", "/dept/due", "", "L 200 403 403 403 403 403 403"),
    ("GET", "/unit", "/unit", "", "L 403 403 403 200 200 403 403"),
    (
        "GET",
        "/recommender",
        "/recommender",
        "",
        "L 403 200 200 403 403 403 403",
    ),
    ("GET", "/expert", "/expert", "", "L 403 403 403 403 403 200 200"),
    // ---- role pages (allowed: whatever the form or the rules then say) ----
    (
        "GET",
        "/unit/drafts/{id}",
        "/unit/drafts/D-NONE",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "POST",
        "/unit/drafts",
        "/unit/drafts",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "POST",
        "/unit/drafts/{id}",
        "/unit/drafts/D-NONE",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "POST",
        "/unit/drafts/{id}/check",
        "/unit/drafts/D-NONE/check",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "POST",
        "/unit/drafts/{id}/attachments",
        "/unit/drafts/D-NONE/attachments",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "POST",
        "/unit/drafts/{id}/attachments/{file}/delete",
        "/unit/drafts/D-NONE/attachments/F-NONE/delete",
        "",
        "L 403 403 403 ok ok 403 403",
    ),
    (
        "GET",
        "/unit/applications/{id}",
        "/unit/applications/HN-2026-101",
        "",
        "L 403 403 403 ok 403 403 403",
    ),
    (
        "POST",
        "/unit/applications/{id}/withdraw",
        "/unit/applications/HN-2026-101/withdraw",
        "",
        "L 403 403 403 ok 403 403 403",
    ),
    (
        "GET",
        "/unit/bases/{id}",
        "/unit/bases/HN-2026-01",
        "",
        "L 403 403 403 ok 403 403 403",
    ),
    (
        "POST",
        "/unit/bases/{id}/reports",
        "/unit/bases/HN-2026-01/reports",
        "",
        "L 403 403 403 ok 403 403 403",
    ),
    (
        "POST",
        "/unit/bases/{id}/changes",
        "/unit/bases/HN-2026-01/changes",
        "",
        "L 403 403 403 ok 403 403 403",
    ),
    ("GET", "/files/{id}", "/files/F-NONE", "", "L ok ok ok ok ok ok ok"),
    // An attachment goes to whoever may see an application listing it: the department, the
    // recommender of 长沙, the applying unit and an assigned expert.
    (
        "GET",
        "/files/{id}",
        "/files/{attachment}",
        "",
        "L 200 200 403 200 403 200 403",
    ),
    (
        "GET",
        "/recommender/applications/{id}",
        "/recommender/applications/HN-2026-101",
        "",
        "L 403 ok 403 403 403 403 403",
    ),
    (
        "POST",
        "/recommender/applications/{id}/recommend",
        "/recommender/applications/HN-2026-101/recommend",
        "",
        "L 403 ok 403 403 403 403 403",
    ),
    (
        "POST",
        "/recommender/applications/{id}/return",
        "/recommender/applications/HN-2026-101/return",
        "",
        "L 403 ok 403 403 403 403 403",
    ),
    (
        "GET",
        "/recommender/bases",
        "/recommender/bases",
        "",
        "L 403 ok ok 403 403 403 403",
    ),
    (
        "POST",
        "/recommender/bases/{id}/changes/{change}",
        "/recommender/bases/HN-2026-01/changes/C-NONE",
        "",
        "L 403 ok 403 403 403 403 403",
    ),
    (
        "GET",
        "/expert/applications/{id}",
        "/expert/applications/HN-2026-101",
        "",
        "L 403 403 403 403 403 ok 403",
    ),
    (
        "POST",
        "/expert/applications/{id}/review",
        "/expert/applications/HN-2026-101/review",
        "",
        "L 403 403 403 403 403 ok 403",
    ),
    (
        "POST",
        "/expert/applications/{id}/conflict",
        "/expert/applications/HN-2026-101/conflict",
        "",
        "L 403 403 403 403 403 ok 403",
    ),
    (
        "GET",
        "/dept/rounds",
        "/dept/rounds",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/rounds",
        "/dept/rounds",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/rounds/{id}/close",
        "/dept/rounds/R-NONE/close",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/applications",
        "/dept/applications",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/applications/{id}",
        "/dept/applications/HN-2026-101",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/applications/{id}/experts",
        "/dept/applications/HN-2026-101/experts",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/applications/{id}/panel",
        "/dept/applications/HN-2026-101/panel",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    // An empty form: the department is told the seed is missing (nothing is drawn).
    (
        "POST",
        "/dept/applications/{id}/panel",
        "/dept/applications/HN-2026-101/panel",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/applications/{id}/panel/decline",
        "/dept/applications/HN-2026-101/panel/decline",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/applications/{id}/decide",
        "/dept/applications/HN-2026-101/decide",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/applications/{id}/name",
        "/dept/applications/HN-2026-101/name",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/notices",
        "/dept/notices",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/notices",
        "/dept/notices",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/notices/{id}",
        "/dept/notices/HN-GS-2026-2",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/objections/{id}/resolve",
        "/dept/objections/O-NONE/resolve",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    ("GET", "/dept/bases", "/dept/bases", "", "L ok 403 403 403 403 403 403"),
    (
        "GET",
        "/dept/bases/{id}",
        "/dept/bases/HN-2026-01",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/bases/{id}/changes/{change}",
        "/dept/bases/HN-2026-01/changes/C-NONE",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/bases/{id}/{record}",
        "/dept/bases/HN-2026-01/x",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    // 公文: the department of the province issues and downloads a case's documents; an empty
    // form is told what is missing (nothing is issued).
    (
        "GET",
        "/dept/notices/{id}/documents",
        "/dept/notices/HN-GS-2026-2/documents",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/notices/{id}/documents/{kind}",
        "/dept/notices/HN-GS-2026-2/documents/public_notice",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/notices/{id}/documents/{kind}",
        "/dept/notices/HN-GS-2026-2/documents/public_notice",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/bases/{id}/documents",
        "/dept/bases/HN-2026-01/documents",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/bases/{id}/documents/{kind}",
        "/dept/bases/HN-2026-01/documents/recognition_notice",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/bases/{id}/documents/{kind}",
        "/dept/bases/HN-2026-01/documents/recognition_notice",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    ("GET", "/dept/draws", "/dept/draws", "", "L ok 403 403 403 403 403 403"),
    // An empty form: the department is told what is missing (nothing is drawn).
    (
        "POST",
        "/dept/draws",
        "/dept/draws",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/draws/{id}/results",
        "/dept/draws/NO-SUCH-DRAW/results",
        "base=B&findings=x",
        "L 404 403 403 403 403 403 403",
    ),
    // 推荐申报国家级基地: the department of the province; an empty form is told what is missing.
    (
        "GET",
        "/dept/national",
        "/dept/national",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    // 统计 with applications and grades: the department of the province only.
    ("GET", "/dept/stats", "/dept/stats", "", "L ok 403 403 403 403 403 403"),
    (
        "POST",
        "/dept/national/recommend",
        "/dept/national/recommend",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/national/outcome",
        "/dept/national/outcome",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/subsidies",
        "/dept/subsidies",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    // An empty form: the department is told what is missing (nothing is awarded).
    (
        "POST",
        "/dept/subsidies",
        "/dept/subsidies",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    // ---- exports and the import of existing bases ----
    (
        "GET",
        "/dept/exports",
        "/dept/exports",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/exports/register",
        "/dept/exports/register",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    // A Hunan round: the other province's department is refused.
    (
        "GET",
        "/dept/exports/applications",
        "/dept/exports/applications?round=HN-2026-1",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/exports/assessments",
        "/dept/exports/assessments?year=2026",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/exports/evaluations",
        "/dept/exports/evaluations",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/import",
        "/dept/import",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/import/template.xlsx",
        "/dept/import/template.xlsx",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    // Not an upload: the department is told to use the upload form (nothing is imported).
    (
        "POST",
        "/dept/import",
        "/dept/import",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/import/confirm",
        "/dept/import/confirm",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/history",
        "/dept/history",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    // 现场勘验 (Hubei 第十五条第2项): an empty form is told what is missing.
    (
        "GET",
        "/dept/applications/{id}/site-inspection",
        "/dept/applications/HN-2026-101/site-inspection",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/applications/{id}/site-inspection",
        "/dept/applications/HN-2026-101/site-inspection",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    // 纳入过渡基地 (Hunan 第二十二条, Hubei 第三十条): an empty form is told what is missing.
    (
        "GET",
        "/dept/carry-over",
        "/dept/carry-over",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/carry-over",
        "/dept/carry-over",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    // 重新认定类别 (Hunan 第二十二条): an empty form is told what is missing.
    (
        "GET",
        "/dept/bases/{id}/reclassify",
        "/dept/bases/HN-2026-01/reclassify",
        "",
        "L ok 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/bases/{id}/reclassify",
        "/dept/bases/HN-2026-01/reclassify",
        "",
        "L 400 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/registrations",
        "/dept/registrations",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/dept/notifications",
        "/dept/notifications",
        "",
        "L 200 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/dept/registrations/{login}",
        "/dept/registrations/nobody",
        "decision=approve",
        "L 404 403 403 403 403 403 403",
    ),
    // ---- self-registration (public) ----
    ("GET", "/register", "/register", "", "200 200 200 200 200 200 200 200"),
    (
        "POST",
        "/register",
        "/register",
        "login=x",
        "400 400 400 400 400 400 400 400",
    ),
    // ---- the administrators' areas: none of the business roles; each administrator only
    // their own (the administrators' cells follow `administrator`) ----
    (
        "GET",
        "/admin/system",
        "/admin/system",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/system/accounts",
        "/admin/system/accounts",
        "login=x",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/system/accounts/{login}",
        "/admin/system/accounts/hn-xjsw",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/system/accounts/{login}",
        "/admin/system/accounts/hn-xjsw",
        "display_name=",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/system/accounts/{login}/active",
        "/admin/system/accounts/hn-xjsw/active",
        "active=no",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/system/accounts/{login}/password",
        "/admin/system/accounts/hn-xjsw/password",
        "password=short",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/system/organisations",
        "/admin/system/organisations",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/system/organisations",
        "/admin/system/organisations",
        "id=",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/security",
        "/admin/security",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/security",
        "/admin/security",
        "throttle_after=x",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/security/unlock/{login}",
        "/admin/security/unlock/nobody",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/security/sessions/end",
        "/admin/security/sessions/end",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/admin/audit",
        "/admin/audit",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/admin/audit/verify",
        "/admin/audit/verify",
        "",
        "L 403 403 403 403 403 403 403",
    ),
    // ---- API (problem details: 401 signed out, 403 refused and audited) ----
    (
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/session",
        "/api/v1/session",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/session",
        "/api/v1/session",
        "{\"login\": \"{me}\", \"password\": \"{password}\", \"otp\": \"{otp}\"}",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "DELETE",
        "/api/v1/session",
        "/api/v1/session",
        "",
        "204 204 204 204 204 204 204 204",
    ),
    (
        "GET",
        "/api/v1/bases",
        "/api/v1/bases",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/bases/{id}",
        "/api/v1/bases/HN-2026-01",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/notices",
        "/api/v1/notices",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/notices/{id}",
        "/api/v1/notices/HN-GS-2026-2",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/notices/{id}/objections",
        "/api/v1/notices/HN-GS-2026-2/objections",
        "{\"application\": \"HN-2026-201\", \"objector_real_name\": \"王建设\", \"contact\": \"13900000000\", \"content\": \"请核实（{me}）。\"}",
        "201 201 201 201 201 201 201 201",
    ),
    (
        "GET",
        "/api/v1/policies",
        "/api/v1/policies",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/policies/{id}",
        "/api/v1/policies/hunan-2026",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/eligibility",
        "/api/v1/eligibility",
        "{\"policy\": \"hunan-2026\"}",
        "422 422 422 422 422 422 422 422",
    ),
    // 后补助: public; a bad year is named (422).
    (
        "GET",
        "/api/v1/subsidies",
        "/api/v1/subsidies?year=x",
        "",
        "422 422 422 422 422 422 422 422",
    ),
    // 核验服务: public, no sign-in; an unreadable USCC is a 400 for everyone.
    (
        "GET",
        "/api/v1/verify",
        "/api/v1/verify?uscc=X",
        "",
        "400 400 400 400 400 400 400 400",
    ),
    (
        "GET",
        "/api/v1/verify/public-key",
        "/api/v1/verify/public-key",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/national/candidates",
        "/api/v1/national/candidates",
        "",
        "401 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/national/recommendations",
        "/api/v1/national/recommendations",
        "",
        "401 200 403 403 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/applications",
        "/api/v1/applications",
        "",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/applications/{id}",
        "/api/v1/applications/HN-2026-101",
        "",
        "401 200 200 403 200 403 200 403",
    ),
    // Those who may see the application are answered (HN-2026-101 has no drawn panel).
    (
        "GET",
        "/api/v1/applications/{id}/panel",
        "/api/v1/applications/HN-2026-101/panel",
        "",
        "401 404 404 403 404 403 404 403",
    ),
    (
        "GET",
        "/api/v1/draws",
        "/api/v1/draws",
        "",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/draws/{id}",
        "/api/v1/draws/NO-SUCH-DRAW",
        "",
        "404 404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/api/v1/applications/{id}/history",
        "/api/v1/applications/HN-2026-101/history",
        "",
        "401 200 200 403 200 403 200 403",
    ),
    (
        "POST",
        "/api/v1/applications/{id}/recommendation",
        "/api/v1/applications/HN-2026-101/recommendation",
        "{\"opinion\": \"同意推荐\"}",
        "401 403 409 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"RecommendApplication\", \"application\": \"HN-2026-101\", \"recommender\": \"x\", \"opinion\": \"同意\"}",
        "401 403 409 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"ReturnApplication\", \"application\": \"HN-2026-101\", \"reasons\": [\"材料不全\"]}",
        "401 409 409 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"WithdrawApplication\", \"confirm\": true, \"application\": \"HN-2026-101\"}",
        "401 409 403 403 409 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"SubmitReview\", \"application\": \"HN-2026-101\", \"expert\": \"{me}\", \"score\": 80, \"conclusion\": \"recommend\"}",
        "401 409 403 403 403 403 409 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"DeclareConflict\", \"application\": \"HN-2026-101\", \"expert\": \"{me}\"}",
        "401 409 403 403 403 403 409 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"SubmitAnnualReport\", \"base\": \"HN-2026-01\", \"year\": 2031, \"submitted_on\": \"2026-11-20\"}",
        "401 422 403 403 422 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"FileMajorChange\", \"base\": \"HN-2026-01\", \"change_id\": \"C1\", \"kind\": \"rename\", \"details\": {\"description\": \"重复\"}}",
        "401 409 403 403 409 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"ApproveMajorChange\", \"base\": \"HN-2026-01\", \"change_id\": \"C-NONE\", \"by\": \"recommender\"}",
        "401 403 404 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"Decide\", \"confirm\": true, \"application\": \"HN-2026-101\", \"decision\": \"approve\"}",
        "401 409 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"RecordEvaluation\", \"confirm\": true, \"base\": \"HN-2026-01\", \"grade\": \"nonsense\"}",
        "401 422 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/commands",
        "/api/v1/commands",
        "{\"type\": \"LodgeObjection\", \"notice\": \"HN-GS-2026-1\", \"application\": \"HN-2026-101\", \"objector_real_name\": \"王建设\", \"contact\": \"1\", \"content\": \"迟到\"}",
        "401 409 409 409 409 409 409 409",
    ),
    (
        "GET",
        "/api/v1/audit",
        "/api/v1/audit",
        "",
        "401 403 403 403 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/audit/verify",
        "/api/v1/audit/verify",
        "",
        "401 403 403 403 403 403 403 403",
    ),
];

struct Principal<'a> {
    name: &'static str,
    client: Client<'a>,
}

impl Principal<'_> {
    async fn sign_in(&self) {
        if self.name != "anonymous" {
            let r = self.client.login(self.name).await;
            assert_eq!(r.status, 200, "{} cannot sign in: {}", self.name, r.body);
        }
    }
}

/// `(METHOD, path)` of every `.route(` in the router's source (pages, including sub-routers
/// merged in), outside the API (whose routes are its OpenAPI document).
fn page_routes() -> BTreeSet<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(root)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if !p.ends_with("api") {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            !text.contains(".nest(") && !text.contains(".nest_service(") && !text.contains(".route_service("),
            "{}: nested routers are not enumerated by this test; extend page_routes()",
            f.display()
        );
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            let after = rest.trim_start();
            let Some(lit) = after.strip_prefix('"') else { continue };
            let path = &lit[..lit.find('"').unwrap()];
            // The call's arguments, up to the matching parenthesis.
            let mut depth = 1;
            let mut end = 0;
            for (k, ch) in rest.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let args = &rest[..end];
            for m in ["get", "post", "put", "delete", "patch"] {
                let needle = format!("{m}(");
                let found = args.match_indices(&needle).any(|(k, _)| {
                    k == 0 || !args[..k].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if found {
                    out.insert((m.to_uppercase(), path.to_string()));
                }
            }
        }
    }
    out
}

/// `(METHOD, path)` of every operation in the API's OpenAPI document.
fn api_routes() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(guohe_web::api::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in ["get", "post", "put", "delete", "patch"] {
            if item.get(m).is_some() {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn refused(cell: &str, status: u16, location: &str, api: bool) -> Result<(), String> {
    let to_login = status == 303 && location.starts_with("/login");
    let ok = match cell {
        "L" if api => status == 401,
        "L" => to_login,
        "ok" => !matches!(status, 401 | 403) && !to_login,
        exact => exact.parse::<u16>().map(|e| e == status).unwrap_or(false),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {cell}, got {status} {location}"))
    }
}

#[tokio::test]
async fn every_route_for_every_principal() {
    let mut routes = page_routes();
    routes.extend(api_routes());
    let rows: BTreeSet<(String, String)> = TABLE.iter().map(|r| (r.0.to_string(), r.1.to_string())).collect();
    let missing: Vec<_> = routes.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&routes).collect();

    // Every principal lodges an objection from the same address: lift the daily limit.
    let app = common::spawn_with(common::Options {
        demo: true,
        tweak: |c| c.objections_per_day = 100,
        ..Default::default()
    })
    .await;
    let people: Vec<Principal<'_>> = ROLES
        .iter()
        .chain(OTHER_PROVINCE.iter().map(|(name, _)| name))
        .chain(ADMINISTRATORS.iter().map(|(name, _)| name))
        .map(|name| Principal {
            name,
            client: Client::new(&app),
        })
        .collect();
    for p in &people {
        p.sign_in().await;
    }
    let attachment = guohe_web::demo::attachment_id("HN-2026-101");
    let mut failures = Vec::new();
    for (method, route, path, body, cells) in TABLE {
        let path = &path.replace("{attachment}", &attachment);
        let written: Vec<&str> = cells.split_whitespace().collect();
        assert_eq!(written.len(), ROLES.len(), "{method} {route}: one cell per principal");
        let derived: Vec<String> = OTHER_PROVINCE
            .iter()
            .map(|(_, counterpart)| other_province(&written, *counterpart, path, body))
            .collect();
        let admins: Vec<String> = ADMINISTRATORS
            .iter()
            .map(|(_, own)| administrator(&written, own, route))
            .collect();
        let cells: Vec<&str> = written
            .iter()
            .copied()
            .chain(derived.iter().map(String::as_str))
            .chain(admins.iter().map(String::as_str))
            .collect();
        let api = route.starts_with("/api/");
        for (p, cell) in people.iter().zip(&cells) {
            let c = &p.client;
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let resp = if m == Method::GET {
                c.get(path).await
            } else {
                let token = c.csrf().await;
                let otp = if body.contains("{otp}") {
                    common::otp::code_for(&app.state, p.name).await
                } else {
                    String::new()
                };
                let body = body
                    .replace("{me}", p.name)
                    .replace("{password}", DEMO)
                    .replace("{otp}", &otp);
                let ct = if api {
                    "application/json"
                } else {
                    "application/x-www-form-urlencoded"
                };
                let body = if api && body.is_empty() { "{}".to_string() } else { body };
                c.raw(m, path, Some((ct, body)), &[("x-csrf-token", &token)]).await
            };
            let loc = resp.header("location");
            if let Err(e) = refused(cell, resp.status, &loc, api) {
                failures.push(format!(
                    "{method} {path} as {}: {e} {}",
                    p.name,
                    &resp.body.chars().take(160).collect::<String>()
                ));
            }
            // Routes that end or replace the session: sign in again for the next row.
            if matches!(*route, "/logout" | "/api/v1/session" | "/login") && *method != "GET" {
                p.sign_in().await;
            }
        }
    }
    assert!(missing.is_empty(), "routes without a row in the matrix: {missing:?}");
    assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
