//! The edge router's AWS resources, offline: the KeyValueStore data plane
//! ([`CloudFrontKvs`]) and the control plane's store, function and cache
//! policy on [`CloudFrontCdn`]. moto has none of these APIs, so each test
//! replays CloudFront's responses to the real SDK clients and checks the
//! exact requests (method, path, If-Match, body) and how error responses
//! map to [`Error`]. Every test also checks that the IAM policy grants each
//! operation it sent.

mod router_replay;

use std::time::Duration;

use anchor_core::aws::{
    StoreReadyPoll, CACHE_KEY_HEADER, CACHE_POLICY_MAX_TTL, MAX_FUNCTION_CODE_BYTES,
    ROUTER_CACHE_POLICY_NAME, ROUTER_FUNCTION_NAME, ROUTER_STORE_NAME,
};
use anchor_core::traits::{KeyValueStore, KvsUpdate, MAX_KVS_UPDATE_ITEMS, MAX_KVS_VALUE_BYTES};
use anchor_core::{Error, ResourceKind};
use base64::Engine;
use router_replay::fake_kvs::FakeKvs;
use router_replay::{
    cache_policy_page, created_cache_policy, function_xml, label, store_xml, Replay, Reply,
    FUNCTION_ARN, STORE_ARN, STORE_ID,
};
use sha2::{Digest, Sha256};

const KVS_HOST: &str = "123456789012.cloudfront-kvs.global.api.aws";
const CODE: &str = "async function handler(event) { return event.request; }";

fn kvs_path(suffix: &str) -> String {
    format!("/key-value-stores/{}{suffix}", label(STORE_ARN))
}

fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply::new(status, body.to_string()).header("content-type", "application/json")
}

fn described(etag: &str, items: u64, bytes: u64) -> Reply {
    json(
        200,
        serde_json::json!({
            "ItemCount": items, "TotalSizeInBytes": bytes, "KvsARN": STORE_ARN,
            "Created": 1_764_547_200, "Status": "READY"
        }),
    )
    .header("etag", etag)
}

fn xml(status: u16, body: String) -> Reply {
    Reply::new(status, body).header("content-type", "text/xml")
}

fn comment_for(code: &str) -> String {
    let hex: String = Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("anchor-router sha256:{hex}")
}

fn precondition_on(e: &Error, kind: ResourceKind) -> bool {
    matches!(e, Error::PreconditionFailed { kind: k, .. } if *k == kind)
}

fn invalid_on(e: &Error, field: &str) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if f == field)
}

// --- The KeyValueStore data plane -------------------------------------------

#[tokio::test]
async fn describe_reads_the_etag_size_and_count_signed_with_sigv4a() {
    let replay = Replay::new(vec![described("ETAG1", 3, 120)]);
    let d = replay.kvs().describe(STORE_ARN).await;
    let Ok(d) = d else {
        panic!("describe failed: {d:?}")
    };
    assert_eq!((d.etag.as_str(), d.items, d.total_bytes), ("ETAG1", 3, 120));
    let sent = replay.finish();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].host, KVS_HOST,
        "the account's endpoint, from the ARN"
    );
    assert_eq!(sent[0].path, kvs_path(""));
    assert_eq!(
        sent[0].signing, "AWS4-ECDSA-P256-SHA256",
        "the data plane accepts SigV4A only"
    );
}

#[tokio::test]
async fn get_returns_the_value_of_a_key() {
    let replay = Replay::new(vec![json(
        200,
        serde_json::json!({"Key": "shop/live", "Value": "v3", "ItemCount": 1, "TotalSizeInBytes": 11}),
    )]);
    let got = replay.kvs().get(STORE_ARN, "shop/live").await;
    assert_eq!(got.ok().flatten().as_deref(), Some("v3"));
    let sent = replay.finish();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].path, kvs_path("/keys/shop%2Flive"));
}

#[tokio::test]
async fn a_missing_key_of_an_existing_store_is_none() {
    let replay = Replay::new(vec![
        Reply::kvs_error(404, "ResourceNotFoundException"),
        described("ETAG1", 0, 0),
    ]);
    let got = replay.kvs().get(STORE_ARN, "nope").await;
    assert!(matches!(got, Ok(None)), "{got:?}");
    assert_eq!(
        replay.operations(),
        ["GetKey", "DescribeKeyValueStore"],
        "a miss is settled by describing the store"
    );
    replay.finish();
}

