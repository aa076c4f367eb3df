//! Reading request bodies: size limits, content types, and strict decoding of HTML forms and
//! JSON objects. Buffers that held a submission are wiped when dropped.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::error::Problem;
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;

mod strict_json;

/// Largest request body accepted, in bytes. A full-length description written in a
/// non-Latin script and percent-encoded by a browser still fits.
pub const MAX_BODY_BYTES: usize = 192 * 1024;

/// A request body that is wiped when dropped, if no one else holds it.
pub struct SensitiveBody(Option<Bytes>);

impl std::ops::Deref for SensitiveBody {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl SensitiveBody {
    /// Holds `bytes` read from a request.
    pub(super) fn new(bytes: Bytes) -> Self {
        Self(Some(bytes))
    }

    /// The bytes as a body for the next reader, who then holds them alone (and wipes them).
    pub fn into_body(mut self) -> Body {
        Body::from(self.0.take().unwrap_or_default())
    }
}

impl Drop for SensitiveBody {
    fn drop(&mut self) {
        if let Some(bytes) = self.0.take()
            && let Ok(mut owned) = bytes.try_into_mut()
        {
            owned.zeroize();
        }
    }
}

/// Checks that the body is declared as `expected` (parameters such as `charset` are ignored).
pub fn require_content_type(headers: &HeaderMap, expected: &str) -> Result<(), Problem> {
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match declared {
        Some(essence) if essence == expected => Ok(()),
        Some(other) => Err(Problem::UnsupportedMediaType(
            Phrase::new("error.content_type")
                .with("expected", expected)
                .with("other", other),
        )),
        None => Err(Problem::UnsupportedMediaType(
            Phrase::new("error.no_content_type").with("expected", expected),
        )),
    }
}

/// Reads the whole body, refusing more than `limit` bytes.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<SensitiveBody, Problem> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Problem::TooLarge { limit });
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(SensitiveBody(Some(bytes))),
        Err(error) => {
            let too_long = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
            if too_long {
                Err(Problem::TooLarge { limit })
            } else {
                Err(Problem::BadRequest(Phrase::new("error.body_unreadable")))
            }
        }
    }
}

/// Reads a body that must be one JSON object of at most [`MAX_BODY_BYTES`] with only the keys
/// `allowed`.
pub async fn json_object(
    headers: &HeaderMap,
    body: Body,
    allowed: &[&str],
) -> Result<JsonObject, Problem> {
    require_content_type(headers, "application/json")?;
    let body = read_body(headers, body, MAX_BODY_BYTES).await?;
    let object = JsonObject::parse(&body)?;
    object.only(allowed)?;
    Ok(object)
}

/// Reads an HTML form post of at most [`MAX_BODY_BYTES`], refusing one a browser marks as sent
/// from another site.
pub async fn form_fields(headers: &HeaderMap, body: Body) -> Result<FormFields, Problem> {
    refuse_cross_site(headers)?;
    require_content_type(headers, "application/x-www-form-urlencoded")?;
    let body = read_body(headers, body, MAX_BODY_BYTES).await?;
    FormFields::parse(&body)
}

/// Refuses a state-changing request a browser marks as coming from another site.
pub fn refuse_cross_site(headers: &HeaderMap) -> Result<(), Problem> {
    match headers.get("sec-fetch-site").map(|v| v.as_bytes()) {
        Some(b"cross-site") => Err(Problem::Forbidden(Phrase::new("error.cross_site"))),
        _ => Ok(()),
    }
}

/// The fields of an `application/x-www-form-urlencoded` body.
pub struct FormFields(Vec<(String, Zeroizing<String>)>);

