//! 统一社会信用代码 — the unified social credit code of legal persons and other
//! organisations (GB 32100-2015).
//!
//! A code has 18 characters:
//!
//! | position | part | 中文 |
//! |---|---|---|
//! | 1 | registration authority code | 登记管理部门代码 (`1` 机构编制, `5` 民政, `9` 市场监管, `Y` 其他 …) |
//! | 2 | organisation category code | 机构类别代码 |
//! | 3–8 | administrative division code of the registering authority | 登记管理机关行政区划码 (GB/T 2260) |
//! | 9–17 | organisation code, with its own check character at 17 | 主体标识码（组织机构代码，GB 11714） |
//! | 18 | check character | 校验码 |
//!
//! [`parse`] checks, in this order:
//!
//! 1. the length is exactly 18 characters;
//! 2. every character is in `0123456789ABCDEFGHJKLMNPQRTUWXY` (the letters
//!    I, O, Z, S and V are never used);
//! 3. the organisation code at positions 9–17 passes the GB 11714 check
//!    (weights 3, 7, 9, 10, 5, 8, 4, 2 over its first eight characters, letters
//!    counting A = 10 … Z = 35; check = 11 − sum mod 11, where 10 is written `X`
//!    and 11 is written `0`);
//! 4. the check character at position 18 matches GB 32100 (weights 1, 3, 9, 27,
//!    19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 over positions 1–17,
//!    each character worth its index in the character set; check = 31 − sum
//!    mod 31, where 31 is written `0`).
//!
//! The organisation code is checked before position 18 because a typing
//! error at positions 9–16 breaks both checks, and the narrower report points
//! the user to the right part of the code.
//!
//! **Input normalisation:** surrounding whitespace is trimmed and ASCII
//! lowercase letters are turned to uppercase before checking, so
//! `" 12430000444881590x "` is accepted as `12430000444881590X`. Positions in
//! errors count characters of the trimmed input, starting at 1.
//!
//! A code that passes is well-formed; whether it was actually issued can only
//! be confirmed against the national registry.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The characters a code may contain, in value order (0–30).
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 weights of positions 1–17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// GB 11714 weights of the first eight characters of an organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The length of a code, in characters.
pub const LEN: usize = 18;

/// A valid unified social credit code (统一社会信用代码), normalised to uppercase.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc {
    bytes: [u8; LEN],
}

/// Why a string is not a valid unified social credit code.
///
/// `Display` gives the English message; [`UsccError::message_zh`] the Chinese one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// 长度错误 — the code (after trimming) does not have 18 characters.
    #[error("unified social credit code must have 18 characters, got {actual}")]
    WrongLength {
        /// Number of characters found.
        actual: usize,
    },
    /// 非法字符 — a character outside the code's character set.
    #[error(
        "unified social credit code has invalid character {ch:?} at position {position} \
         (allowed: digits and capital letters except I, O, Z, S, V)"
    )]
    InvalidChar {
        /// The offending character (after uppercase normalisation).
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
    /// 校验码错误 — the check character at position 18 does not match.
    #[error(
        "unified social credit code check character (position 18) is wrong: \
         expected {expected}, found {found}"
    )]
    CheckCharMismatch {
        /// The check character computed from positions 1–17.
        expected: char,
        /// The character at position 18.
        found: char,
    },
    /// 组织机构代码校验错误 — positions 9–17 fail the GB 11714 check.
    #[error(
        "organisation code (positions 9-17) of the unified social credit code fails its \
         check: position 17 should be {expected}, found {found}"
    )]
    OrganisationCodeMismatch {
        /// The check character computed from positions 9–16.
        expected: char,
        /// The character at position 17.
        found: char,
    },
}

impl UsccError {
    /// The error in Chinese, for display to users.
    pub fn message_zh(&self) -> String {
        match *self {
            Self::WrongLength { actual } => {
                format!("统一社会信用代码应为18位，实际为{actual}位")
            }
            Self::InvalidChar { ch, position } if "IOZSV".contains(ch) => {
                format!("统一社会信用代码第{position}位不能是字母 {ch}（代码中不使用 I、O、Z、S、V）")
            }
            Self::InvalidChar { ch, position } => format!(
                "统一社会信用代码第{position}位含有无效字符“{ch}”（只能是数字或除 I、O、Z、S、V 以外的大写字母）"
            ),
            Self::CheckCharMismatch { expected, found } => {
                format!("统一社会信用代码第18位校验码错误：应为 {expected}，实际为 {found}")
            }
            Self::OrganisationCodeMismatch { expected, found } => {
                format!("统一社会信用代码第9–17位（组织机构代码）校验错误：第17位应为 {expected}，实际为 {found}")
            }
        }
    }
}

/// Value of a character in [`CHARSET`], if it is in it.
fn value(b: u8) -> Option<u32> {
    CHARSET.bytes().position(|c| c == b).map(|i| i as u32)
}

/// GB 11714 check character of the first eight characters of an organisation
/// code (all already known to be in [`CHARSET`]).
fn org_check(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&b, w)| {
            let v = if b.is_ascii_digit() {
                u32::from(b - b'0')
            } else {
                u32::from(b - b'A') + 10
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    }
}

/// GB 32100 check character of positions 1–17 (all already in [`CHARSET`]).
fn check(body: &[u8]) -> char {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(&b, w)| value(b).unwrap_or(0) * w).sum();
    let idx = (31 - sum % 31) % 31;
    char::from(CHARSET.as_bytes()[idx as usize])
}

