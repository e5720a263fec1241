//! Loading and validating policy files.
//!
//! A policy is rejected at load, with the file, the path inside it and the reason, when it is
//! malformed, when a rule or consequence has no article or cites one that does not exist, when a
//! condition reads a fact that is not in the catalogue or compares values of the wrong type, or
//! when it names a vocabulary code it does not define.

use std::collections::HashSet;
use std::path::Path;

use crate::citation::ArticleRef;
use crate::expr::{Expr, ExprKind, ListOp, Literal, Window};
use crate::facts::{CodeDomain, FactType, catalogue_entry, code_domain};
use crate::model::{Effect, Mode, Policy, Trigger, term};

mod national;
mod types;

use national::check_national;
use types::{Scope, Ty, expect};

/// The format version this build reads.
pub const SCHEMA: &str = "guohe-policy/1";

/// A policy file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: at `{path}`: {reason}")]
pub struct PolicyError {
    /// The file (or the name of the embedded policy).
    pub file: String,
    /// The path inside the file, e.g. `eligibility[3].condition`.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Reads a policy from YAML text; `file` names it in errors.
pub fn from_yaml(text: &str, file: &str) -> Result<Policy, PolicyError> {
    // The YAML reader reports a control character by byte offset alone; say the line and column.
    if let Some((at, c)) = text
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(PolicyError {
            file: file.into(),
            path: String::new(),
            reason: format!(
                "line {line} column {column}: control character U+{:04X} is not allowed in a policy file",
                c as u32
            ),
        });
    }
    let de = serde_yaml_ng::Deserializer::from_str(text);
    let policy: Policy = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let mut reason = e.into_inner().to_string();
        // A file that is not a mapping at all (a list, a bare value) fails at the root, where
        // there is no member to name: the place is the whole file.
        if path == "." && !reason.contains("line") {
            reason.push_str(" (the whole file, from line 1: a policy file is a mapping of its sections)");
        }
        PolicyError {
            file: file.into(),
            path: if path == "." { String::new() } else { path },
            reason,
        }
    })?;
    validate(&policy).map_err(|(path, reason)| PolicyError {
        file: file.into(),
        path,
        reason,
    })?;
    Ok(policy)
}

/// Reads a policy file from disk.
pub fn from_path(path: &Path) -> Result<Policy, PolicyError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
        file: name.clone(),
        path: String::new(),
        reason: format!("cannot read the file: {e}"),
    })?;
    from_yaml(&text, &name)
}

type Invalid = (String, String);

fn bad(path: impl Into<String>, reason: impl Into<String>) -> Invalid {
    (path.into(), reason.into())
}

