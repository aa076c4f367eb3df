//! Random bytes from the operating system, and the random identifiers built from them.

use super::CryptoError;

/// Fills `buf` from the operating system's random source.
pub fn fill(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Random(e.to_string()))
}

/// A fresh random 128-bit identifier, as 26 lowercase base32 characters.
pub fn new_id() -> Result<String, CryptoError> {
    let mut bytes = [0u8; 16];
    fill(&mut bytes)?;
    Ok(data_encoding::BASE32_NOPAD
        .encode(&bytes)
        .to_ascii_lowercase())
}

/// A fresh bearer token (256 random bits, base64url) and the SHA-256 hash under which it is
/// stored. The token itself is shown once and never stored.
pub fn new_token() -> Result<(zeroize::Zeroizing<String>, [u8; 32]), CryptoError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    fill(bytes.as_mut_slice())?;
    let token = zeroize::Zeroizing::new(data_encoding::BASE64URL_NOPAD.encode(bytes.as_slice()));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The stored form of a bearer token. The token is high-entropy, so an unkeyed hash suffices.
pub fn token_hash(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}
