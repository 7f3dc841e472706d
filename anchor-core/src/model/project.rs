use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DeploymentId, DistributionLayout, DomainMode};
use crate::error::{Error, Result};

/// A project name: a slug of 1 to 48 characters, lowercase ASCII letters,
/// digits and inner hyphens, starting with a letter.
///
/// The limit keeps derived cloud names (such as `<name>-server`) within
/// Lambda's 64-character function name limit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectName(String);

impl ProjectName {
    /// The longest name accepted.
    pub const MAX_LEN: usize = 48;

    /// Validates `name`; the error names the field `project`.
    pub fn parse(name: &str) -> Result<Self> {
        let reason = if name.is_empty() {
            Some("must not be empty".to_string())
        } else if name.len() > Self::MAX_LEN {
            Some(format!("must be at most {} characters", Self::MAX_LEN))
        } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            Some("must start with a lowercase letter".to_string())
        } else if name.ends_with('-') {
            Some("must not end with '-'".to_string())
        } else if name.contains("--") {
            Some("must not contain '--'".to_string())
        } else {
            name.chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
                .map(|c| format!("contains {c:?}; use a-z, 0-9 and '-'"))
        };
        match reason {
            Some(reason) => Err(Error::invalid_input(
                "project",
                format!("{name:?} {reason}"),
            )),
            None => Ok(Self(name.to_string())),
        }
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ProjectName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<ProjectName> for String {
    fn from(value: ProjectName) -> Self {
        value.0
    }
}

/// The cloud resources one project deploys to. On AWS these are real names
/// and ids; on the embedded default they name local resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Infrastructure {
    /// The server function's name.
    pub server_function: String,
    /// The image optimisation function's name.
    pub image_function: String,
    /// The alias that serves traffic, `live` by default.
    pub alias: String,
    /// The key prefix in the object store under which this project's assets live.
    pub asset_prefix: String,
    /// The CDN distribution id.
    pub distribution_id: String,
    /// The distribution's own host name, the target of routing CNAMEs.
    pub distribution_domain: String,
    /// The object store the project's assets live in, as that store names
    /// itself ([`crate::traits::ObjectStore::location`]): `s3://<bucket>` on
    /// AWS, `local:<id>` on the embedded default. Recorded by
    /// `create_project`; every flow that changes the project refuses to run
    /// on a store with another location. `None` in records written before
    /// Anchor kept it (the next `create_project` records it).
    #[serde(default)]
    pub asset_location: Option<String>,
    /// The edge router that picks the deployment serving each request:
    /// with one, every deployment is an immutable origin and a switch is
    /// one write of the live pointer (`docs/router.md`). `None` for a
    /// distribution that routes by its behaviours alone to the `live`
    /// aliases: projects provisioned before the router, and projects on a
    /// backend that does not provision one yet.
    #[serde(default)]
    pub router: Option<RouterBinding>,
    /// How custom domains are put on the distribution: one tenant each on
    /// a multi-tenant distribution, or alternate names of the distribution
    /// itself ([`DomainMode::Aliases`], the mode of every record written
    /// before tenants existed).
    #[serde(default)]
    pub domains: DomainMode,
}

/// Where a project's edge router reads its routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouterBinding {
    /// The key-value store its distribution's viewer-request function
    /// reads: a CloudFront KeyValueStore's ARN, or the local store's name.
    /// Its keys for this project start with the distribution id.
    pub store: String,
    /// The host the router sends public-file requests to: the asset
    /// bucket's regional domain on AWS (`bucket.s3.region.amazonaws.com`).
    pub bucket_host: String,
}

impl Project {
    /// The skew protection policy in force: the project's, or the default.
    pub fn skew(&self) -> super::SkewPolicy {
        self.skew_policy.unwrap_or_default()
    }
}

impl Infrastructure {
    /// How the project's distribution routes requests.
    pub fn layout(&self) -> DistributionLayout {
        match self.router {
            Some(_) => DistributionLayout::Router,
            None => DistributionLayout::Behaviours,
        }
    }

    /// Whether the project's server versions are published behind the
    /// origin guard, each with a secret of its own (`docs/aws.md`, "Origin
    /// protection"): exactly when its requests come through the router,
    /// which adds the header. Without the router the server URL is signed
    /// by an origin access control and nothing would add the header.
    ///
    /// The project record never holds a secret: each deploy generates its
    /// deployment's, and only the server version's environment and the
    /// router's store keep it.
    pub fn guards_server(&self) -> bool {
        self.router.is_some()
    }
}

/// Why the live deployment is being switched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SwitchKind {
    /// A deployment is promoted after it was built.
    Promote,
    /// An older deployment is made live again.
    Rollback {
        /// The caller's reason, kept in the history.
        reason: String,
    },
}

