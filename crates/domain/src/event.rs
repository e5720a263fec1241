//! 事件 — what happened, with the articles it applies.
//!
//! The store keeps an event as stream, business date, actor, articles, kind name and a JSON
//! payload; [`Event::from_parts`] rebuilds it from exactly those.

use chrono::NaiveDate;
use guohe_policy::Citation;
use serde::{Deserialize, Serialize};

use crate::DecodeError;
pub use crate::document::DocumentIssued;
pub use crate::inspection::{InspectionResultRecorded, InspectionsDrawn};
pub use crate::national::{NationalOutcomeRecorded, RecommendedToNational};
pub use crate::panel::{ExpertPanelDrawn, PanelSeatDeclined};
pub use crate::subsidy::PostSubsidyAwarded;

mod operation;
mod recognition;

pub use operation::*;
pub use recognition::*;

/// An event: what happened to which case, when, by whom, under which articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The case: `round/<id>`, `application/<id>`, `notice/<id>`, `base/<id>` or `clock`.
    pub stream: String,
    /// The business date.
    pub on: NaiveDate,
    /// Who caused it (`dept:zhang`, `system:clock`).
    pub actor: String,
    /// The articles applied, machine form `hubei-2022:28.1`.
    pub articles: Vec<Citation>,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The payload as stored: the kind's fields without the tag.
    pub fn payload(&self) -> serde_json::Value {
        self.kind.payload()
    }

    /// The kind name as stored.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// The articles in machine form, as stored.
    pub fn article_texts(&self) -> Vec<String> {
        self.articles.iter().map(|c| c.to_string()).collect()
    }

    /// Rebuilds an event from its stored parts.
    pub fn from_parts<S: AsRef<str>>(
        stream: impl Into<String>,
        on: NaiveDate,
        actor: impl Into<String>,
        articles: &[S],
        kind_name: &str,
        payload: serde_json::Value,
    ) -> Result<Event, DecodeError> {
        let articles = parse_articles(articles)?;
        let kind = EventKind::from_name_and_payload(kind_name, payload)?;
        Ok(Event {
            stream: stream.into(),
            on,
            actor: actor.into(),
            articles,
            kind,
        })
    }

    /// Rebuilds an event from its stored parts with the payload as JSON text (the fast path of
    /// replay).
    pub fn from_json_parts<S: AsRef<str>>(
        stream: impl Into<String>,
        on: NaiveDate,
        actor: impl Into<String>,
        articles: &[S],
        kind_name: &str,
        payload: &str,
    ) -> Result<Event, DecodeError> {
        let articles = parse_articles(articles)?;
        let kind = EventKind::from_name_and_json(kind_name, payload)?;
        Ok(Event {
            stream: stream.into(),
            on,
            actor: actor.into(),
            articles,
            kind,
        })
    }

    /// True when the event cites this article (machine form).
    pub fn cites(&self, citation: &str) -> bool {
        self.articles.iter().any(|c| c.to_string() == citation)
    }
}

fn parse_articles<S: AsRef<str>>(articles: &[S]) -> Result<Vec<Citation>, DecodeError> {
    articles
        .iter()
        .map(|a| {
            Citation::parse(a.as_ref()).map_err(|message| DecodeError::Citation {
                text: a.as_ref().to_string(),
                message,
            })
        })
        .collect()
}

tagged_enum! {
    /// 事件类型 — every kind of event.
    pub enum EventKind {
        /// 开启申报批次.
        RoundOpened,
        /// 关闭申报批次.
        RoundClosed,
        /// 提交申报 (with the eligibility verdict at submission).
        ApplicationSubmitted,
        /// 退回后重新提交.
        ApplicationResubmitted,
        /// 退回修改.
        ApplicationReturned,
        /// 撤回申报.
        ApplicationWithdrawn,
        /// 推荐.
        ApplicationRecommended,
        /// 指派评审专家.
        ExpertAssigned,
        /// 专家申明回避.
        ConflictDeclared,
        /// 专家评审意见.
        ReviewSubmitted,
        /// 现场勘验.
        SiteInspectionRecorded,
        /// 认定结论.
        ApplicationDecided,
        /// 驳回申请 (upheld objection, finding).
        ApplicationRejected,
        /// 公示开始.
        PublicNoticeStarted,
        /// 实名异议.
        ObjectionLodged,
        /// 异议处理.
        ObjectionResolved,
        /// 公示期满.
        PublicNoticeEnded,
        /// 命名.
        BaseNamed,
        /// 纳入管理（过渡条款）.
        BaseCarriedOver,
        /// 重新认定类别.
        BaseReclassified,
        /// 报送年度报告.
        AnnualReportSubmitted,
        /// 年度报告逾期未报.
        AnnualReportMissing,
        /// 年度考核结果.
        AnnualAssessmentRecorded,
        /// 评估到期.
        EvaluationDue,
        /// 评估结果（含整改后复评）.
        EvaluationRecorded,
        /// 限期整改.
        RectificationOrdered,
        /// 整改期满（应复评）.
        RectificationPeriodEnded,
        /// 整改后复评合格，恢复正常运行.
        RectificationCompleted,
        /// 终止并注销命名.
        BaseTerminated,
        /// 撤销命名.
        BaseRevoked,
        /// 取消资格.
        BaseDisqualified,
        /// 不得重新申请.
        UnitBanned,
        /// 认定为国家基地，退出省级序列.
        BaseExitedNational,
        /// 查实情形.
        FindingRecorded,
        /// 重大事项报告.
        MajorChangeFiled,
        /// 重大事项审核同意（尚需后续审批）.
        MajorChangeEndorsed,
        /// 重大事项批准并生效.
        MajorChangeApproved,
        /// 重大事项不予同意.
        MajorChangeRejected,
        /// 办法有效期届满.
        PolicyExpired,
        /// 时钟推进.
        ClockAdvanced,
        /// 现场考察抽取结果（双随机、一公开）.
        InspectionsDrawn,
        /// 现场考察结果.
        InspectionResultRecorded,
        /// 评审专家随机抽取结果.
        ExpertPanelDrawn,
        /// 评审专家谢绝（候补递补）.
        PanelSeatDeclined,
        /// 建设经费后补助.
        PostSubsidyAwarded,
        /// 推荐申报国家级基地.
        RecommendedToNational,
        /// 国家级认定结果.
        NationalOutcomeRecorded,
        /// 公文已印发（SM3）.
        DocumentIssued,
    }
}
