//! 资格核验 — `/verify`: a person checks whether a unit held a validly named base on a date, by
//! the unit's name (a list of matching units to choose from) or its USCC, and sees or saves the
//! signed statement. The same answer, limit and audit as `GET /api/v1/verify`
//! ([`crate::verification`]); this module only reads the form and renders.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use guohe_app::verification::UnitMatch;
use serde::Deserialize;

use crate::AppState;
use crate::api::verify::parse_on;
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::verification::{self, Answer};
use crate::view::{Chrome, render};

/// Most units listed for a name search.
const MAX_MATCHES: usize = 50;

/// The form, as query parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VerifyQuery {
    /// The unit's name (or part of it) or its USCC.
    pub q: String,
    /// A USCC chosen from the list.
    pub uscc: String,
    /// The date, `YYYY-MM-DD` (default today).
    pub on: String,
}

/// The page.
#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyTpl {
    /// Layout.
    pub c: Chrome,
    /// What was typed.
    pub q: String,
    /// The date as typed.
    pub on: String,
    /// The date once read, for the links of the unit list (empty: today).
    pub on_link: String,
    /// The business date (the latest date that can be asked about).
    pub today: String,
    /// Problems with the form.
    pub errors: Vec<FieldError>,
    /// A name search was made.
    pub searched: bool,
    /// Units whose name matched.
    pub matches: Vec<UnitMatch>,
    /// The answer.
    pub answer: Option<Answer>,
    /// A link to the same answer as a JSON file.
    pub download: String,
    /// Told to wait (rate limit), in seconds.
    pub wait: Option<u64>,
}

/// Whether what was typed is meant as a USCC rather than a name: 18 letters and digits.
fn looks_like_uscc(q: &str) -> bool {
    q.chars().count() == 18 && q.chars().all(|c| c.is_ascii_alphanumeric())
}

fn encode(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// `GET /verify` — the form; with `q` a name search or an answer; with `uscc` an answer.
pub async fn page(ctx: RequestCtx, State(state): State<AppState>, Query(f): Query<VerifyQuery>) -> WebResult<Response> {
    let q = f.q.trim().chars().take(100).collect::<String>();
    let uscc = if f.uscc.trim().is_empty() && looks_like_uscc(&q) {
        q.clone()
    } else {
        f.uscc.trim().chars().take(100).collect()
    };
    let on_text = f.on.trim().to_string();
    let mut t = VerifyTpl {
        c: ctx.chrome("/verify"),
        q: if q.is_empty() { uscc.clone() } else { q.clone() },
        on: on_text.clone(),
        on_link: String::new(),
        today: state.today().to_string(),
        errors: Vec::new(),
        searched: false,
        matches: Vec::new(),
        answer: None,
        download: String::new(),
        wait: None,
    };
    if q.is_empty() && uscc.is_empty() {
        return render(&t);
    }
    if let Some(secs) = verification::limit(&state, &ctx.client.ip).await? {
        t.wait = Some(secs);
        let mut resp = render(&t)?;
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        resp.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Ok(resp);
    }
    let on = match parse_on((!on_text.is_empty()).then_some(on_text.as_str())) {
        Ok(on) => on,
        Err(e) => return refused(t, e),
    };
    t.on_link = on.map(|d| d.to_string()).unwrap_or_default();
    if uscc.is_empty() {
        t.searched = true;
        t.matches = state.guohe.search_units(&q, MAX_MATCHES).await;
        return render(&t);
    }
    match verification::answer(&state, &ctx.audit_actor(), "page", &uscc, on).await {
        Ok(a) => {
            t.download = format!(
                "/api/v1/verify?uscc={}&on={}&download=1",
                encode(&a.answer.uscc),
                a.answer.on
            );
            t.answer = Some(a);
            render(&t)
        }
        Err(e) => refused(t, e),
    }
}

/// The form again with the field errors, 400; anything else is the usual error page.
fn refused(mut t: VerifyTpl, e: WebError) -> WebResult<Response> {
    match e {
        WebError::BadRequest { fields, .. } => {
            t.errors = fields;
            let mut resp = render(&t)?;
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            Ok(resp)
        }
        other => Ok(other.into_response()),
    }
}
