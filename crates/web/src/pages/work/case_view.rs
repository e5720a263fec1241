//! The case view of an application: its facts, attachments and timeline with the articles
//! applied, as each audience may see them.

use super::*;

/// One step of a case's timeline.
#[derive(Debug, Clone)]
pub struct Step {
    /// Date.
    pub on: NaiveDate,
    /// What happened.
    pub what: String,
    /// Details.
    pub detail: String,
    /// Who (shown to the department only).
    pub actor: String,
    /// Articles applied, with their text.
    pub cites: Vec<(String, String)>,
}

/// How much of a case an audience may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The applicant unit.
    Unit,
    /// The recommender.
    Recommender,
    /// An assigned expert.
    Expert,
    /// The department.
    Department,
}

fn event_label(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "ApplicationSubmitted" => ("提交申报", "Submitted"),
        "ApplicationResubmitted" => ("修改后重新提交", "Resubmitted"),
        "ApplicationReturned" => ("形式审查退回修改", "Returned for correction"),
        "ApplicationWithdrawn" => ("撤回申报", "Withdrawn"),
        "ApplicationRecommended" => ("推荐", "Recommended"),
        "ExpertAssigned" => ("指派评审专家", "Expert assigned"),
        "ConflictDeclared" => ("专家申明回避", "Conflict of interest declared"),
        "ReviewSubmitted" => ("提交评审意见", "Review submitted"),
        "SiteInspectionRecorded" => ("现场勘验", "Site inspection"),
        "ApplicationDecided" => ("作出认定结论", "Decided"),
        "ApplicationRejected" => ("驳回", "Rejected"),
        "PublicNoticeStarted" => ("开始公示", "Public notice started"),
        "ObjectionLodged" => ("收到实名异议", "Objection lodged"),
        "ObjectionResolved" => ("异议处理", "Objection resolved"),
        "PublicNoticeEnded" => ("公示期满", "Notice period ended"),
        "BaseNamed" => ("命名", "Named"),
        other => view::base_event_label(other).unwrap_or(("记录", "Recorded")),
    }
}

