//! 办法对比 — `/policies/compare?a=…&b=…`: two regulations side by side by topic, each line with
//! its articles, identical lines folded. Public, like the regulations themselves; the logic is
//! `guohe_policy::diff`, this module only renders it.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use guohe_policy::diff::{PolicyDiff, diff};
use serde::Deserialize;

use crate::AppState;
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{Chrome, render};

/// The two policies to compare, as query parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    /// The first policy id.
    pub a: String,
    /// The second policy id.
    pub b: String,
}

/// The compare page.
#[derive(Template)]
#[template(path = "policy_compare.html")]
pub struct CompareTpl {
    /// Layout.
    pub c: Chrome,
    /// (id, label) of every policy, for the two selects.
    pub choices: Vec<(String, String)>,
    /// The chosen ids.
    pub a: String,
    /// The chosen ids.
    pub b: String,
    /// The comparison, once both are chosen.
    pub diff: Option<PolicyDiff>,
}

/// `GET /policies/compare` — without parameters the form; with `a` and `b` the comparison.
pub async fn compare(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> WebResult<Response> {
    let set = state.guohe.policies();
    let choices: Vec<(String, String)> = set
        .all()
        .iter()
        .map(|p| (p.id.clone(), format!("{}（{}）", p.title, p.document_number)))
        .collect();
    let (a, b) = (q.a.trim().to_string(), q.b.trim().to_string());
    let mut fields = Vec::new();
    for (name, id) in [("a", &a), ("b", &b)] {
        if !id.is_empty() && set.get(id).is_none() {
            fields.push(FieldError::new(
                name,
                format!("未知的办法“{id}”；可选：{}", set.ids().join("、")),
                format!("unknown policy `{id}`; known: {}", set.ids().join(", ")),
            ));
        }
    }
    if a.is_empty() != b.is_empty() {
        let missing = if a.is_empty() { "a" } else { "b" };
        fields.push(FieldError::new(missing, "请选择两项办法", "choose both policies"));
    }
    if !fields.is_empty() {
        return Err(WebError::BadRequest {
            zh: "对比参数有误".into(),
            en: "the comparison's parameters are wrong".into(),
            fields,
        });
    }
    let diff = match (set.get(&a), set.get(&b)) {
        (Some(pa), Some(pb)) => Some(diff(pa, pb)),
        _ => None,
    };
    render(&CompareTpl {
        c: ctx.chrome("/policies/compare"),
        choices,
        a,
        b,
        diff,
    })
}