/// The last switch, recorded with its decision (the new active pointer)
/// before what serves the project (the `live` aliases, or the router's
/// pointer) moves: it lets `recover`, or the next switch, tell a switch
/// still moving from one that was interrupted, and roll forward to the
/// recorded deployment. It is a record of the last switch, not a sign that
/// one is under way: it stays after the switch completes (clearing it would
/// cost every switch a second transaction), until the next switch replaces
/// it or `recover` clears it; while what serves the project is the active
/// deployment it means nothing more. Records written before it was
/// renamed call it `pending_switch`, and still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSwitch {
    /// The deployment live when the switch started, if any.
    pub from: Option<DeploymentId>,
    /// The deployment being made live.
    pub to: DeploymentId,
    /// Promotion or rollback.
    pub kind: SwitchKind,
    /// When the switch started.
    pub started_at: DateTime<Utc>,
    /// The skew windows the switch ends with its pointer write (those past
    /// the policy's `max_pinned`), so a recovery that rolls the switch
    /// forward ends them too. Anchor's bookkeeping, not in the bindings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ended_windows: Vec<DeploymentId>,
}

/// A project: its name, its infrastructure and which deployment is live.
///
/// `active_deployment` and `last_switch` change only through the state
/// store's conditional commit, guarded by `revision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// The project's unique name.
    pub name: ProjectName,
    /// Where it deploys.
    pub infrastructure: Infrastructure,
    /// When the project was created.
    pub created_at: DateTime<Utc>,
    /// The deployment whose versions the `live` aliases point at.
    pub active_deployment: Option<DeploymentId>,
    /// The last switch, kept for recovery; see [`LastSwitch`].
    #[serde(alias = "pending_switch")]
    pub last_switch: Option<LastSwitch>,
    /// The sequence of the project's newest rollback event, so the next
    /// rollback is numbered one more: the number of rollbacks its history
    /// holds (`0` for none). It changes with the event, in the same
    /// conditional commit. `None` in records written before Anchor counted
    /// rollbacks (their events carry the project's revision instead); the
    /// next rollback then continues after the newest event in the history.
    #[serde(default)]
    pub last_rollback_sequence: Option<u64>,
    /// The project's gradual rollout: the one running, or the last one
    /// (completed or aborted) until the next starts. Every decision of a
    /// rollout is one conditional commit of this record; the router's
    /// live pointer follows it. `None` before the first rollout.
    #[serde(default)]
    pub rollout: Option<super::Rollout>,
    /// The project's skew protection policy; `None` for the defaults
    /// (7 days, 10 deployments).
    #[serde(default)]
    pub skew_policy: Option<super::SkewPolicy>,
    /// The retention policy `prune` applies; `None` is the default policy
    /// (the 10 newest promoted deployments, previews of up to 30 days).
    #[serde(default)]
    pub retention: Option<super::RetentionPolicy>,
    /// The deployments whose skew window a switch opened and no switch has
    /// closed yet, the most recent first: what the policy's `max_pinned`
    /// counts. Kept by each switch's deciding write.
    #[serde(default)]
    pub open_skew_windows: Vec<DeploymentId>,
    /// Bumped by every write; conditional writes compare it.
    pub revision: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records stored before `asset_location` existed still read, with none.
    #[test]
    fn an_infrastructure_record_without_a_location_reads_as_none() {
        let old = r#"{"server_function":"shop-server","image_function":"shop-image",
            "alias":"live","asset_prefix":"shop","distribution_id":"E1",
            "distribution_domain":"d1.cloudfront.net"}"#;
        let infra: Infrastructure = serde_json::from_str(old).unwrap();
        assert_eq!(infra.asset_location, None);
        assert_eq!(infra.distribution_id, "E1");
    }

    /// Project records stored before Anchor counted rollbacks still read,
    /// with no count, so the next rollback numbers after the history.
    #[test]
    fn a_project_record_without_a_rollback_count_reads_as_none() {
        let old = r#"{"name":"shop","infrastructure":{"server_function":"shop-server",
            "image_function":"shop-image","alias":"live","asset_prefix":"shop",
            "distribution_id":"E1","distribution_domain":"d1.cloudfront.net"},
            "created_at":"2025-01-01T00:00:00Z","active_deployment":null,
            "last_switch":null,"revision":7}"#;
        let project: Project = serde_json::from_str(old).unwrap();
        assert_eq!(project.last_rollback_sequence, None);
        assert_eq!(project.revision, 7);
    }

    /// A record written while the project kept one secret for all its
    /// deployments still reads, and writing it back drops the secret.
    #[test]
    fn a_record_with_a_project_secret_reads_and_is_rewritten_without_it() {
        let secret = "ab".repeat(32);
        let old = format!(
            r#"{{"server_function":"shop-server","image_function":"shop-image",
            "alias":"live","asset_prefix":"shop","distribution_id":"E1",
            "distribution_domain":"d1.cloudfront.net","origin_secret":"{secret}"}}"#
        );
        let infra: Infrastructure = serde_json::from_str(&old).unwrap();
        let written = serde_json::to_string(&infra).unwrap();
        assert!(!written.contains(&secret), "{written}");
        assert!(!written.contains("origin_secret"), "{written}");
    }
}
