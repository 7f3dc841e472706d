//! The router's CloudFront Function: no write when unchanged, If-Match on
//! every write, bounded retries.

use super::*;

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
async fn the_viewer_response_function_is_created_without_a_store_then_published() {
    let code = anchor_core::router::RouterCode::generate_viewer_response().unwrap();
    let comment = comment_for(code.code());
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        Reply::cloudfront_error(404, "NoSuchFunctionExists"),
        xml(201, response_function_xml("DEVELOPMENT", &comment)).header("etag", "EDEV1"),
        xml(200, response_function_xml("LIVE", &comment)),
    ]);
    let arn = replay
        .cdn()
        .ensure_viewer_response_function(VIEWER_RESPONSE_FUNCTION_NAME, code.code())
        .await;
    assert_eq!(arn.ok().as_deref(), Some(RESPONSE_FUNCTION_ARN));
    let sent = replay.finish();
    let create = &sent[2];
    assert_eq!(create.path, "/2020-05-31/function");
    assert!(create.body.contains("<Name>anchor-viewer-response</Name>"));
    assert!(create.body.contains("<Runtime>cloudfront-js-2.0</Runtime>"));
    assert!(
        !create.body.contains("KeyValueStore"),
        "the response function reads no store: {}",
        create.body
    );
    assert_eq!(
        sent[3].path,
        "/2020-05-31/function/anchor-viewer-response/publish"
    );
    assert_eq!(sent[3].if_match.as_deref(), Some("EDEV1"));

    // Once LIVE runs this code without a store, nothing is written.
    let again = Replay::new(vec![xml(200, response_function_xml("LIVE", &comment))]);
    let arn = again
        .cdn()
        .ensure_viewer_response_function(VIEWER_RESPONSE_FUNCTION_NAME, code.code())
        .await;
    assert_eq!(arn.ok().as_deref(), Some(RESPONSE_FUNCTION_ARN));
    assert_eq!(again.operations(), ["DescribeFunction"]);
    again.finish();
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
