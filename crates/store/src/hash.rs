//! SM3 hashing and the canonical byte encoding of an event.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::Value;
use sm3::{Digest, Sm3};

/// `prev_hash` of the very first event: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain-separation tag prefixed to every encoded event (version of the encoding).
const ENCODING_TAG: &[u8] = b"guohe-event-v1";

/// Lower-case hex SM3 (GB/T 32905-2016) digest of `bytes`.
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// The fields of an event that the hash covers, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// Global sequence number.
    pub seq: i64,
    /// Stream name.
    pub stream: &'a str,
    /// Version within the stream.
    pub stream_version: i64,
    /// Event type name.
    pub kind: &'a str,
    /// Who caused the event.
    pub actor: &'a str,
    /// Business date.
    pub occurred_on: NaiveDate,
    /// Wall-clock time the event was recorded (hashed with microsecond precision).
    pub recorded_at: DateTime<Utc>,
    /// Article citations.
    pub articles: &'a [String],
    /// Event payload (hashed as canonical JSON).
    pub payload: &'a Value,
    /// Hash of the predecessor.
    pub prev_hash: &'a str,
}

/// Formats a timestamp the way it is hashed and stored: RFC 3339, UTC, exactly
/// six fractional digits, `Z` suffix (e.g. `2026-03-01T08:00:00.000000Z`).
pub fn format_recorded_at(ts: DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Formats a business date as `YYYY-MM-DD`.
pub(crate) fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Canonical JSON text of `value`: no insignificant whitespace, object keys
/// sorted by their UTF-8 bytes at every level, numbers written exactly as
/// stored, strings escaped as `serde_json` does.
///
/// The sort is done here explicitly, so the result does not depend on whether
/// `serde_json`'s `preserve_order` feature is enabled somewhere in the build.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            // Writing into a String cannot fail.
            let _ = write!(out, "{n}");
        }
        Value::String(s) => push_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Without `preserve_order` the map is already in byte order (`String`'s order); it is
            // sorted here only when it is not.
            if map.keys().is_sorted_by(|a, b| a.as_bytes() <= b.as_bytes()) {
                write_members(map.iter(), out);
            } else {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                write_members(entries.into_iter(), out);
            }
        }
    }
}

fn write_members<'a>(members: impl Iterator<Item = (&'a String, &'a Value)>, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(k, out);
        out.push(':');
        write_canonical(v, out);
    }
    out.push('}');
}

/// Writes `s` as a JSON string exactly as `serde_json` does: `"` and `\` escaped, the control
/// characters below U+0020 as `\b \f \n \r \t` or `\u00xx` (lower-case hex), everything else
/// as it is. (The hashes of stored events depend on these bytes: the test
/// `strings_are_escaped_as_serde_json_escapes_them` holds them to `serde_json`'s.)
fn push_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte escaped is ASCII, so `i` is a character boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Canonical JSON text of an article list (a JSON array of strings).
pub(crate) fn articles_json(articles: &[String]) -> String {
    let mut out = String::from("[");
    for (i, a) in articles.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(a, &mut out);
    }
    out.push(']');
    out
}

