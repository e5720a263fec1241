//! 指令 — any domain command, executed as the signed-in principal. Authorization first
//! ([`crate::authz::may_command`]: the role's action, then whose record it is), then the
//! regulation ([`guohe_app::Guohe::execute`]). A refusal of permission is 403 and audited like a
//! page refusal; the domain's refusals are 409 (state or rules, with the article) or 422 (input,
//! with the field); a concurrent change of the same case is 409 `concurrent_modification`.

use std::borrow::Cow;

use super::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::Outcome;
use guohe_domain::{Actor, Command};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

use super::{ApiJson, SignedIn, decode_value, invalid};
use crate::AppState;
use crate::authz::{self, Principal};
use crate::error::{Problem, WebError, WebResult};

/// One event recorded on the hash chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventOut {
    /// Global sequence number.
    pub seq: i64,
    /// The case (`application/HN-2026-201`, `base/HB-2023-01`, …).
    pub stream: String,
    /// Version within the case.
    pub stream_version: i64,
    /// Event kind.
    pub kind: String,
    /// Who.
    pub actor: String,
    /// Business date.
    pub occurred_on: NaiveDate,
    /// Articles applied, machine form.
    pub articles: Vec<String>,
    /// SM3 hash of this record.
    pub hash: String,
    /// SM3 hash of the record before it.
    pub prev_hash: String,
}

impl EventOut {
    /// From a stored record.
    pub fn of(e: &guohe_store::StoredEvent) -> EventOut {
        EventOut {
            seq: e.seq,
            stream: e.stream.clone(),
            stream_version: e.stream_version,
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            occurred_on: e.occurred_on,
            articles: e.articles.clone(),
            hash: e.hash.clone(),
            prev_hash: e.prev_hash.clone(),
        }
    }

    /// The records of an outcome.
    pub fn all(o: &Outcome) -> Vec<EventOut> {
        o.stored.iter().map(EventOut::of).collect()
    }
}

/// What a command caused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommandResult {
    /// The command's type.
    pub command: String,
    /// The events recorded (none when nothing was due).
    pub events: Vec<EventOut>,
}

/// The JSON form of a domain command, for the OpenAPI document.
pub struct CommandJson;

impl PartialSchema for CommandJson {
    fn schema() -> RefOr<Schema> {
        super::command_schema::one_of().into()
    }
}

impl ToSchema for CommandJson {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Command")
    }
}

/// A command as the API received it: the command, and whether the caller confirmed an
/// irreversible step (`"confirm": true`, beside `type`).
#[derive(Debug)]
pub struct Received {
    /// The command.
    pub command: Command,
    /// `"confirm": true` was sent.
    pub confirmed: bool,
}

/// Reads a command and its `confirm` flag, naming the field at fault (`type`, `confirm`, or a
/// field of the command).
pub fn receive_command(mut v: Value) -> Result<Received, Box<Response>> {
    let confirmed = match v.as_object_mut().and_then(|o| o.remove("confirm")) {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err(Box::new(
                invalid(
                    "confirm",
                    "confirm 须为 true 或 false",
                    "`confirm` must be true or false",
                )
                .into_response(),
            ));
        }
    };
    decode_command(v).map(|command| Received { command, confirmed })
}

/// Reads a command, naming the field at fault (`type`, or a field of the command).
pub fn decode_command(mut v: Value) -> Result<Command, Box<Response>> {
    let Some(obj) = v.as_object_mut() else {
        return Err(Box::new(
            invalid("body", "指令须为 JSON 对象", "a command is a JSON object").into_response(),
        ));
    };
    let tag = match obj.remove("type") {
        Some(Value::String(s)) => s,
        _ => {
            return Err(Box::new(
                invalid(
                    "type",
                    format!("缺少指令类型 type，须为 {} 之一", Command::NAMES.join("、")),
                    format!("`type` is missing; one of {}", Command::NAMES.join(", ")),
                )
                .into_response(),
            ));
        }
    };
    macro_rules! dispatch {
        ($($variant:ident),* $(,)?) => {
            match tag.as_str() {
                $( stringify!($variant) => decode_value::<guohe_domain::$variant>(v, "").map(Command::$variant), )*
                _ => Err(Box::new(invalid(
                    "type",
                    format!("未知指令类型“{tag}”"),
                    format!("unknown command type `{tag}`; one of {}", Command::NAMES.join(", ")),
                ).into_response())),
            }
        };
    }
    dispatch!(
        OpenRound,
        CloseRound,
        SubmitApplication,
        ResubmitApplication,
        WithdrawApplication,
        ReturnApplication,
        RecommendApplication,
        AssignExpert,
        DeclareConflict,
        SubmitReview,
        RecordSiteInspection,
        Decide,
        StartPublicNotice,
        LodgeObjection,
        ResolveObjection,
        Name,
        SubmitAnnualReport,
        RecordAnnualAssessment,
        RecordEvaluation,
        RecordReEvaluation,
        RecordFinding,
        FileMajorChange,
        ApproveMajorChange,
        RejectMajorChange,
        CarryOverBase,
        Reclassify,
        DrawInspections,
        RecordInspectionResult,
        DrawExpertPanel,
        DeclinePanelSeat,
        AwardPostSubsidies,
        RecommendToNational,
        RecordNationalOutcome,
        IssueDocument,
    )
}