/// Parses and validates a unified social credit code.
///
/// Surrounding whitespace is trimmed and lowercase ASCII letters are
/// normalised to uppercase first; see the module docs for the checks and
/// their order.
///
/// ```
/// use guohe_reference::uscc;
/// let code = uscc::parse("12430000444881590x").unwrap();
/// assert_eq!(code.as_str(), "12430000444881590X");
/// assert_eq!(code.division_code(), "430000");
///
/// let err = uscc::parse("12430000444881590A").unwrap_err();
/// assert_eq!(err.message_zh(), "统一社会信用代码第18位校验码错误：应为 X，实际为 A");
/// ```
pub fn parse(code: &str) -> Result<Uscc, UsccError> {
    let code = code.trim();
    let actual = code.chars().count();
    if actual != LEN {
        return Err(UsccError::WrongLength { actual });
    }
    let mut bytes = [0u8; LEN];
    for (i, ch) in code.chars().enumerate() {
        let ch = ch.to_ascii_uppercase();
        let b = u8::try_from(ch).ok().filter(|b| value(*b).is_some());
        match b {
            Some(b) => bytes[i] = b,
            None => {
                return Err(UsccError::InvalidChar { ch, position: i + 1 });
            }
        }
    }
    let expected = org_check(&bytes[8..16]);
    let found = char::from(bytes[16]);
    if expected != found {
        return Err(UsccError::OrganisationCodeMismatch { expected, found });
    }
    let expected = check(&bytes[..17]);
    let found = char::from(bytes[17]);
    if expected != found {
        return Err(UsccError::CheckCharMismatch { expected, found });
    }
    Ok(Uscc { bytes })
}

/// True when `code` is a valid unified social credit code (see [`parse`]).
pub fn is_valid(code: &str) -> bool {
    parse(code).is_ok()
}

impl Uscc {
    /// The whole code, 18 uppercase characters.
    pub fn as_str(&self) -> &str {
        // Only bytes from CHARSET (ASCII) are ever stored.
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// 登记管理部门代码 — position 1 (`1` 机构编制, `5` 民政, `9` 市场监管, `Y` 其他 …).
    pub fn registration_authority(&self) -> char {
        char::from(self.bytes[0])
    }

    /// 机构类别代码 — position 2, meaningful together with position 1
    /// (e.g. `11` 机关, `12` 事业单位, `91` 企业).
    pub fn organisation_category(&self) -> char {
        char::from(self.bytes[1])
    }

    /// 登记管理机关行政区划码 — positions 3–8, the GB/T 2260 code of the
    /// registering authority (e.g. `"430000"`; `"100000"` for central authorities).
    pub fn division_code(&self) -> &str {
        &self.as_str()[2..8]
    }

    /// 主体标识码（组织机构代码） — positions 9–17, including its own check
    /// character at position 17.
    pub fn organisation_code(&self) -> &str {
        &self.as_str()[8..17]
    }

    /// 校验码 — position 18.
    pub fn check_char(&self) -> char {
        char::from(self.bytes[17])
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Uscc").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl TryFrom<&str> for Uscc {
    type Error = UsccError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        parse(s)
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Makes a valid code from its first 16 characters by filling in both
    /// check characters.
    fn complete(first16: &str) -> String {
        let mut s = first16.to_owned();
        s.push(org_check(&first16.as_bytes()[8..16]));
        s.push(check(s.as_bytes()));
        s
    }

    #[test]
    fn check_char_values() {
        // 31 - 0 % 31 = 31, written 0.
        assert_eq!(check(b"00000000000000000"), '0');
        assert_eq!(complete("1243000044488159"), "12430000444881590X");
    }

    #[test]
    fn org_check_values() {
        // GB 11714 sample: D2143569 → X is the classic example of the 10 case.
        assert_eq!(org_check(b"D2143569"), 'X');
        assert_eq!(org_check(b"00000000"), '0');
    }

    #[test]
    fn parts() {
        let c = parse("12100000441626842D").unwrap();
        assert_eq!(c.registration_authority(), '1');
        assert_eq!(c.organisation_category(), '2');
        assert_eq!(c.division_code(), "100000");
        assert_eq!(c.organisation_code(), "441626842");
        assert_eq!(c.check_char(), 'D');
        assert_eq!(c.to_string(), "12100000441626842D");
        assert_eq!(format!("{c:?}"), r#"Uscc("12100000441626842D")"#);
        assert_eq!("12100000441626842D".parse::<Uscc>(), Ok(c));
    }

    #[test]
    fn letters_in_the_organisation_code() {
        let code = complete("91430100MA4L0000");
        let parsed = parse(&code).unwrap();
        assert_eq!(parsed.organisation_code(), &code[8..17]);
    }

    #[test]
    fn serde_round_trip_validates() {
        // Deserialize straight from a string, without a format crate.
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as ValueError, StrDeserializer};
        let ok: StrDeserializer<'_, ValueError> = "12100000441626770l".into_deserializer();
        assert_eq!(Uscc::deserialize(ok).unwrap().as_str(), "12100000441626770L");
        let bad: StrDeserializer<'_, ValueError> = "12100000441626770X".into_deserializer();
        let err = Uscc::deserialize(bad).unwrap_err().to_string();
        assert!(err.contains("position 18"), "{err}");
    }
}
