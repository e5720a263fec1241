//! 依托单位 — the support unit's work area: application drafts kept in the database with the
//! live eligibility check beside the form, PDF attachments, submission, the progress of each
//! application with its articles, and each base's status, grades, deadlines, annual reports
//! and major-change filings. Every handler asks [`authz`] first; a unit only ever reaches its
//! own drafts (queries are scoped by its USCC), applications and bases.
//!
//! This module holds the home and what the topics share; the drafts, the draft form, the
//! applications and the bases have their own modules, re-exported here under `unit::`. What the
//! pages show of the world comes from [`guohe_app::unit_desk`], each query scoped to the unit and
//! given the same [`authz`] check as its predicate; the pages add the labels.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::unit_desk::{NextDue, OpenRound};
use guohe_policy::PolicySet;
use guohe_store::drafts::DraftStore;

use super::work;
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

pub use super::unit_applications::{UnitAppTpl, application, withdraw};
pub use super::unit_bases::{UnitBaseTpl, annual_report, base, change_status, file_change};
pub use super::unit_draft_form::{CheckItem, CheckPanel, DraftTpl, PanelTpl, check_form, facts_json, from_facts};
pub use super::unit_drafts::{check_panel, create_draft, delete_file, download, draft, save_draft, upload};

/// Attachment kinds offered on the form: (code, zh, en). `management_systems` is the evidence
/// the policies' attested rules ask for.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("management_systems", "管理制度", "Management systems"),
    ("cooperation_agreement", "合作协议", "Cooperation agreement"),
    ("business_licence", "营业执照/法人证书", "Business licence"),
    ("financial_statements", "财务报表", "Financial statements"),
    ("project_documents", "项目证明材料", "Project documents"),
    ("other", "其他材料", "Other"),
];

/// An attachment kind's label.
pub fn kind_label(code: &str, l: Lang) -> String {
    KINDS
        .iter()
        .find(|k| k.0 == code)
        .map(|k| l.t(k.1, k.2).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub(super) fn unit_of(ctx: &RequestCtx) -> WebResult<(Principal, String)> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::SupportUnit)?;
    authz::may(&p, Action::SubmitAsUnit)?;
    let org = p
        .org
        .clone()
        .filter(|o| !o.trim().is_empty())
        .ok_or_else(|| WebError::Forbidden {
            zh: "您的账号未关联依托单位。".into(),
            en: "Your account is not linked to a support unit.".into(),
        })?;
    Ok((p, org))
}

pub(super) fn drafts(state: &AppState) -> DraftStore {
    state.guohe.drafts()
}

// ---------- home ----------

/// A row of the unit's applications.
#[derive(Debug, Clone)]
pub struct MyApp {
    /// Id.
    pub id: String,
    /// Round title.
    pub round: String,
    /// Domain.
    pub domain: String,
    /// Stage code.
    pub stage_code: String,
    /// Stage label.
    pub stage: String,
    /// Submitted on.
    pub submitted_on: NaiveDate,
}

/// A base of the unit with what is due next.
#[derive(Debug, Clone)]
pub struct MyBase {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// What is due next.
    pub next: String,
    /// What its latest evaluation grade brings (Hunan 第十五条, Hubei 第二十五条) and its
    /// post-subsidies, in one line.
    pub support: String,
}

/// A draft in the list.
#[derive(Debug, Clone)]
pub struct MyDraft {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Saved.
    pub updated: String,
}

/// The unit's home.
#[derive(Template)]
#[template(path = "unit_home.html")]
pub struct UnitHomeTpl {
    /// Layout.
    pub c: Chrome,
    /// Applications.
    pub apps: Vec<MyApp>,
    /// Bases.
    pub bases: Vec<MyBase>,
    /// Drafts.
    pub drafts: Vec<MyDraft>,
    /// Open rounds: (id, title).
    pub rounds: Vec<(String, String)>,
}

/// The rounds of the unit's province open for applications today.
pub async fn open_rounds(state: &AppState, p: &Principal) -> Vec<OpenRound> {
    state
        .guohe
        .open_rounds(state.today(), |policy| p.works_under(policy))
        .await
}

/// What a base must file next, in words: the annual report on a year and its deadline, citing
/// the article while last year's report is still missing.
pub fn next_due_label(next: Option<&NextDue>, policies: &PolicySet, l: Lang) -> String {
    let Some(n) = next else { return String::new() };
    let (year, due) = (n.year, n.due_on);
    if n.outstanding {
        let cite = policies
            .get(&n.policy)
            .map(|p| p.cite_zh(n.article))
            .unwrap_or_default();
        return l.pick(
            format!("{year}年度报告，{due}前报送（{cite}）"),
            format!("annual report {year}, due {due} (art. {})", n.article),
        );
    }
    l.pick(
        format!("{year}年度报告，{due}前报送"),
        format!("annual report {year}, due {due}"),
    )
}

/// `GET /unit` — the unit's applications, drafts and bases.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let today = state.today();
    let home = state
        .guohe
        .unit_home(
            &org,
            today,
            |a| authz::can_view_application(&p, a).is_ok(),
            |w, b| authz::can_view_base(&p, w, b).is_ok(),
        )
        .await;
    let policies = state.guohe.policies();
    let apps = home
        .applications
        .into_iter()
        .map(|a| {
            let (code, label) = work::stage(a.status, l);
            MyApp {
                id: a.id,
                round: a.round_title,
                domain: a.domain,
                stage_code: code.into(),
                stage: label,
                submitted_on: a.submitted_on,
            }
        })
        .collect();
    let bases = home
        .bases
        .into_iter()
        .map(|b| MyBase {
            status_code: view::status_code(b.status).into(),
            status: view::status_label(b.status, l),
            next: next_due_label(b.next.as_ref(), policies, l),
            support: crate::pages::subsidies::support_from(
                &b.policy,
                b.latest_evaluation.as_ref(),
                &b.post_subsidies,
                policies,
                l,
            )
            .summary(),
            id: b.id,
            name: b.name,
        })
        .collect();
    let drafts = drafts(&state)
        .list(&org)
        .await?
        .into_iter()
        .map(|d| MyDraft {
            id: d.id,
            title: d.title,
            updated: d
                .updated_at
                .with_timezone(
                    &chrono::FixedOffset::east_opt(8 * 3600)
                        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("utc")),
                )
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        })
        .collect();
    let rounds = open_rounds(&state, &p)
        .await
        .into_iter()
        .map(|r| (r.id, r.title))
        .collect();
    view::render(&UnitHomeTpl {
        c: ctx.chrome("/unit"),
        apps,
        bases,
        drafts,
        rounds,
    })
}
