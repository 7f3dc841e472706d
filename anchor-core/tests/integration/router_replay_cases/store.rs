//! The router's KeyValueStore on the control plane: found by name,
//! created once, waited for.

use super::*;

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
