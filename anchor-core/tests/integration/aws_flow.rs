//! The whole flow on the AWS backend against a real moto server, with the
//! real OpenNext build of `examples/nextjs-app`: provision, deploy, deploy a
//! change, roll back, preview, add a domain, wait for its certificate,
//! attach, remove. Every assertion reads moto's state through the AWS
//! crates, not through Anchor.
//!
//! moto is weaker than AWS in ways these tests cannot see; each is covered
//! by the embedded default's strict implementation and its suites:
//! - a stale CloudFront If-Match is accepted and ETags never change;
//! - Lambda is never Pending, ignores alias RevisionIds and CodeSha256;
//! - a DynamoDB transaction is not atomic under concurrency, so the store
//!   serialises its own writes here (`serialize_state_writes`);
//! - ACM issues every certificate after `MOTO_ACM_VALIDATION_WAIT` seconds
//!   without any DNS record.

use crate::aws_support;
use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anchor_core::aws::actions_for;
use anchor_core::model::{CdnStatus, CertificateStatus, Deployment, DeploymentStatus};
use anchor_core::router::RouterKeys;
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::CallRecorder;
use aws_support::Moto;
use common::real_build_or_fixture;

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

pub async fn open(m: &Moto, interceptors: Vec<SharedInterceptor>) -> Anchor {
    let mut options = m.options(BUCKET);
    options.interceptors = interceptors;
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

/// v1 is the real build (or the fixture); v2 the real v2 build or a variant.
fn builds(tmp: &Path) -> (PathBuf, PathBuf) {
    let v1 = real_build_or_fixture();
    let v2 = common::v2_build_or_variant(&v1, tmp);
    (v1, v2)
}

/// What the router serves is `d`: the store's live pointer for the
/// distribution names it, and its routing entry names the Function URLs of
/// its own aliases, which point at its versions.
async fn assert_live(m: &Moto, distribution_id: &str, d: &Deployment) {
    let keys = RouterKeys::new(distribution_id).unwrap();
    assert_eq!(
        m.router_store.value(&keys.live()).as_deref(),
        Some(d.id.as_str()),
        "the router's live pointer"
    );
    let entry = m.router_store.value(&keys.deployment(&d.id)).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(entry["v"], d.version);
    let alias = format!("v{}", d.version);
    for (function, version, host) in [
        (format!("{P}-server"), &d.server_version, &entry["s"]),
        (format!("{P}-image"), &d.image_version, &entry["i"]),
    ] {
        let got = m
            .clients
            .lambda
            .get_alias()
            .function_name(&function)
            .name(&alias)
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.function_version(),
            version.as_ref().map(|v| v.version.as_str()),
            "{function}:{alias}"
        );
        let url = m
            .clients
            .lambda
            .get_function_url_config()
            .function_name(&function)
            .qualifier(&alias)
            .send()
            .await
            .unwrap();
        let url_host = url
            .function_url()
            .trim_start_matches("https://")
            .trim_end_matches('/');
        assert_eq!(host.as_str(), Some(url_host), "{function}:{alias}'s URL");
    }
}

