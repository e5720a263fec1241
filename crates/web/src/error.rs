//! The one place where errors become HTTP statuses.
//!
//! A handler returns [`WebError`]; its [`IntoResponse`] sets the status and attaches an
//! [`ErrorPage`] describing what to tell the user. The request frame
//! ([`crate::security::frame`]) renders that description as a page in the visitor's language
//! and audits permission refusals, so no handler renders its own error page and no database
//! message or stack trace ever reaches a browser.
//!
//! Under `/api/` the same errors become RFC 9457 problem details ([`Problem`],
//! `application/problem+json`): the response carries a [`Problem`] beside the [`ErrorPage`], and
//! the frame sends that instead of a page. API statuses differ from page statuses only where a
//! page has no use for the distinction: 401 instead of a redirect to the sign-in page, and 422
//! for input the rules cannot accept (the problem names the field).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guohe_app::AppError;
use guohe_domain::{Refusal, RefusalCode};
use guohe_store::{AccountError, StoreError};

mod problem;

pub use problem::*;

/// A problem with one form field, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field name as in the form.
    pub field: String,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// 404.
    #[error("not found")]
    NotFound,
    /// Not signed in (or the session expired): redirect to the sign-in page.
    #[error("sign-in required")]
    Unauthenticated {
        /// Where to come back to.
        next: String,
        /// The session ended by idling.
        expired: bool,
    },
    /// 403, with the reason (audited).
    #[error("forbidden: {en}")]
    Forbidden {
        /// Reason in Chinese.
        zh: String,
        /// Reason in English.
        en: String,
    },
    /// 403 for a failed CSRF or origin check (audited).
    #[error("cross-site request refused: {0}")]
    Csrf(&'static str),
    /// 409.
    #[error("conflict: {en}")]
    Conflict {
        /// Chinese.
        zh: String,
        /// English.
        en: String,
    },
    /// 400 with field errors.
    #[error("bad request: {en}")]
    BadRequest {
        /// Chinese summary.
        zh: String,
        /// English summary.
        en: String,
        /// Field errors.
        fields: Vec<FieldError>,
    },
    /// 413.
    #[error("request body too large")]
    TooLarge,
    /// The password was set by an administrator or has expired: nothing but changing it (pages:
    /// a redirect to "my account"; API: 403 `password_change_required`).
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    /// 428: an irreversible command sent without `"confirm": true` (the API's counterpart of the
    /// pages' confirmation step). Nothing was done.
    #[error("confirmation required for {command}")]
    ConfirmationRequired {
        /// The command's type.
        command: &'static str,
    },
    /// The application service failed or refused.
    #[error(transparent)]
    App(#[from] AppError),
    /// The account store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<AccountError> for WebError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Store(s) => WebError::Store(s),
            AccountError::DuplicateLogin(l) => WebError::Conflict {
                zh: format!("用户名“{l}”已被使用"),
                en: format!("the login `{l}` is taken"),
            },
            AccountError::DuplicateOrganisation(o) => WebError::Conflict {
                zh: format!("机构“{o}”已存在"),
                en: format!("organisation `{o}` exists"),
            },
            AccountError::NoSuchAccount(_) => WebError::NotFound,
        }
    }
}

