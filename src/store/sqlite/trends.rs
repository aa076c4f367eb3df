//! Trend counters and frozen releases on SQLite. Counters only ever go up, when a case is
//! destroyed (see `cases.rs`); a release, once frozen, is never replaced. It must not count
//! anything itself: the counter keys come from the domain's rules.

use async_trait::async_trait;
use sqlx::SqliteConnection;

use super::{Job, SqliteBackend};
use crate::store::StoreError;
use crate::store::backend::TrendRows;
use crate::store::rows::counted;

#[async_trait]
impl TrendRows for SqliteBackend {
    async fn trend_counters(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT key, count FROM trend_counters WHERE month BETWEEN ? AND ? ORDER BY key",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.readers)
        .await?;
        Ok(counted(rows))
    }

    async fn frozen_trend_releases(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT period, release FROM trend_releases ORDER BY period")
                .fetch_all(&self.readers)
                .await?,
        )
    }

    async fn trend_release(&self, period: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = ?")
                .bind(period)
                .fetch_optional(&self.readers)
                .await?,
        )
    }

    async fn freeze_trend_release(
        &self,
        period: &str,
        release: String,
    ) -> Result<String, StoreError> {
        let period = period.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, String> {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO trend_releases (period, release) VALUES (?, ?) \
                         ON CONFLICT (period) DO NOTHING",
                    )
                    .bind(&period)
                    .bind(&release)
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = ?")
                        .bind(&period)
                        .fetch_one(&mut *conn)
                        .await
                })
            })
            .await
    }
}
