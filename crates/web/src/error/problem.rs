//! Problem details (RFC 9457) for the JSON API: the same errors as the pages', as
//! `application/problem+json`, each refusal naming its field.

use super::*;

/// Where `type` URIs of problems start; the code follows. Tag URIs (RFC 4151) name a kind of
/// problem without promising a page behind it; `docs/api.md` lists the codes.
pub const PROBLEM_TYPE_PREFIX: &str = "tag:guohe,2026:problem/";

/// Media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A field at fault, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// JSON path of the field (`facts.unit.uscc`) or query parameter name.
    pub field: String,
    /// What is wrong, in Chinese.
    pub detail: String,
    /// What is wrong, in English.
    pub detail_en: String,
}

/// RFC 9457 problem details, Chinese first with English beside: `title`/`detail` are Chinese,
/// `title_en`/`detail_en` English. `field` names the input at fault and `article` the article of
/// the regulation that refused (machine form `hubei-2022:28.1`); both are `null` when not
/// applicable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `tag:guohe,2026:problem/<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem, in Chinese.
    pub title: String,
    /// The summary in English.
    pub title_en: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened, in Chinese.
    pub detail: String,
    /// What happened, in English.
    pub detail_en: String,
    /// Stable machine code (`wrong_state`, `forbidden`, `invalid_input`, …).
    pub code: String,
    /// The field at fault, if any.
    pub field: Option<String>,
    /// The article that refused, if any.
    pub article: Option<String>,
    /// Every field at fault, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Reference of an internal error, to quote to support (the details are in the log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

/// Whether a request path belongs to the JSON API (problem details instead of pages).
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
}

fn status_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("请求有误", "Bad request"),
        401 => ("需要登录", "Sign-in required"),
        403 => ("无权操作", "Forbidden"),
        404 => ("记录不存在", "Not found"),
        405 => ("不支持该方法", "Method not allowed"),
        409 => ("操作冲突", "Conflict"),
        413 => ("内容过大", "Content too large"),
        415 => ("内容类型不受支持", "Unsupported media type"),
        429 => ("请求过于频繁", "Too many requests"),
        422 => ("提交的内容无法受理", "Unprocessable content"),
        428 => ("需要确认", "Confirmation required"),
        503 => ("服务暂不可用", "Service unavailable"),
        _ => ("系统错误", "Internal error"),
    }
}

/// The API status of a domain refusal: input the rules cannot accept is 422, a refusal by role
/// 403, a missing record 404, and every rule or state refusal 409.
pub fn refusal_api_status(r: &Refusal) -> StatusCode {
    match r.code {
        RefusalCode::InvalidInput | RefusalCode::NotAllowed => StatusCode::UNPROCESSABLE_ENTITY,
        RefusalCode::NotFound => StatusCode::NOT_FOUND,
        RefusalCode::Forbidden | RefusalCode::ConflictOfInterest => StatusCode::FORBIDDEN,
        _ => StatusCode::CONFLICT,
    }
}

impl Problem {
    /// A problem with the standard title of its status.
    pub fn new(status: StatusCode, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Problem {
        let (title, title_en) = status_title(status);
        Problem {
            kind: format!("{PROBLEM_TYPE_PREFIX}{code}"),
            title: title.into(),
            title_en: title_en.into(),
            status: status.as_u16(),
            detail: zh.into(),
            detail_en: en.into(),
            code: code.into(),
            field: None,
            article: None,
            errors: Vec::new(),
            instance: None,
            incident: None,
        }
    }

    /// A bare error status from the framework (unknown method, wrong content type …), whose
    /// own text may echo parser internals and is never passed on.
    pub fn from_status(status: StatusCode) -> Problem {
        match status.as_u16() {
            404 => WebError::NotFound.problem(),
            405 => Problem::new(
                status,
                "method_not_allowed",
                "该地址不支持此请求方法。",
                "This address does not support the request method.",
            ),
            413 => WebError::TooLarge.problem(),
            415 => Problem::new(
                status,
                "unsupported_media_type",
                "请以 application/json 提交。",
                "Send the body as application/json.",
            ),
            s if (400..500).contains(&s) => {
                Problem::new(status, "bad_request", "请求格式不正确。", "The request was malformed.")
            }
            _ => WebError::Internal(String::new()).problem(),
        }
    }

    /// 401 for a failed API sign-in: the same words whatever the reason, as on the sign-in page.
    pub fn login_failed() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "用户名、口令或动态口令错误。多次错误后须等待一段时间才能再试。",
            "Wrong login, password or one-time code. After repeated failures you must wait before trying again.",
        )
    }

    /// 429 for a sign-in attempted before the wait after earlier failures was over; it was not
    /// checked.
    pub fn login_throttled(retry_after_secs: u64) -> Problem {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_throttled",
            format!("尝试过于频繁，请{retry_after_secs}秒后再试。"),
            format!("Too many failed attempts; try again in {retry_after_secs} seconds."),
        )
    }

    /// 400 for a body that is not JSON at all; `field` is where the parser was when it gave up.
    pub fn malformed_json(field: Option<String>, line: usize, column: usize) -> Problem {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("JSON 格式错误（第{line}行第{column}列）。"),
            format!("The body is not valid JSON (line {line}, column {column})."),
        );
        p.field = field;
        p
    }

    /// 422 naming every field at fault (the first also in `field`).
    pub fn invalid_fields(fields: &[FieldError]) -> Problem {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            fields.first().map(|f| f.zh.clone()).unwrap_or_default(),
            fields.first().map(|f| f.en.clone()).unwrap_or_default(),
        )
        .with_fields(fields);
        if fields.len() > 1 {
            p.detail = format!("{}（另有{}处须修改）", p.detail, fields.len() - 1);
            p.detail_en = format!("{} ({} more fields need correcting)", p.detail_en, fields.len() - 1);
        }
        p
    }

    /// 415 for a body that is not `application/json`.
    pub fn unsupported_media_type() -> Problem {
        Problem::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
    }

    /// A bare response carrying the problem, for extractors and handlers: the request frame
    /// writes the body, so every problem leaves through the same door.
    pub fn into_rejection(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = status.into_response();
        resp.extensions_mut().insert(self);
        resp
    }

    fn with_fields(mut self, fields: &[FieldError]) -> Problem {
        self.field = fields.first().map(|f| f.field.clone());
        self.errors = fields
            .iter()
            .map(|f| ProblemField {
                field: f.field.clone(),
                detail: f.zh.clone(),
                detail_en: f.en.clone(),
            })
            .collect();
        self
    }

    /// The response: `application/problem+json` with the problem's status.
    pub fn into_response_with(self, instance: Option<&str>) -> Response {
        let mut p = self;
        if p.instance.is_none() {
            p.instance = instance.map(|i| i.split('?').next().unwrap_or(i).to_string());
        }
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&p).unwrap_or_default();
        let mut resp = (status, body).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(PROBLEM_JSON));
        resp
    }
}