fn push_field(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

/// The canonical, injective byte encoding of an event that is fed to SM3.
///
/// Layout: the tag `guohe-event-v1`, then each field as an 8-byte big-endian
/// length followed by its bytes, in this order: seq (8-byte big-endian
/// two's complement), stream, stream_version (8-byte big-endian), kind, actor,
/// occurred_on (`YYYY-MM-DD`), recorded_at ([`format_recorded_at`]), articles
/// (count as 8-byte big-endian, then each article length-prefixed), payload
/// ([`canonical_json`]), prev_hash (hex text).
pub fn canonical_bytes(e: &HashInput<'_>) -> Vec<u8> {
    encode(e, &canonical_json(e.payload), &format_recorded_at(e.recorded_at))
}

/// [`canonical_bytes`] with the payload's canonical JSON and the formatted recording time
/// already at hand (an append computes them once, for the hash and for the row alike).
fn encode(e: &HashInput<'_>, payload: &str, recorded_at: &str) -> Vec<u8> {
    let mut buf = Vec::with_capacity(256 + payload.len());
    push_field(&mut buf, ENCODING_TAG);
    push_field(&mut buf, &e.seq.to_be_bytes());
    push_field(&mut buf, e.stream.as_bytes());
    push_field(&mut buf, &e.stream_version.to_be_bytes());
    push_field(&mut buf, e.kind.as_bytes());
    push_field(&mut buf, e.actor.as_bytes());
    push_field(&mut buf, format_date(e.occurred_on).as_bytes());
    push_field(&mut buf, recorded_at.as_bytes());
    let mut arts = Vec::new();
    arts.extend_from_slice(&(e.articles.len() as u64).to_be_bytes());
    for a in e.articles {
        push_field(&mut arts, a.as_bytes());
    }
    push_field(&mut buf, &arts);
    push_field(&mut buf, payload.as_bytes());
    push_field(&mut buf, e.prev_hash.as_bytes());
    buf
}

/// SM3 absorbing every field of an event's encoding but the last, its predecessor's hash.
///
/// The chain makes the events' hashes sequential (each covers the one before), but the
/// predecessor's hash is the last field of the encoding, and SM3 reads its input front to back:
/// an append hashes each event's prefix as soon as the event is sequenced, and only the last
/// field — the 72 bytes of the predecessor's hash — and the padding once that hash is known.
#[derive(Clone)]
pub(crate) struct HashPrefix(Sm3);

impl HashPrefix {
    /// The prefix of `e`'s encoding (`e.prev_hash` is not read), given `payload`, the canonical
    /// JSON of `e.payload`, and `recorded_at`, the formatted `e.recorded_at`.
    pub(crate) fn of(e: &HashInput<'_>, payload: &str, recorded_at: &str) -> Self {
        let mut sm3 = Sm3::new();
        let mut field = |bytes: &[u8]| {
            sm3.update((bytes.len() as u64).to_be_bytes());
            sm3.update(bytes);
        };
        field(ENCODING_TAG);
        field(&e.seq.to_be_bytes());
        field(e.stream.as_bytes());
        field(&e.stream_version.to_be_bytes());
        field(e.kind.as_bytes());
        field(e.actor.as_bytes());
        match date_bytes(e.occurred_on) {
            Some(date) => field(&date),
            None => field(format_date(e.occurred_on).as_bytes()),
        }
        field(recorded_at.as_bytes());
        let articles_len: usize = 8 + e.articles.iter().map(|a| 8 + a.len()).sum::<usize>();
        sm3.update((articles_len as u64).to_be_bytes());
        sm3.update((e.articles.len() as u64).to_be_bytes());
        for a in e.articles {
            sm3.update((a.len() as u64).to_be_bytes());
            sm3.update(a.as_bytes());
        }
        sm3.update((payload.len() as u64).to_be_bytes());
        sm3.update(payload.as_bytes());
        HashPrefix(sm3)
    }

    /// The event's hash (lower-case hex), its predecessor's hash being `prev`.
    pub(crate) fn finish(self, prev: &str) -> String {
        let mut sm3 = self.0;
        sm3.update((prev.len() as u64).to_be_bytes());
        sm3.update(prev.as_bytes());
        hex::encode(sm3.finalize())
    }
}

/// `d` as `YYYY-MM-DD`, as [`format_date`] writes it, without a `String`; `None` outside the
/// years 0–9999 (which [`format_date`] writes otherwise).
fn date_bytes(d: NaiveDate) -> Option<[u8; 10]> {
    use chrono::Datelike as _;
    let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let (m, day) = (d.month(), d.day());
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        day / 10,
        day % 10,
    ];
    let mut out = *b"0000-00-00";
    for (at, digit) in [0, 1, 2, 3, 5, 6, 8, 9].into_iter().zip(digits) {
        // Each digit is below 10.
        out[at] = b'0' + digit as u8;
    }
    Some(out)
}

