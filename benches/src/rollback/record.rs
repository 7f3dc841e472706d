//! Everything one run measured, and its rows in the report.

use super::bindings::BindingsRun;
use super::embedded::EmbeddedRun;
use super::moto::MotoRun;
use super::stats::Samples;
use crate::report::Report;

/// The workload names the rows and verdicts use.
pub const ROLLBACK: &str = "rollback";
/// The first history page of 20.
pub const HISTORY: &str = "history page of 20";
/// The bindings' rollback.
pub const BINDINGS: &str = "rollback through a binding";

/// The subject names of the rows.
pub mod subject {
    /// Anchor, `invalidate(false)`.
    pub const ANCHOR: &str = "anchor, invalidate(false)";
    /// Anchor with its CDN invalidation.
    pub const ANCHOR_INVALIDATING: &str = "anchor, invalidate(true)";
    /// Anchor's history page.
    pub const ANCHOR_PAGE: &str = "anchor";
    /// The minimal raw calls.
    pub const MINIMAL: &str = "raw: UpdateItem if revision + 2×UpdateAlias";
    /// Anchor's transaction, raw.
    pub const SAME_TRANSACTION: &str = "raw: Anchor's 6-item TransactWriteItems + 2×UpdateAlias";
    /// The raw Query.
    pub const RAW_QUERY: &str = "raw: Query, limit 21";
    /// The bindings.
    pub const RUST: &str = "rust";
    /// Rust, each rollback a spawned task.
    pub const RUST_SPAWNED: &str = "rust, tokio::spawn per rollback (diagnostic)";
    /// Python's async API.
    pub const PYTHON: &str = "python (anchor_deploy)";
    /// Node's Promise API.
    pub const NODE: &str = "node (anchor-deploy)";
}

/// What a whole run measured, per history size.
#[derive(Debug, Default)]
pub struct Results {
    /// The embedded default, by history size.
    pub embedded: Vec<(u64, EmbeddedRun)>,
    /// moto, by history size.
    pub moto: Vec<(u64, MotoRun)>,
    /// The bindings and the history size they ran on.
    pub bindings: Option<(u64, BindingsRun)>,
}

fn row(
    report: &mut Report,
    workload: &str,
    history: u64,
    endpoint: &str,
    subject: &str,
    s: &Samples,
) {
    if !s.is_empty() {
        report.row(
            workload,
            &super::case(history),
            endpoint,
            subject,
            &s.metrics(),
        );
    }
}

/// Adds a row per measured subject.
pub fn rows(report: &mut Report, results: &Results) {
    use subject::*;
    for (h, run) in &results.embedded {
        row(report, ROLLBACK, *h, "embedded", ANCHOR, &run.rollback);
    }
    for (h, run) in &results.moto {
        row(report, ROLLBACK, *h, "moto", ANCHOR, &run.anchor);
        row(
            report,
            ROLLBACK,
            *h,
            "moto",
            ANCHOR_INVALIDATING,
            &run.anchor_invalidating,
        );
        row(report, ROLLBACK, *h, "moto", MINIMAL, &run.minimal);
        row(
            report,
            ROLLBACK,
            *h,
            "moto",
            SAME_TRANSACTION,
            &run.same_transaction,
        );
    }
    for (h, run) in &results.embedded {
        row(report, HISTORY, *h, "embedded", ANCHOR_PAGE, &run.history);
    }
    for (h, run) in &results.moto {
        row(report, HISTORY, *h, "moto", ANCHOR_PAGE, &run.history);
        row(report, HISTORY, *h, "moto", RAW_QUERY, &run.raw_query);
    }
    if let Some((h, run)) = &results.bindings {
        row(report, BINDINGS, *h, "embedded", RUST, &run.rust);
        row(
            report,
            BINDINGS,
            *h,
            "embedded",
            RUST_SPAWNED,
            &run.rust_spawned,
        );
        row(report, BINDINGS, *h, "embedded", PYTHON, &run.python);
        row(report, BINDINGS, *h, "embedded", NODE, &run.node);
    }
}
