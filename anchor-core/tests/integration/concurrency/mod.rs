//! One concurrency scenario shared by the embedded default
//! (`concurrency_local.rs`) and the AWS backend on moto
//! (`aws_concurrency.rs`): a project with a few deployments, two previews
//! and two attached domains, then 100 mixed operations launched at once on
//! it (deploy, preview, rollback by id, by version and to the previous
//! deployment, promote, domain add, refresh and remove), then the checks of
//! `checks.rs`: no record lost, versions unique and gap-free, what is live
//! consistent, and every loser's error typed and allowed for its kind.

#![allow(dead_code)]

mod checks;
mod ops;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anchor_core::model::{CdnStatus, Deployment, DeploymentStatus};
use anchor_core::Anchor;

pub use ops::Op;

use crate::common::{copy_tree, fixture_source, make_variant};

/// How many operations of each kind one run launches.
#[derive(Debug, Clone)]
pub struct Mix {
    /// Deploys that promote.
    pub deploys: usize,
    /// Deploys with `promote(false)`.
    pub previews: usize,
    /// Rollbacks to one of the deployments made before the burst, by id.
    pub rollbacks_by_id: usize,
    /// Rollbacks to one of those, by version.
    pub rollbacks_by_version: usize,
    /// Rollbacks by version to a number the burst's own deploys allocate,
    /// so they meet deployments that are not recorded or not built yet.
    pub rollbacks_to_new_versions: usize,
    /// Rollbacks to the previous deployment.
    pub rollbacks_to_previous: usize,
    /// Promotes of the previews made before the burst.
    pub promotes: usize,
    /// Domain adds, spread over [`DOMAINS`].
    pub domain_adds: usize,
    /// Domain refreshes (attach once issued), spread over [`DOMAINS`].
    pub domain_refreshes: usize,
    /// Domain removes, spread over [`DOMAINS`].
    pub domain_removes: usize,
}

impl Mix {
    /// The number of operations the mix launches.
    pub fn total(&self) -> usize {
        self.deploys
            + self.previews
            + self.rollbacks_by_id
            + self.rollbacks_by_version
            + self.rollbacks_to_new_versions
            + self.rollbacks_to_previous
            + self.promotes
            + self.domain_adds
            + self.domain_refreshes
            + self.domain_removes
    }
}

/// The domains the burst works on: the first two are attached before it,
/// the others are new. Each is added, refreshed and removed by several
/// tasks at once.
pub const DOMAINS: [&str; 4] = [
    "a.example.com",
    "b.example.com",
    "c.example.com",
    "d.example.com",
];

/// What exists before the burst.
pub struct Prepared {
    /// Deployments made and promoted in turn; the last one is live.
    pub deployed: Vec<Deployment>,
    /// Previews (built, not promoted).
    pub previews: Vec<Deployment>,
    /// A build folder per deploy or preview of the burst, each different.
    pub burst_builds: Vec<PathBuf>,
}

/// A distinct copy of the fixture build under `root`.
fn variant(root: &Path, tag: &str) -> PathBuf {
    let dir = root.join(tag);
    copy_tree(&fixture_source(), &dir);
    make_variant(&dir, tag);
    dir
}

/// Creates `project` with `deploys` deployments and `previews` previews,
/// attaches the first two of [`DOMAINS`] (waiting, with `poll` between
/// tries, for their certificates to be issued), and makes one build folder
/// per deploy or preview of `mix`.
pub async fn prepare(
    a: &Anchor,
    project: &str,
    root: &Path,
    deploys: usize,
    previews: usize,
    mix: &Mix,
    poll: Duration,
) -> Prepared {
    a.create_project(project).await.unwrap();
    let mut deployed = Vec::new();
    for i in 0..deploys {
        let dir = variant(root, &format!("before-{i}"));
        let d = a.deployer(project, &dir).execute().await.unwrap();
        assert_eq!(d.status, DeploymentStatus::Live);
        deployed.push(d);
    }
    let mut made = Vec::new();
    for i in 0..previews {
        let dir = variant(root, &format!("preview-{i}"));
        let d = a
            .deployer(project, &dir)
            .promote(false)
            .execute()
            .await
            .unwrap();
        assert_eq!(d.status, DeploymentStatus::Ready);
        made.push(d);
    }
    for name in &DOMAINS[..2] {
        a.domains(project).add(name).await.unwrap();
    }
    for name in &DOMAINS[..2] {
        let mut attached = false;
        for _ in 0..120 {
            let d = a.domains(project).refresh(name).await.unwrap();
            if d.cdn_status == CdnStatus::Active {
                attached = true;
                break;
            }
            tokio::time::sleep(poll).await;
        }
        assert!(attached, "{name} was not attached before the burst");
    }
    let burst_builds = (0..mix.deploys + mix.previews)
        .map(|i| variant(root, &format!("burst-{i}")))
        .collect();
    Prepared {
        deployed,
        previews: made,
        burst_builds,
    }
}

