//! The JSON API under `/api/v1`, for other government systems: every action the pages offer,
//! under the same session, CSRF protection, authorization ([`crate::authz`]) and rules.
//!
//! One module per resource, each handler thin: it asks [`crate::authz`], reads the world or
//! runs a command through [`guohe_app::Guohe`], and returns JSON. Errors leave as
//! [`crate::error::WebError`]; the request frame turns them into RFC 9457 problem details.
//! Every route is registered through [`utoipa_axum::router::OpenApiRouter`], so the OpenAPI
//! document at `/api/v1/openapi.json` lists exactly the routes that exist.

pub mod applications;
pub mod audit;
pub mod bases;
pub mod command_schema;
pub mod commands;
pub mod draws;
pub mod eligibility;
pub mod national;
pub mod notices;
pub mod openapi;
pub mod policies;
pub mod session;
pub mod subsidies;
pub mod verify;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::AppError;
use guohe_domain::Refusal;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{Problem, WebError};

/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// Largest `per_page`; larger values are refused (422, `per_page`), as the document declares.
pub const MAX_PER_PAGE: usize = 200;

/// Largest `page`: far beyond any list, and small enough that the offset never overflows.
pub const MAX_PAGE: usize = 1_000_000;

/// Longest text query parameter, in characters; longer values are refused rather than searched for.
pub const MAX_PARAM_CHARS: usize = 100;

/// The bounds of a whole-number query parameter, both inclusive: what [`Params::number`]
/// enforces and the OpenAPI document declares.
pub fn number_bounds(name: &str) -> (usize, usize) {
    match name {
        "per_page" => (1, MAX_PER_PAGE),
        "days" => (1, audit::MAX_DAYS as usize),
        "year" => (1, 9999),
        _ => (1, MAX_PAGE),
    }
}

/// `per_page` when none is given.
pub const DEFAULT_PER_PAGE: usize = 20;

/// Every API route, registered with its OpenAPI description.
fn build() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(openapi::document))
        .routes(routes!(session::current, session::sign_in, session::sign_out))
        .routes(routes!(bases::list))
        .routes(routes!(bases::get))
        .routes(routes!(notices::list))
        .routes(routes!(notices::get))
        .routes(routes!(notices::object))
        .routes(routes!(policies::list))
        .routes(routes!(policies::get))
        .routes(routes!(eligibility::check))
        .routes(routes!(national::candidates))
        .routes(routes!(national::recommendations_made))
        .routes(routes!(verify::answer))
        .routes(routes!(verify::public_key))
        .routes(routes!(applications::list))
        .routes(routes!(applications::get))
        .routes(routes!(applications::history))
        .routes(routes!(applications::recommend))
        .routes(routes!(subsidies::list))
        .routes(routes!(draws::panel))
        .routes(routes!(draws::list))
        .routes(routes!(draws::get))
        .routes(routes!(commands::execute))
        .routes(routes!(audit::list))
        .routes(routes!(audit::verify));
    OpenApiRouter::with_openapi(openapi::base_document()).nest(PREFIX, v1)
}

/// The API's routes, to merge into the application's router.
pub fn router() -> Router<AppState> {
    build().split_for_parts().0
}

/// The OpenAPI 3.1 document of exactly the routes [`router`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::finish(build().into_openapi())
}

// ---------- shared pieces of the handlers ----------

/// Bytes a JSON answer's buffer starts with: a page of a list (20 applications are about 8 KiB)
/// is written without the buffer growing.
const JSON_CAPACITY: usize = 16 * 1024;

/// A JSON answer (`application/json`). Serialised into a buffer sized for a page of a list at
/// once: axum's own `Json` starts at 128 bytes and grows by copying, which took about an eighth
/// of a signed-in list request's time.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(JSON_CAPACITY);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, "application/json")], buf).into_response(),
            Err(e) => WebError::Internal(format!("json: {e}")).into_response(),
        }
    }
}

/// A page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    /// This page's items.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: usize,
    /// Items per page (at most 200).
    pub per_page: usize,
    /// Matching items in all.
    pub total: usize,
}

