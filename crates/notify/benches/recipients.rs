//! The recipients of a pass on an annual report's deadline, when every base has a reminder: the
//! accounts gathered once by province, unit and login (`Recipients`) against the previous
//! implementation as the reference, a walk of every account for each reminder's audience.
//!
//! In memory, no database: 62,000 support-unit accounts (one per base) across 31 provinces, 300
//! experts and 3 department accounts in each; 62,000 reminders, each to its unit and to its
//! province's department. The reference walks 72,000 accounts twice per reminder, so it is run on
//! a sample of reminders (`GUOHE_BENCH_SAMPLE`, default 2,000) and scaled; both sides find the same
//! recipients for the sample, or the benchmark stops.
//!
//! `cargo bench -p guohe-notify --bench recipients`. Stops by itself; talks to nothing.

use std::time::Instant;

use guohe_app::due::Audience;
use guohe_notify::plan::Recipients;
use guohe_store::{Account, AccountProfile, AccountRole};

const PROVINCES: usize = 31;
const BASES: usize = 62_000;

fn account(login: String, role: AccountRole, province: String, org: Option<String>) -> Account {
    Account {
        display_name: login.clone(),
        login,
        role,
        org_id: org,
        password_hash: String::new(),
        failed_logins: 0,
        locked_until: None,
        active: true,
        created_at: Default::default(),
        password_changed_at: Default::default(),
        province,
        must_change_password: false,
        profile: AccountProfile::default(),
        pending_approval: false,
    }
}

fn province(i: usize) -> String {
    format!("p{:02}", i % PROVINCES)
}

fn uscc(i: usize) -> String {
    format!("9143{i:014}")
}

/// The previous implementation: every account, for each audience.
fn walk<'a>(accounts: &'a [Account], audience: &Audience, province: &str) -> Vec<&'a Account> {
    accounts
        .iter()
        .filter(|a| a.active)
        .filter(|a| match audience {
            Audience::Department => a.role == AccountRole::Department && a.province == province,
            Audience::Unit(uscc) => a.role == AccountRole::SupportUnit && a.org_id.as_deref() == Some(uscc.as_str()),
            Audience::Expert(id) => a.role == AccountRole::Expert && a.login == *id,
        })
        .collect()
}

fn main() {
    let sample: usize = std::env::var("GUOHE_BENCH_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
        .clamp(1, BASES);
    let mut accounts: Vec<Account> = (0..BASES)
        .map(|i| account(format!("u{i:05}"), AccountRole::SupportUnit, province(i), Some(uscc(i))))
        .collect();
    for p in 0..PROVINCES {
        for k in 0..300 {
            accounts.push(account(
                format!("e{p:02}{k:03}"),
                AccountRole::Expert,
                province(p),
                Some(uscc(k)),
            ));
        }
        for k in 0..3 {
            accounts.push(account(
                format!("d{p:02}{k}"),
                AccountRole::Department,
                province(p),
                None,
            ));
        }
    }
    accounts.sort_by(|a, b| a.login.cmp(&b.login));
    let reminders: Vec<(Audience, String)> = (0..BASES)
        .flat_map(|i| {
            [
                (Audience::Unit(uscc(i)), province(i)),
                (Audience::Department, province(i)),
            ]
        })
        .collect();

    let start = Instant::now();
    let gathered = Recipients::of(&accounts);
    let mut found = 0usize;
    for (audience, province) in &reminders {
        found += gathered.of_audience(audience, province).len();
    }
    let looked_up = start.elapsed();

    // The reference on every (BASES / sample)-th reminder pair, scaled to all of them.
    let step = BASES / sample;
    let picked: Vec<&(Audience, String)> = reminders.chunks(2).step_by(step).take(sample).flatten().collect();
    let start = Instant::now();
    let mut walked_found = 0usize;
    for (audience, province) in &picked {
        let walked = walk(&accounts, audience, province);
        let looked: Vec<&Account> = gathered.of_audience(audience, province);
        assert_eq!(walked, looked, "the same recipients for {audience:?} in {province}");
        walked_found += walked.len();
    }
    let walked_sample = start.elapsed();
    let walked_all = walked_sample.as_secs_f64() * (reminders.len() as f64 / picked.len() as f64);

    println!(
        "{} accounts; {} reminders (each base's unit and its province's department), {found} recipients",
        accounts.len(),
        reminders.len()
    );
    println!();
    println!("| recipients of every reminder | time | ratio |");
    println!("|---|---:|---:|");
    println!(
        "| gathered once, then looked up (`Recipients`) | {:.1} ms | 1× |",
        looked_up.as_secs_f64() * 1e3
    );
    println!(
        "| reference: every account walked per audience (before; {} of {} reminders timed, {walked_found} recipients, scaled) | {:.1} s | {:.0}× |",
        picked.len(),
        reminders.len(),
        walked_all,
        walked_all / looked_up.as_secs_f64()
    );
}
