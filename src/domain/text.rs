//! Free text as people type it: normalised, bounded, and never holding control characters.

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::phrase::Phrase;

/// Trims surrounding space, turns `\r\n` and lone `\r` into `\n`, refuses control characters
/// other than newline and tab, and enforces `max_chars` (counted in characters, not bytes).
/// Returns the cleaned text, or the problem. Empty text is returned as empty.
pub fn clean_text(text: &str, max_chars: usize) -> Result<SecretString, Phrase> {
    let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
    let mut chars = text.trim().chars().peekable();
    let mut count = 0usize;
    while let Some(c) = chars.next() {
        let c = if c == '\r' {
            if chars.peek() == Some(&'\n') {
                continue;
            }
            '\n'
        } else {
            c
        };
        if c.is_control() && c != '\n' && c != '\t' {
            return Err(Phrase::new("problem.control_characters"));
        }
        count += 1;
        cleaned.push(c);
    }
    if count > max_chars {
        return Err(Phrase::new("problem.too_long")
            .with("count", count)
            .with("max", max_chars));
    }
    Ok(SecretString::from(cleaned.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn normalises_and_bounds() {
        let cleaned = clean_text("  a\r\nb\rc\td  ", 10).unwrap();
        assert_eq!(cleaned.expose_secret(), "a\nb\nc\td");
        assert!(clean_text("bell\u{7}", 10).is_err());
        assert!(clean_text(&"é".repeat(11), 10).is_err());
        assert!(clean_text(&"é".repeat(10), 10).is_ok());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Cleaned text is trimmed, has no carriage return or other control character
            /// besides newline and tab, and is within the limit; cleaning it again changes nothing.
            #[test]
            fn cleaned_text_is_clean_and_stable(text in "\\PC{0,60}|[ a\r\n\t\u{7}]{0,20}", max in 0usize..50) {
                if let Ok(cleaned) = clean_text(&text, max) {
                    let cleaned = cleaned.expose_secret();
                    prop_assert!(cleaned.chars().count() <= max);
                    prop_assert!(!cleaned.contains('\r'));
                    prop_assert!(!cleaned.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
                    prop_assert_eq!(cleaned, cleaned.trim());
                    let again = clean_text(cleaned, max).unwrap();
                    prop_assert_eq!(again.expose_secret(), cleaned);
                }
            }
        }
    }
}