/// The operations of `mix`, interleaved so each kind is spread over the
/// launch order.
fn plan(mix: &Mix, before: &Prepared) -> Vec<Op> {
    let mut builds = before.burst_builds.iter().cloned();
    let first_new_version = before.deployed.len() as u64 + before.previews.len() as u64 + 1;
    let mut lists: Vec<Vec<Op>> = vec![
        (0..mix.deploys)
            .map(|_| Op::Deploy(builds.next().unwrap()))
            .collect(),
        (0..mix.previews)
            .map(|_| Op::Preview(builds.next().unwrap()))
            .collect(),
        (0..mix.rollbacks_by_id)
            .map(|i| Op::RollbackToId(before.deployed[i % before.deployed.len()].id.to_string()))
            .collect(),
        (0..mix.rollbacks_by_version)
            .map(|i| Op::RollbackToVersion(before.deployed[i % before.deployed.len()].version))
            .collect(),
        (0..mix.rollbacks_to_new_versions)
            .map(|i| {
                let new = (mix.deploys + mix.previews).max(1) as u64;
                Op::RollbackToNewVersion(first_new_version + i as u64 % new)
            })
            .collect(),
        (0..mix.rollbacks_to_previous)
            .map(|_| Op::RollbackToPrevious)
            .collect(),
        (0..mix.promotes)
            .map(|i| Op::Promote(before.previews[i % before.previews.len()].id.to_string()))
            .collect(),
        (0..mix.domain_adds)
            .map(|i| Op::AddDomain(DOMAINS[i % DOMAINS.len()].to_string()))
            .collect(),
        (0..mix.domain_refreshes)
            .map(|i| Op::RefreshDomain(DOMAINS[i % DOMAINS.len()].to_string()))
            .collect(),
        (0..mix.domain_removes)
            .map(|i| Op::RemoveDomain(DOMAINS[(i + 1) % DOMAINS.len()].to_string()))
            .collect(),
    ];
    let mut ops = Vec::new();
    while lists.iter().any(|l| !l.is_empty()) {
        for list in lists.iter_mut().filter(|l| !l.is_empty()) {
            ops.push(list.remove(0));
        }
    }
    ops
}

/// The figures of one run, printed by [`run`].
#[derive(Debug, Default)]
pub struct Figures {
    /// Operations launched at once.
    pub operations: usize,
    /// Successes per kind.
    pub successes: BTreeMap<&'static str, usize>,
    /// Losers per kind and error code.
    pub losers: BTreeMap<(&'static str, &'static str), usize>,
    /// Deployment and rollback records that a success returned but the
    /// history does not hold (the checks fail unless it is 0).
    pub records_lost: usize,
}

/// Launches every operation of `mix` at once on `project` (each task waits
/// on one barrier, then runs its operation), then runs every check and
/// prints the figures.
pub async fn run(a: &Anchor, project: &str, before: &Prepared, mix: &Mix) -> Figures {
    let ops = plan(mix, before);
    assert_eq!(ops.len(), mix.total());
    let history_before = checks::all_deployments(a, project).await;
    let rollbacks_before = checks::all_rollbacks(a, project).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(ops.len()));
    let tasks: Vec<_> = ops
        .into_iter()
        .map(|op| {
            let (a, barrier, project) = (a.clone(), barrier.clone(), project.to_string());
            tokio::spawn(async move {
                barrier.wait().await;
                let result = op.run(&a, &project).await;
                (op, result)
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.expect("no operation panics"));
    }
    let mut figures = Figures {
        operations: results.len(),
        ..Figures::default()
    };
    let verbose = std::env::var_os("ANCHOR_CONCURRENCY_VERBOSE").is_some();
    for (op, result) in &results {
        if verbose {
            eprintln!("{op:?} -> {:?}", result.as_ref().map(|_| ()));
        }
        match result {
            Ok(_) => *figures.successes.entry(op.kind().name()).or_default() += 1,
            Err(e) => {
                assert!(
                    op.kind().allows(e),
                    "{:?} lost with an error its kind does not allow: {e:?}",
                    op
                );
                *figures
                    .losers
                    .entry((op.kind().name(), e.code()))
                    .or_default() += 1;
            }
        }
    }
    figures.records_lost =
        checks::records(a, project, &history_before, &rollbacks_before, &results).await;
    checks::versions(a, project, &history_before, &results).await;
    crate::common::check_invariants(a, project).await;
    crate::common::check_domains_served(a, project).await;
    println!(
        "concurrency figures: {} operations at once; successes {:?}; losers (kind, code) {:?}; records lost {}",
        figures.operations, figures.successes, figures.losers, figures.records_lost
    );
    assert_eq!(figures.records_lost, 0);
    figures
}
