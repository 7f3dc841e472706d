//! The fault-injecting wrapper is an implementation of every trait too:
//! disarmed, it must pass every conformance suite unchanged.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::conformance;
use anchor_core::fault::{FaultPlan, Faulty};
use anchor_core::local::{LocalCloud, SqliteStateStore};
use anchor_core::model::ProjectName;
use anchor_core::traits::{
    Cdn, Certificates, Functions, ObjectStore, ProvisionOptions, Provisioner, StateStore,
};
use futures::future::BoxFuture;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_suite_passes_through_the_disarmed_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = LocalCloud::open(dir.path().join("cloud"), Arc::new(SystemClock)).unwrap();
    let plan = FaultPlan::new();
    let infra = cloud
        .provisioner()
        .provision(
            &ProjectName::parse("wrapped").unwrap(),
            &ProvisionOptions::default(),
        )
        .await
        .unwrap();
    let ca = cloud.certificates();
    let issue = move |id: String| -> BoxFuture<'static, ()> {
        let ca = ca.clone();
        Box::pin(async move { ca.validate(&id).await.unwrap() })
    };
    let store: Arc<dyn StateStore> = Arc::new(Faulty::<dyn StateStore> {
        inner: Arc::new(SqliteStateStore::open(dir.path().join("state")).unwrap()),
        plan: plan.clone(),
    });
    let objects = Faulty::<dyn ObjectStore> {
        inner: Arc::new(cloud.objects()),
        plan: plan.clone(),
    };
    let functions = Faulty::<dyn Functions> {
        inner: Arc::new(cloud.functions()),
        plan: plan.clone(),
    };
    let cdn = Faulty::<dyn Cdn> {
        inner: Arc::new(cloud.cdn()),
        plan: plan.clone(),
    };
    let certs = Faulty::<dyn Certificates> {
        inner: Arc::new(cloud.certificates()),
        plan: plan.clone(),
    };

    conformance::store::state_store(store).await;
    conformance::objects::objects(&objects).await;
    conformance::functions::functions(&functions, &infra.server_function).await;
    conformance::certificates::certificates(&certs, &issue).await;
    conformance::cdn::cdn(&cdn, &infra.distribution_id, &certs, &issue).await;
    assert!(
        plan.calls() > 100,
        "the calls went through the wrapper ({})",
        plan.calls()
    );
}
