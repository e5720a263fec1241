//! Reading a `YYYY-MM-DD` date in a payload without chrono's general parser, for the fields of
//! the event kinds a replay meets most (a million-event log carries about as many dates).

use chrono::NaiveDate;
use serde::Deserializer;
use serde::de::{Error, Visitor};

/// The date as chrono's own `Deserialize` reads it (its `FromStr`): the common form is
/// recognised directly, anything else goes to chrono, so the same texts are accepted.
pub(crate) fn parse(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter()
            .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
    {
        return Ok(date);
    }
    text.parse()
}

/// For `#[serde(deserialize_with = "crate::date_de::date")]`.
pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    struct Date;
    impl Visitor<'_> for Date {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a formatted date string")
        }

        fn visit_str<E: Error>(self, text: &str) -> Result<NaiveDate, E> {
            parse(text).map_err(E::custom)
        }
    }
    d.deserialize_str(Date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_chrono_reads() {
        for text in [
            "2026-03-01",
            "1999-12-31",
            "2024-02-29",
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "2026-3-01",
            "2026-03-1",
            "+2026-03-01",
            "+12345-01-01",
            "2026/03/01",
            "2026-03-01 ",
            " 2026-03-01",
            "20260301",
            "",
            "２０２６-03-01",
            "-0001-01-01",
        ] {
            assert_eq!(parse(text).ok(), text.parse::<NaiveDate>().ok(), "{text:?}");
            let json = serde_json::to_string(text).expect("json");
            let mut de = serde_json::Deserializer::from_str(&json);
            let ours = date(&mut de).map_err(|e| e.to_string());
            let theirs: Result<NaiveDate, String> = serde_json::from_str(&json).map_err(|e| e.to_string());
            assert_eq!(ours.ok(), theirs.ok(), "{text:?}");
        }
        // Not a string: refused, as chrono refuses it.
        let mut de = serde_json::Deserializer::from_str("20260301");
        assert!(date(&mut de).is_err());
    }
}
