//! The account half of the [`Store`] facade: enrolment links, sign-in with password and TOTP,
//! throttling by username (never by address), sessions, and user administration.
//!
//! Policy (timeouts, throttling, password rules) lives in [`crate::domain::account`]; this file
//! applies it to stored state. Password hashing runs on a blocking thread.

use sha2::Digest;
use zeroize::Zeroizing;

use chrono::NaiveDate;

use super::backend::{EnrolmentRecord, GrantRecord, SessionRecord, UserRecord};
use super::{Store, StoreError};
use crate::crypto::totp::TotpSecret;
use crate::crypto::{CryptoError, device, password, random};
use crate::domain::account::{
    ENROLMENT_TTL_SECS, Role, SessionCheck, check_new_password, check_session, check_username,
};
use crate::domain::field::FieldError;

/// A valid enrolment link, as its page shows it.
pub struct EnrolmentView {
    /// The account's name, or `None` if the new administrator chooses it.
    pub username: Option<String>,
    /// The account's role.
    pub role: Role,
    /// The TOTP secret to put in an authenticator app.
    pub totp: TotpSecret,
}

/// Why an enrolment was not completed.
#[derive(Debug)]
pub enum EnrolError {
    /// The link is unknown, used or expired.
    Gone,
    /// Fields need correcting.
    Invalid(Vec<FieldError>),
    /// Storage failed.
    Store(StoreError),
}

impl From<StoreError> for EnrolError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<CryptoError> for EnrolError {
    fn from(e: CryptoError) -> Self {
        Self::Store(StoreError::Crypto(e))
    }
}

/// A signed-in staff member, as every console request sees them.
#[derive(Clone)]
pub struct SessionUser {
    /// Account identifier.
    pub user_id: String,
    /// Account name.
    pub username: String,
    /// What they may do.
    pub role: Role,
    /// The token that must accompany every change they make (derived from the session).
    pub csrf: String,
    /// The stored hash of the session token.
    pub session_hash: [u8; 32],
    /// Whether the account may read cases: an ombuds account whose grant is confirmed (see
    /// [`crate::domain::access`]).
    pub case_access: bool,
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// A new session.
pub struct SignedIn {
    /// The session token, for the cookie; shown to no one else.
    pub token: Zeroizing<String>,
    /// Who signed in.
    pub user: SessionUser,
    /// The device token for this account to keep (the one sent, or a new one): its next
    /// attempts are throttled apart from everyone else's (see [`crate::crypto::device`]).
    pub device: Zeroizing<String>,
}

/// Why a sign-in failed.
#[derive(Debug)]
pub enum SignInError {
    /// Wrong username, password or code — deliberately not saying which.
    Refused,
    /// Too many failures for this username; try again after this many seconds.
    Throttled(i64),
    /// Storage failed.
    Store(StoreError),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// An enrolment link not used yet, as the administrator's list shows it (never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// The account it is for (new, or one being reset).
    pub username: String,
    /// The account's role.
    pub role: Role,
    /// When the link stops working, Unix seconds.
    pub expires_at: i64,
}

/// An account as the administrator's list shows it.
#[derive(Debug, Clone)]
pub struct UserSummary {
    /// Name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Whether it may sign in.
    pub disabled: bool,
    /// Whether it may read cases (an ombuds account waiting for a confirmation may not).
    pub case_access: bool,
}

/// The CSRF token that belongs to a session token.
fn csrf_for(token: &str) -> String {
    let digest = sha2::Sha256::new()
        .chain_update(b"ombuds csrf\0")
        .chain_update(token.as_bytes())
        .finalize();
    data_encoding::BASE64URL_NOPAD.encode(&digest)
}

impl Store {
    /// The issuer shown in authenticator apps.
    fn issuer(&self) -> String {
        format!("{} ombuds", self.issuer)
    }

    /// If no administrator can sign in, replaces any unused first-administrator link with a new
    /// one and returns its token; otherwise `None`. `now` is in Unix seconds, `today` the
    /// association's date.
    pub async fn setup_link(
        &self,
        now: i64,
        today: NaiveDate,
    ) -> Result<Option<Zeroizing<String>>, StoreError> {
        if self.backend.count_active_admins().await? > 0 {
            return Ok(None);
        }
        self.new_enrolment(None, Role::Admin, now, today, None)
            .await
            .map(Some)
    }

