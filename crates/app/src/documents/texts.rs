//! The words of each kind of document, drafted from the case: the 公示, the naming
//! announcement, the recognition notice and a base's decisions, each citing the articles of the
//! case's own events.

use guohe_documents::chinese_date;
use guohe_domain::{BaseStatus, DocumentKind, DocumentText, EventKind, Refusal, RefusalCode, World};
use guohe_policy::model::Policy;
use guohe_policy::{Citation, PolicySet};

use crate::AppError;

pub(super) fn refused(zh: String, en: String, field: &str) -> AppError {
    AppError::Refused(Refusal::invalid(field, zh, en))
}

fn cite_zh(policies: &PolicySet, c: &Citation) -> String {
    match policies.get(&c.policy) {
        Some(p) => format!("《{}》{}", p.title, c.to_chinese(p.item_style)),
        None => c.to_string(),
    }
}

fn cites_zh(policies: &PolicySet, cs: &[Citation]) -> String {
    let mut v: Vec<String> = Vec::new();
    for c in cs {
        let s = cite_zh(policies, c);
        if !v.contains(&s) {
            v.push(s);
        }
    }
    v.join("、")
}

fn term_zh(terms: &[guohe_policy::model::Term], code: &str) -> String {
    terms
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.zh.clone())
        .unwrap_or_else(|| code.to_string())
}

/// The words and the articles of a document, drafted from the case. `events` are the case's
/// events (its stream), whose articles the document cites.
pub fn draft(
    world: &World,
    policies: &PolicySet,
    kind: DocumentKind,
    case: &str,
    events: &[guohe_domain::Event],
) -> Result<(DocumentText, Vec<Citation>), Refusal> {
    let not_found = || {
        Refusal::new(
            RefusalCode::NotFound,
            format!("案件“{case}”不存在"),
            format!("no case `{case}`"),
        )
        .at("case")
    };
    let policy_id = world.policy_of_stream(case).ok_or_else(not_found)?;
    let policy = policies.get(policy_id).ok_or_else(|| {
        Refusal::new(
            RefusalCode::PolicyUnavailable,
            format!("未载入办法“{policy_id}”"),
            format!("policy `{policy_id}` is not loaded"),
        )
    })?;
    if let Some(d) = world.document_of(case, kind) {
        return Err(Refusal::new(
            RefusalCode::Duplicate,
            format!(
                "该{}已于 {} 印发（{}），可重新下载，不能再次印发",
                kind.zh(),
                d.event.issued_on,
                d.event.number
            ),
            format!(
                "this {} was issued on {} ({}); download it again instead",
                kind.en(),
                d.event.issued_on,
                d.event.number
            ),
        )
        .at("kind"));
    }
    if !world.document_kinds_for(case).contains(&kind) {
        return Err(Refusal::new(
            RefusalCode::WrongState,
            format!("案件“{case}”当前不能印发{}", kind.zh()),
            format!("case `{case}` has no {} to issue", kind.en()),
        )
        .at("kind"));
    }
    let id = case.split_once('/').map(|(_, id)| id).unwrap_or_default();
    match kind {
        DocumentKind::PublicNotice => public_notice(world, policies, policy, id, events),
        DocumentKind::NamingAnnouncement => naming_announcement(world, policies, policy, id),
        DocumentKind::RecognitionNotice => recognition_notice(world, policies, policy, id),
        _ => base_decision(world, policies, policy, kind, id, events),
    }
    .ok_or_else(not_found)
}

fn policy_ref(policy: &Policy) -> String {
    format!("《{}》（{}）", policy.title, policy.document_number)
}

fn public_notice(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
    events: &[guohe_domain::Event],
) -> Option<(DocumentText, Vec<Citation>)> {
    let n = world.notice(id)?;
    let pn = &policy.procedure.public_notice;
    let mut cites: Vec<Citation> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::PublicNoticeStarted(_)))
        .flat_map(|e| e.articles.clone())
        .collect();
    if cites.is_empty() {
        cites.push(policy.cite(pn.article));
    }
    let objection_cite = policy.cite(pn.objections_article);
    let list = n
        .applications
        .iter()
        .filter_map(|a| world.application(a))
        .map(|a| {
            let category = a
                .facts
                .category
                .as_deref()
                .map(|c| format!("，{}", term_zh(&policy.vocabularies.categories, c)))
                .unwrap_or_default();
            format!("{}（{}领域{category}）", a.facts.unit.name, a.facts.technology_domain)
        })
        .collect();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于{}年度拟认定国际科技合作基地的公示", n.starts_on.format("%Y")),
        addressee: None,
        paragraphs: vec![
            format!(
                "根据{}{}的规定，经形式审查、专家评审和认定，拟认定以下{}家单位为国际科技合作基地，现予以公示。",
                policy_ref(policy),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), ""),
                n.applications.len()
            ),
            format!(
                "公示期为{}个工作日，自{}起至{}止。",
                pn.working_days,
                chinese_date(n.starts_on),
                chinese_date(n.ends_on)
            ),
            format!(
                "公示期内，任何单位和个人对公示对象有异议的，可向{}以实名书面形式提出，写明异议人真实姓名、联系方式和异议内容并提供必要的证明材料；也可在本系统公示页面（公示编号 {}）提交实名异议。匿名异议不予受理（{}）。",
                policy.issuer,
                n.id,
                cite_zh(policies, &objection_cite)
            ),
            "拟认定名单如下：".to_string(),
        ],
        list,
        closing: Some("特此公示。".into()),
    };
    cites.push(objection_cite);
    Some((text, cites))
}