/// Checks everything serde cannot: references, uniqueness, fact paths and types.
pub fn validate(p: &Policy) -> Result<(), Invalid> {
    if p.schema != SCHEMA {
        return Err(bad(
            "schema",
            format!("this build reads `{SCHEMA}`, the file says `{}`", p.schema),
        ));
    }
    if p.id.is_empty()
        || !p
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(bad(
            "id",
            "the id must be lowercase letters, digits and '-', e.g. `hubei-2022`",
        ));
    }
    if p.validity.years == 0 {
        return Err(bad("validity.years", "must be at least 1"));
    }
    if p.in_force_from < p.published_on {
        return Err(bad(
            "in_force_from",
            "a policy cannot enter into force before it is published",
        ));
    }
    // Articles: numbered 1..n without gaps or repeats, items likewise.
    for (i, a) in p.articles.iter().enumerate() {
        if a.number as usize != i + 1 {
            return Err(bad(
                format!("articles[{i}].number"),
                format!("expected article {} here, found {}", i + 1, a.number),
            ));
        }
        if a.text.trim().is_empty() {
            return Err(bad(format!("articles[{i}].text"), "an article needs its text"));
        }
        for (j, it) in a.items.iter().enumerate() {
            if it.number as usize != j + 1 {
                return Err(bad(
                    format!("articles[{i}].items[{j}].number"),
                    format!("expected item {} here", j + 1),
                ));
            }
        }
    }
    let cites =
        |at: ArticleRef, path: String| -> Result<(), Invalid> { check_citation(p, at).map_err(|r| bad(path, r)) };
    cites(p.validity.article, "validity.article".into())?;
    for (i, s) in p.supersedes.iter().enumerate() {
        cites(s.article, format!("supersedes[{i}].article"))?;
    }
    let v = &p.vocabularies;
    for (name, terms) in [
        ("categories", &v.categories),
        ("unit_kinds", &v.unit_kinds),
        ("annual_grades", &v.annual_grades),
        ("evaluation_grades", &v.evaluation_grades),
        ("expert_conclusions", &v.expert_conclusions),
        ("decisions", &v.decisions),
        ("major_change_kinds", &v.major_change_kinds),
        ("findings", &v.findings),
    ] {
        let mut seen = HashSet::new();
        for (i, t) in terms.iter().enumerate() {
            if !seen.insert(t.code.as_str()) {
                return Err(bad(
                    format!("vocabularies.{name}[{i}].code"),
                    format!("`{}` is defined twice", t.code),
                ));
            }
            if let Some(a) = t.article {
                cites(a, format!("vocabularies.{name}[{i}].article"))?;
            }
        }
    }
    for (i, c) in v.categories.iter().enumerate() {
        if c.name_suffix.is_none() {
            return Err(bad(
                format!("vocabularies.categories[{i}]"),
                "a category needs `name_suffix` for the official name",
            ));
        }
    }
    let mut ids = HashSet::new();
    for (i, it) in p.interpretations.iter().enumerate() {
        if !ids.insert(it.id.as_str()) {
            return Err(bad(
                format!("interpretations[{i}].id"),
                format!("`{}` is defined twice", it.id),
            ));
        }
        cites(it.article, format!("interpretations[{i}].article"))?;
    }
    let interp = ids;
    let mut rule_ids = HashSet::new();
    for (i, r) in p.eligibility.iter().enumerate() {
        let at = format!("eligibility[{i}]");
        if !rule_ids.insert(r.id.as_str()) {
            return Err(bad(format!("{at}.id"), format!("rule `{}` is defined twice", r.id)));
        }
        cites(r.article, format!("{at}.article"))?;
        for x in &r.interpretations {
            if !interp.contains(x.as_str()) {
                return Err(bad(
                    format!("{at}.interpretations"),
                    format!("no interpretation `{x}` in this policy"),
                ));
            }
        }
        match (r.mode, &r.condition, &r.evidence) {
            (Mode::Computed, None, _) => {
                return Err(bad(format!("{at}.condition"), "a computed rule needs a condition"));
            }
            (Mode::Attested, None, _) => {
                return Err(bad(
                    format!("{at}.condition"),
                    "an attested rule needs the declaration it checks",
                ));
            }
            (Mode::Attested, _, None) => {
                return Err(bad(
                    format!("{at}.evidence"),
                    "an attested rule names the attachment that backs it",
                ));
            }
            (Mode::Computed | Mode::Judged, _, Some(_)) => {
                return Err(bad(format!("{at}.evidence"), "only attested rules take `evidence`"));
            }
            _ => {}
        }
        if let Some(w) = &r.applies_when {
            expect(w, Ty::Bool, &Scope::top(p), &format!("{at}.applies_when"))?;
        }
        if let Some(c) = &r.condition {
            expect(c, Ty::Bool, &Scope::top(p), &format!("{at}.condition"))?;
        }
    }
    let pr = &p.procedure;
    for (path, a) in [
        ("procedure.application.article", Some(pr.application.article)),
        ("procedure.recommendation.article", Some(pr.recommendation.article)),
        (
            "procedure.recommendation.direct_article",
            pr.recommendation.direct_article,
        ),
        ("procedure.expert_review.article", Some(pr.expert_review.article)),
        (
            "procedure.expert_review.site_inspection",
            pr.expert_review.site_inspection,
        ),
        ("procedure.decision.article", Some(pr.decision.article)),
        ("procedure.public_notice.article", Some(pr.public_notice.article)),
        (
            "procedure.public_notice.objections_article",
            Some(pr.public_notice.objections_article),
        ),
        ("procedure.naming.article", Some(pr.naming.article)),
        (
            "procedure.naming.announcement_article",
            Some(pr.naming.announcement_article),
        ),
    ] {
        if let Some(a) = a {
            cites(a, path.into())?;
        }
    }
    if pr.expert_review.score_min >= pr.expert_review.score_max {
        return Err(bad(
            "procedure.expert_review.score_max",
            "must be greater than score_min",
        ));
    }
    if pr.public_notice.working_days == 0 {
        return Err(bad("procedure.public_notice.working_days", "must be at least 1"));
    }
    if !pr.recommendation.direct_for_affiliations.is_empty() && pr.recommendation.direct_article.is_none() {
        return Err(bad(
            "procedure.recommendation.direct_article",
            "direct application needs the article that allows it",
        ));
    }
    if !v.categories.is_empty() && !pr.naming.template.contains("{category_suffix}") {
        return Err(bad(
            "procedure.naming.template",
            "a policy with categories names them: use {category_suffix}",
        ));
    }
    for ph in placeholders(&pr.naming.template) {
        if !["domain", "category_suffix", "unit"].contains(&ph.as_str()) {
            return Err(bad(
                "procedure.naming.template",
                format!("unknown placeholder {{{ph}}}; use {{domain}}, {{category_suffix}}, {{unit}}"),
            ));
        }
    }
    for (code, path) in [
        ("approve", "vocabularies.decisions"),
        ("reject", "vocabularies.decisions"),
    ] {
        if term(&v.decisions, code).is_none() {
            return Err(bad(path, format!("the decisions must include `{code}`")));
        }
    }
    let l = &p.lifecycle;
    cites(l.annual_report.article, "lifecycle.annual_report.article".into())?;
    if chrono::NaiveDate::from_ymd_opt(2001, l.annual_report.due_month, l.annual_report.due_day).is_none() {
        return Err(bad(
            "lifecycle.annual_report",
            "due_month/due_day is not a day of the year",
        ));
    }
    if let Some(a) = &l.annual_assessment {
        cites(a.article, "lifecycle.annual_assessment.article".into())?;
        if term(&v.annual_grades, &a.missing_report_grade).is_none() {
            return Err(bad(
                "lifecycle.annual_assessment.missing_report_grade",
                format!("`{}` is not an annual grade", a.missing_report_grade),
            ));
        }
    }
    cites(l.evaluation.article, "lifecycle.evaluation.article".into())?;
    l.evaluation.check().map_err(|(field, reason)| {
        let path = if field.is_empty() {
            "lifecycle.evaluation".to_string()
        } else {
            format!("lifecycle.evaluation.{field}")
        };
        bad(path, reason)
    })?;
    if let Some(i) = &l.evaluation.cycle_start.interpretation
        && !interp.contains(i.as_str())
    {
        return Err(bad(
            "lifecycle.evaluation.cycle_start.interpretation",
            format!("no interpretation `{i}`"),
        ));
    }
    if let Some(r) = &l.rectification {
        cites(r.article, "lifecycle.rectification.article".into())?;
    }
    if let Some(mc) = &l.major_changes {
        cites(mc.article, "lifecycle.major_changes.article".into())?;
        if mc.approval.is_empty() {
            return Err(bad(
                "lifecycle.major_changes.approval",
                "name who approves (recommender, department)",
            ));
        }
    }
    if let Some(b) = &l.ban {
        cites(b.article, "lifecycle.ban.article".into())?;
        if !interp.contains(b.interpretation.as_str()) {
            return Err(bad(
                "lifecycle.ban.interpretation",
                format!("no interpretation `{}`", b.interpretation),
            ));
        }
    }
    if let Some(d) = &l.inspection_draw {
        if let Some(a) = d.annual_assessment {
            if l.annual_assessment.is_none() {
                return Err(bad(
                    "lifecycle.inspection_draw.annual_assessment",
                    "the policy has no `lifecycle.annual_assessment` to draw for",
                ));
            }
            cites(a, "lifecycle.inspection_draw.annual_assessment".into())?;
        }
        cites(d.evaluation, "lifecycle.inspection_draw.evaluation".into())?;
        if d.inspectors_per_base == 0 || d.inspectors_per_base > d.max_inspectors_per_base {
            return Err(bad(
                "lifecycle.inspection_draw.inspectors_per_base",
                "at least 1 and at most `max_inspectors_per_base`",
            ));
        }
        if !interp.contains(d.interpretation.as_str()) {
            return Err(bad(
                "lifecycle.inspection_draw.interpretation",
                format!("no interpretation `{}`", d.interpretation),
            ));
        }
    }
    if let Some(n) = &l.national_recommendation {
        check_national(p, n, &interp, &cites)?;
    }
    let mut cids = HashSet::new();
    for (i, c) in p.consequences.iter().enumerate() {
        let at = format!("consequences[{i}]");
        if !cids.insert(c.id.as_str()) {
            return Err(bad(format!("{at}.id"), format!("`{}` is defined twice", c.id)));
        }
        cites(c.article, format!("{at}.article"))?;
        let (vocab, code, name) = match &c.when {
            Trigger::Evaluation { grade } | Trigger::ReEvaluation { grade } => {
                (&v.evaluation_grades, grade, "evaluation grade")
            }
            Trigger::ConsecutiveAnnual { grade, years } => {
                if *years == 0 {
                    return Err(bad(format!("{at}.when"), "years must be at least 1"));
                }
                if l.annual_assessment.is_none() {
                    return Err(bad(format!("{at}.when"), "the policy has no annual assessment"));
                }
                (&v.annual_grades, grade, "annual grade")
            }
            Trigger::Finding { finding } => (&v.findings, finding, "finding"),
            Trigger::MajorChange { change } => (&v.major_change_kinds, change, "major change kind"),
        };
        if term(vocab, code).is_none() {
            return Err(bad(
                format!("{at}.when"),
                format!("`{code}` is not a {name} of this policy"),
            ));
        }
        if matches!(c.when, Trigger::MajorChange { .. }) && l.major_changes.is_none() {
            return Err(bad(
                format!("{at}.when"),
                "a major change triggers it, but the policy has no `lifecycle.major_changes`",
            ));
        }
        if matches!(c.when, Trigger::ReEvaluation { .. }) && l.rectification.is_none() {
            return Err(bad(
                format!("{at}.when"),
                "re-evaluation follows rectification, which the policy does not have",
            ));
        }
        match c.then {
            Effect::Rectify if l.rectification.is_none() => {
                return Err(bad(format!("{at}.then"), "the policy has no `lifecycle.rectification`"));
            }
            Effect::Disqualify if l.ban.is_none() && c.ban.is_none() => {
                return Err(bad(
                    format!("{at}.then"),
                    "disqualification needs a ban: `lifecycle.ban`, or `ban` on the consequence",
                ));
            }
            _ => {}
        }
        if let Some(b) = &c.ban {
            if !matches!(c.then, Effect::Terminate | Effect::Revoke | Effect::Disqualify) {
                return Err(bad(
                    format!("{at}.ban"),
                    "a ban composes with terminate, revoke or disqualify",
                ));
            }
            if b.years == 0 {
                return Err(bad(format!("{at}.ban.years"), "must be at least 1"));
            }
            if let Some(a) = b.article {
                cites(a, format!("{at}.ban.article"))?;
            }
        }
    }
    let t = &p.transitions;
    if let Some(m) = &t.category_mapping {
        cites(m.article, "transitions.category_mapping.article".into())?;
        for (i, o) in m.map.iter().enumerate() {
            if term(&v.categories, &o.new).is_none() {
                return Err(bad(
                    format!("transitions.category_mapping.map[{i}].new"),
                    format!("`{}` is not a category", o.new),
                ));
            }
        }
    }
    if let Some(s) = &t.national_bases_join {
        cites(s.article, "transitions.national_bases_join.article".into())?;
    }
    if let Some(s) = &t.legacy_bases {
        cites(s.article, "transitions.legacy_bases.article".into())?;
    }
    for (i, pr) in p.priority.iter().enumerate() {
        cites(pr.article, format!("priority[{i}].article"))?;
        if pr.scope.trim().is_empty() {
            return Err(bad(
                format!("priority[{i}].scope"),
                "say what priority the article gives",
            ));
        }
    }
    crate::subsidy::validate(p, &cites)?;
    crate::coverage::validate_not_encoded(p)?;
    Ok(())
}

