//! The policy files themselves: both load, every article is there, and invalid files are
//! rejected with the file, the path inside it and the reason.

use guohe_policy::{ArticleRef, Citation, builtin, builtin_policy, load::from_yaml};

const HUBEI: &str = include_str!("../../../policies/hubei-2022.yaml");

#[test]
fn both_policies_load_with_every_article() {
    let hunan = builtin_policy("hunan-2026").unwrap();
    let hubei = builtin_policy("hubei-2022").unwrap();
    assert_eq!(hunan.articles.len(), 23);
    assert_eq!(hubei.articles.len(), 33);
    assert_eq!(hunan.document_number, "湘科发〔2026〕27号");
    assert_eq!(hubei.document_number, "鄂科技规〔2022〕6号");
    assert_eq!(hubei.supersedes[0].document_number, "鄂科技规〔2016〕1号");
    assert!(
        hubei
            .text(ArticleRef::parse("28.1").unwrap())
            .unwrap()
            .contains("连续 2 年年度考核结果均为不合格")
    );
    assert!(
        hunan
            .text(ArticleRef::parse("5.4").unwrap())
            .unwrap()
            .contains("人类遗传资源")
    );
    assert_eq!(hubei.cite_zh(ArticleRef::parse("10.4").unwrap()), "第十条第（四）项");
    assert_eq!(builtin().len(), 2);
}

#[test]
fn every_rule_and_consequence_cites_an_article_with_text() {
    for p in builtin() {
        for r in &p.eligibility {
            assert!(p.text(r.article).is_some(), "{} {}", p.id, r.id);
        }
        for c in &p.consequences {
            assert!(p.text(c.article).is_some(), "{} {}", p.id, c.id);
        }
        let c = Citation::parse(&format!("{}:{}", p.id, p.validity.article)).unwrap();
        assert_eq!(c.policy, p.id);
    }
}

fn broken(from: &str, to: &str) -> guohe_policy::PolicyError {
    assert!(HUBEI.contains(from), "fixture text not found: {from}");
    from_yaml(&HUBEI.replacen(from, to, 1), "broken.yaml").unwrap_err()
}

#[test]
fn a_rule_without_an_article_is_invalid() {
    let e = broken("    article: \"8.1\"\n    title_zh: 在湖北省", "    title_zh: 在湖北省");
    assert_eq!(e.file, "broken.yaml");
    assert_eq!(e.path, "eligibility[0]");
    assert!(e.reason.contains("missing field `article`"), "{e}");
}

#[test]
fn citing_an_article_that_does_not_exist_is_invalid() {
    let e = broken(
        "    article: \"8.1\"\n    title_zh: 在湖北省",
        "    article: \"8.9\"\n    title_zh: 在湖北省",
    );
    assert_eq!(e.path, "eligibility[0].article");
    assert!(e.reason.contains("item 9 of article 8"), "{e}");
    let e = broken(
        "validity: { years: 5, article: \"33\" }",
        "validity: { years: 5, article: \"34\" }",
    );
    assert_eq!(e.path, "validity.article");
}

#[test]
fn unknown_facts_and_type_errors_are_invalid() {
    let e = broken("- fact: unit.in_existence", "- fact: unit.in_existance");
    assert!(e.path.starts_with("eligibility[0].condition"), "{e}");
    assert!(e.reason.contains("`unit.in_existance` is not a fact"), "{e}");
    let e = broken("        min: 10\n", "        min: yes\n");
    assert!(e.reason.contains("both must be numbers"), "{e}");
}

#[test]
fn unknown_operations_and_vocabulary_codes_are_invalid() {
    let e = broken(
        "        - at_most:\n            value:\n              count: { list: unit.bad_credit_records",
        "        - atmost:\n            value:\n              count: { list: unit.bad_credit_records",
    );
    assert!(e.reason.contains("unknown operation `atmost`"), "{e}");
    let e = broken("when: { finding: misconduct }", "when: { finding: misconduckt }");
    assert!(e.reason.contains("`misconduckt` is not a finding"), "{e}");
    let e = broken("schema: guohe-policy/1", "schema: guohe-policy/9");
    assert_eq!(e.path, "schema");
}

