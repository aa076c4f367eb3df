//! A JSON reader that refuses an object with the same key twice. `serde_json` keeps the last
//! value of a repeated key; a proxy or another reader in front may keep the first, so the
//! service refuses the ambiguity instead of choosing. Strings already read are wiped when the
//! body is refused.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Problem, wipe};
use crate::domain::phrase::Phrase;

/// Reads `body` as one JSON value, refusing a repeated key in any object, naming the key.
pub(super) fn parse(body: &[u8]) -> Result<Value, Problem> {
    let repeated = RefCell::new(None);
    let mut reader = serde_json::Deserializer::from_slice(body);
    let read = Strict {
        repeated: &repeated,
    }
    .deserialize(&mut reader)
    .and_then(|mut value| match reader.end() {
        Ok(()) => Ok(value),
        Err(error) => {
            wipe(&mut value);
            Err(error)
        }
    });
    read.map_err(|error| match repeated.into_inner() {
        Some(key) => {
            Problem::BadRequest(Phrase::new("api.repeated_key").with("key", format!("{key:?}")))
        }
        None => Problem::BadRequest(Phrase::new("api.not_json").with("detail", error.to_string())),
    })
}

/// Builds a [`Value`] as `serde_json` does, but records the first repeated key and stops.
#[derive(Clone, Copy)]
struct Strict<'a> {
    repeated: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut list = Vec::new();
        loop {
            match items.next_element_seed(self) {
                Ok(Some(item)) => list.push(item),
                Ok(None) => return Ok(Value::Array(list)),
                Err(error) => {
                    list.iter_mut().for_each(wipe);
                    return Err(error);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        let refusal = loop {
            let key = match entries.next_key::<String>() {
                Ok(Some(key)) => key,
                Ok(None) => return Ok(Value::Object(map)),
                Err(error) => break error,
            };
            let mut value = match entries.next_value_seed(self) {
                Ok(value) => value,
                Err(error) => break error,
            };
            if map.contains_key(&key) {
                wipe(&mut value);
                *self.repeated.borrow_mut() = Some(key);
                break de::Error::custom("a key appears twice in one object");
            }
            map.insert(key, value);
        };
        map.values_mut().for_each(wipe);
        Err(refusal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(body: &str) -> String {
        match parse(body.as_bytes()) {
            Err(Problem::BadRequest(phrase)) => crate::i18n::Lang::En.say(&phrase),
            other => panic!("{body} was not refused as a bad request: {other:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for body in [
            r#"{"a": "x", "b": [1, -2, 3.5, true, null, {"c": "é"}], "d": {}}"#,
            "[]",
            "\"text\"",
            "18446744073709551615",
            " { \"a\" : [ ] } ",
        ] {
            let expected: Value = serde_json::from_str(body).unwrap();
            assert_eq!(parse(body.as_bytes()).unwrap(), expected, "{body}");
        }
    }

    #[test]
    fn a_repeated_key_is_refused_by_name_at_any_depth() {
        assert_eq!(
            refusal(r#"{"category": "a", "description": "b", "category": "c"}"#),
            "The JSON field \"category\" was sent more than once."
        );
        assert_eq!(
            refusal(r#"{"a": [{"inner": 1, "inner": 2}]}"#),
            "The JSON field \"inner\" was sent more than once."
        );
        // The same key in two different objects is not a repetition.
        assert!(parse(br#"{"a": {"k": 1}, "b": {"k": 1}}"#).is_ok());
    }

    #[test]
    fn malformed_bodies_are_still_reported_as_json_errors() {
        for body in ["{", "{} {}", "not json", "", "{\"a\": 1,}"] {
            let message = refusal(body);
            assert!(
                message.starts_with("The request body is not valid JSON: "),
                "{body}: {message}"
            );
        }
    }
}