#[tokio::test]
async fn an_unknown_store_is_not_found_on_get_and_describe() {
    let replay = Replay::new(vec![
        Reply::kvs_error(404, "ResourceNotFoundException"),
        Reply::kvs_error(404, "ResourceNotFoundException"),
        Reply::kvs_error(404, "ResourceNotFoundException"),
    ]);
    let kvs = replay.kvs();
    for result in [
        kvs.get(STORE_ARN, "k").await.map(|_| ()),
        kvs.describe(STORE_ARN).await.map(|_| ()),
    ] {
        assert!(
            matches!(
                result,
                Err(Error::NotFound {
                    kind: ResourceKind::KeyValueStore,
                    ..
                })
            ),
            "{result:?}"
        );
    }
    replay.finish();
}

#[tokio::test]
async fn update_sends_puts_deletes_and_if_match_and_returns_the_new_etag() {
    let replay = Replay::new(vec![json(
        200,
        serde_json::json!({"ItemCount": 1, "TotalSizeInBytes": 9}),
    )
    .header("etag", "ETAG2")]);
    let update = KvsUpdate {
        puts: vec![("shop/live".into(), "v4".into())],
        deletes: vec!["shop/old".into()],
    };
    let etag = replay.kvs().update(STORE_ARN, &update, "ETAG1").await;
    assert_eq!(etag.ok().as_deref(), Some("ETAG2"));
    let sent = replay.finish();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].path, kvs_path("/keys"));
    assert_eq!(sent[0].if_match.as_deref(), Some("ETAG1"));
    let body: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap_or_default();
    assert_eq!(
        body,
        serde_json::json!({
            "Puts": [{"Key": "shop/live", "Value": "v4"}],
            "Deletes": [{"Key": "shop/old"}]
        })
    );
}

