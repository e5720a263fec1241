//! 统计 — the statistics pages: `/stats` for the public (the bases, as the register shows them,
//! for any province's policy) and `/dept/stats` for the department (adds applications,
//! assessments and evaluations, its own province's policies only), both as of any date, each
//! statistic as a server-rendered SVG chart beside its table, and the whole as an xlsx workbook
//! (`format=xlsx`). The numbers come from [`guohe_app::stats::compute`], as `guohe stats`'s do.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use guohe_app::stats::{self, Scope, Statistic, Stats};

use super::work::{self, Feedback, Vals, render_status};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::Chrome;

/// Width of the chart's label column, in SVG units.
const LABEL_W: f64 = 190.0;
/// Width of the bar area.
const BAR_W: f64 = 360.0;
/// Room for the count after a bar.
const VALUE_W: f64 = 50.0;
/// One row of bars.
const ROW_H: f64 = 22.0;
/// Height of a bar.
const BAR_H: f64 = 14.0;
/// Width of one legend entry; entries wrap after [`LEGEND_PER_LINE`].
const LEGEND_W: f64 = 120.0;
const LEGEND_PER_LINE: usize = 5;
/// Characters of a label shown in the chart (the whole label is in the table and the tooltip).
const LABEL_CHARS: usize = 13;

/// Series colours, distinguishable for the common colour-vision deficiencies (Okabe–Ito).
const PALETTE: [&str; 9] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#000000",
];

/// A bar segment.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Left edge.
    pub x: String,
    /// Width.
    pub w: String,
    /// Colour.
    pub fill: &'static str,
    /// Tooltip: row, series, count.
    pub tip: String,
}

/// A row of the chart.
#[derive(Debug, Clone)]
pub struct ChartRow {
    /// Top of the bar.
    pub y: String,
    /// Baseline of the label.
    pub text_y: String,
    /// The label as shown (shortened).
    pub label: String,
    /// The whole label.
    pub full: String,
    /// Segments, one per non-zero series.
    pub segments: Vec<Segment>,
    /// The total and where it is written.
    pub total: u64,
    /// Left edge of the total.
    pub total_x: String,
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// Left edge of the swatch.
    pub x: String,
    /// Top of the swatch.
    pub y: String,
    /// Baseline of the text.
    pub text_y: String,
    /// Left edge of the text.
    pub text_x: String,
    /// Colour.
    pub fill: &'static str,
    /// Series label.
    pub label: String,
}

/// A horizontal (stacked) bar chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Total width.
    pub width: String,
    /// Total height.
    pub height: String,
    /// Rows.
    pub rows: Vec<ChartRow>,
    /// Legend (several series only).
    pub legend: Vec<LegendItem>,
    /// The x of the axis line.
    pub axis_x: String,
    /// Top and bottom of the axis line.
    pub axis_top: String,
    /// Bottom of the axis.
    pub axis_bottom: String,
}

/// One statistic as the page shows it.
#[derive(Debug, Clone)]
pub struct StatView {
    /// Anchor.
    pub id: String,
    /// Title.
    pub title: String,
    /// The first column's heading.
    pub rows_are: String,
    /// Series headings.
    pub series: Vec<String>,
    /// Several series (a 合计 column).
    pub multi: bool,
    /// Rows: label, counts, total.
    pub rows: Vec<(String, Vec<u64>, u64)>,
    /// Totals per series.
    pub totals: Vec<u64>,
    /// The grand total.
    pub total: u64,
    /// The chart.
    pub chart: Chart,
}

fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

