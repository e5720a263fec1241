//! 页面 — one module per audience, one askama struct per page.
//!
//! `public` (anyone), `auth` (sign-in, sign-out, my account), and one module per role area:
//! `department`, `unit`, `recommender`, `expert`. Each role handler starts by asking
//! [`crate::authz`] whether the principal may enter, then filters records with the same module.

pub mod admin;
pub mod application_list;
pub mod auth;
pub mod compare;
pub mod department;
pub mod dept_applications;
pub mod dept_bases;
pub mod dept_draws;
pub mod dept_due;
pub mod dept_exports;
pub mod dept_history;
pub mod dept_import;
pub mod dept_national;
pub mod dept_notices;
pub mod dept_panels;
pub mod dept_rounds;
pub mod dept_site_inspection;
pub mod dept_subsidies;
pub mod dept_transitions;
pub mod documents;
pub mod draws;
pub mod expert;
pub mod list_paged;
pub mod notifications;
pub mod panels;
pub mod policies;
pub mod portal;
pub mod public;
pub mod public_notices;
pub mod recommender;
pub mod register_export;
pub mod registration;
pub mod second_factor;
pub mod stats;
pub mod subsidies;
pub mod unit;
pub mod unit_applications;
pub mod unit_bases;
pub mod unit_draft_form;
pub mod unit_drafts;
pub mod verify;
pub mod work;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const CSS: &str = include_str!("../../static/guohe.css");
const JS: &str = include_str!("../../static/guohe.js");

/// Static files, compiled into the binary (no build step, nothing read from disk).
pub async fn static_file(Path(file): Path<String>) -> Result<Response, WebError> {
    let (body, kind) = match file.as_str() {
        "guohe.css" => (CSS, "text/css; charset=utf-8"),
        "guohe.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::NotFound),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(r)
}

/// Liveness probe.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Any unknown path.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

use crate::AppState;

/// The role work areas' routes (the unit, recommender, expert and department pages), merged
/// into [`crate::router`] in one place. Paths and form field names are documented on each
/// handler; browser tests and the load benchmark rely on them.
pub fn role_routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/unit/drafts", post(unit::create_draft))
        .route("/unit/drafts/{id}", get(unit::draft).post(unit::save_draft))
        .route("/unit/drafts/{id}/check", post(unit::check_panel))
        .route(
            "/unit/drafts/{id}/attachments",
            post(unit::upload).layer(DefaultBodyLimit::max(crate::upload::MAX_BODY)),
        )
        .route("/unit/drafts/{id}/attachments/{file}/delete", post(unit::delete_file))
        .route("/unit/applications/{id}", get(unit::application))
        .route("/unit/applications/{id}/withdraw", post(unit::withdraw))
        .route("/unit/bases/{id}", get(unit::base))
        .route("/unit/bases/{id}/reports", post(unit::annual_report))
        .route("/unit/bases/{id}/changes", post(unit::file_change))
        .route("/files/{id}", get(unit::download))
        .route("/recommender/applications/{id}", get(recommender::application))
        .route("/recommender/applications/{id}/recommend", post(recommender::recommend))
        .route(
            "/recommender/applications/{id}/return",
            post(recommender::return_application),
        )
        .route("/recommender/bases", get(recommender::bases))
        .route(
            "/recommender/bases/{id}/changes/{change}",
            post(recommender::decide_change),
        )
        .route("/expert/applications/{id}", get(expert::application))
        .route("/expert/applications/{id}/review", post(expert::review))
        .route("/expert/applications/{id}/conflict", post(expert::conflict))
        .route("/dept/due", get(dept_due::list))
        .route("/dept/rounds", get(department::rounds).post(department::open_round))
        .route("/dept/rounds/{id}/close", post(department::close_round))
        .route("/dept/applications", get(department::applications))
        .route("/dept/applications/{id}", get(department::application))
        .route("/dept/applications/{id}/experts", post(department::assign))
        .route(
            "/dept/applications/{id}/panel",
            get(dept_panels::show).post(dept_panels::draw),
        )
        .route("/dept/applications/{id}/panel/decline", post(dept_panels::decline))
        .route("/dept/applications/{id}/decide", post(department::decide))
        .route("/dept/applications/{id}/name", post(department::name))
        .route("/dept/notices", get(department::notices).post(department::start_notice))
        .route("/dept/notices/{id}", get(department::notice))
        .route("/dept/objections/{id}/resolve", post(department::resolve))
        .route("/dept/bases", get(department::bases))
        .route("/dept/bases/{id}", get(department::base))
        .route("/dept/notices/{id}/documents", get(documents::notice_list))
        .route(
            "/dept/notices/{id}/documents/{kind}",
            get(documents::notice_download).post(documents::notice_issue),
        )
        .route("/dept/bases/{id}/documents", get(documents::base_list))
        .route(
            "/dept/bases/{id}/documents/{kind}",
            get(documents::base_download).post(documents::base_issue),
        )
        .route("/dept/bases/{id}/changes/{change}", post(department::decide_change))
        .route("/dept/bases/{id}/{record}", post(department::record))
        .route("/dept/history", get(department::history))
        .route("/dept/draws", get(dept_draws::list).post(dept_draws::draw))
        .route("/dept/draws/{id}/results", post(dept_draws::result))
        .route("/dept/subsidies", get(dept_subsidies::list).post(dept_subsidies::award))
        .route("/dept/national", get(dept_national::list))
        .route("/dept/national/recommend", post(dept_national::recommend))
        .route("/dept/national/outcome", post(dept_national::outcome))
        .route("/dept/registrations", get(registration::pending))
        .route("/dept/registrations/{login}", post(registration::decide))
        .route(
            "/dept/applications/{id}/site-inspection",
            get(dept_site_inspection::form).post(dept_site_inspection::record),
        )
        .route(
            "/dept/carry-over",
            get(dept_transitions::carry_over_form).post(dept_transitions::carry_over),
        )
        .route(
            "/dept/bases/{id}/reclassify",
            get(dept_transitions::reclassify_form).post(dept_transitions::reclassify),
        )
        .route("/dept/stats", get(stats::department))
        .route("/dept/exports", get(dept_exports::page))
        .route("/dept/exports/register", get(dept_exports::register))
        .route("/dept/exports/applications", get(dept_exports::applications))
        .route("/dept/exports/assessments", get(dept_exports::assessments))
        .route("/dept/exports/evaluations", get(dept_exports::evaluations))
        .route(
            "/dept/import",
            get(dept_import::show)
                .post(dept_import::check)
                .layer(DefaultBodyLimit::max(dept_import::MAX_BODY)),
        )
        .route(
            "/dept/import/confirm",
            post(dept_import::confirm).layer(DefaultBodyLimit::max(dept_import::MAX_BODY)),
        )
        .route("/dept/import/template.xlsx", get(dept_import::template))
}

/// A file to download: the bytes with their type and a file name.
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, file: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The content type of an xlsx workbook.
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