#[tokio::test]
async fn a_conflict_is_precondition_failed() {
    let replay = Replay::new(vec![Reply::kvs_error(409, "ConflictException")]);
    let result = replay
        .kvs()
        .update(STORE_ARN, &KvsUpdate::put("k", "v"), "STALE")
        .await;
    assert!(
        result
            .as_ref()
            .is_err_and(|e| precondition_on(e, ResourceKind::KeyValueStore)),
        "{result:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn a_validation_refusal_is_precondition_failed_when_the_etag_moved() {
    let replay = Replay::new(vec![
        Reply::kvs_error(400, "ValidationException"),
        described("ETAG9", 1, 2),
    ]);
    let result = replay
        .kvs()
        .update(STORE_ARN, &KvsUpdate::put("k", "v"), "ETAG1")
        .await;
    assert!(
        result
            .as_ref()
            .is_err_and(|e| precondition_on(e, ResourceKind::KeyValueStore)),
        "{result:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn a_validation_refusal_with_a_current_etag_is_invalid_input() {
    let replay = Replay::new(vec![
        Reply::kvs_error(400, "ValidationException"),
        described("ETAG1", 1, 2),
    ]);
    let result = replay
        .kvs()
        .update(STORE_ARN, &KvsUpdate::put("k", "v"), "ETAG1")
        .await;
    assert!(
        result.as_ref().is_err_and(|e| invalid_on(e, "keys")),
        "{result:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn an_update_past_the_store_limit_is_invalid_input_on_keys() {
    let replay = Replay::new(vec![Reply::kvs_error(402, "ServiceQuotaExceededException")]);
    let result = replay
        .kvs()
        .update(STORE_ARN, &KvsUpdate::put("k", "v"), "ETAG1")
        .await;
    assert!(
        result.as_ref().is_err_and(|e| invalid_on(e, "keys")),
        "{result:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn throttling_is_a_retryable_service_error() {
    let replay = Replay::new(vec![Reply::kvs_error(429, "ThrottlingException")]);
    let result = replay.kvs().describe(STORE_ARN).await;
    match result {
        Err(Error::Service {
            operation,
            retryable,
            ..
        }) => {
            assert_eq!(operation, "DescribeKeyValueStore");
            assert!(retryable);
        }
        other => panic!("expected a service error, got {other:?}"),
    }
    replay.finish();
}

#[tokio::test]
async fn bad_input_and_a_store_that_is_no_arn_make_no_call() {
    let replay = Replay::new(vec![]);
    let kvs = replay.kvs();
    let empty = kvs.update(STORE_ARN, &KvsUpdate::default(), "E").await;
    assert!(empty.as_ref().is_err_and(|e| invalid_on(e, "keys")));
    let big = KvsUpdate::put("k", "v".repeat(1025));
    let big = kvs.update(STORE_ARN, &big, "E").await;
    assert!(big.as_ref().is_err_and(|e| invalid_on(e, "value")));
    let named = kvs.describe("anchor-router").await;
    assert!(matches!(
        named,
        Err(Error::NotFound {
            kind: ResourceKind::KeyValueStore,
            ..
        })
    ));
    replay.finish();
}

/// The trait's own suite, against the real client over a stateful
/// stand-in of the API: the same guarantees and error variants as the
/// local store.
#[tokio::test]
async fn cloudfront_kvs_passes_the_key_value_store_conformance_suite() {
    let fake = FakeKvs::new(STORE_ARN);
    anchor_core::conformance::kvs::run(&fake.client(), STORE_ARN).await;
}

#[tokio::test]
async fn an_update_past_the_5_mb_store_changes_nothing() {
    let fake = FakeKvs::new(STORE_ARN);
    let kvs = fake.client();
    let value = "v".repeat(MAX_KVS_VALUE_BYTES);
    let mut etag = match kvs.describe(STORE_ARN).await {
        Ok(d) => d.etag,
        Err(e) => panic!("{e}"),
    };
    let mut written = 0u64;
    let mut batch = 0;
    let refused = loop {
        let update = KvsUpdate {
            puts: (0..MAX_KVS_UPDATE_ITEMS)
                .map(|i| (format!("fill/{batch}/{i:02}"), value.clone()))
                .collect(),
            deletes: vec![],
        };
        match kvs.update(STORE_ARN, &update, &etag).await {
            Ok(next) => etag = next,
            Err(e) => break e,
        }
        batch += 1;
        written += 1;
        assert!(written < 200, "the store never filled up");
    };
    assert!(invalid_on(&refused, "keys"), "{refused:?}");
    let after = kvs.describe(STORE_ARN).await;
    assert_eq!(after.map(|d| d.etag).ok(), Some(etag), "nothing changed");
}

// --- The router's store (control plane) -------------------------------------

fn fast() -> StoreReadyPoll {
    StoreReadyPoll {
        attempts: 2,
        interval: Duration::from_millis(1),
    }
}

#[tokio::test]
async fn an_existing_ready_store_is_found_by_name_without_a_write() {
    let replay = Replay::new(vec![
        xml(200, store_xml(ROUTER_STORE_NAME, "READY")).header("etag", "ESTORE1")
    ]);
    let store = replay.cdn().ensure_key_value_store(ROUTER_STORE_NAME).await;
    let Ok(store) = store else {
        panic!("{store:?}")
    };
    assert_eq!(
        (store.arn.as_str(), store.id.as_str(), store.etag.as_str()),
        (STORE_ARN, STORE_ID, "ESTORE1")
    );
    let sent = replay.finish();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].path, "/2020-05-31/key-value-store/anchor-router");
}

#[tokio::test]
async fn a_missing_store_is_created_and_waited_for_until_ready() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        xml(201, store_xml(ROUTER_STORE_NAME, "PROVISIONING")).header("etag", "ESTORE1"),
        xml(200, store_xml(ROUTER_STORE_NAME, "PROVISIONING")).header("etag", "ESTORE1"),
        xml(200, store_xml(ROUTER_STORE_NAME, "READY")).header("etag", "ESTORE2"),
    ]);
    let store = replay
        .cdn()
        .ensure_key_value_store_with(ROUTER_STORE_NAME, &fast())
        .await;
    assert_eq!(store.map(|s| s.etag).ok().as_deref(), Some("ESTORE2"));
    assert_eq!(
        replay.operations(),
        [
            "DescribeKeyValueStore",
            "CreateKeyValueStore",
            "DescribeKeyValueStore",
            "DescribeKeyValueStore"
        ]
    );
    let sent = replay.finish();
    assert_eq!(sent[1].method, "POST");
    assert_eq!(sent[1].path, "/2020-05-31/key-value-store");
    assert!(
        sent[1].body.contains("<Name>anchor-router</Name>"),
        "{}",
        sent[1].body
    );
}

#[tokio::test]
async fn a_store_created_concurrently_is_adopted() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        Reply::cloudfront_error(409, "EntityAlreadyExists"),
        xml(200, store_xml(ROUTER_STORE_NAME, "READY")).header("etag", "ESTORE1"),
    ]);
    let store = replay
        .cdn()
        .ensure_key_value_store_with(ROUTER_STORE_NAME, &fast())
        .await;
    assert_eq!(store.map(|s| s.arn).ok().as_deref(), Some(STORE_ARN));
    replay.finish();
}

