//! 过渡条款 — bringing one base recognised before the regulation (or a national base) onto the
//! register (`CarryOverBase`: Hunan 第二十二条, Hubei 第三十条/第三十一条), and reclassifying a
//! carried-over base into the new categories on its unit's request (`Reclassify`: Hunan 第二十二条).
//! Both are irreversible and pass through a confirmation quoting the articles.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use guohe_policy::Policy;
use guohe_policy::model::Term;
use serde_json::json;

use super::department::{confirmed, dept_of};
use super::work::{self, ConfirmTpl, Feedback, Quote, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::Action;
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

fn options(terms: &[Term], l: Lang) -> Vec<(String, String)> {
    terms
        .iter()
        .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
        .collect()
}

/// A date field, or its error.
fn date(v: &Vals, k: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = v.t(k);
    if s.is_empty() {
        errs.push(FieldError::new(k, "此项为必填项", "this field is required"));
        return None;
    }
    match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                k,
                "日期格式应为 YYYY-MM-DD",
                "a date is written YYYY-MM-DD",
            ));
            None
        }
    }
}

// ----- carry-over -----

/// The form to carry one base over.
#[derive(Template)]
#[template(path = "dept_carry_over.html")]
pub struct CarryOverTpl {
    /// Layout.
    pub c: Chrome,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// Policies the department works under: (id, label).
    pub policies: Vec<(String, String)>,
    /// Old categories of the policies that map them: (old name, old name → new label).
    pub old_categories: Vec<(String, String)>,
    /// New categories: (code, label).
    pub categories: Vec<(String, String)>,
    /// Countries: (alpha-2, name).
    pub countries: Vec<(String, String)>,
    /// The transitional articles of the department's policies, quoted.
    pub articles: Vec<Quote>,
}

/// The transitional articles a policy has for carrying bases over, as citations.
fn transition_cites(policy: &Policy) -> Vec<String> {
    let t = &policy.transitions;
    let mut v = Vec::new();
    if let Some(m) = &t.category_mapping {
        v.push(work::cite(policy, m.article));
    }
    if let Some(n) = &t.national_bases_join {
        v.push(work::cite(policy, n.article));
    }
    if let Some(l) = &t.legacy_bases {
        v.push(work::cite(policy, l.article));
    }
    v
}

