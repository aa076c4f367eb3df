//! The `[reports]` table: how board trend reports protect small counts (`k`, `epsilon`), which
//! kinds of period the board sees (`periods`) and from which day (`start`). This module only
//! reads and checks the settings, for the service and for `ombuds report` alike; what they mean
//! is [`crate::domain::trends`]'.

use chrono::NaiveDate;
use serde::Deserialize;

use super::Invalid;
use crate::domain::phrase::{Phrase, Said as _};
use crate::domain::trends::{Period, PeriodKind, ReleaseError, TrendSettings};

/// The checked `[reports]` table.
#[derive(Debug, Clone)]
pub struct Reports {
    /// Threshold and optional noise.
    pub settings: TrendSettings,
    /// The kinds of period released to the board, shortest first.
    pub periods: Vec<PeriodKind>,
    /// The first day reports cover: the board sees periods that begin on or after it.
    pub start: NaiveDate,
}

/// The day reports cover from when `start` is not set: 1 January 2026, the year this version
/// first shipped.
const DEFAULT_START: NaiveDate = match NaiveDate::from_ymd_opt(2026, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

impl Default for Reports {
    /// What an empty `[reports]` table means.
    fn default() -> Self {
        Self {
            settings: TrendSettings::default(),
            periods: vec![PeriodKind::Quarter],
            start: DEFAULT_START,
        }
    }
}

impl Reports {
    /// Why `period` is not one the board may see under these settings, if it is not: a kind not
    /// configured (naming `[reports] periods`) or a period beginning before `start`.
    pub fn admits(&self, period: Period) -> Result<(), Phrase> {
        if !self.periods.contains(&period.kind()) {
            let kinds: Vec<&str> = self.periods.iter().map(|k| k.code()).collect();
            return Err(Phrase::new("cli.config.periods_only").with("kinds", kinds.join(" and ")));
        }
        if period.first_day() < self.start {
            let refusal = ReleaseError::BeforeStart {
                period,
                start: self.start,
            };
            return Err(refusal.phrase());
        }
        Ok(())
    }

    /// Every period the board may see that is complete on `today`, newest first. The list
    /// depends on the settings and the date alone, never on what was counted.
    pub fn complete_periods(&self, today: NaiveDate) -> Vec<Period> {
        let mut periods: Vec<Period> = self
            .periods
            .iter()
            .flat_map(|kind| Period::complete_since(*kind, self.start, today))
            .collect();
        periods.sort_by_key(|p| std::cmp::Reverse((p.last_day(), p.kind())));
        periods
    }
}

/// `[reports]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    k: u32,
    epsilon: Option<f64>,
    periods: Vec<String>,
    start: Option<String>,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            k: TrendSettings::DEFAULT_K,
            epsilon: None,
            periods: vec!["quarter".to_owned()],
            start: None,
        }
    }
}

impl Raw {
    /// Checks every setting.
    pub(super) fn check(self) -> Result<Reports, Invalid> {
        let settings = TrendSettings {
            k: self.k,
            epsilon: self.epsilon,
        };
        settings.validate().map_err(|e| (e.setting, e.problem))?;
        let mut periods = Vec::new();
        for word in &self.periods {
            let kind = PeriodKind::from_code(word).ok_or_else(|| {
                (
                    "reports.periods",
                    Phrase::new("cli.config.not_a_period").with("word", format!("{word:?}")),
                )
            })?;
            if !periods.contains(&kind) {
                periods.push(kind);
            }
        }
        periods.sort();
        if periods.is_empty() {
            return Err(("reports.periods", Phrase::new("cli.config.no_period")));
        }
        if periods.len() > 1 && settings.epsilon.is_none() {
            return Err(("reports.periods", Phrase::new("cli.config.nested_periods")));
        }
        let start = match self.start.as_deref() {
            None => DEFAULT_START,
            Some(text) => crate::domain::dates::parse_iso_date(text)
                .ok()
                .filter(|day| (1900..=9999).contains(&chrono::Datelike::year(day)))
                .ok_or_else(|| {
                    (
                        "reports.start",
                        Phrase::new("cli.config.start").with("text", format!("{text:?}")),
                    )
                })?,
        };
        Ok(Reports {
            settings,
            periods,
            start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Reports, Invalid> {
        toml::from_str::<Raw>(text).unwrap().check()
    }

    fn date(text: &str) -> NaiveDate {
        crate::domain::dates::parse_iso_date(text).unwrap()
    }

    #[test]
    fn defaults_and_the_start_setting() {
        let reports = check("").unwrap();
        assert_eq!(reports.settings.k, 5);
        assert_eq!(reports.periods, [PeriodKind::Quarter]);
        assert_eq!(reports.start, date("2026-01-01"));
        assert_eq!(reports.start, Reports::default().start);
        assert_eq!(reports.periods, Reports::default().periods);
        let reports = check("start = \"2025-04-01\"").unwrap();
        assert_eq!(reports.start, date("2025-04-01"));
        for bad in [
            "start = \"April\"",
            "start = \"2025-13-01\"",
            "start = \"0001-01-01\"",
        ] {
            let (setting, problem) = check(bad).unwrap_err();
            assert_eq!(setting, "reports.start", "{bad}: {problem:?}");
        }
        assert_eq!(check("periods = []").unwrap_err().0, "reports.periods");
        assert_eq!(
            check("periods = [\"month\", \"year\"]").unwrap_err().0,
            "reports.periods"
        );
        assert!(check("periods = [\"month\", \"year\"]\nepsilon = 1.0").is_ok());
    }

    #[test]
    fn the_period_list_starts_at_the_configured_day_not_at_the_data() {
        let reports = check("periods = [\"quarter\"]\nstart = \"2026-02-15\"").unwrap();
        // 2026Q1 begins before the start; Q2 and Q3 are over on 2026-10-01; Q4 is not.
        let listed: Vec<String> = reports
            .complete_periods(date("2026-10-01"))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(listed, ["2026Q3", "2026Q2"]);
        assert!(reports.admits("2026Q2".parse().unwrap()).is_ok());
        let said = |period: &str| {
            let problem = reports.admits(period.parse().unwrap()).unwrap_err();
            crate::i18n::Lang::En.say(&problem)
        };
        let before = said("2026Q1");
        assert!(before.contains("`[reports] start`"), "{before}");
        let kind = said("2026-07");
        assert!(kind.contains("`[reports] periods`"), "{kind}");
    }
}
