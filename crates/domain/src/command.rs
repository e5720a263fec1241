//! 指令 — what people ask the system to do.

use chrono::NaiveDate;
use guohe_policy::Application;
use guohe_policy::model::Approver;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::document::IssueDocument;
pub use crate::inspection::{DrawInspections, RecordInspectionResult};
pub use crate::national::{RecommendToNational, RecordNationalOutcome};
pub use crate::panel::{DeclinePanelSeat, DrawExpertPanel};
pub use crate::subsidy::AwardPostSubsidies;

tagged_enum! {
    /// Every command. Written as JSON `{"type": "OpenRound", ...fields}`.
    pub enum Command {
        /// 开启申报批次.
        OpenRound,
        /// 关闭申报批次.
        CloseRound,
        /// 提交申报.
        SubmitApplication,
        /// 退回后重新提交.
        ResubmitApplication,
        /// 撤回申报.
        WithdrawApplication,
        /// 退回修改（形式审查不通过）.
        ReturnApplication,
        /// 推荐.
        RecommendApplication,
        /// 指派评审专家.
        AssignExpert,
        /// 专家申明回避.
        DeclareConflict,
        /// 提交评审意见.
        SubmitReview,
        /// 记录现场勘验.
        RecordSiteInspection,
        /// 作出认定结论.
        Decide,
        /// 开始公示.
        StartPublicNotice,
        /// 提出实名异议.
        LodgeObjection,
        /// 处理异议.
        ResolveObjection,
        /// 命名.
        Name,
        /// 报送年度报告.
        SubmitAnnualReport,
        /// 记录年度考核结果.
        RecordAnnualAssessment,
        /// 记录评估结果.
        RecordEvaluation,
        /// 记录整改后复评结果.
        RecordReEvaluation,
        /// 记录查实情形.
        RecordFinding,
        /// 报告重大事项.
        FileMajorChange,
        /// 审核同意重大事项.
        ApproveMajorChange,
        /// 不同意重大事项.
        RejectMajorChange,
        /// 纳入过渡基地.
        CarryOverBase,
        /// 重新认定类别.
        Reclassify,
        /// 抽取现场考察基地和考察专家（双随机）.
        DrawInspections,
        /// 记录现场考察结果.
        RecordInspectionResult,
        /// 随机抽取评审专家（含候补）.
        DrawExpertPanel,
        /// 评审专家谢绝，候补递补.
        DeclinePanelSeat,
        /// 给予建设经费后补助.
        AwardPostSubsidies,
        /// 推荐申报国家级基地.
        RecommendToNational,
        /// 记录国家级认定结果.
        RecordNationalOutcome,
        /// 印发公文（SM3 上链）.
        IssueDocument,
    }
}

impl Command {
    /// 不可撤销 — the command records a decision, a grade, a finding, a notice or a withdrawal
    /// that no later command undoes (a mistaken one needs a new decision with its own record).
    /// Pages put a confirmation quoting the article before these; the API asks for
    /// `"confirm": true` in the body.
    pub fn is_irreversible(&self) -> bool {
        Self::IRREVERSIBLE.contains(&self.name())
    }

    /// The names of the irreversible commands ([`Command::is_irreversible`]), for documents that
    /// describe the commands without holding one.
    pub const IRREVERSIBLE: &'static [&'static str] = &[
        "CloseRound",
        "WithdrawApplication",
        "Decide",
        "StartPublicNotice",
        "ResolveObjection",
        "Name",
        "RecordAnnualAssessment",
        "RecordEvaluation",
        "RecordReEvaluation",
        "RecordFinding",
        "Reclassify",
        "DrawInspections",
        "RecordInspectionResult",
        "DrawExpertPanel",
        "AwardPostSubsidies",
        "RecommendToNational",
        "RecordNationalOutcome",
        "IssueDocument",
    ];
}

/// Opens a round under a policy in force on `opens_on`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenRound {
    /// Round id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Title.
    pub title: String,
    /// First day (inclusive).
    pub opens_on: NaiveDate,
    /// Last day (inclusive).
    pub closes_on: NaiveDate,
}

/// Closes a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRound {
    /// Round id.
    pub round: String,
}

/// Submits an application with its full facts. The application date is the submission date;
/// register facts are taken from the register, not from the applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitApplication {
    /// Application id.
    pub id: String,
    /// Round id.
    pub round: String,
    /// The facts.
    pub facts: Application,
}

/// Submits a returned application again, corrected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitApplication {
    /// Application id.
    pub application: String,
    /// The corrected facts.
    pub facts: Application,
}

/// Withdraws an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawApplication {
    /// Application id.
    pub application: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Returns an application for correction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnApplication {
    /// Application id.
    pub application: String,
    /// Why (at least one).
    pub reasons: Vec<String>,
}

/// 推荐 — the recommender's opinion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendApplication {
    /// Application id.
    pub application: String,
    /// The recommender (e.g. 武汉市科技局).
    pub recommender: String,
    /// Its opinion.
    pub opinion: String,
}

/// Assigns an expert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignExpert {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert_id: String,
    /// The expert's unit (USCC), to keep experts off their own unit's applications.
    pub expert_unit_uscc: String,
    /// 指派理由 — why the expert is assigned by hand; required once a panel was drawn at random.
    #[serde(default)]
    pub reason: String,
}