async fn carry_over_page(ctx: &RequestCtx, state: &AppState, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let policies = state.guohe.policies();
    let mine: Vec<&Policy> = policies.all().iter().filter(|x| p.works_under(&x.id)).collect();
    let mut old_categories = Vec::new();
    let mut categories = Vec::new();
    let mut cites = Vec::new();
    for pol in &mine {
        if let Some(m) = &pol.transitions.category_mapping {
            for o in &m.map {
                let new = work::term_label(&pol.vocabularies.categories, &o.new, l);
                old_categories.push((o.old.clone(), format!("{} → {new}", o.old)));
            }
        }
        for c in options(&pol.vocabularies.categories, l) {
            if !categories.contains(&c) {
                categories.push(c);
            }
        }
        cites.extend(transition_cites(pol));
    }
    let countries = guohe_reference::country::all()
        .iter()
        .map(|c| (c.alpha2.to_string(), l.t(c.name_zh, c.name_en).to_string()))
        .collect();
    let tpl = CarryOverTpl {
        c: ctx.chrome("/dept"),
        policies: work::policy_options(policies, &p),
        old_categories,
        categories,
        countries,
        articles: work::quotes(policies, &cites, l),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/carry-over`.
pub async fn carry_over_form(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    carry_over_page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/carry-over` (`policy`, `base_id`, `official_name`, `unit_name`, `uscc`, `domain`,
/// `old_category` or `category`, `director`, `partner_country`, `recognised_on`, `national`,
/// `confirmed`).
pub async fn carry_over(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let policies = state.guohe.policies();
    let mut errs = Vec::new();
    let policy_id = work::required(&v, "policy", 40, &mut errs);
    let policy = policies.get(&policy_id).filter(|x| p.works_under(&x.id));
    if !policy_id.is_empty() && policy.is_none() {
        errs.push(FieldError::new(
            "policy",
            "请选择本省的管理办法",
            "choose your province's policy",
        ));
    }
    let base_id = work::required(&v, "base_id", 40, &mut errs);
    let official_name = work::required(&v, "official_name", 100, &mut errs);
    let unit_name = work::required(&v, "unit_name", 100, &mut errs);
    let uscc = work::required(&v, "uscc", 18, &mut errs).to_uppercase();
    if !uscc.is_empty()
        && !errs.iter().any(|e| e.field == "uscc")
        && let Err(e) = guohe_reference::uscc::parse(&uscc)
    {
        errs.push(FieldError::new("uscc", e.message_zh(), e.to_string()));
    }
    let domain = work::required(&v, "domain", 50, &mut errs);
    let director = work::required(&v, "director", 50, &mut errs);
    let old_category = work::optional(&v, "old_category", 50, &mut errs);
    let category = work::optional(&v, "category", 40, &mut errs);
    if let Some(pol) = policy {
        if !old_category.is_empty()
            && !pol
                .transitions
                .category_mapping
                .as_ref()
                .is_some_and(|m| m.map.iter().any(|o| o.old == old_category))
        {
            errs.push(FieldError::new(
                "old_category",
                "请从对应表中选择旧类型",
                "choose an old category from the table",
            ));
        }
        if !category.is_empty() && !pol.vocabularies.categories.iter().any(|t| t.code == category) {
            errs.push(FieldError::new("category", "请选择基地类型", "choose a category"));
        }
        if old_category.is_empty() && category.is_empty() && !pol.vocabularies.categories.is_empty() {
            errs.push(FieldError::new(
                "category",
                "该办法按类型管理基地，请选择旧类型或新类型",
                "the policy has categories: choose the old or the new one",
            ));
        }
    }
    let country = v.t("partner_country").to_uppercase();
    if !country.is_empty() && guohe_reference::country::lookup(&country).is_none() {
        errs.push(FieldError::new(
            "partner_country",
            "请选择合作国别（地区）",
            "choose a country",
        ));
    }
    let recognised_on = date(&v, "recognised_on", &mut errs);
    if let Some(d) = recognised_on
        && d > state.today()
    {
        errs.push(FieldError::new(
            "recognised_on",
            "认定日期不能晚于今天",
            "the date is in the future",
        ));
    }
    let national = v.on("national");
    let (Some(policy), Some(recognised_on), true) = (policy, recognised_on, errs.is_empty()) else {
        return carry_over_page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    };
    if !confirmed(&v) {
        let category_label = if old_category.is_empty() {
            view::category_label(policies, &policy.id, Some(&category), l)
        } else {
            let new = policy
                .transitions
                .category_mapping
                .as_ref()
                .and_then(|m| m.map.iter().find(|o| o.old == old_category))
                .map(|o| work::term_label(&policy.vocabularies.categories, &o.new, l))
                .unwrap_or_default();
            format!("{old_category} → {new}")
        };
        let mut facts = vec![
            (
                l.t("办法", "Policy").to_string(),
                format!("{}（{}）", policy.title, policy.document_number),
            ),
            (l.t("基地编号", "Base id").into(), base_id.clone()),
            (l.t("基地名称", "Name").into(), official_name.clone()),
            (l.t("依托单位", "Support unit").into(), format!("{unit_name}（{uscc}）")),
            (l.t("技术领域", "Domain").into(), domain.clone()),
            (l.t("基地负责人", "Director").into(), director.clone()),
            (l.t("原认定日期", "Recognised on").into(), recognised_on.to_string()),
        ];
        if !category_label.is_empty() {
            facts.push((l.t("基地类型", "Category").into(), category_label));
        }
        if !country.is_empty() {
            facts.push((
                l.t("主要合作国别（地区）", "Partner country").into(),
                view::country_label(Some(&country), l),
            ));
        }
        if national {
            facts.push((
                l.t("国家基地直接纳入", "National base joining").into(),
                l.t("是", "Yes").into(),
            ));
        }
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("纳入管理：{official_name}"), format!("Carry over: {official_name}")),
            facts,
            consequence: l
                .t(
                    "基地按过渡条款列入基地名录并公开，此后按本办法管理（年度报告、考核、评估）。",
                    "The base joins the public register under the transitional articles and is managed under this regulation from now on (annual reports, assessments, evaluations).",
                )
                .into(),
            articles: work::quotes(policies, &transition_cites(policy), l),
            action: "/dept/carry-over".into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/carry-over".into(),
        });
    }
    let mut cmd = json!({
        "type": "CarryOverBase", "base_id": base_id, "policy": policy.id, "official_name": official_name,
        "unit_name": unit_name, "uscc": uscc, "domain": domain, "director": director,
        "recognised_on": recognised_on, "national": national,
    });
    if !old_category.is_empty() {
        cmd["old_category"] = json!(old_category);
    } else if !category.is_empty() {
        cmd["category"] = json!(category);
    }
    if !country.is_empty() {
        cmd["partner_country"] = json!(country);
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{base_id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            carry_over_page(&ctx, &state, v, fb).await
        }
    }
}