impl From<guohe_app::import_accounts::CreateAccountError> for WebError {
    fn from(e: guohe_app::import_accounts::CreateAccountError) -> Self {
        match e {
            guohe_app::import_accounts::CreateAccountError::Account(e) => e.into(),
            guohe_app::import_accounts::CreateAccountError::App(e) => WebError::App(e),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

/// What the error page says; attached to the response for the request frame to render.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// Status.
    pub status: StatusCode,
    /// Message in Chinese.
    pub zh: String,
    /// Message in English.
    pub en: String,
    /// Field errors.
    pub fields: Vec<FieldError>,
    /// Permission refusals are audited with this reason.
    pub audit: Option<&'static str>,
    /// Reference of an internal error, to quote to support (the details are in the log).
    pub incident: Option<String>,
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthenticated { .. } | WebError::PasswordChangeRequired => StatusCode::SEE_OTHER,
            WebError::Forbidden { .. } | WebError::Csrf(_) => StatusCode::FORBIDDEN,
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::ConfirmationRequired { .. } => StatusCode::PRECONDITION_REQUIRED,
            WebError::App(AppError::Refused(r)) => refusal_status(r),
            WebError::App(AppError::Conflict { .. }) => StatusCode::CONFLICT,
            WebError::App(_) | WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A refusal's messages with its article, for pages.
    pub fn refusal_text(r: &Refusal) -> (String, String) {
        match &r.citation {
            Some(c) => (format!("{}（{}）", r.message_zh, c), format!("{} ({c})", r.message_en)),
            None => (r.message_zh.clone(), r.message_en.clone()),
        }
    }
}

fn refusal_status(r: &Refusal) -> StatusCode {
    match r.code {
        RefusalCode::InvalidInput | RefusalCode::NotAllowed => StatusCode::BAD_REQUEST,
        RefusalCode::NotFound => StatusCode::NOT_FOUND,
        RefusalCode::Forbidden | RefusalCode::ConflictOfInterest => StatusCode::FORBIDDEN,
        _ => StatusCode::CONFLICT,
    }
}

/// A short random reference for an internal error.
fn incident_id() -> String {
    crate::security::random_token()[..12].to_string()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut problem = self.problem();
        let mut page = ErrorPage {
            status,
            zh: String::new(),
            en: String::new(),
            fields: Vec::new(),
            audit: None,
            incident: None,
        };
        match self {
            WebError::Unauthenticated { next, expired } => {
                let mut to = format!("/login?next={}", crate::view::urlencode(&next));
                if expired {
                    to.push_str("&expired=1");
                }
                let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
                resp.extensions_mut().insert(problem);
                return resp;
            }
            WebError::PasswordChangeRequired => {
                let mut resp = (
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, "/account?due=1".to_string())],
                )
                    .into_response();
                resp.extensions_mut().insert(problem);
                return resp;
            }
            WebError::NotFound => {
                page.zh = "您要找的页面或记录不存在。".into();
                page.en = "The page or record you asked for does not exist.".into();
            }
            WebError::Forbidden { zh, en } => {
                page.zh = zh;
                page.en = en;
                page.audit = Some("forbidden");
            }
            WebError::Csrf(why) => {
                page.zh = "请求来源校验失败（可能是跨站请求或页面已过期），本次操作未执行。请刷新页面后重试。".into();
                page.en = format!(
                    "The request failed the origin check ({why}); nothing was done. Reload the page and try again."
                );
                page.audit = Some("csrf");
            }
            WebError::Conflict { zh, en } => {
                page.zh = zh;
                page.en = en;
            }
            WebError::BadRequest { zh, en, fields } => {
                page.zh = zh;
                page.en = en;
                page.fields = fields;
            }
            WebError::TooLarge => {
                page.zh = "提交的内容过大。".into();
                page.en = "The request body is too large.".into();
            }
            WebError::ConfirmationRequired { command } => {
                page.zh = format!("“{command}”是不可撤销的操作，请先确认。");
                page.en = format!("{command} cannot be undone; confirm it first.");
            }
            WebError::App(AppError::Refused(r)) => {
                let (zh, en) = WebError::refusal_text(&r);
                page.zh = zh;
                page.en = en;
                if let Some(f) = &r.field {
                    page.fields
                        .push(FieldError::new(f.clone(), r.message_zh.clone(), r.message_en.clone()));
                }
                if status == StatusCode::FORBIDDEN {
                    page.audit = Some("refused");
                }
            }
            WebError::App(AppError::Conflict { .. }) => {
                page.zh = "该记录刚被他人修改，本次操作未保存；请刷新后重试。".into();
                page.en = "Someone else changed this record first; nothing was saved. Reload and try again.".into();
            }
            other => {
                let incident = incident_id();
                // The full error (with its source chain) goes to the log, never to the page.
                tracing::error!(incident = %incident, error = ?other, "request failed");
                page.zh = "系统内部错误，本次操作未完成。请稍后重试；如问题持续，请将参考编号告知管理员。".into();
                page.en = "Internal error; the operation did not complete. Try again later, or quote the reference to the administrator.".into();
                page.incident = Some(incident);
            }
        }
        problem.incident = page.incident.clone();
        let mut resp = status.into_response();
        resp.extensions_mut().insert(page);
        resp.extensions_mut().insert(problem);
        resp
    }
}

/// The result of a handler.
pub type WebResult<T> = Result<T, WebError>;
