//! 公开页面 — the register of bases, a base's public page, 公示 notices with the real-name
//! objection form, and 公告 announcements. Nothing here needs a sign-in; nothing here shows
//! more than the register and the notices publish.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use guohe_app::AppError;
use guohe_app::read_models::{self, RegisterRow, SortKey};
use guohe_domain::{Actor, ApplicationStatus, Command, LodgeObjection, Origin, Role, World};
use guohe_policy::PolicySet;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{FieldError, WebError, WebResult};
use crate::flash;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, FormErrors, render};

/// Rows per page of the register.
pub const PAGE_SIZE: usize = 20;

/// Filters, sort and page of the register, as query parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    /// Search in name, unit and domain.
    pub q: String,
    /// Policy id (= province).
    pub policy: String,
    /// Category code.
    pub category: String,
    /// Technology domain.
    pub domain: String,
    /// Partner country (ISO code).
    pub country: String,
    /// Prefecture code.
    pub region: String,
    /// Status code.
    pub status: String,
    /// Sort column: name, unit, domain, country, recognised, status.
    pub sort: String,
    /// `asc` or `desc`.
    pub dir: String,
    /// 1-based page.
    pub page: usize,
}

impl RegisterQuery {
    fn query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("policy", &self.policy),
            ("category", &self.category),
            ("domain", &self.domain),
            ("country", &self.country),
            ("region", &self.region),
            ("status", &self.status),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    fn href(&self, path: &str) -> String {
        let q = self.query_string();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    /// Over-long values are dropped rather than searched for.
    pub(crate) fn sanitised(mut self) -> RegisterQuery {
        for v in [
            &mut self.q,
            &mut self.policy,
            &mut self.category,
            &mut self.domain,
            &mut self.country,
            &mut self.region,
            &mut self.status,
            &mut self.sort,
            &mut self.dir,
        ] {
            *v = v.trim().to_string();
            if v.chars().count() > 100 {
                v.clear();
            }
        }
        self.page = self.page.max(1);
        self
    }
}

/// One base as the register shows it.
#[derive(Debug, Clone)]
pub struct BaseRow {
    /// Id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit: String,
    /// Policy id.
    pub policy: String,
    /// Province.
    pub province: String,
    /// Category code.
    pub category: String,
    /// Category label.
    pub category_label: String,
    /// Technology domain.
    pub domain: String,
    /// Partner country code.
    pub country: String,
    /// Partner country name.
    pub country_label: String,
    /// Prefecture code.
    pub region: String,
    /// Region name.
    pub region_label: String,
    /// Status code.
    pub status: String,
    /// Status label.
    pub status_label: String,
    /// Named or recognised on.
    pub recognised_on: NaiveDate,
    /// Director.
    pub director: String,
}

/// A register row with its labels, as the page and the CSV show it.
pub(crate) fn base_row(policies: &PolicySet, r: &RegisterRow, l: Lang) -> BaseRow {
    BaseRow {
        id: r.id.clone(),
        name: r.name.clone(),
        unit: r.unit.clone(),
        policy: r.policy.clone(),
        province: policies
            .get(&r.policy)
            .map(|p| p.province.name.clone())
            .unwrap_or_default(),
        category: r.category.clone().unwrap_or_default(),
        category_label: view::category_label(policies, &r.policy, r.category.as_deref(), l),
        domain: r.domain.clone(),
        country: r.country.clone().unwrap_or_default(),
        country_label: view::country_label(r.country.as_deref(), l),
        region_label: view::region_label(Some(r.region.as_str()).filter(|r| !r.is_empty())),
        region: r.region.clone(),
        status: r.status_code().to_string(),
        status_label: view::status_label(r.status, l),
        recognised_on: r.recognised_on,
        director: r.director.clone(),
    }
}

/// A choice in a filter.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
}

/// A column header that sorts.
#[derive(Debug, Clone)]
pub struct SortCol {
    /// Label.
    pub label: String,
    /// Link.
    pub href: String,
    /// `ascending`, `descending` or `none` (aria-sort).
    pub aria: &'static str,
}

pub use crate::view::PageLink;

pub(crate) struct Filtered {
    /// Matching bases in all.
    total: usize,
    /// The page shown (clamped to the last page).
    page: usize,
    /// The rows of that page (all rows when no page size was asked for).
    pub(crate) rows: Vec<BaseRow>,
    policies: Vec<Opt>,
    categories: Vec<Opt>,
    domains: Vec<Opt>,
    countries: Vec<Opt>,
    regions: Vec<Opt>,
}