/// One hashed file of the build and its key in the bucket.
fn a_static_file(build: &Path) -> (PathBuf, String) {
    let root = build.join("assets");
    let file = walkdir::WalkDir::new(root.join("_next/static"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_file())
        .unwrap()
        .into_path();
    let rel = file
        .strip_prefix(&root)
        .unwrap()
        .to_string_lossy()
        .to_string();
    (file, format!("{P}/{rel}"))
}

#[tokio::test]
async fn the_whole_flow_runs_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let recorder = CallRecorder::default();
    let a = open(&m, vec![SharedInterceptor::new(recorder.clone())]).await;
    let (v1_dir, v2_dir) = builds(tmp.path());

    let routes = Anchor::routes_of_build(&v1_dir).await.unwrap();
    let options = ProvisionOptions {
        routes,
        ..ProvisionOptions::default()
    };
    let project = a.create_project_with(P, options).await.unwrap();
    let distribution_id = project.infrastructure.distribution_id.clone();

    // Deploy v1: the aliases point at its versions, and the hashed files
    // are in S3 with their headers.
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    assert_eq!(v1.status, DeploymentStatus::Live);
    assert_live(&m, &distribution_id, &v1).await;
    let (file, key) = a_static_file(&v1_dir);
    let head = m
        .clients
        .s3
        .head_object()
        .bucket(BUCKET)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.content_length(),
        Some(std::fs::metadata(&file).unwrap().len() as i64)
    );
    assert!(
        head.cache_control()
            .unwrap_or_default()
            .contains("immutable"),
        "{:?}",
        head.cache_control()
    );
    // Text types carry a charset parameter; the media type must match.
    let guessed = mime_guess::from_path(&file).first_or_octet_stream();
    let essence = head
        .content_type()
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    assert_eq!(
        essence,
        Some(guessed.essence_str()),
        "{:?}",
        head.content_type()
    );

    // Deploy v2: new versions go live, with no change to the distribution.
    recorder.clear();
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    let ops = recorder.operations();
    for op in ["UpdateDistribution", "CreateInvalidation"] {
        assert_eq!(recorder.count(op), 0, "a deploy must not {op}: {ops:?}");
    }
    assert_eq!(v2.status, DeploymentStatus::Live);
    assert_ne!(v2.server_version, v1.server_version);
    assert_live(&m, &distribution_id, &v2).await;

    // Roll back: the router's pointer moves back to v1; nothing is uploaded.
    recorder.clear();
    let back = a
        .rollback(P)
        .reason("v2 is broken")
        .execute()
        .await
        .unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_live(&m, &distribution_id, &v1).await;
    let ops = recorder.operations();
    // Every call a rollback makes, counted: the one conditional write that
    // decides the switch, and the one write of the router's live pointer
    // (after reading that the target's routing entry is there, and the
    // store's ETag). No alias moves, and nothing is
    // invalidated: the cache key carries the deployment. The records and
    // manifests come from this process's caches (it wrote them; the
    // conditional write checks them), and the previous deployment is named
    // on the live one.
    assert_eq!(
        ops,
        [
            "TransactWriteItems",
            "GetKey",
            "DescribeKeyValueStore",
            "UpdateKeys"
        ],
        "{ops:?}"
    );
    for op in [
        "PutObject",
        "CopyObject",
        "UpdateFunctionCode",
        "PublishVersion",
        "UpdateAlias",
        "UpdateDistribution",
        "CreateInvalidation",
    ] {
        assert_eq!(recorder.count(op), 0, "a rollback must not {op}: {ops:?}");
    }
    let events = a
        .rollback_history(P, &Default::default())
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reason, "v2 is broken");

    // A process that has cached nothing reads the records first and checks
    // that the last switch settled, but still writes once to each store.
    let cold_recorder = CallRecorder::default();
    let cold = open(&m, vec![SharedInterceptor::new(cold_recorder.clone())]).await;
    cold_recorder.clear(); // opening checks the tables
    cold.rollback(P)
        .to_deployment(v2.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_live(&m, &distribution_id, &v2).await;
    let cold_ops = cold_recorder.operations();
    assert_eq!(cold_recorder.count("TransactWriteItems"), 1, "{cold_ops:?}");
    assert_eq!(cold_recorder.count("UpdateKeys"), 1, "{cold_ops:?}");
    for op in ["UpdateAlias", "UpdateDistribution", "CreateInvalidation"] {
        assert_eq!(cold_recorder.count(op), 0, "{op}: {cold_ops:?}");
    }
    assert!(cold_ops.len() <= 13, "{cold_ops:?}");
    a.rollback(P)
        .to_deployment(v1.id.as_str())
        .execute()
        .await
        .unwrap();
    assert_live(&m, &distribution_id, &v1).await;

    // A preview builds v2 again without making it live.
    recorder.clear();
    let preview = a
        .deployer(P, &v2_dir)
        .promote(false)
        .execute()
        .await
        .unwrap();
    assert_eq!(preview.status, DeploymentStatus::Ready);
    assert_live(&m, &distribution_id, &v1).await;
    let ops = recorder.operations();
    for op in ["UpdateDistribution", "CreateInvalidation"] {
        assert_eq!(recorder.count(op), 0, "a preview must not {op}: {ops:?}");
    }

    // A custom domain: DNS records first, then attached once ACM issues.
    let domains = a.domains(P);
    let added = domains.add("www.example.com").await.unwrap();
    assert_eq!(
        added.certificate_status,
        CertificateStatus::PendingValidation
    );
    assert!(!added.validation_records.is_empty());
    let certificate = added.certificate_id.clone().unwrap();
    let mut domain = added;
    for _ in 0..60 {
        domain = domains.refresh("www.example.com").await.unwrap();
        if domain.cdn_status == CdnStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(domain.certificate_status, CertificateStatus::Issued);
    assert_eq!(domain.cdn_status, CdnStatus::Active);
    let config = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(&distribution_id)
        .send()
        .await
        .unwrap();
    let dc = config.distribution_config().unwrap();
    let aliases = dc.aliases().map(|a| a.items().to_vec()).unwrap_or_default();
    assert_eq!(aliases, ["www.example.com"]);
    let viewer = dc.viewer_certificate().unwrap();
    assert_eq!(viewer.acm_certificate_arn(), Some(certificate.as_str()));

    // Removing it detaches it from CloudFront and deletes the certificate.
    domains.remove("www.example.com").await.unwrap();
    let config = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(&distribution_id)
        .send()
        .await
        .unwrap();
    let aliases = config
        .distribution_config()
        .and_then(|c| c.aliases())
        .map(|a| a.items().to_vec())
        .unwrap_or_default();
    assert!(aliases.is_empty(), "{aliases:?}");
    let gone = m
        .clients
        .acm
        .describe_certificate()
        .certificate_arn(&certificate)
        .send()
        .await;
    assert!(gone.is_err(), "the certificate must be deleted");

    // A wildcard domain: ACM certifies `*.preview.example.com`, CloudFront
    // takes it as an alias, and while it is attached its suffix is a
    // preview suffix in the router's store.
    let wildcard = "*.preview.example.com";
    let preview_suffix = || async {
        let project = a.project(P).await.unwrap();
        let binding = project.infrastructure.router.clone().unwrap();
        let keys = anchor_core::router::RouterKeys::new(&distribution_id).unwrap();
        a.backend()
            .kvs
            .get(&binding.store, &keys.preview_suffix())
            .await
            .unwrap()
    };
    domains.add(wildcard).await.unwrap();
    let mut domain = domains.refresh(wildcard).await.unwrap();
    for _ in 0..60 {
        if domain.cdn_status == CdnStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        domain = domains.refresh(wildcard).await.unwrap();
    }
    assert_eq!(domain.cdn_status, CdnStatus::Active);
    assert_eq!(
        preview_suffix().await.as_deref(),
        Some("preview.example.com")
    );
    domains.remove(wildcard).await.unwrap();
    assert_eq!(preview_suffix().await, None);

    // The IAM policy covers every operation this flow sent.
    for (service, operation) in recorder.calls() {
        assert!(
            actions_for(&service, &operation).is_some(),
            "{service}:{operation} is missing from aws::OPERATIONS"
        );
    }
}

#[tokio::test]
async fn deploying_the_same_build_twice_sends_no_code_and_publishes_only_the_servers_new_queue() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, vec![SharedInterceptor::new(recorder.clone())]).await;
    let build = real_build_or_fixture();
    a.create_project(P).await.unwrap();
    let first = a.deployer(P, &build).execute().await.unwrap();
    let versions_before = m
        .clients
        .lambda
        .list_versions_by_function()
        .function_name(format!("{P}-server"))
        .send()
        .await
        .unwrap()
        .versions()
        .len();

    recorder.clear();
    let second = a.deployer(P, &build).execute().await.unwrap();
    let ops = recorder.operations();
    for op in [
        "PublishVersion",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
    ] {
        // The new deployment's own manifest is the one object it writes,
        // and its server's one new version is frozen with its own
        // revalidation queue (the code is not sent again).
        let allowed = usize::from(matches!(
            op,
            "PutObject" | "PublishVersion" | "UpdateFunctionConfiguration"
        ));
        assert!(
            recorder.count(op) <= allowed,
            "{op} sent {} times for an unchanged build: {ops:?}",
            recorder.count(op)
        );
    }
    let (one, two) = (
        first.server_version.as_ref().unwrap(),
        second.server_version.as_ref().unwrap(),
    );
    assert_eq!(two.code_sha256, one.code_sha256);
    assert_ne!(two.version, one.version, "each server has its own queue");
    assert_eq!(second.image_version, first.image_version);
    assert_eq!(second.assets.uploaded_files, 0, "{:?}", second.assets);
    // Unhashed files live per deployment, so they are copied inside S3
    // (no bytes sent); hashed files are skipped outright.
    assert_eq!(
        recorder.count("CopyObject") as u64,
        second.assets.copied_files,
        "{ops:?}"
    );
    assert!(second.assets.skipped_files > 0, "{:?}", second.assets);
    // A copy's size comes from the plan, so nothing is read back.
    assert_eq!(recorder.count("HeadObject"), 0, "{ops:?}");
    let versions_after = m
        .clients
        .lambda
        .list_versions_by_function()
        .function_name(format!("{P}-server"))
        .send()
        .await
        .unwrap()
        .versions()
        .len();
    assert_eq!(
        versions_after,
        versions_before + 1,
        "one new server version, for the new deployment's queue"
    );
}

