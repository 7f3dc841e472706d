//! Function settings on the embedded default (issue 15): a new project's
//! functions get SST's defaults, a deploy with other settings publishes
//! versions that carry them (and reuses nothing whose settings differ),
//! and invalid settings are refused before anything is recorded.

use crate::common;

use anchor_core::model::{PageRequest, SiteFunctionSettings};
use anchor_core::traits::ProvisionOptions;
use anchor_core::{Anchor, Error};
use common::{build_copy, fixture_source, without_queue};

fn field_of(e: Error) -> String {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

async fn recorded(anchor: &Anchor, function: &str, version: &str) -> (Option<u32>, Option<u32>) {
    let run = anchor
        .local_cloud()
        .unwrap()
        .functions()
        .runnable(function, version)
        .await
        .unwrap()
        .unwrap();
    (run.memory_mb, run.timeout_seconds)
}

#[tokio::test]
async fn versions_carry_the_settings_they_were_deployed_with() {
    let dir = tempfile::tempdir().unwrap();
    // Versions are reused only while the environment stays the same: no
    // router (its origin secret is per deployment) and no revalidation
    // queue (one per deployment).
    let options = anchor_core::LocalOptions {
        router: false,
        ..anchor_core::LocalOptions::default()
    };
    let anchor = Anchor::local_with(dir.path(), options).await.unwrap();
    let infra = anchor.create_project("web").await.unwrap().infrastructure;
    let builds = tempfile::tempdir().unwrap();
    let build = without_queue(build_copy(builds.path(), "plain"));
    let first = anchor.deployer("web", &build).execute().await.unwrap();
    let server = first.server_version.clone().unwrap().version;
    let image = first.image_version.clone().unwrap().version;
    assert_eq!(
        recorded(&anchor, &infra.server_function, &server).await,
        (Some(1024), Some(20))
    );
    assert_eq!(
        recorded(&anchor, &infra.image_function, &image).await,
        (Some(1536), Some(25))
    );

    let mut settings = SiteFunctionSettings::default();
    settings.server.memory_mb = 3008;
    settings.server.timeout_seconds = 5;
    let second = anchor
        .deployer("web", &build)
        .function_settings(settings.clone())
        .execute()
        .await
        .unwrap();
    let changed = second.server_version.clone().unwrap().version;
    assert_ne!(changed, server, "same code, other settings: a new version");
    assert_eq!(
        recorded(&anchor, &infra.server_function, &changed).await,
        (Some(3008), Some(5))
    );
    assert_eq!(second.image_version, first.image_version);
    // The deployment's record shows what the versions run with.
    let record = second.server_version.clone().unwrap();
    assert_eq!(
        (record.memory_mb, record.timeout_seconds),
        (Some(3008), Some(5))
    );
    assert_eq!(record.runtime.as_deref(), Some("nodejs24.x"));
    let image = first.image_version.clone().unwrap();
    assert_eq!(
        (image.memory_mb, image.timeout_seconds),
        (Some(1536), Some(25))
    );

    let third = anchor
        .deployer("web", &build)
        .function_settings(settings)
        .execute()
        .await
        .unwrap();
    assert_eq!(third.server_version, second.server_version);

    // Without settings a deploy keeps what the function has now.
    let fourth = anchor.deployer("web", &build).execute().await.unwrap();
    assert_eq!(fourth.server_version, second.server_version);
}

#[tokio::test]
async fn invalid_settings_are_refused_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path()).await.unwrap();
    let mut bad = SiteFunctionSettings::default();
    bad.server.memory_mb = 10_241;
    let options = ProvisionOptions {
        functions: bad.clone(),
        ..ProvisionOptions::default()
    };
    let e = anchor
        .create_project_with("web", options)
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "server.memory_mb");
    assert!(anchor.project("web").await.is_err(), "no project was made");

    anchor.create_project("web").await.unwrap();
    let e = anchor
        .deployer("web", fixture_source())
        .function_settings(bad)
        .execute()
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "server.memory_mb");
    let history = anchor
        .history("web", &PageRequest::default())
        .await
        .unwrap();
    assert!(history.items.is_empty(), "{:?}", history.items);
}
