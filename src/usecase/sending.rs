//! Storing a letter for one party: each of its languages as a printable page and as plain
//! text, sealed under the letter's own key and kept until the letter's expiry, with the
//! message that announces it in the party's thread (docs/RULES.md, "The notice to every
//! party").

use chrono::NaiveDate;

use crate::domain::case::LetterKind;
use crate::i18n::Lang;
use crate::letters::Letter;
use crate::letters::stored::{self, Label};

use super::{Ctx, Refusal};

/// One party's letter in each of its languages: the printable page, the plain text, and the
/// message that announces it in the party's thread.
pub(super) struct Composed(Vec<(Lang, [String; 3])>);

/// Which part of a [`Composed`] letter.
pub(super) const HTML: usize = 0;
pub(super) const TEXT: usize = 1;
/// The thread message (kept like the letter's versions; each reader sees their own).
pub(super) const SAID: usize = 2;

impl Composed {
    /// Lays out `make`'s letter in each of `langs`, with the thread message `said` gives.
    pub(super) fn new(
        langs: &[Lang],
        make: impl Fn(Lang) -> Result<Letter, Refusal>,
        said: impl Fn(Lang) -> String,
    ) -> Result<Self, Refusal> {
        let mut versions = Vec::new();
        for lang in langs {
            let letter = make(*lang)?;
            let html = letter
                .html()
                .map_err(|e| Refusal::Internal(format!("rendering a letter: {e}")))?;
            versions.push((*lang, [html, letter.text(), said(*lang)]));
        }
        Ok(Self(versions))
    }

    /// One part in every language, in the stored several-language form.
    pub(super) fn bundle(&self, part: usize) -> String {
        let versions: Vec<_> = self
            .0
            .iter()
            .map(|(lang, parts)| (*lang, parts[part].as_str()))
            .collect();
        stored::bundle(&versions)
    }
}

/// Stores `composed` as a letter of `kind` dated today on case `case_id`, addressed to the
/// added party `party_id` (`None`: the person who raised the concern), destroyed with its key
/// on `expires_on`; returns its id.
pub(super) async fn store(
    ctx: &Ctx<'_>,
    case_id: &str,
    party_id: Option<&str>,
    kind: LetterKind,
    label: &Label,
    composed: &Composed,
    expires_on: NaiveDate,
) -> Result<String, Refusal> {
    ctx.store
        .add_letter(
            case_id,
            party_id,
            kind,
            ctx.today(),
            expires_on,
            (
                &label.encode(),
                &composed.bundle(HTML),
                &composed.bundle(TEXT),
            ),
        )
        .await?
        .ok_or(Refusal::NotFound)
}