/// A misspelt code in a `one_of` set would never match and silently switch its rule off
/// (a park applying under 第十条第（一）项 came out eligible): every code is checked at load.
#[test]
fn every_code_in_a_condition_is_checked() {
    let e = broken(
        "applies_when: { one_of: { value: { fact: unit.kind }, set: [park_committee] } }",
        "applies_when: { one_of: { value: { fact: unit.kind }, set: [innovation_parks] } }",
    );
    assert!(e.path.ends_with("applies_when.one_of.set[0]"), "{e}");
    assert!(
        e.reason.contains("`innovation_parks` is not a code of `unit.kind`") && e.reason.contains("park_committee"),
        "{e}"
    );
    // Codes of the facts' own enumerations, inside `where`.
    let e = broken(
        "set: [provincial, ministerial, national] }",
        "set: [provincial, ministry, national] }",
    );
    assert!(
        e.reason
            .contains("`ministry` is not a code of `director.projects_led[].level`"),
        "{e}"
    );
    // Countries.
    let e = broken("set: [CN] }", "set: [CHN] }");
    assert!(e.reason.contains("`CHN` is not an ISO 3166-1"), "{e}");
    // Both sides of `equals`, and the director's title.
    let e = broken("set: [senior] }", "set: [professor] }");
    assert!(
        e.reason.contains("`professor` is not a code of `director.title`"),
        "{e}"
    );
}

