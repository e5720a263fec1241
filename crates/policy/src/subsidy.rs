//! 后补助 — what an evaluation grade brings, and the post-subsidy the department awards to the
//! bases graded 优秀 (Hubei 第二十五、二十六条; Hunan 第十五条 only says 优秀基地加大支持力度).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;
use crate::model::{Policy, term};

/// 评估结果带来的支持 — what a grade of the periodic evaluation brings, in the regulation's words
/// (Hunan 第十五条 “优秀基地加大支持力度”, Hubei 第二十五条 “给予一定金额的建设经费后补助”). Shown on
/// the base's public page and the unit's dashboard beside a base graded so.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeSupport {
    /// The evaluation grade (vocabulary `evaluation_grades`).
    pub grade: String,
    /// The article saying what the grade brings.
    pub article: ArticleRef,
    /// What it brings, in Chinese.
    pub support_zh: String,
    /// What it brings, in English.
    pub support_en: String,
}

/// How a share of a count becomes a whole number of bases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// 向下取整 — never above the share.
    Down,
    /// 向上取整.
    Up,
    /// 四舍五入 (halves up).
    HalfUp,
}

impl Rounding {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Rounding::Down => "向下取整",
            Rounding::Up => "向上取整",
            Rounding::HalfUp => "四舍五入",
        }
    }
}

/// 建设经费后补助 — the post-subsidy for bases graded 优秀 in the periodic evaluation (Hubei
/// 第二十五条 “按一定比例评选优秀的省国合基地，并给予一定金额的建设经费后补助”).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostSubsidy {
    /// The article providing the subsidy (Hubei 第二十五条).
    pub article: ArticleRef,
    /// The article on how the unit uses it (Hubei 第二十六条 自主管理、自主分配、自主调剂), shown
    /// with every award.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_article: Option<ArticleRef>,
    /// The evaluation grade that qualifies (`excellent`).
    pub grade: String,
    /// 按一定比例 — at most this percentage of the bases evaluated in the evaluation year may be
    /// awarded (1–100).
    pub share_percent: u32,
    /// How the share of the evaluated bases becomes a whole number.
    pub rounding: Rounding,
    /// 一定金额 — the largest amount for one base, in 万元, when the policy sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_amount_wan: Option<Decimal>,
    /// The interpretation recording the reading of “按一定比例” and the evaluation year.
    pub interpretation: String,
}

impl PostSubsidy {
    /// How many bases may be awarded out of `evaluated` bases evaluated in the year.
    pub fn limit(&self, evaluated: usize) -> usize {
        let exact = Decimal::from(evaluated as u64) * Decimal::from(self.share_percent) / Decimal::from(100u32);
        let whole = match self.rounding {
            Rounding::Down => exact.floor(),
            Rounding::Up => exact.ceil(),
            Rounding::HalfUp => exact.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
        };
        rust_decimal::prelude::ToPrimitive::to_usize(&whole).unwrap_or(0)
    }
}

/// Checks the post-subsidy section and the grade supports: the grade is an evaluation grade,
/// the share is a percentage, the interpretation exists, the articles exist.
pub(crate) fn validate(
    p: &Policy,
    cites: &dyn Fn(ArticleRef, String) -> Result<(), (String, String)>,
) -> Result<(), (String, String)> {
    let grades = &p.vocabularies.evaluation_grades;
    for (i, s) in p.lifecycle.evaluation_support.iter().enumerate() {
        let at = format!("lifecycle.evaluation_support[{i}]");
        cites(s.article, format!("{at}.article"))?;
        if term(grades, &s.grade).is_none() {
            return Err((
                format!("{at}.grade"),
                format!("`{}` is not an evaluation grade", s.grade),
            ));
        }
        if s.support_zh.trim().is_empty() || s.support_en.trim().is_empty() {
            return Err((at, "say what the grade brings, in Chinese and English".into()));
        }
    }
    let Some(s) = &p.lifecycle.post_subsidy else {
        return Ok(());
    };
    cites(s.article, "lifecycle.post_subsidy.article".into())?;
    if let Some(a) = s.use_article {
        cites(a, "lifecycle.post_subsidy.use_article".into())?;
    }
    if term(grades, &s.grade).is_none() {
        return Err((
            "lifecycle.post_subsidy.grade".into(),
            format!("`{}` is not an evaluation grade", s.grade),
        ));
    }
    if s.share_percent == 0 || s.share_percent > 100 {
        return Err((
            "lifecycle.post_subsidy.share_percent".into(),
            "a percentage from 1 to 100".into(),
        ));
    }
    if let Some(m) = s.max_amount_wan
        && m <= Decimal::ZERO
    {
        return Err((
            "lifecycle.post_subsidy.max_amount_wan".into(),
            "must be greater than 0".into(),
        ));
    }
    if !p.interpretations.iter().any(|i| i.id == s.interpretation) {
        return Err((
            "lifecycle.post_subsidy.interpretation".into(),
            format!("no interpretation `{}`", s.interpretation),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(percent: u32, rounding: Rounding) -> PostSubsidy {
        PostSubsidy {
            article: ArticleRef::article(25),
            use_article: None,
            grade: "excellent".into(),
            share_percent: percent,
            rounding,
            max_amount_wan: None,
            interpretation: "x".into(),
        }
    }

    #[test]
    fn the_share_rounds_as_the_policy_says() {
        let down = share(20, Rounding::Down);
        assert_eq!(down.limit(25), 5);
        assert_eq!(down.limit(29), 5);
        assert_eq!(down.limit(4), 0);
        assert_eq!(down.limit(0), 0);
        assert_eq!(share(20, Rounding::Up).limit(26), 6);
        assert_eq!(share(20, Rounding::HalfUp).limit(27), 5);
        assert_eq!(share(20, Rounding::HalfUp).limit(28), 6);
        assert_eq!(share(100, Rounding::Down).limit(7), 7);
    }
}
