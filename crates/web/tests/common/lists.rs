//! Reading the list pages in tests: the total a page shows, the ids of a CSV download, and a
//! query value percent-encoded.

/// The ids of a CSV download, in order (the first column, after the heading).
pub fn csv_ids(body: &str) -> Vec<String> {
    body.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default().to_string())
        .collect()
}

/// The number of matching rows a list page shows.
pub fn total(html: &str) -> usize {
    let at = html.find("<strong class=\"total\">").expect("a total");
    let rest = &html[at + "<strong class=\"total\">".len()..];
    rest[..rest.find('<').expect("the end of the total")]
        .parse()
        .expect("a number")
}

/// Every byte of `s` percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}
