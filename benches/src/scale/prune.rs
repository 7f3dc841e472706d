//! `prune` over a long history of real deployments: the dry run (the plan)
//! timed as the history grows through each size, then one real prune at
//! the largest size, with what its report says it pruned and freed.

use std::path::Path;
use std::time::Instant;

use anchor_core::model::{Freed, RetentionPolicy, DEFAULT_PREVIEW_MAX_AGE};
use anchor_core::{PruneOptions, PruneReport};

use super::history::History;
use super::{BenchError, PROJECT};
use crate::rollback::stats::{timed, Samples};

/// The dry runs at one history size.
#[derive(Debug, Default)]
pub struct DryRuns {
    /// Their wall times.
    pub samples: Samples,
    /// Deployments the plan would prune.
    pub pruned: usize,
    /// Deployments it keeps.
    pub kept: usize,
}

/// The one real prune.
#[derive(Debug, Clone)]
pub struct RealPrune {
    /// Its wall time, in milliseconds.
    pub wall_ms: f64,
    /// Deployments it pruned.
    pub pruned: usize,
    /// Deployments it kept.
    pub kept: usize,
    /// What its report says it freed.
    pub freed: Freed,
    /// Whether that is what the dry run before it said it would free.
    pub as_planned: bool,
}

/// Everything the prune workload measured.
#[derive(Debug, Default)]
pub struct PruneRun {
    /// Promoted deployments the policy keeps.
    pub keep: u32,
    /// The dry runs, by history size.
    pub dry_runs: Vec<(u64, DryRuns)>,
    /// The real prune and the history size it ran on.
    pub real: Option<(u64, RealPrune)>,
    /// Seconds spent deploying the history (every size's growth).
    pub setup_s: f64,
}

/// Sets a policy keeping `keep` promoted deployments on a new project in
/// `dir`, deploys it up to each of `sizes` (ascending) and times `dry_runs`
/// dry runs there (after one untimed), then prunes for real at the last.
pub async fn run(
    dir: &Path,
    sizes: &[u64],
    keep: u32,
    dry_runs: usize,
) -> Result<PruneRun, BenchError> {
    let mut history = History::new(dir).await?;
    let policy = RetentionPolicy::new(keep, DEFAULT_PREVIEW_MAX_AGE, false)?;
    history.anchor.set_retention_policy(PROJECT, policy).await?;
    let mut out = PruneRun {
        keep,
        ..PruneRun::default()
    };
    let mut last_plan = None;
    for &size in sizes {
        let started = Instant::now();
        history.grow_to(size).await?;
        let took = started.elapsed().as_secs_f64();
        out.setup_s += took;
        eprintln!("==> prune: {size} deployments (deploying took {took:.1} s)");
        let dry = || {
            history
                .anchor
                .prune(PROJECT, PruneOptions::default().dry_run(true))
        };
        let plan = dry().await?;
        let mut runs = counts(&plan);
        for _ in 0..dry_runs {
            timed(&mut runs.samples, dry()).await?;
        }
        out.dry_runs.push((size, runs));
        last_plan = Some(plan);
    }
    let Some((&size, plan)) = sizes.last().zip(last_plan) else {
        return Ok(out);
    };
    let started = Instant::now();
    let report = history
        .anchor
        .prune(PROJECT, PruneOptions::default().dry_run(false))
        .await?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let real = RealPrune {
        wall_ms,
        pruned: report.pruned.len(),
        kept: report.kept.len(),
        freed: report.freed,
        as_planned: report.freed == plan.freed && report.pruned.len() == plan.pruned.len(),
    };
    out.real = Some((size, real));
    Ok(out)
}

fn counts(report: &PruneReport) -> DryRuns {
    DryRuns {
        samples: Samples::default(),
        pruned: report.pruned.len(),
        kept: report.kept.len(),
    }
}
