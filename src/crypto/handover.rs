//! Handing a new receipt to the person who sent the intake form, without losing it and without
//! giving it twice.
//!
//! Two small tools, both keyed by the receipt key (so every server process of a deployment
//! shares them, and a restart keeps them working), neither stored anywhere:
//!
//! - **Form tokens.** Each intake form carries a signed token (`EXPIRES.ID.TAG`: when it
//!   stops counting, 128 random bits, an HMAC tag). A form sent with a valid token gets a
//!   receipt *derived* from the token and the content sent ([`form_receipt`]), so the same form
//!   sent twice (a double click, a reload that posts again) comes to the same receipt, and the
//!   store keeps one case per receipt. A different content, or another form, gives another
//!   receipt. The receipt cannot be worked out without the receipt key and the token, which only
//!   the page that showed the form holds.
//! - **Receipt views.** The answer to the form is a redirect to `/receipt` with a cookie that
//!   carries the receipt sealed (AES-256-GCM, a random nonce) under a key derived from the receipt
//!   key, with the first-contact date and the second it stops opening ([`seal_view`]). The
//!   receipt page opens it ([`open_view`]) as often as it is reloaded, in either language,
//!   until then; no address ever carries the receipt.
//!
//! This module knows nothing of HTTP, cookies or the database.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::receipt::{RECEIPT_WORDS, Receipt, ReceiptKey};
use super::{CryptoError, random};

/// The purpose names under which the receipt key derives each tool's key (see
/// [`ReceiptKey::tag`]); no other purpose uses them.
const FORM_TOKEN: &str = "intake form token";
const FORM_RECEIPT: &str = "intake form receipt";
const VIEW_KEY: &str = "receipt view key";
/// Bound into every sealed view, so that nothing else sealed under the key passes for one.
const VIEW_AAD: &[u8] = b"ombuds receipt view v1";

/// A form token that was issued here and has not expired: its random part.
pub struct FormToken(Zeroizing<[u8; 16]>);

impl std::fmt::Debug for FormToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormToken(..)")
    }
}

fn form_tag(key: &ReceiptKey, body: &str) -> String {
    data_encoding::HEXLOWER.encode(&key.tag(FORM_TOKEN, body.as_bytes())[..16])
}

/// A new form token, counting until `expires` (Unix seconds).
pub fn issue_form_token(key: &ReceiptKey, expires: i64) -> Result<String, CryptoError> {
    let mut id = Zeroizing::new([0u8; 16]);
    random::fill(id.as_mut_slice())?;
    let body = format!(
        "{expires}.{}",
        data_encoding::HEXLOWER.encode(id.as_slice())
    );
    let tag = form_tag(key, &body);
    Ok(format!("{body}.{tag}"))
}

/// The token `text`, if it was issued under `key` and still counts at `now`.
pub fn check_form_token(key: &ReceiptKey, text: &str, now: i64) -> Option<FormToken> {
    let text = text.trim();
    if text.len() > 96 {
        return None;
    }
    let (body, tag) = text.rsplit_once('.')?;
    let expected = form_tag(key, body);
    if !bool::from(expected.as_bytes().ct_eq(tag.as_bytes())) {
        return None;
    }
    let (expires, id) = body.split_once('.')?;
    if now >= expires.parse::<i64>().ok()? {
        return None;
    }
    let id = Zeroizing::new(data_encoding::HEXLOWER.decode(id.as_bytes()).ok()?);
    let id: [u8; 16] = id.as_slice().try_into().ok()?;
    Some(FormToken(Zeroizing::new(id)))
}

/// The receipt for the form `token` sent with `content` (the concern as it is sealed): the
/// same for the same token and content, another for any other.
pub fn form_receipt(key: &ReceiptKey, token: &FormToken, content: &[u8]) -> Receipt {
    let mut input = Zeroizing::new(Vec::with_capacity(16 + 32));
    input.extend_from_slice(token.0.as_slice());
    input.extend_from_slice(&Sha256::digest(content));
    let derived = Zeroizing::new(key.tag(FORM_RECEIPT, &input));
    let mut bytes = Zeroizing::new([0u8; 2 * RECEIPT_WORDS]);
    bytes.copy_from_slice(&derived[..2 * RECEIPT_WORDS]);
    Receipt::from_bytes(&bytes)
}

fn view_key(key: &ReceiptKey) -> Result<LessSafeKey, CryptoError> {
    let bytes = Zeroizing::new(key.tag(VIEW_KEY, &[]));
    UnboundKey::new(&AES_256_GCM, bytes.as_slice())
        .map(LessSafeKey::new)
        .map_err(|_| CryptoError::MalformedKey("receipt view key"))
}

