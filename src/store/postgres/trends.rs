//! Trend counters and frozen releases on PostgreSQL. Counters only ever go up, when a case is
//! destroyed (see `cases.rs`); a release, once frozen, is never replaced, whichever process
//! freezes it first. It must not count anything itself: the counter keys come from the
//! domain's rules.

use async_trait::async_trait;

use super::PostgresBackend;
use crate::store::StoreError;
use crate::store::backend::TrendRows;
use crate::store::rows::counted;

#[async_trait]
impl TrendRows for PostgresBackend {
    async fn trend_counters(
        &self,
        first: &str,
        last: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT key, count FROM trend_counters WHERE month BETWEEN $1 AND $2 ORDER BY key",
        )
        .bind(first)
        .bind(last)
        .fetch_all(&self.main)
        .await?;
        Ok(counted(rows))
    }

    async fn frozen_trend_releases(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT period, release FROM trend_releases ORDER BY period")
                .fetch_all(&self.main)
                .await?,
        )
    }

    async fn trend_release(&self, period: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = $1")
                .bind(period)
                .fetch_optional(&self.main)
                .await?,
        )
    }

    async fn freeze_trend_release(
        &self,
        period: &str,
        release: String,
    ) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO trend_releases (period, release) VALUES ($1, $2) \
             ON CONFLICT (period) DO NOTHING",
        )
        .bind(period)
        .bind(&release)
        .execute(&self.main)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT release FROM trend_releases WHERE period = $1")
                .bind(period)
                .fetch_one(&self.main)
                .await?,
        )
    }
}