impl RegisterQuery {
    /// The question to the register view: the page's filters, its sort (a country by its name
    /// in the page's language) and, when given, its page size.
    pub(crate) fn to_app(&self, l: Lang, page_size: Option<usize>) -> read_models::RegisterQuery {
        let given = |s: &str| (!s.is_empty()).then(|| s.to_string());
        read_models::RegisterQuery {
            text: self.q.clone(),
            policies: given(&self.policy).map(|p| vec![p]),
            category: given(&self.category),
            domain: given(&self.domain),
            country: given(&self.country),
            region: given(&self.region).map(|r| read_models::RegionFilter {
                prefix: r.trim_end_matches('0').to_string(),
                with_unknown: true,
            }),
            statuses: given(&self.status).map(|s| read_models::status_codes(&s)),
            year: None,
            recognised_only: false,
            sort: match self.sort.as_str() {
                "unit" => SortKey::Unit,
                "domain" => SortKey::Domain,
                "country" if l == Lang::En => SortKey::CountryEn,
                "country" => SortKey::CountryZh,
                "region" => SortKey::Region,
                "status" => SortKey::Status,
                "recognised" => SortKey::Recognised,
                _ => SortKey::Name,
            },
            desc: self.dir == "desc",
            page: self.page,
            per_page: page_size,
            clamp_page: true,
        }
    }
}

/// The register's rows for the query and the filter choices, from the register view.
pub(crate) async fn filtered(state: &AppState, q: &RegisterQuery, l: Lang, page_size: Option<usize>) -> Filtered {
    let today = state.today();
    let page = state.guohe.register(&q.to_app(l, page_size), today, today).await;
    let choices = state.guohe.register_choices().await;
    let policies = state.guohe.policies();
    // Technology domains are free text; past a few hundred a list stops helping (the search box
    // matches domains too), so only the most common are offered, and the one chosen.
    let mut domains = choices.domains;
    if !q.domain.is_empty() && !domains.contains(&q.domain) {
        domains.push(q.domain.clone());
    }
    domains.sort();
    Filtered {
        total: page.total,
        page: page.page,
        rows: page.rows.iter().map(|r| base_row(policies, r, l)).collect(),
        policies: policies
            .all()
            .iter()
            .map(|p| Opt {
                value: p.id.clone(),
                label: format!("{}（{}）", p.province.name, p.document_number),
            })
            .collect(),
        categories: choices
            .categories
            .into_iter()
            .map(|(code, policy)| Opt {
                label: view::category_label(policies, &policy, Some(&code), l),
                value: code,
            })
            .collect(),
        domains: domains
            .into_iter()
            .map(|d| Opt {
                value: d.clone(),
                label: d,
            })
            .collect(),
        countries: choices
            .countries
            .into_iter()
            .map(|c| Opt {
                label: view::country_label(Some(&c), l),
                value: c,
            })
            .collect(),
        regions: choices
            .regions
            .into_iter()
            .map(|r| Opt {
                label: view::region_label(Some(&r)),
                value: r,
            })
            .collect(),
    }
}

/// 基地名录.
#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterTpl {
    /// Layout.
    pub c: Chrome,
    /// The filters as given.
    pub q: RegisterQuery,
    /// This page's rows.
    pub rows: Vec<BaseRow>,
    /// Matching rows in all.
    pub total: usize,
    /// Filter choices.
    pub policies: Vec<Opt>,
    /// Filter choices.
    pub categories: Vec<Opt>,
    /// Filter choices.
    pub domains: Vec<Opt>,
    /// Filter choices.
    pub countries: Vec<Opt>,
    /// Filter choices.
    pub regions: Vec<Opt>,
    /// Filter choices.
    pub statuses: Vec<Opt>,
    /// Sortable headers.
    pub cols: Vec<SortCol>,
    /// Pages.
    pub pages: Vec<PageLink>,
    /// CSV of the filtered list.
    pub csv_href: String,
    /// xlsx of the filtered list.
    pub xlsx_href: String,
}