/// `receipt` and its `first_contact` date sealed for the receipt page, opening until
/// `expires` (Unix seconds), as base64url text fit for a cookie.
pub fn seal_view(
    key: &ReceiptKey,
    receipt: &Receipt,
    first_contact: NaiveDate,
    expires: i64,
) -> Result<Zeroizing<String>, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    random::fill(&mut nonce)?;
    let mut sealed = Zeroizing::new(Vec::with_capacity(160));
    sealed.extend_from_slice(format!("{expires} {first_contact} ").as_bytes());
    sealed.extend_from_slice(receipt.expose().as_bytes());
    view_key(key)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(VIEW_AAD),
            &mut *sealed,
        )
        .map_err(|_| CryptoError::Encrypt("receipt view".into()))?;
    let mut out = Zeroizing::new(Vec::with_capacity(NONCE_LEN + sealed.len()));
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(Zeroizing::new(data_encoding::BASE64URL_NOPAD.encode(&out)))
}

/// The receipt and first-contact date sealed in `text` by [`seal_view`], if it opens under
/// `key` and has not expired at `now`.
pub fn open_view(key: &ReceiptKey, text: &str, now: i64) -> Option<(Receipt, NaiveDate)> {
    if text.len() > 512 {
        return None;
    }
    let mut bytes = Zeroizing::new(
        data_encoding::BASE64URL_NOPAD
            .decode(text.trim().as_bytes())
            .ok()?,
    );
    if bytes.len() <= NONCE_LEN {
        return None;
    }
    let nonce = Nonce::try_assume_unique_for_key(&bytes[..NONCE_LEN]).ok()?;
    let opened = view_key(key)
        .ok()?
        .open_in_place(nonce, Aad::from(VIEW_AAD), &mut bytes[NONCE_LEN..])
        .ok()?;
    let opened = std::str::from_utf8(opened).ok()?;
    let mut parts = opened.splitn(3, ' ');
    let (Some(expires), Some(date), Some(receipt)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if now >= expires.parse::<i64>().ok()? {
        return None;
    }
    let date = date.parse::<NaiveDate>().ok()?;
    let receipt = Receipt::parse(receipt).ok()?;
    Some((receipt, date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_token_counts_until_it_expires_and_only_under_its_key() {
        let key = ReceiptKey::generate().unwrap();
        let other = ReceiptKey::generate().unwrap();
        let token = issue_form_token(&key, 1000).unwrap();
        assert!(check_form_token(&key, &token, 999).is_some());
        assert!(check_form_token(&key, &token, 1000).is_none());
        assert!(check_form_token(&other, &token, 999).is_none());
        let later = token.replacen("1000", "9999", 1);
        assert!(check_form_token(&key, &later, 999).is_none());
        for bad in ["", ".", "1000..", "garbage", &"9".repeat(200)] {
            assert!(check_form_token(&key, bad, 0).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_same_form_and_content_give_the_same_receipt_and_nothing_else_does() {
        let key = ReceiptKey::generate().unwrap();
        let first = issue_form_token(&key, 1000).unwrap();
        let second = issue_form_token(&key, 1000).unwrap();
        let first = check_form_token(&key, &first, 0).unwrap();
        let second = check_form_token(&key, &second, 0).unwrap();
        let a = form_receipt(&key, &first, b"concern one");
        assert_eq!(
            a.expose(),
            form_receipt(&key, &first, b"concern one").expose()
        );
        assert_ne!(
            a.expose(),
            form_receipt(&key, &first, b"concern two").expose()
        );
        assert_ne!(
            a.expose(),
            form_receipt(&key, &second, b"concern one").expose()
        );
        let other = ReceiptKey::generate().unwrap();
        assert_ne!(
            a.expose(),
            form_receipt(&other, &first, b"concern one").expose()
        );
        assert_eq!(a.expose().split('-').count(), RECEIPT_WORDS);
    }

    #[test]
    fn a_sealed_view_opens_until_it_expires_and_not_when_changed() {
        let key = ReceiptKey::generate().unwrap();
        let receipt = Receipt::generate().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let sealed = seal_view(&key, &receipt, date, 1600).unwrap();
        assert!(!sealed.contains(receipt.expose().split('-').next().unwrap()));
        let (opened, on) = open_view(&key, &sealed, 1599).unwrap();
        assert_eq!((opened.expose(), on), (receipt.expose(), date));
        assert!(open_view(&key, &sealed, 1600).is_none(), "expired");
        let other = ReceiptKey::generate().unwrap();
        assert!(open_view(&other, &sealed, 0).is_none(), "another key");
        let mut changed = sealed.as_bytes().to_vec();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        assert!(open_view(&key, std::str::from_utf8(&changed).unwrap(), 0).is_none());
        assert!(open_view(&key, "", 0).is_none());
        assert!(open_view(&key, "not base64 !", 0).is_none());
        // Two seals of the same receipt differ (a fresh nonce each time).
        assert_ne!(*sealed, *seal_view(&key, &receipt, date, 1600).unwrap());
    }
}
