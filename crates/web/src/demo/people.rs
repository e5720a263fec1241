//! The demo's people: recommenders, experts and administrators, their accounts and second
//! factors, and the logins `guohe serve --demo` prints.

use super::*;

/// Recommenders: (id, name, region prefixes, listed units).
pub(super) fn recommenders() -> Vec<(&'static str, &'static str, Vec<String>, Vec<String>)> {
    vec![
        ("rec-changsha", "长沙市科学技术局", vec!["4301".into()], vec![]),
        ("rec-zhuzhou", "株洲市科学技术局", vec!["4302".into()], vec![]),
        ("rec-xiangtan", "湘潭市科学技术局", vec!["4303".into()], vec![]),
        ("rec-hengyang", "衡阳市科学技术局", vec!["4304".into()], vec![]),
        ("rec-yueyang", "岳阳市科学技术局", vec!["4306".into()], vec![]),
        (
            "rec-hnedu",
            "湖南省教育厅（省直部门）",
            vec![],
            vec![uscc_of(unit("hn-zngy"))],
        ),
        ("rec-wuhan", "武汉市科学技术局", vec!["4201".into()], vec![]),
        ("rec-yichang", "宜昌市科学技术局", vec!["4205".into()], vec![]),
        ("rec-xiangyang", "襄阳市科学技术局", vec!["4206".into()], vec![]),
    ]
}

/// Experts: (login, name, unit login). Each is in the pool of the province of their unit:
/// four per province, so three remain when one must withdraw for their own unit (回避).
pub(super) const EXPERTS: &[(&str, &str, &str)] = &[
    ("expert-liu", "刘建国（教授）", "hn-zngy"),
    ("expert-zhou", "周立新（正高级工程师）", "hn-zzgd"),
    ("expert-tang", "唐晓明（研究员）", "hn-xtdq"),
    ("expert-xie", "谢文静（教授）", "hn-hyhj"),
    ("expert-chen", "陈晓燕（研究员）", "hb-ljsw"),
    ("expert-wang", "王海峰（教授）", "hb-cjhy"),
    ("expert-huang", "黄志强（正高级工程师）", "hb-wxsj"),
    ("expert-he", "何丽华（教授）", "hb-ggjg"),
];

/// The technology domains a demo expert reviews: a specialty and the domains of the demo
/// applications awaiting review in the expert's province, so that their panels can be drawn
/// (评审专家随机抽取 matches the application's domain).
fn expert_domains(login: &str) -> Vec<String> {
    let d: &[&str] = match login {
        "expert-liu" => &["智能制造", "核技术应用", "氢能装备"],
        "expert-zhou" => &["轨道交通装备", "核技术应用", "氢能装备"],
        "expert-tang" => &["电气传动", "核技术应用", "氢能装备"],
        "expert-xie" => &["绿色化工", "核技术应用", "氢能装备"],
        "expert-chen" => &["生物医药", "人工智能与大数据"],
        "expert-wang" => &["船舶与海洋工程", "人工智能与大数据"],
        "expert-huang" => &["光电子信息", "人工智能与大数据"],
        "expert-he" => &["先进高分子材料", "人工智能与大数据"],
        _ => &[],
    };
    d.iter().map(|x| x.to_string()).collect()
}

/// The administrators (三权分立): (login, name, role).
pub const ADMINISTRATORS: &[(&str, &str, AccountRole)] = &[
    ("sys-admin", "系统管理员", AccountRole::SystemAdmin),
    ("sec-admin", "安全管理员", AccountRole::SecurityAdmin),
    ("audit-admin", "审计管理员", AccountRole::AuditAdmin),
];

/// The province of a demo unit (and of an expert from it).
pub(super) fn province_of_unit(login: &str) -> &'static str {
    if login.starts_with("hb-") { "42" } else { "43" }
}

/// The demo logins as printed by `guohe serve --demo`: every account that needs a second
/// factor is on its own line with its base32 TOTP secret, so that a newcomer can add it to an
/// authenticator app and a script can compute the code.
pub async fn logins_text(state: &AppState) -> anyhow::Result<String> {
    let mut out = format!("演示账号 Demo logins — password for all: {DEMO_PASSWORD}\n");
    for a in state.accounts.accounts().await? {
        if !second_factor::requires_second_factor(a.role) {
            continue;
        }
        let secret = second_factor::confirmed(state, &a.login)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .map(|f| f.secret)
            .unwrap_or_else(|| "（未绑定 not enrolled）".into());
        let (zh, en) = crate::authz::role_label(a.role);
        out.push_str(&format!(
            "  {zh} {en}: {} ({}) 动态口令密钥 TOTP secret: {secret}\n",
            a.login, a.display_name
        ));
    }
    let recs: Vec<&str> = recommenders().iter().map(|r| r.0).collect();
    out.push_str(&format!("  推荐单位 recommenders: {}\n", recs.join(", ")));
    let units: Vec<&str> = UNITS.iter().map(|u| u.login).collect();
    out.push_str(&format!("  依托单位 support units: {}\n", units.join(", ")));
    let experts: Vec<&str> = EXPERTS.iter().map(|e| e.0).collect();
    out.push_str(&format!("  评审专家 experts:      {}\n", experts.join(", ")));
    Ok(out)
}