#[tokio::test]
async fn a_store_that_does_not_become_ready_is_invalid_state() {
    let replay = Replay::new(vec![
        xml(200, store_xml(ROUTER_STORE_NAME, "PROVISIONING")).header("etag", "E"),
        xml(200, store_xml(ROUTER_STORE_NAME, "PROVISIONING")).header("etag", "E"),
        xml(200, store_xml(ROUTER_STORE_NAME, "PROVISIONING")).header("etag", "E"),
        xml(200, store_xml(ROUTER_STORE_NAME, "PROVISIONING_FAILED")).header("etag", "E"),
    ]);
    let cdn = replay.cdn();
    for _ in 0..2 {
        let result = cdn
            .ensure_key_value_store_with(ROUTER_STORE_NAME, &fast())
            .await;
        assert!(
            matches!(
                result,
                Err(Error::InvalidState {
                    kind: ResourceKind::KeyValueStore,
                    ..
                })
            ),
            "{result:?}"
        );
    }
    replay.finish();
}

// --- The router function ----------------------------------------------------

#[tokio::test]
async fn an_unchanged_router_function_makes_no_write() {
    let replay = Replay::new(vec![xml(
        200,
        function_xml("LIVE", &comment_for(CODE), STORE_ARN),
    )
    .header("etag", "ELIVE")]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert_eq!(arn.ok().as_deref(), Some(FUNCTION_ARN));
    let sent = replay.finish();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].path,
        "/2020-05-31/function/anchor-router/describe?Stage=LIVE"
    );
}

#[tokio::test]
async fn a_new_router_function_is_created_with_its_runtime_and_store_then_published() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        xml(
            201,
            function_xml("DEVELOPMENT", &comment_for(CODE), STORE_ARN),
        )
        .header("etag", "EDEV1"),
        xml(200, function_xml("LIVE", &comment_for(CODE), STORE_ARN)),
    ]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert_eq!(arn.ok().as_deref(), Some(FUNCTION_ARN));
    assert_eq!(
        replay.operations(),
        [
            "DescribeFunction",
            "DescribeFunction",
            "CreateFunction",
            "PublishFunction"
        ]
    );
    let sent = replay.finish();
    assert_eq!(
        sent[1].path,
        "/2020-05-31/function/anchor-router/describe?Stage=DEVELOPMENT"
    );
    let create = &sent[2];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/2020-05-31/function")
    );
    let code = base64::engine::general_purpose::STANDARD.encode(CODE);
    for part in [
        "<Name>anchor-router</Name>".to_string(),
        "<Runtime>cloudfront-js-2.0</Runtime>".to_string(),
        format!("<Comment>{}</Comment>", comment_for(CODE)),
        "<Quantity>1</Quantity>".to_string(),
        format!("<KeyValueStoreARN>{STORE_ARN}</KeyValueStoreARN>"),
        format!("<FunctionCode>{code}</FunctionCode>"),
    ] {
        assert!(create.body.contains(&part), "{part} in {}", create.body);
    }
    let publish = &sent[3];
    assert_eq!(
        (publish.method.as_str(), publish.path.as_str()),
        ("POST", "/2020-05-31/function/anchor-router/publish")
    );
    assert_eq!(publish.if_match.as_deref(), Some("EDEV1"));
}

