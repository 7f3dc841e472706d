//! Skew protection's store writes on the embedded default (issue 17): a
//! deploy pins its build's Next.js `deploymentId`, the plan says whether
//! there is one, and each switch starts the window of the deployment
//! leaving live and clears the one arriving, in the switch's one update.

use std::path::Path;

use crate::common;

use anchor_core::model::{DeploymentId, PageRequest};
use anchor_core::router::{RouterKeys, DEFAULT_SKEW_WINDOW};
use anchor_core::traits::KeyValueStore;
use anchor_core::Anchor;
use common::{build_copy, make_variant};

const P: &str = "skew";

/// Sets `config.deploymentId` in the build's server bundle, as
/// `NEXT_DEPLOYMENT_ID=<id> next build` would.
fn set_deployment_id(build: &Path, id: &str) {
    let dir = build.join("server-functions/default/.next");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("required-server-files.json");
    let mut json: serde_json::Value = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| serde_json::json!({"version": 1, "config": {}}));
    json["config"]["deploymentId"] = serde_json::json!(id);
    std::fs::write(&file, json.to_string()).unwrap();
}

struct Store {
    anchor: Anchor,
    store: String,
    keys: RouterKeys,
}

impl Store {
    async fn of(anchor: Anchor) -> Self {
        let project = anchor.project(P).await.unwrap();
        let store = project.infrastructure.router.clone().unwrap().store;
        let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
        Self {
            anchor,
            store,
            keys,
        }
    }

    async fn get(&self, key: &str) -> Option<String> {
        let kvs = self.anchor.local_cloud().unwrap().kvs();
        kvs.get(&self.store, key).await.unwrap()
    }

    async fn window_end(&self, id: &DeploymentId) -> Option<i64> {
        self.get(&self.keys.window_end(id))
            .await
            .map(|v| v.parse().unwrap())
    }
}

#[tokio::test]
async fn each_switch_starts_the_leaving_deployments_window_and_clears_the_arriving_one() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = build_copy(builds.path(), "v1");
    let v2 = build_copy(builds.path(), "v2");
    make_variant(&v2, "two");
    set_deployment_id(&v1, "build-v1");
    set_deployment_id(&v2, "build-v2");

    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project(P).await.unwrap();
    let plan = anchor.deployer(P, &v1).plan().await.unwrap();
    assert_eq!(plan.next_deployment_id.as_deref(), Some("build-v1"));
    let first = anchor.deployer(P, &v1).execute().await.unwrap();
    let second = anchor.deployer(P, &v2).execute().await.unwrap();
    let s = Store::of(anchor).await;

    // Each build's id names its deployment.
    for (build, d) in [("build-v1", &first), ("build-v2", &second)] {
        let pin: serde_json::Value =
            serde_json::from_str(&s.get(&s.keys.pin(build)).await.unwrap()).unwrap();
        assert_eq!(pin["d"], d.id.as_str());
    }
    // v2 went live: v1's window ends in 7 days, v2 has none.
    let window = DEFAULT_SKEW_WINDOW.as_secs() as i64;
    let now = chrono::Utc::now().timestamp();
    let end = s.window_end(&first.id).await.expect("v1's window");
    assert!(
        (now + window - 60..=now + window + 1).contains(&end),
        "v1's window ends at {end}, not 7 days from {now}"
    );
    assert_eq!(s.window_end(&second.id).await, Some(0));

    // A rollback to v1 clears its end and starts v2's.
    s.anchor.rollback(P).execute().await.unwrap();
    assert_eq!(s.window_end(&first.id).await, Some(0));
    assert!(s.window_end(&second.id).await.unwrap() > now);
}

#[tokio::test]
async fn a_build_without_a_deployment_id_deploys_unpinned_and_the_plan_and_progress_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = build_copy(builds.path(), "v1");
    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project(P).await.unwrap();
    let plan = anchor.deployer(P, &v1).plan().await.unwrap();
    assert_eq!(plan.next_deployment_id, None);
    assert_eq!(
        notes_of_deploy(&anchor, &v1).await,
        [anchor_core::flows::deploy::NO_DEPLOYMENT_ID_NOTE.to_string()]
    );
    // A build with one says nothing.
    set_deployment_id(&v1, "build-v1");
    assert!(notes_of_deploy(&anchor, &v1).await.is_empty());
}

/// The progress notes of a deploy of `build`.
async fn notes_of_deploy(anchor: &Anchor, build: &Path) -> Vec<String> {
    let notes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = notes.clone();
    anchor
        .deployer(P, build)
        .on_progress(move |e| seen.lock().unwrap().extend(e.note.clone()))
        .execute()
        .await
        .unwrap();
    let notes = notes.lock().unwrap().clone();
    notes
}

