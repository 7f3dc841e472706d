//! 100 mixed operations at once on one project, on the embedded default
//! (SQLite records, local functions, CDN and CA): the shared scenario of
//! `concurrency/mod.rs`, with certificates issued as soon as they are
//! requested so domains attach during the burst.

use crate::common;
use crate::concurrency;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anchor_core::model::FunctionVersion;
use anchor_core::traits::{
    AliasConfig, AliasRouting, CertificateDescription, CertificateRequest, Certificates,
    CodeBundle, FunctionUrlOptions, Functions, PublishOptions, SetAliasOptions,
};
use anchor_core::{Anchor, Backend, Error, LocalOptions};
use async_trait::async_trait;
use common::{check_invariants, make_variant};
use concurrency::Mix;
use tokio::sync::Notify;

const P: &str = "shop";

/// 20 deploys (12 promoted, 8 previews) and 80 cheaper operations.
fn mix() -> Mix {
    Mix {
        deploys: 12,
        previews: 8,
        rollbacks_by_id: 14,
        rollbacks_by_version: 10,
        rollbacks_to_new_versions: 6,
        rollbacks_to_previous: 8,
        promotes: 10,
        domain_adds: 12,
        domain_refreshes: 10,
        domain_removes: 10,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_mixed_operations_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let options = LocalOptions {
        auto_issue_after: Some(chrono::Duration::zero()),
        ..LocalOptions::default()
    };
    let a = Anchor::local_with(tmp.path().join("anchor"), options)
        .await
        .unwrap();
    let mix = mix();
    assert_eq!(mix.total(), 100);
    let before = concurrency::prepare(
        &a,
        P,
        &tmp.path().join("builds"),
        3,
        2,
        &mix,
        Duration::ZERO,
    )
    .await;
    let figures = concurrency::run(&a, P, &before, &mix).await;
    assert_eq!(figures.operations, 100);
    // Two adds of one name that see different sets of the project's other
    // domains request two certificates; the one whose record write loses
    // deletes its own (see the deterministic test below).
    let orphans = orphan_certificates(&a, tmp.path()).await;
    println!("certificates left without a domain record: {orphans}");
    assert_eq!(orphans, 0, "every certificate belongs to a domain record");
    assert!(
        figures.successes.values().sum::<usize>() > 0,
        "some operations win"
    );
}

/// How many certificates of the local CA no domain record names.
async fn orphan_certificates(a: &Anchor, root: &std::path::Path) -> usize {
    let referenced: Vec<String> = a
        .domains(P)
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| d.certificate_id)
        .collect();
    let db = rusqlite::Connection::open(root.join("anchor/cloud/cloud.db")).unwrap();
    let mut stmt = db.prepare("SELECT id FROM certificates").unwrap();
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    ids.iter().filter(|id| !referenced.contains(id)).count()
}