fn short(s: &str) -> String {
    if s.chars().count() > LABEL_CHARS {
        let mut t: String = s.chars().take(LABEL_CHARS - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// The chart of a statistic: one bar per row, a segment per series, scaled to the largest row.
pub fn chart(s: &Statistic, l: Lang) -> Chart {
    let multi = s.series.len() > 1;
    let legend_lines = if multi {
        s.series.len().div_ceil(LEGEND_PER_LINE)
    } else {
        0
    };
    let top = 6.0 + legend_lines as f64 * 18.0;
    let max = s.rows.iter().map(|r| r.total).max().unwrap_or(0).max(1) as f64;
    let label = |x: &guohe_app::stats::Label| l.t(&x.zh, &x.en).to_string();
    let rows = s
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = top + i as f64 * ROW_H;
            let mut x = LABEL_W;
            let full = label(&r.label);
            let segments = r
                .counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(j, n)| {
                    let w = *n as f64 / max * BAR_W;
                    let seg = Segment {
                        x: fmt(x),
                        w: fmt(w),
                        fill: PALETTE[j % PALETTE.len()],
                        tip: if multi {
                            format!("{full} · {}：{n}", label(&s.series[j]))
                        } else {
                            format!("{full}：{n}")
                        },
                    };
                    x += w;
                    seg
                })
                .collect();
            ChartRow {
                y: fmt(y + (ROW_H - BAR_H) / 2.0),
                text_y: fmt(y + ROW_H / 2.0 + 4.5),
                label: short(&full),
                full,
                segments,
                total: r.total,
                total_x: fmt(x + 4.0),
            }
        })
        .collect::<Vec<_>>();
    let legend = if multi {
        s.series
            .iter()
            .enumerate()
            .map(|(j, x)| {
                let lx = 4.0 + (j % LEGEND_PER_LINE) as f64 * LEGEND_W;
                let ly = 4.0 + (j / LEGEND_PER_LINE) as f64 * 18.0;
                LegendItem {
                    x: fmt(lx),
                    y: fmt(ly),
                    text_y: fmt(ly + 10.0),
                    text_x: fmt(lx + 16.0),
                    fill: PALETTE[j % PALETTE.len()],
                    label: short(&label(x)),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let bottom = top + rows.len().max(1) as f64 * ROW_H;
    Chart {
        width: fmt(LABEL_W + BAR_W + VALUE_W),
        height: fmt(bottom + 6.0),
        rows,
        legend,
        axis_x: fmt(LABEL_W),
        axis_top: fmt(top),
        axis_bottom: fmt(bottom),
    }
}

fn view_of(s: &Statistic, l: Lang) -> StatView {
    StatView {
        id: s.id.clone(),
        title: l.t(&s.title.zh, &s.title.en).to_string(),
        rows_are: l.t(&s.rows_are.zh, &s.rows_are.en).to_string(),
        series: s.series.iter().map(|x| l.t(&x.zh, &x.en).to_string()).collect(),
        multi: s.series.len() > 1,
        rows: s
            .rows
            .iter()
            .map(|r| (l.t(&r.label.zh, &r.label.en).to_string(), r.counts.clone(), r.total))
            .collect(),
        totals: (0..s.series.len())
            .map(|j| s.rows.iter().map(|r| r.counts[j]).sum())
            .collect(),
        total: s.total,
        chart: chart(s, l),
    }
}

/// `GET /stats`, `GET /dept/stats`.
#[derive(Template)]
#[template(path = "stats.html")]
pub struct StatsTpl {
    /// Layout.
    pub c: Chrome,
    /// The department's view.
    pub dept: bool,
    /// The form's action.
    pub action: &'static str,
    /// Policies to choose from: (id, label).
    pub policies: Vec<(String, String)>,
    /// The date read, when the query was valid.
    pub as_of: Option<NaiveDate>,
    /// The policies counted, as labels.
    pub counted: String,
    /// Bases on the register on the date.
    pub on_register: u64,
    /// The statistics.
    pub stats: Vec<StatView>,
    /// The xlsx link's query.
    pub query: String,
    /// The form's values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

/// The policies and date asked for: `policy` (empty for every policy offered) and `as_of` (the
/// business date when empty), each error naming its field and keeping what was typed.
fn selection(
    state: &AppState,
    offered: &[(String, String)],
    v: &Vals,
    errs: &mut Vec<FieldError>,
) -> (Vec<String>, NaiveDate) {
    let policy = v.t("policy");
    let chosen = if policy.is_empty() {
        offered.iter().map(|p| p.0.clone()).collect()
    } else if state.guohe.policies().get(&policy).is_none() {
        errs.push(FieldError::new(
            "policy",
            format!("未载入办法“{policy}”"),
            format!("no policy `{policy}` is loaded"),
        ));
        Vec::new()
    } else {
        vec![policy]
    };
    let as_of = match v.t("as_of") {
        s if s.is_empty() => state.today(),
        _ => work::date_field(v, "as_of", errs).unwrap_or(state.today()),
    };
    (chosen, as_of)
}

async fn respond(
    ctx: &RequestCtx,
    state: &AppState,
    scope: Scope,
    offered: Vec<(String, String)>,
    p: Option<&Principal>,
    v: Vals,
) -> WebResult<Response> {
    let l = ctx.lang;
    let mut errs = Vec::new();
    let (chosen, as_of) = selection(state, &offered, &v, &mut errs);
    // An empty choice means "every policy" to the computation: a department whose province has
    // no policy loaded must not fall through to every province's.
    if chosen.is_empty() && errs.is_empty() {
        errs.push(FieldError::new(
            "policy",
            "本省未载入任何办法",
            "no policy of the province is loaded",
        ));
    }
    // The department reads its own province only (authz::province_policies).
    if let Some(p) = p {
        for id in &chosen {
            p.in_province(id)?;
        }
    }
    let xlsx = v.t("format") == "xlsx";
    if xlsx && !errs.is_empty() {
        return Err(WebError::BadRequest {
            zh: "查询条件有误".into(),
            en: "the query is invalid".into(),
            fields: errs,
        });
    }
    let computed: Option<std::sync::Arc<Stats>> = if errs.is_empty() {
        Some(state.guohe.statistics(&chosen, as_of, scope).await)
    } else {
        None
    };
    if xlsx && let Some(s) = &computed {
        let bytes = stats::xlsx(s).map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
        let which = if v.t("policy").is_empty() {
            "all".to_string()
        } else {
            v.t("policy")
        };
        return Ok(super::download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("statistics-{which}-{as_of}.xlsx"),
        ));
    }
    let fb = if errs.is_empty() {
        Feedback::none(l)
    } else {
        let mut fb = Feedback::invalid(l, errs);
        fb.alert = l
            .t(
                "查询条件有误，请按提示更正。",
                "The query is invalid: correct the fields shown.",
            )
            .into();
        fb
    };
    let policies = state.guohe.policies();
    let counted = computed
        .as_ref()
        .map(|s| {
            s.policies
                .iter()
                .map(|id| {
                    policies
                        .get(id)
                        .map(|p| format!("{}（{}）", p.title, p.document_number))
                        .unwrap_or_else(|| id.clone())
                })
                .collect::<Vec<_>>()
                .join("、")
        })
        .unwrap_or_default();
    let mut query = format!("as_of={as_of}");
    if !v.t("policy").is_empty() {
        query.push_str(&format!("&policy={}", crate::view::urlencode(&v.t("policy"))));
    }
    let dept = scope == Scope::Department;
    let tpl = StatsTpl {
        c: ctx.chrome(if dept { "/dept" } else { "/stats" }),
        dept,
        action: if dept { "/dept/stats" } else { "/stats" },
        policies: offered,
        as_of: computed.as_ref().map(|s| s.as_of),
        counted,
        on_register: computed.as_ref().map_or(0, |s| s.on_register),
        stats: computed
            .as_ref()
            .map(|s| s.statistics.iter().map(|x| view_of(x, l)).collect())
            .unwrap_or_default(),
        query,
        v,
        fb: fb.clone(),
    };
    render_status(
        &tpl,
        if fb.errors.is_empty() {
            StatusCode::OK
        } else {
            fb.status
        },
    )
}

/// `GET /stats?policy=…&as_of=…[&format=xlsx]` — the bases' statistics for anyone.
pub async fn public(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let offered: Vec<(String, String)> = state
        .guohe
        .policies()
        .all()
        .iter()
        .map(|p| (p.id.clone(), format!("{}（{}）", p.province.name, p.document_number)))
        .collect();
    let v = Vals::new(q.into_iter().collect());
    respond(&ctx, &state, Scope::Public, offered, None, v).await
}

/// `GET /dept/stats?policy=…&as_of=…[&format=xlsx]` — every statistic of the department's
/// province.
pub async fn department(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::ViewStatistics)?;
    let offered = work::policy_options(state.guohe.policies(), &p);
    let v = Vals::new(q.into_iter().collect());
    respond(&ctx, &state, Scope::Department, offered, Some(&p), v).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_app::stats::{Label, Row};

    fn lab(k: &str) -> Label {
        Label {
            key: k.into(),
            zh: k.into(),
            en: k.into(),
        }
    }

    #[test]
    fn bars_scale_to_the_largest_row_and_stack_by_series() {
        let s = Statistic {
            id: "x".into(),
            title: lab("t"),
            rows_are: lab("r"),
            series: vec![lab("a"), lab("b")],
            rows: vec![
                Row {
                    label: lab("一个很长很长很长很长的技术领域名称"),
                    counts: vec![2, 2],
                    total: 4,
                },
                Row {
                    label: lab("短"),
                    counts: vec![0, 1],
                    total: 1,
                },
            ],
            total: 5,
        };
        let c = chart(&s, Lang::Zh);
        assert_eq!(c.rows[0].segments.len(), 2);
        assert_eq!(c.rows[0].segments[0].w, fmt(BAR_W / 2.0));
        assert_eq!(c.rows[0].segments[1].x, fmt(LABEL_W + BAR_W / 2.0));
        assert_eq!(c.rows[1].segments.len(), 1, "a zero count draws nothing");
        assert_eq!(c.rows[1].segments[0].w, fmt(BAR_W / 4.0));
        assert_eq!(c.rows[0].label.chars().count(), LABEL_CHARS);
        assert_eq!(c.legend.len(), 2);
    }
}
