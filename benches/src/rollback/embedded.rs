//! Rollback latency and the first history page on the embedded default
//! (SQLite records, local function host), in process.

use std::path::Path;

use anchor_core::model::{DeploymentId, PageRequest};
use anchor_core::Anchor;

use super::stats::{timed, Samples};
use super::PROJECT;

/// What one history size measured on the embedded default.
#[derive(Debug)]
pub struct EmbeddedRun {
    /// Rollbacks without CDN invalidation.
    pub rollback: Samples,
    /// First pages of 20.
    pub history: Samples,
}

/// Seeds `history` deployments in `dir`, then times `iterations` rollbacks
/// (alternating between the two real deployments, `invalidate(false)`) and
/// `iterations` first pages of 20.
pub async fn run(
    dir: &Path,
    history: u64,
    warmup: usize,
    iterations: usize,
) -> Result<EmbeddedRun, anchor_core::Error> {
    let (anchor, first, second) = crate::seeded(dir, history).await?;
    let rollback = rollbacks(&anchor, [&first, &second], warmup, iterations, false).await?;
    let mut history = Samples::default();
    for i in 0..warmup + iterations {
        let mut sink = Samples::default();
        let into = if i < warmup { &mut sink } else { &mut history };
        timed(into, anchor.history(PROJECT, &PageRequest::first(20))).await?;
    }
    Ok(EmbeddedRun { rollback, history })
}

/// Times `iterations` rollbacks after `warmup` untimed ones, each to the
/// one of `targets` that is not live. The second target is live at the
/// start (it was deployed last). With `spawned`, each rollback runs as a
/// task of its own on the runtime's workers (as the bindings run it) and is
/// awaited through its `JoinHandle`; otherwise it runs on the caller's task.
pub async fn rollbacks(
    anchor: &Anchor,
    targets: [&DeploymentId; 2],
    warmup: usize,
    iterations: usize,
    spawned: bool,
) -> Result<Samples, anchor_core::Error> {
    let mut samples = Samples::default();
    let mut live = live_index(anchor, targets).await?;
    for i in 0..warmup + iterations {
        let to = targets[1 - live];
        let rollback = anchor
            .rollback(PROJECT)
            .to_deployment(to.as_str())
            .invalidate(false);
        let mut sink = Samples::default();
        let into = if i < warmup { &mut sink } else { &mut samples };
        if spawned {
            let task = tokio::spawn(async move { rollback.execute().await });
            timed(into, task).await.map_err(|e| {
                anchor_core::Error::service(
                    "bench",
                    anchor_core::Service::Functions,
                    "spawn",
                    e.to_string(),
                )
            })??;
        } else {
            timed(into, rollback.execute()).await?;
        }
        live = 1 - live;
    }
    Ok(samples)
}

/// Which of `targets` is live now (read once, before timing).
async fn live_index(
    anchor: &Anchor,
    targets: [&DeploymentId; 2],
) -> Result<usize, anchor_core::Error> {
    let active = anchor.active_deployment(PROJECT).await?.map(|d| d.id);
    Ok(usize::from(active.as_ref() == Some(targets[1])))
}
