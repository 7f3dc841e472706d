//! Shared helpers of the integration tests: fixture builds, an embedded
//! Anchor in a temporary folder, and the invariant checks every flow test
//! runs.

#![allow(dead_code)]

mod domains;
#[allow(unused_imports)]
pub use domains::{check_domains_consistent, check_domains_served};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anchor_core::fault::{self, FaultPlan};
use anchor_core::model::{Deployment, DeploymentStatus, DomainMode, PageRequest, Project};
use anchor_core::{Anchor, FlowSettings, LocalOptions, RecoveryReport};

/// The committed fixture, trimmed from a real OpenNext build.
pub fn fixture_source() -> PathBuf {
    anchor_testing::fixture::fixture_build()
}

/// The real OpenNext build of `examples/nextjs-app` named by
/// `ANCHOR_NEXTJS_BUILD` (the test command builds it and sets it), else the
/// committed fixture, which was trimmed from that build.
pub fn real_build_or_fixture() -> PathBuf {
    std::env::var_os(anchor_testing::real_builds::V1)
        .map(PathBuf::from)
        .unwrap_or_else(fixture_source)
}

/// Copies `from` into `to` recursively; fails the test on an I/O error.
pub fn copy_tree(from: &Path, to: &Path) {
    anchor_testing::fixture::copy_tree(from, to)
        .unwrap_or_else(|e| panic!("copying {} to {}: {e}", from.display(), to.display()));
}

/// The real v2 build (`ANCHOR_NEXTJS_BUILD_V2`) when the environment names
/// one, else a variant of `v1` made in `tmp/v2` by [`make_variant`].
pub fn v2_build_or_variant(v1: &Path, tmp: &Path) -> PathBuf {
    match std::env::var_os(anchor_testing::real_builds::V2) {
        Some(v2) => PathBuf::from(v2),
        None => {
            let dir = tmp.join("v2");
            copy_tree(v1, &dir);
            make_variant(&dir, "v2");
            dir
        }
    }
}

/// A private copy of the fixture build that tests may change.
pub fn build_copy(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    copy_tree(&fixture_source(), &dir);
    dir
}

/// `dir` with OpenNext's revalidation queue turned off (`"dummy"`): a
/// queue per deployment changes the server's environment, and so its
/// version, on every deploy; tests of version reuse need a build without.
pub fn without_queue(dir: PathBuf) -> PathBuf {
    let manifest = dir.join("open-next.output.json");
    let mut output: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    output["origins"]["default"]["queue"] = "dummy".into();
    std::fs::write(&manifest, output.to_string()).unwrap();
    dir
}

/// Makes `dir` a different build: new server code, a changed public file
/// and a new hashed chunk, tagged with `tag`.
pub fn make_variant(dir: &Path, tag: &str) {
    let append = |p: PathBuf, text: String| {
        let mut s = std::fs::read(&p).unwrap();
        s.extend_from_slice(text.as_bytes());
        std::fs::write(p, s).unwrap();
    };
    append(
        dir.join("server-functions/default/index.mjs"),
        format!("\n// variant {tag}\n"),
    );
    append(dir.join("assets/robots.txt"), format!("# variant {tag}\n"));
    std::fs::write(
        dir.join(format!("assets/_next/static/chunks/variant-{tag}.js")),
        format!("/* {tag} */"),
    )
    .unwrap();
}

/// Makes `dir` a build with Next.js build id `id`: its `BUILD_ID` files,
/// its ISR cache and static folders named after the id, and its tag seed
/// rows (keyed by the id) all follow. Returns the id it had.
pub fn set_build_id(dir: &Path, id: &str) -> String {
    let old = std::fs::read_to_string(dir.join("assets/BUILD_ID"))
        .unwrap()
        .trim()
        .to_string();
    fn build_id_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                build_id_files(&path, out);
            } else if path.file_name().is_some_and(|n| n == "BUILD_ID") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    build_id_files(dir, &mut files);
    for file in files {
        std::fs::write(file, id).unwrap();
    }
    for folder in ["cache", "cache/__fetch", "assets/_next/static"] {
        let from = dir.join(folder).join(&old);
        if from.is_dir() {
            std::fs::rename(&from, dir.join(folder).join(id)).unwrap();
        }
    }
    let seed = dir.join("dynamodb-provider/dynamodb-cache.json");
    if seed.is_file() {
        let text = std::fs::read_to_string(&seed).unwrap();
        std::fs::write(&seed, text.replace(&old, id)).unwrap();
    }
    old
}

