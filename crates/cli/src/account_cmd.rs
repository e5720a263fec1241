//! `guohe account create|list|disable|enable|unlock` — accounts from the command line, for the
//! first administrators of a new deployment (administrator accounts are made only here, so that
//! no administrator can create another and hold two duties). The same services as the
//! administration pages: the login, password rule and province are checked alike, and every act
//! is on the hash chain.

use std::io::BufRead;

use clap::{Args, Subcommand};
use guohe_store::AccountRole;
use guohe_web::accounts::{self, NewUser};

use crate::lifecycle_cmd::runtime;
use crate::policy_cmd::policies;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Create an account. Its first sign-in must change the password (and, for the department
    /// and the administrators, enrol a second factor).
    Create(CreateArgs),
    /// List the accounts.
    List(ListArgs),
    /// Disable an account (never deleted): it cannot sign in and its sessions end.
    Disable(LoginArgs),
    /// Enable a disabled account again.
    Enable(LoginArgs),
    /// Clear an account's lock and sign-in waits.
    Unlock(LoginArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Login: 3–32 of a-z 0-9 . _ -.
    #[arg(long)]
    pub login: String,
    /// Display name (person or unit).
    #[arg(long)]
    pub name: String,
    /// department, recommender, support_unit, expert, system_admin, security_admin, audit_admin.
    #[arg(long)]
    pub role: String,
    /// Province code (GB/T 2260, two digits, e.g. 43); optional for administrators (then every
    /// province) and for a support unit (then where its USCC is registered).
    #[arg(long, default_value = "")]
    pub province: String,
    /// Organisation, required for a support unit, an expert and a recommender: the unit's or the
    /// expert unit's USCC, or the recommender organisation's id (registered first at
    /// `/admin/system/organisations`).
    #[arg(long)]
    pub org: Option<String>,
    /// An expert's unit USCC (专家所在单位统一社会信用代码); the same as `--org` for an expert.
    #[arg(long)]
    pub unit_uscc: Option<String>,
    /// An expert's title (职称), e.g. 教授; required for an expert.
    #[arg(long)]
    pub title: Option<String>,
    /// An expert's unit name (工作单位); required for an expert.
    #[arg(long)]
    pub unit_name: Option<String>,
    /// An expert's technology domains (熟悉的技术领域), `a,b` (also 、 or ;); required for an
    /// expert: panel draws match them against the application's domain.
    #[arg(long)]
    pub domains: Option<String>,
    /// Read the initial password from the first line of standard input; otherwise one is
    /// generated and printed once.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub by: ByArgs,
}

/// The flag of an expert profile field.
fn flag_of(field: &str) -> &'static str {
    match field {
        "title" => "--title",
        "unit_name" => "--unit-name",
        _ => "--domains",
    }
}

/// The expert's unit (`--unit-uscc`, or `--org`) and profile, checked as on the account page;
/// other roles take neither.
fn expert_details(role: AccountRole, a: &CreateArgs) -> Result<(Option<String>, guohe_store::AccountProfile), Failure> {
    let given = a.title.is_some() || a.unit_name.is_some() || a.domains.is_some() || a.unit_uscc.is_some();
    if role != AccountRole::Expert {
        if given {
            return Err(bad(format!(
                "--title/--unit-name/--unit-uscc/--domains: 只有评审专家账号填写专家信息 only an expert has these, not {}",
                role.as_str()
            )));
        }
        return Ok((a.org.clone(), Default::default()));
    }
    let org = match (a.org.as_deref().map(str::trim), a.unit_uscc.as_deref().map(str::trim)) {
        (Some(o), Some(u)) if !o.eq_ignore_ascii_case(u) => {
            return Err(bad(format!(
                "--unit-uscc: 与 --org 不一致 differs from --org (`{u}` ≠ `{o}`)"
            )));
        }
        (_, Some(u)) => Some(u.to_string()),
        (o, None) => o.map(str::to_string),
    };
    if org.as_deref().is_none_or(|o| o.is_empty()) {
        // Without it an expert has no unit to be kept from reviewing.
        return Err(bad(
            "--org: 评审专家须填写所在单位的统一社会信用代码（--unit-uscc 或 --org） an expert needs their unit's USCC",
        ));
    }
    if let Some(u) = org.as_deref()
        && let Err(e) = guohe_reference::uscc::parse(u)
    {
        return Err(bad(format!(
            "--unit-uscc: 专家所在单位的统一社会信用代码无效 invalid USCC: {e}"
        )));
    }
    let domains = a.domains.clone().unwrap_or_default();
    if domains.split([',', '，', '、', ';', '；']).all(|d| d.trim().is_empty()) {
        return Err(bad(
            "--domains: 评审专家须填写熟悉的技术领域，如 --domains 生物医药,新材料 an expert needs their domains",
        ));
    }
    let mut errs = Vec::new();
    let profile = guohe_web::admin::expert_profile(
        a.title.as_deref().unwrap_or(""),
        a.unit_name.as_deref().unwrap_or(""),
        &domains,
        &mut errs,
    );
    if let Some(e) = errs.first() {
        return Err(bad(format!("{}: {} {}", flag_of(&e.field), e.zh, e.en)));
    }
    Ok((org, profile))
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this role.
    #[arg(long)]
    pub role: Option<String>,
    /// Only this province.
    #[arg(long)]
    pub province: Option<String>,
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// The account's login.
    pub login: String,
    #[command(flatten)]
    pub by: ByArgs,
}

