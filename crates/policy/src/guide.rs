//! 办事指南 — the procedure of a policy as a citizen-facing list of steps.
//!
//! Every step, its period and its article come from the policy file (`procedure` and
//! `lifecycle`), so the guide a portal shows changes with the file and never says something the
//! rules do not enforce. A step the regulation does not provide (e.g. Hunan has no 年度考核) is
//! simply absent.

use serde::Serialize;

use crate::citation::ArticleRef;
use crate::model::{Affiliation, Approver, BanScope, Counting, Policy};

/// Which part of a base's life a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 认定程序 — from the application to the naming.
    Recognition,
    /// 运行管理 — after the naming.
    Operation,
}

impl Phase {
    /// Chinese heading.
    pub fn zh(self) -> &'static str {
        match self {
            Phase::Recognition => "认定程序",
            Phase::Operation => "运行管理",
        }
    }
    /// English heading.
    pub fn en(self) -> &'static str {
        match self {
            Phase::Recognition => "Recognition",
            Phase::Operation => "Operation after naming",
        }
    }
}

/// One step of the guide.
#[derive(Debug, Clone, Serialize)]
pub struct GuideStep {
    /// Stable key, e.g. `public_notice`.
    pub key: &'static str,
    /// Recognition or operation.
    pub phase: Phase,
    /// The step's name (申报, 推荐, …).
    pub title_zh: &'static str,
    /// The step's name in English.
    pub title_en: &'static str,
    /// Who acts.
    pub who_zh: String,
    /// Who acts, in English.
    pub who_en: String,
    /// 办理时限 — the period or date the step keeps, as the policy sets it.
    pub period_zh: String,
    /// The period in English.
    pub period_en: String,
    /// What the step requires, from the policy's parameters.
    pub detail_zh: String,
    /// What the step requires, in English.
    pub detail_en: String,
    /// The articles prescribing the step, the first being the main one.
    pub articles: Vec<ArticleRef>,
}

const NO_PERIOD_ZH: &str = "按省科技厅年度通知";
const NO_PERIOD_EN: &str = "as the department's yearly notice sets";

fn approver(a: &Approver) -> (&'static str, &'static str) {
    match a {
        Approver::Recommender => ("推荐单位", "the recommender"),
        Approver::Department => ("省科技厅", "the department"),
    }
}

fn affiliation(a: &Affiliation) -> (&'static str, &'static str) {
    match a {
        Affiliation::Central => ("央属", "central"),
        Affiliation::Provincial => ("省属", "provincial"),
        Affiliation::Local => ("地方", "local"),
    }
}

