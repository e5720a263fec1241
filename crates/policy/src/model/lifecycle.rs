//! 运行管理 — after naming: annual reports and assessments, rectification, major changes, bans
//! and the consequences of grades and findings.

use serde::{Deserialize, Serialize};

use super::Evaluation;
use crate::citation::ArticleRef;

/// Operation after naming.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// 年度报告 — the annual report.
    pub annual_report: AnnualReport,
    /// 年度考核 — annual assessment, when the policy has one (Hubei 第二十二条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_assessment: Option<AnnualAssessment>,
    /// 动态评估 / 绩效评估 — the periodic evaluation.
    pub evaluation: Evaluation,
    /// 限期整改 — rectification, when the policy has one (Hunan 第十五条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<Rectification>,
    /// 重大事项 — major-change filings; absent when the regulation does not regulate them
    /// (filing a change is then refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_changes: Option<MajorChanges>,
    /// 不得重新申请 — a ban on applying again, when the policy has one (Hunan 第十六条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban: Option<Ban>,
    /// 双随机、一公开 — drawing bases and inspectors for site inspections, when the policy
    /// provides for site inspections (Hubei 第二十二条、第二十四条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_draw: Option<crate::draws::InspectionDraw>,
    /// 评估结果带来的支持 — what each evaluation grade brings, with its article (Hunan 第十五条,
    /// Hubei 第二十五条).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluation_support: Vec<crate::subsidy::GradeSupport>,
    /// 建设经费后补助 — the post-subsidy for bases graded 优秀, when the regulation provides one
    /// (Hubei 第二十五条); absent, an award is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_subsidy: Option<crate::subsidy::PostSubsidy>,
    /// 推荐申报国家级基地 — the criteria for recommending bases to the national programme, or
    /// that the regulation provides none (Hubei 第二十七条).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_recommendation: Option<crate::national::NationalRecommendation>,
}

/// 年度报告 — the annual report on the previous year.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReport {
    /// The article setting the deadline.
    pub article: ArticleRef,
    /// Month of the deadline (1 = January).
    pub due_month: u32,
    /// Day of the deadline.
    pub due_day: u32,
    /// Whether a report filed on the deadline day itself is on time ("1月15日前").
    pub due_inclusive: bool,
    /// Whether the recommender receives a copy for its files (备案).
    pub recommender_copy: bool,
}

/// 年度考核 — the annual assessment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualAssessment {
    /// The article prescribing it.
    pub article: ArticleRef,
    /// The grade given when no report was filed by the deadline.
    pub missing_report_grade: String,
}

/// 限期整改 — rectification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    /// The article ordering it.
    pub article: ArticleRef,
    /// Length of the rectification period in months.
    pub months: u32,
}

/// Who approves a major change, in order.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// 推荐单位 — the recommender.
    Recommender,
    /// 省科技厅 — the department.
    Department,
}

/// 重大事项报告 — major-change filings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MajorChanges {
    /// The article prescribing filings.
    pub article: ArticleRef,
    /// Who must approve, in order (Hunan: recommender, then department).
    pub approval: Vec<Approver>,
    /// Who is informed without approving (Hubei: the recommender is told).
    #[serde(default)]
    pub informed: Vec<Approver>,
    /// Whether the change must be explained in that year's annual report.
    pub explain_in_annual_report: bool,
}

/// 不得重新申请 — the ban that follows disqualification.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ban {
    /// The article imposing the ban.
    pub article: ArticleRef,
    /// Its length in years.
    pub years: u32,
    /// Whom the ban binds.
    pub scope: BanScope,
    /// The interpretation behind the scope.
    pub interpretation: String,
}

/// Whom a ban binds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BanScope {
    /// The support unit, in every domain.
    #[default]
    Unit,
    /// The support unit, only in the disqualified base's domain.
    UnitAndDomain,
}

/// A consequence rule: when something happens, what follows, under which article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consequence {
    /// Stable id.
    pub id: String,
    /// The article that prescribes the consequence.
    pub article: ArticleRef,
    /// What happened, in Chinese.
    pub title_zh: String,
    /// What happened, in English.
    pub title_en: String,
    /// The trigger.
    pub when: Trigger,
    /// The effect.
    pub then: Effect,
    /// A ban on applying again that comes with the effect (e.g. 撤销命名，3年内不得再申请).
    /// Absent on a `disqualify`, the policy's `lifecycle.ban` applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban: Option<ConsequenceBan>,
}

