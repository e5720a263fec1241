//! The policy model: what a policy file says, as Rust types.
//!
//! A policy file (`policies/<id>.yaml`) is read by a legal officer next to the regulation, so the
//! shapes here follow the regulation's structure: metadata, articles, vocabularies,
//! interpretations, eligibility rules, procedure, lifecycle, consequences and transitions. Every
//! rule carries the article it applies. `docs/policy-format.md` documents the file format.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::citation::{ArticleRef, ItemStyle};
use crate::expr::Expr;
pub use crate::schedule::{CycleAnchor, CycleStart, Evaluation};

/// A regulation encoded as data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version of the file; currently `guohe-policy/1`.
    pub schema: String,
    /// Machine id used in citations, e.g. `hubei-2022`.
    pub id: String,
    /// Full title of the regulation.
    pub title: String,
    /// 发文机关 — the issuing authority.
    pub issuer: String,
    /// 文号 — the document number, e.g. 鄂科技规〔2022〕6号.
    pub document_number: String,
    /// The province the policy governs.
    pub province: Province,
    /// 发布日期 — the day the regulation was published.
    pub published_on: NaiveDate,
    /// 施行日期 — the day it enters into force.
    pub in_force_from: NaiveDate,
    /// 有效期 — how long it stays in force, and the article that says so.
    pub validity: Validity,
    /// Documents this one repeals (废止).
    #[serde(default)]
    pub supersedes: Vec<Superseded>,
    /// Where the official text is published.
    #[serde(default)]
    pub source_url: Option<String>,
    /// How the regulation numbers items inside an article.
    #[serde(default)]
    pub item_style: ItemStyle,
    /// The text of every article.
    pub articles: Vec<Article>,
    /// Closed vocabularies: categories, unit kinds, grades, conclusions, decisions, …
    pub vocabularies: Vocabularies,
    /// Readings taken where the text needs one, each beside its article.
    #[serde(default)]
    pub interpretations: Vec<Interpretation>,
    /// The conditions an application must meet (认定条件 / 申报条件).
    pub eligibility: Vec<Rule>,
    /// The recognition procedure (申报、推荐、评审、认定、公示、命名).
    pub procedure: Procedure,
    /// Operation after naming: annual reports, assessments, evaluations, changes.
    pub lifecycle: Lifecycle,
    /// What follows from grades and findings (整改、终止、撤销、取消资格、退出).
    pub consequences: Vec<Consequence>,
    /// Transitional articles (附则).
    #[serde(default)]
    pub transitions: Transitions,
    /// Articles deliberately not encoded, each with its reason (see `guohe policy coverage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_encoded: Vec<crate::coverage::NotEncoded>,
    /// 优先支持 — the articles giving named bases priority in other programmes; the
    /// verification service (核验服务) cites them in every answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<PriorityArticle>,
}

/// An article that gives the support units of named bases priority elsewhere (e.g. Hubei
/// 第十九条: 优先推荐申报国家级国际科技创新合作计划项目).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityArticle {
    /// The article.
    pub article: ArticleRef,
    /// What priority it gives, in the regulation's words (short).
    pub scope: String,
}

/// The province a policy governs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Province {
    /// GB/T 2260 two-digit prefix, e.g. `43` for 湖南省.
    pub code: String,
    /// 湖南省 / 湖北省.
    pub name: String,
}

/// 有效期 — validity of the regulation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// Number of years the regulation is valid from its entry into force.
    pub years: u32,
    /// The article on entry into force and validity.
    pub article: ArticleRef,
}

/// A repealed document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Superseded {
    /// Its document number.
    pub document_number: String,
    /// Its title.
    pub title: String,
    /// The article that repeals it.
    pub article: ArticleRef,
}

/// One article (条) of the regulation.
///
/// In the file an article gives either `text` (one paragraph, with its items' lines) or
/// `paragraphs` (款, each addressable as `12(2)`); `text` is then their lines joined.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "ArticleRepr", into = "ArticleRepr")]
pub struct Article {
    /// Article number (第N条).
    pub number: u16,
    /// The chapter heading, on the first article of each chapter.
    pub chapter: Option<String>,
    /// The full text of the article, paragraphs on separate lines.
    pub text: String,
    /// The paragraphs (款) of an article that has several; empty when it has one.
    pub paragraphs: Vec<String>,
    /// Numbered items (项), addressable as `article.item`.
    pub items: Vec<Item>,
}

