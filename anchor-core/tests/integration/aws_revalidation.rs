//! ISR's revalidation pipeline on AWS, against moto, with the real OpenNext
//! build of `examples/nextjs-app` (or the committed fixture trimmed from
//! it): per deployment a FIFO queue with the project's dead-letter queue,
//! the revalidation function's version subscribed to it, the project's tag
//! table seeded from the build, and the server frozen with all three.
//! Every assertion reads moto's state through the AWS crates.

use crate::aws_support;
use crate::common;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anchor_core::aws::{
    AwsRevalidation, DEAD_LETTER_RETENTION_SECS, MAX_RECEIVE_COUNT, QUEUE_VISIBILITY_TIMEOUT_SECS,
    REVALIDATION_BATCH_SIZE,
};
use anchor_core::model::{Deployment, ProjectName};
use anchor_core::Anchor;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_support::intercept::CallRecorder;
use aws_support::provisioning::{open, P};
use aws_support::Moto;
use common::{copy_tree, real_build_or_fixture};

const TAG_TABLE: &str = "anchor-shop-tags";
const DEAD_LETTER: &str = "shop-revalidation-dlq.fifo";

fn project() -> ProjectName {
    ProjectName::parse(P).unwrap()
}

/// The rows the build seeds, as (tag, path).
fn seed_rows(build: &Path) -> BTreeSet<(String, String)> {
    let text =
        std::fs::read_to_string(build.join("dynamodb-provider/dynamodb-cache.json")).unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["tag"]["S"].as_str().unwrap().to_string(),
                r["path"]["S"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn queue_names(m: &Moto) -> BTreeSet<String> {
    let out = m.clients.sqs.list_queues().send().await.unwrap();
    out.queue_urls()
        .iter()
        .map(|u| u.rsplit('/').next().unwrap().to_string())
        .collect()
}

async fn queue_attributes(m: &Moto, name: &str) -> HashMap<QueueAttributeName, String> {
    let url = m
        .clients
        .sqs
        .get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    m.clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default()
}

async fn table_rows(m: &Moto) -> BTreeSet<(String, String)> {
    let out = m
        .clients
        .dynamodb
        .scan()
        .table_name(TAG_TABLE)
        .send()
        .await
        .unwrap();
    out.items()
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_s().unwrap().clone();
            assert_eq!(i["revalidatedAt"].as_n().unwrap(), "1", "{i:?}");
            (s("tag"), s("path"))
        })
        .collect()
}

/// (queue ARN, function ARN) of every event source mapping.
async fn mappings(m: &Moto) -> Vec<(String, String, Option<i32>)> {
    let out = m
        .clients
        .lambda
        .list_event_source_mappings()
        .send()
        .await
        .unwrap();
    out.event_source_mappings()
        .iter()
        .map(|e| {
            (
                e.event_source_arn().unwrap().to_string(),
                e.function_arn().unwrap().to_string(),
                e.batch_size(),
            )
        })
        .collect()
}

async fn server_environment(m: &Moto, d: &Deployment) -> HashMap<String, String> {
    let v = d.server_version.as_ref().unwrap();
    m.clients
        .lambda
        .get_function_configuration()
        .function_name(&v.function)
        .qualifier(&v.version)
        .send()
        .await
        .unwrap()
        .environment
        .and_then(|e| e.variables)
        .unwrap_or_default()
}

async fn revalidation_versions(m: &Moto) -> Vec<String> {
    let out = m
        .clients
        .lambda
        .list_versions_by_function()
        .function_name("shop-revalidation")
        .send()
        .await
        .unwrap();
    out.versions()
        .iter()
        .filter_map(|v| v.version().filter(|v| *v != "$LATEST").map(str::to_string))
        .collect()
}

async fn setup(m: &Moto, recorder: &CallRecorder) -> Anchor {
    let anchor = open(m, Some(&m.role_arn), recorder).await;
    anchor.create_project(P).await.unwrap();
    anchor
}

