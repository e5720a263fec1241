//! 申报一览 — a list of applications served a page at a time from the applications view, shared
//! by the department's pipeline (`/dept/applications`) and the recommender's desk
//! (`/recommender`): search in the id, the unit's name and the domain; filters by stage, policy
//! and round; sorting by the columns the view keeps an order for; windowed page links; a CSV of
//! every matching row. The page parses the query, asks the service, and lays out what it found.

use std::collections::{BTreeMap, HashMap};

use axum::response::Response;
use guohe_app::application_desk::ApplicationRow;
use guohe_app::read_models::{ApplicationPage, ApplicationQuery, ApplicationScope, ApplicationSort};

use super::list_paged::{self, Found, Window};
use super::work::{self, Cell, Filter, ListTpl, Table};
use crate::AppState;
use crate::authz::Principal;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::view::{self, Chrome};

/// What a list of applications shows and where.
pub(crate) struct ApplicationList {
    /// The list's path (its links point back to it).
    pub path: &'static str,
    /// Layout.
    pub chrome: Chrome,
    /// Heading.
    pub title: String,
    /// Lead text.
    pub intro: String,
    /// Links above the table: (href, label).
    pub actions: Vec<(String, String)>,
    /// Column headings.
    pub headings: Vec<String>,
    /// The order the view keeps for a column, if it keeps one.
    pub sort_by_column: fn(usize) -> Option<ApplicationSort>,
    /// The column ordered by when the query names none it can order by.
    pub default_sort: Option<usize>,
    /// The filters offered, by query parameter: `stage`, `policy`, `round`.
    pub filters: Vec<work::FilterSpec>,
    /// The CSV's file name.
    pub csv_name: &'static str,
}

/// The filters an application list offers `p`: stage, the policies it works under, and their
/// rounds.
pub(crate) async fn filters(state: &AppState, p: &Principal, l: Lang) -> Vec<work::FilterSpec> {
    let rounds: Vec<(String, String)> = work::round_ids(&state.guohe, p)
        .await
        .into_iter()
        .map(|r| (r.clone(), r))
        .collect();
    vec![
        ("stage".into(), l.t("阶段", "Stage").into(), work::stage_options(l)),
        (
            "policy".into(),
            l.t("办法", "Policy").into(),
            work::policy_options(state.guohe.policies(), p),
        ),
        ("round".into(), l.t("批次", "Round").into(), rounds),
    ]
}

/// The page (or the CSV) of `list` that the query `q` asks for, among the applications in
/// `scope`, each row's cells made by `cells`.
pub(crate) async fn serve(
    state: &AppState,
    q: &HashMap<String, String>,
    list: ApplicationList,
    scope: ApplicationScope<'_>,
    cells: impl Fn(ApplicationRow) -> Vec<Cell>,
) -> WebResult<Response> {
    let params = work::list_params(q);
    let sortable = |i: usize| (list.sort_by_column)(i).is_some();
    let (asked_sort, desc) = work::sort_asked(&params, list.headings.len());
    let (sort, desc) = match asked_sort.filter(|i| sortable(*i)) {
        Some(i) => (Some(i), desc),
        None => (list.default_sort, false),
    };
    let query = query(&params, sort.and_then(list.sort_by_column), desc);
    let csv = params.get("format").is_some_and(|f| f == "csv");
    let find = |page: usize| {
        let w = if csv { Window::all() } else { Window::page(page) };
        let guohe = &state.guohe;
        let q = query.as_ref().map(|q| ApplicationQuery {
            offset: w.offset,
            limit: w.limit,
            ..q.clone()
        });
        async move {
            match q {
                Some(q) => guohe.application_page(&q, scope, None).await,
                None => ApplicationPage {
                    items: Vec::new(),
                    total: 0,
                },
            }
        }
    };
    let asked = list_paged::page_asked(&params);
    let mut found = find(asked).await;
    // A page past the end (a bookmark after the list shrank) shows the last page.
    let page = asked.min(list_paged::last_page(found.total));
    if page != asked && !csv {
        found = find(page).await;
    }
    let rows: Vec<Vec<Cell>> = found.items.into_iter().map(cells).collect();
    if csv {
        return work::csv_of_cells(list.csv_name, &list.headings, rows);
    }
    let filters: Vec<Filter> = work::chosen_filters(list.filters, &params);
    let t = Table::paged(
        list.path,
        &params,
        &list.headings,
        (sort, desc),
        sortable,
        filters,
        Found {
            rows,
            total: found.total,
            page,
        },
    );
    view::render(&ListTpl {
        c: list.chrome,
        title: list.title,
        intro: list.intro,
        actions: list.actions,
        t,
    })
}

/// The question the list's parameters ask, page aside; `None` when a stage code names no
/// stage, which matches nothing (as a filter value no row carries).
fn query(params: &BTreeMap<String, String>, sort: Option<ApplicationSort>, desc: bool) -> Option<ApplicationQuery> {
    let chosen = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let status = match chosen("stage") {
        Some(code) => Some(work::STAGES.iter().find(|s| s.1 == code)?.0),
        None => None,
    };
    Some(ApplicationQuery {
        needle: params.get("q").map(|x| x.to_lowercase()).unwrap_or_default(),
        status,
        policy: chosen("policy"),
        round: chosen("round"),
        sort: sort.unwrap_or_default(),
        descending: desc && sort.is_some(),
        offset: 0,
        limit: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_domain::ApplicationStatus;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_query_reads_search_filters_and_order() {
        let q = query(
            &params(&[
                ("q", "ABC 武汉"),
                ("stage", "submitted"),
                ("policy", "hubei-2022"),
                ("round", ""),
            ]),
            Some(ApplicationSort::Unit),
            true,
        )
        .expect("a question");
        assert_eq!(q.needle, "abc 武汉");
        assert_eq!(q.status, Some(ApplicationStatus::Submitted));
        assert_eq!(q.policy.as_deref(), Some("hubei-2022"));
        assert_eq!(q.round, None, "an empty choice is no filter");
        assert_eq!((q.sort, q.descending), (ApplicationSort::Unit, true));
        let q = query(&params(&[]), None, true).expect("a question");
        assert_eq!((q.sort, q.descending), (ApplicationSort::Id, false));
        assert!(
            query(&params(&[("stage", "no-such-stage")]), None, false).is_none(),
            "an unknown stage matches nothing"
        );
    }
}