impl<T: ToSchema> Paged<T> {
    /// Cuts one page out of the full, sorted list.
    pub fn of(all: Vec<T>, p: &Params) -> Result<Paged<T>, WebError> {
        let (page, per_page) = p.paging()?;
        let total = all.len();
        let items = all
            .into_iter()
            .skip((page - 1).saturating_mul(per_page))
            .take(per_page)
            .collect();
        Ok(Paged {
            items,
            page,
            per_page,
            total,
        })
    }
}

/// Input the rules cannot accept, naming the field: 422 with `field`.
pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> WebError {
    WebError::App(AppError::Refused(Refusal::invalid(field, zh, en)))
}

/// The query string as name → value pairs, with typed getters whose errors name the parameter.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// From a raw query string (an unreadable one reads as empty: every parameter is optional).
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            query
                .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
                .unwrap_or_default(),
        )
    }

    /// A trimmed, non-empty value; over-long values are refused rather than searched for.
    pub fn get(&self, name: &str) -> Result<Option<&str>, WebError> {
        match self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
            Some(v) if v.chars().count() > MAX_PARAM_CHARS => Err(invalid(
                name,
                "参数过长（最多100字）",
                "too long (at most 100 characters)",
            )),
            Some("") | None => Ok(None),
            Some(v) => Ok(Some(v)),
        }
    }

    /// A text value, empty when absent.
    pub fn text(&self, name: &str) -> Result<String, WebError> {
        Ok(self.get(name)?.unwrap_or("").to_string())
    }

    /// A whole number within [`number_bounds`]. Present but empty (`page=`) is not a number.
    pub fn number(&self, name: &str) -> Result<Option<usize>, WebError> {
        let (lo, hi) = number_bounds(name);
        match self.present(name)? {
            None => Ok(None),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
                _ => Err(invalid(
                    name,
                    format!("须为 {lo}–{hi} 的整数"),
                    format!("must be a whole number from {lo} to {hi}"),
                )),
            },
        }
    }

    /// A parameter that must have a value when it is given at all (numbers and dates): its
    /// trimmed value, with an empty one kept as `Some("")` so that it is refused.
    fn present(&self, name: &str) -> Result<Option<&str>, WebError> {
        match self.get(name)? {
            Some(v) => Ok(Some(v)),
            None if self.0.iter().any(|(k, _)| k == name) => Ok(Some("")),
            None => Ok(None),
        }
    }

    /// A date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, WebError> {
        match self.present(name)? {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| invalid(name, "日期格式须为 YYYY-MM-DD", "must be a date YYYY-MM-DD")),
        }
    }

    /// `page` (from 1) and `per_page` (1–200, default 20).
    pub fn paging(&self) -> Result<(usize, usize), WebError> {
        let page = self.number("page")?.unwrap_or(1);
        let per_page = self.number("per_page")?.unwrap_or(DEFAULT_PER_PAGE);
        Ok((page, per_page))
    }

    /// `sort`: one of `allowed`, `-` in front for descending; the first allowed key by default.
    pub fn sort<'a>(&self, allowed: &[&'a str]) -> Result<(&'a str, bool), WebError> {
        let keys = sort_values(allowed);
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let Some(v) = self.choice("sort", &keys)? else {
            return Ok((allowed[0], false));
        };
        let (key, desc) = match v.strip_prefix('-') {
            Some(k) => (k, true),
            None => (v, false),
        };
        match allowed.iter().find(|a| **a == key) {
            Some(a) => Ok((a, desc)),
            None => Err(invalid("sort", "排序字段无效", "invalid sort key")),
        }
    }

    /// One of a closed set of values, exactly as written (the document lists them); absent or
    /// empty is `None`.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, WebError> {
        match self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()) {
            None | Some("") => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(_) if name == "sort" => Err(invalid(
                name,
                format!(
                    "排序字段须为 {} 之一（前加 - 为降序）",
                    allowed
                        .iter()
                        .filter(|a| !a.starts_with('-'))
                        .copied()
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                format!(
                    "must be one of {} (prefix - for descending)",
                    allowed
                        .iter()
                        .filter(|a| !a.starts_with('-'))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(_) => Err(invalid(
                name,
                format!("须为 {} 之一", allowed.join("、")),
                format!("must be one of {}", allowed.join(", ")),
            )),
        }
    }
}

/// Every value `sort` takes: each key, and each key with `-` in front.
pub fn sort_values(keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| k.to_string())
        .chain(keys.iter().map(|k| format!("-{k}")))
        .collect()
}

/// The closed sets of values of the lists' query parameters, for the document: the path, the
/// parameter and its values (an empty value reads as absent and is listed too).
pub fn closed_values(path: &str, name: &str) -> Option<Vec<String>> {
    let sorts = |keys: &[&str]| Some(sort_values(keys));
    let values = match (path, name) {
        ("/api/v1/applications", "sort") => sorts(applications::SORTS),
        ("/api/v1/applications", "status") => Some(applications::STATUSES.iter().map(|s| s.to_string()).collect()),
        ("/api/v1/bases", "sort") => sorts(bases::SORTS),
        ("/api/v1/notices", "sort") => sorts(notices::SORTS),
        ("/api/v1/notices", "phase") => Some(notices::PHASES.iter().map(|s| s.to_string()).collect()),
        ("/api/v1/policies", "sort") => sorts(policies::SORTS),
        _ => None,
    };
    values.map(|mut v| {
        v.push(String::new());
        v
    })
}

/// Whether a text contains the (lower-cased) needle, case-insensitively.
pub fn contains(hay: &str, needle_lower: &str) -> bool {
    needle_lower.is_empty() || hay.to_lowercase().contains(needle_lower)
}

/// Reads a JSON body, naming the field at fault: 415 unless `application/json`, 400 when the
/// body is not JSON (with where the parser stopped), 422 when a field has the wrong type, is
/// missing or unknown.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Box<Response>> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| json_error(e, bytes.is_empty()))?;
    Ok(value)
}

