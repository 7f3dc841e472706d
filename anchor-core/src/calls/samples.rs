//! One filled sample of every result the bindings return: the stored
//! records of [`crate::model::samples`] and the results of the flows. Each
//! binding converts every one, and its tests check that every field of the
//! core's JSON arrives (see `anchor-py/tests/test_samples.py` and
//! `anchor-node/test/samples.test.mjs`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::flows::prune::{KeepReason, KeptDeployment, PruneReport, PrunedDeployment};
use crate::flows::{
    DeployPlan, PlannedAction, PlannedAsset, PreviewAddress, RecoveryReport, RollbackOutcome,
};
use crate::model::{self, Architecture, DomainName, SiteFunctionSettings};
use crate::progress::{Phase, ProgressEvent};
use crate::traits::CodeBundle;

/// Keys of the core's JSON that are the core's own bookkeeping, not part
/// of any binding's API: removed from [`sample_json`]. A project's rollback
/// count and its open skew windows (the switches' count for the policy),
/// the windows a switch's marker will end,
/// a function version's handler, and whether a plan's server bundle
/// carries the origin guard.
pub const INTERNAL_FIELDS: &[&str] = &[
    "last_rollback_sequence",
    "open_skew_windows",
    "handler",
    "server_guarded",
    "ended_windows",
];

/// The samples: every record and result a binding returns, filled.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Samples {
    /// The stored records.
    pub records: model::Samples,
    /// A rollback that replaced a live deployment and invalidated paths.
    pub rollback_outcome: RollbackOutcome,
    /// A plan with one asset copied from an earlier deployment.
    pub deploy_plan: DeployPlan,
    /// A recovery that rolled an interrupted switch forward.
    pub recovery_report: RecoveryReport,
    /// A progress report in the middle of the upload.
    pub progress_event: ProgressEvent,
    /// A preview's address on a project with a wildcard domain.
    pub preview_address: PreviewAddress,
    /// A dry run of pruning that would prune one deployment and keep one.
    pub prune_report: PruneReport,
    /// A worker of the local edge.
    #[cfg(feature = "edge")]
    pub edge_worker: crate::edge::WorkerInfo,
}

/// Every sample, filled. Fails only if a sample value stops being valid
/// for its type (a bug in the samples).
pub fn samples() -> Result<Samples> {
    let records = model::samples()?;
    let deployment = records.deployment.clone();
    let sample_freed = model::Freed {
        function_versions: 2,
        lambda_code_bytes: 4_194_304,
        s3_objects: 12,
        s3_bytes: 65_536,
    };
    let mut functions = SiteFunctionSettings::default();
    functions.server.architecture = Some(Architecture::Arm64);
    functions.image.architecture = Some(Architecture::X86_64);
    Ok(Samples {
        rollback_outcome: RollbackOutcome {
            event: records.rollback_event.clone(),
            from: Some(deployment.clone()),
            to: deployment.clone(),
            elapsed: Duration::from_micros(41_500),
            invalidation_id: Some("I3SAMPLE".into()),
            invalidation_error: Some("sample invalidation error".into()),
        },
        deploy_plan: DeployPlan {
            project: deployment.project.clone(),
            deployment_id: deployment.id.clone(),
            build_id: deployment.build_id.clone(),
            assets: vec![PlannedAsset {
                path: "favicon.ico".into(),
                key: "shop/deployments/1/favicon.ico".into(),
                action: PlannedAction::Copy {
                    from: "shop/deployments/0/favicon.ico".into(),
                },
                size: 100,
                sha256: "ab".repeat(32),
                content_type: "image/x-icon".into(),
                cache_control: "public,max-age=0,s-maxage=31536000,must-revalidate".into(),
                is_html: false,
                is_hashed: false,
                shared: true,
                source: PathBuf::from("assets/favicon.ico"),
            }],
            upload_files: 1,
            upload_bytes: 100,
            copy_files: 1,
            skip_files: 1,
            server_code_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
            image_code_sha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".into(),
            server_unchanged: true,
            image_unchanged: false,
            server_architecture: Some(Architecture::Arm64),
            image_architecture: Some(Architecture::X86_64),
            server_streaming: true,
            next_deployment_id: Some("build-42".into()),
            function_settings: Some(functions),
            base_deployment: deployment.replaced.clone(),
            routes: Vec::new(),
            server_code: CodeBundle::new(Vec::new()),
            image_code: CodeBundle::new(Vec::new()),
            server_guarded: true,
            server_handler: "index.handler".into(),
            image_handler: "index.handler".into(),
            isr: Default::default(),
            base: Some(deployment.clone()),
        },
        recovery_report: RecoveryReport {
            resolved_switch_to: Some(deployment.id.clone()),
            rolled_forward: true,
            rollout_repaired: true,
            failed_deployments: vec![deployment.id.clone()],
            finished_domain_removals: vec![DomainName::parse("old.example.com")?],
            resumed_domain_additions: vec![DomainName::parse("new.example.com")?],
            finished_prunes: vec![deployment.id.clone()],
        },
        prune_report: PruneReport {
            dry_run: true,
            pruned: vec![PrunedDeployment {
                deployment: deployment.id.clone(),
                version: deployment.version,
                reason: "older than the 5 promoted deployments kept".into(),
                freed: sample_freed,
            }],
            kept: vec![KeptDeployment {
                deployment: deployment.id.clone(),
                version: deployment.version,
                reason: KeepReason::RollbackTarget,
            }],
            finished: vec![deployment.id.clone()],
            freed: sample_freed,
        },
        progress_event: ProgressEvent {
            phase: Phase::Uploading,
            done: 2,
            total: 6,
            bytes_done: 200,
            bytes_total: 600,
            note: Some("sample note".into()),
        },
        preview_address: PreviewAddress {
            version: deployment.version,
            deployment: deployment.id.clone(),
            url: format!(
                "https://{}/?__anchor_preview=v{}",
                records.project.infrastructure.distribution_domain, deployment.version
            ),
            host: Some(format!("v{}.preview.example.com", deployment.version)),
            header_name: "x-anchor-preview".into(),
            header_value: format!("v{}", deployment.version),
        },
        #[cfg(feature = "edge")]
        edge_worker: crate::edge::WorkerInfo {
            function: "anchor-shop-server".into(),
            version: "3".into(),
            pid: 4242,
        },
        records,
    })
}