#[tokio::test]
async fn changed_code_is_updated_under_if_match_then_published() {
    let old = comment_for("old code");
    let replay = Replay::new(vec![
        xml(200, function_xml("LIVE", &old, STORE_ARN)).header("etag", "ELIVE"),
        xml(200, function_xml("DEVELOPMENT", &old, STORE_ARN)).header("etag", "EDEV1"),
        // CloudFront's model spells UpdateFunction's ETag header `ETtag`.
        xml(
            200,
            function_xml("DEVELOPMENT", &comment_for(CODE), STORE_ARN),
        )
        .header("ETtag", "EDEV2"),
        xml(200, function_xml("LIVE", &comment_for(CODE), STORE_ARN)),
    ]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert_eq!(arn.ok().as_deref(), Some(FUNCTION_ARN));
    let sent = replay.finish();
    let update = &sent[2];
    assert_eq!(
        (update.method.as_str(), update.path.as_str()),
        ("PUT", "/2020-05-31/function/anchor-router")
    );
    assert_eq!(update.if_match.as_deref(), Some("EDEV1"));
    assert!(update.body.contains(&comment_for(CODE)), "{}", update.body);
    assert_eq!(sent[3].if_match.as_deref(), Some("EDEV2"));
}

#[tokio::test]
async fn a_new_store_association_is_an_update() {
    let other = "arn:aws:cloudfront::123456789012:key-value-store/other";
    let replay = Replay::new(vec![
        xml(200, function_xml("LIVE", &comment_for(CODE), other)).header("etag", "ELIVE"),
        xml(200, function_xml("DEVELOPMENT", &comment_for(CODE), other)).header("etag", "EDEV1"),
        xml(
            200,
            function_xml("DEVELOPMENT", &comment_for(CODE), STORE_ARN),
        )
        .header("ETtag", "EDEV2"),
        xml(200, function_xml("LIVE", &comment_for(CODE), STORE_ARN)),
    ]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert!(arn.is_ok(), "{arn:?}");
    assert_eq!(
        replay.operations(),
        [
            "DescribeFunction",
            "DescribeFunction",
            "UpdateFunction",
            "PublishFunction"
        ]
    );
    let sent = replay.finish();
    assert!(sent[2]
        .body
        .contains(&format!("<KeyValueStoreARN>{STORE_ARN}</KeyValueStoreARN>")));
}

#[tokio::test]
async fn a_current_development_stage_is_only_published() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        xml(
            200,
            function_xml("DEVELOPMENT", &comment_for(CODE), STORE_ARN),
        )
        .header("etag", "EDEV1"),
        xml(200, function_xml("LIVE", &comment_for(CODE), STORE_ARN)),
    ]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert!(arn.is_ok(), "{arn:?}");
    assert_eq!(
        replay.operations(),
        ["DescribeFunction", "DescribeFunction", "PublishFunction"]
    );
    assert_eq!(replay.finish()[2].if_match.as_deref(), Some("EDEV1"));
}

#[tokio::test]
async fn a_stale_etag_is_retried_from_a_fresh_describe() {
    let old = comment_for("old code");
    let replay = Replay::new(vec![
        xml(200, function_xml("LIVE", &old, STORE_ARN)).header("etag", "ELIVE"),
        xml(200, function_xml("DEVELOPMENT", &old, STORE_ARN)).header("etag", "EDEV1"),
        Reply::cloudfront_error(412, "PreconditionFailed"),
        xml(200, function_xml("DEVELOPMENT", &old, STORE_ARN)).header("etag", "EDEV2"),
        xml(
            200,
            function_xml("DEVELOPMENT", &comment_for(CODE), STORE_ARN),
        )
        .header("ETtag", "EDEV3"),
        xml(200, function_xml("LIVE", &comment_for(CODE), STORE_ARN)),
    ]);
    let arn = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert!(arn.is_ok(), "{arn:?}");
    let sent = replay.finish();
    assert_eq!(sent[2].if_match.as_deref(), Some("EDEV1"));
    assert_eq!(sent[4].if_match.as_deref(), Some("EDEV2"));
    assert_eq!(sent[5].if_match.as_deref(), Some("EDEV3"));
}

#[tokio::test]
async fn an_etag_stale_on_every_attempt_is_precondition_failed() {
    let old = comment_for("old code");
    let mut replies = vec![xml(200, function_xml("LIVE", &old, STORE_ARN)).header("etag", "EL")];
    for _ in 0..anchor_core::aws::ROUTER_FUNCTION_ATTEMPTS {
        replies.push(xml(200, function_xml("DEVELOPMENT", &old, STORE_ARN)).header("etag", "ED"));
        replies.push(Reply::cloudfront_error(412, "InvalidIfMatchVersion"));
    }
    let replay = Replay::new(replies);
    let result = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, CODE, STORE_ARN)
        .await;
    assert!(
        result
            .as_ref()
            .is_err_and(|e| precondition_on(e, ResourceKind::Function)),
        "{result:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn code_over_cloudfronts_limit_is_invalid_input_before_any_call() {
    let replay = Replay::new(vec![]);
    let code = "x".repeat(MAX_FUNCTION_CODE_BYTES + 1);
    let result = replay
        .cdn()
        .ensure_router_function(ROUTER_FUNCTION_NAME, &code, STORE_ARN)
        .await;
    assert!(
        result.as_ref().is_err_and(|e| invalid_on(e, "code")),
        "{result:?}"
    );
    let name = replay
        .cdn()
        .ensure_router_function("no spaces", CODE, STORE_ARN)
        .await;
    assert!(name.as_ref().is_err_and(|e| invalid_on(e, "name")));
    replay.finish();
}