fn naming_announcement(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
) -> Option<(DocumentText, Vec<Citation>)> {
    let n = world.notice(id)?;
    let naming = &policy.procedure.naming;
    let cites = vec![policy.cite(naming.article), policy.cite(naming.announcement_article)];
    let list: Vec<String> = n
        .applications
        .iter()
        .filter_map(|a| world.application(a)?.base.as_deref())
        .filter_map(|b| world.base(b))
        .map(|b| format!("{}（依托单位：{}）", b.official_name, b.unit_name))
        .collect();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于命名{}年度国际科技合作基地的公告", n.starts_on.format("%Y")),
        addressee: None,
        paragraphs: vec![
            format!(
                "根据{}的规定，经申报、推荐、评审、认定和公示（自{}至{}，公示期满无异议或异议不成立），现命名以下{}家基地为国际科技合作基地（{}）。",
                policy_ref(policy),
                chinese_date(n.starts_on),
                chinese_date(n.ends_on),
                list.len(),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), "")
            ),
            "请各基地及其依托单位按照办法要求加强建设和管理，按时报送年度报告，接受评估。".into(),
        ],
        list,
        closing: Some("特此公告。".into()),
    };
    Some((text, cites))
}

fn recognition_notice(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    id: &str,
) -> Option<(DocumentText, Vec<Citation>)> {
    let b = world.base(id)?;
    let naming = &policy.procedure.naming;
    let cites = vec![policy.cite(naming.article)];
    let category = b
        .category
        .as_deref()
        .map(|c| format!("，类别为{}", term_zh(&policy.vocabularies.categories, c)))
        .unwrap_or_default();
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title: format!("关于认定{}的通知", b.official_name),
        addressee: Some(b.unit_name.clone()),
        paragraphs: vec![
            format!(
                "根据{}{}的规定，经评审、认定和公示，你单位获认定为国际科技合作基地，命名为“{}”（技术领域：{}{category}；基地负责人：{}），自{}起纳入管理。",
                policy_ref(policy),
                cites_zh(policies, &cites).replace(&format!("《{}》", policy.title), ""),
                b.official_name,
                b.domain,
                b.director,
                chinese_date(b.recognised_on)
            ),
            "请你单位按照办法要求加强基地建设和管理，每年按时报送上一年度工作报告，如遇基地更名、负责人变化等重大事项及时报告，并接受评估。".into(),
        ],
        list: Vec::new(),
        closing: Some("特此通知。".into()),
    };
    Some((text, cites))
}

fn base_decision(
    world: &World,
    policies: &PolicySet,
    policy: &Policy,
    kind: DocumentKind,
    id: &str,
    events: &[guohe_domain::Event],
) -> Option<(DocumentText, Vec<Citation>)> {
    let b = world.base(id)?;
    // The event that recorded the measure: its consequence rule, date and articles.
    let found = events.iter().rev().find_map(|e| {
        let (rule, on) = match (&e.kind, kind) {
            (EventKind::RectificationOrdered(x), DocumentKind::RectificationNotice) => (x.consequence.as_str(), x.from),
            (EventKind::BaseTerminated(x), DocumentKind::TerminationDecision) => {
                (x.consequence.as_str(), x.effective_on)
            }
            (EventKind::BaseRevoked(x), DocumentKind::RevocationDecision) => (x.consequence.as_str(), x.effective_on),
            (EventKind::BaseDisqualified(x), DocumentKind::DisqualificationDecision) => {
                (x.consequence.as_str(), x.effective_on)
            }
            _ => return None,
        };
        Some((rule.to_string(), on, e.articles.clone()))
    });
    let (rule, on, cites) = found?;
    let reason = policy
        .consequences
        .iter()
        .find(|c| c.id == rule)
        .map(|c| c.title_zh.clone())
        .unwrap_or(rule);
    let basis = cites_zh(policies, &cites);
    let (title, body, closing) = match kind {
        DocumentKind::RectificationNotice => {
            let until = b.rectification.as_ref().map(|r| r.until).unwrap_or(on);
            (
                format!("关于{}限期整改的通知", b.official_name),
                vec![
                    format!("经查，你单位依托建设的{}存在以下情形：{reason}。", b.official_name),
                    format!(
                        "根据{basis}的规定，现责令限期整改，整改期自{}起至{}止。",
                        chinese_date(on),
                        chinese_date(until)
                    ),
                    "请你单位认真落实整改，整改期满后接受复评；复评不合格的，将依照办法规定处理。".to_string(),
                ],
                "特此通知。",
            )
        }
        _ => {
            let (verb, extra) = match b.status {
                BaseStatus::Disqualified { ban_until: Some(until) } => (
                    "取消其国际科技合作基地资格",
                    format!("你单位在{}前不得再次申请。", chinese_date(until)),
                ),
                BaseStatus::Disqualified { ban_until: None } => ("取消其国际科技合作基地资格", String::new()),
                BaseStatus::Revoked => ("撤销其国际科技合作基地命名", String::new()),
                _ => ("终止并注销其国际科技合作基地命名", String::new()),
            };
            (
                format!("关于{}{}的决定", b.official_name, kind.zh().trim_end_matches("决定")),
                vec![
                    format!(
                        "经查，{}（依托单位：{}）存在以下情形：{reason}。",
                        b.official_name, b.unit_name
                    ),
                    format!("根据{basis}的规定，决定{verb}，自{}起生效。{extra}", chinese_date(on)),
                ],
                "特此决定。",
            )
        }
    };
    let text = DocumentText {
        issuer: policy.issuer.clone(),
        title,
        addressee: Some(b.unit_name.clone()),
        paragraphs: body,
        list: Vec::new(),
        closing: Some(closing.into()),
    };
    Some((text, cites))
}
