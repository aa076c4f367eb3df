//! How the board report names its periods ("July 2026", "July to September 2026 (Q3)"), their
//! column headings ("July", "Q3") and how a sentence refers to one ("this quarter"), from the
//! `[board.period]` and `[calendar]` tables of the translation files.

use super::Lang;
use crate::domain::trends::{Period, YearMonth};

impl Lang {
    /// The period in words: "July 2026", "July to September 2026 (Q3)", "2026".
    pub fn period(self, period: Period) -> String {
        match period {
            Period::Month(month) => self.year_month(month),
            Period::Quarter { year, quarter } => {
                let months = period.months();
                self.f(
                    "board.period.quarter",
                    &[
                        ("first", &self.month(months.start().month())),
                        ("last", &self.month(months.end().month())),
                        ("year", &year),
                        ("quarter", &quarter),
                    ],
                )
            }
            Period::Year(year) => year.to_string(),
        }
    }

    /// A month of a year in words: "July 2026".
    pub fn year_month(self, month: YearMonth) -> String {
        self.f(
            "board.period.month",
            &[
                ("month", &self.month(month.month())),
                ("year", &month.year()),
            ],
        )
    }

    /// A period as a column heading: "July", "Q3", "2026".
    pub fn period_short(self, period: Period) -> String {
        match period {
            Period::Month(month) => self.month(month.month()).to_owned(),
            Period::Quarter { quarter, .. } => {
                self.f("board.period.quarter_short", &[("quarter", &quarter)])
            }
            Period::Year(year) => year.to_string(),
        }
    }

    /// How a sentence refers to the period's kind: "month", "quarter", "year" (as in "this
    /// quarter", "the year as a whole").
    pub fn period_noun(self, period: Period) -> &'static str {
        self.t(match period {
            Period::Month(_) => "board.period.noun_month",
            Period::Quarter { .. } => "board.period.noun_quarter",
            Period::Year(_) => "board.period.noun_year",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(code: &str) -> Period {
        code.parse().unwrap()
    }

    #[test]
    fn periods_read_naturally() {
        let en = Lang::En;
        assert_eq!(en.period(period("2026Q3")), "July to September 2026 (Q3)");
        assert_eq!(en.period(period("2024-02")), "February 2024");
        assert_eq!(en.period(period("2026")), "2026");
        assert_eq!(en.period_short(period("2026Q3")), "Q3");
        assert_eq!(en.period_short(period("2026-07")), "July");
        assert_eq!(en.period_short(period("2026")), "2026");
        assert_eq!(en.period_noun(period("2026Q3")), "quarter");
        assert_eq!(en.period_noun(period("2026-07")), "month");
        assert_eq!(en.period_noun(period("2026")), "year");
    }
}
