//! A small, short-lived cache of unwrapped case keys, so that reading a case again does not
//! repeat the key unwrap (one X25519 operation, a third of a follow-up look-up's work).
//!
//! It adds no exposure the process does not already have — the association's identity, which
//! unwraps every key, is in the same memory — and it is bounded three ways: at most
//! [`CAPACITY`] keys, each for at most [`LIFETIME`], and a case's key is dropped the moment the
//! case is destroyed. Keys zeroize when dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::crypto::ContentKey;

/// Most keys held.
pub const CAPACITY: usize = 4096;
/// Longest a key is held.
pub const LIFETIME: Duration = Duration::from_secs(300);

/// Case keys by key id.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, (Arc<ContentKey>, Instant)>>,
}

impl KeyCache {
    /// The key with this id, if held and still fresh.
    pub fn get(&self, key_id: &str) -> Option<Arc<ContentKey>> {
        let keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.get(key_id)
            .filter(|(_, since)| since.elapsed() < LIFETIME)
            .map(|(key, _)| key.clone())
    }

    /// Holds `key` under `key_id`, first dropping stale keys (or all, if still full).
    pub fn put(&self, key_id: &str, key: Arc<ContentKey>) {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if keys.len() >= CAPACITY {
            keys.retain(|_, (_, since)| since.elapsed() < LIFETIME);
            if keys.len() >= CAPACITY {
                keys.clear();
            }
        }
        keys.insert(key_id.to_owned(), (key, Instant::now()));
    }

    /// Drops the key with this id (its case has been destroyed).
    pub fn forget(&self, key_id: &str) {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.remove(key_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    #[test]
    fn keys_are_held_forgotten_and_bounded() {
        let master = MasterKey::generate().unwrap();
        let cache = KeyCache::default();
        let (key, _) = master.new_content_key().unwrap();
        cache.put("a", Arc::new(key));
        assert!(cache.get("a").is_some());
        cache.forget("a");
        assert!(cache.get("a").is_none());
        for i in 0..CAPACITY + 10 {
            let (key, _) = master.new_content_key().unwrap();
            cache.put(&format!("k{i}"), Arc::new(key));
        }
        assert!(cache.keys.lock().unwrap().len() <= CAPACITY);
    }
}