/// The timeline of an application: its own stream, its notice's events about it, and the
/// base it became — each event with its articles.
pub async fn timeline(state: &AppState, a: &ApplicationCase, who: Audience, l: Lang) -> WebResult<Vec<Step>> {
    let policies = state.guohe.policies();
    let mut events = state.guohe.history(&format!("application/{}", a.id)).await?;
    if let Some(n) = &a.notice {
        events.extend(
            state
                .guohe
                .history(&format!("notice/{n}"))
                .await?
                .into_iter()
                .filter(|e| {
                    e.payload.get("application").and_then(Value::as_str) == Some(a.id.as_str())
                        || e.payload
                            .get("applications")
                            .and_then(Value::as_array)
                            .is_some_and(|v| v.iter().any(|x| x.as_str() == Some(a.id.as_str())))
                        || e.kind == "PublicNoticeEnded"
                }),
        );
    }
    if let Some(b) = &a.base {
        events.extend(state.guohe.history(&format!("base/{b}")).await?.into_iter().take(1));
    }
    events.sort_by_key(|e| e.seq);
    let dept = who == Audience::Department;
    let people =
        crate::labels::People::of_records(state, events.iter().map(|e| (e.actor.as_str(), &e.payload))).await?;
    let code = |c: &str| crate::labels::policy_code_label(policies, &a.policy, c, l);
    let steps = events
        .iter()
        // Who reviews is the department's business; an expert sees no other expert's review.
        .filter(|e| dept || !matches!(e.kind.as_str(), "ExpertAssigned" | "ConflictDeclared"))
        .filter(|e| who != Audience::Expert || e.kind != "ReviewSubmitted")
        .map(|e| {
            let (zh, en) = event_label(&e.kind);
            let p = &e.payload;
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let detail = match e.kind.as_str() {
                "ApplicationReturned" => p
                    .get("reasons")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("；"))
                    .unwrap_or_default(),
                "ApplicationRecommended" => format!("{}：{}", s("recommender"), s("opinion")),
                "ApplicationDecided" => {
                    let d = s("decision");
                    let label = policies
                        .get(&a.policy)
                        .map(|pol| term_label(&pol.vocabularies.decisions, &d, l))
                        .unwrap_or(d);
                    let r = s("reasons");
                    if r.is_empty() { label } else { format!("{label}：{r}") }
                }
                "ApplicationRejected" | "ApplicationWithdrawn" => {
                    let r = s("reason");
                    if r.is_empty() { s("reason") } else { r }
                }
                "PublicNoticeStarted" => format!("{} {} — {}", s("notice"), s("starts_on"), s("ends_on")),
                "ObjectionLodged" if dept => format!("{} · {}", s("objection"), s("content")),
                "ObjectionLodged" => s("objection"),
                "ObjectionResolved" => {
                    let upheld = p.get("upheld").and_then(Value::as_bool).unwrap_or(false);
                    format!(
                        "{} · {} · {}",
                        s("objection"),
                        if upheld {
                            l.t("异议成立", "upheld")
                        } else {
                            l.t("异议不成立", "not upheld")
                        },
                        s("resolution")
                    )
                }
                "ReviewSubmitted" if dept => format!(
                    "{} · {} {} · {}",
                    people.of(&s("expert")),
                    p.get("score")
                        .map(|x| x.to_string().trim_matches('"').to_string())
                        .unwrap_or_default(),
                    l.t("分", "points"),
                    code(&s("conclusion"))
                ),
                "ExpertAssigned" | "ConflictDeclared" => people.of(&s("expert")),
                "SiteInspectionRecorded" => {
                    let who: Vec<String> = p
                        .get("inspectors")
                        .and_then(Value::as_array)
                        .map(|v| v.iter().filter_map(Value::as_str).map(|x| people.of(x)).collect())
                        .unwrap_or_default();
                    format!("{}：{}", who.join("、"), s("findings"))
                }
                "BaseNamed" => s("official_name"),
                "ApplicationSubmitted" | "ApplicationResubmitted" => {
                    let v = crate::labels::code_label(&s("verdict"), l);
                    format!("{}{v}", l.t("条件核查：", "eligibility: "))
                }
                _ => String::new(),
            };
            Step {
                on: e.occurred_on,
                what: l.t(zh, en).to_string(),
                detail,
                actor: if dept { people.actor(&e.actor, l) } else { String::new() },
                cites: e
                    .articles
                    .iter()
                    .map(|c| {
                        let (label, _) = view::citation_label(policies, c, l);
                        let text = Citation::parse(c)
                            .ok()
                            .and_then(|x| policies.get(&x.policy).and_then(|p| p.text(x.at)).map(str::to_string))
                            .unwrap_or_default();
                        (label, text)
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(steps)
}

/// A summary of an application's facts for case pages; `round` is the round's title.
pub fn fact_lines(round: String, policies: &PolicySet, a: &ApplicationCase, l: Lang) -> Vec<(String, String)> {
    let f = &a.facts;
    let cat = view::category_label(policies, &a.policy, f.category.as_deref(), l);
    let mut v = vec![
        (l.t("申报编号", "Application").to_string(), a.id.clone()),
        (l.t("申报批次", "Round").to_string(), round),
        (
            l.t("依托单位", "Support unit").to_string(),
            format!("{}（{}）", f.unit.name, f.unit.uscc),
        ),
        (
            l.t("地区", "Region").to_string(),
            view::region_label(Some(&f.unit.region_code)),
        ),
        (l.t("技术领域", "Domain").to_string(), f.technology_domain.clone()),
        (
            l.t("主要合作国别（地区）", "Primary partner country").to_string(),
            view::country_label(Some(&f.primary_partner.country), l),
        ),
        (l.t("基地负责人", "Director").to_string(), f.director.name.clone()),
        (l.t("提交日期", "Submitted on").to_string(), a.submitted_on.to_string()),
        (
            l.t("合作伙伴", "Partners").to_string(),
            f.partner_institutions
                .iter()
                .map(|p| format!("{}（{}）", p.name, view::country_label(Some(&p.country), l)))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (
            l.t("条件核查结论（提交时）", "Eligibility at submission").to_string(),
            crate::labels::code_label(&a.verdict, l),
        ),
    ];
    if !cat.is_empty() {
        v.insert(4, (l.t("基地类型", "Category").to_string(), cat));
    }
    if !a.failing_rules.is_empty() {
        v.push((
            l.t("未通过的条件", "Failed rules").to_string(),
            a.failing_rules
                .iter()
                .map(|r| crate::labels::rule_label(policies, &a.policy, r, l))
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    if !a.review_rules.is_empty() {
        v.push((
            l.t("需专家判断的条件", "Rules for expert judgement").to_string(),
            a.review_rules
                .iter()
                .map(|r| crate::labels::rule_label(policies, &a.policy, r, l))
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    if let Some((rec, op)) = &a.recommendation {
        v.push((l.t("推荐意见", "Recommendation").to_string(), format!("{rec}：{op}")));
    }
    if !a.return_reasons.is_empty() {
        v.push((
            l.t("退回理由", "Reasons for return").to_string(),
            a.return_reasons.join("；"),
        ));
    }
    if a.direct {
        v.push((
            l.t("推荐", "Recommendation").to_string(),
            l.t("直接申请，无需推荐", "Applies directly; no recommendation")
                .to_string(),
        ));
    }
    v
}

/// The attachments listed in an application: (kind, file id).
pub fn attachment_rows(a: &ApplicationCase) -> Vec<(String, String)> {
    a.facts
        .attachments
        .iter()
        .map(|x| (x.kind.clone(), x.file.clone()))
        .collect()
}

/// What every audience's case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// Application id.
    pub id: String,
    /// Stage code.
    pub stage_code: String,
    /// Stage label.
    pub stage_label: String,
    /// Fact lines.
    pub facts: Vec<(String, String)>,
    /// Timeline.
    pub steps: Vec<Step>,
    /// Attachments: (kind label, file id, file name).
    pub attachments: Vec<(String, String, String)>,
    /// The list this page belongs to.
    pub back: String,
}

/// Builds the case view of an application the principal may see (checked by the caller).
pub async fn case_view(
    state: &AppState,
    a: &ApplicationCase,
    who: Audience,
    l: Lang,
    back: &str,
) -> WebResult<CaseView> {
    let policies = state.guohe.policies();
    let round = state
        .guohe
        .round(&a.round)
        .await
        .map_or_else(|| a.round.clone(), |r| r.title);
    let facts = fact_lines(round, policies, a, l);
    let steps = timeline(state, a, who, l).await?;
    let drafts = state.guohe.drafts();
    let owned = drafts.files_of(a.facts.unit.uscc.trim()).await?;
    let attachments = attachment_rows(a)
        .into_iter()
        .map(|(kind, file)| {
            let name = owned
                .iter()
                .find(|f| f.id == file)
                .map(|f| f.file_name.clone())
                .unwrap_or_else(|| file.clone());
            (crate::pages::unit::kind_label(&kind, l), file, name)
        })
        .collect();
    let _ = policies;
    let (code, label) = stage(a.status, l);
    Ok(CaseView {
        id: a.id.clone(),
        stage_code: code.into(),
        stage_label: label,
        facts,
        steps,
        attachments,
        back: back.into(),
    })
}
