//! Lists served a page at a time by a read model: laid out as the generic lists are (search,
//! filters, sortable headings, pages, CSV), but the search, the filters, the order and the page
//! are the service's, which builds only the rows shown. A column the read model cannot order by
//! has no sort link; the page links are a window around the current page.

use std::collections::BTreeMap;

use super::work::{Cell, Filter, PAGE_SIZE, PageLink, Table, csv_link, heading_links, query_string};

/// The page asked for (`page`, from 1; anything else is the first).
pub fn page_asked(params: &BTreeMap<String, String>) -> usize {
    params.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1)
}

/// The last page of `total` rows (1 when there are none).
pub fn last_page(total: usize) -> usize {
    total.div_ceil(PAGE_SIZE).max(1)
}

/// The links to the first and the last of `last` pages and to those around `page`, each keeping
/// the list's other parameters (gaps are page 0).
pub(crate) fn page_window(path: &str, params: &BTreeMap<String, String>, last: usize, page: usize) -> Vec<PageLink> {
    crate::view::page_links(last, page, |n| {
        format!("{path}?{}", query_string(params, &[("page", n.to_string())]))
    })
    .into_iter()
    .map(|p| PageLink {
        n: p.n,
        href: p.href,
        current: p.current,
    })
    .collect()
}

/// What a list page asks of the read model besides its filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Rows skipped.
    pub offset: usize,
    /// Rows wanted.
    pub limit: usize,
}

impl Window {
    /// The rows of page `page` (from 1).
    pub fn page(page: usize) -> Window {
        Window {
            offset: page.saturating_sub(1).saturating_mul(PAGE_SIZE),
            limit: PAGE_SIZE,
        }
    }

    /// Every row, for the CSV.
    pub fn all() -> Window {
        Window {
            offset: 0,
            limit: usize::MAX,
        }
    }
}

/// One page of a list found by a read model.
pub struct Found {
    /// The page's rows, in order.
    pub rows: Vec<Vec<Cell>>,
    /// Rows matching, all pages together.
    pub total: usize,
    /// The page shown.
    pub page: usize,
}

impl Table {
    /// The table of one page that a read model found: `sort` the column ordered by (one that
    /// `sortable` accepts), `filters` with their chosen values.
    pub fn paged(
        path: &str,
        params: &BTreeMap<String, String>,
        headings: &[String],
        (sort, desc): (Option<usize>, bool),
        sortable: impl Fn(usize) -> bool,
        filters: Vec<Filter>,
        found: Found,
    ) -> Table {
        let pages = page_window(path, params, last_page(found.total), found.page);
        Table {
            path: path.into(),
            q: params.get("q").cloned().unwrap_or_default(),
            filters,
            cols: heading_links(path, params, headings, sort, desc, sortable),
            rows: found.rows,
            total: found.total,
            pages,
            csv_href: csv_link(path, params),
            sort: sort.map(|s| s.to_string()).unwrap_or_default(),
            dir: params.get("dir").cloned().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_are_a_window_and_unsortable_columns_have_no_link() {
        let p = params(&[("q", "武汉"), ("page", "7"), ("sort", "1")]);
        let headings = ["编号".to_string(), "单位".to_string(), "国别".to_string()];
        let t = Table::paged(
            "/dept/applications",
            &p,
            &headings,
            (Some(1), false),
            |i| i != 2,
            Vec::new(),
            Found {
                rows: vec![vec![Cell::text("A".to_string())]],
                total: 401,
                page: 7,
            },
        );
        let numbers: Vec<usize> = t.pages.iter().map(|l| l.n).collect();
        // 1 … 5 6 [7] 8 9 … 21 (0 is the gap).
        assert_eq!(numbers, vec![1, 0, 5, 6, 7, 8, 9, 0, 21]);
        assert!(t.pages.iter().any(|l| l.current && l.n == 7));
        assert!(t.pages[2].href.contains("page=5") && t.pages[2].href.contains("sort=1"));
        assert!(t.cols[0].href.contains("sort=0"));
        assert!(t.cols[1].href.contains("dir=desc"), "{}", t.cols[1].href);
        assert!(t.cols[2].href.is_empty());
        assert_eq!(t.cols[1].aria, "ascending");
        assert!(t.csv_href.ends_with("format=csv") && !t.csv_href.contains("page="));
        assert_eq!((t.total, t.q.as_str()), (401, "武汉"));
    }

    #[test]
    fn the_generic_list_shows_the_same_window_of_pages() {
        use super::super::work::Row;
        let rows: Vec<Row> = (0..401)
            .map(|i| Row {
                cells: vec![Cell::text(format!("{i:04}"))],
                ..Row::default()
            })
            .collect();
        let q = [("page".to_string(), "7".to_string())].into_iter().collect();
        let (t, _) = Table::build("/expert", &q, &["编号".to_string()], Vec::new(), rows);
        let numbers: Vec<usize> = t.pages.iter().map(|l| l.n).collect();
        assert_eq!(numbers, vec![1, 0, 5, 6, 7, 8, 9, 0, 21]);
        assert!(t.pages.iter().any(|l| l.current && l.n == 7));
        assert_eq!(t.rows[0][0].text, format!("{:04}", 6 * PAGE_SIZE));
    }

    #[test]
    fn the_window_of_a_page() {
        assert_eq!(
            Window::page(1),
            Window {
                offset: 0,
                limit: PAGE_SIZE
            }
        );
        assert_eq!(Window::page(3).offset, 2 * PAGE_SIZE);
        assert_eq!(last_page(0), 1);
        assert_eq!(last_page(PAGE_SIZE + 1), 2);
        assert_eq!(page_asked(&params(&[("page", "x")])), 1);
        assert_eq!(page_asked(&params(&[("page", "0")])), 1);
    }
}