// --- The shared cache policy ------------------------------------------------

#[tokio::test]
async fn an_existing_cache_policy_is_found_by_name_across_pages_without_a_write() {
    let replay = Replay::new(vec![
        xml(
            200,
            cache_policy_page(&[("P-OTHER", "someone-else")], Some("M1")),
        ),
        xml(
            200,
            cache_policy_page(&[("P-OURS", ROUTER_CACHE_POLICY_NAME)], None),
        ),
    ]);
    let id = replay
        .cdn()
        .ensure_cache_policy(ROUTER_CACHE_POLICY_NAME)
        .await;
    assert_eq!(id.ok().as_deref(), Some("P-OURS"));
    let sent = replay.finish();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].path, "/2020-05-31/cache-policy?Type=custom");
    assert_eq!(
        sent[1].path,
        "/2020-05-31/cache-policy?Type=custom&Marker=M1"
    );
}

#[tokio::test]
async fn a_missing_cache_policy_is_created_with_the_router_settings() {
    let replay = Replay::new(vec![
        xml(200, cache_policy_page(&[], None)),
        created_cache_policy("P-NEW", ROUTER_CACHE_POLICY_NAME),
    ]);
    let id = replay
        .cdn()
        .ensure_cache_policy(ROUTER_CACHE_POLICY_NAME)
        .await;
    assert_eq!(id.ok().as_deref(), Some("P-NEW"));
    let sent = replay.finish();
    let create = &sent[1];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/2020-05-31/cache-policy")
    );
    for part in [
        format!("<Name>{ROUTER_CACHE_POLICY_NAME}</Name>"),
        "<MinTTL>0</MinTTL>".into(),
        "<DefaultTTL>0</DefaultTTL>".into(),
        format!("<MaxTTL>{CACHE_POLICY_MAX_TTL}</MaxTTL>"),
        "<EnableAcceptEncodingGzip>true</EnableAcceptEncodingGzip>".into(),
        "<EnableAcceptEncodingBrotli>true</EnableAcceptEncodingBrotli>".into(),
        "<HeaderBehavior>whitelist</HeaderBehavior>".into(),
        format!("<Headers><Quantity>1</Quantity><Items><Name>{CACHE_KEY_HEADER}</Name></Items></Headers>"),
        "<CookieBehavior>none</CookieBehavior>".into(),
        "<QueryStringBehavior>all</QueryStringBehavior>".into(),
    ] {
        assert!(create.body.contains(&part), "{part} in {}", create.body);
    }
    assert!(
        !create
            .body
            .to_ascii_lowercase()
            .contains("<name>host</name>"),
        "Host must not be in the key: it would be forwarded to the Function URL"
    );
}

#[tokio::test]
async fn a_cache_policy_created_concurrently_is_listed_again() {
    let replay = Replay::new(vec![
        xml(200, cache_policy_page(&[], None)),
        Reply::cloudfront_error(409, "CachePolicyAlreadyExists"),
        xml(
            200,
            cache_policy_page(&[("P-RACE", ROUTER_CACHE_POLICY_NAME)], None),
        ),
    ]);
    let id = replay
        .cdn()
        .ensure_cache_policy(ROUTER_CACHE_POLICY_NAME)
        .await;
    assert_eq!(id.ok().as_deref(), Some("P-RACE"));
    replay.finish();
}

#[tokio::test]
async fn a_full_cache_policy_quota_is_invalid_input_naming_the_quota() {
    let replay = Replay::new(vec![
        xml(200, cache_policy_page(&[], None)),
        Reply::cloudfront_error(400, "TooManyCachePolicies"),
    ]);
    let result = replay
        .cdn()
        .ensure_cache_policy(ROUTER_CACHE_POLICY_NAME)
        .await;
    match result {
        Err(Error::InvalidInput { field, reason }) => {
            assert_eq!(field, "cache_policy");
            assert!(reason.contains("20"), "{reason}");
            assert!(reason.contains("Service Quotas"), "{reason}");
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(!Error::invalid_input("cache_policy", "x").is_retryable());
    replay.finish();
}