/// Issue 15: deploy v1, deploy v2, roll back to v1, roll back again. v1
/// replaced nothing when it first went live, so the second rollback has
/// nothing to go back to and must not roll forward to v2.
#[tokio::test]
async fn a_second_rollback_does_not_bring_the_bad_release_back() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let a = open(&m, vec![]).await;
    let (v1_dir, v2_dir) = builds(tmp.path());
    let project = a.create_project(P).await.unwrap();
    let distribution_id = project.infrastructure.distribution_id.clone();
    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(a.rollback(P).execute().await.unwrap().to.id, v1.id);
    assert_live(&m, &distribution_id, &v1).await;

    let second = a.rollback(P).execute().await;
    assert!(
        matches!(second, Err(anchor_core::Error::InvalidState { ref state, .. }) if state == "without_previous"),
        "nothing to roll back to, got {:?}",
        second.map(|o| (o.from.map(|d| d.version), o.to.version))
    );
    // A process with nothing cached reads the records and refuses too.
    let cold = open(&m, vec![]).await;
    let err = cold.rollback(P).execute().await.unwrap_err();
    assert!(
        matches!(err, anchor_core::Error::InvalidState { ref state, .. } if state == "without_previous"),
        "{err:?}"
    );
    assert_live(&m, &distribution_id, &v1).await;
    assert_eq!(
        a.active_deployment(P).await.unwrap().map(|d| d.id),
        Some(v1.id.clone())
    );
    let v2_now = a.deployment(P, v2.id.as_str()).await.unwrap();
    assert_eq!(v2_now.status, DeploymentStatus::Superseded);
    let events = a.rollback_history(P, &Default::default()).await.unwrap();
    assert_eq!(
        events.items.len(),
        1,
        "the refused rollback records nothing"
    );
}
