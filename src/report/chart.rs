//! Geometry of the hand-written SVG bar charts of the board report.
//!
//! Everything is computed here in whole pixels so the template only prints numbers; the same
//! release always gives the same drawing. A hidden count is never drawn as a bar of its own
//! length: "fewer than k" is a hatched, dashed box spanning 0 to k (the range the value lies
//! in), "withheld" and "not shown" have no bar at all, only their words.
//!
//! This module draws; it decides nothing about what may be shown.

use super::view::{CellKind, CellView};

/// Drawing width, in SVG user units, unless its words need more.
const WIDTH: u32 = 640;
/// Left margin, and the least room kept on the right of the widest text.
const LEFT: u32 = 8;
/// The shortest the longest bar may be, however long the words beside it.
const MIN_SPAN: u32 = 240;
/// Space between a bar's end and its value.
const VALUE_GAP: u32 = 6;
/// Room one character takes at the charts' 13-unit font, with some to spare: the widest
/// common letters of a sans-serif face are about 0.6 em, bold about 0.65 em. Words are never
/// measured in a browser, so every width is reckoned with this and errs on the wide side.
const CHAR: u32 = 9;
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
    // The value written after each bar: its series (when there are several) and its words.
    let value_text = |i: usize, cell: &CellView| {
        if series.len() > 1 {
            format!("{} {}", series.get(i).map_or("", String::as_str), cell.text)
        } else {
            cell.text.clone()
        }
    };
    // The widest value sets the room on the right of the longest bar, and the longest bar
    // keeps at least MIN_SPAN: the drawing widens when the words need it, and no word is cut.
    let widest_value = groups
        .iter()
        .flat_map(|g| g.cells.iter().enumerate().map(|(i, c)| value_text(i, c)))
        .map(|text| text_width(&text))
        .max()
        .unwrap_or(0);
    let widest_label = groups
        .iter()
        .map(|g| text_width(g.label))
        .max()
        .unwrap_or(0);
    let right = VALUE_GAP + widest_value + LEFT;
    let span = WIDTH.saturating_sub(LEFT + right).max(MIN_SPAN);
    let width = (LEFT + span + right).max(LEFT + widest_label + LEFT);
    let length = |value: u64| -> u32 {
        let scaled = value.saturating_mul(u64::from(span)) / largest;
        u32::try_from(scaled).unwrap_or(span)
    };
    let hatch = format!("url(#{id}-hatch)");
    let mut chart = Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description,
        width,
        height: 0,
        legend: Vec::new(),
        labels: Vec::new(),
        bars: Vec::new(),
        values: Vec::new(),
    };
    let mut y = 4;
    if series.len() > 1 {
        // Entries side by side, on as many lines as the width needs.
        let mut x = LEFT;
        for (i, name) in series.iter().enumerate() {
            let entry = 18 + text_width(name);
            if x > LEFT && x + entry > width - LEFT {
                x = LEFT;
                y += LABEL + 4;
            }
            chart.legend.push(LegendEntry {
                x,
                y,
                colour: COLOURS[i % COLOURS.len()],
                label: name.clone(),
            });
            x += entry + 12;
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
            let (bar, fill, dashed) = match cell.kind {
                CellKind::Count => (length(cell.count.unwrap_or(0)), colour.to_owned(), false),
                CellKind::FewerThanK => (length(k), hatch.clone(), true),
                CellKind::Withheld | CellKind::NotShown => (0, String::new(), true),
            };
            if bar > 0 || cell.kind == CellKind::FewerThanK {
                chart.bars.push(Bar {
                    x: LEFT,
                    y,
                    width: bar.max(1),
                    height: BAR,
                    fill,
                    dashed,
                });
            }
            chart.values.push(Text {
                x: LEFT + bar + VALUE_GAP,
                y: y + BAR - 3,
                text: value_text(i, cell),
            });
            y += BAR + BAR_GAP;
        }
        y += GROUP_GAP;
    }
    chart.height = y;
    chart
}

/// The room `text` takes at most, reckoned with [`CHAR`].
pub fn text_width(text: &str) -> u32 {
    u32::try_from(text.chars().count())
        .unwrap_or(u32::MAX / CHAR)
        .saturating_mul(CHAR)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(kind: CellKind, count: Option<u64>, text: &str) -> CellView {
        CellView {
            text: text.to_owned(),
            kind,
            count,
        }
    }

    /// Issue 21: "September fewer than 5" was cut to "September fewer tl" at the drawing's
    /// edge. Every word now ends inside the drawing, however long, with one series or several.
    #[test]
    fn no_word_runs_past_the_edge_of_the_drawing() {
        let hidden = cell(CellKind::FewerThanK, None, "fewer than 5");
        let large = cell(CellKind::Count, Some(120), "120");
        let withheld = cell(CellKind::Withheld, None, "withheld");
        let three = [hidden.clone(), large.clone(), withheld.clone()];
        let one = [large.clone()];
        let series: Vec<String> = ["July", "August", "September"].map(str::to_owned).to_vec();
        let long_label = "Unprofessional or possibly unethical conduct by a member or an \
                          employee of a brokerage";
        let groups = [
            Group {
                label: "Commission disputes",
                cells: &three,
            },
            Group {
                label: long_label,
                cells: &three,
            },
        ];
        for (series, groups) in [
            (&series[..], &groups[..]),
            (
                &[][..],
                &[Group {
                    label: "Web",
                    cells: &one,
                }][..],
            ),
        ] {
            let chart = bars("c", "t", String::new(), series, groups, 5);
            for text in chart.values.iter().chain(&chart.labels) {
                let end = text.x + text_width(&text.text);
                assert!(
                    end <= chart.width,
                    "{:?} ends at {end} of {}",
                    text.text,
                    chart.width
                );
            }
            for entry in &chart.legend {
                assert!(entry.x + 18 + text_width(&entry.label) <= chart.width);
            }
            for bar in &chart.bars {
                assert!(bar.x + bar.width <= chart.width);
            }
        }
        // "September fewer than 5" in full, after a full-length hatched box.
        let chart = bars("c", "t", String::new(), &series, &groups, 5);
        assert!(chart.values.iter().any(|v| v.text == "September withheld"));
        assert!(chart.values.iter().any(|v| v.text == "July fewer than 5"));
        assert!(chart.width > WIDTH, "the long label widens the drawing");
    }
}