/// The core's JSON of every sample, without [`INTERNAL_FIELDS`], keyed by
/// the bindings' type name (`Project`, `DeploymentPage`, `RollbackOutcome`,
/// …): what a binding's conversion must carry in full.
pub fn sample_json() -> Result<Vec<(&'static str, Value)>> {
    let s = samples()?;
    let r = &s.records;
    let mut out = vec![
        ("Project", json(&r.project)),
        ("Deployment", json(&r.deployment)),
        ("Domain", json(&r.domain)),
        ("RollbackEvent", json(&r.rollback_event)),
        ("DeploymentPage", json(&r.deployment_page)),
        ("RollbackEventPage", json(&r.rollback_event_page)),
        ("RollbackOutcome", json(&s.rollback_outcome)),
        ("DeployPlan", json(&s.deploy_plan)),
        ("RecoveryReport", json(&s.recovery_report)),
        ("ProgressEvent", json(&s.progress_event)),
        ("PreviewAddress", json(&s.preview_address)),
        ("PruneReport", json(&s.prune_report)),
    ];
    #[cfg(feature = "edge")]
    out.push(("EdgeWorker", json(&s.edge_worker)));
    for (_, value) in &mut out {
        strip_internal(value);
    }
    Ok(out)
}

/// The sample's JSON; `null` if it cannot be serialised (it always can:
/// these are plain records), which the samples' tests refuse.
fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn strip_internal(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in INTERNAL_FIELDS {
                map.remove(*key);
            }
            map.values_mut().for_each(strip_internal);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_internal),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_null(value: &Value) -> bool {
        match value {
            Value::Null => true,
            Value::Array(items) => items.is_empty() || items.iter().any(has_null),
            Value::Object(map) => map.values().any(has_null),
            _ => false,
        }
    }

    #[test]
    fn every_result_sample_is_filled_and_has_no_internal_field() {
        let all = sample_json().unwrap_or_default();
        assert!(all.len() >= 10, "{all:?}");
        for (name, json) in all {
            assert!(json.is_object() && !has_null(&json), "{name}: {json}");
            let text = json.to_string();
            for key in INTERNAL_FIELDS {
                assert!(!text.contains(&format!("\"{key}\"")), "{name}: {text}");
            }
        }
    }

    #[test]
    fn the_rollback_outcome_json_has_every_field_and_the_elapsed_time_in_ms() {
        let all = sample_json().unwrap_or_default();
        let outcome = all
            .iter()
            .find(|(name, _)| *name == "RollbackOutcome")
            .map(|(_, json)| json.clone())
            .unwrap_or_default();
        let keys: Vec<&str> = outcome
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "elapsed_ms",
                "event",
                "from",
                "invalidation_error",
                "invalidation_id",
                "to"
            ]
        );
        assert_eq!(outcome["elapsed_ms"], 41.5);
    }
}
