//! Staff accounts: an administrator (through the pages or the API) or someone holding the
//! server (the command line) lists accounts, adds one, resets one, disables or enables one.
//! Adding or resetting makes a one-time enrolment link; for an ombuds account the link carries
//! a grant of case access, which waits for another ombuds unless the rule in
//! [`crate::domain::access`] says it need not. An account has at most one link that works: a
//! new one retires the one before. Links not used yet are listed (never their tokens) and can
//! be revoked. Administrators never see case content.

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::{Ctx, Refusal};
use crate::crypto::random;
use crate::domain::access::{self, GrantKind, GrantState, Requester};
use crate::domain::account::{self, AccountAction, AccountState, Role};
use crate::store::{GrantRecord, UserSummary};

/// Who asks for an account change: an administrator (by name) or the command line.
#[derive(Debug, Clone, Copy)]
pub struct Requested<'a> {
    /// Through the web (an administrator) or on the server's command line.
    pub requester: Requester,
    /// The administrator's username, or [`COMMAND_LINE`].
    pub name: &'a str,
}

/// The name grants record for the command line on the server.
pub const COMMAND_LINE: &str = "command line";

impl<'a> Requested<'a> {
    /// An administrator, through the pages or the API.
    pub fn administrator(name: &'a str) -> Self {
        Self {
            requester: Requester::Administrator,
            name,
        }
    }

    /// The command line on the server.
    pub fn command_line() -> Self {
        Self {
            requester: Requester::CommandLine,
            name: COMMAND_LINE,
        }
    }
}

/// A new enrolment link, as the one who asked for it is shown it (once).
pub struct NewLink {
    /// The link's one-time token; the link is `/enrol/<token>`.
    pub token: Zeroizing<String>,
    /// For an ombuds account: whether case access waits for a confirmation
    /// ([`GrantState::AwaitingEnrolment`]) or comes with the link ([`GrantState::Granted`]).
    pub grant: Option<GrantState>,
}

impl NewLink {
    /// The link's path on the service.
    pub fn path(&self) -> String {
        format!("/enrol/{}", self.token.as_str())
    }
}

/// What an account action did.
pub enum Acted {
    /// The account is now in this state.
    Done(AccountState),
    /// A reset: the new enrolment link.
    Link(NewLink),
}

/// Every account.
pub async fn list(ctx: &Ctx<'_>) -> Result<Vec<UserSummary>, Refusal> {
    Ok(ctx.store.users().await?)
}

/// An enrolment link not used yet, as the administrator and the command line are shown it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The account it is for.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// Whether the account exists already (the link resets it) or the link would create it.
    pub reset: bool,
    /// The day the link stops working, in the association's time zone.
    pub expires_on: NaiveDate,
}

/// The enrolment links not used yet, by name.
pub async fn pending(ctx: &Ctx<'_>) -> Result<Vec<Pending>, Refusal> {
    let zone = ctx.config.association.time_zone;
    let accounts = ctx.store.users().await?;
    Ok(ctx
        .store
        .invitations(ctx.now())
        .await?
        .into_iter()
        .map(|link| Pending {
            reset: accounts.iter().any(|a| a.username == link.username),
            expires_on: chrono::DateTime::from_timestamp(link.expires_at, 0)
                .map_or(NaiveDate::MAX, |at| at.with_timezone(&zone).date_naive()),
            username: link.username,
            role: link.role,
        })
        .collect())
}

/// Revokes the unused enrolment link for `username`: it stops working at once, and a grant of
/// case access it carried is withdrawn. [`Refusal::NotFound`] if there is none.
pub async fn revoke(ctx: &Ctx<'_>, by: Requested<'_>, username: &str) -> Result<(), Refusal> {
    if !ctx
        .store
        .revoke_invitation(username, by.name, ctx.today())
        .await?
    {
        return Err(Refusal::NotFound);
    }
    tracing::info!(event = "link_revoked", by = %by.name, username = %username, "enrolment link revoked");
    Ok(())
}

/// Adds an account named `username` with `role`: its enrolment link. Refuses a bad or taken
/// name, naming the field.
pub async fn add(
    ctx: &Ctx<'_>,
    by: Requested<'_>,
    username: &str,
    role: Role,
) -> Result<NewLink, Refusal> {
    account::check_username(username).map_err(|problem| Refusal::field("username", problem))?;
    if ctx.store.user(username).await?.is_some() {
        return Err(Refusal::field("username", "staff.problem.username_exists"));
    }
    let link = enrolment(ctx, by, username, role, GrantKind::New).await?;
    tracing::info!(event = "user_added", by = %by.name, username = %username, role = role.code(), "enrolment link created");
    Ok(link)
}

/// Carries out `action` on the account named `username`.
pub async fn act(
    ctx: &Ctx<'_>,
    by: Requested<'_>,
    username: &str,
    action: AccountAction,
) -> Result<Acted, Refusal> {
    let user = ctx.store.user(username).await?.ok_or(Refusal::NotFound)?;
    let acted = match action {
        AccountAction::Reset => {
            Acted::Link(enrolment(ctx, by, &user.username, user.role, GrantKind::Reset).await?)
        }
        AccountAction::Disable | AccountAction::Enable => {
            let disable = action == AccountAction::Disable;
            if disable && user.role == Role::Admin && !user.disabled {
                let active = ctx.store.active_admins().await?;
                account::may_disable_admin(active)
                    .map_err(|problem| Refusal::field("username", problem))?;
            }
            if !ctx.store.set_disabled(&user.username, disable).await? {
                return Err(Refusal::NotFound);
            }
            if access::regranted_on_enable(user.role, user.disabled, disable, user.case_access) {
                // Enabling gives back a confirmed access: every ombuds sees that it did.
                ctx.store
                    .record_grant(grant(
                        ctx,
                        by,
                        &user.username,
                        GrantKind::Enabled,
                        GrantState::Granted,
                    )?)
                    .await?;
            }
            Acted::Done(if disable {
                AccountState::Disabled
            } else {
                AccountState::Enabled
            })
        }
    };
    tracing::info!(event = "user_changed", by = %by.name, username = %username, action = action.code(), "account administration");
    Ok(acted)
}

/// An enrolment link for `username`, carrying a grant of case access if it is an ombuds.
async fn enrolment(
    ctx: &Ctx<'_>,
    by: Requested<'_>,
    username: &str,
    role: Role,
    kind: GrantKind,
) -> Result<NewLink, Refusal> {
    let grant = if role == Role::Ombuds {
        let state = access::initial_state(by.requester, ctx.store.ombuds_exist().await?);
        Some(grant(ctx, by, username, kind, state)?)
    } else {
        None
    };
    let state = grant.as_ref().map(|g| g.state);
    // The store retires any link this name still had.
    let token = ctx
        .store
        .enrolment_link(username, role, ctx.now(), ctx.today(), grant)
        .await?;
    Ok(NewLink {
        token,
        grant: state,
    })
}

/// A new grant record of case access for `username`, asked for by `by` today.
fn grant(
    ctx: &Ctx<'_>,
    by: Requested<'_>,
    username: &str,
    kind: GrantKind,
    state: GrantState,
) -> Result<GrantRecord, Refusal> {
    Ok(GrantRecord {
        id: random::new_id().map_err(crate::store::StoreError::from)?,
        username: username.to_owned(),
        kind,
        state,
        requested_by: by.name.to_owned(),
        requested_on: ctx.today(),
        enrolled_on: None,
        decided_by: None,
        decided_on: None,
    })
}
