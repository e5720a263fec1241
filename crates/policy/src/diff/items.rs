//! 办法对比的条目 — each policy reduced to comparable items, topic by topic: one function per
//! topic, each pushing the items of its part of the policy with the articles they rest on.

use super::{Cite, Side, Topic};
use crate::citation::ArticleRef;
use crate::model::{Approver, BanScope, Counting, Effect, Mode, Policy, Term, Trigger};

/// An item of one policy before pairing.
pub(super) struct Item {
    pub(super) topic: Topic,
    pub(super) key: String,
    pub(super) label: String,
    pub(super) side: Side,
}

/// The items of one policy as they are collected, each with the citations of its articles.
struct Items<'p> {
    p: &'p Policy,
    out: Vec<Item>,
}

impl Items<'_> {
    fn push(&mut self, topic: Topic, key: String, label: &str, value: String, ats: &[ArticleRef]) {
        let p = self.p;
        let articles = ats
            .iter()
            .map(|&at| Cite {
                citation: p.cite(at).to_string(),
                zh: p.cite_zh(at),
                at,
            })
            .collect();
        self.out.push(Item {
            topic,
            key,
            label: label.to_string(),
            side: Side { value, articles },
        });
    }
}

/// Reduces a policy to comparable items, topic by topic in [`Topic::ALL`] order.
pub(super) fn items(p: &Policy) -> Vec<Item> {
    let mut it = Items { p, out: Vec::new() };
    eligibility(&mut it);
    procedure(&mut it);
    grades(&mut it);
    schedules(&mut it);
    consequences(&mut it);
    bans(&mut it);
    validity(&mut it);
    it.out
}

/// 申报条件 — the unit kinds admitted, then each rule under the kinds it applies to.
fn eligibility(it: &mut Items<'_>) {
    let p = it.p;
    let v = &p.vocabularies;
    for k in &v.unit_kinds {
        it.push(
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
        it.push(
            Topic::Eligibility,
            format!("rule:{}", r.id),
            &format!("条件 {}", r.id),
            value,
            &[r.article],
        );
    }
}

/// 程序与期限 — recommendation, expert review, public notice and the other periods.
fn procedure(it: &mut Items<'_>) {
    let p = it.p;
    let pr = &p.procedure;
    let direct = &pr.recommendation.direct_for_affiliations;
    it.push(
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
    it.push(
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
    it.push(
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
    it.push(
        Topic::Procedure,
        "naming".into(),
        "命名",
        pr.naming.template.clone(),
        &[pr.naming.article],
    );
    let l = &p.lifecycle;
    if let Some(r) = &l.rectification {
        it.push(
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
        it.push(
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
                it.push(
                    Topic::Procedure,
                    "national_recommendation".into(),
                    "推荐申报国家级基地",
                    said.join("；"),
                    &arts,
                );
            }
            NationalRecommendation::NotProvided(x) => it.push(
                Topic::Procedure,
                "national_recommendation".into(),
                "推荐申报国家级基地",
                format!("未规定：{}", x.note_zh),
                &x.article.into_iter().collect::<Vec<_>>(),
            ),
        }
    }
}

/// 结果档次 — the grade scales, then what each evaluation grade brings (湖南第十五条、湖北第二十五条).
fn grades(it: &mut Items<'_>) {
    let p = it.p;
    let v = &p.vocabularies;
    let l = &p.lifecycle;
    for (key, label, terms) in [
        ("annual_grades", "年度考核结果", &v.annual_grades),
        ("evaluation_grades", "评估结果", &v.evaluation_grades),
        ("expert_conclusions", "专家结论性意见", &v.expert_conclusions),
        ("decisions", "认定结论", &v.decisions),
    ] {
        if terms.is_empty() {
            continue;
        }
        it.push(Topic::Grades, key.into(), label, labels(terms), &first_articles(terms));
    }
    // 评估结果带来的支持（湖南第十五条、湖北第二十五条）, grade by grade.
    for g in &v.evaluation_grades {
        let said: Vec<_> = l.evaluation_support.iter().filter(|s| s.grade == g.code).collect();
        if said.is_empty() {
            continue;
        }
        it.push(
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
        it.push(
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
        it.push(
            Topic::Grades,
            "categories".into(),
            "基地类型",
            labels(&v.categories),
            &first_articles(&v.categories),
        );
    }
}

/// 报告、考核与评估安排 — annual reports, assessments and evaluations.
fn schedules(it: &mut Items<'_>) {
    let p = it.p;
    let v = &p.vocabularies;
    let l = &p.lifecycle;
    let ar = &l.annual_report;
    it.push(
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
        it.push(
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
    it.push(
        Topic::Schedules,
        "evaluation".into(),
        "周期评估",
        format!("{schedule}{}", if e.by_category { "，分类评估" } else { "" }),
        &[e.article],
    );
    if let Some(lb) = &p.transitions.legacy_bases {
        it.push(
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
}

/// 后果 — paired by trigger, so the same event is compared across provinces.
fn consequences(it: &mut Items<'_>) {
    let p = it.p;
    let l = &p.lifecycle;
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
        it.push(Topic::Consequences, key, &label, value, &ats);
    }
}

/// 不得再申请 — bans on applying again.
fn bans(it: &mut Items<'_>) {
    let p = it.p;
    let l = &p.lifecycle;
    if let Some(b) = &l.ban {
        it.push(
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
            it.push(
                Topic::Bans,
                format!("ban:{key}"),
                &format!("{label}后不得再申请"),
                ban_text(cb.years, cb.scope),
                &[cb.article.unwrap_or(c.article)],
            );
        }
    }
}

/// 施行与有效期 — document, entry into force, validity and what it supersedes.
fn validity(it: &mut Items<'_>) {
    let p = it.p;
    it.push(
        Topic::Validity,
        "document".into(),
        "文号",
        format!("{}（{}）", p.document_number, p.issuer),
        &[],
    );
    it.push(
        Topic::Validity,
        "in_force".into(),
        "施行",
        format!("{} 起施行（{} 发布）", p.in_force_from, p.published_on),
        &[p.validity.article],
    );
    it.push(
        Topic::Validity,
        "validity".into(),
        "有效期",
        format!("{} 年，至 {}", p.validity.years, crate::eval::valid_until(p)),
        &[p.validity.article],
    );
    for s in &p.supersedes {
        it.push(
            Topic::Validity,
            format!("supersedes:{}", s.document_number),
            "废止",
            format!("《{}》（{}）", s.title, s.document_number),
            &[s.article],
        );
    }
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
