//! One filled sample of every stored record, like [`crate::Error::sample`]
//! for errors: the bindings convert each and their tests check that every
//! field arrives, so a field added here and forgotten in one language fails
//! a test.

use chrono::{DateTime, TimeZone, Utc};

use super::{
    Architecture, AssetSummary, CdnStatus, CertificateStatus, Deployment, DeploymentId,
    DeploymentStatus, DnsRecord, Domain, DomainMode, DomainName, Freed, FunctionVersion,
    Infrastructure, LastSwitch, Page, Project, ProjectName, PruneRecord, RetentionPolicy,
    RollbackEvent, Rollout, RolloutEvent, RolloutEventKind, RolloutPlan, RolloutStage,
    RolloutState, RouterBinding, SkewPolicy, SwitchKind,
};
use crate::error::Result;

/// The sample records, every optional field filled (so a missing field
/// cannot hide behind `None`) and every list holding one item.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Samples {
    /// A project with an edge router and a last switch that was a rollback.
    pub project: Project,
    /// A live deployment with both function versions, every field set.
    pub deployment: Deployment,
    /// A domain whose certificate is issued and which the CDN serves.
    pub domain: Domain,
    /// A rollback event with a `from`.
    pub rollback_event: RollbackEvent,
    /// A page of one deployment, with a next cursor.
    pub deployment_page: Page<Deployment>,
    /// A page of one rollback event, with a next cursor.
    pub rollback_event_page: Page<RollbackEvent>,
}

/// The first sample deployment's id.
const FIRST_ID: &str = "dpl_01hzy3m8q4t2v6w9x0a1b2c3d4";
/// The second sample deployment's id.
const SECOND_ID: &str = "dpl_01hzy3m8q4t2v6w9x0a1b2c3d5";

/// A fixed instant with milliseconds, so every language's timestamp of it
/// is exact.
fn at(offset_secs: i64) -> DateTime<Utc> {
    let base = Utc.timestamp_millis_opt(1_780_000_000_123).single();
    base.unwrap_or_default() + chrono::Duration::seconds(offset_secs)
}

fn function_version(function: &str, version: &str) -> FunctionVersion {
    FunctionVersion {
        function: function.into(),
        version: version.into(),
        arn: format!("arn:aws:lambda:us-east-1:000000000000:function:{function}:{version}"),
        code_sha256: "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".into(),
        handler: Some("index.handler".into()),
        memory_mb: Some(1024),
        timeout_seconds: Some(20),
        architecture: Some(Architecture::Arm64),
        runtime: Some("nodejs24.x".into()),
    }
}

/// An aborted rollout of `candidate` over `baseline`, with each kind of
/// decision but completion; every event carries a reason, so a binding
/// that dropped the field would show.
fn sample_rollout(candidate: &DeploymentId, baseline: &DeploymentId) -> Result<Rollout> {
    let plan = RolloutPlan::new(vec![
        RolloutStage::new(5.0, std::time::Duration::from_secs(600)),
        RolloutStage::new(25.0, std::time::Duration::from_secs(1800)),
        RolloutStage::new(100.0, std::time::Duration::ZERO),
    ])?;
    let event = |kind, stage, percent, decided_by: &str, reason: Option<&str>, secs| RolloutEvent {
        kind,
        stage,
        percent,
        decided_by: decided_by.into(),
        reason: reason.map(Into::into),
        at: at(secs),
    };
    Ok(Rollout {
        candidate: candidate.clone(),
        candidate_version: 2,
        baseline: baseline.clone(),
        baseline_version: 1,
        plan,
        stage: 1,
        stage_started_at: at(40),
        started_at: at(35),
        state: RolloutState::Aborted,
        salt: "s4mple".into(),
        events: vec![
            event(
                RolloutEventKind::Started,
                0,
                5.0,
                "start",
                Some("sample start"),
                35,
            ),
            event(
                RolloutEventKind::Advanced,
                1,
                25.0,
                "probe",
                Some("sample stage"),
                40,
            ),
            event(
                RolloutEventKind::Aborted,
                1,
                0.0,
                "alarms",
                Some("alarm shop-5xx is ALARM"),
                45,
            ),
        ],
    })
}