/// A citation must name an article, paragraph and item the policy has, and must go down to the
/// paragraph (款) where the article has several — otherwise two rules under 第十二条 cannot be
/// told apart.
pub fn check_citation(p: &Policy, at: ArticleRef) -> Result<(), String> {
    let Some(a) = p.articles.get(at.article as usize - 1) else {
        return Err(format!(
            "cites article {} but the policy has {} articles",
            at.article,
            p.articles.len()
        ));
    };
    if let Some(i) = at.item
        && a.items.get(i as usize - 1).is_none()
    {
        return Err(format!(
            "cites item {i} of article {}, which has {} items",
            at.article,
            a.items.len()
        ));
    }
    let paragraphs = a.paragraph_count();
    match at.paragraph {
        Some(n) if n as usize > paragraphs => Err(format!(
            "cites paragraph {n} of article {}, which has {paragraphs}",
            at.article
        )),
        None if paragraphs > 1 && at.item.is_none() => Err(format!(
            "article {} has {paragraphs} paragraphs (款); cite the one meant, e.g. \"{}(1)\"",
            at.article, at.article
        )),
        _ => Ok(()),
    }
}

fn placeholders(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => {
                out.push(after[..j].to_string());
                rest = &after[j + 1..];
            }
            None => break,
        }
    }
    out
}
