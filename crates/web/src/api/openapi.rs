//! The OpenAPI 3.1 document: the routes describe themselves (`#[utoipa::path]`); this adds what
//! belongs to the whole API — title, tags, the two security schemes (session cookie and CSRF
//! header) and problem details as the default response of every operation — and serves it.

use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::RefOr;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{Ref, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use crate::error::{PROBLEM_JSON, Problem, ProblemField};

/// The document's fixed part.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "国合 Guohe API",
        version = "1.0.0",
        description = "省级国际科技合作基地管理系统的 JSON 接口。The JSON API of Guohe, the system a provincial Department of Science and Technology uses to run provincial international S&T cooperation bases. Sign in with `POST /api/v1/session`; send the returned `csrf_token` as `X-CSRF-Token` on every POST and DELETE. Errors are RFC 9457 problem details (`application/problem+json`) in Chinese (`detail`) and English (`detail_en`), naming the `field` at fault and the `article` of the regulation that refused. See docs/api.md."
    ),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "session", description = "登录与会话 — sign-in, sign-out, who am I"),
        (name = "register", description = "基地名录 — the public register of bases"),
        (name = "notices", description = "公示 — public notices and real-name objections"),
        (name = "policies", description = "管理办法 — the regulations, their articles and rules"),
        (name = "applications", description = "申报 — applications, eligibility and history"),
        (name = "subsidies", description = "后补助 — post-subsidies for bases graded excellent"),
        (name = "draws", description = "双随机、一公开 — published random draws and their records"),
        (name = "commands", description = "指令 — every action of the procedure"),
        (name = "national", description = "推荐申报国家级基地 — the candidate list and the recommendations made"),
        (name = "audit", description = "审计 — the tamper-evident audit trail"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

/// The fixed part, before the routes are added.
pub fn base_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Security schemes, and problem details as every operation's `default` response.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "guohe_sid",
            "The server-side session set by POST /api/v1/session (named __Host-guohe_sid when served over TLS); it ends after 30 minutes without use.",
        ))),
    );
    components.add_security_scheme(
        "csrf",
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The session's CSRF token (csrf_token from GET or POST /api/v1/session); required on every POST and DELETE, signed in or not.",
        ))),
    );
    let problem = ResponseBuilder::new()
        .description("Problem details (RFC 9457): type, title, status, detail (中文), detail_en, code, field, article.")
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    super::command_schema::add_to(components);
    for (path, item) in doc.paths.paths.iter_mut() {
        // The verification service reads its two parameters by its own rules (docs/verification.md).
        let own_reader = path.starts_with("/api/v1/verify");
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            op.responses
                .responses
                .entry("default".to_string())
                .or_insert_with(|| problem.clone().into());
            for param in op.parameters.iter_mut().flatten() {
                if let RefOr::T(param) = param
                    && param.parameter_in == ParameterIn::Query
                    && let Some(RefOr::T(Schema::Object(o))) = param.schema.as_mut()
                {
                    exact_query_schema(&param.name, o, !own_reader);
                    if let Some(values) = super::closed_values(path, &param.name) {
                        o.enum_values = Some(values.into_iter().map(serde_json::Value::String).collect());
                        o.max_length = None;
                    }
                }
            }
        }
    }
    doc
}

/// A query parameter's schema as [`super::Params`] reads it, so that what the document calls
/// valid is accepted and what it calls invalid is refused: an absent parameter is left out, never
/// `null` (an empty `page=` is refused like any other non-number); whole numbers have the bounds
/// the handlers enforce; text is at most [`super::MAX_PARAM_CHARS`] characters.
fn exact_query_schema(name: &str, o: &mut utoipa::openapi::schema::Object, through_params: bool) {
    if let SchemaType::Array(types) = &o.schema_type {
        let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
        o.schema_type = match types.as_slice() {
            [one] => SchemaType::Type(one.clone()),
            _ => SchemaType::Array(types),
        };
    }
    match &o.schema_type {
        SchemaType::Type(Type::Integer) if through_params => {
            let (lo, hi) = super::number_bounds(name);
            o.minimum = Some(lo.into());
            o.maximum = Some(hi.into());
            o.format = None;
        }
        SchemaType::Type(Type::String) if through_params && o.format.is_none() => {
            o.max_length = Some(super::MAX_PARAM_CHARS);
        }
        // The verification service asks for a 统一社会信用代码: 18 characters of its alphabet
        // (GB 32100); a wrong check character is refused too (400, `uscc`), which no pattern says.
        SchemaType::Type(Type::String) if name == "uscc" => {
            o.min_length = Some(18);
            o.max_length = Some(18);
            o.pattern = Some("^[0-9A-HJ-NPQRTUWXY]{18}$".into());
        }
        _ => {}
    }
}

/// The OpenAPI document as JSON.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = serde_json::Value))
)]
pub async fn document() -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let json = DOC.get_or_init(|| super::openapi().to_pretty_json().unwrap_or_default());
    let mut resp = json.clone().into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// Whether the document declares `method` on the API `path` (a concrete path such as
/// `/api/v1/bases/HN-2026-01`). The request frame asks this before the CSRF check: a method the
/// API does not declare reaches no handler and is answered 405 with `Allow` by the router, not
/// refused as a forged write.
pub fn declares(method: &axum::http::Method, path: &str) -> bool {
    static OPERATIONS: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    let ops = OPERATIONS.get_or_init(|| {
        let doc = super::openapi();
        let mut out = Vec::new();
        for (template, item) in &doc.paths.paths {
            let segments: Vec<String> = template.split('/').map(str::to_string).collect();
            for (m, op) in [
                ("GET", &item.get),
                ("HEAD", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                if op.is_some() {
                    out.push((m.to_string(), segments.clone()));
                }
            }
        }
        out
    });
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    ops.iter().any(|(m, segments)| {
        m == method.as_str()
            && segments.len() == parts.len()
            && segments
                .iter()
                .zip(&parts)
                .all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p)
    })
}
