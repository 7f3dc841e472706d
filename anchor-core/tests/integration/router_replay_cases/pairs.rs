//! A second router pair: its cache policy, store and function are created
//! under the name `anchor-router-2`, the function reading the new store;
//! and a pair the account's quotas leave no room for is refused before
//! anything is created.

use super::*;

use anchor_core::aws::{AwsProvisioner, AwsRouter, LambdaFunctions, ProvisionTarget};
use anchor_core::model::RouterCapacity;
use anchor_core::router::RouterOptions;
use anchor_core::traits::Provisioner;

const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

fn provisioner(replay: &Replay) -> AwsProvisioner {
    let config = replay.config();
    AwsProvisioner::new(
        aws_sdk_s3::Client::new(config),
        LambdaFunctions::new(aws_sdk_lambda::Client::new(config)),
        replay.cdn(),
        ProvisionTarget {
            bucket: "assets".into(),
            region: "eu-west-1".into(),
            execution_role_arn: None,
        },
    )
    .with_router(AwsRouter::Provision, replay.cdn())
}

fn store_list(count: usize) -> String {
    let item = "<KeyValueStore><Name>other</Name><Id>id</Id><Comment>c</Comment>\
                <ARN>arn:aws:cloudfront::123456789012:key-value-store/id</ARN>\
                <Status>READY</Status><LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime>\
                </KeyValueStore>";
    format!(
        "<KeyValueStoreList xmlns=\"{NS}\"><MaxItems>100</MaxItems><Quantity>{count}</Quantity>\
         <Items>{}</Items></KeyValueStoreList>",
        item.repeat(count)
    )
}

fn function_list(count: usize) -> String {
    let item =
        function_xml("DEVELOPMENT", "other", STORE_ARN).replace(&format!(" xmlns=\"{NS}\""), "");
    format!(
        "<FunctionList xmlns=\"{NS}\"><MaxItems>100</MaxItems><Quantity>{count}</Quantity>\
         <Items>{}</Items></FunctionList>",
        item.repeat(count)
    )
}

#[tokio::test]
async fn pair_two_is_created_under_its_own_names_with_its_function_reading_its_store() {
    let code = anchor_core::router::RouterCode::generate(&RouterOptions::default()).unwrap();
    let comment = comment_for(code.code());
    let response = anchor_core::router::RouterCode::generate_viewer_response().unwrap();
    let replay = Replay::new(vec![
        xml(
            200,
            cache_policy_page(&[("P-ONE", ROUTER_CACHE_POLICY_NAME)], None),
        ),
        created_cache_policy("P-TWO", "anchor-router-2"),
        Reply::cloudfront_error(404, "EntityNotFound"),
        xml(201, store_xml("anchor-router-2", "READY")).header("etag", "ESTORE1"),
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        xml(201, function_xml("DEVELOPMENT", &comment, STORE_ARN)).header("etag", "EDEV1"),
        xml(200, function_xml("LIVE", &comment, STORE_ARN)),
        // The account's viewer-response function, already current.
        xml(
            200,
            response_function_xml("LIVE", &comment_for(response.code())),
        )
        .header("etag", "ERESP"),
    ]);
    let resources = replay
        .cdn()
        .ensure_router_pair(2, &RouterOptions::default())
        .await;
    let Ok(resources) = resources else {
        panic!("{resources:?}")
    };
    assert_eq!(resources.cache_policy_id, "P-TWO");
    assert_eq!(resources.store_arn, STORE_ARN);
    assert_eq!(
        resources.response_function_arn.as_deref(),
        Some(RESPONSE_FUNCTION_ARN)
    );
    assert_eq!(
        replay.operations(),
        [
            "ListCachePolicies",
            "CreateCachePolicy",
            "DescribeKeyValueStore",
            "CreateKeyValueStore",
            "DescribeFunction",
            "DescribeFunction",
            "CreateFunction",
            "PublishFunction",
            "DescribeFunction"
        ]
    );
    let sent = replay.finish();
    assert!(
        sent[1].body.contains("<Name>anchor-router-2</Name>"),
        "{}",
        sent[1].body
    );
    assert_eq!(sent[2].path, "/2020-05-31/key-value-store/anchor-router-2");
    assert!(
        sent[3].body.contains("<Name>anchor-router-2</Name>"),
        "{}",
        sent[3].body
    );
    assert_eq!(
        sent[4].path,
        "/2020-05-31/function/anchor-router-2/describe?Stage=LIVE"
    );
    let create = &sent[6];
    for part in [
        "<Name>anchor-router-2</Name>".to_string(),
        format!("<KeyValueStoreARN>{STORE_ARN}</KeyValueStoreARN>"),
        format!("<Comment>{comment}</Comment>"),
    ] {
        assert!(create.body.contains(&part), "{part} in {}", create.body);
    }
    assert_eq!(sent[7].path, "/2020-05-31/function/anchor-router-2/publish");
    assert_eq!(sent[7].if_match.as_deref(), Some("EDEV1"));
    assert_eq!(
        sent[8].path,
        "/2020-05-31/function/anchor-viewer-response/describe?Stage=LIVE"
    );
}