#[tokio::test]
async fn a_deploy_provisions_the_queue_the_subscribed_version_and_the_seeded_tag_table() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let anchor = setup(&m, &recorder).await;
    let build = real_build_or_fixture();
    let d = anchor.deployer(P, &build).execute().await.unwrap();

    // The deployment's queue and the project's dead-letter queue.
    let queue = AwsRevalidation::queue_name(&project(), &d.id);
    assert!(queue.len() <= 80, "{queue}");
    assert_eq!(
        queue_names(&m).await,
        BTreeSet::from([queue.clone(), DEAD_LETTER.to_string()])
    );
    let attributes = queue_attributes(&m, &queue).await;
    assert_eq!(attributes[&QueueAttributeName::FifoQueue], "true");
    assert_eq!(
        attributes[&QueueAttributeName::ContentBasedDeduplication],
        "false"
    );
    assert_eq!(
        attributes[&QueueAttributeName::VisibilityTimeout],
        QUEUE_VISIBILITY_TIMEOUT_SECS.to_string()
    );
    let dead_letter = queue_attributes(&m, DEAD_LETTER).await;
    assert_eq!(dead_letter[&QueueAttributeName::FifoQueue], "true");
    assert_eq!(
        dead_letter[&QueueAttributeName::MessageRetentionPeriod],
        DEAD_LETTER_RETENTION_SECS.to_string()
    );
    let redrive: serde_json::Value =
        serde_json::from_str(&attributes[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(
        redrive["deadLetterTargetArn"],
        dead_letter[&QueueAttributeName::QueueArn].as_str()
    );
    assert_eq!(redrive["maxReceiveCount"], MAX_RECEIVE_COUNT);

    // The revalidation version of this build reads exactly that queue.
    let versions = revalidation_versions(&m).await;
    assert_eq!(versions.len(), 1, "{versions:?}");
    let function_arn = format!(
        "arn:aws:lambda:eu-west-1:{}:function:shop-revalidation:{}",
        aws_support::ACCOUNT,
        versions[0]
    );
    assert_eq!(
        mappings(&m).await,
        vec![(
            attributes[&QueueAttributeName::QueueArn].clone(),
            function_arn,
            Some(REVALIDATION_BATCH_SIZE)
        )]
    );
    let revalidation = m
        .clients
        .lambda
        .get_function_configuration()
        .function_name("shop-revalidation")
        .qualifier(&versions[0])
        .send()
        .await
        .unwrap();
    let env = revalidation.environment.unwrap().variables.unwrap();
    assert_eq!(env["CACHE_DYNAMO_TABLE"], TAG_TABLE);

    // The tag table, keyed and indexed as OpenNext queries it, holds every
    // row of the build.
    let table = m
        .clients
        .dynamodb
        .describe_table()
        .table_name(TAG_TABLE)
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let keys: Vec<_> = table
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_string(),
                k.key_type().as_str().to_string(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("tag".into(), "HASH".into()),
            ("path".into(), "RANGE".into())
        ]
    );
    let index = &table.global_secondary_indexes()[0];
    assert_eq!(index.index_name(), Some("revalidate"));
    let index_keys: Vec<_> = index
        .key_schema()
        .iter()
        .map(|k| k.attribute_name().to_string())
        .collect();
    assert_eq!(index_keys, ["path", "revalidatedAt"]);
    let expected = seed_rows(&build);
    assert!(!expected.is_empty());
    assert_eq!(table_rows(&m).await, expected);

    // The server's frozen environment names its own queue and the table.
    let env = server_environment(&m, &d).await;
    let url = m
        .clients
        .sqs
        .get_queue_url()
        .queue_name(&queue)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    assert_eq!(env["REVALIDATION_QUEUE_URL"], url);
    assert_eq!(env["REVALIDATION_QUEUE_REGION"], "eu-west-1");
    assert_eq!(env["CACHE_DYNAMO_TABLE"], TAG_TABLE);
    assert_eq!(
        recorder.count("BatchWriteItem"),
        expected.len().div_ceil(25),
        "25 rows per BatchWriteItem"
    );
}

