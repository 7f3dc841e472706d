//! Which deployments `prune` may take, and what each one alone holds.
//!
//! A deployment is kept if anything may serve it soon (live, a running
//! rollout, an open skew window, the target of the next rollback, a
//! `live` alias on one of its versions, a deploy under way), or if the
//! retention policy keeps it. The rest go, oldest first. What a pruned
//! deployment frees is what no deployment left holds: a function version
//! two deployments share (a build deployed twice publishes one version)
//! goes with the last of them, and so does a shared hashed asset, and so
//! does a build: its run-time ISR cache and its tag rows go with the last
//! deployment of it.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::report::KeepReason;
use crate::error::Result;
use crate::flows::{manifest, FlowContext};
use crate::model::asset_manifest::{cache_id_of, manifest_key, AssetManifest};
use crate::model::{
    Deployment, DeploymentId, DeploymentStatus, Freed, Infrastructure, PageRequest, Project,
    RetentionPolicy,
};
use crate::router::RouterKeys;

/// A function version: `(function, version)`.
pub(super) type VersionKey = (String, String);

/// Every deployment of a project, newest first, and the versions the
/// project's `live` aliases point at.
pub(super) struct World {
    pub deployments: Vec<Deployment>,
    pub live_alias_versions: HashSet<VersionKey>,
    /// The deployments whose skew window the router still honours: listed
    /// open on the project, with no end or an end still ahead.
    pub open_windows: HashSet<DeploymentId>,
}

impl World {
    /// Reads every deployment record and both `live` aliases.
    pub async fn load(svc: &FlowContext, project: &Project) -> Result<Self> {
        let mut deployments = Vec::new();
        let mut page = PageRequest::first(100);
        loop {
            let listed = svc
                .backend
                .store
                .list_deployments(&project.name, &page)
                .await?;
            deployments.extend(listed.items);
            match listed.next_cursor {
                Some(c) => page.cursor = Some(c),
                None => break,
            }
        }
        let infra = &project.infrastructure;
        let mut live_alias_versions = HashSet::new();
        for function in [&infra.server_function, &infra.image_function] {
            if let Some(alias) = svc
                .backend
                .functions
                .get_alias(function, &infra.alias)
                .await?
            {
                live_alias_versions.insert((function.clone(), alias.routing.version.clone()));
                if let Some((extra, _)) = alias.routing.additional {
                    live_alias_versions.insert((function.clone(), extra));
                }
            }
        }
        let open_windows = open_windows(svc, project).await?;
        Ok(Self {
            deployments,
            live_alias_versions,
            open_windows,
        })
    }
}

/// The project's open skew windows, as the router reads their ends.
async fn open_windows(svc: &FlowContext, project: &Project) -> Result<HashSet<DeploymentId>> {
    let infra = &project.infrastructure;
    let Some(binding) = &infra.router else {
        return Ok(HashSet::new());
    };
    let keys = RouterKeys::new(&infra.distribution_id)?;
    let now = svc.clock.now().timestamp();
    let mut open = HashSet::new();
    for id in &project.open_skew_windows {
        let end = svc
            .backend
            .kvs
            .get(&binding.store, &keys.window_end(id))
            .await?;
        let end: i64 = end.and_then(|v| v.parse().ok()).unwrap_or(0);
        if end == 0 || end > now {
            open.insert(id.clone());
        }
    }
    Ok(open)
}

/// What the policy decided for one deployment.
pub(super) enum Verdict {
    Keep(KeepReason),
    Prune(String),
    /// Pruned, and finished: nothing left to do.
    Done,
    /// Pruned halfway by an earlier run: finish it.
    Unfinished,
}

/// The versions a deployment publishes.
pub(super) fn versions_of(d: &Deployment) -> Vec<VersionKey> {
    [&d.server_version, &d.image_version]
        .into_iter()
        .flatten()
        .map(|v| (v.function.clone(), v.version.clone()))
        .collect()
}

