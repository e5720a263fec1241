//! Bound parameters of the batched reads and writes: how many keys a query takes, and their
//! placeholders (`$1`, … — both backends read them, so one SQL text serves both).

/// Keys per batched query: well under SQLite's limit of bound parameters (32,766) and
/// PostgreSQL's (65,535), and short enough to plan quickly.
pub(crate) const KEYS_PER_QUERY: usize = 500;

/// `$first, $first+1, …`, `n` placeholders.
pub(crate) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(super::marks(2, 3), "$2, $3, $4");
        assert_eq!(super::marks(1, 0), "");
    }
}
