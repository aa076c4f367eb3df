//! What may be published, given what was published before. Two rules, applied to every new
//! release before it is frozen, by the service and by `ombuds report` alike:
//!
//! * **Kinds of period are a commitment.** Once releases of one kind (months, quarters or years)
//!   exist, a release of another kind is refused unless it has noise: a reader who holds a
//!   quarter and its months, or a year and its quarters, can subtract one from the other and
//!   work out hidden counts. Noise makes nested releases safe to compare (each spends its own
//!   privacy budget).
//! * **The audit of everything released** ([`super::audit`]) must find every hidden number of
//!   the new release, and of the earlier ones it shares months with, as wide as promised.
//!
//! This module decides; it does no I/O: the earlier releases are handed to it.

use super::audit::{self, AuditError};
use super::release::{Release, ReleaseError};
use crate::domain::phrase::Said as _;

/// Checks that `candidate` may be published beside `earlier` (every release published so far,
/// in any order).
///
/// # Errors
/// [`ReleaseError::KindCommitted`] for a noise-free release of a second kind of period,
/// [`ReleaseError::Exposed`] if the audit finds a hidden number narrower than promised, and
/// [`ReleaseError::AuditFailed`] if the audit cannot be completed.
pub fn vet(candidate: &Release, earlier: &[Release]) -> Result<audit::Report, ReleaseError> {
    if candidate.noise.is_none()
        && let Some(other) = earlier
            .iter()
            .filter(|r| r.period.kind() != candidate.period.kind())
            .min_by_key(|r| (r.period.last_day(), r.period.kind()))
    {
        return Err(ReleaseError::KindCommitted {
            asked: candidate.period.kind(),
            released: other.period.kind(),
            example: other.period,
        });
    }
    let report = audit::audit(candidate, earlier)
        .map_err(|e: AuditError| ReleaseError::AuditFailed(e.phrase()))?;
    if !report.exposed.is_empty() {
        return Err(ReleaseError::Exposed {
            hidden: report.exposed.len(),
            with: report.with.iter().map(ToString::to_string).collect(),
        });
    }
    Ok(report)
}
