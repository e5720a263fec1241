//! 公开页面 — the register of bases, a base's public page, 公示 notices with the real-name
//! objection form, and 公告 announcements. Nothing here needs a sign-in; nothing here shows
//! more than the register and the notices publish.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::read_models::{self, RegisterRow, SortKey};
use guohe_domain::ApplicationStatus;
use guohe_policy::PolicySet;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

mod base_page;

pub use base_page::*;

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