/// A ban composed with a consequence's effect.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConsequenceBan {
    /// Its length in years, from the effective date.
    pub years: u32,
    /// Whom it binds (default: the unit, in every domain).
    #[serde(default)]
    pub scope: BanScope,
    /// The article imposing the ban, when it is not the consequence's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleRef>,
}

/// The ban a consequence imposes: its years, scope and article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BanTerms {
    /// Length in years.
    pub years: u32,
    /// Whom it binds.
    pub scope: BanScope,
    /// The article imposing it.
    pub article: ArticleRef,
}

impl Consequence {
    /// The ban that comes with this consequence: its own `ban`, or for a disqualification the
    /// policy's `lifecycle.ban`.
    pub fn ban_terms(&self, lifecycle: &Lifecycle) -> Option<BanTerms> {
        match (&self.ban, &self.then, &lifecycle.ban) {
            (Some(b), _, _) => Some(BanTerms {
                years: b.years,
                scope: b.scope,
                article: b.article.unwrap_or(self.article),
            }),
            (None, Effect::Disqualify, Some(b)) => Some(BanTerms {
                years: b.years,
                scope: b.scope,
                article: b.article,
            }),
            _ => None,
        }
    }
}

/// What triggers a consequence. Written in a policy file as one of
/// `{evaluation: unqualified}`, `{re_evaluation: unqualified}`,
/// `{consecutive_annual: {grade: unqualified, years: 2}}`, `{finding: false_materials}` or
/// `{major_change: voluntary_termination}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(try_from = "TriggerRepr", into = "TriggerRepr")]
pub enum Trigger {
    /// A periodic evaluation ended with this grade.
    Evaluation {
        /// The grade code.
        grade: String,
    },
    /// A re-evaluation after rectification ended with this grade.
    ReEvaluation {
        /// The grade code.
        grade: String,
    },
    /// This many consecutive annual assessments ended with this grade.
    ConsecutiveAnnual {
        /// The grade code.
        grade: String,
        /// How many in a row.
        years: u32,
    },
    /// The department recorded a finding (情形) of this kind.
    Finding {
        /// The finding code.
        finding: String,
    },
    /// An approved major change of this kind (e.g. voluntary termination).
    MajorChange {
        /// The change kind code.
        change: String,
    },
}

/// The file form of a [`Trigger`]: exactly one key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    evaluation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    re_evaluation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consecutive_annual: Option<ConsecutiveRepr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    major_change: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsecutiveRepr {
    grade: String,
    years: u32,
}

impl TryFrom<TriggerRepr> for Trigger {
    type Error = String;
    fn try_from(r: TriggerRepr) -> Result<Self, String> {
        let mut found = Vec::new();
        if let Some(grade) = r.evaluation {
            found.push(Trigger::Evaluation { grade });
        }
        if let Some(grade) = r.re_evaluation {
            found.push(Trigger::ReEvaluation { grade });
        }
        if let Some(c) = r.consecutive_annual {
            found.push(Trigger::ConsecutiveAnnual {
                grade: c.grade,
                years: c.years,
            });
        }
        if let Some(finding) = r.finding {
            found.push(Trigger::Finding { finding });
        }
        if let Some(change) = r.major_change {
            found.push(Trigger::MajorChange { change });
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(
                "a trigger needs one of evaluation, re_evaluation, consecutive_annual, finding, major_change".into(),
            ),
            _ => Err(
                "a trigger takes exactly one of evaluation, re_evaluation, consecutive_annual, finding, major_change"
                    .into(),
            ),
        }
    }
}

impl From<Trigger> for TriggerRepr {
    fn from(t: Trigger) -> Self {
        let mut r = TriggerRepr::default();
        match t {
            Trigger::Evaluation { grade } => r.evaluation = Some(grade),
            Trigger::ReEvaluation { grade } => r.re_evaluation = Some(grade),
            Trigger::ConsecutiveAnnual { grade, years } => {
                r.consecutive_annual = Some(ConsecutiveRepr { grade, years })
            }
            Trigger::Finding { finding } => r.finding = Some(finding),
            Trigger::MajorChange { change } => r.major_change = Some(change),
        }
        r
    }
}

/// What a consequence does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// 限期整改 — rectification for the policy's period.
    Rectify,
    /// 终止并注销命名 — naming terminated and cancelled.
    Terminate,
    /// 撤销命名 — naming revoked (and a pending application rejected).
    Revoke,
    /// 取消资格 — disqualified; the policy's ban applies.
    Disqualify,
    /// 退出管理序列 — leaves the provincial register (recognised as a national base).
    ExitNational,
}
