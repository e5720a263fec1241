//! List tables: sort, filter, search, pages and CSV, as every work area's lists show them.

use super::*;

/// A table cell.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// Text.
    pub text: String,
    /// Link, if any.
    pub href: String,
    /// CSS class (`status s-active`, `num`).
    pub class: String,
}

impl Cell {
    /// Plain text.
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }
    /// A link.
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: href.into(),
            ..Cell::default()
        }
    }
    /// With a class.
    pub fn class(mut self, c: &str) -> Cell {
        self.class = c.into();
        self
    }
}

/// A row before sorting and filtering.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Cells, one per column.
    pub cells: Vec<Cell>,
    /// Sort keys, one per column (defaults to the cell text).
    pub keys: Vec<String>,
    /// Filter values by filter name.
    pub tags: BTreeMap<String, String>,
}

/// A filter as a list declares it: (query parameter, label, options as (value, label)).
pub type FilterSpec = (String, String, Vec<(String, String)>);

/// A filter select.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Query parameter.
    pub name: String,
    /// Label.
    pub label: String,
    /// Options: (value, label).
    pub options: Vec<(String, String)>,
    /// Chosen value.
    pub value: String,
}

/// A column heading with its sort link.
#[derive(Debug, Clone)]
pub struct Col {
    /// Label.
    pub label: String,
    /// Sort link.
    pub href: String,
    /// `ascending`, `descending` or `none`.
    pub aria: String,
}

/// A pagination link.
#[derive(Debug, Clone)]
pub struct PageLink {
    /// Number.
    pub n: usize,
    /// Link.
    pub href: String,
    /// Current.
    pub current: bool,
}

/// A sorted, filtered, searched and paged table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Path of the list.
    pub path: String,
    /// Search text.
    pub q: String,
    /// Filters.
    pub filters: Vec<Filter>,
    /// Headings.
    pub cols: Vec<Col>,
    /// Rows of this page.
    pub rows: Vec<Vec<Cell>>,
    /// Matching rows.
    pub total: usize,
    /// Page links.
    pub pages: Vec<PageLink>,
    /// CSV of the filtered list.
    pub csv_href: String,
    /// Sort column and direction, kept by the filter form.
    pub sort: String,
    /// `asc` / `desc`.
    pub dir: String,
}

/// Rows per page.
pub const PAGE_SIZE: usize = 20;

pub(crate) fn query_string(params: &BTreeMap<String, String>, set: &[(&str, String)]) -> String {
    let mut p = params.clone();
    for (k, v) in set {
        p.insert((*k).to_string(), v.clone());
    }
    p.retain(|k, v| !v.is_empty() && k != "format");
    serde_urlencoded::to_string(&p).unwrap_or_default()
}

/// A list's query parameters as the lists read them: trimmed, at most 100 characters, without
/// the language.
pub(crate) fn list_params(params: &HashMap<String, String>) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| k.as_str() != "lang")
        .map(|(k, v)| (k.clone(), v.trim().chars().take(100).collect()))
        .collect()
}

/// The filters with the values chosen in `params`.
pub(crate) fn chosen_filters(filters: Vec<FilterSpec>, params: &BTreeMap<String, String>) -> Vec<Filter> {
    filters
        .into_iter()
        .map(|(name, label, options)| Filter {
            value: params.get(&name).cloned().unwrap_or_default(),
            name,
            label,
            options,
        })
        .collect()
}

/// The column sorted by (`sort`, an index below `columns`) and whether descending (`dir`).
pub(crate) fn sort_asked(params: &BTreeMap<String, String>, columns: usize) -> (Option<usize>, bool) {
    let sort = params.get("sort").and_then(|s| s.parse().ok()).filter(|i| *i < columns);
    (sort, params.get("dir").is_some_and(|d| d == "desc"))
}

/// The column headings, each a link sorting by it (the next direction) when `sortable` says so;
/// `sort` is the column sorted by now.
pub(crate) fn heading_links(
    path: &str,
    params: &BTreeMap<String, String>,
    headings: &[String],
    sort: Option<usize>,
    desc: bool,
    sortable: impl Fn(usize) -> bool,
) -> Vec<Col> {
    headings
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let (aria, next) = match (sort == Some(i), desc) {
                (true, false) => ("ascending", "desc"),
                (true, true) => ("descending", "asc"),
                _ => ("none", "asc"),
            };
            Col {
                label: label.clone(),
                href: if sortable(i) {
                    format!(
                        "{path}?{}",
                        query_string(
                            params,
                            &[("sort", i.to_string()), ("dir", next.into()), ("page", String::new())]
                        )
                    )
                } else {
                    String::new()
                },
                aria: aria.into(),
            }
        })
        .collect()
}

