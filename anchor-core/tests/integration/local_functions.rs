//! Local-only behaviours of the local function host and provisioner: what
//! the conformance suites cannot check through the traits.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::local::LocalCloud;
use anchor_core::model::ProjectName;
use anchor_core::traits::{
    AliasRouting, Cdn, CodeBundle, Functions, ProvisionOptions, Provisioner, PublishOptions,
    SetAliasOptions,
};
use anchor_core::{Error, ResourceKind};

fn open(dir: &tempfile::TempDir) -> LocalCloud {
    LocalCloud::open(dir.path(), Arc::new(SystemClock)).unwrap()
}

fn field_of<T: std::fmt::Debug>(result: anchor_core::Result<T>) -> String {
    match result {
        Err(Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn provisioning_is_idempotent_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    let project = ProjectName::parse("shop").unwrap();
    let options = ProvisionOptions::default();
    let infra = cloud
        .provisioner()
        .provision(&project, &options)
        .await
        .unwrap();
    assert_eq!(infra.server_function, "shop-server");
    assert_eq!(infra.image_function, "shop-image");
    assert_eq!(infra.alias, "live");
    assert_eq!(infra.asset_prefix, "shop");
    assert_eq!(infra.distribution_id, "local-shop");
    assert_eq!(infra.distribution_domain, "local-shop.cdn.anchor.localhost");
    let before = cloud
        .cdn()
        .get_config(&infra.distribution_id)
        .await
        .unwrap();
    assert_eq!(before.value.domain_name, infra.distribution_domain);

    let host = cloud.functions();
    let v1 = host
        .publish(
            "shop-server",
            &CodeBundle::new(b"zip-1".to_vec()),
            &Default::default(),
        )
        .await
        .unwrap();
    host.set_alias(
        "shop-server",
        "live",
        &AliasRouting::single("1"),
        &SetAliasOptions::default(),
    )
    .await
    .unwrap();

    let reopened = open(&dir);
    let again = reopened
        .provisioner()
        .provision(&project, &options)
        .await
        .unwrap();
    assert_eq!(
        again, infra,
        "provisioning twice returns the same infrastructure"
    );
    let after = reopened
        .cdn()
        .get_config(&infra.distribution_id)
        .await
        .unwrap();
    assert_eq!(
        after, before,
        "provisioning again leaves the distribution and its ETag alone"
    );
    let host = reopened.functions();
    assert_eq!(
        host.get_version("shop-server", "1").await.unwrap(),
        Some(v1)
    );
    assert!(
        host.get_alias("shop-server", "live")
            .await
            .unwrap()
            .is_some(),
        "aliases survive"
    );

    let bad = ProvisionOptions {
        alias: "123".into(),
        ..ProvisionOptions::default()
    };
    assert_eq!(
        field_of(cloud.provisioner().provision(&project, &bad).await),
        "alias"
    );
}

#[tokio::test]
async fn functions_follow_lambda_naming_and_store_zips() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    cloud
        .provisioner()
        .provision(&ProjectName::parse("app").unwrap(), &Default::default())
        .await
        .unwrap();
    let host = cloud.functions();
    let code = CodeBundle::new(b"first".to_vec());
    let v1 = host
        .publish("app-server", &code, &Default::default())
        .await
        .unwrap();
    assert_eq!(v1.version, "1");
    assert_eq!(v1.arn, "arn:anchor:local:function:app-server:1");
    let run = host.runnable("app-server", "1").await.unwrap().unwrap();
    assert_eq!(std::fs::read(&run.zip).unwrap(), b"first");
    assert_eq!(run.version, v1);
    assert_eq!(run.handler, "index.handler", "Lambda's default handler");
    assert!(run.environment.is_empty());
    assert_eq!(host.runnable("app-server", "2").await.unwrap(), None);

    // The handler and environment are frozen into the version, as on Lambda.
    let options = PublishOptions {
        handler: Some("server.main".into()),
        environment: [(
            "CACHE_BUCKET_KEY_PREFIX".to_string(),
            "app/_cache".to_string(),
        )]
        .into(),
        ..PublishOptions::default()
    };
    let v2 = host
        .publish("app-server", &CodeBundle::new(b"second".to_vec()), &options)
        .await
        .unwrap();
    let run = host
        .runnable("app-server", &v2.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.handler, "server.main");
    assert_eq!(run.environment, options.environment);
    host.delete_version("app-server", &v2.version)
        .await
        .unwrap();
    assert_eq!(
        host.runnable("app-server", &v2.version).await.unwrap(),
        None
    );
    assert_eq!(
        host.get_version("app-server", "01").await.unwrap(),
        None,
        "only canonical numbers"
    );

    let alias = host
        .set_alias(
            "app-server",
            "live",
            &AliasRouting::single("1"),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        alias.url.as_deref(),
        Some("https://app-server--live.lambda-url.anchor.localhost/"),
        "aliases carry their Function URL"
    );

    let mut forged = CodeBundle::new(b"second".to_vec());
    forged.sha256 = code.sha256.clone();
    assert_eq!(
        field_of(
            host.publish("app-server", &forged, &Default::default())
                .await
        ),
        "code.sha256"
    );
    let weighted = AliasRouting {
        version: "1".into(),
        additional: Some(("1".into(), 0.5)),
    };
    assert_eq!(
        field_of(
            host.set_alias("app-server", "live", &weighted, &Default::default())
                .await
        ),
        "routing"
    );
    assert_eq!(field_of(host.get_version("../etc", "1").await), "function");
    assert_eq!(field_of(host.get_alias("app-server", "42").await), "alias");
    let missing = host.get_version("nope", "1").await.unwrap_err();
    assert!(
        matches!(
            missing,
            Error::NotFound {
                kind: ResourceKind::Function,
                ..
            }
        ),
        "{missing:?}"
    );

    host.set_alias(
        "app-server",
        "live",
        &AliasRouting::single("1"),
        &Default::default(),
    )
    .await
    .unwrap();
    let v2 = host
        .publish(
            "app-server",
            &CodeBundle::new(b"second".to_vec()),
            &Default::default(),
        )
        .await
        .unwrap();
    host.delete_version("app-server", &v2.version)
        .await
        .unwrap();
    assert!(
        !dir.path().join("functions/app-server/2.zip").exists(),
        "a deleted version's zip is removed"
    );
    let err = host.delete_version("app-server", "1").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidState { state, .. } if state == "aliased"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_folder_from_before_handlers_and_routes_were_kept_still_opens() {
    // The tables as the first release made them, with one version and one
    // distribution in them.
    let dir = tempfile::tempdir().unwrap();
    let db = rusqlite::Connection::open(dir.path().join("cloud.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE function_versions (function TEXT NOT NULL, version INTEGER NOT NULL,
             code_sha256 TEXT NOT NULL, description TEXT, created_at INTEGER NOT NULL,
             PRIMARY KEY (function, version));
         CREATE TABLE distributions (id TEXT PRIMARY KEY, domain_name TEXT NOT NULL,
             aliases TEXT NOT NULL, certificate_id TEXT, etag TEXT NOT NULL);
         CREATE TABLE functions (name TEXT PRIMARY KEY, next_version INTEGER NOT NULL DEFAULT 1,
             created_at INTEGER NOT NULL);
         INSERT INTO functions VALUES ('old-server', 2, 0);
         INSERT INTO function_versions VALUES ('old-server', 1, 'c2hh', NULL, 0);
         INSERT INTO distributions VALUES ('local-old', 'local-old.cdn.anchor.localhost', '[]', NULL, 'E1');",
    )
    .unwrap();
    drop(db);

    let cloud = open(&dir);
    let run = cloud
        .functions()
        .runnable("old-server", "1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.handler, "index.handler");
    assert!(run.environment.is_empty());
    assert_eq!(
        cloud.cdn().routes("local-old").await.unwrap(),
        anchor_core::model::CdnRoute::opennext_defaults(),
        "a distribution without recorded routes has OpenNext's defaults"
    );
}

#[tokio::test]
async fn the_distribution_keeps_the_routes_it_was_provisioned_with() {
    use anchor_core::model::{CdnRoute, RouteTarget};
    let dir = tempfile::tempdir().unwrap();
    // Without the router, the build's routes are the behaviours.
    let options = anchor_core::local::LocalCloudOptions {
        without_router: true,
        ..Default::default()
    };
    let cloud = LocalCloud::open_with(dir.path(), Arc::new(SystemClock), options).unwrap();
    let routes = vec![
        CdnRoute::new("_next/image*", RouteTarget::ImageFunction),
        CdnRoute::new("robots.txt", RouteTarget::Assets { immutable: false }),
        CdnRoute::new("*", RouteTarget::ServerFunction),
    ];
    let options = ProvisionOptions {
        routes: routes.clone(),
        ..ProvisionOptions::default()
    };
    let infra = cloud
        .provisioner()
        .provision(&ProjectName::parse("app").unwrap(), &options)
        .await
        .unwrap();
    assert_eq!(
        cloud.cdn().routes(&infra.distribution_id).await.unwrap(),
        routes
    );
    let missing = cloud.cdn().routes("local-none").await.unwrap_err();
    assert!(
        matches!(
            missing,
            Error::NotFound {
                kind: ResourceKind::Distribution,
                ..
            }
        ),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_distribution_with_the_router_has_its_three_behaviours_whatever_the_build() {
    use anchor_core::model::{CdnRoute, RouteTarget};
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    let options = ProvisionOptions {
        routes: vec![
            CdnRoute::new("robots.txt", RouteTarget::Assets { immutable: false }),
            CdnRoute::new("*", RouteTarget::ServerFunction),
        ],
        ..ProvisionOptions::default()
    };
    let infra = cloud
        .provisioner()
        .provision(&ProjectName::parse("app").unwrap(), &options)
        .await
        .unwrap();
    let router = infra
        .router
        .expect("the embedded default provisions the router");
    assert_eq!(router.store, anchor_core::local::ROUTER_STORE);
    assert_eq!(
        cloud.cdn().routes(&infra.distribution_id).await.unwrap(),
        CdnRoute::opennext_defaults(),
        "public files are routed per deployment, not by behaviours"
    );
    // The router's store exists from the start.
    use anchor_core::traits::KeyValueStore;
    assert!(cloud.kvs().describe(&router.store).await.is_ok());
}

/// As on Lambda, publishing the newest version's code again returns that
/// version only when the configuration is unchanged too: a new environment
/// (each deployment's own origin secret) publishes a new version that
/// runs the same code with it.
#[tokio::test]
async fn the_same_code_with_a_new_environment_is_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    cloud
        .provisioner()
        .provision(&ProjectName::parse("app").unwrap(), &Default::default())
        .await
        .unwrap();
    let host = cloud.functions();
    let code = CodeBundle::new(b"same".to_vec());
    let with = |secret: &str| PublishOptions {
        environment: [("ANCHOR_ORIGIN_SECRET".to_string(), secret.to_string())].into(),
        ..PublishOptions::default()
    };
    let one = host.publish("app-server", &code, &with("a")).await.unwrap();
    let again = host.publish("app-server", &code, &with("a")).await.unwrap();
    assert_eq!(again, one, "nothing changed: the same version");
    let two = host.publish("app-server", &code, &with("b")).await.unwrap();
    assert_ne!(two.version, one.version);
    assert_eq!(two.code_sha256, one.code_sha256);
    for (version, secret) in [(&one.version, "a"), (&two.version, "b")] {
        let run = host.runnable("app-server", version).await.unwrap().unwrap();
        assert_eq!(run.environment["ANCHOR_ORIGIN_SECRET"], secret);
    }
}
