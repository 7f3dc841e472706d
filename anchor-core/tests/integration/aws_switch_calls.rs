//! The AWS calls of one rollback, with the edge router and without it
//! (`AwsRouter::Disabled`, as projects provisioned before the router are),
//! counted on moto and printed as the table BENCHMARKS.md quotes. moto has
//! no KeyValueStore data plane, so the router's store is the harness's
//! stateful stand-in (`FakeKvs`), reached through the real client.
//!
//! Not part of the test command (`#[ignore]`; `tests/integration/aws_flow.rs` already
//! pins the router's calls). Run it with moto started as
//! `scripts/moto.sh` describes:
//!
//! ```sh
//! ANCHOR_MOTO_ENDPOINT=http://127.0.0.1:PORT \
//!   cargo test -p anchor-core --test integration aws_switch_calls:: -- --ignored --nocapture
//! ```

use crate::aws_support;
use crate::common;

use std::collections::BTreeMap;

use anchor_core::aws::AwsRouter;
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::CallRecorder;
use aws_support::Moto;
use common::real_build_or_fixture;

const BUCKET: &str = "anchor-assets";

async fn open(m: &Moto, router: bool, recorder: &CallRecorder) -> Anchor {
    let mut options = m.options(BUCKET);
    if !router {
        options.router = AwsRouter::Disabled;
        options.router_config = None;
    }
    options.interceptors = vec![SharedInterceptor::new(recorder.clone())];
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

/// Per operation, how many calls the recorder saw.
fn tally(recorder: &CallRecorder) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for op in recorder.operations() {
        *out.entry(op).or_insert(0) += 1;
    }
    out
}

/// Deploys v1 and v2 of `project`, then rolls back once from the process
/// that deployed (its records cached) and once more, back to v2, from a
/// fresh process: the calls of each rollback.
async fn switch_calls(
    m: &Moto,
    project: &str,
    router: bool,
    v1: &std::path::Path,
    v2: &std::path::Path,
) -> [BTreeMap<String, usize>; 2] {
    let recorder = CallRecorder::default();
    let a = open(m, router, &recorder).await;
    let options = ProvisionOptions {
        routes: Anchor::routes_of_build(v1).await.unwrap(),
        ..ProvisionOptions::default()
    };
    let made = a.create_project_with(project, options).await.unwrap();
    assert_eq!(made.infrastructure.router.is_some(), router);
    a.deployer(project, v1).execute().await.unwrap();
    let second = a.deployer(project, v2).execute().await.unwrap();
    recorder.clear();
    a.rollback(project).execute().await.unwrap();
    let warm = tally(&recorder);

    let cold_recorder = CallRecorder::default();
    let cold = open(m, router, &cold_recorder).await;
    cold_recorder.clear(); // opening checks the tables
    cold.rollback(project)
        .to_deployment(second.id.as_str())
        .execute()
        .await
        .unwrap();
    [warm, tally(&cold_recorder)]
}

#[tokio::test]
#[ignore = "prints the calls-per-switch table of BENCHMARKS.md; needs moto"]
async fn calls_per_switch_before_and_after_the_router() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let v1 = real_build_or_fixture();
    let v2 = common::v2_build_or_variant(&v1, tmp.path());
    let [before_warm, before_cold] = switch_calls(&m, "before", false, &v1, &v2).await;
    let [after_warm, after_cold] = switch_calls(&m, "after", true, &v1, &v2).await;

    let columns = [&before_warm, &before_cold, &after_warm, &after_cold];
    let mut ops: Vec<&String> = columns.iter().flat_map(|c| c.keys()).collect();
    ops.sort();
    ops.dedup();
    println!("| call | before, cached | before, fresh process | router, cached | router, fresh process |");
    println!("|---|---|---|---|---|");
    for op in &ops {
        let n: Vec<String> = columns
            .iter()
            .map(|c| c.get(*op).copied().unwrap_or(0).to_string())
            .collect();
        println!("| {op} | {} |", n.join(" | "));
    }
    let totals: Vec<String> = columns
        .iter()
        .map(|c| c.values().sum::<usize>().to_string())
        .collect();
    println!("| **all calls** | {} |", totals.join(" | "));

    // What the table claims, so it cannot drift from the code.
    for c in columns {
        assert_eq!(c.get("TransactWriteItems"), Some(&1), "{c:?}");
    }
    for c in [&before_warm, &before_cold] {
        assert_eq!(c.get("UpdateAlias"), Some(&2), "{c:?}");
        assert_eq!(c.get("CreateInvalidation"), Some(&1), "{c:?}");
        assert_eq!(c.get("UpdateKeys"), None, "{c:?}");
    }
    for c in [&after_warm, &after_cold] {
        assert_eq!(c.get("UpdateKeys"), Some(&1), "{c:?}");
        for op in ["UpdateAlias", "CreateInvalidation", "UpdateDistribution"] {
            assert_eq!(c.get(op), None, "{op}: {c:?}");
        }
    }
}
