//! 计划 — what would go out on a date: the reminders due then and the messages recent events
//! call for, addressed to accounts. Reads only; [`crate::Notifier::run_pass`] writes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use guohe_app::Guohe;
use guohe_app::due::{Audience, Reminder, Subject, reminders_on};
use guohe_app::event_reminders::reminder_for_event;
use guohe_domain::Event;
use guohe_store::{Account, AccountRole, AccountStore, NewMessage, NotifyStore, READ_BATCH};

use crate::NotifyError;

/// Event kinds that call for a message.
const EVENT_KINDS: &[&str] = &[
    "ExpertAssigned",
    "ApplicationReturned",
    "ApplicationDecided",
    "ApplicationRejected",
];

/// Events older than this (business date) are history: a first pass over an old log does not
/// flood inboxes with its past.
pub const EVENT_WINDOW_DAYS: u64 = 14;

/// Name of the notifier's cursor in the event log.
pub const EVENT_CURSOR: &str = "events";

/// One message as it would be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The message.
    pub message: NewMessage,
    /// Already in the inbox (sent before, by this or another server).
    pub exists: bool,
    /// The recipient has an e-mail address.
    pub has_address: bool,
}

/// What a pass on a date would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every message due, new or not, in key order.
    pub messages: Vec<Planned>,
    /// The event log position the pass has read up to.
    pub cursor_to: i64,
}

impl Plan {
    /// The messages not yet in any inbox.
    pub fn new_messages(&self) -> impl Iterator<Item = &Planned> {
        self.messages.iter().filter(|p| !p.exists)
    }
}

/// The active accounts by what an audience names them by, gathered once a pass: a department by
/// its province, a unit by its 统一社会信用代码, an expert by login. A reminder's recipients are
/// then a look-up, not a walk of every account: on an annual report's deadline every base has a
/// reminder, and a country has as many support-unit accounts.
pub struct Recipients<'a> {
    departments: HashMap<&'a str, Vec<&'a Account>>,
    units: HashMap<&'a str, Vec<&'a Account>>,
    experts: HashMap<&'a str, &'a Account>,
}

impl<'a> Recipients<'a> {
    /// Gathers `accounts` (in their order, which each audience's recipients keep).
    pub fn of(accounts: &'a [Account]) -> Recipients<'a> {
        let mut r = Recipients {
            departments: HashMap::new(),
            units: HashMap::new(),
            experts: HashMap::new(),
        };
        for a in accounts.iter().filter(|a| a.active) {
            match a.role {
                AccountRole::Department => r.departments.entry(a.province.as_str()).or_default().push(a),
                AccountRole::SupportUnit => {
                    if let Some(uscc) = a.org_id.as_deref() {
                        r.units.entry(uscc).or_default().push(a);
                    }
                }
                AccountRole::Expert => {
                    r.experts.insert(a.login.as_str(), a);
                }
                _ => {}
            }
        }
        r
    }

    /// The accounts `audience` stands for in a case of `province`.
    pub fn of_audience(&self, audience: &Audience, province: &str) -> Vec<&'a Account> {
        match audience {
            // Only the department of the case's province: a Hunan officer never hears of Hubei's.
            Audience::Department => self.departments.get(province).cloned().unwrap_or_default(),
            Audience::Unit(uscc) => self.units.get(uscc.as_str()).cloned().unwrap_or_default(),
            Audience::Expert(id) => self.experts.get(id.as_str()).map(|a| vec![*a]).unwrap_or_default(),
        }
    }
}

