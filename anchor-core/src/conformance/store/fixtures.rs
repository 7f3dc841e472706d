//! Record builders and error assertions shared by the state store checks.
//!
//! Every name carries a fresh ULID, so runs never see each other's records
//! and the suite can run against a shared table.

use std::fmt::Debug;

use chrono::Utc;

use crate::error::{Error, ResourceKind, Result};
use crate::model::{
    AssetSummary, CdnStatus, CertificateStatus, Deployment, DeploymentId, DeploymentStatus,
    DnsRecord, Domain, DomainName, Infrastructure, Project, ProjectName, RollbackEvent,
};
use crate::traits::{Expect, WriteBatch};

fn suffix() -> String {
    ulid::Ulid::new().to_string().to_lowercase()
}

/// A project name no other run uses: `<tag>-<ulid>`, 29 to 48 characters.
pub(super) fn project_name(tag: &str) -> ProjectName {
    let name = format!("{tag}-{}", suffix());
    ProjectName::parse(&name).unwrap_or_else(|e| panic!("suite built a bad project name: {e}"))
}

/// A domain name no other run uses: `<tag>-<ulid>.example.com`.
pub(super) fn domain_name(tag: &str) -> DomainName {
    let name = format!("{tag}-{}.example.com", suffix());
    DomainName::parse(&name).unwrap_or_else(|e| panic!("suite built a bad domain name: {e}"))
}

/// A project at revision 1 with nothing live.
pub fn project(name: &ProjectName) -> Project {
    Project {
        name: name.clone(),
        infrastructure: Infrastructure {
            server_function: format!("{name}-server"),
            image_function: format!("{name}-image"),
            alias: "live".into(),
            asset_prefix: format!("{name}/"),
            distribution_id: "EDFDVBD6EXAMPLE".into(),
            distribution_domain: "d111111abcdef8.cloudfront.net".into(),
            asset_location: Some("s3://conformance-assets".into()),
            router: None,
            domains: crate::model::DomainMode::Tenants,
        },
        created_at: Utc::now(),
        active_deployment: None,
        last_switch: None,
        last_rollback_sequence: Some(0),
        rollout: None,
        skew_policy: None,
        retention: None,
        open_skew_windows: Vec::new(),
        revision: 1,
    }
}

/// `project` at the next revision with `active` live.
pub(super) fn activated(project: &Project, active: &Deployment) -> Project {
    Project {
        active_deployment: Some(active.id.clone()),
        revision: project.revision + 1,
        ..project.clone()
    }
}

/// A ready deployment at revision 1 with a fresh id.
pub fn deployment(project: &ProjectName, version: u64) -> Deployment {
    let now = Utc::now();
    Deployment {
        id: DeploymentId::generate(),
        project: project.clone(),
        version,
        build_id: format!("build-{version}"),
        status: DeploymentStatus::Ready,
        server_version: None,
        image_version: None,
        assets_path: format!("{project}/v{version}/"),
        invalidation_id: None,
        invalidation_error: None,
        created_at: now,
        updated_at: now,
        deployed_at: Some(now),
        promoted_at: None,
        replaced: None,
        rollout: None,
        pruned: None,
        assets: AssetSummary::default(),
        error: None,
        revision: 1,
    }
}

/// A freshly claimed domain at revision 1.
pub(super) fn domain(name: &DomainName, project: &ProjectName) -> Domain {
    let now = Utc::now();
    Domain {
        name: name.clone(),
        project: project.clone(),
        certificate_id: None,
        certificate_status: CertificateStatus::Requesting,
        certificate_names: vec![name.to_string()],
        validation_records: Vec::new(),
        routing_record: DnsRecord::cname(name.as_str(), "d111111abcdef8.cloudfront.net"),
        tenant_id: Some(format!("dt_{}", name.as_str().replace('.', "-"))),
        cdn_status: CdnStatus::Pending,
        failure_reason: None,
        removing: false,
        created_at: now,
        updated_at: now,
        activated_at: None,
        revision: 1,
    }
}

/// Rollback number `sequence` of `project`, to `to`.
pub(super) fn rollback(project: &ProjectName, sequence: u64, to: &Deployment) -> RollbackEvent {
    RollbackEvent {
        project: project.clone(),
        sequence,
        from: None,
        from_version: None,
        to: to.id.clone(),
        to_version: to.version,
        reason: format!("conformance rollback {sequence}"),
        at: Utc::now(),
        duration_ms: 12.5,
    }
}

/// A batch that writes only `project`.
pub(super) fn project_batch(project: &Project, expect: Expect) -> WriteBatch {
    WriteBatch {
        project: Some((project.clone(), expect)),
        ..WriteBatch::default()
    }
}

/// Asserts `result` is `PreconditionFailed` on exactly this record.
pub(super) fn assert_precondition<T: Debug>(
    result: Result<T>,
    kind: ResourceKind,
    id: &str,
    guarantee: &str,
) {
    match result {
        Err(Error::PreconditionFailed { kind: k, id: i, .. }) if k == kind && i == id => {}
        other => {
            panic!("{guarantee}: expected PreconditionFailed naming {kind} {id:?}, got {other:?}")
        }
    }
}

/// Asserts `result` is `PreconditionFailed`, whatever record it names.
pub(super) fn assert_any_precondition<T: Debug>(result: Result<T>, guarantee: &str) {
    if !matches!(result, Err(Error::PreconditionFailed { .. })) {
        panic!("{guarantee}: expected PreconditionFailed, got {result:?}");
    }
}

/// Asserts `result` is `InvalidInput` naming `field`.
pub(super) fn assert_invalid_input<T: Debug>(result: Result<T>, field: &str, guarantee: &str) {
    match result {
        Err(Error::InvalidInput { field: f, .. }) if f == field => {}
        other => panic!("{guarantee}: expected InvalidInput on field {field:?}, got {other:?}"),
    }
}

/// Unwraps a call the suite expects to succeed, naming what it was for.
pub(super) fn ok<T>(result: Result<T>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what} failed: {e:?}"))
}