/// `GET /bases` — the register with search, filters, sort and pages.
pub async fn register(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<RegisterQuery>,
) -> WebResult<Response> {
    let l = ctx.lang;
    // Visitors who are not signed in all see the same page for the same request.
    let key = ctx.principal().is_none().then(|| format!("page\n{l:?}\n{}", ctx.path));
    let stamp = state.stamp().await;
    if let Some(body) = key.as_deref().and_then(|k| state.pages.get(stamp, k)) {
        return Ok(Html(body).into_response());
    }
    let q = q.sanitised();
    let f = filtered(&state, &q, l, Some(PAGE_SIZE)).await;
    let total = f.total;
    let last = total.div_ceil(PAGE_SIZE).max(1);
    let page = f.page;
    let rows = f.rows;
    let cols = [
        ("name", l.t("基地名称", "Base")),
        ("unit", l.t("依托单位", "Support unit")),
        ("domain", l.t("技术领域", "Domain")),
        ("country", l.t("合作国别", "Partner country")),
        ("region", l.t("地区", "Region")),
        ("recognised", l.t("认定日期", "Recognised")),
        ("status", l.t("状态", "Status")),
    ]
    .into_iter()
    .map(|(key, label)| {
        let current = q.sort == key || (q.sort.is_empty() && key == "name");
        let desc = current && q.dir == "desc";
        let next = RegisterQuery {
            sort: key.into(),
            dir: if current && !desc { "desc".into() } else { "asc".into() },
            page: 1,
            ..q.clone()
        };
        SortCol {
            label: label.to_string(),
            href: next.href("/bases"),
            aria: if !current {
                "none"
            } else if desc {
                "descending"
            } else {
                "ascending"
            },
        }
    })
    .collect();
    let pages = view::page_links(last, page, |n| RegisterQuery { page: n, ..q.clone() }.href("/bases"));
    let statuses = std::iter::once(Opt {
        value: "on_register".into(),
        label: l.t("在册（正常运行及整改中）", "On the register").into(),
    })
    .chain(view::STATUSES.iter().map(|(c, zh, en)| Opt {
        value: (*c).into(),
        label: l.t(zh, en).into(),
    }))
    .collect();
    let csv_href = RegisterQuery { page: 1, ..q.clone() }.href("/bases.csv");
    let xlsx_href = RegisterQuery { page: 1, ..q.clone() }.href("/bases.xlsx");
    let body = Bytes::from(
        RegisterTpl {
            c: ctx.chrome("/bases"),
            q: RegisterQuery { page, ..q },
            rows,
            total,
            policies: f.policies,
            categories: f.categories,
            domains: f.domains,
            countries: f.countries,
            regions: f.regions,
            statuses,
            cols,
            pages,
            csv_href,
            xlsx_href,
        }
        .render()?,
    );
    if let Some(k) = key {
        state.pages.put(stamp, k, body.clone());
    }
    Ok(Html(body).into_response())
}

/// Spreadsheet programs run cells that start with these as formulas (CSV injection).
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `GET /bases.csv` — the filtered register as CSV (UTF-8 with BOM, so Excel reads Chinese).
pub async fn register_csv(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<RegisterQuery>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let key = format!("csv\n{l:?}\n{}", ctx.path);
    let stamp = state.stamp().await;
    let body = match state.pages.get(stamp, &key) {
        Some(body) => body,
        None => {
            let body = Bytes::from(register_csv_body(&state, &q.sanitised(), l).await?);
            state.pages.put(stamp, key, body.clone());
            body
        }
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(
            "attachment; filename=\"guohe-bases.csv\"; filename*=UTF-8''%E5%9F%BA%E5%9C%B0%E5%90%8D%E5%BD%95.csv",
        ),
    );
    Ok(resp)
}

/// The filtered register as CSV bytes (with the BOM).
async fn register_csv_body(state: &AppState, q: &RegisterQuery, l: Lang) -> WebResult<Vec<u8>> {
    let f = filtered(state, q, l, None).await;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        l.t("基地编号", "Id"),
        l.t("基地名称", "Base"),
        l.t("依托单位", "Support unit"),
        l.t("省份", "Province"),
        l.t("类型", "Category"),
        l.t("技术领域", "Domain"),
        l.t("合作国别", "Partner country"),
        l.t("地区", "Region"),
        l.t("认定日期", "Recognised"),
        l.t("状态", "Status"),
    ];
    let map = |e: csv::Error| WebError::Internal(format!("csv: {e}"));
    w.write_record(header).map_err(map)?;
    for r in &f.rows {
        w.write_record([
            cell(&r.id),
            cell(&r.name),
            cell(&r.unit),
            cell(&r.province),
            cell(&r.category_label),
            cell(&r.domain),
            cell(&r.country_label),
            cell(&r.region_label),
            r.recognised_on.to_string(),
            cell(&r.status_label),
        ])
        .map_err(map)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(w.into_inner().map_err(|e| WebError::Internal(format!("csv: {e}")))?);
    Ok(body)
}