/// The SM3 hash (lower-case hex) of an event: `SM3(canonical_bytes(e))`.
pub fn event_hash(e: &HashInput<'_>) -> String {
    sm3_hex(&canonical_bytes(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sm3_standard_vector_abc() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sm3_standard_vector_64_bytes() {
        // GB/T 32905-2016 example 2: "abcd" repeated 16 times.
        assert_eq!(
            sm3_hex("abcd".repeat(16).as_bytes()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn canonical_json_sorts_keys_and_keeps_numbers() {
        let v: Value = serde_json::from_str(r#"{"b": 1.50, "a": {"z": [1, 20], "y": "中"}}"#).expect("valid json");
        assert_eq!(canonical_json(&v), r#"{"a":{"y":"中","z":[1,20]},"b":1.50}"#);
        // Canonicalisation is idempotent through a parse (what verification relies on).
        for text in [
            r#"{"n": [2e3, 1E-7, -0, 12345678901234567890123, 0.1000]}"#,
            r#""\u0000\n""#,
        ] {
            let v: Value = serde_json::from_str(text).expect("valid json");
            let back: Value = serde_json::from_str(&canonical_json(&v)).expect("valid json");
            assert_eq!(canonical_json(&back), canonical_json(&v));
        }
    }

    fn sample<'a>(articles: &'a [String], payload: &'a Value) -> HashInput<'a> {
        HashInput {
            seq: 1,
            stream: "application/2026-0007",
            stream_version: 1,
            kind: "Submitted",
            actor: "dept:zhang",
            occurred_on: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            recorded_at: DateTime::from_timestamp_micros(1_772_000_000_123_456).expect("ts"),
            articles,
            payload,
            prev_hash: GENESIS_HASH,
        }
    }

    #[test]
    fn hash_is_deterministic_and_field_sensitive() {
        let arts = vec!["hubei-2022:28.1".to_string()];
        let payload = json!({"x": 1});
        let base = sample(&arts, &payload);
        let h = event_hash(&base);
        assert_eq!(h.len(), 64);
        assert_eq!(h, event_hash(&base));
        let mut other = base;
        other.seq = 2;
        assert_ne!(h, event_hash(&other));
        // Moving bytes between adjacent fields must change the encoding.
        let mut a = base;
        a.kind = "ab";
        a.actor = "c";
        let mut b = base;
        b.kind = "a";
        b.actor = "bc";
        assert_ne!(event_hash(&a), event_hash(&b));
        let two = vec!["a".to_string(), "b".to_string()];
        let one = vec!["ab".to_string()];
        let mut c = base;
        c.articles = &two;
        let mut d = base;
        d.articles = &one;
        assert_ne!(event_hash(&c), event_hash(&d));
    }

    #[test]
    fn hash_from_precomputed_text_is_the_same_hash() {
        let arts = vec!["hubei-2022:28.1".to_string()];
        let payload = json!({"b": [1, 2.50], "a": "中"});
        let e = sample(&arts, &payload);
        let text = canonical_json(&payload);
        let prefix = HashPrefix::of(&e, &text, &format_recorded_at(e.recorded_at));
        assert_eq!(prefix.finish(e.prev_hash), event_hash(&e));
    }

    proptest::proptest! {
        /// The prefix hashed before the predecessor is known, finished with it, is the hash of
        /// the whole encoding, whatever the fields' lengths (and so wherever SM3's 64-byte blocks
        /// fall).
        #[test]
        fn a_prefix_finished_is_the_whole_hash(
            stream in "[a-z/0-9]{0,90}",
            kind in "\\PC{0,40}",
            articles in proptest::collection::vec("[a-z0-9:.-]{0,30}", 0..4),
            comment in "\\PC{0,300}",
            seq in 1i64..i64::MAX,
            days in -800_000i32..4_000_000,
            prev in "[0-9a-f]{64}",
        ) {
            let payload = json!({"comment": comment, "n": seq});
            let occurred_on = NaiveDate::from_num_days_from_ce_opt(days).unwrap_or_default();
            let e = HashInput {
                seq,
                stream: &stream,
                stream_version: seq / 2,
                kind: &kind,
                actor: "dept:zhang",
                occurred_on,
                recorded_at: DateTime::from_timestamp_micros(1_772_000_000_123_456).expect("ts"),
                articles: &articles,
                payload: &payload,
                prev_hash: &prev,
            };
            let prefix = HashPrefix::of(&e, &canonical_json(&payload), &format_recorded_at(e.recorded_at));
            proptest::prop_assert_eq!(prefix.finish(&prev), event_hash(&e));
        }
    }

    #[test]
    fn dates_are_written_as_format_date_writes_them() {
        // Day 0 is 0000-12-31, the last day of year 0; day 3,652,059 is 9999-12-31.
        for days in (0..=3_652_059).step_by(97).chain([1, 3_652_059, 738_000]) {
            let d = NaiveDate::from_num_days_from_ce_opt(days).expect("a date of years 0–9999");
            let bytes = date_bytes(d).expect("years 0–9999 are written");
            assert_eq!(std::str::from_utf8(&bytes).expect("ASCII"), format_date(d));
        }
        let far = NaiveDate::from_ymd_opt(12_345, 1, 2).expect("a date");
        assert_eq!(date_bytes(far), None);
        assert_eq!(date_bytes(NaiveDate::from_ymd_opt(-5, 1, 2).expect("a date")), None);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u32..0x80)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b{c}"))
            .collect();
        samples.extend(
            [
                "",
                "中文：合作基础扎实",
                "\u{7f}\u{80}\u{2028}\u{2029}\u{feff}😀",
                "\\\"\\",
                "\u{1f}x\u{0}",
            ]
            .map(String::from),
        );
        for s in samples {
            let mut out = String::new();
            push_json_string(&s, &mut out);
            assert_eq!(out, serde_json::to_string(&s).expect("a string serialises"), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "\\PC*|[\\x00-\\x20\"\\\\a中]*") {
            let mut out = String::new();
            push_json_string(&s, &mut out);
            proptest::prop_assert_eq!(out, serde_json::to_string(&s).expect("a string serialises"));
        }
    }

    #[test]
    fn keys_out_of_order_are_sorted_by_bytes() {
        let mut map = serde_json::Map::new();
        for k in ["b", "a", "中", "Z", "aa"] {
            map.insert(k.to_string(), json!(1));
        }
        assert_eq!(
            canonical_json(&Value::Object(map)),
            r#"{"Z":1,"a":1,"aa":1,"b":1,"中":1}"#
        );
    }

    #[test]
    fn recorded_at_has_fixed_precision() {
        let ts = DateTime::from_timestamp(1_772_000_000, 0).expect("ts");
        assert_eq!(format_recorded_at(ts), "2026-02-25T06:13:20.000000Z");
    }
}
