//! The `[limits]` table: how many connections and requests the service holds at once, per
//! audience, and the optional per-client limits and proof of work on the intake. This module
//! only reads and checks settings; enforcing them is [`crate::http::admission`]'s job and the
//! connection cap is [`crate::server::connections`]'.

use std::time::Duration;

use serde::Deserialize;

use super::{Invalid, range};
use crate::domain::phrase::Phrase;

/// Requests one audience may have in progress, and how many more may wait for a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Served at once.
    pub concurrent: usize,
    /// Waiting for a turn; beyond that, requests are answered 503 at once.
    pub queue: usize,
}

/// Where the per-client limits find the client's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAddress {
    /// The address of the TCP peer.
    Peer,
    /// The last address in this header (which the trusted proxy in front appends).
    Header(axum::http::HeaderName),
}

/// Optional per-client limits, keyed on a keyed hash of the address under a daily salt.
#[derive(Debug, Clone, PartialEq)]
pub struct PerClient {
    /// Requests each client may make per minute, on average.
    pub requests_per_minute: u32,
    /// Requests a client may make at once before the average applies.
    pub burst: u32,
    /// Where the address comes from.
    pub address: ClientAddress,
    /// Most clients tracked at once.
    pub max_clients: usize,
}

/// Optional proof of work on the intake.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofOfWork {
    /// Leading zero bits the solution's SHA-256 needs.
    pub difficulty_bits: u8,
    /// How long a challenge can be used.
    pub valid_for: Duration,
    /// The smaller budget for submissions that come without a valid proof.
    pub unproven: Budget,
    /// Most used challenges remembered (to refuse replays) at once.
    pub max_remembered: usize,
}

/// The checked `[limits]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Connections open at once; more wait in the operating system's queue.
    pub max_connections: usize,
    /// HTTP/2 streams one connection may have open at once.
    pub http2_max_streams: u32,
    /// How long a request waits for a turn before it is answered 503.
    pub queue_wait: Duration,
    /// The `Retry-After` given with a 503 or 429, in seconds.
    pub retry_after_seconds: u64,
    /// New concerns (`POST /concerns`, `POST /api/v1/concerns`).
    pub intake: Budget,
    /// Follow-up with a receipt.
    pub followup: Budget,
    /// Signed-in staff: console, cases, administration, board.
    pub staff: Budget,
    /// Sign-in and enrolment (password hashing).
    pub sign_in: Budget,
    /// Everything else: pages, the certificate check, the stylesheet, health.
    pub public: Budget,
    /// Per-client limits, when turned on.
    pub per_client: Option<PerClient>,
    /// Proof of work on the intake, when turned on.
    pub proof_of_work: Option<ProofOfWork>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBudget {
    concurrent: usize,
    queue: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawLimits {
    max_connections: usize,
    http2_max_streams: u32,
    queue_wait_ms: u64,
    retry_after_seconds: u64,
    intake: RawBudget,
    followup: RawBudget,
    staff: RawBudget,
    sign_in: RawBudget,
    public: RawBudget,
    per_client: RawPerClient,
    proof_of_work: RawProofOfWork,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawPerClient {
    enabled: bool,
    requests_per_minute: u32,
    burst: u32,
    client_address_header: Option<String>,
    max_clients: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawProofOfWork {
    enabled: bool,
    difficulty_bits: u8,
    valid_minutes: u64,
    unproven: RawBudget,
    max_remembered: usize,
}

const fn budget(concurrent: usize, queue: usize) -> RawBudget {
    RawBudget { concurrent, queue }
}

impl Default for RawLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            http2_max_streams: 32,
            queue_wait_ms: 5000,
            retry_after_seconds: 5,
            intake: budget(2, 32),
            followup: budget(8, 32),
            staff: budget(8, 32),
            sign_in: budget(2, 8),
            public: budget(16, 64),
            per_client: RawPerClient::default(),
            proof_of_work: RawProofOfWork::default(),
        }
    }
}

impl Default for RawPerClient {
    fn default() -> Self {
        Self {
            enabled: false,
            requests_per_minute: 60,
            burst: 20,
            client_address_header: None,
            max_clients: 100_000,
        }
    }
}

impl Default for RawProofOfWork {
    fn default() -> Self {
        Self {
            enabled: false,
            difficulty_bits: 16,
            valid_minutes: 120,
            unproven: budget(2, 4),
            max_remembered: 100_000,
        }
    }
}

fn check_budget(
    raw: RawBudget,
    concurrent: &'static str,
    queue: &'static str,
) -> Result<Budget, Invalid> {
    check_budget_from(raw, 1, concurrent, queue)
}

fn check_budget_from(
    raw: RawBudget,
    least: usize,
    concurrent: &'static str,
    queue: &'static str,
) -> Result<Budget, Invalid> {
    Ok(Budget {
        concurrent: range(concurrent, raw.concurrent, least, 10_000)?,
        queue: range(queue, raw.queue, 0, 100_000)?,
    })
}

