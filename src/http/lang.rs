//! Reads the language a public page is asked for from its address (`?lang=es`): the only way a
//! language is chosen. No cookie, no header sniffing; an unknown value means English.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::i18n::Lang;

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_query(parts.uri.query()))
    }
}
