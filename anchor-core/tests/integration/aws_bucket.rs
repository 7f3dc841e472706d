//! Issue 15 on moto: a project provisioned with bucket A, deployed from an
//! `Anchor` opened with bucket B, must be refused with a typed error naming
//! both buckets, with nothing changed: no object in B, no function version
//! published or configuration changed, no record changed.

use crate::aws_support;
use crate::common;

use std::collections::BTreeMap;

use anchor_core::model::PageRequest;
use anchor_core::{Anchor, Error, ResourceKind};
use anchor_testing::buckets::create_bucket;
use aws_support::Moto;
use common::{copy_tree, make_variant, real_build_or_fixture};

const A: &str = "anchor-assets-a";
const B: &str = "anchor-assets-b";
const P: &str = "shop";

async fn open(m: &Moto, bucket: &str) -> Anchor {
    Anchor::aws_with_config(&m.config, &m.options(bucket))
        .await
        .unwrap()
}

async fn keys(m: &Moto, bucket: &str) -> Vec<String> {
    let listed = m
        .clients
        .s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// Each function's versions, and the environment of `$LATEST` and of the
/// version `live` points at.
async fn functions(m: &Moto) -> BTreeMap<String, String> {
    let lambda = &m.clients.lambda;
    let mut out = BTreeMap::new();
    for f in [format!("{P}-server"), format!("{P}-image")] {
        let versions = lambda
            .list_versions_by_function()
            .function_name(&f)
            .send()
            .await
            .unwrap();
        let versions: Vec<_> = versions
            .versions()
            .iter()
            .filter_map(|v| v.version().map(str::to_string))
            .collect();
        out.insert(format!("{f} versions"), versions.join(","));
        for qualifier in ["$LATEST", "live"] {
            let config = lambda
                .get_function_configuration()
                .function_name(&f)
                .qualifier(qualifier)
                .send()
                .await
                .unwrap();
            let env: BTreeMap<_, _> = config
                .environment()
                .and_then(|e| e.variables())
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect();
            out.insert(format!("{f}:{qualifier} environment"), format!("{env:?}"));
        }
    }
    out
}

#[tokio::test]
async fn deploying_with_another_bucket_is_refused_and_changes_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let v1_dir = real_build_or_fixture();
    let v2_dir = tmp.path().join("v2");
    copy_tree(&v1_dir, &v2_dir);
    make_variant(&v2_dir, "v2");

    let a = open(&m, A).await;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    // B exists, as another project's bucket would.
    create_bucket(&m.clients.s3, B, aws_support::REGION)
        .await
        .unwrap();

    let project_before = a.project(P).await.unwrap();
    let history_before = a.history(P, &PageRequest::first(100)).await.unwrap().items;
    let functions_before = functions(&m).await;
    let a_keys_before = keys(&m, A).await;

    let b = open(&m, B).await;
    let err = b.deployer(P, &v2_dir).execute().await.unwrap_err();
    match &err {
        Error::InvalidState { kind, id, .. } => {
            assert_eq!((*kind, id.as_str()), (ResourceKind::Project, P), "{err}")
        }
        other => panic!("want InvalidState, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&format!("s3://{A}")) && text.contains(&format!("s3://{B}")),
        "names both buckets: {text}"
    );
    assert_eq!(err.code(), "ANCHOR_INVALID_STATE");
    // A preview from B is refused too.
    let preview = b.deployer(P, &v2_dir).promote(false).execute().await;
    assert!(
        matches!(preview, Err(Error::InvalidState { .. })),
        "{preview:?}"
    );

    assert_eq!(keys(&m, B).await, Vec::<String>::new(), "B stays empty");
    assert_eq!(keys(&m, A).await, a_keys_before, "A unchanged");
    assert_eq!(functions(&m).await, functions_before, "functions unchanged");
    assert_eq!(a.project(P).await.unwrap(), project_before);
    assert_eq!(
        a.history(P, &PageRequest::first(100)).await.unwrap().items,
        history_before,
        "no deployment recorded or changed"
    );

    // Deploying from A still works, and gets the next version: the refused
    // deploys allocated none.
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.version, v1.version + 1);
}
