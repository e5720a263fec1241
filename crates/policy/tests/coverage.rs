//! `guohe policy coverage`: every article of both shipped regulations is either encoded or says
//! why not, and the tests exercising an article are found.

use std::path::Path;

use guohe_policy::builtin_policy;
use guohe_policy::coverage::{EncodingKind, NotEncodedReason, coverage, scan_tests};

fn crates_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_article_appears_and_none_is_a_silent_gap() {
    let tests = scan_tests(&crates_dir()).unwrap();
    for id in ["hunan-2026", "hubei-2022"] {
        let p = builtin_policy(id).unwrap();
        let c = coverage(p, &tests);
        let numbers: Vec<u16> = c.articles.iter().map(|a| a.article).collect();
        let expected: Vec<u16> = (1..=p.articles.len() as u16).collect();
        assert_eq!(numbers, expected, "{id}: every article, in order");
        let gaps: Vec<u16> = c.articles.iter().filter(|a| a.is_gap()).map(|a| a.article).collect();
        assert!(
            gaps.is_empty(),
            "{id}: articles with neither encoding nor reason: {gaps:?}"
        );
        assert_eq!(c.summary.gaps, 0);
        assert_eq!(c.summary.encoded + c.summary.not_encoded, p.articles.len(), "{id}");
        // An article listed as not encoded must really have no encoding.
        for a in &c.articles {
            assert!(
                a.encodings.is_empty() || a.not_encoded.is_none(),
                "{id}: article {} is encoded and also listed in not_encoded",
                a.article
            );
        }
    }
}

#[test]
fn hubei_article_10_lists_its_rules_and_their_tests() {
    // 第十条第（四）项：依托单位为企业的，研发费用总额占同期销售收入总额的比例应不低于高新技术企业认定标准。
    let tests = scan_tests(&crates_dir()).unwrap();
    let c = coverage(builtin_policy("hubei-2022").unwrap(), &tests);
    let a10 = &c.articles[9];
    assert_eq!(a10.article_zh, "第十条");
    let rule = a10
        .encodings
        .iter()
        .find(|e| e.id == "enterprise.rd_ratio")
        .expect("the enterprise R&D ratio rule cites 10.4");
    assert_eq!(rule.kind, EncodingKind::Rule);
    assert_eq!(rule.at.to_string(), "10.4");
    assert!(
        a10.tests.iter().any(|t| t.file.ends_with("hubei_2022.rs")),
        "the Hubei scenario tests exercise article 10: {:?}",
        a10.tests
    );
}

#[test]
fn hubei_article_28_lists_its_consequences() {
    // 第二十八条第（一）项：阶段性综合绩效评估结果为不合格，或连续 2 年年度考核结果均为不合格的，终止并注销命名。
    let c = coverage(builtin_policy("hubei-2022").unwrap(), &[]);
    let ids: Vec<&str> = c.articles[27].encodings.iter().map(|e| e.id.as_str()).collect();
    assert!(ids.contains(&"evaluation_unqualified_terminate"), "{ids:?}");
    assert!(ids.contains(&"two_annual_unqualified_terminate"), "{ids:?}");
    // Without test sources nothing is tested.
    assert!(c.articles.iter().all(|a| a.tests.is_empty()));
    assert_eq!(c.summary.untested, c.summary.encoded);
}

#[test]
fn unencoded_articles_give_their_reason() {
    // 湖北第一条（立法目的）and 第三十二条“本办法由省科技厅负责解释”; 湖南第一条 likewise.
    let c = coverage(builtin_policy("hubei-2022").unwrap(), &[]);
    let a1 = c.articles[0].not_encoded.as_ref().expect("article 1 is not encoded");
    assert_eq!(a1.reason, NotEncodedReason::Purpose);
    assert!(!a1.note.is_empty());
    let a32 = c.articles[31].not_encoded.as_ref().expect("article 32 is not encoded");
    assert_eq!(a32.reason, NotEncodedReason::Delegation);
    let hn = coverage(builtin_policy("hunan-2026").unwrap(), &[]);
    assert_eq!(
        hn.articles[0].not_encoded.as_ref().map(|n| n.reason),
        Some(NotEncodedReason::Purpose)
    );
}

#[test]
fn a_not_encoded_entry_for_a_missing_or_repeated_article_is_refused() {
    let hubei = guohe_policy::BUILTIN_SOURCES[1].1;
    let first = "  - { article: 1, reason: purpose";
    assert!(hubei.contains(first));
    let text = hubei.replacen(
        first,
        &format!("  - {{ article: 99, reason: other, note: 无 }}\n{first}"),
        1,
    );
    let err = guohe_policy::load::from_yaml(&text, "x.yaml").unwrap_err().to_string();
    assert!(err.contains("not_encoded[0].article") && err.contains("99"), "{err}");
    let text = hubei.replacen(
        first,
        &format!("  - {{ article: 1, reason: other, note: 重复 }}\n{first}"),
        1,
    );
    let err = guohe_policy::load::from_yaml(&text, "x.yaml").unwrap_err().to_string();
    assert!(err.contains("not_encoded[1].article") && err.contains("twice"), "{err}");
}

/// 优先支持: hubei-2022:19 and hubei-2022:20, hunan-2026:19 — the articles the verification
/// service cites are encoded as `priority`, and an entry naming no article of the policy, or
/// saying nothing, is refused.
#[test]
fn priority_articles_are_encoded_and_checked() {
    for (id, articles) in [("hubei-2022", vec![19, 20]), ("hunan-2026", vec![19])] {
        let p = builtin_policy(id).unwrap();
        let got: Vec<u16> = p.priority.iter().map(|pr| pr.article.article).collect();
        assert_eq!(got, articles, "{id}");
        let c = coverage(p, &[]);
        for a in articles {
            let art = &c.articles[usize::from(a) - 1];
            assert!(art.encodings.iter().any(|e| e.id == "priority"), "{id}:{a}");
            assert!(art.not_encoded.is_none(), "{id}:{a}");
        }
    }
    let hubei = guohe_policy::BUILTIN_SOURCES[1].1;
    let first = "  - { article: \"19\", scope:";
    assert!(hubei.contains(first));
    let text = hubei.replacen(
        first,
        "  - { article: \"99\", scope: 无 }\n  - { article: \"19\", scope:",
        1,
    );
    let err = guohe_policy::load::from_yaml(&text, "x.yaml").unwrap_err().to_string();
    assert!(err.contains("priority[0].article") && err.contains("99"), "{err}");
    let text = hubei.replacen(
        first,
        "  - { article: \"21\", scope: \"\" }\n  - { article: \"19\", scope:",
        1,
    );
    let err = guohe_policy::load::from_yaml(&text, "x.yaml").unwrap_err().to_string();
    assert!(err.contains("priority[0].scope"), "{err}");
}