// ----- reclassification -----

/// The form to reclassify a carried-over base.
#[derive(Template)]
#[template(path = "dept_reclassify.html")]
pub struct ReclassifyTpl {
    /// Layout.
    pub c: Chrome,
    /// Messages.
    pub fb: Feedback,
    /// Form values.
    pub v: Vals,
    /// Base id.
    pub id: String,
    /// Its official name.
    pub name: String,
    /// Its current category's label.
    pub current: String,
    /// The old category it was carried over from.
    pub old_category: String,
    /// New categories: (code, label).
    pub categories: Vec<(String, String)>,
    /// The article allowing it, quoted; empty when the policy does not provide it.
    pub articles: Vec<Quote>,
}

async fn reclassify_page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let b = state.guohe.base(id).await.ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&b.policy).ok_or(WebError::NotFound)?;
    let articles = policy
        .transitions
        .category_mapping
        .as_ref()
        .filter(|m| m.reclassification_on_request)
        .map(|m| work::quotes(policies, &[work::cite(policy, m.article)], l))
        .unwrap_or_default();
    let old_category = match &b.origin {
        guohe_domain::Origin::CarriedOver { old_category, .. } => old_category.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let tpl = ReclassifyTpl {
        c: ctx.chrome("/dept"),
        id: b.id.clone(),
        name: b.official_name.clone(),
        current: view::category_label(policies, &b.policy, b.category.as_deref(), l),
        old_category,
        categories: options(&policy.vocabularies.categories, l),
        articles,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/bases/{id}/reclassify`.
pub async fn reclassify_form(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    reclassify_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/bases/{id}/reclassify` (`category`, `reasons`, `confirmed`).
pub async fn reclassify(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let b = state.guohe.base(&id).await.ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policies = state.guohe.policies();
    let policy = policies.get(&b.policy).ok_or(WebError::NotFound)?;
    let mut errs = Vec::new();
    let category = work::required(&v, "category", 40, &mut errs);
    if !category.is_empty() && !policy.vocabularies.categories.iter().any(|t| t.code == category) {
        errs.push(FieldError::new(
            "category",
            "请选择新的基地类型",
            "choose the new category",
        ));
    }
    let reasons = work::required(&v, "reasons", 2000, &mut errs);
    if !errs.is_empty() {
        return reclassify_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let Some(m) = policy
        .transitions
        .category_mapping
        .as_ref()
        .filter(|m| m.reclassification_on_request)
    else {
        // The domain words the refusal and cites the policy; the form only shows it.
        let cmd = json!({"type": "Reclassify", "base": id, "category": category, "reasons": reasons});
        return match work::run(&state, &p, cmd).await? {
            Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
                reclassify_page(&ctx, &state, &id, v, fb).await
            }
        };
    };
    if !confirmed(&v) {
        let to = work::term_label(&policy.vocabularies.categories, &category, l);
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("重新认定类别：{to}"), format!("Reclassify: {to}")),
            facts: vec![
                (l.t("基地", "Base").into(), format!("{id} · {}", b.official_name)),
                (
                    l.t("现类型", "Current category").into(),
                    view::category_label(policies, &b.policy, b.category.as_deref(), l),
                ),
                (l.t("新类型", "New category").into(), to),
                (l.t("理由", "Reasons").into(), reasons.clone()),
            ],
            consequence: l
                .t(
                    "基地此后按新类型管理，基地名录随之更新。",
                    "The base is managed under the new category from now on; the register shows it.",
                )
                .into(),
            articles: work::quotes(policies, &[work::cite(policy, m.article)], l),
            action: format!("/dept/bases/{id}/reclassify"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/bases/{id}/reclassify"),
        });
    }
    let cmd = json!({"type": "Reclassify", "base": id, "category": category, "reasons": reasons});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            reclassify_page(&ctx, &state, &id, v, fb).await
        }
    }
}
