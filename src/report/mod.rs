//! The board trend report: a [`Release`] rendered as an HTML page with SVG charts, as CSV and
//! as JSON, all three showing exactly the same tables, numbers and markers.
//!
//! [`view::ReportView::new`] turns a release into tables of words and numbers, a plain-language
//! summary and a statement of method; the three renderers (`html`, `csv`, `json`) only print that view; the words are
//! [`prose`]'s. The summary is
//! generated from the published numbers alone (never from a hidden one) and speaks of the whole
//! period only.
//!
//! This module presents; it must not decide what is hidden (that is
//! [`crate::domain::trends::disclosure`]), read counters, or add anything finer than a month.
//! Rendering needs no server: call [`render_html`], [`render_csv`] or [`render_json`].

pub mod chart;
mod csv;
mod html;
mod json;
mod prose;
#[cfg(test)]
mod tests;
pub mod view;

pub use csv::render_csv;
pub use html::{BoardReportPage, render_html, render_html_served};
pub use json::render_json;
pub use view::ReportView;

/// The language of the report: the board reads English, worded by `[board]` of `en.toml`.
const WORDS: crate::i18n::Lang = crate::i18n::Lang::En;
