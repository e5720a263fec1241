//! The draft form's facts: the form's fields read into the facts of an application (and back,
//! to correct a returned one), and the eligibility check shown beside the form.

use askama::Template;
use chrono::NaiveDate;
use guohe_policy::{Application, Policy, Prepared, Status, evaluate};
use guohe_store::drafts::DraftFile;
use serde_json::{Value, json};

use super::work::{self, Feedback, Vals};
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::view::Chrome;

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