#[tokio::test]
async fn a_second_deploy_of_the_same_build_adds_only_its_own_queue_and_seeds_idempotently() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let anchor = setup(&m, &recorder).await;
    let build = real_build_or_fixture();
    let first = anchor.deployer(P, &build).execute().await.unwrap();
    let rows = table_rows(&m).await;
    let versions = revalidation_versions(&m).await;
    recorder.clear();

    let second = anchor.deployer(P, &build).execute().await.unwrap();
    let ops = recorder.operations();
    assert_eq!(
        recorder.count("CreateTable"),
        0,
        "the tag table is the project's: {ops:?}"
    );
    assert_eq!(recorder.count("CreateFunction"), 0, "{ops:?}");
    // One queue, the new deployment's; the dead-letter queue is reused.
    assert_eq!(recorder.count("CreateQueue"), 1, "{ops:?}");
    assert_eq!(
        queue_names(&m).await,
        BTreeSet::from([
            AwsRevalidation::queue_name(&project(), &first.id),
            AwsRevalidation::queue_name(&project(), &second.id),
            DEAD_LETTER.to_string(),
        ])
    );
    assert_eq!(table_rows(&m).await, rows, "seeding twice changes nothing");
    assert_eq!(
        revalidation_versions(&m).await,
        versions,
        "the same code publishes no new revalidation version"
    );
    // Each deployment's queue feeds the same version.
    let all = mappings(&m).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].1, all[1].1);
    assert_ne!(all[0].0, all[1].0);
    // Each server keeps its own queue.
    let (a, b) = (
        server_environment(&m, &first).await,
        server_environment(&m, &second).await,
    );
    assert_ne!(a["REVALIDATION_QUEUE_URL"], b["REVALIDATION_QUEUE_URL"]);
}

#[tokio::test]
async fn removing_a_deployments_queue_deletes_it_and_its_mapping_only() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let anchor = setup(&m, &recorder).await;
    let build = real_build_or_fixture();
    let first = anchor.deployer(P, &build).execute().await.unwrap();
    let second = anchor.deployer(P, &build).execute().await.unwrap();

    let revalidation = &anchor.backend().revalidation;
    revalidation
        .remove_queue(&project(), &first.id)
        .await
        .unwrap();
    let kept = AwsRevalidation::queue_name(&project(), &second.id);
    assert_eq!(
        queue_names(&m).await,
        BTreeSet::from([kept.clone(), DEAD_LETTER.to_string()])
    );
    let left = mappings(&m).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].0.ends_with(&kept), "{left:?}");
    // Removing it again is no error and changes nothing.
    revalidation
        .remove_queue(&project(), &first.id)
        .await
        .unwrap();
    assert_eq!(mappings(&m).await.len(), 1);
}

#[tokio::test]
async fn a_build_without_queue_or_tag_cache_gets_none_of_it() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let build = tmp.path().join("build");
    copy_tree(&real_build_or_fixture(), &build);
    let manifest = build.join("open-next.output.json");
    let mut output: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    output["origins"]["default"]["queue"] = "dummy".into();
    let server = output["origins"]["default"].as_object_mut().unwrap();
    server.remove("tagCache");
    std::fs::write(&manifest, output.to_string()).unwrap();

    let recorder = CallRecorder::default();
    let anchor = setup(&m, &recorder).await;
    let d = anchor.deployer(P, &build).execute().await.unwrap();
    assert!(queue_names(&m).await.is_empty());
    assert!(mappings(&m).await.is_empty());
    let tables = m.clients.dynamodb.list_tables().send().await.unwrap();
    assert!(
        !tables.table_names().iter().any(|t| t == TAG_TABLE),
        "{:?}",
        tables.table_names()
    );
    let functions = m.clients.lambda.list_functions().send().await.unwrap();
    assert!(functions
        .functions()
        .iter()
        .all(|f| f.function_name() != Some("shop-revalidation")));
    let env = server_environment(&m, &d).await;
    for variable in [
        "REVALIDATION_QUEUE_URL",
        "REVALIDATION_QUEUE_REGION",
        "CACHE_DYNAMO_TABLE",
    ] {
        assert!(!env.contains_key(variable), "{variable} in {env:?}");
    }
}
