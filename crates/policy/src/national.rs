//! 推荐申报国家国际科技合作基地 — the policy's criteria for recommending provincial bases to the
//! national programme, and what national recognition brings.
//!
//! A regulation either provides the recommendation (Hubei 第二十七条 “结合年度考核和绩效评估结果，
//! 择优…推荐申报国家国际科技合作基地”) with criteria read from its words, or does not; the policy
//! then says so, and the commands are refused citing the nearest article.

use serde::{Deserialize, Serialize};

use crate::citation::ArticleRef;

/// 推荐申报国家级基地 — provided with criteria, or not provided. Written as a map with one key,
/// `provided` or `not_provided` (the YAML reader takes enums only as tags).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "RecommendationRepr", into = "RecommendationRepr")]
pub enum NationalRecommendation {
    /// The regulation provides it.
    Provided(NationalCriteria),
    /// The regulation does not provide it.
    NotProvided(NotProvided),
}

impl NationalRecommendation {
    /// The criteria, when provided.
    pub fn criteria(&self) -> Option<&NationalCriteria> {
        match self {
            NationalRecommendation::Provided(c) => Some(c),
            NationalRecommendation::NotProvided(_) => None,
        }
    }
}

/// 遴选条件 — who may be recommended, read from the article's words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalCriteria {
    /// The article allowing the department to recommend (Hubei 第二十七条).
    pub article: ArticleRef,
    /// 绩效评估 / 动态评估 — the latest evaluation's grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_evaluation: Option<EvaluationCriterion>,
    /// 年度考核 — no excluded annual grade in the last years; absent when the policy has no
    /// annual assessment (Hunan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<AnnualCriterion>,
    /// What national recognition of a recommended base brings.
    pub on_recognition: OnRecognition,
    /// The interpretation the criteria rely on (the regulations name no threshold).
    pub interpretation: String,
}

/// 最近一次评估结果.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationCriterion {
    /// The article grading the evaluation (Hubei 第二十四条, Hunan 第十五条).
    pub article: ArticleRef,
    /// The grades that qualify (policy vocabulary `evaluation_grades`), e.g. `[excellent]`.
    pub grades: Vec<String>,
    /// The latest evaluation counts only when recorded within this many years before the date.
    pub within_years: u32,
}

/// 年度考核结果.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualCriterion {
    /// The article grading the annual assessment (Hubei 第二十二条).
    pub article: ArticleRef,
    /// The years looked at: the `years` years before the year of the date.
    pub years: u32,
    /// Grades that exclude a base (policy vocabulary `annual_grades`), e.g. `[unqualified]`.
    pub excluded_grades: Vec<String>,
}

/// 认定为国家基地之后. Written `{ finding: CODE }` or `{ stays: "ARTICLE" }`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "RecognitionRepr", into = "RecognitionRepr")]
pub enum OnRecognition {
    /// The finding recorded on recognition, whose consequence applies (Hunan 第十七条:
    /// 自发文之日起自动退出管理序列).
    Finding(String),
    /// The base stays under provincial management without a new recognition (Hubei 第三十条).
    Stays(ArticleRef),
}

/// 未规定 — the regulation has no national recommendation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotProvided {
    /// The nearest article, cited by the refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleRef>,
    /// Why, in Chinese.
    pub note_zh: String,
    /// Why, in English.
    pub note_en: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecommendationRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provided: Option<NationalCriteria>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not_provided: Option<NotProvided>,
}

impl TryFrom<RecommendationRepr> for NationalRecommendation {
    type Error = &'static str;
    fn try_from(r: RecommendationRepr) -> Result<Self, Self::Error> {
        match (r.provided, r.not_provided) {
            (Some(c), None) => Ok(NationalRecommendation::Provided(c)),
            (None, Some(n)) => Ok(NationalRecommendation::NotProvided(n)),
            _ => Err("give exactly one of `provided` and `not_provided`"),
        }
    }
}

impl From<NationalRecommendation> for RecommendationRepr {
    fn from(n: NationalRecommendation) -> Self {
        match n {
            NationalRecommendation::Provided(c) => RecommendationRepr {
                provided: Some(c),
                not_provided: None,
            },
            NationalRecommendation::NotProvided(x) => RecommendationRepr {
                provided: None,
                not_provided: Some(x),
            },
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecognitionRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stays: Option<ArticleRef>,
}

impl TryFrom<RecognitionRepr> for OnRecognition {
    type Error = &'static str;
    fn try_from(r: RecognitionRepr) -> Result<Self, Self::Error> {
        match (r.finding, r.stays) {
            (Some(f), None) => Ok(OnRecognition::Finding(f)),
            (None, Some(a)) => Ok(OnRecognition::Stays(a)),
            _ => Err("give exactly one of `finding` and `stays`"),
        }
    }
}

impl From<OnRecognition> for RecognitionRepr {
    fn from(o: OnRecognition) -> Self {
        match o {
            OnRecognition::Finding(f) => RecognitionRepr {
                finding: Some(f),
                stays: None,
            },
            OnRecognition::Stays(a) => RecognitionRepr {
                finding: None,
                stays: Some(a),
            },
        }
    }
}