/// Every record, filled. Fails only if a sample value stops being valid
/// for its type (a bug in this file).
pub fn samples() -> Result<Samples> {
    let project_name = ProjectName::parse("shop")?;
    let first = DeploymentId::parse(FIRST_ID)?;
    let second = DeploymentId::parse(SECOND_ID)?;
    let project = Project {
        name: project_name.clone(),
        infrastructure: Infrastructure {
            server_function: "anchor-shop-server".into(),
            image_function: "anchor-shop-image".into(),
            alias: "live".into(),
            asset_prefix: "shop/".into(),
            distribution_id: "E2SAMPLE".into(),
            distribution_domain: "d111111abcdef8.cloudfront.net".into(),
            asset_location: Some("s3://anchor-sample".into()),
            router: Some(RouterBinding {
                store: "arn:aws:cloudfront::000000000000:key-value-store/sample".into(),
                bucket_host: "anchor-sample.s3.us-east-1.amazonaws.com".into(),
            }),
            domains: DomainMode::Tenants,
        },
        created_at: at(0),
        active_deployment: Some(first.clone()),
        last_switch: Some(LastSwitch {
            from: Some(second.clone()),
            to: first.clone(),
            kind: SwitchKind::Rollback {
                reason: "sample reason".into(),
            },
            started_at: at(30),
            ended_windows: vec![second.clone()],
        }),
        last_rollback_sequence: Some(1),
        rollout: Some(sample_rollout(&second, &first)?),
        skew_policy: Some(SkewPolicy::new(std::time::Duration::from_secs(86_400), 5)?),
        retention: Some(RetentionPolicy::new(
            5,
            std::time::Duration::from_secs(7 * 86_400),
            true,
        )?),
        open_skew_windows: vec![second.clone()],
        revision: 7,
    };
    let deployment = Deployment {
        id: first.clone(),
        project: project_name.clone(),
        version: 1,
        build_id: "sample-build".into(),
        status: DeploymentStatus::Live,
        server_version: Some(function_version("anchor-shop-server", "3")),
        image_version: Some(function_version("anchor-shop-image", "2")),
        assets_path: "shop/deployments/1".into(),
        invalidation_id: Some("I2SAMPLE".into()),
        invalidation_error: Some("sample invalidation error".into()),
        created_at: at(1),
        updated_at: at(2),
        deployed_at: Some(at(3)),
        promoted_at: Some(at(4)),
        replaced: Some(second.clone()),
        rollout: Some(sample_rollout(&first, &second)?),
        pruned: Some(PruneRecord {
            started_at: at(30),
            finished_at: Some(at(31)),
            reason: "older than the 5 promoted deployments kept".into(),
            freed: Freed {
                function_versions: 2,
                lambda_code_bytes: 4_194_304,
                s3_objects: 12,
                s3_bytes: 65_536,
            },
            previous_status: DeploymentStatus::Superseded,
        }),
        assets: AssetSummary {
            files: 6,
            bytes: 600,
            uploaded_files: 3,
            uploaded_bytes: 300,
            copied_files: 2,
            skipped_files: 1,
        },
        error: Some("sample error".into()),
        revision: 5,
    };
    let domain = Domain {
        name: DomainName::parse("www.example.com")?,
        project: project_name.clone(),
        certificate_id: Some("arn:aws:acm:us-east-1:000000000000:certificate/sample".into()),
        certificate_status: CertificateStatus::Issued,
        certificate_names: vec!["www.example.com".into()],
        validation_records: vec![DnsRecord {
            name: "_sample.www.example.com".into(),
            record_type: "CNAME".into(),
            value: "_sample.acm-validations.aws".into(),
        }],
        routing_record: DnsRecord {
            name: "www.example.com".into(),
            record_type: "CNAME".into(),
            value: "d111111abcdef8.cloudfront.net".into(),
        },
        tenant_id: Some("dt_sample".into()),
        cdn_status: CdnStatus::Active,
        failure_reason: Some("sample failure".into()),
        removing: false,
        created_at: at(5),
        updated_at: at(6),
        activated_at: Some(at(7)),
        revision: 3,
    };
    let rollback_event = RollbackEvent {
        project: project_name,
        sequence: 1,
        from: Some(second),
        from_version: Some(2),
        to: first,
        to_version: 1,
        reason: "sample reason".into(),
        at: at(31),
        duration_ms: 12.5,
    };
    Ok(Samples {
        deployment_page: Page {
            items: vec![deployment.clone()],
            next_cursor: Some("sample-cursor".into()),
        },
        rollback_event_page: Page {
            items: vec![rollback_event.clone()],
            next_cursor: Some("sample-cursor".into()),
        },
        project,
        deployment,
        domain,
        rollback_event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `value` holds a `null` anywhere (a field left empty).
    fn has_null(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Null => true,
            serde_json::Value::Array(items) => items.iter().any(has_null),
            serde_json::Value::Object(map) => map.values().any(has_null),
            _ => false,
        }
    }

    #[test]
    fn every_sample_fills_every_field() {
        let Ok(s) = samples() else {
            panic!("the samples build");
        };
        let all = [
            serde_json::to_value(&s.project),
            serde_json::to_value(&s.deployment),
            serde_json::to_value(&s.domain),
            serde_json::to_value(&s.rollback_event),
            serde_json::to_value(&s.deployment_page),
            serde_json::to_value(&s.rollback_event_page),
        ];
        for json in all {
            let json = json.unwrap_or_default();
            assert!(json.is_object() && !has_null(&json), "{json}");
        }
    }
}