/// Runs a command for an actor on the business date.
pub async fn run(state: &AppState, actor: &Actor, cmd: Command) -> WebResult<Outcome> {
    Ok(state.guohe.execute(actor, state.today(), cmd).await?)
}

/// Authorizes a command for the principal ([`authz::may_command`]), then runs it as them.
pub async fn run_as(state: &AppState, p: &Principal, cmd: Command) -> WebResult<Outcome> {
    authz::authorize(state, p, &cmd).await?;
    run(state, &p.actor(), cmd).await
}

/// Executes any domain command as the signed-in principal.
#[utoipa::path(
    post,
    path = "/commands",
    tag = "commands",
    operation_id = "execute_command",
    request_body(content = CommandJson, description = "Any domain command, `{\"type\": \"…\", …}`"),
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Done; the events recorded", body = CommandResult),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not this principal's record or role (audited), or the CSRF header is missing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The record does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the regulation or the state of the case (`article` cites it), or changed concurrently", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "An irreversible command without `\"confirm\": true`; nothing was done", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn execute(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Value>,
) -> WebResult<Response> {
    let Received {
        command: mut cmd,
        confirmed,
    } = match receive_command(body) {
        Ok(c) => c,
        Err(resp) => return Ok(*resp),
    };
    let command = cmd.name().to_string();
    // Whose record it is comes first, so a stranger learns nothing from being asked to confirm.
    authz::authorize(&state, &p, &cmd).await?;
    fill_or_check_pool(&state, &p, &mut cmd).await?;
    if cmd.is_irreversible() && !confirmed {
        return Err(WebError::ConfirmationRequired { command: cmd.name() });
    }
    let outcome = run(&state, &p.actor(), cmd).await?;
    Ok(Json(CommandResult {
        command,
        events: EventOut::all(&outcome),
    })
    .into_response())
}

/// The active expert accounts of the principal's province, with their units: the pool of a
/// draw (双随机、一公开) when the caller gives none.
pub async fn expert_pool(state: &AppState, p: &Principal) -> WebResult<Vec<guohe_domain::PoolExpert>> {
    Ok(guohe_app::expert_pool::inspection_pool(
        &state.accounts.experts_of_province(&p.province).await?,
        &p.province,
    ))
}

/// The active expert accounts of the principal's province with their units and domains: the
/// pool of a review panel draw when the caller gives none.
pub async fn panel_pool(state: &AppState, p: &Principal) -> WebResult<Vec<guohe_domain::PanelExpert>> {
    Ok(guohe_app::expert_pool::panel_pool(
        &state.accounts.experts_of_province(&p.province).await?,
        &p.province,
    ))
}

/// A draw without a pool takes the province's expert accounts; a pool given must name active
/// expert accounts of the province with the units on their accounts, or the draw is refused
/// (422, `pool[i].id`) naming every expert at fault.
pub async fn fill_or_check_pool(state: &AppState, p: &Principal, cmd: &mut Command) -> WebResult<()> {
    let given: Vec<(String, String)> = match cmd {
        Command::DrawInspections(d) if d.pool.is_empty() => {
            d.pool = expert_pool(state, p).await?;
            return Ok(());
        }
        Command::DrawExpertPanel(d) if d.pool.is_empty() => {
            d.pool = panel_pool(state, p).await?;
            return Ok(());
        }
        Command::DrawInspections(d) => d.pool.iter().map(|e| (e.id.clone(), e.unit_uscc.clone())).collect(),
        Command::DrawExpertPanel(d) => d.pool.iter().map(|e| (e.id.clone(), e.unit_uscc.clone())).collect(),
        _ => return Ok(()),
    };
    // The accounts the pool names, whoever they are: the check says why each does not belong.
    let accounts = state
        .accounts
        .accounts_named(given.iter().map(|(id, _)| id.trim()))
        .await?;
    let problems = guohe_app::expert_pool::check_pool(
        &accounts,
        &p.province,
        given.iter().map(|(a, b)| (a.as_str(), b.as_str())),
    );
    match problems.first() {
        None => Ok(()),
        Some(first) => {
            let (zh, en) = guohe_app::expert_pool::describe(&problems);
            Err(super::invalid(&format!("pool[{}].id", first.index), zh, en))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_type_is_read() {
        for name in Command::NAMES {
            let err = decode_command(serde_json::json!({ "type": name })).err();
            // An empty command fails on a missing field of its own, never on an unknown type.
            if let Some(resp) = err {
                let p = resp.extensions().get::<Problem>().cloned().expect("a problem");
                assert_ne!(p.field.as_deref(), Some("type"), "{name} is not dispatched");
            }
        }
    }
}
