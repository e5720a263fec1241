//! 事件通知 — messages that something happened to an applicant's or an expert's case: an
//! expert assigned (to the expert), an application returned, decided or rejected (to the
//! applying unit). Pure, like [`crate::due`]; the key is the event's sequence number in the
//! log, so each event gives one message per recipient however often the log is read.

use guohe_domain::{Event, EventKind, World};

use crate::due::{Audience, Reminder, ReminderKind, Subject};

/// The message an event calls for, if any. `world` resolves the application's unit.
pub fn reminder_for_event(world: &World, seq: i64, e: &Event) -> Option<Reminder> {
    let unit_of = |id: &str| {
        world
            .application(id)
            .map(|a| (a.facts.unit.uscc.clone(), a.facts.unit.name.clone()))
    };
    let (kind, audience, application, title, body) = match &e.kind {
        EventKind::ExpertAssigned(x) => {
            let (_, unit) = unit_of(&x.application).unwrap_or_default();
            (
                ReminderKind::ExpertAssigned,
                Audience::Expert(x.expert.clone()),
                x.application.clone(),
                format!("【评审任务】请评审申报 {}（{unit}）", x.application),
                format!(
                    "省科技厅于{}指派您评审申报 {}（{unit}）。如与申报单位存在利益关系，请申明回避。\n\
                     You were assigned on {} to review application {} ({unit}); declare any conflict of interest.",
                    e.on, x.application, e.on, x.application
                ),
            )
        }
        EventKind::ApplicationReturned(x) => {
            let (uscc, unit) = unit_of(&x.application)?;
            let reasons = x.reasons.join("；");
            (
                ReminderKind::ApplicationReturned,
                Audience::Unit(uscc),
                x.application.clone(),
                format!("【退回修改】申报 {} 已被退回", x.application),
                format!(
                    "{unit}的申报 {} 于{}被退回修改，理由：{reasons}。请修改后重新提交。\n\
                     Application {} was returned on {} for correction: {reasons}",
                    x.application, e.on, x.application, e.on
                ),
            )
        }
        EventKind::ApplicationDecided(x) => {
            let (uscc, unit) = unit_of(&x.application)?;
            let (zh, en) = if x.approved {
                ("同意认定", "approved")
            } else {
                ("不同意认定", "not approved")
            };
            (
                ReminderKind::ApplicationDecided,
                Audience::Unit(uscc),
                x.application.clone(),
                format!("【认定结论】申报 {}：{zh}", x.application),
                format!(
                    "{unit}的申报 {} 于{}作出认定结论：{zh}。{}\nApplication {}: {en} on {}.",
                    x.application, e.on, x.reasons, x.application, e.on
                ),
            )
        }
        EventKind::ApplicationRejected(x) => {
            let (uscc, unit) = unit_of(&x.application)?;
            (
                ReminderKind::ApplicationDecided,
                Audience::Unit(uscc),
                x.application.clone(),
                format!("【认定结论】申报 {}：驳回", x.application),
                format!(
                    "{unit}的申报 {} 于{}被驳回，理由：{}。\nApplication {} was rejected on {}: {}",
                    x.application, e.on, x.reason, x.application, e.on, x.reason
                ),
            )
        }
        _ => return None,
    };
    Some(Reminder {
        key: format!("event:{seq}"),
        kind,
        audience: vec![audience],
        due_on: e.on,
        subject: Subject::Application(application),
        title,
        body,
    })
}
