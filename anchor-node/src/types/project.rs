//! A project record.

use anchor_core::model::{self, SwitchKind};
use napi_derive::napi;

use super::{number, timestamp};

/// The cloud resources a project deploys to.
#[napi(object, object_from_js = false)]
pub struct Infrastructure {
    /// The server function's name.
    pub server_function: String,
    /// The image optimisation function's name.
    pub image_function: String,
    /// The alias the CDN serves, `live` unless configured.
    pub alias: String,
    /// The object store prefix of the project's assets.
    pub asset_prefix: String,
    /// The CDN distribution's id.
    pub distribution_id: String,
    /// The distribution's own domain name, the target of custom domains' CNAMEs.
    pub distribution_domain: String,
    /// The object store the assets live in (`s3://<bucket>`, or the local
    /// folder's `local:<id>`); absent in records written before Anchor kept it. Operations
    /// that change the project refuse to run on another store.
    pub asset_location: Option<String>,
    /// The edge router that picks the deployment serving each request;
    /// absent where the distribution routes by behaviours to the `live`
    /// aliases.
    pub router: Option<RouterBinding>,
    /// How custom domains are put on the distribution: `tenants`, one
    /// distribution tenant each, or `aliases`, alternate names of the
    /// distribution itself (the mode of records written before tenants
    /// existed).
    #[napi(ts_type = "'aliases' | 'tenants'")]
    pub domains: String,
}

/// Where a project's edge router reads its routing.
#[napi(object, object_from_js = false)]
pub struct RouterBinding {
    /// The key-value store its distribution's function reads.
    pub store: String,
    /// The host public-file requests are sent to.
    pub bucket_host: String,
}

/// The last promote or rollback, kept for recovery: recorded with its
/// decision, before what serves the project moves, and kept after the
/// switch completes until the next switch replaces it.
#[napi(object, object_from_js = false)]
pub struct LastSwitch {
    /// The deployment live when the switch started, if any.
    pub from: Option<String>,
    /// The deployment being made live.
    pub to: String,
    /// `promote` or `rollback`.
    #[napi(ts_type = "'promote' | 'rollback'")]
    pub kind: String,
    /// A rollback's reason.
    pub reason: Option<String>,
    /// When the switch started (RFC 3339, UTC).
    pub started_at: String,
}

/// A project: its name, its infrastructure and which deployment is live.
#[napi(object, object_from_js = false)]
pub struct Project {
    /// The project's name.
    pub name: String,
    /// Where it deploys to.
    pub infrastructure: Infrastructure,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// The id of the live deployment; absent before the first promotion.
    pub active_deployment: Option<String>,
    /// The last switch, kept for recovery (see `LastSwitch`).
    pub last_switch: Option<LastSwitch>,
    /// The rollout running, or the last one; absent before the first.
    pub rollout: Option<super::Rollout>,
    /// The skew protection policy; absent for the defaults (7 days, 10).
    pub skew_policy: Option<super::SkewPolicy>,
    /// The retention policy `prune` applies; absent for the defaults (the
    /// 10 newest promoted deployments, previews of up to 30 days).
    pub retention: Option<super::RetentionPolicy>,
    /// The record's revision, bumped on every write.
    pub revision: f64,
}

impl From<&model::Project> for Project {
    fn from(p: &model::Project) -> Self {
        let infra = &p.infrastructure;
        Self {
            name: p.name.to_string(),
            infrastructure: Infrastructure {
                server_function: infra.server_function.clone(),
                image_function: infra.image_function.clone(),
                alias: infra.alias.clone(),
                asset_prefix: infra.asset_prefix.clone(),
                distribution_id: infra.distribution_id.clone(),
                distribution_domain: infra.distribution_domain.clone(),
                asset_location: infra.asset_location.clone(),
                router: infra.router.as_ref().map(|r| RouterBinding {
                    store: r.store.clone(),
                    bucket_host: r.bucket_host.clone(),
                }),
                domains: infra.domains.as_str().into(),
            },
            created_at: timestamp(&p.created_at),
            active_deployment: p.active_deployment.as_ref().map(ToString::to_string),
            last_switch: p.last_switch.as_ref().map(|s| LastSwitch {
                from: s.from.as_ref().map(ToString::to_string),
                to: s.to.to_string(),
                kind: match s.kind {
                    SwitchKind::Promote => "promote",
                    SwitchKind::Rollback { .. } => "rollback",
                }
                .into(),
                reason: match &s.kind {
                    SwitchKind::Promote => None,
                    SwitchKind::Rollback { reason } => Some(reason.clone()),
                },
                started_at: timestamp(&s.started_at),
            }),
            rollout: p.rollout.as_ref().map(super::Rollout::from),
            skew_policy: p.skew_policy.as_ref().map(super::SkewPolicy::from),
            retention: p.retention.as_ref().map(super::RetentionPolicy::from),
            revision: number(p.revision),
        }
    }
}