/// 回避 — an expert declares a conflict of interest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclareConflict {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// 评审意见 — score and conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitReview {
    /// Application id.
    pub application: String,
    /// Expert id.
    pub expert: String,
    /// Score, exact decimal within the policy's range.
    pub score: Decimal,
    /// Conclusion code (policy vocabulary `expert_conclusions`).
    pub conclusion: String,
    /// Comments.
    #[serde(default)]
    pub comments: String,
}

/// 现场勘验.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSiteInspection {
    /// Application id.
    pub application: String,
    /// Inspectors.
    pub inspectors: Vec<String>,
    /// What they found.
    pub findings: String,
}

/// 认定 — the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decide {
    /// Application id.
    pub application: String,
    /// Decision code (policy vocabulary `decisions`: approve / reject).
    pub decision: String,
    /// Reasons.
    #[serde(default)]
    pub reasons: String,
}

/// 公示 — starts a public notice of approved applications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPublicNotice {
    /// Notice id.
    pub notice_id: String,
    /// Applications listed.
    pub applications: Vec<String>,
    /// First day.
    pub starts_on: NaiveDate,
}

/// 实名异议.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LodgeObjection {
    /// Notice id.
    pub notice: String,
    /// Application objected to.
    pub application: String,
    /// Real name (required).
    pub objector_real_name: String,
    /// Contact (required, so the department can follow up).
    pub contact: String,
    /// What is objected.
    pub content: String,
}

/// Resolves an objection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveObjection {
    /// Objection id (as given in `ObjectionLodged`).
    pub objection: String,
    /// How it was resolved.
    pub resolution: String,
    /// Upheld: the application is rejected.
    pub upheld: bool,
}

/// 命名 — names the base after the notice period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Name {
    /// Application id.
    pub application: String,
    /// Base id.
    pub base_id: String,
    /// Naming date (the naming document's date).
    pub on: NaiveDate,
}

/// 年度报告 on the previous year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitAnnualReport {
    /// Base id.
    pub base: String,
    /// The year reported on.
    pub year: i32,
    /// Filing date.
    pub submitted_on: NaiveDate,
}

/// 年度考核.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAnnualAssessment {
    /// Base id.
    pub base: String,
    /// The year assessed.
    pub year: i32,
    /// Grade code (policy vocabulary `annual_grades`).
    pub grade: String,
}

/// 评估.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordEvaluation {
    /// Base id.
    pub base: String,
    /// Grade code (policy vocabulary `evaluation_grades`).
    pub grade: String,
}

/// 整改后复评.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordReEvaluation {
    /// Base id.
    pub base: String,
    /// Grade code.
    pub grade: String,
}

/// 情形 — a finding on a base or an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordFinding {
    /// `base/<id>` or `application/<id>`.
    pub case: String,
    /// Finding code (policy vocabulary `findings`).
    pub finding: String,
    /// When it takes effect (for a national recognition: the national document's date).
    pub effective_on: NaiveDate,
    /// Evidence.
    pub evidence: String,
}

/// What a major change alters; fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MajorChangeDetails {
    /// Description.
    pub description: String,
    /// New official name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_name: Option<String>,
    /// New director.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub director: Option<String>,
    /// New technology domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// New primary partner country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_country: Option<String>,
    /// New support unit name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    /// New support unit USCC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// 重大事项报告.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileMajorChange {
    /// Base id.
    pub base: String,
    /// Change id (unique within the base).
    pub change_id: String,
    /// Kind code (policy vocabulary `major_change_kinds`).
    pub kind: String,
    /// What changes.
    pub details: MajorChangeDetails,
}

/// Approves a major change, in the policy's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveMajorChange {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change_id: String,
    /// Recommender or department.
    pub by: Approver,
}

/// Refuses a major change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectMajorChange {
    /// Base id.
    pub base: String,
    /// Change id.
    pub change_id: String,
    /// Recommender or department.
    pub by: Approver,
    /// Why.
    pub reason: String,
}

/// Brings a base recognised before (or nationally) onto the register under a transitional
/// article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryOverBase {
    /// Base id.
    pub base_id: String,
    /// Policy id.
    pub policy: String,
    /// Official name as recognised.
    pub official_name: String,
    /// Unit name.
    pub unit_name: String,
    /// Unit USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Old category name (Hunan 第二十二条 maps it to the new category).
    #[serde(default)]
    pub old_category: Option<String>,
    /// New category code, when no old category is given.
    #[serde(default)]
    pub category: Option<String>,
    /// Director.
    pub director: String,
    /// Primary partner country.
    #[serde(default)]
    pub partner_country: Option<String>,
    /// Date originally recognised.
    pub recognised_on: NaiveDate,
    /// A national base joining without re-recognition (Hubei 第三十条).
    #[serde(default)]
    pub national: bool,
}

/// 重新认定类别 on the unit's request (Hunan 第二十二条).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reclassify {
    /// Base id.
    pub base: String,
    /// New category code.
    pub category: String,
    /// Reasons.
    pub reasons: String,
}
