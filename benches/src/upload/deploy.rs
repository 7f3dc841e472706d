//! The `deploy` subcommand: one Anchor deploy in its own process, the side
//! measured as "anchor". It prints one JSON line of [`DeployStats`] for the
//! parent, which times the process and reads its peak RSS.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::args::DeployArgs;
use super::endpoint::{self, Endpoint};
use super::meter::RequestMeter;
use super::Fail;

/// What one deploy did, as the child reports it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeployStats {
    /// Every HTTP request sent, retries included (0 on the embedded default).
    pub requests: u64,
    /// Of which to S3.
    pub s3_requests: u64,
    /// Requests by `service:operation`.
    pub by_operation: BTreeMap<String, u64>,
    /// Files sent.
    pub uploaded_files: u64,
    /// Bytes sent.
    pub uploaded_bytes: u64,
    /// Files copied server-side.
    pub copied_files: u64,
    /// Files skipped as already stored.
    pub skipped_files: u64,
    /// Opening Anchor and deploying, inside the process, in milliseconds.
    pub deploy_ms: f64,
}

/// Which endpoint the arguments name.
pub fn endpoint_of(args: &DeployArgs) -> Result<Endpoint, Fail> {
    match (&args.embedded, &args.moto, &args.s3s) {
        (Some(dir), _, _) => Ok(Endpoint::Embedded { dir: dir.clone() }),
        (None, Some(moto), Some(s3)) => Ok(Endpoint::S3s {
            s3: s3.clone(),
            moto: moto.clone(),
        }),
        (None, Some(moto), None) => Ok(Endpoint::Moto { moto: moto.clone() }),
        (None, None, _) => Err(Fail::msg("deploy needs --moto or --embedded")),
    }
}

/// Runs the deploy and returns what it did.
pub async fn run(args: &DeployArgs) -> Result<DeployStats, Fail> {
    let endpoint = endpoint_of(args)?;
    let meter = RequestMeter::default();
    let started = Instant::now();
    let anchor = endpoint::open(&endpoint, &args.bucket, &args.tuning, &meter).await?;
    let opened_ms = started.elapsed().as_secs_f64() * 1000.0;
    // The phase timeline goes to stderr (the run's log), to see where time goes.
    let timeline = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = timeline.clone();
    let live = anchor
        .deployer(&args.project, &args.build)
        .on_progress(move |e| {
            // The first and last event of each phase.
            if e.done != 0 && e.done != e.total {
                return;
            }
            let at = started.elapsed().as_secs_f64() * 1000.0;
            let label = format!("{} {}/{}", e.phase, e.done, e.total);
            if let Ok(mut seen) = record.lock() {
                if !seen.iter().any(|s| s.ends_with(&label)) {
                    seen.push(format!("{at:8.1} ms  {label}"));
                }
            }
        })
        .execute()
        .await?;
    eprintln!("{opened_ms:8.1} ms  opened");
    if let Ok(seen) = timeline.lock() {
        for line in seen.iter() {
            eprintln!("{line}");
        }
    }
    let deploy_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(DeployStats {
        requests: meter.total(),
        s3_requests: meter.s3(),
        by_operation: meter.counts(),
        uploaded_files: live.assets.uploaded_files,
        uploaded_bytes: live.assets.uploaded_bytes,
        copied_files: live.assets.copied_files,
        skipped_files: live.assets.skipped_files,
        deploy_ms,
    })
}
