//! 依托单位 — the support unit's work area: application drafts kept in the database with the
//! live eligibility check beside the form, PDF attachments, submission, the progress of each
//! application with its articles, and each base's status, grades, deadlines, annual reports
//! and major-change filings. Every handler asks [`authz`] first; a unit only ever reaches its
//! own drafts (queries are scoped by its USCC), applications and bases.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, Utc};
use guohe_domain::{ApplicationStatus, Base, ChangeStatus};
use guohe_policy::{Application, Policy, Prepared, Status, evaluate};
use guohe_store::drafts::{DraftFile, DraftStore};
use serde_json::{Value, json};

use super::work::{self, Audience, CaseView, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::upload;
use crate::view::{self, Chrome};

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

fn unit_of(ctx: &RequestCtx) -> WebResult<(Principal, String)> {
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

fn drafts(state: &AppState) -> DraftStore {
    DraftStore::new(state.guohe.log())
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

/// The rounds of the unit's province open for applications today: (id, title, policy).
pub async fn open_rounds(state: &AppState, p: &Principal) -> Vec<(String, String, String)> {
    let ids = work::round_ids(&state.guohe, p).await;
    let today = state.today();
    state
        .guohe
        .read(|w, _, _| {
            ids.iter()
                .filter_map(|id| w.round(id))
                .filter(|r| p.works_under(&r.policy))
                .filter(|r| r.closed_on.is_none() && r.opens_on <= today && today <= r.closes_on)
                .map(|r| (r.id.clone(), r.title.clone(), r.policy.clone()))
                .collect()
        })
        .await
}

/// What a base must do next: the annual report (date from the policy) or the next evaluation.
pub fn next_due(b: &Base, policy: Option<&Policy>, today: NaiveDate, l: Lang) -> String {
    let Some(policy) = policy else { return String::new() };
    if !b.status.on_register() {
        return String::new();
    }
    let ar = &policy.lifecycle.annual_report;
    let year = today.year() - 1;
    if b.recognised_on.year() <= year && !b.reports.contains_key(&year) {
        let due = NaiveDate::from_ymd_opt(today.year(), ar.due_month, ar.due_day).unwrap_or(today);
        return l.pick(
            format!("{year}年度报告，{due}前报送（{}）", policy.cite_zh(ar.article)),
            format!("annual report {year}, due {due} (art. {})", ar.article),
        );
    }
    let due = NaiveDate::from_ymd_opt(today.year() + 1, ar.due_month, ar.due_day).unwrap_or(today);
    l.pick(
        format!("{}年度报告，{due}前报送", today.year()),
        format!("annual report {}, due {due}", today.year()),
    )
}

/// `GET /unit` — the unit's applications, drafts and bases.
pub async fn home(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let today = state.today();
    let (apps, bases) = state
        .guohe
        .read(|w, _, policies| {
            let mut apps: Vec<MyApp> = authz::visible_applications(&p, w)
                .into_iter()
                .map(|a| {
                    let (code, label) = work::stage(a.status, l);
                    MyApp {
                        id: a.id.clone(),
                        round: w.round(&a.round).map(|r| r.title.clone()).unwrap_or_default(),
                        domain: a.facts.technology_domain.clone(),
                        stage_code: code.into(),
                        stage: label,
                        submitted_on: a.submitted_on,
                    }
                })
                .collect();
            apps.sort_by(|a, b| b.submitted_on.cmp(&a.submitted_on).then(a.id.cmp(&b.id)));
            let bases = authz::visible_bases(&p, w)
                .into_iter()
                .map(|b| {
                    let s = b.status_on(today).unwrap_or(b.status);
                    MyBase {
                        id: b.id.clone(),
                        name: b.official_name.clone(),
                        status_code: view::status_code(s).into(),
                        status: view::status_label(s, l),
                        next: next_due(b, policies.get(&b.policy), today, l),
                        support: crate::pages::subsidies::base_support(b, policies, l).summary(),
                    }
                })
                .collect();
            (apps, bases)
        })
        .await;
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
        .map(|(id, t, _)| (id, t))
        .collect();
    view::render(&UnitHomeTpl {
        c: ctx.chrome("/unit"),
        apps,
        bases,
        drafts,
        rounds,
    })
}

// ---------- drafts ----------

/// One finding beside the form.
#[derive(Debug, Clone)]
pub struct CheckItem {
    /// Article, e.g. 第六条第（二）项.
    pub article: String,
    /// Article text.
    pub text: String,
    /// Condition.
    pub title: String,
    /// `pass`, `fail`, `review`, `not_applicable`.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Reason.
    pub reason: String,
}

/// The eligibility panel.
#[derive(Debug, Clone, Default)]
pub struct CheckPanel {
    /// Checked at all.
    pub ran: bool,
    /// Verdict label.
    pub verdict: String,
    /// Why it could not be checked.
    pub problem: String,
    /// Findings.
    pub items: Vec<CheckItem>,
    /// Regulation.
    pub policy: String,
}

/// The draft form.
#[derive(Template)]
#[template(path = "unit_draft.html")]
pub struct DraftTpl {
    /// Layout.
    pub c: Chrome,
    /// Draft id.
    pub id: String,
    /// Values.
    pub v: Vals,
    /// Errors and messages.
    pub fb: Feedback,
    /// The check.
    pub check: CheckPanel,
    /// Rounds open: (id, title).
    pub rounds: Vec<(String, String)>,
    /// Categories of the chosen policy: (code, label).
    pub categories: Vec<(String, String)>,
    /// Unit kinds: (code, label).
    pub unit_kinds: Vec<(String, String)>,
    /// Countries: (code, label).
    pub countries: Vec<(String, String)>,
    /// Attachments.
    pub files: Vec<DraftFile>,
    /// Attachment kinds: (code, label).
    pub kinds: Vec<(String, String)>,
    /// Row indexes for repeated groups.
    pub rows: Vec<usize>,
    /// Upload form action (token in the URL, see `security`).
    pub upload_action: String,
    /// On submitting: the conditions the check finds not met, to confirm before submitting.
    pub unmet: Vec<CheckItem>,
}

/// The check panel alone (`POST /unit/drafts/{id}/check`, for the script).
#[derive(Template)]
#[template(path = "unit_check_panel.html")]
pub struct PanelTpl {
    /// Layout (language only).
    pub c: Chrome,
    /// The check.
    pub check: CheckPanel,
}

const MANAGEMENT: &[(&str, &str, &str)] = &[
    ("ip_ownership", "知识产权归属", "IP ownership"),
    ("benefit_sharing", "权益分配", "Benefit sharing"),
    ("cross_border_data", "数据跨境", "Cross-border data"),
    ("human_genetic_resources", "人类遗传资源", "Human genetic resources"),
    ("ethics", "科技伦理", "Research ethics"),
    ("dispute_resolution", "违约责任及争议处理", "Liability and disputes"),
    ("security_risk", "科技安全风险管理", "S&T security risk"),
];

const FLAGS: &[&str] = &[
    "unit.registered_in_province",
    "unit.independent_legal_person",
    "unit.international_rd_centre",
    "unit.international_rd_team",
    "unit.joint_lab_or_mechanism",
    "unit.overseas_demonstration_base",
    "unit.overseas_orders_equivalent",
];

/// The facts typed in the form as JSON, ready for [`Application::parse`]. Paths of the form
/// fields are the facts' own paths, so a problem reported at `unit.finance[2].year` lands
/// beside that input.
pub fn facts_json(v: &Vals, policy: &str, today: NaiveDate, files: &[DraftFile]) -> Result<Value, Vec<FieldError>> {
    let mut errs = Vec::new();
    let opt = |k: &str| {
        let s = v.t(k);
        (!s.is_empty()).then_some(s)
    };
    let mut finance = Vec::new();
    for i in 0..3 {
        let y = v.t(&format!("unit.finance[{i}].year"));
        let s = v.t(&format!("unit.finance[{i}].sales_revenue"));
        let r = v.t(&format!("unit.finance[{i}].rd_expense"));
        if y.is_empty() && s.is_empty() && r.is_empty() {
            continue;
        }
        let year: Option<i32> = y.parse().ok().filter(|y| (1990..=2100).contains(y));
        if year.is_none() {
            errs.push(FieldError::new(
                format!("unit.finance[{i}].year"),
                "请填写四位年份",
                "enter a four-digit year",
            ));
        }
        for (k, val) in [("sales_revenue", &s), ("rd_expense", &r)] {
            if !work::is_exact_decimal(val) {
                errs.push(FieldError::new(
                    format!("unit.finance[{i}].{k}"),
                    "请填写金额（元），如 38000000 或 2100000.50",
                    "enter an amount in yuan, e.g. 38000000 or 2100000.50",
                ));
            }
        }
        finance.push(json!({"year": year.unwrap_or(0), "sales_revenue": s, "rd_expense": r}));
    }
    let mut partners = Vec::new();
    for i in 0..3 {
        let pre = format!("partner_institutions[{i}]");
        let Some(name) = opt(&format!("{pre}.name")) else {
            continue;
        };
        let mut p = json!({
            "name": name,
            "country": v.t(&format!("{pre}.country")),
            "kind": opt(&format!("{pre}.kind")).unwrap_or_else(|| "university".into()),
            "agreement": v.on(&format!("{pre}.agreement")),
            "long_term": v.on(&format!("{pre}.long_term")),
        });
        if let Some(s) = opt(&format!("{pre}.since")) {
            p["since"] = json!(s);
        }
        partners.push(p);
    }
    let mut projects = Vec::new();
    for i in 0..3 {
        let pre = format!("unit.international_projects[{i}]");
        let Some(name) = opt(&format!("{pre}.name")) else {
            continue;
        };
        let mut p = json!({
            "name": name,
            "level": opt(&format!("{pre}.level")).unwrap_or_else(|| "provincial".into()),
            "kind": opt(&format!("{pre}.kind")).unwrap_or_else(|| "cooperation".into()),
            "role": opt(&format!("{pre}.role")).unwrap_or_else(|| "lead".into()),
            "start_date": v.t(&format!("{pre}.start_date")),
        });
        if let Some(e) = opt(&format!("{pre}.end_date")) {
            p["end_date"] = json!(e);
        }
        projects.push(p);
    }
    let mut ms = serde_json::Map::new();
    for (k, _, _) in MANAGEMENT {
        ms.insert((*k).into(), json!(v.on(&format!("unit.management_systems.{k}"))));
    }
    let mut unit = json!({
        "name": v.t("unit.name"),
        "uscc": v.t("unit.uscc"),
        "kind": v.t("unit.kind"),
        "affiliation": opt("unit.affiliation").unwrap_or_else(|| "local".into()),
        "region_code": v.t("unit.region_code"),
        "finance": finance,
        "international_projects": projects,
        "management_systems": ms,
    });
    for f in FLAGS {
        unit[f.trim_start_matches("unit.")] = json!(v.on(f));
    }
    if let Some(share) = opt("unit.overseas_market_share") {
        unit["overseas_market_share"] = json!(share);
    }
    let mut app = json!({
        "policy": policy,
        "application_date": today,
        "technology_domain": v.t("technology_domain"),
        "primary_partner": {"country": v.t("primary_partner.country")},
        "partner_institutions": partners,
        "unit": unit,
        "director": {
            "name": v.t("director.name"),
            "formal_employee": v.on("director.formal_employee"),
            "title": opt("director.title").unwrap_or_else(|| "other".into()),
            "equivalent_ability": v.on("director.equivalent_ability"),
            "research_lead": v.on("director.research_lead"),
        },
        "attachments": files.iter().map(|f| json!({"kind": f.kind, "file": f.id})).collect::<Vec<_>>(),
    });
    if let Some(c) = opt("category") {
        app["category"] = json!(c);
    }
    if let Some(extra) = opt("extra") {
        match serde_json::from_str::<Value>(&extra) {
            Ok(Value::Object(m)) => merge(&mut app, Value::Object(m)),
            _ => errs.push(FieldError::new(
                "extra",
                "其他事实须为JSON对象，例如 {\"unit\": {\"joint_papers\": []}}",
                "other facts must be a JSON object, e.g. {\"unit\": {\"joint_papers\": []}}",
            )),
        }
    }
    if errs.is_empty() { Ok(app) } else { Err(errs) }
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Parses the form into facts, checks them against the policy and renders the panel; field
/// problems go beside their inputs.
pub fn check_form(
    v: &Vals,
    policy: &Policy,
    today: NaiveDate,
    files: &[DraftFile],
    l: Lang,
) -> (Option<Application>, CheckPanel, Vec<FieldError>) {
    let mut panel = CheckPanel {
        ran: true,
        policy: format!("{}（{}）", policy.title, policy.document_number),
        ..CheckPanel::default()
    };
    let json = match facts_json(v, &policy.id, today, files) {
        Ok(j) => j,
        Err(errs) => {
            panel.problem = l
                .t(
                    "表单中有需要更正的内容，见字段旁提示。",
                    "Some fields need correcting; see beside them.",
                )
                .into();
            return (None, panel, errs);
        }
    };
    let field_err = |e: guohe_policy::FactError| {
        let path = if e.path.is_empty() {
            "round".to_string()
        } else {
            e.path.clone()
        };
        FieldError::new(path, e.message_zh, e.message_en)
    };
    let app = match Application::parse(&json.to_string()) {
        Ok(a) => a,
        Err(e) => {
            panel.problem = l.pick(e.message_zh.clone(), e.message_en.clone());
            return (None, panel, vec![field_err(e)]);
        }
    };
    let prepared = match Prepared::new(policy, app.clone(), None) {
        Ok(p) => p,
        Err(e) => {
            panel.problem = l.pick(e.message_zh.clone(), e.message_en.clone());
            return (None, panel, vec![field_err(e)]);
        }
    };
    match evaluate(policy, &prepared, today) {
        Ok(ev) => {
            panel.verdict = l.pick(ev.verdict.zh().to_string(), format!("{:?}", ev.verdict));
            for f in &ev.findings {
                let r = ev.finding_report(f);
                let status = match f.status {
                    Status::Pass => "pass",
                    Status::Fail => "fail",
                    Status::Review => "review",
                    Status::NotApplicable => "not_applicable",
                };
                panel.items.push(CheckItem {
                    article: l.pick(r.article_zh.clone(), r.article.clone()),
                    text: policy.text(f.rule.article).unwrap_or("").to_string(),
                    title: l.pick(r.title_zh.clone(), f.rule.title_en.clone()),
                    status: status.into(),
                    status_label: l.pick(f.status.zh().to_string(), format!("{:?}", f.status)),
                    reason: l.pick(r.reason_zh.clone(), r.reason_en.clone()),
                });
            }
        }
        Err(e) => panel.problem = e.message_zh(),
    }
    (Some(app), panel, Vec::new())
}

fn blank_draft(p: &Principal, org: &str, round: &str) -> Vals {
    let mut v = Vals::default();
    v.set("round", round);
    v.set("unit.name", p.display_name.clone());
    v.set("unit.uscc", org);
    if let Ok(u) = guohe_reference::uscc::parse(org) {
        v.set("unit.region_code", u.division_code().to_string());
    }
    v.set("unit.registered_in_province", "on");
    v.set("unit.independent_legal_person", "on");
    v
}

/// `POST /unit/drafts` — starts a draft for a round (`round`), or from a returned application
/// (`resubmit`).
pub async fn create_draft(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let form = Vals::new(form);
    let resubmit = form.t("resubmit");
    let (v, title) = if resubmit.is_empty() {
        let round = form.t("round");
        let rounds = open_rounds(&state, &p).await;
        let Some(r) = rounds.iter().find(|r| r.0 == round) else {
            return Err(WebError::BadRequest {
                zh: "请选择正在受理的申报批次。".into(),
                en: "Choose a round that is open.".into(),
                fields: vec![FieldError::new("round", "请选择申报批次", "choose a round")],
            });
        };
        (blank_draft(&p, &org, &round), r.1.clone())
    } else {
        let found = state
            .guohe
            .read(|w, _, _| {
                w.application(&resubmit)
                    .filter(|a| authz::can_view_application(&p, a).is_ok())
                    .cloned()
            })
            .await;
        let a = found.ok_or(WebError::NotFound)?;
        if a.status != ApplicationStatus::Returned {
            return Err(WebError::Conflict {
                zh: "只有被退回的申报可以修改后重新提交。".into(),
                en: "Only a returned application can be corrected and resubmitted.".into(),
            });
        }
        let mut v = from_facts(&a.facts);
        v.set("round", a.round.clone());
        v.set("resubmit", a.id.clone());
        (
            v,
            format!("{} {}", a.id, ctx.lang.t("（修改后重新提交）", "(resubmission)")),
        )
    };
    let id = format!("D{}", &crate::security::random_token()[..10].to_uppercase());
    drafts(&state).save(&org, &id, &title, &v.to_json(), Utc::now()).await?;
    Ok(see_other(&format!("/unit/drafts/{id}")))
}

/// The form values of submitted facts (to correct a returned application).
pub fn from_facts(a: &Application) -> Vals {
    let mut v = Vals::default();
    let j = serde_json::to_value(a).unwrap_or(Value::Null);
    let s = |p: &str| j.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    let b = |p: &str| j.pointer(p).and_then(Value::as_bool).unwrap_or(false);
    for (k, p) in [
        ("category", "/category"),
        ("technology_domain", "/technology_domain"),
        ("primary_partner.country", "/primary_partner/country"),
        ("unit.name", "/unit/name"),
        ("unit.uscc", "/unit/uscc"),
        ("unit.kind", "/unit/kind"),
        ("unit.affiliation", "/unit/affiliation"),
        ("unit.region_code", "/unit/region_code"),
        ("director.name", "/director/name"),
        ("director.title", "/director/title"),
    ] {
        v.set(k, s(p));
    }
    if let Some(share) = a.unit.overseas_market_share {
        v.set("unit.overseas_market_share", share.0.normalize().to_string());
    }
    for f in FLAGS {
        if b(&format!("/{}", f.replace('.', "/"))) {
            v.set(f, "on");
        }
    }
    for f in [
        "director.formal_employee",
        "director.research_lead",
        "director.equivalent_ability",
    ] {
        if b(&format!("/{}", f.replace('.', "/"))) {
            v.set(f, "on");
        }
    }
    for (k, _, _) in MANAGEMENT {
        if b(&format!("/unit/management_systems/{k}")) {
            v.set(&format!("unit.management_systems.{k}"), "on");
        }
    }
    for (i, f) in a.unit.finance.iter().take(3).enumerate() {
        v.set(&format!("unit.finance[{i}].year"), f.year.to_string());
        v.set(
            &format!("unit.finance[{i}].sales_revenue"),
            f.sales_revenue.0.normalize().to_string(),
        );
        v.set(
            &format!("unit.finance[{i}].rd_expense"),
            f.rd_expense.0.normalize().to_string(),
        );
    }
    for (i, p) in j
        .pointer("/partner_institutions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(3)
        .enumerate()
    {
        let pre = format!("partner_institutions[{i}]");
        for k in ["name", "country", "kind", "since"] {
            v.set(&format!("{pre}.{k}"), p.get(k).and_then(Value::as_str).unwrap_or(""));
        }
        for k in ["agreement", "long_term"] {
            if p.get(k).and_then(Value::as_bool).unwrap_or(false) {
                v.set(&format!("{pre}.{k}"), "on");
            }
        }
    }
    for (i, p) in j
        .pointer("/unit/international_projects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(3)
        .enumerate()
    {
        let pre = format!("unit.international_projects[{i}]");
        for k in ["name", "level", "kind", "role", "start_date", "end_date"] {
            v.set(&format!("{pre}.{k}"), p.get(k).and_then(Value::as_str).unwrap_or(""));
        }
    }
    v
}

async fn draft_page(
    ctx: &RequestCtx,
    state: &AppState,
    org: &str,
    id: &str,
    v: Vals,
    fb: Feedback,
    run_check: bool,
) -> WebResult<Response> {
    draft_page_with(ctx, state, org, id, v, fb, run_check, Vec::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn draft_page_with(
    ctx: &RequestCtx,
    state: &AppState,
    org: &str,
    id: &str,
    v: Vals,
    mut fb: Feedback,
    run_check: bool,
    unmet: Vec<CheckItem>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let p = ctx.require()?;
    let files = drafts(state).files(org, id).await?;
    let rounds_all = open_rounds(state, p).await;
    let round = v.t("round");
    let policy_id = match rounds_all.iter().find(|r| r.0 == round) {
        Some(r) => Some(r.2.clone()),
        None => {
            state
                .guohe
                .read(|w, _, _| w.round(&round).map(|r| r.policy.clone()))
                .await
        }
    };
    let policies = state.guohe.policies();
    let policy = policy_id.as_deref().and_then(|p| policies.get(p));
    let mut check = CheckPanel::default();
    if let (true, Some(policy)) = (run_check, policy) {
        let (_, panel, errs) = check_form(&v, policy, state.today(), &files, l);
        check = panel;
        for e in errs {
            if !fb.errors.has(&e.field) {
                fb.errors.push(e);
            }
        }
    }
    let mut rounds: Vec<(String, String)> = rounds_all.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    if !round.is_empty() && !rounds.iter().any(|r| r.0 == round) {
        rounds.push((round.clone(), round.clone()));
    }
    let terms = |t: &[guohe_policy::model::Term]| {
        t.iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect::<Vec<_>>()
    };
    let mut countries: Vec<(String, String)> = guohe_reference::country::all()
        .iter()
        .filter(|c| !c.is_china())
        .map(|c| {
            (
                c.alpha2.to_string(),
                format!("{} {}", l.t(c.name_zh, c.name_en), c.alpha2),
            )
        })
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let tpl = DraftTpl {
        c: ctx.chrome("/unit"),
        id: id.into(),
        categories: policy.map(|p| terms(&p.vocabularies.categories)).unwrap_or_default(),
        unit_kinds: policy.map(|p| terms(&p.vocabularies.unit_kinds)).unwrap_or_default(),
        countries,
        files,
        kinds: KINDS
            .iter()
            .map(|k| (k.0.to_string(), l.t(k.1, k.2).to_string()))
            .collect(),
        rows: vec![0, 1, 2],
        upload_action: format!("/unit/drafts/{id}/attachments?_csrf={}", ctx.csrf),
        unmet,
        v,
        check,
        rounds,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/drafts/{id}` — the form, with the check of what was saved.
pub async fn draft(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let d = drafts(&state).get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let v = Vals::from_json(&d.body);
    draft_page(&ctx, &state, &org, &id, v, Feedback::none(ctx.lang), true).await
}

/// `POST /unit/drafts/{id}` — `action` = `save` (keep the draft), `check` (check without
/// saving), `submit` (save, then submit or resubmit; the draft is deleted once submitted; when
/// the check finds conditions not met, the page lists them and asks to confirm first),
/// `submit_unmet` (submit after that confirmation), `delete`.
pub async fn save_draft(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let store = drafts(&state);
    let d = store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let mut v = Vals::new(form);
    let action = v.t("action");
    v.set("action", "");
    // The unit's identity comes from the account, never from the form.
    v.set("unit.uscc", org.clone());
    let resubmit = Vals::from_json(&d.body).t("resubmit");
    if !resubmit.is_empty() {
        v.set("resubmit", resubmit.clone());
    }
    match action.as_str() {
        "delete" => {
            store.delete(&org, &id).await?;
            return Ok(see_other("/unit"));
        }
        "check" => return draft_page(&ctx, &state, &org, &id, v, Feedback::none(l), true).await,
        "save" => {
            store.save(&org, &id, &d.title, &v.to_json(), Utc::now()).await?;
            let fb = Feedback::ok(l, l.t("草稿已保存。", "Draft saved.").into());
            return draft_page(&ctx, &state, &org, &id, v, fb, true).await;
        }
        "submit" | "submit_unmet" => {}
        _ => {
            return Err(WebError::BadRequest {
                zh: "未知操作。".into(),
                en: "Unknown action.".into(),
                fields: Vec::new(),
            });
        }
    }
    store.save(&org, &id, &d.title, &v.to_json(), Utc::now()).await?;
    let round = v.t("round");
    let policy_id = state
        .guohe
        .read(|w, _, _| w.round(&round).map(|r| r.policy.clone()))
        .await;
    let policies = state.guohe.policies();
    let Some(policy) = policy_id.as_deref().and_then(|x| policies.get(x)) else {
        let fb = Feedback::invalid(l, vec![FieldError::new("round", "请选择申报批次", "choose a round")]);
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    let files = store.files(&org, &id).await?;
    let (app, panel, errs) = check_form(&v, policy, state.today(), &files, l);
    let Some(app) = app else {
        return draft_page(&ctx, &state, &org, &id, v, Feedback::invalid(l, errs), true).await;
    };
    // A unit may submit an application that fails a condition: the verdict is recorded and the
    // recommender and the department return or reject it citing the articles. It is told so,
    // with the conditions, and confirms first.
    let unmet: Vec<CheckItem> = panel.items.iter().filter(|i| i.status == "fail").cloned().collect();
    if action != "submit_unmet" && !unmet.is_empty() {
        let fb = Feedback {
            alert: l
                .t(
                    "以下申报条件经检查不符合。仍可提交，推荐单位和省科技厅将据此退回或不予认定。请确认后再提交。",
                    "The check finds the conditions below not met. The application can still be submitted; the recommender and the department will return or reject it on them. Confirm to submit.",
                )
                .into(),
            ..Feedback::none(l)
        };
        return draft_page_with(&ctx, &state, &org, &id, v, fb, true, unmet).await;
    }
    let app_id = if resubmit.is_empty() {
        format!("{round}-{}", &id[1..7])
    } else {
        resubmit.clone()
    };
    let cmd = if resubmit.is_empty() {
        json!({"type": "SubmitApplication", "id": app_id, "round": round, "facts": app})
    } else {
        json!({"type": "ResubmitApplication", "application": app_id, "facts": app})
    };
    let map = |f: &str| {
        let f = f.strip_prefix("facts.").unwrap_or(f);
        if f == "id" { "round".to_string() } else { f.to_string() }
    };
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            store.delete(&org, &id).await.ok();
            // The attachments stay, under the application's id, for everyone who may see it.
            crate::flash::put_for(&state, &ctx, "申报已提交。", "The application was submitted.").await?;
            Ok(see_other(&format!("/unit/applications/{app_id}")))
        }
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &map)?;
            draft_page(&ctx, &state, &org, &id, v, fb, true).await
        }
    }
}

/// `POST /unit/drafts/{id}/check` — the check panel alone, for the page's script.
pub async fn check_panel(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let store = drafts(&state);
    store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let mut v = Vals::new(form);
    v.set("unit.uscc", org.clone());
    let round = v.t("round");
    let policy_id = state
        .guohe
        .read(|w, _, _| w.round(&round).map(|r| r.policy.clone()))
        .await;
    let policies = state.guohe.policies();
    let policy = policy_id
        .as_deref()
        .and_then(|x| policies.get(x))
        .ok_or_else(|| WebError::BadRequest {
            zh: "请选择申报批次。".into(),
            en: "Choose a round.".into(),
            fields: vec![FieldError::new("round", "请选择申报批次", "choose a round")],
        })?;
    let files = store.files(&org, &id).await?;
    let (_, mut check, errs) = check_form(&v, policy, state.today(), &files, ctx.lang);
    for e in errs {
        check.items.insert(
            0,
            CheckItem {
                article: String::new(),
                text: String::new(),
                title: e.field.clone(),
                status: "fail".into(),
                status_label: ctx.lang.t("需更正", "Correct").into(),
                reason: ctx.lang.pick(e.zh, e.en),
            },
        );
    }
    view::render(&PanelTpl {
        c: ctx.chrome("/unit"),
        check,
    })
}

/// `POST /unit/drafts/{id}/attachments?_csrf=…` (multipart: `kind`, `file`) — a PDF, checked
/// by its content.
pub async fn upload(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let store = drafts(&state);
    let d = store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let v = Vals::from_json(&d.body);
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fail = |field: &str, zh: String, en: String| Feedback::invalid(l, vec![FieldError::new(field, zh, en)]);
    let Some(boundary) = upload::boundary(ct) else {
        let fb = fail("file", "请以文件上传表单提交。".into(), "Use the upload form.".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    let parts = match upload::parse_multipart(&body, &boundary) {
        Ok(p) => p,
        Err(r) => return draft_page(&ctx, &state, &org, &id, v, fail("file", r.zh, r.en), false).await,
    };
    let kind = parts
        .iter()
        .find(|p| p.name == "kind")
        .map(|p| p.text())
        .unwrap_or_default();
    if !KINDS.iter().any(|k| k.0 == kind) {
        let fb = fail("kind", "请选择材料类别".into(), "choose what the file is".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    }
    let Some(file) = parts.iter().find(|p| p.name == "file" && p.file_name.is_some()) else {
        let fb = fail("file", "请选择要上传的文件".into(), "choose a file".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    if let Err(r) = upload::check_pdf(&file.data) {
        return draft_page(&ctx, &state, &org, &id, v, fail("file", r.zh, r.en), false).await;
    }
    let name: String = file
        .file_name
        .as_deref()
        .unwrap_or("file.pdf")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file.pdf")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    store.put_file(&org, &id, &kind, &name, &file.data, Utc::now()).await?;
    Ok(see_other(&format!("/unit/drafts/{id}?uploaded=1#attachments")))
}

/// `POST /unit/drafts/{id}/attachments/{file}/delete`.
pub async fn delete_file(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let store = drafts(&state);
    store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    if !store.delete_file(&org, &file).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other(&format!("/unit/drafts/{id}#attachments")))
}

/// `GET /files/{id}` — an attachment: to its unit, and to whoever may see an application
/// listing it.
pub async fn download(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    let (meta, content) = drafts(&state).file(&id).await?.ok_or(WebError::NotFound)?;
    let own = p.role == guohe_store::AccountRole::SupportUnit
        && p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&meta.owner));
    if !own {
        let listed = state
            .guohe
            .read(|w, _, _| {
                w.applications()
                    .filter(|a| a.facts.attachments.iter().any(|x| x.file == id))
                    .map(|a| authz::can_view_application(&p, a))
                    .collect::<Vec<_>>()
            })
            .await;
        if listed.is_empty() {
            return Err(WebError::NotFound);
        }
        if !listed.iter().any(Result::is_ok) {
            return Err(listed
                .into_iter()
                .find_map(Result::err)
                .map(WebError::from)
                .unwrap_or(WebError::NotFound));
        }
    }
    let mut r = content.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        view::urlencode(&meta.file_name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

// ---------- applications ----------

/// The unit's view of one application.
#[derive(Template)]
#[template(path = "unit_application.html")]
pub struct UnitAppTpl {
    /// Layout.
    pub c: Chrome,
    /// The case.
    pub k: CaseView,
    /// Messages.
    pub fb: Feedback,
    /// May be corrected and resubmitted.
    pub returned: bool,
    /// May be withdrawn.
    pub withdrawable: bool,
    /// Values of the withdraw form.
    pub v: Vals,
}

async fn app_page(ctx: &RequestCtx, state: &AppState, id: &str, fb: Feedback, v: Vals) -> WebResult<Response> {
    let (p, _) = unit_of(ctx)?;
    let a = state
        .guohe
        .read(|w, _, _| w.application(id).cloned())
        .await
        .ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let k = work::case_view(state, &a, Audience::Unit, ctx.lang, "/unit").await?;
    let tpl = UnitAppTpl {
        c: ctx.chrome("/unit"),
        k,
        returned: a.status == ApplicationStatus::Returned,
        withdrawable: matches!(
            a.status,
            ApplicationStatus::Submitted
                | ApplicationStatus::Returned
                | ApplicationStatus::Recommended
                | ApplicationStatus::UnderReview
        ),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/applications/{id}` — progress with articles.
pub async fn application(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    // A message from the submission, held server-side (never from the query string).
    let message = crate::flash::take(&state, &ctx, &headers).await?;
    let fb = if message.is_empty() {
        Feedback::none(ctx.lang)
    } else {
        Feedback::ok(ctx.lang, message)
    };
    app_page(&ctx, &state, &id, fb, Vals::default()).await
}

/// `POST /unit/applications/{id}/withdraw` (`reason`, `confirmed`).
pub async fn withdraw(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let a = state
        .guohe
        .read(|w, _, _| w.application(&id).cloned())
        .await
        .ok_or(WebError::NotFound)?;
    authz::can_view_application(&p, &a)?;
    let mut errs = Vec::new();
    work::optional(&v, "reason", 500, &mut errs);
    if !errs.is_empty() {
        return app_page(&ctx, &state, &id, Feedback::invalid(l, errs), v).await;
    }
    if v.get("confirmed") != "yes" {
        let policies = state.guohe.policies();
        let articles = policies
            .get(&a.policy)
            .map(|pol| work::quotes(policies, &[work::cite(pol, pol.procedure.application.article)], l))
            .unwrap_or_default();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/unit"),
            title: l.pick(format!("撤回申报 {id}"), format!("Withdraw application {id}")),
            facts: vec![
                (
                    l.t("申报", "Application").into(),
                    format!("{id} · {}", a.facts.technology_domain),
                ),
                (l.t("理由", "Reason").into(), v.t("reason")),
            ],
            consequence: l
                .t("撤回后本申报终止办理。", "Once withdrawn, the application ends.")
                .into(),
            articles,
            action: format!("/unit/applications/{id}/withdraw"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/unit/applications/{id}"),
        });
    }
    let cmd = json!({"type": "WithdrawApplication", "application": id, "reason": v.t("reason")});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/unit/applications/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            app_page(&ctx, &state, &id, fb, v).await
        }
    }
}

// ---------- bases ----------

/// The unit's view of one base.
#[derive(Template)]
#[template(path = "unit_base.html")]
pub struct UnitBaseTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// Next due.
    pub next: String,
    /// Deadline rule quoted: (cite, text).
    pub deadline: work::Quote,
    /// Reports: (year, submitted, due, late).
    pub reports: Vec<(i32, String, String, bool)>,
    /// Grades: (what, grade).
    pub grades: Vec<(String, String)>,
    /// Major changes: (id, kind, description, status).
    pub changes: Vec<(String, String, String, String)>,
    /// Change kinds: (code, label).
    pub change_kinds: Vec<(String, String)>,
    /// On the register (forms shown).
    pub active: bool,
    /// Form values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

/// A change's status label.
pub fn change_status(s: ChangeStatus, approved_by: usize, needed: usize, l: Lang) -> String {
    match s {
        ChangeStatus::Pending => l.pick(
            format!("待审核（已审 {approved_by}/{needed}）"),
            format!("pending ({approved_by}/{needed} approvals)"),
        ),
        ChangeStatus::Approved => l.t("已同意", "approved").into(),
        ChangeStatus::Rejected => l.t("不同意", "rejected").into(),
    }
}

async fn base_page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let (p, _) = unit_of(ctx)?;
    let l = ctx.lang;
    let today = state.today();
    let found = state
        .guohe
        .read(|w, _, policies| {
            let b = w.base(id)?;
            Some((
                authz::can_view_base(&p, w, b),
                b.clone(),
                policies.get(&b.policy).cloned(),
            ))
        })
        .await;
    let (allowed, b, policy) = found.ok_or(WebError::NotFound)?;
    allowed?;
    let policies = state.guohe.policies();
    let s = b.status_on(today).unwrap_or(b.status);
    let ar_quote = policy
        .as_ref()
        .map(|pol| work::quotes(policies, &[work::cite(pol, pol.lifecycle.annual_report.article)], l))
        .and_then(|mut q| q.pop())
        .unwrap_or(work::Quote {
            cite: String::new(),
            text: String::new(),
        });
    let mut grades: Vec<(String, String)> = b
        .annual_grades
        .iter()
        .map(|(y, g)| {
            (
                l.pick(format!("{y}年度考核"), format!("Annual assessment {y}")),
                view::grade_label(policies, &b.policy, &g.grade, l),
            )
        })
        .collect();
    grades.extend(b.evaluations.iter().map(|e| {
        (
            format!(
                "{} {}",
                e.on,
                if e.re_evaluation {
                    l.t("整改后复评", "Re-evaluation")
                } else {
                    l.t("评估", "Evaluation")
                }
            ),
            view::grade_label(policies, &b.policy, &e.grade, l),
        )
    }));
    let kinds = policy
        .as_ref()
        .map(|p| p.vocabularies.major_change_kinds.clone())
        .unwrap_or_default();
    let tpl = UnitBaseTpl {
        c: ctx.chrome("/unit"),
        id: b.id.clone(),
        facts: vec![
            (l.t("基地名称", "Name").into(), b.official_name.clone()),
            (l.t("依托单位", "Support unit").into(), b.unit_name.clone()),
            (l.t("技术领域", "Domain").into(), b.domain.clone()),
            (l.t("基地负责人", "Director").into(), b.director.clone()),
            (
                l.t("主要合作国别（地区）", "Partner country").into(),
                view::country_label(b.partner_country.as_deref(), l),
            ),
            (l.t("认定日期", "Recognised on").into(), b.recognised_on.to_string()),
        ],
        status_code: view::status_code(s).into(),
        status: view::status_label(s, l),
        next: next_due(&b, policy.as_ref(), today, l),
        deadline: ar_quote,
        reports: b
            .reports
            .iter()
            .map(|(y, r)| (*y, r.submitted_on.to_string(), r.due_on.to_string(), r.late))
            .collect(),
        grades,
        changes: b
            .major_changes
            .iter()
            .map(|(cid, ch)| {
                (
                    cid.clone(),
                    work::term_label(&kinds, &ch.kind, l),
                    ch.details.description.clone(),
                    change_status(ch.status, ch.approved_by.len(), ch.approval.len(), l),
                )
            })
            .collect(),
        change_kinds: kinds
            .iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect(),
        active: b.status.on_register(),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/bases/{id}`.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let mut v = Vals::default();
    v.set("year", (state.today().year() - 1).to_string());
    base_page(&ctx, &state, &id, v, Feedback::none(ctx.lang)).await
}

/// `POST /unit/bases/{id}/reports` (`year`) — the annual report on a year, filed today.
pub async fn annual_report(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let Ok(year) = v.t("year").parse::<i32>() else {
        let fb = Feedback::invalid(
            l,
            vec![FieldError::new("year", "请填写报告年度", "enter the year reported on")],
        );
        return base_page(&ctx, &state, &id, v, fb).await;
    };
    let cmd = json!({"type": "SubmitAnnualReport", "base": id, "year": year, "submitted_on": state.today()});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            let fb = Feedback::ok(
                l,
                l.pick(
                    format!("{year}年度报告已报送。"),
                    format!("Annual report {year} filed."),
                ),
            );
            base_page(&ctx, &state, &id, Vals::default(), fb).await
        }
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &|f| {
                if f == "submitted_on" { "year".into() } else { f.into() }
            })?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /unit/bases/{id}/changes` (`kind`, `description`, `new_value`, `new_uscc`) — a
/// major-change filing.
pub async fn file_change(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let kind = work::required(&v, "kind", 40, &mut errs);
    let description = work::required(&v, "description", 2000, &mut errs);
    let new_value = v.t("new_value");
    let field = match kind.as_str() {
        "rename" => Some("official_name"),
        "director" => Some("director"),
        "partner_country" => Some("partner_country"),
        "direction" => Some("domain"),
        "support_unit" => Some("unit_name"),
        "category" => Some("category"),
        _ => None,
    };
    if field.is_some() && new_value.is_empty() {
        errs.push(FieldError::new(
            "new_value",
            "请填写变更后的内容",
            "enter the new value",
        ));
    }
    if !errs.is_empty() {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let n = state
        .guohe
        .read(|w, _, _| w.base(&id).map(|b| b.major_changes.len()).unwrap_or(0))
        .await;
    let mut details = json!({"description": description});
    if let Some(f) = field {
        let val = if f == "partner_country" {
            new_value.to_uppercase()
        } else {
            new_value
        };
        details[f] = json!(val);
    }
    if kind == "support_unit" && !v.t("new_uscc").is_empty() {
        details["uscc"] = json!(v.t("new_uscc"));
    }
    let cmd = json!({"type": "FileMajorChange", "base": id, "change_id": format!("C{}", n + 1), "kind": kind, "details": details});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            let fb = Feedback::ok(
                l,
                l.t("重大事项已报告，等待审核。", "The major change was filed for approval.")
                    .into(),
            );
            base_page(&ctx, &state, &id, Vals::default(), fb).await
        }
        Err(e) => {
            let map = |f: &str| match f {
                f if f.starts_with("details.") => "new_value".to_string(),
                "change_id" => "kind".to_string(),
                f => f.to_string(),
            };
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &map)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}
