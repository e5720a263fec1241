//! A minimal CSV line splitter for the embedded tables.
//!
//! The embedded files are simple: comment lines start with `#`, fields are
//! separated by commas, and a field may be enclosed in double quotes (without
//! escaped quotes inside). Returning slices of the `'static` source lets the
//! tables hand out `&'static str` without copying.

/// Splits one line into fields, removing enclosing quotes.
///
/// Returns `None` when a quoted field is not closed or is followed by
/// something other than a comma, or when a field contains an escaped quote.
pub(crate) fn split(line: &'static str) -> Option<Vec<&'static str>> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            fields.push(&quoted[..end]);
            let after = &quoted[end + 1..];
            if after.is_empty() {
                return Some(fields);
            }
            rest = after.strip_prefix(',')?;
        } else {
            match rest.find(',') {
                Some(i) => {
                    let field = &rest[..i];
                    if field.contains('"') {
                        return None;
                    }
                    fields.push(field);
                    rest = &rest[i + 1..];
                }
                None => {
                    if rest.contains('"') {
                        return None;
                    }
                    fields.push(rest);
                    return Some(fields);
                }
            }
        }
    }
}

/// The data lines of an embedded table: comment lines (`#`) and blank lines
/// removed, header line skipped. Yields `(1-based line number, line)`.
pub(crate) fn data_lines(text: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_plain_and_quoted_fields() {
        assert_eq!(
            split("BQ,荷兰加勒比区,\"Bonaire, Sint Eustatius and Saba\","),
            Some(vec!["BQ", "荷兰加勒比区", "Bonaire, Sint Eustatius and Saba", ""])
        );
        assert_eq!(split("a,\"b\""), Some(vec!["a", "b"]));
        assert_eq!(split("a,\"b"), None);
        assert_eq!(split("a,\"b\"x"), None);
        assert_eq!(split("a,b\"c"), None);
    }
}
