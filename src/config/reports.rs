//! `[reports]`: how the board's trend reports protect small counts (the threshold `k` and the
//! optional noise `epsilon`) and which kinds of period are released.

use serde::Deserialize;

use super::Invalid;
use crate::domain::trends::{PeriodKind, TrendSettings};

/// The board's trend reports.
#[derive(Debug, Clone)]
pub struct Reports {
    /// Threshold and optional noise.
    pub settings: crate::domain::trends::TrendSettings,
    /// The kinds of period released to the board.
    pub periods: Vec<crate::domain::trends::PeriodKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    k: u32,
    epsilon: Option<f64>,
    periods: Vec<String>,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            k: crate::domain::trends::TrendSettings::DEFAULT_K,
            epsilon: None,
            periods: vec!["quarter".to_owned()],
        }
    }
}

impl Raw {
    /// Checks the table.
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
                    format!("{word:?} is not a period; use \"month\", \"quarter\" or \"year\""),
                )
            })?;
            if !periods.contains(&kind) {
                periods.push(kind);
            }
        }
        periods.sort();
        if periods.is_empty() {
            return Err(("reports.periods", "name at least one kind of period".into()));
        }
        if periods.len() > 1 && settings.epsilon.is_none() {
            return Err((
                "reports.periods",
                "releasing more than one kind of period (say quarters and their year) lets a \
                 reader compare nested reports and narrow down hidden counts; release one kind, \
                 or set reports.epsilon to add noise"
                    .into(),
            ));
        }
        Ok(Reports { settings, periods })
    }
}