#[tokio::test]
async fn a_deployment_id_that_cannot_be_pinned_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = build_copy(builds.path(), "v1");
    set_deployment_id(&v1, "has/slash");
    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project(P).await.unwrap();
    match anchor.deployer(P, &v1).execute().await {
        Err(anchor_core::Error::InvalidBuild { path, .. }) => {
            assert!(path.ends_with("required-server-files.json"), "{path:?}")
        }
        other => panic!("expected InvalidBuild, got {other:?}"),
    }
    let history = anchor.history(P, &PageRequest::first(10)).await.unwrap();
    assert!(history.items.is_empty(), "{:?}", history.items);
}

#[tokio::test]
async fn the_project_policy_sets_the_window_and_ends_windows_past_max_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = build_copy(builds.path(), "v1");
    let v2 = build_copy(builds.path(), "v2");
    make_variant(&v2, "two");
    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project(P).await.unwrap();
    let policy =
        anchor_core::model::SkewPolicy::new(std::time::Duration::from_secs(60), 1).unwrap();
    let project = anchor.set_skew_policy(P, policy).await.unwrap();
    assert_eq!(project.skew(), policy);
    let first = anchor.deployer(P, &v1).execute().await.unwrap();
    let second = anchor.deployer(P, &v2).execute().await.unwrap();
    let third = anchor.deployer(P, &v1).execute().await.unwrap();
    let s = Store::of(anchor).await;
    let now = chrono::Utc::now().timestamp();
    // v2 left last: its window is the policy's minute.
    let end = s.window_end(&second.id).await.unwrap();
    assert!((now + 59..=now + 61).contains(&end), "{end} vs {now}");
    // v1 left before it, and one open window is the most: v1's ended.
    assert!(s.window_end(&first.id).await.unwrap() <= now);
    assert_eq!(s.window_end(&third.id).await, Some(0));
    let recorded = s.anchor.project(P).await.unwrap();
    assert_eq!(recorded.open_skew_windows, vec![second.id.clone()]);

    // Off: the next leaving deployment's window ends as it leaves.
    let off = anchor_core::model::SkewPolicy::new(std::time::Duration::ZERO, 5).unwrap();
    s.anchor.set_skew_policy(P, off).await.unwrap();
    s.anchor.rollback(P).execute().await.unwrap();
    assert!(s.window_end(&third.id).await.unwrap() <= chrono::Utc::now().timestamp());
}

#[tokio::test]
async fn a_negative_or_too_long_window_is_refused_by_name_and_changes_nothing() {
    use anchor_core::model::SkewPolicy;
    let field = |r: anchor_core::Result<SkewPolicy>| match r {
        Err(anchor_core::Error::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(SkewPolicy::from_signed(-1, 10)),
        "skew.max_age_seconds"
    );
    assert_eq!(
        field(SkewPolicy::from_signed(86_400 * 61, 10)),
        "skew.max_age_seconds"
    );
    assert_eq!(field(SkewPolicy::from_signed(60, 1_000)), "skew.max_pinned");
}

/// A switch that stopped after its deciding write and before its pointer
/// write is rolled forward by `recover()`, which must also end the windows
/// past the policy's `max_pinned`, as the switch would have (they are in
/// its marker).
#[tokio::test]
async fn recover_rolling_a_switch_forward_ends_the_windows_past_max_pinned() {
    use anchor_core::fault::Fault;
    use anchor_core::model::SkewPolicy;
    use std::time::Duration;

    async fn setup() -> (common::Env, std::path::PathBuf) {
        let env = common::env_with(common::eager_settings()).await;
        let a = &env.plain;
        a.create_project(P).await.unwrap();
        let policy = SkewPolicy::new(Duration::from_secs(86_400), 1).unwrap();
        a.set_skew_policy(P, policy).await.unwrap();
        a.deployer(P, env.build("v1")).execute().await.unwrap();
        let v2 = env.build("v2");
        make_variant(&v2, "two");
        a.deployer(P, &v2).execute().await.unwrap();
        let v3 = env.build("v3");
        make_variant(&v3, "three");
        env.plan.reset();
        (env, v3)
    }
    // Where the switch writes the pointer: the deploy's last store update.
    let (env, v3) = setup().await;
    env.anchor.deployer(P, &v3).execute().await.unwrap();
    let log = env.plan.log();
    let position = log.iter().rposition(|c| c == "kvs.update").unwrap();

    let (env, v3) = setup().await;
    let history = env.plain.history(P, &PageRequest::first(10)).await.unwrap();
    let v1 = history
        .items
        .iter()
        .find(|d| d.version == 1)
        .unwrap()
        .id
        .clone();
    env.plan.arm(position, Fault::Crash);
    let deployer = env.anchor.deployer(P, &v3);
    tokio::select! {
        _ = deployer.execute() => panic!("the deploy did not stop"),
        _ = env.plan.crashed() => {}
    }
    env.plan.reset();
    let report = env.plain.recover(P).await.unwrap();
    assert!(report.rolled_forward, "{report:?}");
    let s = Store::of(env.plain.clone()).await;
    let now = chrono::Utc::now().timestamp();
    let end = s.window_end(&v1).await.expect("v1 has a window end");
    assert!(
        end <= now,
        "v1's window is past max_pinned 1 but ends at {end}, after {now}"
    );
}
