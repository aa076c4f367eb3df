//! Staff accounts: roles, and the rules for usernames and passwords.
//!
//! Each role sees only what it must: `admin` manages users and settings but never case content;
//! `ombuds` works cases; `board` sees trend reports only.

use super::codes::code_enum;
use super::phrase::Phrase;

code_enum! {
    /// What a staff account may do.
    Role in "staff.role" {
        /// Users, keys and settings; never case content.
        Admin = "admin";
        /// Cases, notes, replies.
        Ombuds = "ombuds";
        /// Aggregate trend reports only.
        Board = "board";
    }
}

code_enum! {
    /// What an administrator may do to an account (the last part of its address).
    AccountAction in "staff.account_action" {
        /// Stops the account signing in.
        Disable = "disable";
        /// Lets a disabled account sign in again.
        Enable = "enable";
        /// A new enrolment link, with which the account sets a new password and authenticator.
        Reset = "reset";
    }
}

code_enum! {
    /// Whether an account may sign in, as an action left it.
    AccountState in "staff.account_state" {
        /// It may not.
        Disabled = "disabled";
        /// It may.
        Enabled = "enabled";
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (bounds the work of hashing).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Shortest username accepted.
pub const MIN_USERNAME_CHARS: usize = 2;
/// Longest username accepted (it goes into the authenticator's QR code, which holds little).
pub const MAX_USERNAME_CHARS: usize = 40;

/// Checks a username: 2 to 40 characters of lowercase letters, digits, `.`, `_` or `-`,
/// starting with a letter. Returns the problem.
pub fn check_username(name: &str) -> Result<(), Phrase> {
    let len = name.chars().count();
    if !(MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&len) {
        return Err(Phrase::new("staff.problem.username_length"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(Phrase::new("staff.problem.username_start"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Phrase::new("staff.problem.username_characters"));
    }
    Ok(())
}

/// Whether an administrator who can sign in may be disabled while `active_admins` can (them
/// included): never the last one, or no one could administer the service.
pub fn may_disable_admin(active_admins: u64) -> Result<(), Phrase> {
    if active_admins <= 1 {
        Err(Phrase::new("staff.problem.last_administrator"))
    } else {
        Ok(())
    }
}

/// Checks a new password and its confirmation. Returns the problem.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    username: &str,
) -> Result<(), Phrase> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(Phrase::new("staff.problem.password_short").with("min", MIN_PASSWORD_CHARS));
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(Phrase::new("staff.problem.password_long").with("max", MAX_PASSWORD_CHARS));
    }
    if password != confirmation {
        return Err(Phrase::new("staff.problem.passwords_differ"));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(Phrase::new("staff.problem.password_has_username"));
    }
    Ok(())
}

/// A session ends after this many seconds without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// A session ends this many seconds after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
/// A session's last-seen time is written at most this often (it bounds idle-time error).
pub const TOUCH_INTERVAL_SECS: i64 = 60;
/// An enrolment link works for this long.
pub const ENROLMENT_TTL_SECS: i64 = 72 * 60 * 60;

/// Whether a session is still valid at `now`, and whether its last-seen time should be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// Valid; `touch` says to record `now` as last seen.
    Valid {
        /// Record the new last-seen time.
        touch: bool,
    },
    /// Idle too long, or too old.
    Expired,
}

/// Applies the idle and absolute timeouts (times in Unix seconds).
pub fn check_session(created_at: i64, last_seen: i64, now: i64) -> SessionCheck {
    if now - created_at >= ABSOLUTE_TIMEOUT_SECS || now - last_seen >= IDLE_TIMEOUT_SECS {
        SessionCheck::Expired
    } else {
        SessionCheck::Valid {
            touch: now - last_seen >= TOUCH_INTERVAL_SECS,
        }
    }
}

/// Failed sign-ins allowed for one username in a window before it is blocked.
pub const FREE_FAILURES: u32 = 5;
/// The window in which failures are counted, in seconds.
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// The longest block, in seconds.
pub const MAX_BLOCK_SECS: i64 = 60 * 60;

/// Sign-in failures recorded for one username (identified by a keyed hash, never by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in the current window.
    pub failures: u32,
    /// When the window began (Unix seconds).
    pub window_start: i64,
    /// No attempt is considered before this time (Unix seconds).
    pub blocked_until: i64,
}

impl Throttle {
    /// Seconds until another attempt will be considered, if blocked at `now`.
    pub fn wait(&self, now: i64) -> Option<i64> {
        (self.blocked_until > now).then_some(self.blocked_until - now)
    }

