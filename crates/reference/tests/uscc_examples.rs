//! The unified social credit code checks against the sample codes in
//! `tests/data/uscc-examples.csv` and against hand-made mutations of them.

use guohe_reference::uscc::{self, CHARSET, UsccError};
use proptest::prelude::*;

const EXAMPLES: &str = include_str!("data/uscc-examples.csv");

/// `(code, holder, valid)` rows of the sample file.
fn examples() -> Vec<(&'static str, &'static str, bool)> {
    EXAMPLES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            let code = f.next().unwrap();
            let holder = f.next().unwrap();
            let valid = match f.next().unwrap() {
                "true" => true,
                "false" => false,
                other => panic!("bad valid column {other:?}"),
            };
            (code, holder, valid)
        })
        .collect()
}

const VALID: [&str; 4] = [
    "114300000061222797",
    "12430000444881590X",
    "12100000441626842D",
    "12100000441626770L",
];

#[test]
fn every_sample_row_is_judged_as_the_file_says() {
    let rows = examples();
    assert_eq!(rows.len(), 5);
    for (code, holder, valid) in rows {
        assert_eq!(uscc::parse(code).is_ok(), valid, "{code} ({holder})");
    }
}

#[test]
fn valid_samples_and_their_parts() {
    let c = uscc::parse("114300000061222797").unwrap();
    assert_eq!(c.registration_authority(), '1');
    assert_eq!(c.organisation_category(), '1');
    assert_eq!(c.division_code(), "430000");
    assert_eq!(c.organisation_code(), "006122279");
    assert_eq!(c.check_char(), '7');

    let c = uscc::parse("12430000444881590X").unwrap();
    assert_eq!(c.organisation_code(), "444881590");
    assert_eq!(c.check_char(), 'X');
}

#[test]
fn invalid_sample_fails_on_its_check_character() {
    // The pilot code has only allowed characters and a correct organisation
    // code (M00013FA1: position 17 is 1 as GB 11714 requires), but its
    // position-18 check character should be 3, not N.
    let err = uscc::parse("91350211M00013FA1N").unwrap_err();
    assert_eq!(
        err,
        UsccError::CheckCharMismatch {
            expected: '3',
            found: 'N'
        }
    );
    assert_eq!(err.message_zh(), "统一社会信用代码第18位校验码错误：应为 3，实际为 N");
    assert_eq!(
        err.to_string(),
        "unified social credit code check character (position 18) is wrong: expected 3, found N"
    );
    // With the right check character it is well-formed.
    assert!(uscc::parse("91350211M00013FA13").is_ok());
}

#[test]
fn lowercase_and_whitespace_are_normalised() {
    let c = uscc::parse("  12430000444881590x\t").unwrap();
    assert_eq!(c.as_str(), "12430000444881590X");
    let c = uscc::parse("91350211m00013fa13").unwrap();
    assert_eq!(c.as_str(), "91350211M00013FA13");
}

#[test]
fn one_digit_changed_in_the_head_breaks_the_check_character() {
    // Position 4: '3' → '4' (湖南 430000 → 440000).
    let err = uscc::parse("114400000061222797").unwrap_err();
    assert!(
        matches!(err, UsccError::CheckCharMismatch { found: '7', .. }),
        "{err:?}"
    );
}

#[test]
fn one_digit_changed_in_the_organisation_code_is_reported_there() {
    // Position 11: '6' → '7'.
    let err = uscc::parse("114300000071222797").unwrap_err();
    assert_eq!(
        err,
        UsccError::OrganisationCodeMismatch {
            expected: '0',
            found: '9'
        }
    );
    assert_eq!(
        err.message_zh(),
        "统一社会信用代码第9–17位（组织机构代码）校验错误：第17位应为 0，实际为 9"
    );
}

#[test]
fn check_character_changed() {
    let err = uscc::parse("12100000441626842E").unwrap_err();
    assert_eq!(
        err,
        UsccError::CheckCharMismatch {
            expected: 'D',
            found: 'E'
        }
    );
}

#[test]
fn wrong_length() {
    for (code, actual) in [
        ("", 0),
        ("   ", 0),
        ("12430000444881590", 17),
        ("12430000444881590XX", 19),
    ] {
        let err = uscc::parse(code).unwrap_err();
        assert_eq!(err, UsccError::WrongLength { actual }, "{code:?}");
        assert_eq!(err.message_zh(), format!("统一社会信用代码应为18位，实际为{actual}位"));
    }
    // Length counts characters, not bytes.
    assert_eq!(
        uscc::parse("统一社会信用代码").unwrap_err(),
        UsccError::WrongLength { actual: 8 }
    );
    // Full-width digits have the right count but are not allowed.
    assert_eq!(
        uscc::parse("１２４３００００４４４８８１５９０Ｘ").unwrap_err(),
        UsccError::InvalidChar { ch: '１', position: 1 }
    );
}

#[test]
fn forbidden_letters() {
    // 'I' at position 9 (a '4' mistyped as 'I').
    let err = uscc::parse("12430000I44881590X").unwrap_err();
    assert_eq!(err, UsccError::InvalidChar { ch: 'I', position: 9 });
    assert_eq!(
        err.message_zh(),
        "统一社会信用代码第9位不能是字母 I（代码中不使用 I、O、Z、S、V）"
    );
    // Lowercase is normalised first, so 'o' is reported as 'O'.
    let err = uscc::parse("1243000044488159oX").unwrap_err();
    assert_eq!(err, UsccError::InvalidChar { ch: 'O', position: 17 });
    for letter in ['I', 'O', 'Z', 'S', 'V'] {
        let code = format!("{letter}2430000444881590X");
        assert_eq!(
            uscc::parse(&code).unwrap_err(),
            UsccError::InvalidChar {
                ch: letter,
                position: 1
            }
        );
    }
    let err = uscc::parse("1243000044488-590X").unwrap_err();
    assert_eq!(err, UsccError::InvalidChar { ch: '-', position: 14 });
    assert!(err.message_zh().contains("无效字符“-”"), "{}", err.message_zh());
    // Whitespace inside the code is not trimmed.
    assert!(matches!(
        uscc::parse("12430000 44881590X").unwrap_err(),
        UsccError::InvalidChar { ch: ' ', position: 9 }
    ));
}

proptest! {
    /// Changing any one character of a valid code to another allowed
    /// character is always detected (by one of the two checks).
    #[test]
    fn any_single_substitution_is_detected(
        sample in 0..VALID.len(),
        position in 0..18usize,
        replacement in 0..31usize,
    ) {
        let original = VALID[sample];
        let new = CHARSET.as_bytes()[replacement];
        prop_assume!(original.as_bytes()[position] != new);
        let mut bytes = original.as_bytes().to_vec();
        bytes[position] = new;
        let mutated = String::from_utf8(bytes).unwrap();
        let err = uscc::parse(&mutated).unwrap_err();
        prop_assert!(
            matches!(
                err,
                UsccError::CheckCharMismatch { .. } | UsccError::OrganisationCodeMismatch { .. }
            ),
            "{mutated}: {err:?}"
        );
    }
}
