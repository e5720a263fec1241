//! Fuzz target: the policy loader (管理办法 files, docs/policy-format.md). Both built-in policy
//! files, damaged as text (cut short, a line dropped or repeated, hostile text spliced in) and
//! as documents (values replaced by hostile ones, members removed or added, lists and values
//! swapped), must load or be refused with an error naming where — never a panic.
//! Budget: `PROPTEST_CASES` / `GUOHE_FUZZ_SECONDS` (docs/fuzzing.md).

use crate::fuzz_support;

use fuzz_support::*;
use guohe_policy::load::from_yaml;
use proptest::prelude::*;
use serde_json::Value;

const FILES: [(&str, &str); 2] = [
    ("hunan-2026.yaml", include_str!("../../../policies/hunan-2026.yaml")),
    ("hubei-2022.yaml", include_str!("../../../policies/hubei-2022.yaml")),
];

/// The loader's answer: a policy, or an error that says where (a path inside the file, or the
/// line and column of a syntax error).
fn check(text: &str, file: &str) -> Result<(), TestCaseError> {
    if let Err(e) = from_yaml(text, file) {
        prop_assert_eq!(&e.file, file);
        let says_where = !e.path.is_empty() || e.reason.contains("line") || e.reason.contains('`');
        prop_assert!(says_where, "an error that names no place: {}", e);
        prop_assert!(!e.reason.trim().is_empty());
    }
    Ok(())
}

#[test]
fn damaged_policy_text_is_refused_naming_where() {
    run(
        "policy text",
        (0..FILES.len(), prop::collection::vec(damage_text(), 1..4)),
        |(f, damages)| {
            let (name, text) = FILES[f];
            let mut t = text.to_string();
            for d in &damages {
                t = damage(&t, d);
            }
            check(&t, name)
        },
    );
}

#[test]
fn mutated_policy_documents_are_refused_naming_where() {
    let docs: Vec<Value> = FILES
        .iter()
        .map(|(_, t)| serde_yaml_ng::from_str(t).expect("the built-in files are YAML"))
        .collect();
    run("policy document", (0..FILES.len(), mutations()), |(f, ms)| {
        let doc = apply(&docs[f], &ms);
        // JSON is YAML flow style: the text goes through the YAML reader like any policy file.
        let text = doc.to_string();
        check(&text, FILES[f].0)
    });
}

#[test]
fn the_unmutated_files_load() {
    for (name, text) in FILES {
        from_yaml(text, name).unwrap_or_else(|e| panic!("{e}"));
        // And through the document route the mutations take.
        let doc: Value = serde_yaml_ng::from_str(text).unwrap();
        from_yaml(&doc.to_string(), name).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Found by `damaged_policy_text_is_refused_naming_where`: a NUL byte spliced into a file was
/// refused as "control characters are not allowed at position 1", naming no line.
#[test]
fn a_control_character_is_refused_with_its_line_and_column() {
    let (name, text) = FILES[0];
    let damaged = text.replacen("articles:", "articles:\u{0}", 1);
    let line = text[..text.find("articles:").unwrap()].matches('\n').count() + 1;
    let e = from_yaml(&damaged, name).unwrap_err();
    assert!(
        e.reason
            .starts_with(&format!("line {line} column 10: control character U+0000")),
        "{e}"
    );
    let e = from_yaml("\u{7}", name).unwrap_err();
    assert!(e.reason.starts_with("line 1 column 1:"), "{e}");
}

/// Found by this target: a file whose top level is a list failed with no place named.
#[test]
fn a_file_that_is_a_list_is_refused_naming_the_whole_file() {
    let e = from_yaml("[]", "hubei-2022.yaml").expect_err("a list is not a policy");
    assert!(e.reason.contains("line 1"), "{e}");
    assert!(e.reason.contains("invalid type: sequence"), "{e}");
}