/// Prints the demo logins ([`logins_text`]).
pub async fn print_logins(state: &AppState) -> anyhow::Result<()> {
    print!("{}", logins_text(state).await?);
    Ok(())
}

/// The line `guohe serve --demo` prints about its business date, so nobody mistakes the
/// demo's dates (notice periods, deadlines) for today's.
pub fn date_line(today: NaiveDate) -> String {
    if today == DEMO_DATE {
        format!(
            "演示业务日期：{today}（演示数据的固定日期；用 --today 指定其他日期）\n\
             Demo business date: {today} (the demo's own fixed date; --today sets another)"
        )
    } else {
        format!("业务日期：{today}（--today）\nBusiness date: {today} (--today)")
    }
}

/// Enrols a demo account's second factor (when its role needs one and it has none yet), as
/// an administrator would: the secret is printed with the logins.
pub async fn enrol_demo_account(state: &AppState, login: &str) -> anyhow::Result<()> {
    let Some(a) = state.accounts.account(login).await? else {
        return Ok(());
    };
    let enrolled = second_factor::confirmed(state, login)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_some();
    if second_factor::requires_second_factor(a.role) && !enrolled {
        second_factor::enrol_confirmed(state, "system:demo", login)
            .await
            .map_err(|e| anyhow::anyhow!("enrolling {login}: {e}"))?;
    }
    Ok(())
}

pub(super) async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    let by = "system:demo";
    for (id, name, regions, units) in recommenders() {
        let province = regions
            .first()
            .map(|r| r[..2].to_string())
            .unwrap_or_else(|| "43".into());
        let org = Organisation {
            id: id.into(),
            name: name.into(),
            kind: "recommender".into(),
            region_prefixes: regions,
            unit_usccs: units,
            province,
        };
        if state.accounts.organisation(id).await?.is_none() {
            accounts::create_organisation(state, by, &org)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let mut users: Vec<NewUser> = vec![
        NewUser {
            login: "hn-dept".into(),
            display_name: "湖南省科技厅国际合作处".into(),
            role: AccountRole::Department,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: "43".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        },
        NewUser {
            login: "hb-dept".into(),
            display_name: "湖北省科技厅国际合作处".into(),
            role: AccountRole::Department,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: "42".into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        },
    ];
    for (id, name, regions, _) in recommenders() {
        users.push(NewUser {
            login: id.into(),
            display_name: name.into(),
            role: AccountRole::Recommender,
            org_id: Some(id.into()),
            password: DEMO_PASSWORD.into(),
            province: regions
                .first()
                .map(|r| r[..2].to_string())
                .unwrap_or_else(|| "43".into()),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for u in UNITS {
        users.push(NewUser {
            login: u.login.into(),
            display_name: u.name.into(),
            role: AccountRole::SupportUnit,
            org_id: Some(uscc_of(u)),
            password: DEMO_PASSWORD.into(),
            province: province_of_unit(u.login).into(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for (login, name, unit_login) in EXPERTS {
        users.push(NewUser {
            login: (*login).into(),
            display_name: (*name).into(),
            role: AccountRole::Expert,
            org_id: Some(uscc_of(unit(unit_login))),
            password: DEMO_PASSWORD.into(),
            province: province_of_unit(unit_login).into(),
            must_change_password: false,
            profile: guohe_store::AccountProfile {
                title: name
                    .split_once('（')
                    .map(|(_, t)| t.trim_end_matches('）').to_string())
                    .unwrap_or_default(),
                unit_name: unit(unit_login).name.into(),
                domains: expert_domains(login),
            },
            pending_approval: false,
        });
    }
    // 三权分立: one administrator of each duty, for every province of the deployment.
    for (login, name, role) in ADMINISTRATORS {
        users.push(NewUser {
            login: (*login).into(),
            display_name: (*name).into(),
            role: *role,
            org_id: None,
            password: DEMO_PASSWORD.into(),
            province: String::new(),
            must_change_password: false,
            profile: Default::default(),
            pending_approval: false,
        });
    }
    for u in users {
        let login = u.login.clone();
        if state.accounts.account(&u.login).await?.is_none() {
            accounts::create_account(state, by, u)
                .await
                .map_err(|e| anyhow::anyhow!("demo account {login}: {e:?}"))?;
        }
        enrol_demo_account(state, &login).await?;
    }
    Ok(())
}