/// Reads a JSON value from a [`serde_json::Value`], naming the field at fault (422).
pub fn decode_value<T: DeserializeOwned>(v: serde_json::Value, prefix: &str) -> Result<T, Box<Response>> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = join_path(prefix, &e.path().to_string());
        let inner = e.into_inner();
        data_error(&path, &inner.to_string())
    })
}

fn join_path(prefix: &str, path: &str) -> String {
    let path = if path == "." { "" } else { path };
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn json_error(e: serde_path_to_error::Error<serde_json::Error>, empty: bool) -> Box<Response> {
    let path = join_path("", &e.path().to_string());
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        let field = (!path.is_empty()).then_some(path);
        let (line, column) = if empty { (1, 0) } else { (inner.line(), inner.column()) };
        return Box::new(Problem::malformed_json(field, line, column).into_rejection());
    }
    data_error(&path, &inner.to_string())
}

/// A field with the wrong type, missing or unknown: 422 naming it. serde reports a missing field
/// at its parent, so the field's own name is appended.
fn data_error(path: &str, message: &str) -> Box<Response> {
    let en = message.split(" at line ").next().unwrap_or(message).to_string();
    let quoted = en.split('`').nth(1).unwrap_or("").to_string();
    let (field, zh) = if en.starts_with("missing field") {
        (join_path(path, &quoted), format!("缺少必填项“{quoted}”"))
    } else if en.starts_with("unknown field") {
        // The path already ends at the unknown field.
        let f = if path.rsplit('.').next() == Some(quoted.as_str()) {
            path.to_string()
        } else {
            join_path(path, &quoted)
        };
        (f, format!("未知字段“{quoted}”（请检查拼写）"))
    } else if en.starts_with("unknown variant") {
        (path.to_string(), "取值不在允许范围内".to_string())
    } else {
        (path.to_string(), "类型或取值错误".to_string())
    };
    let field = if field.is_empty() { "body".to_string() } else { field };
    let refusal = WebError::App(AppError::Refused(Refusal::invalid(field, format!("{zh}：{en}"), en)));
    Box::new(refusal.into_response())
}

/// The signed-in principal, or 401: taken before the body is read, so an anonymous caller
/// learns nothing about the shape of what it sent.
#[derive(Debug, Clone)]
pub struct SignedIn(pub crate::authz::Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, WebError> {
        let ctx = crate::security::RequestCtx::from_request_parts(parts, state).await?;
        ctx.require().cloned().map(SignedIn)
    }
}

/// A JSON request body (see [`decode`]).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !json {
            return Err(Problem::unsupported_media_type().into_rejection());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| e.into_response())?;
        decode(&bytes).map(ApiJson).map_err(|e| *e)
    }
}