    /// Counts an attempt at `now` before it is checked: `Err(wait)` if the username is blocked
    /// (the attempt is refused unchecked and not counted), else the state with this attempt
    /// counted as a failure, which a success then clears. Counting before checking is what
    /// keeps parallel attempts from all being checked: the store applies this under a lock, so
    /// each attempt sees every earlier one.
    pub fn charge(previous: Option<Self>, now: i64) -> Result<Self, i64> {
        match previous.and_then(|t| t.wait(now)) {
            Some(wait) => Err(wait),
            None => Ok(Self::after_failure(previous, now)),
        }
    }

    /// The state after one more failure at `now`. After [`FREE_FAILURES`] failures in the window,
    /// each further failure blocks the username for twice as long as the last (one minute first,
    /// at most an hour).
    pub fn after_failure(previous: Option<Self>, now: i64) -> Self {
        let (failures, window_start) = match previous {
            Some(t) if now - t.window_start < FAILURE_WINDOW_SECS || t.blocked_until > now => {
                (t.failures.saturating_add(1), t.window_start)
            }
            _ => (1, now),
        };
        let blocked_until = if failures > FREE_FAILURES {
            let doublings = (failures - FREE_FAILURES - 1).min(10);
            now + (60i64 << doublings).min(MAX_BLOCK_SECS)
        } else {
            0
        };
        Self {
            failures,
            window_start,
            blocked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_time_out_when_idle_or_old() {
        let t0 = 1_000_000;
        assert_eq!(
            check_session(t0, t0, t0 + 10),
            SessionCheck::Valid { touch: false }
        );
        assert_eq!(
            check_session(t0, t0, t0 + 61),
            SessionCheck::Valid { touch: true }
        );
        assert_eq!(
            check_session(t0, t0, t0 + IDLE_TIMEOUT_SECS),
            SessionCheck::Expired
        );
        let busy = t0 + ABSOLUTE_TIMEOUT_SECS - 5;
        assert_eq!(
            check_session(t0, busy, busy + 1),
            SessionCheck::Valid { touch: false }
        );
        assert_eq!(
            check_session(t0, busy, t0 + ABSOLUTE_TIMEOUT_SECS),
            SessionCheck::Expired
        );
    }

    #[test]
    fn failures_block_after_five_then_back_off() {
        let now = 1_000_000;
        let mut state = None;
        for i in 1..=FREE_FAILURES {
            let t = Throttle::after_failure(state, now + i64::from(i));
            assert_eq!(t.wait(now + i64::from(i)), None, "failure {i} is free");
            state = Some(t);
        }
        let sixth = Throttle::after_failure(state, now + 10);
        assert_eq!(sixth.wait(now + 10), Some(60));
        let seventh = Throttle::after_failure(Some(sixth), now + 71);
        assert_eq!(seventh.wait(now + 71), Some(120));
        // Long after the window, counting starts again.
        let later = Throttle::after_failure(Some(seventh), now + 10_000);
        assert_eq!(later.failures, 1);
        assert_eq!(later.wait(now + 10_000), None);
    }

    #[test]
    fn attempts_are_counted_before_they_are_checked() {
        let now = 1_000_000;
        let mut state = None;
        // Six attempts are checked (the sixth is the one that starts the block), as when
        // they came one after another; the seventh is refused unchecked and not counted.
        for _ in 0..=FREE_FAILURES {
            state = Some(Throttle::charge(state, now).unwrap());
        }
        let blocked = state.unwrap();
        assert_eq!(Throttle::charge(state, now), Err(60));
        assert_eq!(Throttle::charge(state, now + 59), Err(1));
        // After the back-off one more attempt is checked, and blocks for twice as long.
        let next = Throttle::charge(state, now + 60).unwrap();
        assert_eq!(next.failures, blocked.failures + 1);
        assert_eq!(next.wait(now + 60), Some(120));
    }

    #[test]
    fn the_block_is_capped_at_an_hour() {
        let mut state = None;
        for i in 0..40 {
            state = Some(Throttle::after_failure(state, 1_000 + i));
        }
        assert_eq!(state.unwrap().wait(1_039), Some(MAX_BLOCK_SECS));
    }

    #[test]
    fn usernames() {
        assert!(may_disable_admin(2).is_ok());
        assert!(may_disable_admin(1).is_err(), "the last administrator");
        assert!(check_username("maria.ortiz").is_ok());
        assert!(check_username("m").is_err());
        assert!(check_username("Maria").is_err());
        assert!(check_username("9lives").is_err());
        assert!(check_username("ann smith").is_err());
    }

    #[test]
    fn passwords() {
        assert!(
            check_new_password("correct horse battery", "correct horse battery", "ann").is_ok()
        );
        assert!(check_new_password("short", "short", "ann").is_err());
        assert!(
            check_new_password("correct horse battery", "correct horse batterY", "ann").is_err()
        );
        assert!(
            check_new_password("annabelle-is-great", "annabelle-is-great", "annabelle").is_err()
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(*role));
        }
    }
}
