//! The text of one replay range, as the reading side hands it over, cut into rows.
//!
//! SQLite's rows are framed by [`crate::sqlite::range_rows`]: each row a header of byte lengths
//! followed by the fields exactly as stored, so that only the short article lists are parsed
//! here (the payload is left to the decoder, which parses it anyway). PostgreSQL aggregates a
//! JSON array of rows.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;

/// One row: seq, stream, kind, actor, occurred_on (text), articles, payload (JSON text).
pub(crate) struct Row<'a> {
    pub seq: i64,
    pub stream: Cow<'a, str>,
    pub kind: Cow<'a, str>,
    pub actor: Cow<'a, str>,
    pub occurred_on: Cow<'a, str>,
    pub articles: Vec<Cow<'a, str>>,
    pub payload: &'a str,
}

/// PostgreSQL's range: one JSON array of rows.
pub(crate) const POSTGRES_RANGE: &str = "SELECT (json_agg(json_build_array(seq, stream, kind, actor, occurred_on, articles, payload) \
     ORDER BY seq))::text FROM events WHERE seq > $1 AND seq <= $2";

/// A range's text in the form its backend produces.
pub(crate) enum RangeText {
    /// SQLite's rows, framed: each row is `seq len len len len len len:` (the byte lengths of
    /// stream, kind, actor, occurred_on, articles and payload), then those six fields back to
    /// back.
    Framed(String),
    /// PostgreSQL's JSON array of rows.
    Json(String),
}

impl RangeText {
    /// The rows, or why the text as a whole cannot be read.
    pub fn rows(&self) -> Result<Vec<Row<'_>>, String> {
        match self {
            RangeText::Framed(text) => framed_rows(text),
            RangeText::Json(text) => json_rows(text),
        }
    }
}

#[derive(Deserialize)]
struct JsonRow<'a>(
    i64,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Cow<'a, str>,
    #[serde(borrow)] Vec<Cow<'a, str>>,
    #[serde(borrow)] &'a RawValue,
);

fn json_rows(text: &str) -> Result<Vec<Row<'_>>, String> {
    let rows: Vec<JsonRow<'_>> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(
            |JsonRow(seq, stream, kind, actor, occurred_on, articles, payload)| Row {
                seq,
                stream,
                kind,
                actor,
                occurred_on,
                articles,
                payload: payload.get(),
            },
        )
        .collect())
}

/// The header `seq len len len len len len:` at the start of `text`: the numbers and the
/// length of the header with its colon. Read byte by byte: the general string splitters cost
/// more than the rest of the row together.
fn header(text: &str) -> Option<([u64; 7], usize)> {
    let mut numbers = [0u64; 7];
    let mut i = 0;
    let mut digits = 0;
    for (at, &c) in text.as_bytes().iter().enumerate() {
        match c {
            b'0'..=b'9' if digits < 19 => {
                numbers[i] = numbers[i] * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b' ' if digits > 0 && i < 6 => {
                i += 1;
                digits = 0;
            }
            b':' if digits > 0 && i == 6 => return Some((numbers, at + 1)),
            _ => return None,
        }
    }
    None
}

/// An article list as stored: `[]`, `["…"]` (read here) or anything else JSON allows (read by
/// serde_json).
fn articles(text: &str) -> Result<Vec<Cow<'_, str>>, serde_json::Error> {
    if text == "[]" {
        return Ok(Vec::new());
    }
    if let Some(one) = text.strip_prefix("[\"").and_then(|t| t.strip_suffix("\"]"))
        && !one.contains(['"', '\\'])
        && !one.bytes().any(|b| b < 0x20)
    {
        return Ok(vec![Cow::Borrowed(one)]);
    }
    serde_json::from_str(text)
}

