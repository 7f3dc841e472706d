//! Rollback events, a page of them, and what one rollback did.

use anchor_core::{model, RollbackOutcome as CoreOutcome};
use napi_derive::napi;

use super::{number, timestamp, Deployment};

/// One rollback kept in the project's history.
#[napi(object, object_from_js = false)]
pub struct RollbackEvent {
    /// The project.
    pub project: String,
    /// Its number among the project's rollbacks, from 1.
    pub sequence: f64,
    /// The deployment live before, if any.
    pub from: Option<String>,
    /// That deployment's version number.
    pub from_version: Option<f64>,
    /// The deployment made live.
    pub to: String,
    /// Its version number.
    pub to_version: f64,
    /// The caller's reason.
    pub reason: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// Milliseconds from the start of the rollback to its recorded decision.
    pub duration_ms: f64,
}

impl From<&model::RollbackEvent> for RollbackEvent {
    fn from(e: &model::RollbackEvent) -> Self {
        Self {
            project: e.project.to_string(),
            sequence: number(e.sequence),
            from: e.from.as_ref().map(ToString::to_string),
            from_version: e.from_version.map(number),
            to: e.to.to_string(),
            to_version: number(e.to_version),
            reason: e.reason.clone(),
            at: timestamp(&e.at),
            duration_ms: e.duration_ms,
        }
    }
}

/// A page of rollback events, newest first.
#[napi(object, object_from_js = false)]
pub struct RollbackEventPage {
    /// The events on this page.
    pub items: Vec<RollbackEvent>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl From<&model::Page<model::RollbackEvent>> for RollbackEventPage {
    fn from(page: &model::Page<model::RollbackEvent>) -> Self {
        Self {
            items: page.items.iter().map(Into::into).collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}

/// What a rollback did. The aliases already point at `to` when it resolves.
#[napi(object, object_from_js = false)]
pub struct RollbackOutcome {
    /// The event kept in the history.
    pub event: RollbackEvent,
    /// The deployment live before, if any.
    pub from: Option<Deployment>,
    /// The deployment live now.
    pub to: Deployment,
    /// How long the whole rollback took, in milliseconds.
    pub elapsed_ms: f64,
    /// The CDN invalidation of paths the switch made stale, if any.
    pub invalidation_id: Option<String>,
    /// Why that invalidation failed, if it did; the rollback stands.
    pub invalidation_error: Option<String>,
}

impl From<&CoreOutcome> for RollbackOutcome {
    fn from(o: &CoreOutcome) -> Self {
        Self {
            event: (&o.event).into(),
            from: o.from.as_ref().map(Into::into),
            to: (&o.to).into(),
            elapsed_ms: o.elapsed.as_secs_f64() * 1000.0,
            invalidation_id: o.invalidation_id.clone(),
            invalidation_error: o.invalidation_error.clone(),
        }
    }
}