impl Article {
    /// How many paragraphs (款) the article has.
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len().max(1)
    }
}

/// The file form of an [`Article`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArticleRepr {
    number: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chapter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    paragraphs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    items: Vec<Item>,
}

impl TryFrom<ArticleRepr> for Article {
    type Error = String;
    fn try_from(r: ArticleRepr) -> Result<Self, String> {
        let paragraphs: Vec<String> = r.paragraphs.iter().map(|p| p.trim_end().to_string()).collect();
        let text = match (r.text, paragraphs.len()) {
            // The serialised form carries both (readers of the JSON find `text` on every
            // article); they must then agree.
            (Some(t), 2..) if t.trim_end() == paragraphs.join("\n") => t,
            (Some(_), 1..) => {
                return Err(format!(
                    "article {} gives both `text` and `paragraphs`; give one",
                    r.number
                ));
            }
            (Some(t), _) => t,
            (None, 0) => return Err(format!("article {} needs `text` or `paragraphs`", r.number)),
            (None, 1) => {
                return Err(format!("article {} has one paragraph: write it as `text`", r.number));
            }
            (None, _) => paragraphs.join("\n"),
        };
        Ok(Article {
            number: r.number,
            chapter: r.chapter,
            text,
            paragraphs,
            items: r.items,
        })
    }
}

impl From<Article> for ArticleRepr {
    fn from(a: Article) -> Self {
        ArticleRepr {
            number: a.number,
            chapter: a.chapter,
            text: Some(a.text),
            paragraphs: a.paragraphs,
            items: a.items,
        }
    }
}

/// One numbered item (项) of an article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Item number.
    pub number: u16,
    /// Its text.
    pub text: String,
}

/// A term of a closed vocabulary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// Stable machine code, e.g. `joint_research`.
    pub code: String,
    /// Chinese label as the regulation writes it.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Where the term is defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<ArticleRef>,
    /// For categories: the suffix in the official name (Hunan 第九条第4项).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_suffix: Option<String>,
}

/// The policy's closed vocabularies.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabularies {
    /// 基地类型 — base categories; empty when the policy has none (Hubei).
    #[serde(default)]
    pub categories: Vec<Term>,
    /// 依托单位类型 — kinds of support unit the policy admits.
    pub unit_kinds: Vec<Term>,
    /// 年度考核结果 — annual assessment grades; empty when there is no annual assessment.
    #[serde(default)]
    pub annual_grades: Vec<Term>,
    /// 评估结果 — grades of the periodic evaluation.
    pub evaluation_grades: Vec<Term>,
    /// 专家结论性意见 — expert conclusions.
    pub expert_conclusions: Vec<Term>,
    /// 认定结论 — decisions.
    pub decisions: Vec<Term>,
    /// 重大事项 — kinds of major change a base must file.
    pub major_change_kinds: Vec<Term>,
    /// 情形 — findings the department can record that carry consequences.
    pub findings: Vec<Term>,
}

/// Looks a term up by code.
pub fn term<'a>(terms: &'a [Term], code: &str) -> Option<&'a Term> {
    terms.iter().find(|t| t.code == code)
}

/// A reading taken where the regulation's words need one. Staff can review and change it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interpretation {
    /// Stable id, referenced from rules and parameters.
    pub id: String,
    /// The article whose words need reading.
    pub article: ArticleRef,
    /// The words in question, quoted.
    pub words: String,
    /// The reading taken, in Chinese.
    pub reading_zh: String,
    /// The reading taken, in English.
    pub reading_en: String,
}

/// How a condition is established.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Decided from the application's facts.
    Computed,
    /// A declaration by the applicant plus a supporting attachment.
    Attested,
    /// Only an expert can say: the check answers "needs review", never pass.
    Judged,
}

