//! Optional per-client limits that never store an address.
//!
//! A client is known only by a keyed hash (HMAC-SHA-256, cut to 128 bits) of its address under
//! a random salt that exists only in this process's memory. The salt is replaced, and every
//! count dropped with it, when the UTC date changes, so that nothing links one day's clients
//! to the next and a restart forgets everything. The address itself is read from the request
//! (the TCP peer, or the last entry of a header set by a trusted proxy), hashed, and dropped
//! with the request; it is never logged or kept.
//!
//! An IPv6 client is known by its /64 prefix, which one subscriber usually holds whole.
//! Each hashed client has a token bucket (`burst` requests, refilled at `requests_per_minute`).
//! The table is bounded: when it is full, buckets that are full again (idle clients) are
//! dropped; if it is still full, new clients pass untracked (the audience budgets still hold).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::config::limits::{ClientAddress, PerClient};
use crate::http::bucket::Bucket;
use crate::server::connections::Peer;

/// The per-client buckets of one day.
struct Day {
    date: NaiveDate,
    salt: Zeroizing<[u8; 32]>,
    buckets: HashMap<[u8; 16], Bucket>,
}

/// The per-client limits and their state, in memory only.
pub struct ClientLimits {
    settings: PerClient,
    day: Mutex<Option<Day>>,
}

impl std::fmt::Debug for ClientLimits {
    /// Shows the settings and how many clients are tracked; never the salt or a hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tracked = self
            .day
            .lock()
            .map(|day| day.as_ref().map_or(0, |d| d.buckets.len()))
            .unwrap_or(0);
        f.debug_struct("ClientLimits")
            .field("settings", &self.settings)
            .field("tracked", &tracked)
            .finish_non_exhaustive()
    }
}

impl ClientLimits {
    /// Limits as `settings` say; no state until the first request.
    pub fn new(settings: PerClient) -> Self {
        Self {
            settings,
            day: Mutex::new(None),
        }
    }

    /// The client's address: the last entry of the configured header, or the TCP peer.
    fn address(&self, headers: &HeaderMap, peer: Option<Peer>) -> Option<IpAddr> {
        match &self.settings.address {
            ClientAddress::Peer => peer.map(|p| p.0),
            ClientAddress::Header(name) => headers
                .get_all(name)
                .iter()
                .next_back()
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|last| last.trim().parse().ok())
                .or(peer.map(|p| p.0)),
        }
    }

    /// Spends one request of this client's budget; `Err(seconds)` says how long until the next
    /// is allowed. A request whose address cannot be found passes.
    pub fn spend(
        &self,
        headers: &HeaderMap,
        peer: Option<Peer>,
        now: &DateTime<Utc>,
    ) -> Result<(), u64> {
        let Some(address) = self.address(headers, peer) else {
            return Ok(());
        };
        let mut guard = self
            .day
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let today = now.date_naive();
        if guard.as_ref().is_none_or(|day| day.date != today) {
            let mut salt = Zeroizing::new([0u8; 32]);
            if crate::crypto::random::fill(salt.as_mut()).is_err() {
                // Without a salt no client can be told apart without storing its address.
                tracing::warn!("no randomness for the per-client salt; per-client limits paused");
                *guard = None;
                return Ok(());
            }
            *guard = Some(Day {
                date: today,
                salt,
                buckets: HashMap::new(),
            });
        }
        let Some(day) = guard.as_mut() else {
            return Ok(());
        };
        let key = hashed(&day.salt, address);
        let capacity = f64::from(self.settings.burst);
        let per_second = f64::from(self.settings.requests_per_minute) / 60.0;
        let instant = Instant::now();
        if !day.buckets.contains_key(&key) && day.buckets.len() >= self.settings.max_clients {
            day.buckets
                .retain(|_, bucket| !bucket.is_full(capacity, per_second, instant));
            if day.buckets.len() >= self.settings.max_clients {
                return Ok(());
            }
        }
        day.buckets
            .entry(key)
            .or_insert_with(|| Bucket::full(capacity, instant))
            .spend(capacity, per_second, instant)
    }

    /// How many hashed clients are tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.day
            .lock()
            .map(|day| day.as_ref().map_or(0, |d| d.buckets.len()))
            .unwrap_or(0)
    }
}

/// The keyed hash of an address (of its /64 prefix, for IPv6): HMAC-SHA-256 under the day's
/// salt, first 128 bits.
fn hashed(salt: &[u8; 32], address: IpAddr) -> [u8; 16] {
    let mut mac = match Hmac::<Sha256>::new_from_slice(salt) {
        Ok(mac) => mac,
        // HMAC takes a key of any length; this cannot happen.
        Err(_) => return [0; 16],
    };
    match address {
        IpAddr::V4(v4) => mac.update(&v4.to_ipv6_mapped().octets()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => mac.update(&v4.to_ipv6_mapped().octets()),
            // One IPv6 subscriber usually holds a whole /64: count the prefix, not the address.
            None => mac.update(&v6.octets()[..8]),
        },
    }
    let digest = mac.finalize().into_bytes();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(address: ClientAddress) -> ClientLimits {
        ClientLimits::new(PerClient {
            requests_per_minute: 1,
            burst: 2,
            address,
            max_clients: 100,
        })
    }

    #[test]
    fn each_hashed_client_has_its_own_bucket_and_the_day_forgets_them() {
        let limits = limits(ClientAddress::Peer);
        let day = DateTime::parse_from_rfc3339("2026-03-02T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = Some(Peer("192.0.2.1".parse().unwrap()));
        let b = Some(Peer("2001:db8::1".parse().unwrap()));
        let none = HeaderMap::new();
        assert!(limits.spend(&none, a, &day).is_ok());
        assert!(limits.spend(&none, a, &day).is_ok());
        let wait = limits.spend(&none, a, &day).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limits.spend(&none, b, &day).is_ok());
        assert_eq!(limits.tracked(), 2);
        let next = day + chrono::Duration::days(1);
        assert!(limits.spend(&none, a, &next).is_ok());
        assert_eq!(limits.tracked(), 1, "yesterday's clients are forgotten");
        assert!(!format!("{limits:?}").contains("192.0.2.1"));
        // Another address in the same IPv6 /64 is the same client.
        let c = Some(Peer("2001:db8::2".parse().unwrap()));
        assert!(limits.spend(&none, b, &next).is_ok());
        assert!(limits.spend(&none, c, &next).is_ok());
        assert!(limits.spend(&none, c, &next).is_err());
        assert!(limits.spend(&none, b, &next).is_err());
    }

    #[test]
    fn the_configured_header_names_the_client_by_its_last_entry() {
        let limits = limits(ClientAddress::Header(axum::http::HeaderName::from_static(
            "x-forwarded-for",
        )));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let proxy = Some(Peer("127.0.0.1".parse().unwrap()));
        assert_eq!(
            limits.address(&headers, proxy),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            limits.address(&HeaderMap::new(), proxy),
            Some("127.0.0.1".parse().unwrap())
        );
    }
}
