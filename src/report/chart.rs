//! Geometry of the hand-written SVG bar charts of the board report.
//!
//! Everything is computed here in whole pixels so the template only prints numbers; the same
//! release always gives the same drawing. A hidden count is never drawn as a bar of its own
//! length: "fewer than k" is a hatched, dashed box spanning 0 to k (the range the value lies
//! in), "withheld" and "not shown" have no bar at all, only their words.
//!
//! This module draws; it decides nothing about what may be shown.

use super::view::{CellKind, CellView};

/// Total drawing width, in SVG user units.
const WIDTH: u32 = 640;
/// Left margin.
const LEFT: u32 = 8;
/// Room on the right of the longest bar for its value.
const RIGHT: u32 = 130;
/// Height of a row's label line.
const LABEL: u32 = 18;
/// Height of one bar.
const BAR: u32 = 14;
/// Space between bars of a group.
const BAR_GAP: u32 = 3;
/// Space after a group.
const GROUP_GAP: u32 = 12;
/// Colours of the series (Okabe–Ito: distinguishable with common colour-vision deficiencies).
const COLOURS: [&str; 4] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7"];

/// One chart, ready to print.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Prefix of the element ids inside this chart.
    pub id: String,
    /// The chart's title (also its accessible name).
    pub title: String,
    /// The text alternative: every value, in words.
    pub description: String,
    /// Width of the drawing.
    pub width: u32,
    /// Height of the drawing.
    pub height: u32,
    /// The legend entries (only when there are several series).
    pub legend: Vec<LegendEntry>,
    /// Row labels.
    pub labels: Vec<Text>,
    /// The bars and the suppressed-cell boxes.
    pub bars: Vec<Bar>,
    /// The value written after each bar.
    pub values: Vec<Text>,
}

/// A piece of text at a position.
#[derive(Debug, Clone)]
pub struct Text {
    /// Left edge.
    pub x: u32,
    /// Baseline.
    pub y: u32,
    /// The words.
    pub text: String,
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    /// Left edge of the swatch.
    pub x: u32,
    /// Top of the swatch.
    pub y: u32,
    /// The series colour.
    pub colour: &'static str,
    /// The series name.
    pub label: String,
}

/// One rectangle.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Left edge.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Fill: a colour, or the hatch pattern for a "fewer than k" box.
    pub fill: String,
    /// Drawn with a dashed outline (a suppressed cell).
    pub dashed: bool,
}

/// One group of bars: a row of the table.
pub struct Group<'a> {
    /// The row's label.
    pub label: &'a str,
    /// One cell per series.
    pub cells: &'a [CellView],
}

/// Draws `groups` as horizontal bars, one per series in each group. `series` names the series
/// when there are several (they get a legend).
pub fn bars(
    id: &str,
    title: &str,
    description: String,
    series: &[String],
    groups: &[Group<'_>],
    k: u32,
) -> Chart {
    let k = u64::from(k);
    let largest = groups
        .iter()
        .flat_map(|g| g.cells.iter())
        .filter_map(|c| c.count)
        .max()
        .unwrap_or(0)
        .max(k)
        .max(1);
    let span = WIDTH - LEFT - RIGHT;
    let length = |value: u64| -> u32 {
        let scaled = value.saturating_mul(u64::from(span)) / largest;
        u32::try_from(scaled).unwrap_or(span)
    };
    let hatch = format!("url(#{id}-hatch)");
    let mut chart = Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description,
        width: WIDTH,
        height: 0,
        legend: Vec::new(),
        labels: Vec::new(),
        bars: Vec::new(),
        values: Vec::new(),
    };
    let mut y = 4;
    if series.len() > 1 {
        let mut x = LEFT;
        for (i, name) in series.iter().enumerate() {
            chart.legend.push(LegendEntry {
                x,
                y,
                colour: COLOURS[i % COLOURS.len()],
                label: name.clone(),
            });
            x += 24 + 9 * u32::try_from(name.chars().count()).unwrap_or(10);
        }
        y += LABEL + 8;
    }
    for group in groups {
        y += LABEL;
        chart.labels.push(Text {
            x: LEFT,
            y: y - 5,
            text: group.label.to_owned(),
        });
        for (i, cell) in group.cells.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let (width, fill, dashed) = match cell.kind {
                CellKind::Count => (length(cell.count.unwrap_or(0)), colour.to_owned(), false),
                CellKind::FewerThanK => (length(k), hatch.clone(), true),
                CellKind::Withheld | CellKind::NotShown => (0, String::new(), true),
            };
            if width > 0 || cell.kind == CellKind::FewerThanK {
                chart.bars.push(Bar {
                    x: LEFT,
                    y,
                    width: width.max(1),
                    height: BAR,
                    fill,
                    dashed,
                });
            }
            let text = if series.len() > 1 {
                format!("{} {}", series.get(i).map_or("", String::as_str), cell.text)
            } else {
                cell.text.clone()
            };
            chart.values.push(Text {
                x: LEFT + width + 6,
                y: y + BAR - 3,
                text,
            });
            y += BAR + BAR_GAP;
        }
        y += GROUP_GAP;
    }
    chart.height = y;
    chart
}