/// One eligibility condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, e.g. `unit.rd_ratio`.
    pub id: String,
    /// The article it applies.
    pub article: ArticleRef,
    /// What the condition requires, in Chinese.
    pub title_zh: String,
    /// What the condition requires, in English.
    pub title_en: String,
    /// Computed, attested or judged.
    pub mode: Mode,
    /// When the rule applies at all (e.g. only to enterprises); absent = always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_when: Option<Expr>,
    /// The condition over the facts (computed and attested rules; a judged rule may give a
    /// precondition that must hold before an expert looks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Expr>,
    /// For attested rules: the kind of attachment that must back the declaration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Interpretations this rule relies on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpretations: Vec<String>,
}

/// The recognition procedure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// 申报 — applications, normally once a year in rounds.
    pub application: Step,
    /// 推荐 — who must recommend, and who applies directly.
    pub recommendation: Recommendation,
    /// 专家评审 — expert review.
    pub expert_review: ExpertReview,
    /// 认定 — the decision.
    pub decision: Step,
    /// 公示 — public notice.
    pub public_notice: PublicNotice,
    /// 命名 — naming, announcement and plaque.
    pub naming: Naming,
}

/// A procedural step and its article.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The article prescribing the step.
    pub article: ArticleRef,
}

/// 推荐 — recommendation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recommendation {
    /// The article prescribing recommendation.
    pub article: ArticleRef,
    /// Unit affiliations that apply directly, without a recommender (Hubei 第六条: central and
    /// provincial units in Hubei).
    #[serde(default)]
    pub direct_for_affiliations: Vec<Affiliation>,
    /// The article allowing direct application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_article: Option<ArticleRef>,
}

/// 隶属关系 — whom a unit belongs to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Affiliation {
    /// 央属 — central government or central enterprise.
    Central,
    /// 省属 — provincial.
    Provincial,
    /// 地方 — city, prefecture or county.
    Local,
}

/// 专家评审 — expert review.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpertReview {
    /// The article prescribing expert review.
    pub article: ArticleRef,
    /// Lowest allowed score.
    pub score_min: Decimal,
    /// Highest allowed score.
    pub score_max: Decimal,
    /// Minimum number of experts per application.
    pub min_experts: u32,
    /// 现场勘验 — the article allowing site inspection, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_inspection: Option<ArticleRef>,
    /// 随机抽取评审专家 — panels drawn at random with reserves, when the policy sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_draw: Option<crate::draws::PanelDraw>,
}

/// 公示 — public notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicNotice {
    /// The article prescribing the notice.
    pub article: ArticleRef,
    /// 不少于N个工作日 — minimum length in Chinese working days.
    pub working_days: u32,
    /// How working days are counted from the first day of the notice.
    pub counting: Counting,
    /// The article on real-name objections.
    pub objections_article: ArticleRef,
    /// Whether every objection must be resolved before naming.
    pub objections_block_naming: bool,
}

/// How the Nth working day is counted from a start date.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    /// The start date is working day 1 when it is a working day.
    IncludeStart,
    /// Day 1 is the first working day after the start date.
    ExcludeStart,
}

/// 命名 — naming.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    /// The article giving the naming rule.
    pub article: ArticleRef,
    /// The official name template; placeholders `{domain}`, `{category_suffix}`, `{unit}`.
    pub template: String,
    /// 公告 — the article on announcing the name.
    pub announcement_article: ArticleRef,
}

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

/// Transitional articles.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Transitions {
    /// Hunan 第二十二条: old categories mapped to new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_mapping: Option<CategoryMapping>,
    /// Hubei 第三十条: national bases join without re-recognition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_bases_join: Option<Step>,
    /// Hubei 第三十一条: bases recognised before the policy: annual assessment only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_bases: Option<LegacyBases>,
}

/// Hunan 第二十二条.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryMapping {
    /// The article.
    pub article: ArticleRef,
    /// Old category name → new category code.
    pub map: Vec<OldCategory>,
    /// Whether the unit may ask to be re-categorised (如有异议…可申请重新认定类别).
    pub reclassification_on_request: bool,
}

/// One old category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldCategory {
    /// Old name as written in the article.
    pub old: String,
    /// New category code.
    pub new: String,
}

/// Hubei 第三十一条.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyBases {
    /// The article.
    pub article: ArticleRef,
    /// Bases recognised before this date are legacy bases.
    pub recognised_before: NaiveDate,
    /// Whether legacy bases take the periodic evaluation (31: 原则上不安排).
    pub evaluated: bool,
}
