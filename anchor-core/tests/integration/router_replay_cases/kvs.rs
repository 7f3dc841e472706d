//! The KeyValueStore data plane: request shapes, error mapping, and the
//! trait's conformance suite against a stateful stand-in.

use super::*;

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