/// An embedded Anchor in a temporary folder.
pub struct Env {
    pub tmp: tempfile::TempDir,
    pub anchor: Anchor,
    pub plain: Anchor,
    pub plan: Arc<FaultPlan>,
}

impl Env {
    pub fn build(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join("builds").join(name);
        if !dir.exists() {
            copy_tree(&fixture_source(), &dir);
        }
        dir
    }
}

/// Settings for fault tests: an interrupted switch is recoverable at once.
pub fn eager_settings() -> FlowSettings {
    FlowSettings {
        stale_switch_after: std::time::Duration::ZERO,
        stale_deployment_after: std::time::Duration::ZERO,
        ..FlowSettings::default()
    }
}

/// Opens an embedded Anchor; `anchor` goes through a fault plan, `plain`
/// shares the same backend without faults. New projects put their custom
/// domains on tenants, the embedded default's default.
pub async fn env_with(settings: FlowSettings) -> Env {
    env_in_mode(settings, DomainMode::Tenants).await
}

/// [`env`] whose new projects put custom domains on their distribution as
/// aliases under one certificate, as projects made before tenants do.
pub async fn env_aliases() -> Env {
    env_in_mode(FlowSettings::default(), DomainMode::Aliases).await
}

/// [`env_with`] with new projects' domains in `mode`.
pub async fn env_in_mode(settings: FlowSettings, mode: DomainMode) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let options = LocalOptions {
        settings: settings.clone(),
        domain_mode: mode,
        ..LocalOptions::default()
    };
    let plain = Anchor::local_with(tmp.path().join("anchor"), options)
        .await
        .unwrap();
    let plan = FaultPlan::new();
    // A second Anchor, with its own (empty) caches, over the wrapped clients.
    let anchor = Anchor::builder(fault::wrap(plain.backend().clone(), &plan))
        .settings(settings)
        .build();
    Env {
        tmp,
        anchor,
        plain,
        plan,
    }
}

pub async fn env() -> Env {
    env_with(FlowSettings::default()).await
}