/// The verdict on every deployment of `world` (newest first), under
/// `policy` at `now`.
pub(super) fn classify(
    project: &Project,
    world: &World,
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
) -> Vec<Verdict> {
    let active = project.active_deployment.as_ref();
    let rollout: HashSet<&DeploymentId> = project
        .rollout
        .iter()
        .filter(|r| r.is_running())
        .flat_map(|r| [&r.candidate, &r.baseline])
        .collect();
    let rollback_target = rollback_target(world, active);
    let max_age =
        chrono::Duration::from_std(policy.preview_max_age()).unwrap_or(chrono::Duration::MAX);
    let mut promoted_kept = 0u32;
    world
        .deployments
        .iter()
        .map(|d| {
            if d.status == DeploymentStatus::Pruned {
                let finished = d.pruned.as_ref().is_some_and(|p| p.finished_at.is_some());
                return if finished {
                    Verdict::Done
                } else {
                    Verdict::Unfinished
                };
            }
            let keep = if d.status.is_in_progress() {
                Some(KeepReason::InProgress)
            } else if Some(&d.id) == active || d.status == DeploymentStatus::Live {
                Some(KeepReason::Live)
            } else if rollout.contains(&d.id) {
                Some(KeepReason::Rollout)
            } else if world.open_windows.contains(&d.id) {
                Some(KeepReason::SkewWindow)
            } else if rollback_target.as_ref() == Some(&d.id) {
                Some(KeepReason::RollbackTarget)
            } else if versions_of(d)
                .iter()
                .any(|v| world.live_alias_versions.contains(v))
            {
                Some(KeepReason::LiveAlias)
            } else {
                None
            };
            if let Some(reason) = keep {
                // Promoted deployments kept for another reason still count
                // towards the ones the policy keeps, as the newest do.
                if d.promoted_at.is_some() {
                    promoted_kept += 1;
                }
                return Verdict::Keep(reason);
            }
            if d.promoted_at.is_some() {
                if promoted_kept < policy.keep_promoted() {
                    promoted_kept += 1;
                    return Verdict::Keep(KeepReason::RetainedPromoted);
                }
                return Verdict::Prune(format!(
                    "older than the {} promoted deployments kept",
                    policy.keep_promoted()
                ));
            }
            let born = d.deployed_at.unwrap_or(d.created_at);
            if now - born < max_age {
                Verdict::Keep(KeepReason::RecentPreview)
            } else {
                Verdict::Prune(format!(
                    "never promoted, and older than {} seconds",
                    policy.preview_max_age().as_secs()
                ))
            }
        })
        .collect()
}

/// What a rollback without a target would go back to while `active` is
/// live: the deployment it replaced, if that can still go live, else the
/// newest superseded one below it.
fn rollback_target(world: &World, active: Option<&DeploymentId>) -> Option<DeploymentId> {
    let active = world.deployments.iter().find(|d| Some(&d.id) == active)?;
    let by_id = |id: &DeploymentId| world.deployments.iter().find(|d| &d.id == id);
    if let Some(replaced) = active
        .replaced
        .as_ref()
        .filter(|id| **id != active.id)
        .and_then(by_id)
        .filter(|d| d.status.can_go_live())
    {
        return Some(replaced.id.clone());
    }
    world
        .deployments
        .iter()
        .find(|d| d.version < active.version && d.status == DeploymentStatus::Superseded)
        .map(|d| d.id.clone())
}

/// The builds a deployment uses: its own, and any whose ISR cache folder
/// its manifest lists (a custom Next.js `deploymentId` names the folder),
/// so no build whose cache entries a deployment lists counts as unused.
pub(super) fn builds_of(
    infra: &Infrastructure,
    d: &Deployment,
    manifest: Option<&AssetManifest>,
) -> BTreeSet<String> {
    let mut builds = BTreeSet::from([d.build_id.clone()]);
    if let Some(m) = manifest {
        builds.insert(m.build_id.clone());
        builds.extend(
            m.files
                .values()
                .filter_map(|e| cache_id_of(infra, &e.stored_key))
                .map(str::to_string),
        );
    }
    builds
}