#[derive(Args, Debug)]
pub struct ByArgs {
    /// Who does it, for the audit record.
    #[arg(long = "as", default_value = "admin:cli")]
    pub actor: String,
}

fn role_of(code: &str) -> Result<AccountRole, Failure> {
    AccountRole::parse(code.trim()).ok_or_else(|| {
        let all: Vec<&str> = AccountRole::ALL.iter().map(|r| r.as_str()).collect();
        bad(format!(
            "--role: 角色须为 {} 之一 must be one of them, got `{code}`",
            all.join("、")
        ))
    })
}

/// A random initial password that meets the complexity rule.
fn generated_password() -> Result<String, Failure> {
    guohe_app::passwords::initial_password().map_err(|e| Failure::Other(anyhow::anyhow!(e)))
}

async fn state(cli: &Cli) -> Result<guohe_web::AppState, Failure> {
    let cfg = guohe_web::ServeConfig {
        database_url: cli.database.clone(),
        key_file: cli.key_file.clone(),
        policies: policies(cli)?,
        ..guohe_web::ServeConfig::default()
    };
    let (_, state) = guohe_web::app(cfg).await.map_err(Failure::Other)?;
    Ok(state)
}

/// The option of this command that carries a service's field.
fn option_of(field: &str) -> String {
    match field {
        "display_name" => "--name".into(),
        "org_id" => "--org".into(),
        // A generated password always meets the rule: a refused one came from standard input.
        "password" => "--password-stdin".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// The message of a refused account change, naming the option.
fn refused(e: guohe_web::WebError) -> Failure {
    match e {
        guohe_web::WebError::BadRequest { fields, .. } => bad(fields
            .iter()
            .map(|f| format!("{}: {} {}", option_of(&f.field), f.zh, f.en))
            .collect::<Vec<_>>()
            .join("\n")),
        guohe_web::WebError::Conflict { zh, en } => bad(format!("{zh} {en}")),
        guohe_web::WebError::NotFound => bad("没有该账号 no such account"),
        other => Failure::Other(anyhow::anyhow!("{other}")),
    }
}

pub fn run(cli: &Cli, cmd: &AccountCommand) -> CmdResult {
    runtime()?.block_on(async {
        match cmd {
            AccountCommand::Create(a) => create(cli, a).await,
            AccountCommand::List(a) => list(cli, a).await,
            AccountCommand::Disable(a) => set_active(cli, a, false).await,
            AccountCommand::Enable(a) => set_active(cli, a, true).await,
            AccountCommand::Unlock(a) => {
                let s = state(cli).await?;
                s.accounts
                    .account(&a.login)
                    .await?
                    .ok_or_else(|| refused(guohe_web::WebError::NotFound))?;
                accounts::unlock(&s, &a.by.actor, &a.login).await.map_err(refused)?;
                println!("已解锁 unlocked: {}", a.login);
                Ok(())
            }
        }
    })
}

async fn create(cli: &Cli, a: &CreateArgs) -> CmdResult {
    let role = role_of(&a.role)?;
    let (password, generated) = if a.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (generated_password()?, true)
    };
    let (org, profile) = expert_details(role, a)?;
    if matches!(
        role,
        AccountRole::SupportUnit | AccountRole::Expert | AccountRole::Recommender
    ) && org.as_deref().is_none_or(|o| o.trim().is_empty())
    {
        // Without it a unit has no province and no case, an expert no unit to be kept from
        // reviewing, a recommender no jurisdiction.
        return Err(bad(format!(
            "--org: 角色 {} 须填写所属机构（依托单位或专家所在单位的统一社会信用代码、推荐单位编号） \
             this role needs its organisation (a USCC, or a recommender organisation's id)",
            role.as_str()
        )));
    }
    let s = state(cli).await?;
    if role == AccountRole::Recommender {
        recommender_org(&s, a).await?;
    }
    let account = accounts::create_account(
        &s,
        &a.by.actor,
        NewUser {
            login: a.login.clone(),
            display_name: a.name.clone(),
            role,
            org_id: org,
            password: password.clone(),
            province: a.province.clone(),
            must_change_password: true,
            profile,
            pending_approval: false,
        },
    )
    .await
    .map_err(|e| match e {
        // The only conflict of a new account: the login is taken.
        guohe_web::WebError::Conflict { zh, en } => bad(format!("--login: {zh} {en}")),
        other => refused(other),
    })?;
    let (zh, en) = guohe_web::authz::role_label(account.role);
    println!(
        "已创建账号 created: {} ({zh} {en}, 省份 province {})",
        account.login,
        if account.province.is_empty() {
            "all"
        } else {
            &account.province
        }
    );
    if generated {
        println!("初始口令 initial password (shown once): {password}");
    }
    println!("首次登录须修改口令 the first sign-in must change the password");
    if guohe_web::second_factor::requires_second_factor(account.role) {
        println!("并绑定动态口令 and enrol a second factor (one-time codes)");
    }
    Ok(())
}

/// A recommender belongs to a registered organisation of its own province, as on the
/// administration page: otherwise it would see no unit at all.
async fn recommender_org(s: &guohe_web::AppState, a: &CreateArgs) -> CmdResult {
    let id = a.org.as_deref().unwrap_or("").trim();
    match s.accounts.organisation(id).await? {
        Some(o) if o.province == a.province.trim() => Ok(()),
        Some(o) => Err(bad(format!(
            "--org: 推荐单位“{id}”属于省份 {}，与 --province 不一致 the organisation is in province {}, not the one given",
            o.province, o.province
        ))),
        None => Err(bad(format!(
            "--org: 请填写已登记的推荐单位（先在“机构”页登记）choose a registered recommender organisation, got `{id}`"
        ))),
    }
}

async fn list(cli: &Cli, a: &ListArgs) -> CmdResult {
    let role = a.role.as_deref().map(role_of).transpose()?;
    let s = state(cli).await?;
    let now = chrono::Utc::now();
    println!("login\trole\tprovince\torg\tstatus\tname");
    for x in s.accounts.accounts().await? {
        if role.is_some_and(|r| r != x.role) || a.province.as_ref().is_some_and(|p| *p != x.province) {
            continue;
        }
        let status = if x.pending_approval {
            "pending"
        } else if !x.active {
            "disabled"
        } else if x.is_locked(now) {
            "locked"
        } else {
            "active"
        };
        println!(
            "{}\t{}\t{}\t{}\t{status}\t{}",
            x.login,
            x.role.as_str(),
            x.province,
            x.org_id.unwrap_or_default(),
            x.display_name
        );
    }
    Ok(())
}

async fn set_active(cli: &Cli, a: &LoginArgs, active: bool) -> CmdResult {
    let s = state(cli).await?;
    s.accounts
        .account(&a.login)
        .await?
        .ok_or_else(|| refused(guohe_web::WebError::NotFound))?;
    s.accounts
        .set_active(&a.login, active)
        .await
        .map_err(|e| refused(e.into()))?;
    let kind = if active { "AccountEnabled" } else { "AccountDisabled" };
    accounts::audit_plain(&s, &a.by.actor, kind, serde_json::json!({ "account": a.login }))
        .await
        .map_err(refused)?;
    if active {
        println!("已启用 enabled: {}", a.login);
    } else {
        println!(
            "已停用（账号保留，会话已结束）disabled (kept; its sessions ended): {}",
            a.login
        );
    }
    Ok(())
}