/// A dated entry of a base's history.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// Date.
    pub on: NaiveDate,
    /// What.
    pub what: String,
    /// Detail (grade, year, until).
    pub detail: String,
    /// Articles applied: (label, text).
    pub cites: Vec<(String, String)>,
}

/// A base's public page.
#[derive(Template)]
#[template(path = "base_page.html")]
pub struct BaseTpl {
    /// Layout.
    pub c: Chrome,
    /// The base.
    pub b: BaseRow,
    /// Regulation title and number.
    pub policy_title: String,
    /// Status history: (from, label).
    pub statuses: Vec<(NaiveDate, String)>,
    /// Events with their articles.
    pub history: Vec<HistoryRow>,
    /// The inspection draws that drew this base: (draw id, day, purpose and year).
    pub draws: Vec<(String, NaiveDate, String)>,
    /// What its latest evaluation grade brings, and its post-subsidies.
    pub support: crate::pages::subsidies::BaseSupport,
}

/// `GET /bases/{id}` — a base's page with its status history and the articles cited.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let l = ctx.lang;
    let today = state.today();
    let found = state
        .guohe
        .read(|world, _, policies| {
            let b = world.base(&id)?;
            let row = base_row(policies, &RegisterRow::of(world, b, today), l);
            let title = policies
                .get(&b.policy)
                .map(|p| format!("{}（{}）", p.title, p.document_number))
                .unwrap_or_default();
            let statuses = b
                .history
                .iter()
                .filter(|e| e.from <= today)
                .map(|e| (e.from, view::status_label(e.status, l)))
                .collect::<Vec<_>>();
            let draws = world
                .draws_of_base(&b.id)
                .into_iter()
                .map(|d| {
                    let what = format!(
                        "{} {}",
                        d.event.year,
                        crate::pages::draws::purpose_label(d.event.purpose, l)
                    );
                    (d.event.draw.clone(), d.drawn_on, what)
                })
                .collect::<Vec<_>>();
            let support = crate::pages::subsidies::base_support(b, policies, l);
            Some((row, title, statuses, draws, support))
        })
        .await;
    let Some((b, policy_title, statuses, draws, support)) = found else {
        return Err(WebError::NotFound);
    };
    let events = state.guohe.history(&format!("base/{id}")).await?;
    let policies = state.guohe.policies();
    let history = events
        .iter()
        .filter_map(|e| {
            let (zh, en) = view::base_event_label(&e.kind)?;
            let p = &e.payload;
            let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let detail = match e.kind.as_str() {
                "AnnualAssessmentRecorded" | "EvaluationRecorded" => {
                    let year = p.get("year").map(|y| y.to_string()).unwrap_or_default();
                    let g = view::grade_label(policies, &b.policy, &s("grade"), l);
                    if year.is_empty() { g } else { format!("{year}: {g}") }
                }
                "AnnualReportSubmitted" | "AnnualReportMissing" => {
                    p.get("year").map(|y| y.to_string()).unwrap_or_default()
                }
                "RectificationOrdered" => format!("{} – {}", s("from"), s("until")),
                "FindingRecorded" => view::grade_label(policies, &b.policy, &s("finding"), l),
                "BaseReclassified" => view::category_label(policies, &b.policy, Some(&s("to")), l),
                "InspectionResultRecorded" => format!("{}：{}", s("draw"), s("findings")),
                "DocumentIssued" => format!("{} · SM3 {}", s("number"), s("sm3")),
                "PostSubsidyAwarded" => format!(
                    "{} {} · {} {} · {}",
                    p.get("year").map(|y| y.to_string()).unwrap_or_default(),
                    l.t("年度评估", "evaluation"),
                    s("amount_wan"),
                    l.t("万元", "万元 (10,000 yuan)"),
                    s("document_number")
                ),
                "RecommendedToNational" | "NationalOutcomeRecorded" => {
                    crate::pages::dept_national::history_detail(e, l)
                }
                _ => String::new(),
            };
            Some(HistoryRow {
                on: e.occurred_on,
                what: l.t(zh, en).to_string(),
                detail,
                cites: e
                    .articles
                    .iter()
                    .map(|a| view::citation_label(policies, a, l))
                    .collect(),
            })
        })
        .collect();
    render(&BaseTpl {
        c: ctx.chrome("/bases"),
        b,
        policy_title,
        statuses,
        history,
        draws,
        support,
    })
}

