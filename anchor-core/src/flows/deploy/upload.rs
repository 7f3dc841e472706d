//! Executing the asset part of a plan: bounded concurrency, non-HTML before
//! HTML, nothing ever overwritten.

use std::sync::atomic::{AtomicU64, Ordering};

use futures::stream::{FuturesUnordered, StreamExt};

use super::plan::{PlannedAction, PlannedAsset};
use crate::error::{Error, ResourceKind, Result};
use crate::flows::FlowContext;
use crate::model::AssetSummary;
use crate::progress::{Phase, ProgressEvent, ProgressFn};
use crate::traits::{ObjectBody, PutOptions};

/// What happened to one asset.
enum Done {
    Uploaded(u64),
    Copied,
    Skipped,
}

/// Counts finished work and reports it.
struct Tally<'a> {
    total: u64,
    bytes_total: u64,
    done: AtomicU64,
    bytes_done: AtomicU64,
    progress: Option<&'a ProgressFn>,
}

impl Tally<'_> {
    fn report(&self) {
        if let Some(f) = self.progress {
            f(&ProgressEvent {
                phase: Phase::Uploading,
                done: self.done.load(Ordering::Relaxed),
                total: self.total,
                bytes_done: self.bytes_done.load(Ordering::Relaxed),
                bytes_total: self.bytes_total,
                note: None,
            });
        }
    }
}

/// Stores every planned asset and returns what was done.
pub(crate) async fn upload_assets(
    svc: &FlowContext,
    assets: &[PlannedAsset],
    progress: Option<&ProgressFn>,
) -> Result<AssetSummary> {
    let tally = Tally {
        total: assets.len() as u64,
        bytes_total: assets.iter().map(|a| a.size).sum(),
        done: AtomicU64::new(0),
        bytes_done: AtomicU64::new(0),
        progress,
    };
    tally.report();
    let mut summary = AssetSummary {
        files: tally.total,
        bytes: tally.bytes_total,
        ..AssetSummary::default()
    };
    let concurrency = svc.settings.upload_concurrency.max(1);
    // Two waves: every non-HTML asset is stored before the first HTML file.
    let split = assets
        .iter()
        .position(|a| a.is_html)
        .unwrap_or(assets.len());
    for wave in [&assets[..split], &assets[split..]] {
        // A plain loop over FuturesUnordered rather than a stream adaptor
        // with an async closure: the closure form makes the future lose
        // `Send` (rust-lang/rust#102211), which the bindings need.
        let mut queue = wave.iter();
        let mut running = FuturesUnordered::new();
        loop {
            while running.len() < concurrency {
                match queue.next() {
                    Some(a) => running.push(store_and_count(svc, a, &tally)),
                    None => break,
                }
            }
            let Some(result) = running.next().await else {
                break;
            };
            match result? {
                Done::Uploaded(bytes) => {
                    summary.uploaded_files += 1;
                    summary.uploaded_bytes += bytes;
                }
                Done::Copied => summary.copied_files += 1,
                Done::Skipped => summary.skipped_files += 1,
            }
        }
    }
    Ok(summary)
}

async fn store_and_count(svc: &FlowContext, a: &PlannedAsset, tally: &Tally<'_>) -> Result<Done> {
    let outcome = store_one(svc, a).await?;
    tally.done.fetch_add(1, Ordering::Relaxed);
    tally.bytes_done.fetch_add(a.size, Ordering::Relaxed);
    tally.report();
    Ok(outcome)
}

async fn store_one(svc: &FlowContext, a: &PlannedAsset) -> Result<Done> {
    let opts = PutOptions {
        content_type: Some(a.content_type.clone()),
        cache_control: Some(a.cache_control.clone()),
        sha256: Some(a.sha256.clone()),
        if_none_match: true,
        known_size: Some(a.size),
    };
    let result = match &a.action {
        PlannedAction::Skip => return Ok(Done::Skipped),
        PlannedAction::Copy { from } => match svc.backend.objects.copy(from, &a.key, &opts).await {
            // The source was pruned since the base manifest was written.
            Err(Error::NotFound { .. }) => put(svc, a, &opts).await,
            other => other.map(|_| Done::Copied),
        },
        PlannedAction::Upload => put(svc, a, &opts).await,
    };
    match result {
        Err(Error::PreconditionFailed { .. }) => already_there(svc, a).await,
        other => other,
    }
}

async fn put(svc: &FlowContext, a: &PlannedAsset, opts: &PutOptions) -> Result<Done> {
    svc.backend
        .objects
        .put(&a.key, ObjectBody::File(a.source.clone()), opts)
        .await?;
    Ok(Done::Uploaded(a.size))
}

/// The key exists: fine if it holds the same content (a retried or
/// concurrent deploy stored it), a conflict otherwise, never an overwrite.
async fn already_there(svc: &FlowContext, a: &PlannedAsset) -> Result<Done> {
    match svc.backend.objects.head(&a.key).await? {
        Some(meta) if meta.sha256.as_deref() == Some(a.sha256.as_str()) => Ok(Done::Skipped),
        _ => Err(Error::conflict(
            ResourceKind::Object,
            a.key.clone(),
            "an immutable asset with this key already holds different content; it is never overwritten",
        )),
    }
}
