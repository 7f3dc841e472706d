//! The shared cache policy: found by name across pages, created with the
//! router's settings, quota and races mapped.

use super::*;

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