/// One application listed in a notice.
#[derive(Debug, Clone)]
pub struct NoticeItem {
    /// Application id.
    pub application: String,
    /// Support unit.
    pub unit: String,
    /// Domain.
    pub domain: String,
    /// Category label.
    pub category: String,
    /// Partner country.
    pub country: String,
    /// The name the base would take.
    pub proposed_name: String,
}

/// A 公示 notice as the public sees it.
#[derive(Debug, Clone)]
pub struct NoticeView {
    /// Id.
    pub id: String,
    /// Regulation number and province.
    pub policy_label: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Working days in the period.
    pub period_days: u32,
    /// Working days left, today included (0 when over).
    pub remaining: u32,
    /// `upcoming`, `running` or `ended`.
    pub phase: &'static str,
    /// Phase label.
    pub phase_label: String,
    /// Listed applications.
    pub items: Vec<NoticeItem>,
    /// Objections received.
    pub objections: usize,
    /// 文号 of the issued 公示 PDF, if issued.
    pub document: Option<String>,
}

fn notice_ids(world: &World) -> BTreeSet<String> {
    // The world has no list of notices; every notice lists applications that point back to it.
    world.applications().filter_map(|a| a.notice.clone()).collect()
}

pub(crate) async fn notice_views(state: &AppState, only: Option<&str>, l: Lang) -> Vec<NoticeView> {
    let today = state.today();
    state
        .guohe
        .read(|world, cal, policies| {
            let ids: Vec<String> = match only {
                Some(id) => vec![id.to_string()],
                None => notice_ids(world).into_iter().collect(),
            };
            let mut out: Vec<NoticeView> = ids
                .iter()
                .filter_map(|id| world.notice(id))
                .map(|n| {
                    let policy = policies.get(&n.policy);
                    let phase = if today < n.starts_on {
                        "upcoming"
                    } else if today <= n.ends_on {
                        "running"
                    } else {
                        "ended"
                    };
                    let remaining = match phase {
                        "upcoming" => cal.working_days_between(n.starts_on, n.ends_on).unwrap_or(0),
                        "running" => cal.working_days_between(today, n.ends_on).unwrap_or(0),
                        _ => 0,
                    };
                    let items = n
                        .applications
                        .iter()
                        .filter_map(|a| world.application(a))
                        .map(|a| {
                            let f = &a.facts;
                            NoticeItem {
                                application: a.id.clone(),
                                unit: f.unit.name.clone(),
                                domain: f.technology_domain.clone(),
                                category: view::category_label(policies, &a.policy, f.category.as_deref(), l),
                                country: view::country_label(Some(f.primary_partner.country.as_str()), l),
                                proposed_name: policy
                                    .and_then(|p| {
                                        guohe_policy::naming::official_name(
                                            p,
                                            &f.technology_domain,
                                            f.category.as_deref(),
                                            &f.unit.name,
                                        )
                                        .ok()
                                    })
                                    .unwrap_or_default(),
                            }
                        })
                        .collect();
                    NoticeView {
                        id: n.id.clone(),
                        policy_label: policy
                            .map(|p| format!("{} {}", p.province.name, p.document_number))
                            .unwrap_or_default(),
                        starts_on: n.starts_on,
                        ends_on: n.ends_on,
                        period_days: cal.working_days_between(n.starts_on, n.ends_on).unwrap_or(0),
                        remaining,
                        phase,
                        phase_label: match phase {
                            "upcoming" => l.t("即将开始", "Upcoming"),
                            "running" => l.t("公示中", "Running"),
                            _ => l.t("已结束", "Ended"),
                        }
                        .to_string(),
                        items,
                        objections: n.objections.len(),
                        document: crate::pages::documents::public_notice_number(world, &n.id),
                    }
                })
                .collect();
            out.sort_by(|a, b| b.starts_on.cmp(&a.starts_on).then_with(|| a.id.cmp(&b.id)));
            out
        })
        .await
}