/// The guide of a policy: the recognition steps in order, then the obligations after naming.
pub fn guide(p: &Policy) -> Vec<GuideStep> {
    let mut out = Vec::new();
    let pr = &p.procedure;
    let step = |key,
                phase,
                title_zh,
                title_en,
                who: (&str, &str),
                period: (String, String),
                detail: (String, String),
                articles: Vec<ArticleRef>| GuideStep {
        key,
        phase,
        title_zh,
        title_en,
        who_zh: who.0.to_string(),
        who_en: who.1.to_string(),
        period_zh: period.0,
        period_en: period.1,
        detail_zh: detail.0,
        detail_en: detail.1,
        articles,
    };
    let yearly = || (NO_PERIOD_ZH.to_string(), NO_PERIOD_EN.to_string());

    out.push(step(
        "application",
        Phase::Recognition,
        "申报",
        "Application",
        ("依托单位", "the support unit"),
        yearly(),
        (
            "在申报批次开放期间提交申报材料，系统按申报条件逐条检查并注明条款。".into(),
            "Files the application while a round is open; each condition is checked with its article.".into(),
        ),
        vec![pr.application.article],
    ));

    let rec = &pr.recommendation;
    let (direct_zh, direct_en): (Vec<_>, Vec<_>) = rec.direct_for_affiliations.iter().map(affiliation).unzip();
    let mut rec_articles = vec![rec.article];
    rec_articles.extend(rec.direct_article);
    out.push(step(
        "recommendation",
        Phase::Recognition,
        "推荐",
        "Recommendation",
        ("推荐单位", "the recommender"),
        yearly(),
        if direct_zh.is_empty() {
            (
                "均须经推荐单位审核推荐。".into(),
                "Every application goes through a recommender.".into(),
            )
        } else {
            (
                format!("经推荐单位审核推荐；{}单位直接向省科技厅申报。", direct_zh.join("、")),
                format!(
                    "Through a recommender; {} units apply to the department directly.",
                    direct_en.join(" and ")
                ),
            )
        },
        rec_articles,
    ));

    let er = &pr.expert_review;
    let mut er_articles = vec![er.article];
    er_articles.extend(er.site_inspection);
    let mut detail_zh = format!(
        "每项申报不少于{}名专家评审，评分{}–{}分",
        er.min_experts, er.score_min, er.score_max
    );
    let mut detail_en = format!(
        "At least {} experts per application, scores {}–{}",
        er.min_experts, er.score_min, er.score_max
    );
    if let Some(d) = &er.panel_draw {
        detail_zh.push_str(&format!("；专家随机抽取，另抽{}名备选", d.reserves));
        detail_en.push_str(&format!("; experts drawn at random with {} reserves", d.reserves));
    }
    if er.site_inspection.is_some() {
        detail_zh.push_str("；必要时现场勘验");
        detail_en.push_str("; site inspection where needed");
    }
    detail_zh.push('。');
    detail_en.push('.');
    out.push(step(
        "expert_review",
        Phase::Recognition,
        "专家评审",
        "Expert review",
        ("省科技厅组织专家", "experts, organised by the department"),
        yearly(),
        (detail_zh, detail_en),
        er_articles,
    ));

    out.push(step(
        "decision",
        Phase::Recognition,
        "认定",
        "Decision",
        ("省科技厅", "the department"),
        yearly(),
        (
            "根据专家评审意见研究确定拟认定名单。".into(),
            "Decides the list to be recognised from the experts' opinions.".into(),
        ),
        vec![pr.decision.article],
    ));

    let pn = &pr.public_notice;
    let (count_zh, count_en) = match pn.counting {
        Counting::IncludeStart => (
            "公示首日为工作日的计入",
            "the first day counts when it is a working day",
        ),
        Counting::ExcludeStart => ("自公示次日起算", "counted from the day after the notice starts"),
    };
    let mut pn_articles = vec![pn.article];
    if pn.objections_article != pn.article {
        pn_articles.push(pn.objections_article);
    }
    out.push(step(
        "public_notice",
        Phase::Recognition,
        "公示",
        "Public notice",
        (
            "省科技厅；任何单位和个人可实名提出异议",
            "the department; anyone may object in their real name",
        ),
        (
            format!("不少于{}个工作日（{count_zh}）", pn.working_days),
            format!("at least {} working days ({count_en})", pn.working_days),
        ),
        if pn.objections_block_naming {
            (
                "公示期内接受实名异议；异议处理完毕方可命名。".into(),
                "Real-name objections are received during the notice; naming waits until every one is resolved.".into(),
            )
        } else {
            (
                "公示期内接受实名异议。".into(),
                "Real-name objections are received during the notice.".into(),
            )
        },
        pn_articles,
    ));

    let nm = &pr.naming;
    // The template's placeholders, as a reader fills them in.
    let name_zh = nm
        .template
        .replace("{domain}", "〔技术领域〕")
        .replace("{category_suffix}", "〔类别〕")
        .replace("{unit}", "〔依托单位〕");
    let name_en = nm
        .template
        .replace("{domain}", "[domain]")
        .replace("{category_suffix}", "[category]")
        .replace("{unit}", "[support unit]");
    let mut nm_articles = vec![nm.article];
    if nm.announcement_article != nm.article {
        nm_articles.push(nm.announcement_article);
    }
    out.push(step(
        "naming",
        Phase::Recognition,
        "命名、公告",
        "Naming and announcement",
        ("省科技厅", "the department"),
        (
            "公示期满且无未处理异议后".into(),
            "after the notice period, with no objection open".into(),
        ),
        (
            format!("统一命名为“{name_zh}”，并予公告。"),
            format!("Named “{name_en}” and announced."),
        ),
        nm_articles,
    ));

    let l = &p.lifecycle;
    let ar = &l.annual_report;
    out.push(step(
        "annual_report",
        Phase::Operation,
        "报送年度报告",
        "Annual report",
        ("依托单位", "the support unit"),
        (
            format!(
                "每年{}月{}日{}，报送上一年度报告",
                ar.due_month,
                ar.due_day,
                if ar.due_inclusive { "前（含当日）" } else { "前" }
            ),
            format!(
                "every year by {}-{:02}{}, on the previous year",
                ar.due_month,
                ar.due_day,
                if ar.due_inclusive {
                    " (that day included)"
                } else {
                    " (that day excluded)"
                }
            ),
        ),
        if ar.recommender_copy {
            (
                "报省科技厅，同时抄送推荐单位备案。".into(),
                "To the department, with a copy to the recommender.".into(),
            )
        } else {
            ("报省科技厅。".into(), "To the department.".into())
        },
        vec![ar.article],
    ));

    if let Some(a) = &l.annual_assessment {
        let grade = crate::model::term(&p.vocabularies.annual_grades, &a.missing_report_grade)
            .map(|t| (t.zh.clone(), t.en.clone()))
            .unwrap_or_else(|| (a.missing_report_grade.clone(), a.missing_report_grade.clone()));
        out.push(step(
            "annual_assessment",
            Phase::Operation,
            "年度考核",
            "Annual assessment",
            ("省科技厅", "the department"),
            ("每年，依据年度报告".into(), "every year, on the annual report".into()),
            (
                format!("未按期报送年度报告的，考核结果为“{}”。", grade.0),
                format!("A base without its report on time is graded “{}”.", grade.1),
            ),
            vec![a.article],
        ));
    }

    let ev = &l.evaluation;
    let (ev_zh, ev_en) = evaluation_period(ev);
    out.push(step(
        "evaluation",
        Phase::Operation,
        "评估",
        "Evaluation",
        ("省科技厅", "the department"),
        (ev_zh, ev_en),
        if ev.by_category {
            ("按类别组织评估。".into(), "Bases are evaluated by category.".into())
        } else {
            (
                "评估结果分档，决定支持或整改、退出。".into(),
                "The grade decides support, rectification or exit.".into(),
            )
        },
        vec![ev.article],
    ));

    if let Some(r) = &l.rectification {
        out.push(step(
            "rectification",
            Phase::Operation,
            "限期整改",
            "Rectification",
            ("依托单位", "the support unit"),
            (format!("{}个月", r.months), format!("{} months", r.months)),
            (
                "评估或考核不合格的基地限期整改，整改后复评。".into(),
                "A base found wanting rectifies within the period and is reviewed again.".into(),
            ),
            vec![r.article],
        ));
    }

    if let Some(m) = &l.major_changes {
        let (chain_zh, chain_en): (Vec<_>, Vec<_>) = m.approval.iter().map(approver).unzip();
        let (told_zh, told_en): (Vec<_>, Vec<_>) = m.informed.iter().map(approver).unzip();
        let mut zh = format!("依托单位提出，经{}同意后生效", chain_zh.join("→"));
        let mut en = format!(
            "Filed by the support unit, in effect once approved by {}",
            chain_en.join(", then ")
        );
        if !told_zh.is_empty() {
            zh.push_str(&format!("，同时告知{}", told_zh.join("、")));
            en.push_str(&format!("; {} is informed", told_en.join(" and ")));
        }
        if m.explain_in_annual_report {
            zh.push_str("，并在当年年度报告中说明");
            en.push_str("; explained in that year's annual report");
        }
        zh.push('。');
        en.push('.');
        out.push(step(
            "major_changes",
            Phase::Operation,
            "重大事项变更",
            "Major changes",
            ("依托单位", "the support unit"),
            ("事项发生后及时报告".into(), "as soon as the change occurs".into()),
            (zh, en),
            vec![m.article],
        ));
    }

    if let Some(b) = &l.ban {
        let (scope_zh, scope_en) = match b.scope {
            BanScope::Unit => ("该依托单位", "the support unit, in any domain"),
            BanScope::UnitAndDomain => ("该依托单位在同一领域", "the support unit, in the same domain"),
        };
        out.push(step(
            "ban",
            Phase::Operation,
            "不得重新申请",
            "Ban on applying again",
            ("被取消资格的依托单位", "a disqualified support unit"),
            (format!("{}年", b.years), format!("{} years", b.years)),
            (
                format!("取消资格后，{scope_zh}不得重新申请。"),
                format!("After disqualification, {scope_en} may not apply again."),
            ),
            vec![b.article],
        ));
    }

    out.push(step(
        "validity",
        Phase::Operation,
        "办法有效期",
        "Validity of the regulation",
        ("省科技厅", "the department"),
        (
            format!("自{}起施行，有效期{}年", p.in_force_from, p.validity.years),
            format!("in force from {} for {} years", p.in_force_from, p.validity.years),
        ),
        (
            "有效期届满且无后续办法的，不再开放新的申报批次，已命名基地继续管理。".into(),
            "Once it ends with no successor, no new round opens; named bases carry on.".into(),
        ),
        vec![p.validity.article],
    ));
    out
}

