//! 办法对比 — two policies side by side, topic by topic.
//!
//! Each policy is reduced to items under seven topics (eligibility per unit kind, procedure
//! periods, grades, schedules, consequences, bans, validity); items with the same key are paired
//! and each line carries the articles of both sides. Identical lines are kept but marked
//! [`LineStatus::Same`], so a reader can fold them. Between two versions of one province's
//! policy the cited articles are compared too (a renumbered article is a change); between
//! provinces article numbers mean nothing to each other and only the content is compared.

use serde::Serialize;

use crate::citation::ArticleRef;
use crate::model::{Approver, BanScope, Counting, Effect, Mode, Policy, Term, Trigger};

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

/// An item of one policy before pairing.
struct Item {
    topic: Topic,
    key: String,
    label: String,
    side: Side,
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

/// Reduces a policy to comparable items.
fn items(p: &Policy) -> Vec<Item> {
    let mut out = Vec::new();
    let cite = |at: ArticleRef| Cite {
        citation: p.cite(at).to_string(),
        zh: p.cite_zh(at),
        at,
    };
    let mut push = |topic: Topic, key: String, label: &str, value: String, ats: &[ArticleRef]| {
        out.push(Item {
            topic,
            key,
            label: label.to_string(),
            side: Side {
                value,
                articles: ats.iter().map(|&a| cite(a)).collect(),
            },
        })
    };
    let v = &p.vocabularies;

    // 申报条件：the kinds admitted, then each rule under the kinds it applies to.
    for k in &v.unit_kinds {
        push(
            Topic::Eligibility,
            format!("unit_kind:{}", k.code),
            &format!("依托单位类型：{}", k.zh),
            "可申报".into(),
            k.article.as_slice(),
        );
    }
    for r in &p.eligibility {
        let kinds = match rule_kinds(r.applies_when.as_ref()) {
            Some(codes) => codes
                .iter()
                .map(|c| crate::model::term(&v.unit_kinds, c).map_or(c.clone(), |t| t.zh.clone()))
                .collect::<Vec<_>>()
                .join("、"),
            None if r.applies_when.is_some() => "有适用条件".into(),
            None => "各类单位".into(),
        };
        let mode = match r.mode {
            Mode::Computed => "计算",
            Mode::Attested => "声明+附件",
            Mode::Judged => "专家判断",
        };
        let mut value = format!("[{kinds}] {}（{mode}）", r.title_zh);
        if let Some(c) = &r.condition {
            value.push_str(&format!(" 条件：{}", compact(&crate::expr::to_yaml(c))));
        }
        if let Some(w) = &r.applies_when
            && rule_kinds(Some(w)).is_none()
        {
            value.push_str(&format!(" 适用：{}", compact(&crate::expr::to_yaml(w))));
        }
        if let Some(e) = &r.evidence {
            value.push_str(&format!(" 证明材料：{e}"));
        }
        push(
            Topic::Eligibility,
            format!("rule:{}", r.id),
            &format!("条件 {}", r.id),
            value,
            &[r.article],
        );
    }

    // 程序与期限.
    let pr = &p.procedure;
    let direct = &pr.recommendation.direct_for_affiliations;
    push(
        Topic::Procedure,
        "recommendation".into(),
        "推荐",
        if direct.is_empty() {
            "均经推荐单位推荐".into()
        } else {
            let names: Vec<&str> = direct
                .iter()
                .map(|a| match a {
                    crate::model::Affiliation::Central => "央属",
                    crate::model::Affiliation::Provincial => "省属",
                    crate::model::Affiliation::Local => "地方",
                })
                .collect();
            format!("经推荐单位推荐；{}单位直接申请", names.join("、"))
        },
        &[Some(pr.recommendation.article), pr.recommendation.direct_article]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let er = &pr.expert_review;
    push(
        Topic::Procedure,
        "expert_review".into(),
        "专家评审",
        format!(
            "不少于 {} 名专家，评分 {}–{}{}",
            er.min_experts,
            er.score_min,
            er.score_max,
            if er.site_inspection.is_some() {
                "，可现场勘验"
            } else {
                ""
            }
        ),
        &[Some(er.article), er.site_inspection]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let pn = &pr.public_notice;
    push(
        Topic::Procedure,
        "public_notice".into(),
        "公示期",
        format!(
            "不少于 {} 个工作日（{}），{}",
            pn.working_days,
            match pn.counting {
                Counting::IncludeStart => "首日计入",
                Counting::ExcludeStart => "次日起算",
            },
            if pn.objections_block_naming {
                "异议处理完毕方可命名"
            } else {
                "异议不阻止命名"
            }
        ),
        &[pn.article, pn.objections_article],
    );
    push(
        Topic::Procedure,
        "naming".into(),
        "命名",
        pr.naming.template.clone(),
        &[pr.naming.article],
    );
    let l = &p.lifecycle;
    if let Some(r) = &l.rectification {
        push(
            Topic::Procedure,
            "rectification".into(),
            "限期整改",
            format!("{} 个月", r.months),
            &[r.article],
        );
    }
    if let Some(m) = &l.major_changes {
        let who = |xs: &[Approver]| {
            xs.iter()
                .map(|a| match a {
                    Approver::Recommender => "推荐单位",
                    Approver::Department => "省科技厅",
                })
                .collect::<Vec<_>>()
                .join("→")
        };
        push(
            Topic::Procedure,
            "major_changes".into(),
            "重大事项",
            format!(
                "审批：{}；告知：{}；{}",
                who(&m.approval),
                if m.informed.is_empty() {
                    "无".into()
                } else {
                    who(&m.informed)
                },
                if m.explain_in_annual_report {
                    "年度报告中说明"
                } else {
                    "年度报告中无需说明"
                }
            ),
            &[m.article],
        );
    }
    if let Some(n) = &l.national_recommendation {
        use crate::national::{NationalRecommendation, OnRecognition};
        match n {
            NationalRecommendation::Provided(c) => {
                let mut said = Vec::new();
                let mut arts = vec![c.article];
                if let Some(e) = &c.latest_evaluation {
                    said.push(format!(
                        "最近一次评估为 {}（{} 年内）",
                        e.grades.join("/"),
                        e.within_years
                    ));
                    arts.push(e.article);
                }
                if let Some(a) = &c.annual {
                    said.push(format!("近 {} 年年度考核无 {}", a.years, a.excluded_grades.join("/")));
                    arts.push(a.article);
                }
                said.push(match &c.on_recognition {
                    OnRecognition::Finding(f) => format!("认定为国家基地后记录情形 {f}"),
                    OnRecognition::Stays(a) => {
                        arts.push(*a);
                        "认定为国家基地后继续纳入省级管理".to_string()
                    }
                });
                push(
                    Topic::Procedure,
                    "national_recommendation".into(),
                    "推荐申报国家级基地",
                    said.join("；"),
                    &arts,
                );
            }
            NationalRecommendation::NotProvided(x) => push(
                Topic::Procedure,
                "national_recommendation".into(),
                "推荐申报国家级基地",
                format!("未规定：{}", x.note_zh),
                &x.article.into_iter().collect::<Vec<_>>(),
            ),
        }
    }

    // 结果档次.
    for (key, label, terms) in [
        ("annual_grades", "年度考核结果", &v.annual_grades),
        ("evaluation_grades", "评估结果", &v.evaluation_grades),
        ("expert_conclusions", "专家结论性意见", &v.expert_conclusions),
        ("decisions", "认定结论", &v.decisions),
    ] {
        if terms.is_empty() {
            continue;
        }
        push(Topic::Grades, key.into(), label, labels(terms), &first_articles(terms));
    }
    // 评估结果带来的支持（湖南第十五条、湖北第二十五条）, grade by grade.
    for g in &v.evaluation_grades {
        let said: Vec<_> = l.evaluation_support.iter().filter(|s| s.grade == g.code).collect();
        if said.is_empty() {
            continue;
        }
        push(
            Topic::Grades,
            format!("evaluation_support.{}", g.code),
            &format!("评估{}带来的支持", g.zh),
            said.iter()
                .map(|s| s.support_zh.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            &said.iter().map(|s| s.article).collect::<Vec<_>>(),
        );
    }
    if let Some(s) = &l.post_subsidy {
        push(
            Topic::Grades,
            "post_subsidy".into(),
            "建设经费后补助",
            format!(
                "评估结果为{}的基地，至多占该年度评估基地数的 {}%（{}）{}",
                crate::model::term(&v.evaluation_grades, &s.grade)
                    .map(|t| t.zh.as_str())
                    .unwrap_or(&s.grade),
                s.share_percent,
                s.rounding.zh(),
                s.max_amount_wan
                    .map(|m| format!("，每个基地至多 {m} 万元"))
                    .unwrap_or_default()
            ),
            &[Some(s.article), s.use_article]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        );
    }
    if !v.categories.is_empty() {
        push(
            Topic::Grades,
            "categories".into(),
            "基地类型",
            labels(&v.categories),
            &first_articles(&v.categories),
        );
    }

    // 报告、考核与评估安排.
    let ar = &l.annual_report;
    push(
        Topic::Schedules,
        "annual_report".into(),
        "年度报告",
        format!(
            "每年 {} 月 {} 日{}报送上一年度报告{}",
            ar.due_month,
            ar.due_day,
            if ar.due_inclusive {
                "（含当日）前"
            } else {
                "前（不含当日）"
            },
            if ar.recommender_copy {
                "，抄送推荐单位"
            } else {
                ""
            }
        ),
        &[ar.article],
    );
    if let Some(a) = &l.annual_assessment {
        let grade = crate::model::term(&v.annual_grades, &a.missing_report_grade)
            .map_or(a.missing_report_grade.clone(), |t| t.zh.clone());
        push(
            Topic::Schedules,
            "annual_assessment".into(),
            "年度考核",
            format!("每年考核；未报送年度材料的定为{grade}"),
            &[a.article],
        );
    }
    let e = &l.evaluation;
    let schedule = if let Some(n) = e.every_years {
        format!("每 {n} 年评估一次")
    } else if let Some(first) = e.first_after_years {
        match e.then_every_years {
            Some(then) => format!("第 {first} 年首次评估，此后每 {then} 年"),
            None => format!("第 {first} 年评估一次"),
        }
    } else {
        let ys: Vec<String> = e.after_years.iter().map(u32::to_string).collect();
        format!("第 {} 年评估", ys.join("、"))
    };
    push(
        Topic::Schedules,
        "evaluation".into(),
        "周期评估",
        format!("{schedule}{}", if e.by_category { "，分类评估" } else { "" }),
        &[e.article],
    );
    if let Some(lb) = &p.transitions.legacy_bases {
        push(
            Topic::Schedules,
            "legacy_bases".into(),
            "施行前认定的基地",
            format!(
                "{} 前认定的基地{}",
                lb.recognised_before,
                if lb.evaluated {
                    "照常评估"
                } else {
                    "原则上不参加评估"
                }
            ),
            &[lb.article],
        );
    }

    // 后果: paired by trigger, so the same event is compared across provinces.
    for c in &p.consequences {
        let (key, label) = trigger(&c.when, p);
        let effect = match c.then {
            Effect::Rectify => "限期整改",
            Effect::Terminate => "终止并注销命名",
            Effect::Revoke => "撤销命名",
            Effect::Disqualify => "取消资格",
            Effect::ExitNational => "退出省级管理序列",
        };
        let mut ats = vec![c.article];
        let mut value = effect.to_string();
        if let Some(bt) = c.ban_terms(l) {
            value.push_str(&format!("，{}", ban_text(bt.years, bt.scope)));
            if bt.article != c.article {
                ats.push(bt.article);
            }
        }
        push(Topic::Consequences, key, &label, value, &ats);
    }

    // 不得再申请.
    if let Some(b) = &l.ban {
        push(
            Topic::Bans,
            "ban:disqualification".into(),
            "取消资格后不得再申请",
            ban_text(b.years, b.scope),
            &[b.article],
        );
    }
    for c in &p.consequences {
        if let Some(cb) = &c.ban {
            let (key, label) = trigger(&c.when, p);
            push(
                Topic::Bans,
                format!("ban:{key}"),
                &format!("{label}后不得再申请"),
                ban_text(cb.years, cb.scope),
                &[cb.article.unwrap_or(c.article)],
            );
        }
    }

    // 施行与有效期.
    push(
        Topic::Validity,
        "document".into(),
        "文号",
        format!("{}（{}）", p.document_number, p.issuer),
        &[],
    );
    push(
        Topic::Validity,
        "in_force".into(),
        "施行",
        format!("{} 起施行（{} 发布）", p.in_force_from, p.published_on),
        &[p.validity.article],
    );
    push(
        Topic::Validity,
        "validity".into(),
        "有效期",
        format!("{} 年，至 {}", p.validity.years, crate::eval::valid_until(p)),
        &[p.validity.article],
    );
    for s in &p.supersedes {
        push(
            Topic::Validity,
            format!("supersedes:{}", s.document_number),
            "废止",
            format!("《{}》（{}）", s.title, s.document_number),
            &[s.article],
        );
    }
    out
}

/// The unit kinds a rule is limited to, when its `applies_when` is a plain
/// `one_of: {value: {fact: unit.kind}, set: […]}`.
fn rule_kinds(when: Option<&crate::expr::Expr>) -> Option<Vec<String>> {
    let y = serde_json::to_value(crate::expr::to_yaml(when?)).ok()?;
    let one = y.get("one_of")?;
    if one.get("value")?.get("fact")?.as_str()? != "unit.kind" {
        return None;
    }
    one.get("set")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn compact(v: &serde_yaml_ng::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn labels(terms: &[Term]) -> String {
    terms.iter().map(|t| t.zh.as_str()).collect::<Vec<_>>().join("、")
}

fn first_articles(terms: &[Term]) -> Vec<ArticleRef> {
    let mut out: Vec<ArticleRef> = Vec::new();
    for a in terms.iter().filter_map(|t| t.article) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

fn ban_text(years: u32, scope: BanScope) -> String {
    match scope {
        BanScope::Unit => format!("依托单位 {years} 年内不得再申请"),
        BanScope::UnitAndDomain => format!("依托单位 {years} 年内不得在同一领域再申请"),
    }
}

/// The pairing key and label of a trigger.
fn trigger(t: &Trigger, p: &Policy) -> (String, String) {
    let v = &p.vocabularies;
    let name = |terms: &[Term], code: &str| crate::model::term(terms, code).map_or(code.to_string(), |t| t.zh.clone());
    match t {
        Trigger::Evaluation { grade } => (
            format!("consequence:evaluation:{grade}"),
            format!("评估结果为{}", name(&v.evaluation_grades, grade)),
        ),
        Trigger::ReEvaluation { grade } => (
            format!("consequence:re_evaluation:{grade}"),
            format!("整改后复评为{}", name(&v.evaluation_grades, grade)),
        ),
        Trigger::ConsecutiveAnnual { grade, years } => (
            format!("consequence:consecutive_annual:{grade}:{years}"),
            format!("连续 {years} 年年度考核为{}", name(&v.annual_grades, grade)),
        ),
        Trigger::Finding { finding } => (
            format!("consequence:finding:{finding}"),
            format!("情形：{}", name(&v.findings, finding)),
        ),
        Trigger::MajorChange { change } => (
            format!("consequence:major_change:{change}"),
            format!("重大事项：{}", name(&v.major_change_kinds, change)),
        ),
    }
}
