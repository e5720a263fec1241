//! The check of a policy's 推荐申报国家级基地 section at load: the articles it cites exist, its
//! grades are the policy's, and its interpretation is written down.

use std::collections::HashSet;

use super::{Invalid, bad};
use crate::citation::ArticleRef;
use crate::model::{Policy, term};

/// 推荐申报国家级基地: the articles exist, the grades are the policy's, an annual criterion has
/// an annual assessment to read, the interpretation is written down, and the follow-up of a
/// recognition is a finding the policy has a consequence for, or an article.
pub(super) fn check_national(
    p: &Policy,
    n: &crate::national::NationalRecommendation,
    interp: &HashSet<&str>,
    cites: &dyn Fn(ArticleRef, String) -> Result<(), Invalid>,
) -> Result<(), Invalid> {
    use crate::national::{NationalRecommendation, OnRecognition};
    const AT: &str = "lifecycle.national_recommendation";
    let c = match n {
        NationalRecommendation::NotProvided(x) => {
            if let Some(a) = x.article {
                cites(a, format!("{AT}.not_provided.article"))?;
            }
            if x.note_zh.trim().is_empty() || x.note_en.trim().is_empty() {
                return Err(bad(format!("{AT}.not_provided"), "say why, in note_zh and note_en"));
            }
            return Ok(());
        }
        NationalRecommendation::Provided(c) => c,
    };
    let at = format!("{AT}.provided");
    cites(c.article, format!("{at}.article"))?;
    if c.latest_evaluation.is_none() && c.annual.is_none() {
        return Err(bad(at, "name at least one criterion: latest_evaluation or annual"));
    }
    let v = &p.vocabularies;
    if let Some(e) = &c.latest_evaluation {
        cites(e.article, format!("{at}.latest_evaluation.article"))?;
        if e.grades.is_empty() {
            return Err(bad(format!("{at}.latest_evaluation.grades"), "name at least one grade"));
        }
        for (i, g) in e.grades.iter().enumerate() {
            if term(&v.evaluation_grades, g).is_none() {
                return Err(bad(
                    format!("{at}.latest_evaluation.grades[{i}]"),
                    format!("`{g}` is not an evaluation grade"),
                ));
            }
        }
        if e.within_years == 0 {
            return Err(bad(format!("{at}.latest_evaluation.within_years"), "at least 1"));
        }
    }
    if let Some(a) = &c.annual {
        if p.lifecycle.annual_assessment.is_none() {
            return Err(bad(
                format!("{at}.annual"),
                "the policy has no `lifecycle.annual_assessment` to read grades from",
            ));
        }
        cites(a.article, format!("{at}.annual.article"))?;
        if a.years == 0 {
            return Err(bad(format!("{at}.annual.years"), "at least 1"));
        }
        for (i, g) in a.excluded_grades.iter().enumerate() {
            if term(&v.annual_grades, g).is_none() {
                return Err(bad(
                    format!("{at}.annual.excluded_grades[{i}]"),
                    format!("`{g}` is not an annual grade"),
                ));
            }
        }
    }
    match &c.on_recognition {
        OnRecognition::Finding(f) => {
            if term(&v.findings, f).is_none() {
                return Err(bad(
                    format!("{at}.on_recognition.finding"),
                    format!("`{f}` is not a finding of the policy"),
                ));
            }
        }
        OnRecognition::Stays(a) => cites(*a, format!("{at}.on_recognition.stays"))?,
    }
    if !interp.contains(c.interpretation.as_str()) {
        return Err(bad(
            format!("{at}.interpretation"),
            format!("no interpretation `{}`", c.interpretation),
        ));
    }
    Ok(())
}