/// 公示 list.
#[derive(Template)]
#[template(path = "notices.html")]
pub struct NoticesTpl {
    /// Layout.
    pub c: Chrome,
    /// Running and upcoming.
    pub current: Vec<NoticeView>,
    /// Ended.
    pub past: Vec<NoticeView>,
}

/// `GET /notices`.
pub async fn notices(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let (past, current): (Vec<_>, Vec<_>) = notice_views(&state, None, ctx.lang)
        .await
        .into_iter()
        .partition(|n| n.phase == "ended");
    render(&NoticesTpl {
        c: ctx.chrome("/notices"),
        current,
        past,
    })
}

/// The objection form's fields, kept when shown again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ObjectionForm {
    /// Application objected to.
    pub application: String,
    /// Real name.
    pub name: String,
    /// ID number or contact.
    pub contact: String,
    /// What is objected.
    pub content: String,
}

/// One notice with the objection form.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticeTpl {
    /// Layout.
    pub c: Chrome,
    /// The notice.
    pub n: NoticeView,
    /// The form as typed.
    pub form: ObjectionForm,
    /// Field errors.
    pub errors: FormErrors,
    /// A refusal not tied to one field.
    pub alert: String,
    /// The message after an objection was lodged (a flash, never from the query string).
    pub lodged: String,
    /// Objections received, the objector's name masked.
    pub objectors: Vec<PublicObjection>,
}

/// An objection as the public sees it: the objector's name masked (张*), no contact, no content.
#[derive(Debug, Clone)]
pub struct PublicObjection {
    /// Objection id.
    pub id: String,
    /// Application objected to.
    pub application: String,
    /// The objector's name, masked; 「已删除」 once erased.
    pub name: String,
    /// Date lodged.
    pub lodged_on: NaiveDate,
    /// Whether the department has resolved it.
    pub resolved: bool,
}