/// What a deployment alone holds: the versions and objects that go with it.
#[derive(Debug, Clone, Default)]
pub(super) struct Exclusive {
    pub versions: Vec<VersionKey>,
    pub objects: Vec<(String, u64)>,
    /// The builds no deployment left uses: their run-time ISR cache and
    /// their tag rows go.
    pub builds: Vec<String>,
    /// The run-time ISR cache of `builds` (in no manifest) as planning
    /// found it, for the report; retiring deletes what is there then.
    pub cache: Vec<(String, u64)>,
}

impl Exclusive {
    /// What deleting these frees; `code_sizes` has each version's size.
    pub fn freed(&self, code_sizes: &HashMap<VersionKey, u64>) -> Freed {
        let objects = self.objects.iter().chain(&self.cache);
        Freed {
            function_versions: self.versions.len() as u64,
            lambda_code_bytes: self.versions.iter().filter_map(|v| code_sizes.get(v)).sum(),
            s3_objects: (self.objects.len() + self.cache.len()) as u64,
            s3_bytes: objects.map(|(_, size)| size).sum(),
        }
    }
}

/// How many deployments not pruned hold each version, each object and
/// each build: a deployment's exclusive resources are those it is the
/// last holder of.
#[derive(Default)]
pub(super) struct Holders {
    versions: HashMap<VersionKey, usize>,
    objects: HashMap<String, (usize, u64)>,
    builds: HashMap<String, usize>,
    protected: HashSet<VersionKey>,
}

impl Holders {
    /// Counts the holders among `deployments` (every one not pruned, plus
    /// any in `also`), reading their manifests; versions in `protected`
    /// are never anyone's to delete.
    pub async fn count(
        svc: &FlowContext,
        infra: &Infrastructure,
        deployments: &[Deployment],
        also: &[&DeploymentId],
        protected: HashSet<VersionKey>,
    ) -> Result<Self> {
        let mut holders = Self {
            protected,
            ..Self::default()
        };
        for d in deployments
            .iter()
            .filter(|d| d.status != DeploymentStatus::Pruned || also.contains(&&d.id))
        {
            for v in versions_of(d) {
                *holders.versions.entry(v).or_default() += 1;
            }
            let m = manifest::load(svc, infra, &d.id).await?;
            for build in builds_of(infra, d, m.as_deref()) {
                *holders.builds.entry(build).or_default() += 1;
            }
            if let Some(m) = m {
                for entry in m.files.values() {
                    let slot = holders
                        .objects
                        .entry(entry.stored_key.clone())
                        .or_insert((0, entry.size));
                    slot.0 += 1;
                }
            }
        }
        Ok(holders)
    }

    /// Takes `d` out of the count and returns what it was the last holder
    /// of, with its manifest (which only it has) last. The run-time cache
    /// of its builds is not listed here ([`super::cache::count`]).
    pub async fn release(
        &mut self,
        svc: &FlowContext,
        infra: &Infrastructure,
        d: &Deployment,
    ) -> Result<Exclusive> {
        let mut out = Exclusive::default();
        for v in versions_of(d) {
            let count = self.versions.entry(v.clone()).or_insert(1);
            *count = count.saturating_sub(1);
            if *count == 0 && !self.protected.contains(&v) {
                out.versions.push(v);
            }
        }
        let m = manifest::load(svc, infra, &d.id).await?;
        for build in builds_of(infra, d, m.as_deref()) {
            let count = self.builds.entry(build.clone()).or_insert(1);
            *count = count.saturating_sub(1);
            if *count == 0 {
                out.builds.push(build);
            }
        }
        if let Some(m) = m {
            for entry in m.files.values() {
                let slot = self
                    .objects
                    .entry(entry.stored_key.clone())
                    .or_insert((1, entry.size));
                slot.0 = slot.0.saturating_sub(1);
                if slot.0 == 0 {
                    out.objects.push((entry.stored_key.clone(), entry.size));
                }
            }
            let key = manifest_key(infra, &d.id);
            let size = svc
                .backend
                .objects
                .head(&key)
                .await?
                .map_or(0, |meta| meta.size);
            out.objects.push((key, size));
        }
        Ok(out)
    }
}