#[tokio::test]
async fn an_existing_pair_is_found_by_its_store_name_without_a_write() {
    let replay = Replay::new(vec![
        xml(200, store_xml("anchor-router-3", "READY")).header("etag", "ESTORE1")
    ]);
    let found = provisioner(&replay).find_router_pair(3).await;
    let Ok(Some(binding)) = found else {
        panic!("{found:?}")
    };
    assert_eq!(binding.store, STORE_ARN);
    assert_eq!(binding.bucket_host, "assets.s3.eu-west-1.amazonaws.com");
    let sent = replay.finish();
    assert_eq!(sent[0].path, "/2020-05-31/key-value-store/anchor-router-3");
}

#[tokio::test]
async fn a_new_pair_past_the_store_quota_is_refused_before_anything_is_created() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        xml(200, store_list(2)),
    ]);
    let capacity = RouterCapacity {
        stores_per_account: 2,
        ..RouterCapacity::default()
    };
    let err = provisioner(&replay)
        .open_router_pair(2, &capacity, "pair 1 is full")
        .await
        .unwrap_err();
    assert!(
        invalid_on(&err, "router_capacity.stores_per_account"),
        "{err:?}"
    );
    assert_eq!(
        replay.operations(),
        ["DescribeKeyValueStore", "ListKeyValueStores"]
    );
    replay.finish();
}

#[tokio::test]
async fn a_new_pair_past_the_function_quota_is_refused_before_anything_is_created() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        xml(200, store_list(1)),
        xml(200, function_list(3)),
    ]);
    let capacity = RouterCapacity {
        functions_per_account: 3,
        ..RouterCapacity::default()
    };
    let err = provisioner(&replay)
        .open_router_pair(2, &capacity, "pair 1 is full")
        .await
        .unwrap_err();
    assert!(
        invalid_on(&err, "router_capacity.functions_per_account"),
        "{err:?}"
    );
    let sent = replay.finish();
    assert_eq!(sent[2].path, "/2020-05-31/function?Stage=DEVELOPMENT");
}

#[tokio::test]
async fn a_pair_made_elsewhere_opens_no_second_one_and_says_why() {
    let replay = Replay::new(vec![]);
    let resources = anchor_core::aws::RouterResources {
        function_arn: FUNCTION_ARN.into(),
        store_arn: STORE_ARN.into(),
        cache_policy_id: "P-ONE".into(),
        response_function_arn: None,
    };
    let config = replay.config();
    let existing = AwsProvisioner::new(
        aws_sdk_s3::Client::new(config),
        LambdaFunctions::new(aws_sdk_lambda::Client::new(config)),
        replay.cdn(),
        ProvisionTarget {
            bucket: "assets".into(),
            region: "eu-west-1".into(),
            execution_role_arn: None,
        },
    )
    .with_router(AwsRouter::Existing(resources), replay.cdn());
    let first = existing.find_router_pair(1).await.unwrap();
    assert_eq!(first.map(|b| b.store).as_deref(), Some(STORE_ARN));
    assert_eq!(existing.find_router_pair(2).await.unwrap(), None);
    let err = existing
        .open_router_pair(
            2,
            &RouterCapacity::default(),
            "pair 1 serves 100 distributions",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, reason }
            if field == "router" && reason.contains("pair 1 serves 100 distributions")
                && reason.contains("router_capacity")),
        "{err:?}"
    );
    replay.finish();
}