impl FormFields {
    /// Decodes a form body strictly: malformed percent-escapes, invalid UTF-8 and repeated
    /// fields are refused with a message naming the problem.
    pub fn parse(body: &[u8]) -> Result<Self, Problem> {
        let mut fields: Vec<(String, Zeroizing<String>)> = Vec::new();
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &[][..]),
            };
            let name = Zeroizing::new(percent_decode(name)?);
            let name = String::from_utf8(name.to_vec())
                .map_err(|_| Problem::BadRequest(Phrase::new("error.field_name_utf8")))?;
            let value = percent_decode(value)?;
            let value = Zeroizing::new(std::str::from_utf8(&value).map(str::to_owned).map_err(
                |_| {
                    Problem::BadRequest(
                        Phrase::new("error.field_utf8").with("name", format!("{name:?}")),
                    )
                },
            )?);
            if fields.iter().any(|(seen, _)| *seen == name) {
                return Err(Problem::BadRequest(
                    Phrase::new("error.field_repeated").with("name", format!("{name:?}")),
                ));
            }
            fields.push((name, value));
        }
        Ok(Self(fields))
    }

    /// Takes the value of `name`, if it was sent.
    pub fn take(&mut self, name: &str) -> Option<Zeroizing<String>> {
        let at = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(at).1)
    }
}

