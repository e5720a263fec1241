//! The round of a year: opening, applications with valid facts, recommendation, experts,
//! reviews, decisions, the 公示 with a real-name objection and its resolution, naming.

use chrono::NaiveDate;
use serde_json::json;

use super::super::facts::{self, UnitFacts};
use super::{PhaseKind, Prov, Steps, actor, choose, command};
use crate::Guohe;
use crate::generate::GenerateError;

/// Plans a round phase of one province into `s`; `Some(n)` when the phase appended its own
/// `n` events instead (the objection, whose personal data `execute` seals).
pub(super) async fn plan(
    g: &Guohe,
    pv: &mut Prov,
    kind: PhaseKind,
    year: i32,
    on: NaiveDate,
    quota: usize,
    s: &mut Steps,
) -> Result<Option<usize>, GenerateError> {
    match kind {
        PhaseKind::Round if quota > 0 => {
            s.push(
                &pv.dept,
                json!({"type": "OpenRound", "id": pv.round_id(year), "policy": pv.policy_id(),
                "title": format!("{year}年度{}国际科技合作基地申报", pv.p.name),
                "opens_on": on, "closes_on": NaiveDate::from_ymd_opt(year, 4, 30)}),
            )?;
        }
        PhaseKind::Submit if quota > 0 => {
            pv.apps.clear();
            let n = quota + quota / 4 + 1;
            let direct = pv.policy.procedure.recommendation.direct_for_affiliations.clone();
            for k in 1..=n {
                pv.serial += 1;
                let d = pv.prefectures[pv.rng.below(pv.prefectures.len())].clone();
                let domain = *pv.rng.pick(facts::DOMAINS);
                let country = *pv.rng.pick(facts::COUNTRIES);
                let name = facts::company(&mut pv.rng, &d.name, domain, pv.serial);
                let uscc = facts::uscc("91", &d.code, "MA", pv.serial);
                // Some provincial units apply directly where the policy allows it (湖北第六条).
                let affiliation = if !direct.is_empty() && pv.rng.below(10) == 0 {
                    "provincial"
                } else {
                    "local"
                };
                let category = pv.category();
                let director = facts::person(&mut pv.rng);
                let u = UnitFacts {
                    name: &name,
                    uscc: &uscc,
                    kind: "enterprise",
                    affiliation,
                    region: &d.code,
                };
                let mut f = facts::application_facts(
                    pv.template,
                    pv.policy_id(),
                    &u,
                    domain,
                    category.as_deref(),
                    country,
                    &director,
                    on,
                );
                facts::partnerships_before(&mut f, on);
                if category.as_deref() == Some("technology_transfer") {
                    facts::technology_transfers(&mut f, on, country);
                }
                let id = format!("{}-{year}-A{k:04}", pv.p.alpha);
                let who = actor(&format!("unit:{uscc}"))?;
                s.push(
                    &who,
                    json!({"type": "SubmitApplication", "id": id, "round": pv.round_id(year), "facts": f}),
                )?;
                pv.apps.push(id);
            }
        }
        PhaseKind::Recommend if quota > 0 => {
            let todo: Vec<(String, String)> = g
                .read(|w, _, _| {
                    pv.apps
                        .iter()
                        .filter_map(|id| w.application(id))
                        .filter(|a| !a.direct && a.status == guohe_domain::ApplicationStatus::Submitted)
                        .map(|a| (a.id.clone(), a.facts.unit.region_code.clone()))
                        .collect()
                })
                .await;
            for (app, region) in todo {
                let (who, name) = pv.recommender(&region);
                s.push(
                    &actor(&who)?,
                    json!({"type": "RecommendApplication", "application": app, "recommender": name,
                    "opinion": "经形式审查，申报材料齐全，合作基础扎实，同意推荐。"}),
                )?;
            }
        }
        PhaseKind::Assign if quota > 0 => {
            for app in pv.apps.clone() {
                for i in choose(&mut pv.rng, pv.experts.len(), 3) {
                    let (id, uscc) = pv.experts[i].clone();
                    s.push(
                        &pv.dept,
                        json!({"type": "AssignExpert", "application": app, "expert_id": id, "expert_unit_uscc": uscc}),
                    )?;
                }
            }
        }
        PhaseKind::Review if quota > 0 => {
            let todo: Vec<(String, Vec<String>)> = g
                .read(|w, _, _| {
                    pv.apps
                        .iter()
                        .filter_map(|id| w.application(id))
                        .map(|a| (a.id.clone(), a.experts.keys().cloned().collect()))
                        .collect()
                })
                .await;
            for (app, experts) in todo {
                for e in experts {
                    let score = 62 + pv.rng.below(34);
                    let conclusion = match score {
                        80.. => "recommend",
                        70..=79 => "neutral",
                        _ => "not_recommend",
                    };
                    s.push(&actor(&format!("expert:{e}"))?, json!({"type": "SubmitReview", "application": app, "expert": e,
                        "score": score, "conclusion": conclusion, "comments": "国际合作基础较好，合作内容具体，建议按评审结论办理。"}))?;
                }
            }
        }
        PhaseKind::Decide if quota > 0 => {
            let mut scored: Vec<(i64, String)> = g
                .read(|w, _, _| {
                    pv.apps
                        .iter()
                        .filter_map(|id| w.application(id))
                        .map(|a| {
                            let total: i64 = a
                                .experts
                                .values()
                                .filter_map(|x| x.review.as_ref())
                                .map(|r| rust_decimal::prelude::ToPrimitive::to_i64(&r.score).unwrap_or(0))
                                .sum();
                            (total, a.id.clone())
                        })
                        .collect()
                })
                .await;
            // The department names the best-reviewed up to the year's plan.
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for (rank, (_, app)) in scored.iter().enumerate() {
                let (decision, reasons) = if rank < quota {
                    ("approve", "综合专家评审意见和全省布局，同意认定。")
                } else {
                    ("reject", "综合评审得分未进入本批次认定名额，不予认定。")
                };
                s.push(
                    &pv.dept,
                    json!({"type": "Decide", "application": app, "decision": decision, "reasons": reasons}),
                )?;
            }
        }
        PhaseKind::Notice if quota > 0 => {
            let approved: Vec<String> = g
                .read(|w, _, _| {
                    pv.apps
                        .iter()
                        .filter_map(|id| w.application(id))
                        .filter(|a| a.status == guohe_domain::ApplicationStatus::Approved)
                        .map(|a| a.id.clone())
                        .collect()
                })
                .await;
            if !approved.is_empty() {
                s.push(&pv.dept, json!({"type": "StartPublicNotice", "notice_id": pv.notice_id(year), "applications": approved, "starts_on": on}))?;
            }
        }
        PhaseKind::Objection if quota > 0 => {
            // A real-name objection: personal data is sealed by `execute`, so it is not batched.
            let id = pv.notice_id(year);
            let target = g
                .read(|w, _, _| {
                    w.notice(&id)
                        .filter(|n| n.starts_on <= on && on <= n.ends_on)
                        .and_then(|n| n.applications.first().cloned())
                })
                .await;
            let Some(app) = target else {
                return Ok(Some(0));
            };
            let mut n = g.tick(on).await?.stored.len();
            let cmd = command(json!({"type": "LodgeObjection", "notice": id, "application": app,
                "objector_real_name": facts::person(&mut pv.rng), "contact": facts::phone(&mut pv.rng),
                "content": "该单位申报材料所列外方合作项目的经费到位情况与公开信息不一致，请予核实。"}))?;
            n += g.execute(&actor("public:objector")?, on, cmd).await?.stored.len();
            return Ok(Some(n));
        }
        PhaseKind::Resolve if quota > 0 => {
            let id = pv.notice_id(year);
            let open: Vec<String> = g
                .read(|w, _, _| {
                    w.notice(&id)
                        .map(|n| {
                            n.objections
                                .values()
                                .filter(|x| x.resolution.is_none())
                                .map(|x| x.id.clone())
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .await;
            for objection in open {
                s.push(
                    &pv.dept,
                    json!({"type": "ResolveObjection", "objection": objection,
                    "resolution": "经核实，外方合作项目经费已按协议到位，异议不成立。", "upheld": false}),
                )?;
            }
        }
        PhaseKind::Name if quota > 0 => {
            let id = pv.notice_id(year);
            let ready: Vec<String> = g
                .read(|w, _, _| {
                    w.notice(&id)
                        .filter(|n| n.ends_on < on)
                        .map(|n| {
                            n.applications
                                .iter()
                                .filter(|a| {
                                    w.application(a)
                                        .is_some_and(|a| a.status == guohe_domain::ApplicationStatus::InNotice)
                                })
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .await;
            for (k, app) in ready.iter().enumerate() {
                s.push(
                    &pv.dept,
                    json!({"type": "Name", "application": app,
                    "base_id": format!("{}-{year}-{:04}", pv.p.alpha, k + 1), "on": on}),
                )?;
            }
        }
        _ => {}
    }
    Ok(None)
}
