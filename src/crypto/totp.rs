//! The second factor for staff: time-based one-time codes (RFC 6238: HMAC-SHA1, six digits,
//! 30-second steps), accepted one step either side of now, each step only once per account.

use std::fmt;

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeroize::Zeroizing;

use super::CryptoError;
use super::random;

/// Length of a step, in seconds.
pub const STEP_SECONDS: u64 = 30;

/// A TOTP shared secret (160 bits).
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new(vec![0u8; 20]);
        random::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// A secret from its stored bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() < 16 {
            return Err(CryptoError::MalformedKey(
                "a TOTP secret has at least 128 bits",
            ));
        }
        Ok(Self(Zeroizing::new(bytes.to_vec())))
    }

    /// The stored bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32, for typing into an authenticator app by hand.
    pub fn base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&self.0))
    }

    fn totp(&self, issuer: &str, account: &str) -> Result<Totp, CryptoError> {
        // Colons separate issuer and account in an otpauth label; keep them out of both.
        let issuer: String = issuer.chars().filter(|c| *c != ':').collect();
        let account: String = account.chars().filter(|c| *c != ':').collect();
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_secret(Secret::new(self.0.to_vec().into_boxed_slice()))
            .with_issuer(Some(issuer))
            .with_account_name(account)
            .build()
            .map_err(|e| CryptoError::MalformedKey(totp_error(&e)))
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn otpauth_uri(
        &self,
        issuer: &str,
        account: &str,
    ) -> Result<Zeroizing<String>, CryptoError> {
        self.totp(issuer, account)?
            .to_url()
            .map(Zeroizing::new)
            .map_err(|e| CryptoError::MalformedKey(totp_error(&e)))
    }

    /// The time step `code` belongs to, if it is valid at unix time `now` (one step of skew).
    pub fn matching_step(&self, code: &str, now: u64) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        self.totp("ombuds", "staff").ok()?.check(&code, now)
    }

    /// The code for unix time `now` (used by tests and the enrolment check).
    pub fn code_at(&self, now: u64) -> Result<String, CryptoError> {
        Ok(self.totp("ombuds", "staff")?.generate(now).to_string())
    }
}

fn totp_error(_: &totp_rs::TotpError) -> &'static str {
    "the TOTP parameters were refused"
}

/// An SVG QR code of `text`, drawn with plain rectangles (no script, no text).
pub fn qr_svg(text: &str) -> Result<String, CryptoError> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|_| CryptoError::MalformedKey("the enrolment link is too long for a QR code"))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_with_one_step_of_skew() {
        let secret = TotpSecret::generate().unwrap();
        let now = 1_780_000_000;
        let code = secret.code_at(now).unwrap();
        assert_eq!(code.len(), 6);
        assert_eq!(secret.matching_step(&code, now), Some(now / STEP_SECONDS));
        assert_eq!(
            secret.matching_step(&code, now + STEP_SECONDS),
            Some(now / STEP_SECONDS)
        );
        assert_eq!(secret.matching_step(&code, now + 3 * STEP_SECONDS), None);
        assert_eq!(secret.matching_step("12345", now), None);
        assert_eq!(secret.matching_step("abcdef", now), None);
    }

    #[test]
    fn the_uri_and_qr_code_are_made() {
        let secret = TotpSecret::generate().unwrap();
        let uri = secret
            .otpauth_uri("Example Association: REALTORS®", "maria")
            .unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{}", uri.as_str());
        assert!(uri.contains(secret.base32().as_str()));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.contains("<svg") && !svg.contains("<script"));
        assert_eq!(format!("{secret:?}"), "TotpSecret(..)");
    }
}
