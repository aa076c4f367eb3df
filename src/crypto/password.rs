//! Staff passwords: argon2id with the OWASP-recommended cost (19 MiB, 2 passes, 1 lane).
//!
//! Hashing takes tens of milliseconds on purpose; callers run it on a blocking thread.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use super::CryptoError;
use super::random;

fn hasher() -> Result<Argon2<'static>, CryptoError> {
    let params = Params::new(
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
        None,
    )
    .map_err(|e| CryptoError::Encrypt(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$…`) of a new hash of `password` with a random salt.
pub fn hash(password: &str) -> Result<String, CryptoError> {
    let mut salt = [0u8; 16];
    random::fill(&mut salt)?;
    let hashed = hasher()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| CryptoError::Encrypt(format!("argon2: {e}")))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the PHC string `stored`.
pub fn verify(password: &str, stored: &str) -> bool {
    hasher()
        .map(|h| h.verify_password(password.as_bytes(), stored).is_ok())
        .unwrap_or(false)
}

/// Does the work of one verification against a throwaway hash, so that a sign-in for an unknown
/// username takes as long as one for a known username.
pub fn verify_nothing(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$\
                         AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let _ = verify(password, DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("anything", "not a hash"));
        verify_nothing("anything");
    }
}
