//! Row decoding particular to PostgreSQL: dates are native `date` columns (how this engine
//! implements [`StoredDates`]); the rest of a row is decoded in `store/rows.rs`, shared with
//! SQLite. It must not decide anything: a value it cannot read is an error.

use chrono::NaiveDate;
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::store::rows::StoredDates;

impl StoredDates for PgRow {
    fn date(&self, column: &str) -> Result<NaiveDate, sqlx::Error> {
        self.try_get(column)
    }

    fn optional_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        self.try_get(column)
    }
}
