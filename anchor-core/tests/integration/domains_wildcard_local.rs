//! Wildcard domains on the embedded default (issue 17): `*.preview.example.com`
//! is certified and attached like any domain, and while it is attached its
//! suffix is one of the router's preview suffixes, so every deployment has
//! its own `v<N>.preview.example.com`; removing it takes the suffix away.

use anchor_core::model::{CdnStatus, Domain};
use anchor_core::router::RouterKeys;
use anchor_core::Anchor;

const P: &str = "wild";

async fn validate(a: &Anchor, d: &Domain) {
    let id = d.certificate_id.as_deref().unwrap();
    let cloud = a.local_cloud().unwrap();
    cloud.certificates().validate(id).await.unwrap();
}

/// The distribution's preview suffixes as the router reads them.
async fn suffixes(a: &Anchor) -> Option<String> {
    let project = a.project(P).await.unwrap();
    let binding = project.infrastructure.router.clone().unwrap();
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    a.backend()
        .kvs
        .get(&binding.store, &keys.preview_suffix())
        .await
        .unwrap()
}

async fn attach(a: &Anchor, name: &str) -> Domain {
    let d = a.domains(P).add(name).await.unwrap();
    validate(a, &d).await;
    a.domains(P).refresh(name).await.unwrap()
}

#[tokio::test]
async fn a_wildcard_domain_gives_deployments_their_own_hosts_while_attached() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = crate::common::build_copy(builds.path(), "v1");
    let a = Anchor::local(dir.path()).await.unwrap();
    a.create_project(P).await.unwrap();
    a.deployer(P, &v1).execute().await.unwrap();
    assert_eq!(suffixes(&a).await.as_deref(), Some("localhost"));

    let added = a.domains(P).add("*.Preview.Example.com").await.unwrap();
    assert_eq!(added.name.as_str(), "*.preview.example.com");
    assert_eq!(added.routing_record.name, "*.preview.example.com.");
    // ACM validates a wildcard at the name it covers.
    assert!(
        added.validation_records[0]
            .name
            .ends_with(".preview.example.com.")
            && !added.validation_records[0].name.contains('*'),
        "{:?}",
        added.validation_records
    );
    // Pending: no suffix yet.
    a.domains(P).refresh("*.preview.example.com").await.unwrap();
    assert_eq!(suffixes(&a).await.as_deref(), Some("localhost"));

    let active = attach(&a, "*.preview.example.com").await;
    assert_eq!(active.cdn_status, CdnStatus::Active);
    assert_eq!(
        suffixes(&a).await.as_deref(),
        Some("localhost,preview.example.com")
    );
    // Its own tenant serves it.
    let tenant = a
        .backend()
        .cdn
        .get_tenant(active.tenant_id.as_deref().unwrap())
        .await
        .unwrap()
        .value;
    assert_eq!(tenant.domains, ["*.preview.example.com"]);
    assert_eq!(tenant.certificate_id, active.certificate_id);
    // Refreshing again writes nothing new.
    a.domains(P).refresh("*.preview.example.com").await.unwrap();
    assert_eq!(
        suffixes(&a).await.as_deref(),
        Some("localhost,preview.example.com")
    );
    // The first suffix names the preview host; a second wildcard adds its own.
    let address = a.preview_address(P, 1).await.unwrap();
    assert_eq!(address.host.as_deref(), Some("v1.localhost"));
    attach(&a, "*.qa.example.com").await;
    assert_eq!(
        suffixes(&a).await.as_deref(),
        Some("localhost,preview.example.com,qa.example.com")
    );

    a.domains(P).remove("*.preview.example.com").await.unwrap();
    assert_eq!(
        suffixes(&a).await.as_deref(),
        Some("localhost,qa.example.com")
    );
    a.domains(P).remove("*.qa.example.com").await.unwrap();
    assert_eq!(suffixes(&a).await.as_deref(), Some("localhost"));
}

#[tokio::test]
async fn an_active_wildcard_whose_suffix_was_lost_gets_it_back_on_recover() {
    let dir = tempfile::tempdir().unwrap();
    let a = Anchor::local(dir.path()).await.unwrap();
    a.create_project(P).await.unwrap();
    attach(&a, "*.preview.example.com").await;
    // As if the attach had stopped between the record and the suffix.
    let project = a.project(P).await.unwrap();
    let binding = project.infrastructure.router.clone().unwrap();
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let kvs = &a.backend().kvs;
    let etag = kvs.describe(&binding.store).await.unwrap().etag;
    let update = anchor_core::traits::KvsUpdate::put(keys.preview_suffix(), "localhost");
    kvs.update(&binding.store, &update, &etag).await.unwrap();

    a.recover(P).await.unwrap();
    assert_eq!(
        suffixes(&a).await.as_deref(),
        Some("localhost,preview.example.com")
    );
}
