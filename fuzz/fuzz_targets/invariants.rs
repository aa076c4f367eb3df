//! Invariants that more than one fuzz target checks.

/// Text the service accepted is within `max_chars`, trimmed, and free of control characters
/// other than line feeds and tabs.
pub fn assert_clean(text: &str, max_chars: usize) {
    assert!(
        text.chars().count() <= max_chars,
        "{} chars over {max_chars}",
        text.len()
    );
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    );
    assert!(!text.contains('\r'));
    assert_eq!(text, text.trim());
}