fn framed_rows(text: &str) -> Result<Vec<Row<'_>>, String> {
    let mut rows = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let ([seq, lengths @ ..], skip) = header(rest).ok_or_else(|| {
            let shown: String = rest.chars().take(40).collect();
            format!("row {} has no header: {shown:?}", rows.len() + 1)
        })?;
        let seq = seq as i64;
        let mut body = &rest[skip..];
        let mut fields = [""; 6];
        for (field, len) in fields.iter_mut().zip(lengths) {
            let (f, after) = usize::try_from(len)
                .ok()
                .and_then(|len| body.split_at_checked(len))
                .ok_or_else(|| format!("event {seq}: a field runs past the range's text"))?;
            *field = f;
            body = after;
        }
        let [stream, kind, actor, occurred_on, list, payload] = fields;
        let articles = articles(list).map_err(|e| format!("event {seq}: articles {list:?}: {e}"))?;
        rows.push(Row {
            seq,
            stream: Cow::Borrowed(stream),
            kind: Cow::Borrowed(kind),
            actor: Cow::Borrowed(actor),
            occurred_on: Cow::Borrowed(occurred_on),
            articles,
            payload,
        });
        rest = body;
    }
    Ok(rows)
}

/// `YYYY-MM-DD` as `NaiveDate::parse_from_str(text, "%Y-%m-%d")` reads it, without going
/// through the format machinery for the one form the log writes (a million dates a replay).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, chrono::ParseError> {
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
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: i64, fields: [&str; 6]) -> String {
        let lens: Vec<String> = fields.iter().map(|f| f.len().to_string()).collect();
        format!("{seq} {}:{}", lens.join(" "), fields.concat())
    }

    #[test]
    fn framed_rows_borrow_fields_with_any_bytes() {
        let a = frame(
            7,
            [
                "base/HB-1",
                "BaseCarriedOver",
                "dept:张",
                "2026-03-01",
                r#"["hubei-2022:30"]"#,
                r#"{"x":"1:2 3"}"#,
            ],
        );
        let b = frame(8, ["s:1 2", "K", "", "2026-03-02", "[]", "{}"]);
        let text = RangeText::Framed(a + &b);
        let rows = text.rows().expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].seq, &*rows[0].stream, &*rows[0].actor),
            (7, "base/HB-1", "dept:张")
        );
        assert_eq!(rows[0].articles, vec![Cow::Borrowed("hubei-2022:30")]);
        assert_eq!(rows[0].payload, r#"{"x":"1:2 3"}"#);
        assert_eq!((rows[1].seq, &*rows[1].stream, &*rows[1].kind), (8, "s:1 2", "K"));
        assert!(rows[1].articles.is_empty());
    }

    #[test]
    fn framed_rows_refuse_bad_text() {
        let good = frame(1, ["s", "K", "a", "2026-03-01", "[]", "{}"]);
        for bad in [
            good[..good.len() - 1].to_string(),
            good.replacen(' ', "  ", 1),
            good.replacen(':', " 1:", 1),
            "1 1 1 1 1 1".to_string(),
            frame(1, ["s", "K", "a", "2026-03-01", "[1]", "{}"]),
            frame(1, ["s", "K", "a", "2026-03-01", "", "{}"]),
            // A length that ends inside a character.
            "1 1 1 1 1 1 1:中".to_string(),
        ] {
            assert!(RangeText::Framed(bad.clone()).rows().is_err(), "{bad:?}");
        }
        assert!(RangeText::Framed(String::new()).rows().expect("empty").is_empty());
    }

    #[test]
    fn article_lists_read_as_serde_json_reads_them() {
        for text in [
            "[]",
            r#"["hubei-2022:28.1"]"#,
            r#"["a","b"]"#,
            r#"["a\"b"]"#,
            r#"["\u4e2d"]"#,
            r#"[ "a" ]"#,
            r#"[""]"#,
            r#"["a"#,
            "[1]",
            "",
            r#"["a"]x"#,
            "[\"\n\"]",
        ] {
            let ours = articles(text).ok();
            let theirs: Option<Vec<Cow<'_, str>>> = serde_json::from_str(text).ok();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn json_rows_read_as_before() {
        let text = r#"[[3,"base/x","K","dept:a","2026-03-01",["p:1"],{"b":[1,2]}]]"#;
        let text = RangeText::Json(text.into());
        let rows = text.rows().expect("rows");
        assert_eq!(rows[0].seq, 3);
        assert_eq!(rows[0].payload, r#"{"b":[1,2]}"#);
        assert!(RangeText::Json("[[3]]".into()).rows().is_err());
    }

    #[test]
    fn dates_read_as_chrono_reads_them() {
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
            "2026/03/01",
            "2026-03-01 ",
            " 2026-03-01",
            "20260301",
            "",
            "２０２６-03-01",
            "12345-01-01",
        ] {
            assert_eq!(
                parse_date(text).ok(),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
    }
}