    /// A new link for `username` (the first administrator when `None`), which retires every
    /// unused link for the same account.
    async fn new_enrolment(
        &self,
        username: Option<&str>,
        role: Role,
        now: i64,
        today: NaiveDate,
        grant: Option<GrantRecord>,
    ) -> Result<Zeroizing<String>, StoreError> {
        let (token, token_hash) = random::new_token()?;
        let totp = TotpSecret::generate()?;
        self.backend
            .insert_enrolment(
                EnrolmentRecord {
                    token_hash,
                    username: username.map(str::to_owned),
                    role,
                    totp_sealed: self.master.seal(totp.as_bytes())?,
                    expires_at: now + ENROLMENT_TTL_SECS,
                    grant: grant.as_ref().map(|g| g.id.clone()),
                },
                grant,
                today,
            )
            .await?;
        Ok(token)
    }

    /// A one-time enrolment link token for the account `username` (a new one, or a reset of
    /// an existing one), carrying `grant` if it is an ombuds account. The TOTP secret the
    /// link will show is sealed with the master key. Any unused link for the same name stops
    /// working (a grant it carried is superseded on `today`).
    pub async fn enrolment_link(
        &self,
        username: &str,
        role: Role,
        now: i64,
        today: NaiveDate,
        grant: Option<GrantRecord>,
    ) -> Result<Zeroizing<String>, StoreError> {
        self.new_enrolment(Some(username), role, now, today, grant)
            .await
    }

    /// The links not used yet that name their account and still work at `now`, by name (the
    /// first administrator's link, which names none, is not listed).
    pub async fn invitations(&self, now: i64) -> Result<Vec<Invitation>, StoreError> {
        Ok(self
            .backend
            .pending_enrolments(now)
            .await?
            .into_iter()
            .filter_map(|link| {
                link.username.map(|username| Invitation {
                    username,
                    role: link.role,
                    expires_at: link.expires_at,
                })
            })
            .collect())
    }

    /// Revokes the unused links for `username`, as `by` on `today`: they stop working, and a
    /// grant of case access one carried is withdrawn. False if there was none.
    pub async fn revoke_invitation(
        &self,
        username: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        Ok(self.backend.revoke_enrolments(username, by, today).await? > 0)
    }

    /// The account named `username`, as the administrator's list shows it.
    pub async fn user(&self, username: &str) -> Result<Option<UserSummary>, StoreError> {
        Ok(self.backend.user_by_name(username).await?.map(summary))
    }

    /// How many administrators can sign in.
    pub async fn active_admins(&self) -> Result<u64, StoreError> {
        self.backend.count_active_admins().await
    }

    /// The enrolment a link token opens, if it is unused and unexpired.
    pub async fn enrolment(
        &self,
        token: &str,
        now: i64,
    ) -> Result<Option<EnrolmentView>, StoreError> {
        let Some(record) = self.backend.enrolment(&random::token_hash(token)).await? else {
            return Ok(None);
        };
        if record.expires_at <= now {
            return Ok(None);
        }
        let totp = TotpSecret::from_bytes(&self.master.open(&record.totp_sealed)?)?;
        Ok(Some(EnrolmentView {
            username: record.username,
            role: record.role,
            totp,
        }))
    }

    /// The otpauth URI for an enrolment.
    pub fn otpauth_uri(
        &self,
        view: &EnrolmentView,
        username: &str,
    ) -> Result<Zeroizing<String>, StoreError> {
        Ok(view.totp.otpauth_uri(&self.issuer(), username)?)
    }