impl WebError {
    /// The problem details an API client receives for this error.
    pub fn problem(&self) -> Problem {
        match self {
            WebError::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "您要找的记录不存在。",
                "The record you asked for does not exist.",
            ),
            WebError::Unauthenticated { expired, .. } => {
                let (zh, en) = if *expired {
                    ("会话已超时，请重新登录。", "The session expired; sign in again.")
                } else {
                    ("请先登录。", "Sign in first.")
                };
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", zh, en)
            }
            WebError::Forbidden { zh, en } => Problem::new(StatusCode::FORBIDDEN, "forbidden", zh, en),
            WebError::PasswordChangeRequired => Problem::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "须先修改口令（首次登录或口令已过期），之后才能办理其他事项。",
                "Change the password first (first sign-in, or it has expired); nothing else is allowed until then.",
            ),
            WebError::Csrf(why) => Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "请求来源校验失败：写操作须在 X-CSRF-Token 请求头中携带会话的令牌，本次操作未执行。",
                format!(
                    "The request failed the origin check ({why}); send the session's token in the X-CSRF-Token header. Nothing was done."
                ),
            ),
            WebError::Conflict { zh, en } => Problem::new(StatusCode::CONFLICT, "conflict", zh, en),
            WebError::BadRequest { zh, en, fields } => {
                Problem::new(StatusCode::BAD_REQUEST, "bad_request", zh, en).with_fields(fields)
            }
            WebError::TooLarge => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "提交的内容过大。",
                "The request body is too large.",
            ),
            WebError::ConfirmationRequired { command } => {
                let zh = format!(
                    "“{command}”是不可撤销的操作，本次未执行。请核对后在请求体中加入 \"confirm\": true 再提交。"
                );
                let en = format!(
                    "{command} cannot be undone, so nothing was done. Check it, then send it again with \"confirm\": true in the body."
                );
                let mut p = Problem::new(
                    StatusCode::PRECONDITION_REQUIRED,
                    "confirmation_required",
                    zh.clone(),
                    en.clone(),
                );
                p.field = Some("confirm".into());
                p.errors = vec![ProblemField {
                    field: "confirm".into(),
                    detail: zh,
                    detail_en: en,
                }];
                p
            }
            WebError::App(AppError::Refused(r)) => {
                let (zh, en) = WebError::refusal_text(r);
                let mut p = Problem::new(refusal_api_status(r), r.code.as_str(), zh, en);
                p.field = r.field.clone();
                p.article = r.citation.as_ref().map(|c| c.to_string());
                if let Some(f) = &r.field {
                    p.errors = vec![ProblemField {
                        field: f.clone(),
                        detail: r.message_zh.clone(),
                        detail_en: r.message_en.clone(),
                    }];
                }
                p
            }
            WebError::App(AppError::Conflict { .. }) => Problem::new(
                StatusCode::CONFLICT,
                "concurrent_modification",
                "该案件刚被他人修改，本次操作未保存；请重新读取后再试。",
                "Someone else changed this case first; nothing was saved. Read it again and retry.",
            ),
            WebError::App(_) | WebError::Store(_) | WebError::Internal(_) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "系统内部错误，本次操作未完成。请稍后重试；如问题持续，请将参考编号告知管理员。",
                "Internal error; the operation did not complete. Try again later, or quote the reference to the administrator.",
            ),
        }
    }
}

/// Turns any error response under `/api/` into problem details: the [`Problem`] a [`WebError`]
/// attached, or one made from a bare framework status. Successful responses pass unchanged.
pub fn into_problem(resp: Response, instance: &str) -> Response {
    let status = resp.status();
    let already = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let problem = match resp.extensions().get::<Problem>().cloned() {
        Some(p) => p,
        None if already || !(status.is_client_error() || status.is_server_error()) => return resp,
        None => Problem::from_status(status),
    };
    let (parts, _) = resp.into_parts();
    let mut out = problem.into_response_with(Some(instance));
    // Cookies set on the way (a fresh anonymous CSRF token, an ended session) still count, and
    // so does the wait a throttled client is told.
    for c in parts.headers.get_all(header::SET_COOKIE) {
        out.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    if let Some(v) = parts.headers.get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    // A 405 says which methods the resource does answer (RFC 9110 §15.5.6).
    if let Some(v) = parts.headers.get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, v.clone());
    }
    out
}