/// The invariants that hold after every operation, failed or not:
/// - a recorded switch has settled: the aliases point exactly at the active
///   deployment's versions (checked below), whatever its marker says;
/// - at most one deployment is live, and it is the recorded active one;
/// - no deployment is left in progress.
pub async fn check_invariants(anchor: &Anchor, project: &str) {
    let p = anchor.project(project).await.unwrap();
    let mut all = Vec::new();
    let mut page = PageRequest::first(100);
    loop {
        let listed = anchor.history(project, &page).await.unwrap();
        all.extend(listed.items);
        match listed.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    let live: Vec<_> = all
        .iter()
        .filter(|d| d.status == DeploymentStatus::Live)
        .collect();
    assert!(live.len() <= 1, "more than one live deployment: {live:?}");
    assert_eq!(
        live.first().map(|d| &d.id),
        p.active_deployment.as_ref(),
        "live status disagrees with the active pointer"
    );
    for d in &all {
        // A deployment keeps only a rollout that ended; the running one is
        // the project's.
        assert!(
            d.rollout.as_ref().is_none_or(|r| !r.is_running()),
            "deployment {} keeps a running rollout",
            d.id
        );
        assert!(
            !d.status.is_in_progress(),
            "deployment {} left {}",
            d.id,
            d.status
        );
    }
    if let Some(active) = live.first() {
        check_serving(anchor, &p, active).await;
    }
}

/// What serves the project is the recorded active deployment: with a
/// router, its live pointer names it and the deployment's own aliases point
/// at its versions; without, both `live` aliases point at its versions.
pub async fn check_serving(anchor: &Anchor, p: &Project, active: &Deployment) {
    let infra = &p.infrastructure;
    let f = &anchor.backend().functions;
    if let Some(binding) = &infra.router {
        let kvs = &anchor.backend().kvs;
        let keys = anchor_core::router::RouterKeys::new(&infra.distribution_id).unwrap();
        let pointer = kvs.get(&binding.store, &keys.live()).await.unwrap();
        let pointer = anchor_core::router::LivePointer::parse(&pointer.expect("no live pointer"));
        // While a rollout runs the pointer splits the active deployment
        // with its candidate, at the recorded stage and salt.
        let expected = match p.rollout.as_ref().filter(|r| r.is_running()) {
            Some(r) if r.candidate != active.id => {
                anchor_core::router::LivePointer::Split(anchor_core::router::RolloutSplit {
                    live: active.id.clone(),
                    candidate: r.candidate.clone(),
                    weight: r.weight(),
                    salt: r.salt.clone(),
                })
            }
            _ => anchor_core::router::LivePointer::Single(active.id.clone()),
        };
        assert_eq!(pointer.unwrap(), expected, "router pointer");
        let entry = kvs
            .get(&binding.store, &keys.deployment(&active.id))
            .await
            .unwrap();
        let entry: serde_json::Value =
            serde_json::from_str(&entry.expect("the live deployment has no routing entry"))
                .unwrap();
        // A server without the origin guard is never routed unsigned (its
        // URL is AWS_IAM), and a guarded one is never signed.
        if let Some(handler) = active
            .server_version
            .as_ref()
            .and_then(|v| v.handler.as_deref())
        {
            let guarded = handler == anchor_core::opennext::GUARD_HANDLER;
            assert_eq!(
                entry.get("o").is_none(),
                guarded,
                "server origin signing disagrees with its handler {handler:?}: {entry}"
            );
        }
        let alias = format!("v{}", active.version);
        for (function, version) in [
            (&infra.server_function, &active.server_version),
            (&infra.image_function, &active.image_version),
        ] {
            let found = f.get_alias(function, &alias).await.unwrap();
            assert_eq!(
                found.map(|a| a.routing.version),
                version.as_ref().map(|v| v.version.clone()),
                "{function}:{alias}"
            );
        }
        return;
    }
    {
        let server = f
            .get_alias(&infra.server_function, &infra.alias)
            .await
            .unwrap()
            .expect("server alias");
        let image = f
            .get_alias(&infra.image_function, &infra.alias)
            .await
            .unwrap()
            .expect("image alias");
        assert_eq!(
            Some(&server.routing.version),
            active.server_version.as_ref().map(|v| &v.version),
            "server alias"
        );
        assert_eq!(
            Some(&image.routing.version),
            active.image_version.as_ref().map(|v| &v.version),
            "image alias"
        );
        assert!(server.routing.additional.is_none() && image.routing.additional.is_none());
    }
}

/// Runs `recover` after a crash and checks that its report names exactly
/// what the crash left: the deployments stuck in progress, the recorded
/// switch, the domain removals started and the domains claimed without a
/// certificate; and that afterwards no domain change is half-done.
pub async fn recover_checked(anchor: &Anchor, project: &str, at: &str) -> RecoveryReport {
    let p = anchor.project(project).await.unwrap();
    let history = anchor
        .history(project, &PageRequest::first(100))
        .await
        .unwrap()
        .items;
    let stuck: Vec<_> = history
        .iter()
        .filter(|d| d.status.is_in_progress())
        .map(|d| d.id.clone())
        .collect();
    let domains = anchor.domains(project).list().await.unwrap();
    let removing: Vec<_> = domains
        .iter()
        .filter(|d| d.removing)
        .map(|d| d.name.clone())
        .collect();
    let uncertified: Vec<_> = domains
        .iter()
        .filter(|d| !d.removing && d.certificate_id.is_none())
        .map(|d| d.name.clone())
        .collect();
    let report = anchor
        .recover(project)
        .await
        .unwrap_or_else(|e| panic!("{at}: recover failed: {e}"));
    assert_eq!(report.failed_deployments, stuck, "{at}");
    assert_eq!(
        report.resolved_switch_to,
        p.last_switch.map(|s| s.to),
        "{at}"
    );
    assert!(
        !report.rolled_forward || report.resolved_switch_to.is_some(),
        "{at}: a roll forward without a switch to resolve: {report:?}"
    );
    assert_eq!(report.finished_domain_removals, removing, "{at}");
    assert_eq!(report.resumed_domain_additions, uncertified, "{at}");
    let after = anchor.domains(project).list().await.unwrap();
    assert!(
        after
            .iter()
            .all(|d| !d.removing && d.certificate_id.is_some()),
        "{at}: recover left a domain change half-done: {after:?}"
    );
    report
}