/// The objections to a notice for the public: names decrypted only to be masked.
async fn public_objections(state: &AppState, id: &str, l: Lang) -> WebResult<Vec<PublicObjection>> {
    let rows: Vec<PublicObjection> = state
        .guohe
        .read(|w, _, _| {
            w.notice(id)
                .map(|n| {
                    n.objections
                        .values()
                        .map(|o| PublicObjection {
                            id: o.id.clone(),
                            application: o.application.clone(),
                            name: o.objector_real_name.clone(),
                            lodged_on: o.lodged_on,
                            resolved: o.resolution.is_some(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .await;
    let mut out = Vec::with_capacity(rows.len());
    for mut r in rows {
        r.name = state
            .guohe
            .reveal(&r.name)
            .await?
            .masked(guohe_keys::mask::name, l == Lang::Zh);
        out.push(r);
    }
    Ok(out)
}

/// `GET /notices/{id}`.
pub async fn notice(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let n = notice_views(&state, Some(&id), ctx.lang)
        .await
        .pop()
        .ok_or(WebError::NotFound)?;
    let lodged = flash::take(&state, &ctx, &headers).await?;
    let objectors = public_objections(&state, &n.id, ctx.lang).await?;
    render(&NoticeTpl {
        c: ctx.chrome("/notices"),
        n,
        form: ObjectionForm::default(),
        errors: FormErrors::new(ctx.lang),
        alert: String::new(),
        lodged,
        objectors,
    })
}

/// Maximum lengths of the objection fields (characters).
pub const MAX_NAME: usize = 30;
/// See [`MAX_NAME`].
pub const MAX_CONTACT: usize = 60;
/// See [`MAX_NAME`].
pub const MAX_CONTENT: usize = 2000;

pub(crate) fn validate_objection(f: &ObjectionForm, n: &NoticeView) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let has_control = |s: &str| s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if !n.items.iter().any(|i| i.application == f.application) {
        errs.push(FieldError::new(
            "application",
            "请选择本公示所列的申报。",
            "Choose an application listed in this notice.",
        ));
    }
    let name = f.name.trim();
    if name.is_empty() {
        errs.push(FieldError::new(
            "name",
            "异议须实名提出，请填写真实姓名。",
            "Objections are made in one's real name; enter it.",
        ));
    } else if name.chars().count() > MAX_NAME {
        errs.push(FieldError::new(
            "name",
            format!("姓名最多{MAX_NAME}字。"),
            format!("At most {MAX_NAME} characters."),
        ));
    } else if has_control(name) || name.contains(['<', '>']) {
        errs.push(FieldError::new(
            "name",
            "姓名含有不允许的字符。",
            "The name contains characters that are not allowed.",
        ));
    }
    let contact = f.contact.trim();
    if contact.is_empty() {
        errs.push(FieldError::new(
            "contact",
            "请填写身份证号或联系方式，以便核实和反馈。",
            "Enter an ID number or a contact so the department can follow up.",
        ));
    } else if contact.chars().count() > MAX_CONTACT {
        errs.push(FieldError::new(
            "contact",
            format!("最多{MAX_CONTACT}字。"),
            format!("At most {MAX_CONTACT} characters."),
        ));
    } else if has_control(contact) {
        errs.push(FieldError::new(
            "contact",
            "含有不允许的字符。",
            "Contains characters that are not allowed.",
        ));
    }
    let content = f.content.trim();
    let len = content.chars().count();
    if content.is_empty() {
        errs.push(FieldError::new(
            "content",
            "请填写异议内容和事实依据。",
            "Describe the objection and the facts behind it.",
        ));
    } else if len > MAX_CONTENT {
        errs.push(FieldError::new(
            "content",
            format!("异议内容最多{MAX_CONTENT}字（现{len}字）。"),
            format!("At most {MAX_CONTENT} characters ({len} given)."),
        ));
    } else if has_control(content) {
        errs.push(FieldError::new(
            "content",
            "含有不允许的控制字符。",
            "Contains control characters.",
        ));
    }
    errs
}

/// `POST /notices/{id}/objections` — a real-name objection (实名异议), lodged through the
/// domain; on any error nothing is stored and the form comes back with what was typed.
pub async fn lodge_objection(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ObjectionForm>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let n = notice_views(&state, Some(&id), l)
        .await
        .pop()
        .ok_or(WebError::NotFound)?;
    let mut errors = FormErrors::new(l);
    let mut alert = String::new();
    let mut status = StatusCode::BAD_REQUEST;
    for e in validate_objection(&form, &n) {
        errors.push(e);
    }
    if errors.is_empty()
        && let Err(refusal) = objection_guard(&state, &ctx.client.ip, &n.id, &form).await?
    {
        alert = l.pick(refusal.zh, refusal.en);
        status = refusal.status;
    } else if errors.is_empty() {
        let cmd = Command::LodgeObjection(LodgeObjection {
            notice: n.id.clone(),
            application: form.application.clone(),
            objector_real_name: form.name.trim().to_string(),
            contact: form.contact.trim().to_string(),
            content: form.content.trim().to_string(),
        });
        let actor = Actor {
            role: Role::Public,
            id: "public:objector".into(),
        };
        match state.guohe.execute(&actor, state.today(), cmd).await {
            Ok(outcome) => {
                let objection = outcome
                    .events
                    .iter()
                    .find_map(|e| match &e.kind {
                        guohe_domain::EventKind::ObjectionLodged(o) => Some(o.objection.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let set = flash::put_for(
                    &state,
                    &ctx,
                    &format!("您的异议已受理，编号 {objection}。我厅将核实处理并联系您。"),
                    &format!(
                        "Your objection was received; its number is {objection}. The department will look into it and contact you."
                    ),
                )
                .await?;
                let mut resp = Redirect::to(&format!("/notices/{}", view::urlencode(&n.id))).into_response();
                if let Some(c) = set {
                    resp.headers_mut().append(header::SET_COOKIE, c);
                }
                return Ok(resp);
            }
            Err(AppError::Refused(r)) => {
                let (zh, en) = WebError::refusal_text(&r);
                let field = match r.field.as_deref() {
                    Some("objector_real_name") => Some("name"),
                    Some(f @ ("contact" | "content" | "application")) => Some(f),
                    _ => None,
                };
                match field {
                    Some(f) => errors.push(FieldError::new(f, zh, en)),
                    None => {
                        alert = l.pick(zh, en);
                        status = StatusCode::CONFLICT;
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let objectors = public_objections(&state, &n.id, l).await?;
    let page = NoticeTpl {
        c: ctx.chrome("/notices"),
        n,
        form,
        errors,
        alert,
        lodged: String::new(),
        objectors,
    };
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Why an objection was refused before it reached the domain.
#[derive(Debug, Clone)]
pub(crate) struct ObjectionRefusal {
    /// 409 for a duplicate, 429 over the limit.
    pub status: StatusCode,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
    /// Stable machine code for the API.
    pub code: &'static str,
}

/// Refuses an objection that repeats one already lodged (same notice, application, real name,
/// contact and text), and counts the client's objections to the notice today: at most
/// `objections_per_day` per client address per notice per day (the count is kept in the
/// shared database, so every server applies the same limit). Called by the page and the API.
pub(crate) async fn objection_guard(
    state: &AppState,
    client_ip: &str,
    notice: &str,
    f: &ObjectionForm,
) -> WebResult<Result<(), ObjectionRefusal>> {
    let (name, contact, content) = (f.name.trim(), f.contact.trim(), f.content.trim());
    // Names and contacts are stored sealed (each under its own nonce), so the candidates with the
    // same application and text are opened to compare them.
    let candidates: Vec<(String, String)> = state
        .guohe
        .read(|w, _, _| {
            w.notice(notice)
                .map(|n| {
                    n.objections
                        .values()
                        .filter(|o| o.application == f.application && o.content == content)
                        .map(|o| (o.objector_real_name.clone(), o.contact.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
        .await;
    let mut duplicate = false;
    for (sealed_name, sealed_contact) in candidates {
        let same_name = state.guohe.reveal(&sealed_name).await?.value() == Some(name);
        if same_name && state.guohe.reveal(&sealed_contact).await?.value() == Some(contact) {
            duplicate = true;
            break;
        }
    }
    if duplicate {
        return Ok(Err(ObjectionRefusal {
            status: StatusCode::CONFLICT,
            zh: "同一异议已经受理，无需重复提交。如有新的事实，请在异议内容中补充后再提交。".into(),
            en: "This objection was already received; there is no need to lodge it again. If there are new facts, add them to the text."
                .into(),
            code: "duplicate_objection",
        }));
    }
    let limit = i64::from(state.settings.objections_per_day);
    let day = state.today().to_string();
    let key = format!("{}\n{notice}", client_ip.chars().take(64).collect::<String>());
    let count = guohe_store::signin::SigninStore::new(state.guohe.log())
        .bump_form_count("objection", &key, &day)
        .await?;
    if count > limit {
        return Ok(Err(ObjectionRefusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            zh: format!("同一来源每天对同一公示最多提交{limit}条异议，请明天再提交或直接联系我厅。"),
            en: format!(
                "At most {limit} objections per day to one notice from one address; try again tomorrow or contact the department."
            ),
            code: "objection_limit",
        }));
    }
    Ok(Ok(()))
}

/// A named base: (id, official name, unit).
type Named = (String, String, String);

/// Bases named on one day under one regulation.
#[derive(Debug, Clone)]
pub struct AnnouncementGroup {
    /// Naming date.
    pub on: NaiveDate,
    /// Regulation label.
    pub policy_label: String,
    /// (id, official name, unit).
    pub bases: Vec<(String, String, String)>,
}

/// 公告.
#[derive(Template)]
#[template(path = "announcements.html")]
pub struct AnnouncementsTpl {
    /// Layout.
    pub c: Chrome,
    /// Newest first.
    pub groups: Vec<AnnouncementGroup>,
}

/// `GET /announcements` — named bases by naming date, with their official names.
pub async fn announcements(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let today = state.today();
    let groups = state
        .guohe
        .read(|world, _, policies| {
            let mut by: BTreeMap<(NaiveDate, String), Vec<Named>> = BTreeMap::new();
            for b in world
                .bases()
                .filter(|b| matches!(b.origin, Origin::Named { .. }) && b.recognised_on <= today)
            {
                by.entry((b.recognised_on, b.policy.clone())).or_default().push((
                    b.id.clone(),
                    b.official_name.clone(),
                    b.unit_name.clone(),
                ));
            }
            by.into_iter()
                .rev()
                .map(|((on, policy), mut bases)| {
                    bases.sort();
                    AnnouncementGroup {
                        on,
                        policy_label: policies
                            .get(&policy)
                            .map(|p| format!("{}（{}）", p.issuer, p.document_number))
                            .unwrap_or(policy),
                        bases,
                    }
                })
                .collect::<Vec<_>>()
        })
        .await;
    render(&AnnouncementsTpl {
        c: ctx.chrome("/announcements"),
        groups,
    })
}

/// Whether an application is in a public stage (for links from notices).
pub fn is_public_stage(s: ApplicationStatus) -> bool {
    matches!(s, ApplicationStatus::InNotice | ApplicationStatus::Named)
}