/// Where an article has several paragraphs (款), a citation must say which: 第十二条 holds both
/// the one-base-per-domain and the one-base-per-director rules.
#[test]
fn citations_go_down_to_the_paragraph() {
    let e = broken("    article: \"12(2)\"", "    article: \"12\"");
    assert!(e.path.ends_with(".article"), "{e}");
    assert!(e.reason.contains("article 12 has 2 paragraphs"), "{e}");
    let e = broken("    article: \"12(2)\"", "    article: \"12(3)\"");
    assert!(e.reason.contains("cites paragraph 3 of article 12, which has 2"), "{e}");
    // Every multi-paragraph article of both regulations is split in the file.
    let hubei = builtin_policy("hubei-2022").unwrap();
    let split: Vec<u16> = hubei
        .articles
        .iter()
        .filter(|a| a.paragraphs.len() > 1)
        .map(|a| a.number)
        .collect();
    assert_eq!(split, [2, 4, 6, 7, 12, 15, 17, 22, 31]);
    let e = from_yaml(
        &HUBEI.replacen(
            "  - number: 12\n    paragraphs:",
            "  - number: 12\n    text: x\n    paragraphs:",
            1,
        ),
        "broken.yaml",
    )
    .unwrap_err();
    assert!(e.reason.contains("both `text` and `paragraphs`"), "{e}");
    // Serialised, every article has its text, and multi-paragraph ones their paragraphs too;
    // the serialised policy reads back.
    let json = serde_json::to_value(hubei).unwrap();
    assert!(json["articles"][11]["text"].as_str().unwrap().contains("同一自然人"));
    assert_eq!(json["articles"][11]["paragraphs"].as_array().unwrap().len(), 2);
    let yaml = serde_yaml_ng::to_string(hubei).unwrap();
    let back = from_yaml(&yaml, "round-trip.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.articles[11].paragraphs, hubei.articles[11].paragraphs);
}

/// A ban composes with terminate, revoke or disqualify — not with rectification.
#[test]
fn a_consequence_ban_is_checked() {
    let p = from_yaml(
        &HUBEI.replacen(
            "    then: revoke\n",
            "    then: revoke\n    ban: { years: 3, article: \"29\" }\n",
            1,
        ),
        "ok.yaml",
    )
    .unwrap();
    let c = p.consequences.iter().find(|c| c.id == "false_materials").unwrap();
    let terms = c.ban_terms(&p.lifecycle).unwrap();
    assert_eq!((terms.years, terms.article.to_string()), (3, "29".to_string()));
    let e = broken("    then: revoke\n", "    then: revoke\n    ban: { years: 0 }\n");
    assert_eq!(e.path, "consequences[4].ban.years");
    let e = broken(
        "    then: revoke\n",
        "    then: revoke\n    ban: { years: 2, article: \"40\" }\n",
    );
    assert!(e.reason.contains("cites article 40"), "{e}");
}

/// The major-change section may be absent ("not regulated"), but then nothing may be triggered
/// by a major change.
#[test]
fn the_major_change_section_is_optional() {
    let start = HUBEI.find("  major_changes:\n").unwrap();
    let len = HUBEI[start..].find("\nconsequences:").unwrap() + 1;
    let without = format!("{}{}", &HUBEI[..start], &HUBEI[start + len..]);
    let e = from_yaml(&without, "broken.yaml").unwrap_err();
    assert!(
        e.path.starts_with("consequences[") && e.reason.contains("no `lifecycle.major_changes`"),
        "{e}"
    );
    let ok = without.replacen(
        "{ major_change: voluntary_termination }",
        "{ finding: unable_to_operate }",
        1,
    );
    assert!(from_yaml(&ok, "ok.yaml").unwrap().lifecycle.major_changes.is_none());
}

#[test]
fn malformed_yaml_is_invalid() {
    let e = from_yaml("id: [", "x.yaml").unwrap_err();
    assert_eq!(e.file, "x.yaml");
    assert!(!e.reason.is_empty());
}

/// 双随机、一公开: the draw parameters cite articles the policy has (Hubei 第二十二条第一款,
/// 第二十四条), ask for a sensible number of inspectors and name the interpretation they rely on.
#[test]
fn inspection_draw_parameters_are_validated() {
    let p = builtin_policy("hubei-2022").unwrap();
    let d = p
        .lifecycle
        .inspection_draw
        .as_ref()
        .expect("Hubei provides inspection draws");
    assert_eq!(d.annual_assessment.map(|a| a.to_string()).as_deref(), Some("22(1)"));
    assert_eq!(d.evaluation.to_string(), "24");
    let hunan = builtin_policy("hunan-2026").unwrap();
    let h = hunan
        .lifecycle
        .inspection_draw
        .as_ref()
        .expect("Hunan provides inspection draws");
    assert!(h.annual_assessment.is_none(), "Hunan has no annual assessment");
    assert_eq!(h.evaluation.to_string(), "15");

    let e = broken(
        "    evaluation: \"24\"                 #",
        "    evaluation: \"40\"                 #",
    );
    assert_eq!(e.path, "lifecycle.inspection_draw.evaluation");
    let e = broken("    inspectors_per_base: 2\n", "    inspectors_per_base: 0\n");
    assert_eq!(e.path, "lifecycle.inspection_draw.inspectors_per_base");
    let e = broken("    inspectors_per_base: 2\n", "    inspectors_per_base: 6\n");
    assert_eq!(e.path, "lifecycle.inspection_draw.inspectors_per_base");
    let e = broken(
        "    interpretation: inspection_draw_random\n",
        "    interpretation: nowhere\n",
    );
    assert_eq!(e.path, "lifecycle.inspection_draw.interpretation");
    let e = broken(
        "    avoidance: [own_unit, declared_conflict]\n",
        "    avoidance: [own_unit, friendship]\n",
    );
    assert!(e.path.starts_with("lifecycle"), "{e}");
}

/// 湖北第二十五条：按一定比例评选优秀的省国合基地，并给予一定金额的建设经费后补助 — the share is a
/// parameter with its interpretation; 湖南第十五条 only says 优秀基地加大支持力度, so Hunan has no
/// post-subsidy section but says what 优秀 brings.
#[test]
fn post_subsidy_parameters_are_validated() {
    let p = builtin_policy("hubei-2022").unwrap();
    let s = p
        .lifecycle
        .post_subsidy
        .as_ref()
        .expect("Hubei provides post-subsidies");
    assert_eq!(s.article.to_string(), "25");
    assert_eq!(s.use_article.map(|a| a.to_string()).as_deref(), Some("26"));
    assert_eq!(
        (s.grade.as_str(), s.share_percent, s.limit(25), s.limit(24)),
        ("excellent", 20, 5, 4)
    );
    assert!(
        p.interpretations
            .iter()
            .any(|i| i.id == s.interpretation && i.article.to_string() == "25")
    );
    let hunan = builtin_policy("hunan-2026").unwrap();
    assert!(
        hunan.lifecycle.post_subsidy.is_none(),
        "湖南第十五条 provides no post-subsidy"
    );
    let excellent = hunan
        .lifecycle
        .evaluation_support
        .iter()
        .find(|g| g.grade == "excellent")
        .expect("湖南第十五条: what 优秀 brings");
    assert_eq!(excellent.article.to_string(), "15");
    assert!(excellent.support_zh.contains("加大支持力度"));

    let e = broken("    share_percent: 20\n", "    share_percent: 0\n");
    assert_eq!(e.path, "lifecycle.post_subsidy.share_percent");
    let e = broken("    share_percent: 20\n", "    share_percent: 120\n");
    assert_eq!(e.path, "lifecycle.post_subsidy.share_percent");
    let e = broken(
        "    grade: excellent\n    share_percent",
        "    grade: outstanding\n    share_percent",
    );
    assert_eq!(e.path, "lifecycle.post_subsidy.grade");
    let e = broken(
        "    interpretation: post_subsidy_share\n",
        "    interpretation: nowhere\n",
    );
    assert_eq!(e.path, "lifecycle.post_subsidy.interpretation");
    let e = broken(
        "    article: \"25\"                    #",
        "    article: \"99\"                    #",
    );
    assert_eq!(e.path, "lifecycle.post_subsidy.article");
    let e = broken("    rounding: down\n", "    rounding: sideways\n");
    assert!(e.path.starts_with("lifecycle"), "{e}");
    let e = broken(
        "    share_percent: 20\n",
        "    share_percent: 20\n    max_amount_wan: 0\n",
    );
    assert_eq!(e.path, "lifecycle.post_subsidy.max_amount_wan");
    let e = broken(
        "    - grade: excellent\n      article: \"25\"",
        "    - grade: superb\n      article: \"25\"",
    );
    assert_eq!(e.path, "lifecycle.evaluation_support[0].grade");
}

/// 推荐申报国家级基地: Hubei 第二十七条 “结合年度考核和绩效评估结果…择优…推荐” reads both the
/// evaluation (第二十四条) and the annual assessment (第二十二条); Hunan has no annual assessment, so
/// only its dynamic evaluation (第十五条) applies, and recognition follows 第十七条.
#[test]
fn national_recommendation_parameters_are_validated() {
    use guohe_policy::national::OnRecognition;
    let hubei = builtin_policy("hubei-2022").unwrap();
    let c = hubei
        .lifecycle
        .national_recommendation
        .as_ref()
        .and_then(|n| n.criteria())
        .expect("Hubei 第二十七条 provides national recommendation");
    assert_eq!(c.article.to_string(), "27");
    let e = c.latest_evaluation.as_ref().unwrap();
    assert_eq!(
        (e.article.to_string(), e.grades.clone()),
        ("24".into(), vec!["excellent".to_string()])
    );
    let a = c.annual.as_ref().unwrap();
    assert_eq!(
        (a.years, a.excluded_grades.clone()),
        (3, vec!["unqualified".to_string()])
    );
    assert!(matches!(c.on_recognition, OnRecognition::Stays(s) if s.to_string() == "30"));
    let hunan = builtin_policy("hunan-2026").unwrap();
    let h = hunan
        .lifecycle
        .national_recommendation
        .as_ref()
        .and_then(|n| n.criteria())
        .unwrap();
    assert!(h.annual.is_none(), "Hunan has no annual assessment");
    assert!(matches!(&h.on_recognition, OnRecognition::Finding(f) if f == "national_recognition"));

    let e = broken(
        "      latest_evaluation: { article: \"24\", grades: [excellent], within_years: 3 }",
        "      latest_evaluation: { article: \"24\", grades: [superb], within_years: 3 }",
    );
    assert_eq!(
        e.path,
        "lifecycle.national_recommendation.provided.latest_evaluation.grades[0]"
    );
    let e = broken(
        "      annual: { article: \"22(1)\", years: 3, excluded_grades: [unqualified] }",
        "      annual: { article: \"22(1)\", years: 0, excluded_grades: [unqualified] }",
    );
    assert_eq!(e.path, "lifecycle.national_recommendation.provided.annual.years");
    let e = broken(
        "      on_recognition: { stays: \"30\" }",
        "      on_recognition: { stays: \"40\" }",
    );
    assert_eq!(
        e.path,
        "lifecycle.national_recommendation.provided.on_recognition.stays"
    );
    let e = broken(
        "      interpretation: national_recommendation_criteria\n",
        "      interpretation: nowhere\n",
    );
    assert_eq!(e.path, "lifecycle.national_recommendation.provided.interpretation");
    // A regulation without the recommendation says so, with the nearest article.
    let not = HUBEI.replacen(
        "    provided:\n      article: \"27\"\n      latest_evaluation: { article: \"24\", grades: [excellent], within_years: 3 }\n      annual: { article: \"22(1)\", years: 3, excluded_grades: [unqualified] }\n      on_recognition: { stays: \"30\" }  # 国家基地可直接纳入省国合基地管理，不再重复认定\n      interpretation: national_recommendation_criteria\n",
        "    not_provided: { article: \"19\", note_zh: 未规定, note_en: not provided }\n",
        1,
    );
    let p = from_yaml(&not, "not.yaml").unwrap();
    assert!(
        p.lifecycle
            .national_recommendation
            .as_ref()
            .unwrap()
            .criteria()
            .is_none()
    );
    let e = from_yaml(&not.replacen("note_zh: 未规定", "note_zh: \"\"", 1), "not.yaml").unwrap_err();
    assert_eq!(e.path, "lifecycle.national_recommendation.not_provided");
}