/// Computes what is due on `as_of`. `store` is `None` when the notification tables do not
/// exist yet (a dry run on a fresh database): then nothing exists. Who has an address is read
/// from the accounts' personal information ([`Guohe::account_email`]). `mail` says whether a
/// relay is configured.
pub async fn plan(
    guohe: &Guohe,
    accounts: &AccountStore,
    store: Option<&NotifyStore>,
    as_of: NaiveDate,
    mail: bool,
) -> Result<Plan, NotifyError> {
    let after = match store {
        Some(s) => s.cursor(EVENT_CURSOR).await?,
        None => 0,
    };
    // Events first, then the world: the world then knows every case the events name.
    let (events, cursor_to) = recent_events(guohe, after, as_of).await?;
    guohe.refresh().await?;
    let reminders: Vec<(Reminder, String)> = guohe
        .read(|world, _, policies| {
            let mut r = reminders_on(world, policies, as_of);
            r.extend(events.iter().filter_map(|(seq, e)| reminder_for_event(world, *seq, e)));
            // Each case's province, from the policy it is under.
            r.into_iter()
                .map(|r| {
                    let stream = match &r.subject {
                        Subject::Base(id) => format!("base/{id}"),
                        Subject::Application(id) => format!("application/{id}"),
                        Subject::Notice(id) => format!("notice/{id}"),
                    };
                    let province = world
                        .policy_of_stream(&stream)
                        .and_then(|p| policies.get(p))
                        .map(|p| p.province.code.clone())
                        .unwrap_or_default();
                    (r, province)
                })
                .collect()
        })
        .await;
    let all = accounts.accounts().await?;
    let recipients = Recipients::of(&all);
    let mut by_key: BTreeMap<String, NewMessage> = BTreeMap::new();
    for (r, province) in &reminders {
        for audience in &r.audience {
            for a in recipients.of_audience(audience, province) {
                let key = format!("{}:{}", r.key, a.login);
                by_key.entry(key.clone()).or_insert_with(|| NewMessage {
                    key,
                    login: a.login.clone(),
                    kind: r.kind.as_str().to_string(),
                    subject: r.title.clone(),
                    body: r.body.clone(),
                    link: r.link_for(audience),
                    due_on: Some(r.due_on),
                    mail: false,
                });
            }
        }
    }
    // Who has an address and which messages exist, a batch of logins or keys a query: a
    // deadline day has a message for every base.
    let logins: Vec<&str> = by_key
        .values()
        .map(|m| m.login.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let with_address = guohe.logins_with_email(&logins).await?;
    let existing = match store {
        Some(s) => s.existing_keys(&by_key.keys().collect::<Vec<_>>()).await?,
        None => BTreeSet::new(),
    };
    let messages = by_key
        .into_iter()
        .map(|(key, mut message)| {
            let has_address = with_address.contains(&message.login);
            message.mail = mail && has_address;
            Planned {
                message,
                exists: existing.contains(&key),
                has_address,
            }
        })
        .collect();
    Ok(Plan { messages, cursor_to })
}

/// The events after `after` that call for a message and happened in the window before
/// `as_of`, and how far the log was read. Reading stops before the first event dated after
/// `as_of`: it waits for its day (a run for an earlier date must not skip it).
async fn recent_events(guohe: &Guohe, after: i64, as_of: NaiveDate) -> Result<(Vec<(i64, Event)>, i64), NotifyError> {
    let oldest = as_of.checked_sub_days(Days::new(EVENT_WINDOW_DAYS)).unwrap_or(as_of);
    let mut cursor = after;
    let mut out = Vec::new();
    'read: loop {
        let batch = guohe.log().read_all(cursor, READ_BATCH).await?;
        let full = batch.len() as i64 >= READ_BATCH;
        for e in &batch {
            if e.occurred_on > as_of {
                break 'read;
            }
            cursor = e.seq;
            if e.occurred_on < oldest
                || !EVENT_KINDS.contains(&e.kind.as_str())
                || !guohe_app::is_domain_stream(&e.stream)
            {
                continue;
            }
            out.push((e.seq, guohe_app::decode(e)?));
        }
        if !full {
            break;
        }
    }
    Ok((out, cursor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_store::AccountProfile;

    fn account(login: &str, role: AccountRole, province: &str, org: Option<&str>, active: bool) -> Account {
        Account {
            login: login.into(),
            display_name: login.into(),
            role,
            org_id: org.map(String::from),
            password_hash: String::new(),
            failed_logins: 0,
            locked_until: None,
            active,
            created_at: Default::default(),
            password_changed_at: Default::default(),
            province: province.into(),
            must_change_password: false,
            profile: AccountProfile::default(),
            pending_approval: false,
        }
    }

    /// The look-up names the accounts the audience's own rule names: active, the department of
    /// the case's province, the support-unit accounts of the unit (not an expert working there),
    /// the expert by login.
    #[test]
    fn recipients_are_those_the_audience_names() {
        const UNIT: &str = "91430100MA4L12346D";
        let accounts = vec![
            account("hn-dept", AccountRole::Department, "43", None, true),
            account("hn-dept-2", AccountRole::Department, "43", None, true),
            account("hn-dept-off", AccountRole::Department, "43", None, false),
            account("hb-dept", AccountRole::Department, "42", None, true),
            account("unit-a", AccountRole::SupportUnit, "43", Some(UNIT), true),
            account("unit-a2", AccountRole::SupportUnit, "43", Some(UNIT), true),
            account("unit-off", AccountRole::SupportUnit, "43", Some(UNIT), false),
            account(
                "unit-b",
                AccountRole::SupportUnit,
                "43",
                Some("91430100MA4L00000X"),
                true,
            ),
            account("expert-at-a", AccountRole::Expert, "43", Some(UNIT), true),
            account("expert-off", AccountRole::Expert, "43", Some(UNIT), false),
            account("rec", AccountRole::Recommender, "43", Some("rec-cs"), true),
        ];
        let r = Recipients::of(&accounts);
        let logins = |v: Vec<&Account>| v.into_iter().map(|a| a.login.clone()).collect::<Vec<_>>();
        assert_eq!(
            logins(r.of_audience(&Audience::Department, "43")),
            ["hn-dept", "hn-dept-2"]
        );
        assert_eq!(logins(r.of_audience(&Audience::Department, "42")), ["hb-dept"]);
        assert!(r.of_audience(&Audience::Department, "11").is_empty());
        assert_eq!(
            logins(r.of_audience(&Audience::Unit(UNIT.into()), "43")),
            ["unit-a", "unit-a2"]
        );
        assert!(r.of_audience(&Audience::Unit("none".into()), "43").is_empty());
        assert_eq!(
            logins(r.of_audience(&Audience::Expert("expert-at-a".into()), "43")),
            ["expert-at-a"]
        );
        assert!(r.of_audience(&Audience::Expert("expert-off".into()), "43").is_empty());
        assert!(
            r.of_audience(&Audience::Expert("unit-a".into()), "43").is_empty(),
            "not an expert"
        );
    }
}