fn evaluation_period(ev: &crate::model::Evaluation) -> (String, String) {
    if let Some(n) = ev.every_years {
        return (format!("每{n}年一次"), format!("every {n} years"));
    }
    if let Some(first) = ev.first_after_years {
        return match ev.then_every_years {
            Some(then) => (
                format!("命名后第{first}年首次，此后每{then}年一次"),
                format!("first after {first} years, then every {then} years"),
            ),
            None => (
                format!("命名后第{first}年一次"),
                format!("once, {first} years after naming"),
            ),
        };
    }
    let years: Vec<String> = ev.after_years.iter().map(u32::to_string).collect();
    (
        format!("命名后第{}年", years.join("、")),
        format!("{} years after naming", years.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step<'a>(g: &'a [GuideStep], key: &str) -> &'a GuideStep {
        g.iter()
            .find(|s| s.key == key)
            .unwrap_or_else(|| panic!("no step {key}"))
    }

    #[test]
    fn hunan_guide_follows_article_nine_and_the_operation_articles() {
        let p = crate::builtin_policy("hunan-2026").expect("hunan");
        let g = guide(p);
        // 第九条：申报、推荐、评审、认定、公示、命名, in that order.
        let order: Vec<&str> = g
            .iter()
            .filter(|s| s.phase == Phase::Recognition)
            .map(|s| s.key)
            .collect();
        assert_eq!(
            order,
            [
                "application",
                "recommendation",
                "expert_review",
                "decision",
                "public_notice",
                "naming"
            ]
        );
        // 第九条第3项：公示期不少于5个工作日.
        let pn = step(&g, "public_notice");
        assert!(pn.period_zh.starts_with("不少于5个工作日"), "{}", pn.period_zh);
        assert_eq!(pn.articles[0].to_string(), "9.3");
        // 第十四条：每年1月15日前报送年度报告.
        let ar = step(&g, "annual_report");
        assert!(ar.period_zh.contains("1月15日"), "{}", ar.period_zh);
        assert_eq!(ar.articles, vec![ArticleRef::article(14)]);
        // 第十五条：每3年动态评估；整改期12个月. 第十六条：5年内不得重新申请.
        assert_eq!(step(&g, "evaluation").period_zh, "每3年一次");
        assert_eq!(step(&g, "rectification").period_zh, "12个月");
        assert_eq!(step(&g, "ban").period_zh, "5年");
        // 第九条第4项: the official name, its placeholders spelt out.
        assert!(
            step(&g, "naming")
                .detail_zh
                .contains("湖南省科学技术厅〔技术领域〕国际科技合作基地（〔类别〕）")
        );
        // Hunan has no 年度考核.
        assert!(g.iter().all(|s| s.key != "annual_assessment"));
    }

    #[test]
    fn hubei_guide_has_direct_application_and_annual_assessment() {
        let p = crate::builtin_policy("hubei-2022").expect("hubei");
        let g = guide(p);
        // 第六条第二款：央属、省属单位直接申报.
        let rec = step(&g, "recommendation");
        assert!(rec.detail_zh.contains("央属、省属单位直接"), "{}", rec.detail_zh);
        assert_eq!(
            rec.articles.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            ["6(1)", "6(2)"]
        );
        // 第十五条第二款：现场勘验; 第十七条：公示 5 个工作日.
        assert!(step(&g, "expert_review").detail_zh.contains("现场勘验"));
        assert!(step(&g, "public_notice").period_zh.starts_with("不少于5个工作日"));
        // 第二十二条第一款：年度考核.
        assert_eq!(step(&g, "annual_assessment").articles[0].to_string(), "22(1)");
        // Every step cites an article the policy has.
        for s in &g {
            for a in &s.articles {
                assert!(p.text(*a).is_some(), "{} cites {a}, which the policy lacks", s.key);
            }
        }
    }
}