fn percent_decode(input: &[u8]) -> Result<Zeroizing<Vec<u8>>, Problem> {
    let mut out = Zeroizing::new(Vec::with_capacity(input.len()));
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => {
                // Two hexadecimal digits and nothing else: `u8::from_str_radix` alone would
                // also take a sign, reading `%+a` as a line feed.
                let hex = input
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| Problem::BadRequest(Phrase::new("error.percent_escape")))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

/// Text fields by name, from a form or a JSON object alike, so that one decoder serves both.
pub trait Fields {
    /// Takes the text of `name`; a JSON value of the wrong type is recorded in `errors`.
    fn field(
        &mut self,
        name: &'static str,
        errors: &mut Vec<FieldError>,
    ) -> Option<Zeroizing<String>>;
    /// Whether `name` is set: a checked box (`yes`) in a form, `true` in JSON (a JSON value of
    /// the wrong type is recorded in `errors`).
    fn flag(&mut self, name: &'static str, errors: &mut Vec<FieldError>) -> bool {
        self.field(name, errors)
            .is_some_and(|v| v.as_str() == "yes")
    }
}

impl Fields for FormFields {
    fn field(&mut self, name: &'static str, _: &mut Vec<FieldError>) -> Option<Zeroizing<String>> {
        self.take(name)
    }
}

impl Fields for JsonObject {
    fn field(
        &mut self,
        name: &'static str,
        errors: &mut Vec<FieldError>,
    ) -> Option<Zeroizing<String>> {
        self.text(name, errors)
    }

    fn flag(&mut self, name: &'static str, errors: &mut Vec<FieldError>) -> bool {
        self.boolean(name, errors).unwrap_or(false)
    }
}

/// A decoded JSON object whose strings are wiped when it is dropped.
pub struct JsonObject(pub Map<String, Value>);

impl JsonObject {
    /// Decodes a body that must be one JSON object. A key repeated in any object of the body
    /// is refused, naming it, as a repeated form field is: which of the two values counts
    /// would otherwise depend on the reader.
    pub fn parse(body: &[u8]) -> Result<Self, Problem> {
        let value = strict_json::parse(body)?;
        match value {
            Value::Object(map) => Ok(Self(map)),
            mut other => {
                wipe(&mut other);
                Err(Problem::BadRequest(Phrase::new("api.not_an_object")))
            }
        }
    }
}

impl JsonObject {
    /// Refuses keys other than `allowed`, naming the first unknown one (a misspelt key would
    /// otherwise silently drop what the sender meant).
    pub fn only(&self, allowed: &[&str]) -> Result<(), Problem> {
        match self.0.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(unknown) => Err(Problem::BadRequest(
                Phrase::new("api.unknown_field")
                    .with("unknown", format!("{unknown:?}"))
                    .with("fields", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// Whether the object has the key `field` (with any value, `null` included).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Takes a string field; `null` or absent is `None`; another type is a field error.
    pub fn text(
        &mut self,
        field: &'static str,
        errors: &mut Vec<FieldError>,
    ) -> Option<Zeroizing<String>> {
        match self.0.get_mut(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(Zeroizing::new(std::mem::take(s))),
            Some(_) => {
                errors.push(FieldError::new(field, "api.problem.not_a_string"));
                None
            }
        }
    }

    /// Reads a boolean field; `null` or absent is `None`; another type is a field error.
    pub fn boolean(&self, field: &'static str, errors: &mut Vec<FieldError>) -> Option<bool> {
        match self.0.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                errors.push(FieldError::new(field, "api.problem.not_a_boolean"));
                None
            }
        }
    }
}

impl Drop for JsonObject {
    fn drop(&mut self) {
        for value in self.0.values_mut() {
            wipe(value);
        }
    }
}

fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_is_strict() {
        let mut form = FormFields::parse(b"a=1+2%21&b=caf%C3%A9&c").unwrap();
        assert_eq!(form.take("a").unwrap().as_str(), "1 2!");
        assert_eq!(form.take("b").unwrap().as_str(), "café");
        assert_eq!(form.take("c").unwrap().as_str(), "");
        assert!(form.take("a").is_none());
        assert!(FormFields::parse(b"a=%zz").is_err());
        assert!(
            FormFields::parse(b"a=%+a").is_err(),
            "a sign is not a hexadecimal digit"
        );
        assert!(FormFields::parse(b"%+0=x").is_err());
        assert!(FormFields::parse(b"a=%C3").is_err(), "invalid UTF-8");
        assert!(FormFields::parse(b"a=1&a=2").is_err(), "repeated field");
    }

    #[test]
    fn json_must_be_an_object() {
        assert!(JsonObject::parse(br#"{"a": 1}"#).is_ok());
        assert!(JsonObject::parse(b"[1]").is_err());
        assert!(JsonObject::parse(b"{").is_err());
    }

    mod properties {
        use super::*;
        use proptest::collection::{btree_map, vec};
        use proptest::prelude::*;

        proptest! {
            /// Whatever a browser's encoder writes, the strict decoder reads back exactly.
            #[test]
            fn decodes_what_the_standard_encoder_writes(
                fields in btree_map(".{0,12}", ".{0,40}", 0..8)
            ) {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields.iter())
                    .finish();
                let mut form = FormFields::parse(body.as_bytes()).unwrap();
                for (name, value) in &fields {
                    let taken = form.take(name);
                    prop_assert_eq!(taken.as_deref().map(String::as_str), Some(value.as_str()));
                }
            }

            /// Any bytes: refused with a message, or read as the standard decoder reads them.
            #[test]
            fn accepted_bodies_agree_with_the_standard_decoder(
                body in vec(prop_oneof![
                    Just(b'%'), Just(b'&'), Just(b'='), Just(b'+'), any::<u8>(), b'a'..=b'f'
                ], 0..64)
            ) {
                if let Ok(mut form) = FormFields::parse(&body) {
                    for (name, value) in form_urlencoded::parse(&body) {
                        let taken = form.take(&name);
                        prop_assert_eq!(taken.as_deref().map(String::as_str), Some(&*value));
                    }
                }
            }

            /// A JSON object of strings reads back field by field; anything else is refused.
            #[test]
            fn json_objects_of_strings_read_back(
                fields in btree_map("[a-z_]{1,10}", ".{0,30}", 0..6)
            ) {
                let body = serde_json::to_vec(&fields).unwrap();
                let mut object = JsonObject::parse(&body).unwrap();
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                prop_assert!(object.only(&names).is_ok());
                let mut errors = Vec::new();
                for (name, value) in &fields {
                    let name: &'static str = Box::leak(name.clone().into_boxed_str());
                    let text = object.text(name, &mut errors);
                    prop_assert_eq!(text.as_deref().map(String::as_str), Some(value.as_str()));
                }
                prop_assert!(errors.is_empty());
                let array = serde_json::to_vec(&fields.values().collect::<Vec<_>>()).unwrap();
                prop_assert!(JsonObject::parse(&array).is_err());
            }
        }
    }
}
