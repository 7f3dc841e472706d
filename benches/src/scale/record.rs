//! Everything one run measured, and its rows in the report.

use anchor_core::model::DomainMode;

use super::domains::DomainRun;
use super::domains_case;
use super::prune::PruneRun;
use crate::report::Report;
use crate::rollback::case as deployments_case;
use crate::rollback::stats::Samples;

/// Adding one more domain.
pub const ADD: &str = "domain add";
/// Refreshing it once its certificate is issued: the attach.
pub const REFRESH: &str = "domain refresh (attach)";
/// Removing it again (no target; it keeps the project at its size).
pub const REMOVE: &str = "domain remove";
/// The plan.
pub const DRY_RUN: &str = "prune, dry run";
/// The real prune.
pub const PRUNE: &str = "prune";

/// Where every case runs.
pub const ENDPOINT: &str = "embedded";

/// What a whole run measured.
#[derive(Debug, Default)]
pub struct Results {
    /// Domains, by project: tenant mode's by size, then alias mode's.
    pub domains: Vec<DomainRun>,
    /// Pruning, if it ran.
    pub prune: Option<PruneRun>,
}

/// Adds a row per measured subject.
pub fn rows(report: &mut Report, results: &Results) {
    for run in &results.domains {
        let case = domains_case(run.size);
        let subject = subject(run.mode);
        if let Some(why) = &run.refused {
            let subject = format!("{subject}: not measured, {why}");
            report.row(ADD, &case, ENDPOINT, &subject, &[("setup_s", run.setup_s)]);
            continue;
        }
        let mut add = run.add.metrics();
        add.push(("setup_s", run.setup_s));
        report.row(ADD, &case, ENDPOINT, subject, &add);
        latency(report, REFRESH, &case, subject, &run.refresh);
        latency(report, REMOVE, &case, subject, &run.remove);
    }
    let Some(prune) = &results.prune else { return };
    let kept = format!("keep {} promoted", prune.keep);
    for (size, runs) in &prune.dry_runs {
        let case = format!("{}, {kept}", deployments_case(*size));
        let mut metrics = runs.samples.metrics();
        metrics.push(("pruned", runs.pruned as f64));
        metrics.push(("kept", runs.kept as f64));
        report.row(DRY_RUN, &case, ENDPOINT, "anchor, dry_run(true)", &metrics);
    }
    if let Some((size, real)) = &prune.real {
        let case = format!("{}, {kept}", deployments_case(*size));
        let subject = if real.as_planned {
            "anchor, dry_run(false): freed what the dry run said"
        } else {
            "anchor, dry_run(false): **not what the dry run said**"
        };
        let per_deployment = real.wall_ms / real.pruned.max(1) as f64;
        let metrics = [
            ("wall_ms", real.wall_ms),
            ("pruned", real.pruned as f64),
            ("kept", real.kept as f64),
            ("ms_per_deployment", per_deployment),
            ("freed_versions", real.freed.function_versions as f64),
            ("freed_code_bytes", real.freed.lambda_code_bytes as f64),
            ("freed_objects", real.freed.s3_objects as f64),
            ("freed_object_bytes", real.freed.s3_bytes as f64),
            ("setup_s", prune.setup_s),
        ];
        report.row(PRUNE, &case, ENDPOINT, subject, &metrics);
    }
}

/// The subject of a domain row: Anchor in its domain mode.
pub fn subject(mode: DomainMode) -> &'static str {
    match mode {
        DomainMode::Aliases => "anchor, alias mode (quotas at ACM's 100 names)",
        DomainMode::Tenants => "anchor, tenant mode (the default)",
    }
}

fn latency(report: &mut Report, workload: &str, case: &str, subject: &str, s: &Samples) {
    if !s.is_empty() {
        report.row(workload, case, ENDPOINT, subject, &s.metrics());
    }
}
