//! 办法对比 — two policies side by side, topic by topic.
//!
//! Each policy is reduced to items under seven topics (eligibility per unit kind, procedure
//! periods, grades, schedules, consequences, bans, validity); items with the same key are paired
//! and each line carries the articles of both sides. Identical lines are kept but marked
//! [`LineStatus::Same`], so a reader can fold them. Between two versions of one province's
//! policy the cited articles are compared too (a renumbered article is a change); between
//! provinces article numbers mean nothing to each other and only the content is compared.

use serde::Serialize;

mod items;

use items::{Item, items};

use crate::citation::ArticleRef;
use crate::model::Policy;

/// The topics of a comparison, in the order they are shown.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// 申报条件 — eligibility, by unit kind.
    Eligibility,
    /// 程序与期限 — procedure periods.
    Procedure,
    /// 结果档次 — grades and conclusions.
    Grades,
    /// 考核评估安排 — annual reports, assessments, evaluations.
    Schedules,
    /// 后果 — what follows from grades and findings.
    Consequences,
    /// 禁止再申请 — bans.
    Bans,
    /// 效力 — entry into force and validity.
    Validity,
}

impl Topic {
    /// All topics in display order.
    pub const ALL: [Topic; 7] = [
        Topic::Eligibility,
        Topic::Procedure,
        Topic::Grades,
        Topic::Schedules,
        Topic::Consequences,
        Topic::Bans,
        Topic::Validity,
    ];
    /// The Chinese heading.
    pub fn zh(self) -> &'static str {
        match self {
            Topic::Eligibility => "申报条件（按依托单位类型）",
            Topic::Procedure => "程序与期限",
            Topic::Grades => "结果档次",
            Topic::Schedules => "报告、考核与评估安排",
            Topic::Consequences => "后果",
            Topic::Bans => "不得再申请",
            Topic::Validity => "施行与有效期",
        }
    }
    /// The English heading.
    pub fn en(self) -> &'static str {
        match self {
            Topic::Eligibility => "Eligibility by unit kind",
            Topic::Procedure => "Procedure and periods",
            Topic::Grades => "Grades",
            Topic::Schedules => "Reports, assessments and evaluations",
            Topic::Consequences => "Consequences",
            Topic::Bans => "Bans on applying again",
            Topic::Validity => "Entry into force and validity",
        }
    }
}

/// A cited article, in both forms.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Cite {
    /// Machine form, e.g. `hubei-2022:22(1)`.
    pub citation: String,
    /// Chinese form, e.g. 第二十二条第一款.
    pub zh: String,
    #[serde(skip)]
    at: ArticleRef,
}

/// One side of a line: what the policy says and where.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Side {
    /// The content, in Chinese.
    pub value: String,
    /// The articles it rests on.
    pub articles: Vec<Cite>,
}

/// How the two sides of a line relate.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Both say the same (folded when shown).
    Same,
    /// Both have the item and say different things.
    Changed,
    /// Only the first policy has it.
    OnlyA,
    /// Only the second policy has it.
    OnlyB,
}

/// One compared item.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The item's stable key, e.g. `rule:enterprise.rd_ratio` or `consequence:evaluation:unqualified`.
    pub key: String,
    /// What the item is, in Chinese.
    pub label: String,
    /// How the sides relate.
    pub status: LineStatus,
    /// The first policy's side.
    pub a: Option<Side>,
    /// The second policy's side.
    pub b: Option<Side>,
}

impl Line {
    /// Whether both sides say the same.
    pub fn is_same(&self) -> bool {
        self.status == LineStatus::Same
    }
}

/// The lines of one topic.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The topic.
    pub topic: Topic,
    /// Its Chinese heading.
    pub title_zh: &'static str,
    /// Its English heading.
    pub title_en: &'static str,
    /// Every line, identical ones included.
    pub lines: Vec<Line>,
}

impl Section {
    /// The lines that differ.
    pub fn differences(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.status != LineStatus::Same)
    }
    /// How many lines are identical (folded).
    pub fn same_count(&self) -> usize {
        self.lines.iter().filter(|l| l.status == LineStatus::Same).count()
    }
}

/// The heading of one compared policy.
#[derive(Debug, Clone, Serialize)]
pub struct Head {
    /// Machine id.
    pub id: String,
    /// Title.
    pub title: String,
    /// 文号.
    pub document_number: String,
}

/// Two policies compared.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyDiff {
    /// The first policy.
    pub a: Head,
    /// The second policy.
    pub b: Head,
    /// Whether article numbers were compared (both govern the same province).
    pub articles_compared: bool,
    /// One section per topic, in [`Topic::ALL`] order.
    pub sections: Vec<Section>,
}

impl PolicyDiff {
    /// How many lines differ in all.
    pub fn difference_count(&self) -> usize {
        self.sections.iter().map(|s| s.differences().count()).sum()
    }
    /// A line by key, wherever it is.
    pub fn line(&self, key: &str) -> Option<&Line> {
        self.sections.iter().flat_map(|s| &s.lines).find(|l| l.key == key)
    }
}

/// Compares `a` with `b`.
pub fn diff(a: &Policy, b: &Policy) -> PolicyDiff {
    let articles_compared = a.province.code == b.province.code;
    let items_a = items(a);
    let items_b = items(b);
    let mut sections = Vec::new();
    for topic in Topic::ALL {
        let mut lines = Vec::new();
        for ia in items_a.iter().filter(|i| i.topic == topic) {
            let ib = items_b.iter().find(|i| i.topic == topic && i.key == ia.key);
            lines.push(pair(Some(ia), ib, articles_compared));
        }
        for ib in items_b.iter().filter(|i| i.topic == topic) {
            if !items_a.iter().any(|i| i.topic == topic && i.key == ib.key) {
                lines.push(pair(None, Some(ib), articles_compared));
            }
        }
        sections.push(Section {
            topic,
            title_zh: topic.zh(),
            title_en: topic.en(),
            lines,
        });
    }
    PolicyDiff {
        a: head(a),
        b: head(b),
        articles_compared,
        sections,
    }
}

fn head(p: &Policy) -> Head {
    Head {
        id: p.id.clone(),
        title: p.title.clone(),
        document_number: p.document_number.clone(),
    }
}

fn pair(a: Option<&Item>, b: Option<&Item>, articles_compared: bool) -> Line {
    let status = match (a, b) {
        (Some(x), Some(y)) => {
            let same_value = x.side.value == y.side.value;
            let ats = |i: &Item| i.side.articles.iter().map(|c| c.at).collect::<Vec<_>>();
            if same_value && (!articles_compared || ats(x) == ats(y)) {
                LineStatus::Same
            } else {
                LineStatus::Changed
            }
        }
        (Some(_), None) => LineStatus::OnlyA,
        _ => LineStatus::OnlyB,
    };
    let any = a.or(b).map(|i| (i.key.clone(), i.label.clone())).unwrap_or_default();
    Line {
        key: any.0,
        label: any.1,
        status,
        a: a.map(|i| i.side.clone()),
        b: b.map(|i| i.side.clone()),
    }
}