/// The link to the CSV of the list as filtered (every page).
pub(crate) fn csv_link(path: &str, params: &BTreeMap<String, String>) -> String {
    let href = format!(
        "{path}?{}",
        query_string(params, &[("format", String::new()), ("page", String::new())])
    );
    format!("{}{}format=csv", href, if href.ends_with('?') { "" } else { "&" })
}

impl Table {
    /// Builds the table from every row: search (`q`, over all cells), filters, sort (`sort` =
    /// column index, `dir`), page (`page`).
    pub fn build(
        path: &str,
        params: &HashMap<String, String>,
        headings: &[String],
        filters: Vec<FilterSpec>,
        rows: Vec<Row>,
    ) -> (Table, Vec<Row>) {
        let params = list_params(params);
        let q = params.get("q").cloned().unwrap_or_default();
        let ql = q.to_lowercase();
        let filters = chosen_filters(filters, &params);
        let mut rows: Vec<Row> = rows
            .into_iter()
            .filter(|r| {
                ql.is_empty()
                    || r.cells.iter().any(|c| c.text.to_lowercase().contains(&ql))
                    || r.tags.values().any(|t| t.to_lowercase() == ql)
            })
            .filter(|r| {
                filters
                    .iter()
                    .all(|f| f.value.is_empty() || r.tags.get(&f.name).is_some_and(|t| *t == f.value))
            })
            .collect();
        let (sort, desc) = sort_asked(&params, headings.len());
        if let Some(i) = sort {
            rows.sort_by(|a, b| {
                let ka = a.keys.get(i).or(a.cells.get(i).map(|c| &c.text));
                let kb = b.keys.get(i).or(b.cells.get(i).map(|c| &c.text));
                let o = ka.cmp(&kb);
                if desc { o.reverse() } else { o }
            });
        }
        let total = rows.len();
        let pages_n = total.div_ceil(PAGE_SIZE).max(1);
        let page: usize = params
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .clamp(1, pages_n);
        let cols = heading_links(path, &params, headings, sort, desc, |_| true);
        // The first, the last and the pages around the current one, as on the read models' lists.
        let pages = crate::pages::list_paged::page_window(path, &params, pages_n, page);
        let shown: Vec<Vec<Cell>> = rows
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|r| r.cells.clone())
            .collect();
        let csv_href = csv_link(path, &params);
        (
            Table {
                path: path.into(),
                q,
                filters,
                cols,
                rows: shown,
                total,
                pages,
                csv_href,
                sort: sort.map(|s| s.to_string()).unwrap_or_default(),
                dir: params.get("dir").cloned().unwrap_or_default(),
            },
            rows,
        )
    }
}

/// A CSV download of the cells of a list's rows (a read model's page with every row).
pub fn csv_of_cells(file: &str, headings: &[String], rows: Vec<Vec<Cell>>) -> WebResult<Response> {
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|cells| Row {
            cells,
            ..Row::default()
        })
        .collect();
    csv(file, headings, &rows)
}

/// A CSV download (UTF-8 with BOM, for Excel) of rows' cell texts.
pub fn csv(file: &str, headings: &[String], rows: &[Row]) -> WebResult<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| WebError::Internal(format!("csv: {e}"));
    w.write_record(headings).map_err(err)?;
    for r in rows {
        // Cells starting with = + - @ would run as formulas in a spreadsheet.
        w.write_record(r.cells.iter().map(|c| {
            if c.text.starts_with(['=', '+', '-', '@']) {
                format!("'{}", c.text)
            } else {
                c.text.clone()
            }
        }))
        .map_err(err)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(w.into_inner().map_err(|e| WebError::Internal(format!("csv: {e}")))?);
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The generic list page.
#[derive(Template)]
#[template(path = "dept_shared_list.html")]
pub struct ListTpl {
    /// Layout.
    pub c: Chrome,
    /// Heading.
    pub title: String,
    /// Lead text.
    pub intro: String,
    /// Links above the table: (href, label).
    pub actions: Vec<(String, String)>,
    /// The table.
    pub t: Table,
}

/// Renders a list, or its CSV when `format=csv`.
#[allow(clippy::too_many_arguments)]
pub fn list_page(
    c: Chrome,
    params: &HashMap<String, String>,
    path: &str,
    title: String,
    intro: String,
    actions: Vec<(String, String)>,
    headings: Vec<String>,
    filters: Vec<FilterSpec>,
    rows: Vec<Row>,
    csv_name: &str,
) -> WebResult<Response> {
    let (t, all) = Table::build(path, params, &headings, filters, rows);
    if params.get("format").is_some_and(|f| f == "csv") {
        return csv(csv_name, &headings, &all);
    }
    view::render(&ListTpl {
        c,
        title,
        intro,
        actions,
        t,
    })
}