/// A function host whose first `set_alias` to one version is held until
/// the test releases it: a slow UpdateAlias.
#[derive(Debug)]
struct SlowAlias {
    inner: Arc<dyn Functions>,
    /// `(function, version)` of the call to hold; taken by the first match.
    hold: Mutex<Option<(String, String)>>,
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Functions for SlowAlias {
    async fn publish(
        &self,
        function: &str,
        code: &CodeBundle,
        options: &PublishOptions,
    ) -> anchor_core::Result<FunctionVersion> {
        self.inner.publish(function, code, options).await
    }

    async fn get_version(
        &self,
        function: &str,
        version: &str,
    ) -> anchor_core::Result<Option<FunctionVersion>> {
        self.inner.get_version(function, version).await
    }

    async fn get_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> anchor_core::Result<Option<AliasConfig>> {
        self.inner.get_alias(function, alias).await
    }

    async fn code_size(&self, function: &str, version: &str) -> anchor_core::Result<Option<u64>> {
        self.inner.code_size(function, version).await
    }

    async fn delete_alias(&self, function: &str, alias: &str) -> anchor_core::Result<()> {
        self.inner.delete_alias(function, alias).await
    }

    async fn ensure_url(
        &self,
        function: &str,
        alias: &str,
        options: &FunctionUrlOptions,
    ) -> anchor_core::Result<String> {
        self.inner.ensure_url(function, alias, options).await
    }

    async fn set_alias(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
        options: &SetAliasOptions,
    ) -> anchor_core::Result<AliasConfig> {
        let held = {
            let mut hold = self.hold.lock().unwrap();
            let matches = hold
                .as_ref()
                .is_some_and(|(f, v)| f == function && *v == routing.version);
            matches && hold.take().is_some()
        };
        if held {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner
            .set_alias(function, alias, routing, options)
            .await
    }

    async fn delete_version(&self, function: &str, version: &str) -> anchor_core::Result<()> {
        self.inner.delete_version(function, version).await
    }
}

/// A redeploy of an unchanged build gets the same function versions as
/// the deployment live before it, so while its promotion is still moving
/// the aliases they already "point at" it. A second switch in the same
/// process must not take that for a finished move: if it did, the first
/// switch's late UpdateAlias would land after the second one's and leave
/// the aliases on a deployment that is not the active one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switch_waits_for_a_slow_alias_move_even_when_versions_repeat() {
    let tmp = tempfile::tempdir().unwrap();
    // Only a distribution without the router moves aliases in a switch.
    let options = LocalOptions {
        router: false,
        ..LocalOptions::default()
    };
    let plain = Anchor::local_with(tmp.path().join("anchor"), options)
        .await
        .unwrap();
    plain.create_project(P).await.unwrap();
    let same = common::without_queue(common::build_copy(tmp.path(), "same"));
    let v1 = plain.deployer(P, &same).execute().await.unwrap();
    let again = plain
        .deployer(P, &same)
        .promote(false)
        .execute()
        .await
        .unwrap();
    assert_eq!(again.server_version, v1.server_version, "unchanged code");
    let other = common::build_copy(tmp.path(), "other");
    make_variant(&other, "other");
    let v3 = plain
        .deployer(P, &other)
        .promote(false)
        .execute()
        .await
        .unwrap();

    let infra = plain.project(P).await.unwrap().infrastructure;
    let slow = Arc::new(SlowAlias {
        inner: plain.backend().functions.clone(),
        hold: Mutex::new(Some((
            infra.server_function.clone(),
            v1.server_version.clone().unwrap().version,
        ))),
        entered: Notify::new(),
        release: Notify::new(),
    });
    let a = Anchor::builder(Backend {
        functions: slow.clone(),
        ..plain.backend().clone()
    })
    .build();
    let first = {
        let (a, id) = (a.clone(), again.id.to_string());
        tokio::spawn(async move { a.promote(P, &id).await })
    };
    slow.entered.notified().await;
    // The first switch is decided and its server alias move is in flight.
    let second = a.promote(P, v3.id.as_str()).await;
    slow.release.notify_one();
    let first = first.await.unwrap();
    assert!(first.is_ok(), "{first:?}");
    match second {
        Ok(d) => assert_eq!(d.id, v3.id),
        Err(Error::Conflict { .. }) => {}
        Err(other) => panic!("the second switch must win or get Conflict: {other:?}"),
    }
    check_invariants(&a, P).await;
}

/// A CA whose first certificate request is held until the test releases
/// it: a slow RequestCertificate.
#[derive(Debug)]
struct SlowRequest {
    inner: Arc<dyn Certificates>,
    held: Mutex<bool>,
    entered: Notify,
    release: Notify,
}

#[async_trait]
impl Certificates for SlowRequest {
    async fn request(&self, request: &CertificateRequest) -> anchor_core::Result<String> {
        let hold = std::mem::replace(&mut *self.held.lock().unwrap(), false);
        if hold {
            self.entered.notify_one();
            self.release.notified().await;
        }
        self.inner.request(request).await
    }

    async fn describe(&self, id: &str) -> anchor_core::Result<CertificateDescription> {
        self.inner.describe(id).await
    }

    async fn delete(&self, id: &str) -> anchor_core::Result<()> {
        self.inner.delete(id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_add_that_loses_to_a_concurrent_add_deletes_its_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = Anchor::local(tmp.path().join("anchor")).await.unwrap();
    plain.create_project(P).await.unwrap();
    let slow = Arc::new(SlowRequest {
        inner: plain.backend().certificates.clone(),
        held: Mutex::new(true),
        entered: Notify::new(),
        release: Notify::new(),
    });
    let a = Anchor::builder(Backend {
        certificates: slow.clone(),
        ..plain.backend().clone()
    })
    .build();
    // The first add claims www and stops at its certificate request, having
    // seen no other domain of the project.
    let first = {
        let a = a.clone();
        tokio::spawn(async move { a.domains(P).add("www.example.com").await })
    };
    slow.entered.notified().await;
    // Meanwhile another domain is added, and a second add of www sees it,
    // so it requests a certificate for both names and records it first.
    plain.domains(P).add("api.example.com").await.unwrap();
    let winner = plain.domains(P).add("www.example.com").await.unwrap();
    slow.release.notify_one();
    let lost = first.await.unwrap().unwrap_err();
    assert!(matches!(lost, Error::Conflict { .. }), "{lost:?}");

    let record = plain.domains(P).list().await.unwrap();
    let www = record
        .iter()
        .find(|d| d.name.as_str() == "www.example.com")
        .unwrap();
    assert_eq!(www.certificate_id, winner.certificate_id);
    assert_eq!(
        orphan_certificates(&plain, tmp.path()).await,
        0,
        "the losing add deleted the certificate it requested"
    );
}