    /// Completes an enrolment: checks the name (for a first administrator), the password and a
    /// code from the authenticator, then creates or resets the account. Returns a device token
    /// for the account (see [`Store::sign_in`]): whoever held the link signs in from here
    /// without waiting on failures others caused.
    #[expect(
        clippy::too_many_arguments,
        reason = "the form's fields and the two clocks, each named"
    )]
    pub async fn complete_enrolment(
        &self,
        token: &str,
        chosen_username: Option<&str>,
        new_password: Zeroizing<String>,
        confirmation: &str,
        code: &str,
        now: i64,
        today: NaiveDate,
    ) -> Result<SignedIn, EnrolError> {
        let token_hash = random::token_hash(token);
        let Some(view) = self.enrolment(token, now).await? else {
            return Err(EnrolError::Gone);
        };
        let mut errors = Vec::new();
        let username = match (&view.username, chosen_username.map(str::trim)) {
            (Some(fixed), _) => fixed.clone(),
            (None, Some(chosen)) => {
                if let Err(m) = check_username(chosen) {
                    errors.push(FieldError::new("username", m));
                }
                chosen.to_owned()
            }
            (None, None) => {
                errors.push(FieldError::new("username", "staff.problem.choose_username"));
                String::new()
            }
        };
        if let Err(m) = check_new_password(&new_password, confirmation, &username) {
            errors.push(FieldError::new("password", m));
        }
        let step = view.totp.matching_step(code, now_secs(now));
        if step.is_none() {
            errors.push(FieldError::new("code", "staff.problem.code_mismatch"));
        }
        if !errors.is_empty() {
            return Err(EnrolError::Invalid(errors));
        }
        let password_hash = tokio::task::spawn_blocking(move || password::hash(&new_password))
            .await
            .map_err(|_| StoreError::Database("the password hashing task failed".into()))??;
        let user = UserRecord {
            id: random::new_id()?,
            username,
            role: view.role,
            password_hash,
            totp_sealed: self.master.seal(view.totp.as_bytes())?,
            totp_last_step: step.and_then(|s| i64::try_from(s).ok()).unwrap_or(0),
            disabled: false,
            // The store decides, from the link's grant.
            case_access: true,
        };
        let name = user.username.clone();
        if self
            .backend
            .complete_enrolment(&token_hash, user, today)
            .await?
        {
            tracing::info!(event = "enrolment", username = %name, role = view.role.code(), "account enrolled");
            // Signed in at once, as a sign-in with the same password and code would do (the
            // code is used up, so a sign-in would need the next one).
            let Some(user) = self.backend.user_by_name(&name).await? else {
                return Err(EnrolError::Gone);
            };
            let device = device::issue(&self.secret, &name)?;
            Ok(self.open_session(user, device, now).await?)
        } else if view.username.is_none() {
            Err(EnrolError::Invalid(vec![FieldError::new(
                "username",
                "staff.problem.username_taken",
            )]))
        } else {
            Err(EnrolError::Gone)
        }
    }

    /// Signs in with username, password and TOTP code. Every kind of failure looks the same to
    /// the caller, takes the same password-hashing time, and counts against the username typed:
    /// each attempt is counted before it is checked, so parallel attempts are throttled as
    /// if they came one after another. An attempt that carries a device token this account
    /// was given at an earlier sign-in counts against that device alone, so that other
    /// people's failures never keep the account's owner out.
    pub async fn sign_in(
        &self,
        username: &str,
        typed_password: Zeroizing<String>,
        code: &str,
        device_token: Option<&str>,
        now: i64,
    ) -> Result<SignedIn, SignInError> {
        let name = username.trim().to_lowercase();
        let known_device = device_token.and_then(|token| device::check(&self.secret, &name, token));
        let throttle_key = match &known_device {
            Some(nonce) => {
                let mut data = name.as_bytes().to_vec();
                data.push(0);
                data.extend_from_slice(nonce);
                self.secret.tag("signin-throttle-device", &data)
            }
            None => self.secret.tag("signin-throttle", name.as_bytes()),
        };
        if let Some(wait) = self.backend.charge_attempt(&throttle_key, now).await? {
            tracing::warn!(
                event = "signin_throttled",
                "sign-in refused: too many failures for one username"
            );
            return Err(SignInError::Throttled(wait));
        }
        let user = self.backend.user_by_name(username.trim()).await?;
        let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
        let password_ok = tokio::task::spawn_blocking(move || match stored_hash {
            Some(hash) => password::verify(&typed_password, &hash),
            None => {
                password::verify_nothing(&typed_password);
                false
            }
        })
        .await
        .unwrap_or(false);

        let accepted = match (&user, password_ok) {
            (Some(user), true) if !user.disabled => self.accept_code(user, code, now).await?,
            _ => false,
        };
        let Some(user) = user.filter(|_| accepted) else {
            // Already counted.
            tracing::warn!(event = "signin_failed", "sign-in refused");
            return Err(SignInError::Refused);
        };
        self.backend.clear_attempts(&throttle_key).await?;
        let device = match (known_device, device_token) {
            (Some(_), Some(token)) => Zeroizing::new(token.to_owned()),
            _ => device::issue(&self.secret, &name).map_err(StoreError::from)?,
        };
        tracing::info!(event = "signin", username = %user.username, role = user.role.code(), "signed in");
        Ok(self.open_session(user, device, now).await?)
    }

    /// Starts a session for `user`, whose credentials were just checked, with the device token
    /// it keeps.
    async fn open_session(
        &self,
        user: UserRecord,
        device: Zeroizing<String>,
        now: i64,
    ) -> Result<SignedIn, StoreError> {
        let (token, token_hash) = random::new_token()?;
        self.backend
            .insert_session(SessionRecord {
                token_hash,
                user_id: user.id.clone(),
                created_at: now,
                last_seen: now,
            })
            .await?;
        Ok(SignedIn {
            user: SessionUser {
                user_id: user.id,
                username: user.username,
                role: user.role,
                csrf: csrf_for(&token),
                session_hash: token_hash,
                case_access: user.case_access,
            },
            token,
            device,
        })
    }

    /// Whether `code` is a current TOTP code for `user` that has not been used before.
    async fn accept_code(
        &self,
        user: &UserRecord,
        code: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let secret = TotpSecret::from_bytes(&self.master.open(&user.totp_sealed)?)?;
        let Some(step) = secret.matching_step(code, now_secs(now)) else {
            return Ok(false);
        };
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if step <= user.totp_last_step {
            tracing::warn!(event = "totp_replay", username = %user.username, "a TOTP code was used twice");
            return Ok(false);
        }
        self.backend.advance_totp_step(&user.id, step).await
    }

    /// The staff member a session token belongs to, if the session is still valid at `now`.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<SessionUser>, StoreError> {
        let token_hash = random::token_hash(token);
        let Some(found) = self.backend.session(&token_hash).await? else {
            return Ok(None);
        };
        if found.disabled {
            return Ok(None);
        }
        match check_session(found.session.created_at, found.session.last_seen, now) {
            SessionCheck::Expired => {
                self.backend.delete_session(&token_hash).await?;
                Ok(None)
            }
            SessionCheck::Valid { touch } => {
                if touch {
                    self.backend.touch_session(&token_hash, now).await?;
                }
                Ok(Some(SessionUser {
                    user_id: found.session.user_id,
                    username: found.username,
                    role: found.role,
                    csrf: csrf_for(token),
                    session_hash: token_hash,
                    case_access: found.case_access,
                }))
            }
        }
    }

    /// Ends one session.
    pub async fn sign_out(&self, user: &SessionUser) -> Result<(), StoreError> {
        tracing::info!(event = "signout", username = %user.username, "signed out");
        self.backend.delete_session(&user.session_hash).await
    }

    /// Ends every session of the account; returns how many.
    pub async fn sign_out_everywhere(&self, user: &SessionUser) -> Result<u64, StoreError> {
        let ended = self.backend.delete_sessions_of(&user.user_id).await?;
        tracing::info!(event = "signout_everywhere", username = %user.username, sessions = ended, "signed out everywhere");
        Ok(ended)
    }

    /// Every account.
    pub async fn users(&self) -> Result<Vec<UserSummary>, StoreError> {
        Ok(self
            .backend
            .users()
            .await?
            .into_iter()
            .map(summary)
            .collect())
    }

    /// Disables or re-enables the account `username`; `false` if there is none.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let changed = self.backend.set_disabled(username, disabled).await?;
        if changed {
            tracing::info!(event = if disabled { "user_disabled" } else { "user_enabled" }, username = %username, "account changed");
        }
        Ok(changed)
    }
}

/// What the administrator's list shows of an account (no hash, no secret).
fn summary(user: UserRecord) -> UserSummary {
    UserSummary {
        username: user.username,
        role: user.role,
        disabled: user.disabled,
        case_access: user.case_access,
    }
}

fn now_secs(now: i64) -> u64 {
    u64::try_from(now).unwrap_or(0)
}
