//! Characters a reader cannot see, made visible for staff. A concern can carry characters that
//! change the direction of the text around them (U+202E RIGHT-TO-LEFT OVERRIDE turns "txt.exe"
//! into what looks like "exe.txt") or that take no space at all (U+200B ZERO WIDTH SPACE, U+2060
//! WORD JOINER, tags). Staff pages show each as a visible marker such as `[U+202E]`, so that
//! what an ombuds reads is what was sent. Every page also isolates each piece of user text
//! (`dir="auto"`, `<bdi>`) so that whatever it holds cannot reorder the page around it.
//!
//! Display only: the stored text keeps what the person sent.

use zeroize::Zeroizing;

/// Whether `c` changes the direction of text, or is a format or filler character that shows
/// nothing. Joiners between two characters outside ASCII (Persian, Indic scripts and emoji
/// need them) are judged by [`mark`], not here.
fn invisible(c: char) -> bool {
    matches!(
        c,
        // Direction marks, embeddings, overrides and isolates.
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        // Zero-width and invisible format characters.
        | '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}'
        // Fillers that draw as blank space.
        | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
    )
}

/// `text` with each invisible or direction-changing character replaced by `[U+XXXX]`. A zero
/// width joiner or non-joiner between two characters outside ASCII is left alone: there it
/// shapes a script or an emoji, and it cannot reorder anything.
pub fn mark(text: &str) -> Zeroizing<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut shown = Zeroizing::new(String::with_capacity(text.len()));
    for (i, &c) in chars.iter().enumerate() {
        let joiner = matches!(c, '\u{200C}' | '\u{200D}');
        let between_scripts = i > 0
            && chars.get(i - 1).is_some_and(|p| !p.is_ascii())
            && chars.get(i + 1).is_some_and(|n| !n.is_ascii());
        if invisible(c) && !(joiner && between_scripts) {
            shown.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    shown
}

/// A copy of a secret's text for a staff page, with invisible characters marked.
pub fn reveal_marked(secret: &secrecy::SecretString) -> Zeroizing<String> {
    use secrecy::ExposeSecret;
    mark(secret.expose_secret())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_changes_and_invisible_characters_are_shown() {
        assert_eq!(
            mark("invoice\u{202E}fdp.exe").as_str(),
            "invoice[U+202E]fdp.exe"
        );
        assert_eq!(
            mark("a\u{200B}b\u{2060}c\u{FEFF}").as_str(),
            "a[U+200B]b[U+2060]c[U+FEFF]"
        );
        assert_eq!(mark("\u{2067}x\u{2069}").as_str(), "[U+2067]x[U+2069]");
        assert_eq!(mark("tag\u{E0041}").as_str(), "tag[U+E0041]");
        assert_eq!(
            mark("ok\u{200D}ok").as_str(),
            "ok[U+200D]ok",
            "a joiner in ASCII"
        );
    }

    #[test]
    fn ordinary_text_in_any_script_is_left_alone() {
        for text in [
            "Plain English, with punctuation: (yes) — and a tab\tand\nlines.",
            "مرحبا بالعالم",
            "שלום עולם",
            "می\u{200C}خواهم",
            "👩\u{200D}💻 and ❤\u{FE0F}",
            "café naïve",
        ] {
            assert_eq!(mark(text).as_str(), text);
        }
    }
}
