//! 核验服务 — `GET /api/v1/verify?uscc=…&on=…`: whether a unit held a validly named base on a
//! date, for other programmes that give named bases priority (湖北第十九条、第二十条；湖南第十九
//! 条), with a signed statement to keep as evidence; `GET /api/v1/verify/public-key`: the key
//! that checks it. Public (no sign-in), rate-limited per client address, every answer audited,
//! nothing personal in it (see docs/verification.md).

use std::borrow::Cow;

use super::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::verification::{NoStatement, STATEMENT_FORMAT};
use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::AppState;
use crate::error::{FieldError, Problem, WebError};
use crate::security::RequestCtx;
use crate::verification;

/// The answer, for the OpenAPI document.
pub struct VerifyAnswerJson;

impl PartialSchema for VerifyAnswerJson {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "answer {uscc, on, result (named / named_under_rectification / not_named), held, result_zh, result_en, unit_name, bases [{id, official_name, unit_name, province, policy, category, category_zh, domain, named_on, status, status_zh, status_en, rectification_until, valid, annual_assessment {year, grade, grade_zh, grade_en, recorded_on}, evaluation {year, on, grade, grade_zh, grade_en, re_evaluation}}], priority [{citation, article_zh, regulation, scope}]}; statement {format, uscc, on, result, bases, issued_at, expires_at, key_name, key_version, canonical, signature, public_key, algorithm, distinguishing_id, how_to_verify} or null; statement_unavailable {reason_zh, reason_en} when there is no statement. See docs/verification.md.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for VerifyAnswerJson {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("VerifyAnswer")
    }
}

/// The key that signs verification statements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicKey {
    /// Key file entry, `verification-signing`.
    pub key_name: String,
    /// Its version (statements name the version that signed them).
    pub key_version: i64,
    /// `SM2-SM3`.
    pub algorithm: String,
    /// The SM2 distinguishing identifier (GM/T 0009 default `1234567812345678`).
    pub distinguishing_id: String,
    /// The public key: SEC 1 uncompressed point (`04 ‖ x ‖ y`), hex.
    pub public_key: String,
    /// The statements it signs: `guohe-verification/1`.
    pub statement_format: String,
}

/// A query parameter's first value, trimmed; `None` when absent or empty.
fn query_value(raw: Option<&str>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    pairs
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a query parameter is given at all, even empty.
fn query_given(raw: Option<&str>, name: &str) -> bool {
    let pairs: Vec<(String, String)> = raw.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    pairs.iter().any(|(k, _)| k == name)
}

/// `on` as a date, or a 400 naming it.
pub fn parse_on(v: Option<&str>) -> Result<Option<NaiveDate>, WebError> {
    match v {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| {
            let (zh, en) = (
                "核验日期（on）格式须为 YYYY-MM-DD",
                "the date (on) must be a date YYYY-MM-DD",
            );
            WebError::BadRequest {
                zh: zh.into(),
                en: en.into(),
                fields: vec![FieldError::new("on", zh, en)],
            }
        }),
    }
}

/// 429 with `Retry-After`.
pub fn too_many(secs: u64) -> Response {
    let mut resp = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "verify_rate_limited",
        format!("核验请求过于频繁：同一来源每分钟请求次数有限，请{secs}秒后再试。"),
        format!("Too many verification requests from this address; try again in {secs} seconds."),
    )
    .into_rejection();
    resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
    resp
}

/// Whether the unit held a validly named base on the date.
#[utoipa::path(
    get,
    path = "/verify",
    tag = "verification",
    operation_id = "verify_unit",
    params(
        ("uscc" = String, Query, description = "The unit's unified social credit code (18 characters, GB 32100 / GB 11714 check)"),
        ("on" = Option<NaiveDate>, Query, description = "The date asked about, YYYY-MM-DD (default: the server's business date; a later date is refused)"),
        ("download" = Option<String>, Query, description = "`1`: send the answer as a file to save (Content-Disposition: attachment)"),
    ),
    responses(
        (status = 200, description = "The answer, with a signed statement when a key is configured", body = VerifyAnswerJson),
        (status = 400, description = "`uscc` or `on` is invalid (the problem names it)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn answer(ctx: RequestCtx, State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    match verification::limit(&state, &ctx.client.ip).await {
        Ok(None) => {}
        Ok(Some(secs)) => return too_many(secs),
        Err(e) => return e.into_response(),
    }
    let result = async {
        let uscc = query_value(raw.as_deref(), "uscc").unwrap_or_default();
        // `on=` with no date is refused like any other non-date (the document says `format: date`).
        let on = match query_value(raw.as_deref(), "on") {
            None if query_given(raw.as_deref(), "on") => parse_on(Some(""))?,
            v => parse_on(v.as_deref())?,
        };
        verification::answer(&state, &ctx.audit_actor(), "api", &uscc, on).await
    }
    .await;
    let a = match result {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let download = query_value(raw.as_deref(), "download").is_some_and(|v| v == "1");
    let name = format!("guohe-verification-{}-{}.json", a.answer.uscc, a.answer.on);
    let mut resp = Json(a).into_response();
    if download && let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// The public key that checks verification statements.
#[utoipa::path(
    get,
    path = "/verify/public-key",
    tag = "verification",
    operation_id = "verify_public_key",
    responses(
        (status = 200, description = "The SM2 public key", body = PublicKey),
        (status = 503, description = "No verification key is configured (statements cannot be signed until an administrator adds one)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn public_key(State(state): State<AppState>) -> Response {
    match &state.verifier.signer {
        Some(s) => Json(PublicKey {
            key_name: s.name().into(),
            key_version: s.version(),
            algorithm: "SM2-SM3".into(),
            distinguishing_id: guohe_keys::signing::DIST_ID.into(),
            public_key: s.public_key_hex(),
            statement_format: STATEMENT_FORMAT.into(),
        })
        .into_response(),
        None => {
            let n = NoStatement::no_key();
            Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "no_verification_key",
                n.reason_zh,
                n.reason_en,
            )
            .into_rejection()
        }
    }
}