impl RawLimits {
    /// Checks the table; `behind_proxy` is `server.behind_tls_proxy`.
    pub(super) fn check(self, behind_proxy: bool) -> Result<Limits, Invalid> {
        let max_connections = range(
            "limits.max_connections",
            self.max_connections,
            16,
            1_000_000,
        )?;
        let http2_max_streams = range("limits.http2_max_streams", self.http2_max_streams, 1, 1000)?;
        let queue_wait_ms = range("limits.queue_wait_ms", self.queue_wait_ms, 0, 30_000)?;
        let retry_after_seconds = range(
            "limits.retry_after_seconds",
            self.retry_after_seconds,
            1,
            3600,
        )?;
        let intake = check_budget(
            self.intake,
            "limits.intake.concurrent",
            "limits.intake.queue",
        )?;
        let followup = check_budget(
            self.followup,
            "limits.followup.concurrent",
            "limits.followup.queue",
        )?;
        let staff = check_budget(self.staff, "limits.staff.concurrent", "limits.staff.queue")?;
        let sign_in = check_budget(
            self.sign_in,
            "limits.sign_in.concurrent",
            "limits.sign_in.queue",
        )?;
        let public = check_budget(
            self.public,
            "limits.public.concurrent",
            "limits.public.queue",
        )?;

        let raw = self.per_client;
        let per_client = if raw.enabled {
            let address = match raw.client_address_header.as_deref().map(str::trim) {
                None | Some("") if behind_proxy => {
                    return Err((
                        "limits.per_client.client_address_header",
                        Phrase::new("cli.config.header_needed"),
                    ));
                }
                None | Some("") => ClientAddress::Peer,
                Some(_) if !behind_proxy => {
                    return Err((
                        "limits.per_client.client_address_header",
                        Phrase::new("cli.config.header_untrusted"),
                    ));
                }
                Some(name) => ClientAddress::Header(
                    axum::http::HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes())
                        .map_err(|_| {
                            (
                                "limits.per_client.client_address_header",
                                Phrase::new("cli.config.not_a_header")
                                    .with("name", format!("{name:?}")),
                            )
                        })?,
                ),
            };
            Some(PerClient {
                requests_per_minute: range(
                    "limits.per_client.requests_per_minute",
                    raw.requests_per_minute,
                    1,
                    100_000,
                )?,
                burst: range("limits.per_client.burst", raw.burst, 1, 100_000)?,
                address,
                max_clients: range(
                    "limits.per_client.max_clients",
                    raw.max_clients,
                    100,
                    10_000_000,
                )?,
            })
        } else {
            None
        };

        let raw = self.proof_of_work;
        let proof_of_work = if raw.enabled {
            Some(ProofOfWork {
                difficulty_bits: range(
                    "limits.proof_of_work.difficulty_bits",
                    raw.difficulty_bits,
                    1,
                    32,
                )?,
                valid_for: Duration::from_secs(
                    60 * range(
                        "limits.proof_of_work.valid_minutes",
                        raw.valid_minutes,
                        1,
                        24 * 60,
                    )?,
                ),
                unproven: check_budget_from(
                    raw.unproven,
                    0,
                    "limits.proof_of_work.unproven.concurrent",
                    "limits.proof_of_work.unproven.queue",
                )?,
                max_remembered: range(
                    "limits.proof_of_work.max_remembered",
                    raw.max_remembered,
                    100,
                    10_000_000,
                )?,
            })
        } else {
            None
        };

        Ok(Limits {
            max_connections,
            http2_max_streams,
            queue_wait: Duration::from_millis(queue_wait_ms),
            retry_after_seconds,
            intake,
            followup,
            staff,
            sign_in,
            public,
            per_client,
            proof_of_work,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        let limits = RawLimits::default().check(false).unwrap();
        assert_eq!(
            limits.intake,
            Budget {
                concurrent: 2,
                queue: 32
            }
        );
        assert!(limits.per_client.is_none() && limits.proof_of_work.is_none());
    }

    fn parse(text: &str, behind_proxy: bool) -> Result<Limits, Invalid> {
        toml::from_str::<RawLimits>(text)
            .unwrap()
            .check(behind_proxy)
    }

    #[test]
    fn a_forwarded_header_needs_a_trusted_proxy_and_a_proxy_needs_the_header() {
        let header = "[per_client]\nenabled = true\nclient_address_header = \"X-Forwarded-For\"\n";
        let err = parse(header, false).unwrap_err();
        assert_eq!(err.0, "limits.per_client.client_address_header");
        let said = crate::i18n::Lang::En.say(&err.1);
        assert!(said.contains("behind_tls_proxy"), "{said}");
        let limits = parse(header, true).unwrap();
        assert_eq!(
            limits.per_client.unwrap().address,
            ClientAddress::Header(axum::http::HeaderName::from_static("x-forwarded-for"))
        );
        let err = parse("[per_client]\nenabled = true\n", true).unwrap_err();
        assert_eq!(err.0, "limits.per_client.client_address_header");
        assert!(parse("[per_client]\nenabled = true\n", false).is_ok());
    }

    #[test]
    fn out_of_range_limits_are_named() {
        let err = parse("[intake]\nconcurrent = 0\nqueue = 4\n", false).unwrap_err();
        assert_eq!(err.0, "limits.intake.concurrent");
        let err = parse("max_connections = 3\n", false).unwrap_err();
        assert_eq!(err.0, "limits.max_connections");
        let err = parse(
            "[proof_of_work]\nenabled = true\ndifficulty_bits = 40\n",
            false,
        )
        .unwrap_err();
        assert_eq!(err.0, "limits.proof_of_work.difficulty_bits");
    }
}
