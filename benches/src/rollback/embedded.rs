//! Rollback latency and the first history page on the embedded default
//! (SQLite records, local function host), in process.

use std::path::Path;

use anchor_core::model::{DeploymentId, PageRequest};
use anchor_core::Anchor;

use super::stats::{timed, Samples};
use super::PROJECT;

/// What one history size measured on the embedded default.
#[derive(Debug, Default)]
pub struct EmbeddedRun {
    /// Rollbacks without CDN invalidation.
    pub rollback: Samples,
    /// First pages of 20.
    pub history: Samples,
}

/// Untimed rollbacks per state before timing, in a full run: past SQLite's
/// first WAL checkpoint (1,000 pages, about 200 rollbacks), so every
/// state's WAL file has reached its steady size. Until then a freshly
/// seeded short history's WAL is still growing, and each commit's fsync
/// also records the file's new blocks: about 0.15 ms more per rollback on
/// this machine's disk, once per database, whatever the history's length
/// (a long seeded history grew its WAL while seeding).
pub const STEADY_WARMUP: usize = 300;

/// Rounds the sizes are interleaved in.
const ROUNDS: usize = 10;

/// Seeds one state per history size under `dir`, then times `iterations`
/// rollbacks (alternating between the two real deployments,
/// `invalidate(false)`) and `iterations` first pages of 20 per size, in
/// [`ROUNDS`] rounds that visit every size in a rotating order, so drift
/// (other processes, the disk) hits every size alike.
pub async fn run(
    dir: &Path,
    sizes: &[u64],
    warmup: usize,
    iterations: usize,
) -> Result<Vec<(u64, EmbeddedRun)>, anchor_core::Error> {
    let mut states = Vec::new();
    for &size in sizes {
        let (anchor, first, second) = crate::seeded(&dir.join(size.to_string()), size).await?;
        rollbacks(&anchor, [&first, &second], warmup, 0, false).await?;
        for _ in 0..warmup {
            anchor.history(PROJECT, &PageRequest::first(20)).await?;
        }
        states.push((size, anchor, [first, second], EmbeddedRun::default()));
    }
    let per_round = iterations.div_ceil(ROUNDS);
    for round in 0..ROUNDS {
        let count = per_round.min(iterations.saturating_sub(round * per_round));
        for k in 0..states.len() {
            let i = (round + k) % states.len();
            let (_, anchor, [first, second], run) = &mut states[i];
            let samples = rollbacks(anchor, [&*first, &*second], 0, count, false).await?;
            run.rollback.extend(samples);
            for _ in 0..count {
                let first_page = PageRequest::first(20);
                timed(&mut run.history, anchor.history(PROJECT, &first_page)).await?;
            }
        }
    }
    Ok(states
        .into_iter()
        .map(|(size, _, _, run)| (size, run))
        .collect())
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
