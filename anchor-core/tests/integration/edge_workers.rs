//! The local edge's function workers, on small bundles written here: the
//! framed protocol and the API Gateway v2 event, errors thrown by the
//! handler, a worker killed with a request in flight (502, then a new
//! worker), a request past its timeout (504), a bundle that cannot load,
//! a missing `node`, and the alias read on every request.

use crate::edge_support;

use std::time::Duration;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::Infrastructure;
use anchor_core::traits::{AliasRouting, CodeBundle, PublishOptions};
use anchor_core::{Anchor, Error};
use bytes::Bytes;
use edge_support::{alive, bundle, get, kill, send};
use serde_json::Value;

const HANDLER: &str = r#"
export const handler = async (event, context) => {
  switch (event.rawPath) {
    case "/echo":
      console.log("a log line on stdout must not break the frames");
      return {
        statusCode: 200,
        headers: { "content-type": "application/json", "x-pid": String(process.pid) },
        body: JSON.stringify({
          event,
          remainingMs: context.getRemainingTimeInMillis(),
          env: {
            endpoint: process.env.AWS_ENDPOINT_URL,
            own: process.env.OWN_SETTING,
            key: process.env.AWS_SECRET_ACCESS_KEY,
            version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
          },
        }),
        cookies: ["seen=1; Path=/"],
      };
    case "/slow": {
      const ms = Number(event.queryStringParameters?.ms ?? 1000);
      const mark = event.queryStringParameters?.mark;
      if (mark) (await import("node:fs")).writeFileSync(mark, String(process.pid));
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { statusCode: 200, body: `slept ${ms} ms in ${process.pid}` };
    }
    case "/throw":
      throw new Error("boom from the handler");
    case "/exit":
      process.exit(3);
    case "/plain":
      return { hello: "world" };
    case "/binary":
      return {
        statusCode: 200,
        headers: { "content-type": "application/octet-stream" },
        body: Buffer.from([0, 1, 2, 255]).toString("base64"),
        isBase64Encoded: true,
      };
    default:
      return { statusCode: 404, body: "no route" };
  }
};
"#;

struct Edge {
    dir: tempfile::TempDir,
    anchor: Anchor,
    infra: Infrastructure,
    server: EdgeServer,
}

impl Edge {
    async fn get(&self, path: &str) -> edge_support::Reply {
        get(self.server.local_addr(), "localhost", path, &[]).await
    }

    fn pids(&self) -> Vec<u32> {
        self.server.workers().into_iter().map(|w| w.pid).collect()
    }

    async fn publish_live(&self, code: &CodeBundle) -> String {
        let functions = &self.anchor.backend().functions;
        let options = PublishOptions {
            handler: Some("index.handler".into()),
            environment: [("OWN_SETTING".to_string(), "frozen".to_string())].into(),
            ..PublishOptions::default()
        };
        let function = &self.infra.server_function;
        let version = functions.publish(function, code, &options).await.unwrap();
        functions
            .set_alias(
                function,
                &self.infra.alias,
                &AliasRouting::single(&version.version),
                &Default::default(),
            )
            .await
            .unwrap();
        version.version
    }
}

/// A project whose server function's live alias points at `code`.
async fn edge(code: CodeBundle, options: EdgeOptions) -> Edge {
    let dir = tempfile::tempdir().unwrap();
    let anchor = without_router(dir.path()).await;
    let infra = anchor.create_project("edge").await.unwrap().infrastructure;
    let server = EdgeServer::start(&anchor, "edge", options).await.unwrap();
    let edge = Edge {
        dir,
        anchor,
        infra,
        server,
    };
    edge.publish_live(&code).await;
    edge
}

/// The embedded default with a distribution that routes by behaviours to
/// the `live` alias: these tests publish versions and move that alias
/// themselves, to test the workers, not the router (edge_local does).
async fn without_router(dir: &std::path::Path) -> Anchor {
    let options = anchor_core::LocalOptions {
        router: false,
        ..anchor_core::LocalOptions::default()
    };
    Anchor::local_with(dir, options).await.unwrap()
}

fn one_worker() -> EdgeOptions {
    EdgeOptions {
        workers_per_function: 1,
        ..EdgeOptions::default()
    }
}

/// Waits until the pool holds a running worker other than `old`.
async fn replacement_of(edge: &Edge, old: u32) -> u32 {
    for _ in 0..600 {
        if let Some(pid) = edge.pids().into_iter().find(|p| *p != old) {
            return pid;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no worker replaced {old} within 30 s");
}

#[tokio::test]
async fn a_function_gets_api_gateway_v2_events_and_its_results_become_responses() {
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), one_worker()).await;
    let addr = edge.server.local_addr();
    let reply = get(
        addr,
        "localhost",
        "/echo?x=1&x=2&s=a%20b",
        &[("cookie", "a=1; b=2")],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("set-cookie"), Some("seen=1; Path=/"));
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    let event = &body["event"];
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["rawPath"], "/echo");
    assert_eq!(event["rawQueryString"], "x=1&x=2&s=a%20b");
    assert_eq!(event["queryStringParameters"]["x"], "1,2");
    assert_eq!(event["queryStringParameters"]["s"], "a b");
    assert_eq!(event["cookies"], serde_json::json!(["a=1", "b=2"]));
    assert!(
        event["headers"].get("cookie").is_none(),
        "cookies travel apart"
    );
    // CloudFront forwards to the live alias's Function URL with the
    // AllViewerExceptHostHeader policy: the function sees the URL's host,
    // no X-Forwarded-Host (only a client-sent one would arrive), and the
    // scheme of the hop that reached it.
    let url_host = "edge-server--live.lambda-url.anchor.localhost";
    assert_eq!(event["headers"]["host"], url_host);
    assert_eq!(event["requestContext"]["domainName"], url_host);
    assert!(event["headers"].get("x-forwarded-host").is_none());
    assert_eq!(event["headers"]["x-forwarded-proto"], "https");
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(event["isBase64Encoded"], false);
    assert!(body["remainingMs"].as_f64().unwrap() > 0.0);
    // The version's own environment, and an AWS endpoint on loopback with
    // placeholder keys, so nothing the function calls leaves the machine.
    assert_eq!(body["env"]["own"], "frozen");
    assert_eq!(body["env"]["version"], "1");
    assert_eq!(body["env"]["key"], "anchor-local-edge");
    assert!(body["env"]["endpoint"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));

    // The origin access control signs every request to the Function URL:
    // the viewer's Authorization is replaced, and a body without the
    // viewer's x-amz-content-sha256 is refused by Lambda (issue 15: what
    // a browser's POST gets on CloudFront today).
    let json = r#"{"a":1}"#;
    let refused = send(
        addr,
        "POST",
        "localhost",
        "/echo",
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer t"),
        ],
        json.into(),
    )
    .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert_eq!(
        refused.header("x-amzn-errortype"),
        Some("InvalidSignatureException")
    );
    let got = get(addr, "localhost", "/echo", &[("authorization", "Bearer t")]).await;
    let event = &serde_json::from_slice::<Value>(&got.body).unwrap()["event"];
    assert!(event["headers"]["authorization"]
        .as_str()
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 "));

    // Bodies: text as it is, anything else in base64; over 6 MiB is refused.
    let sha = ("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    let posted = send(
        addr,
        "POST",
        "localhost",
        "/echo",
        &[("content-type", "application/json"), sha],
        json.into(),
    )
    .await;
    let event = &serde_json::from_slice::<Value>(&posted.body).unwrap()["event"];
    assert_eq!(
        (event["body"].as_str(), &event["isBase64Encoded"]),
        (Some(json), &Value::Bool(false))
    );
    assert_eq!(event["requestContext"]["http"]["method"], "POST");
    let bytes = Bytes::from_static(&[0, 159, 146, 150]);
    let posted = send(
        addr,
        "PUT",
        "localhost",
        "/echo",
        &[("content-type", "application/octet-stream"), sha],
        bytes,
    )
    .await;
    let event = &serde_json::from_slice::<Value>(&posted.body).unwrap()["event"];
    assert_eq!(
        (event["body"].as_str(), &event["isBase64Encoded"]),
        (Some("AJ+Slg=="), &Value::Bool(true))
    );
    let huge = Bytes::from(vec![b'x'; 6 * 1024 * 1024 + 1]);
    assert_eq!(
        send(addr, "POST", "localhost", "/echo", &[], huge)
            .await
            .status,
        413
    );

    let plain = edge.get("/plain").await;
    assert_eq!(
        (plain.status, plain.header("content-type")),
        (200, Some("application/json"))
    );
    assert_eq!(
        plain.text(),
        r#"{"hello":"world"}"#,
        "a result without statusCode is the body"
    );
    assert_eq!(edge.get("/binary").await.body.as_ref(), &[0u8, 1, 2, 255]);
    assert_eq!(edge.get("/other").await.status, 404);

    // A handler that throws gets a 502 naming the error; the worker stays.
    let pid = edge.pids();
    let thrown = edge.get("/throw").await;
    assert_eq!(thrown.status, 502);
    assert!(
        thrown.text().contains("boom from the handler"),
        "{}",
        thrown.text()
    );
    assert_eq!(edge.get("/echo").await.status, 200);
    assert_eq!(edge.pids(), pid, "the same worker answered every request");
    let counts = edge.server.worker_counts(&edge.infra.server_function, "1");
    assert_eq!((counts.started, counts.crashed), (1, 0));
}

#[tokio::test]
async fn a_killed_worker_fails_its_request_with_502_and_a_new_one_takes_over() {
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), one_worker()).await;
    let first = edge.get("/echo").await;
    let old: u32 = first.header("x-pid").unwrap().parse().unwrap();
    assert_eq!(edge.pids(), vec![old]);

    // A request that would take a minute is in flight when the worker dies:
    // the handler leaves a mark once it has started.
    let addr = edge.server.local_addr();
    let mark = edge.dir.path().join("started");
    let path = format!("/slow?ms=60000&mark={}", mark.display());
    let in_flight = tokio::spawn(async move { get(addr, "localhost", &path, &[]).await });
    for _ in 0..600 {
        if mark.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mark.exists(), "the slow request never reached the worker");
    kill(old);
    let reply = in_flight.await.unwrap();
    assert_eq!(reply.status, 502, "{}", reply.text());
    assert!(reply.text().contains("crashed"), "{}", reply.text());
    assert!(!alive(old));

    // The pool starts a replacement by itself, and it answers.
    let new = replacement_of(&edge, old).await;
    let after = edge.get("/echo").await;
    assert_eq!(after.status, 200);
    assert_eq!(after.header("x-pid"), Some(new.to_string().as_str()));
    let counts = edge.server.worker_counts(&edge.infra.server_function, "1");
    assert_eq!((counts.started, counts.crashed), (2, 1));

    // A worker that exits by itself mid-request is the same case.
    let exited = edge.get("/exit").await;
    assert_eq!(exited.status, 502, "{}", exited.text());
    assert!(
        exited.text().contains("exit status: 3"),
        "{}",
        exited.text()
    );
    replacement_of(&edge, new).await;
    assert_eq!(edge.get("/echo").await.status, 200);

    // One killed while idle is noticed before a request is sent to it.
    let idle = edge.pids()[0];
    kill(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(edge.get("/echo").await.status, 200);
}

#[tokio::test]
async fn a_request_past_its_timeout_gets_504_and_its_worker_is_replaced() {
    let options = EdgeOptions {
        request_timeout: Duration::from_secs(1),
        ..one_worker()
    };
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), options).await;
    let old: u32 = edge
        .get("/echo")
        .await
        .header("x-pid")
        .unwrap()
        .parse()
        .unwrap();
    let reply = edge.get("/slow?ms=30000").await;
    assert_eq!(reply.status, 504, "{}", reply.text());
    let new = replacement_of(&edge, old).await;
    assert!(!alive(old), "the timed-out worker was stopped");
    assert_eq!(
        edge.get("/echo").await.header("x-pid"),
        Some(new.to_string().as_str())
    );
    let counts = edge.server.worker_counts(&edge.infra.server_function, "1");
    assert_eq!(counts.timed_out, 1);
}

/// Issue 15: the edge stops a version at the timeout it was published
/// with, as Lambda does, not only at its own origin timeout.
#[tokio::test]
async fn a_version_is_stopped_at_its_own_timeout() {
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), one_worker()).await;
    let functions = &edge.anchor.backend().functions;
    let function = &edge.infra.server_function;
    let options = PublishOptions {
        handler: Some("index.handler".into()),
        timeout_seconds: Some(1),
        ..PublishOptions::default()
    };
    let code = bundle(&[("index.mjs", HANDLER), ("other.txt", "1 s")]);
    let version = functions.publish(function, &code, &options).await.unwrap();
    functions
        .set_alias(
            function,
            &edge.infra.alias,
            &AliasRouting::single(&version.version),
            &Default::default(),
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let reply = edge.get("/slow?ms=10000").await;
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert!(reply.text().contains("within 1 s"), "{}", reply.text());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn workers_serve_requests_in_parallel_up_to_the_pool_size() {
    let options = EdgeOptions {
        workers_per_function: 2,
        ..EdgeOptions::default()
    };
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), options).await;
    let addr = edge.server.local_addr();
    let slow = || tokio::spawn(async move { get(addr, "localhost", "/slow?ms=1500", &[]).await });
    let (a, b) = (slow(), slow());
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!((a.status, b.status), (200, 200));
    assert_ne!(a.text(), b.text(), "two workers, one request each");
    assert_eq!(edge.pids().len(), 2);
}

#[tokio::test]
async fn the_alias_is_read_on_every_request() {
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), one_worker()).await;
    assert_eq!(edge.get("/other").await.text(), "no route");
    let second =
        r#"export const handler = async () => ({ statusCode: 200, body: "second version" });"#;
    let version = edge.publish_live(&bundle(&[("index.mjs", second)])).await;
    assert_eq!(version, "2");
    assert_eq!(edge.get("/other").await.text(), "second version");
    let functions = &edge.anchor.backend().functions;
    let (function, alias) = (&edge.infra.server_function, &edge.infra.alias);
    functions
        .set_alias(
            function,
            alias,
            &AliasRouting::single("1"),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        edge.get("/other").await.text(),
        "no route",
        "back on version 1 at once"
    );
    let versions: Vec<String> = edge
        .server
        .workers()
        .into_iter()
        .map(|w| w.version)
        .collect();
    assert_eq!(versions, ["1", "2"], "both versions stay warm");
}

#[tokio::test]
async fn a_bundle_that_cannot_load_answers_502_with_the_reason() {
    let broken = r#"throw new Error("this bundle is broken at import");"#;
    let edge = edge(bundle(&[("index.mjs", broken)]), one_worker()).await;
    let reply = edge.get("/").await;
    assert_eq!(reply.status, 502);
    let text = reply.text();
    assert!(text.contains("could not load its handler"), "{text}");
    assert!(text.contains("this bundle is broken at import"), "{text}");

    let no_export = "export const other = 1;";
    edge.publish_live(&bundle(&[("index.mjs", no_export)]))
        .await;
    let text = edge.get("/").await.text();
    assert!(
        text.contains("does not export a function named handler"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_node_is_a_clear_error_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project("edge").await.unwrap();
    let options = EdgeOptions {
        node: "/nonexistent/anchor-test/node".into(),
        ..EdgeOptions::default()
    };
    let err = EdgeServer::start(&anchor, "edge", options)
        .await
        .unwrap_err();
    match &err {
        Error::InvalidInput { field, reason } => {
            assert_eq!(field, "node");
            assert!(
                reason.contains("/nonexistent/anchor-test/node was not found"),
                "{reason}"
            );
            assert!(reason.contains("ANCHOR_NODE"), "{reason}");
        }
        other => panic!("expected InvalidInput on node, got {other:?}"),
    }

    for (options, field) in [
        (
            EdgeOptions {
                workers_per_function: 0,
                ..EdgeOptions::default()
            },
            "workers_per_function",
        ),
        (
            EdgeOptions {
                request_timeout: Duration::ZERO,
                ..EdgeOptions::default()
            },
            "request_timeout",
        ),
    ] {
        let err = EdgeServer::start(&anchor, "edge", options)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { field: ref f, .. } if f == field),
            "{err:?}"
        );
    }

    let elsewhere = Anchor::builder(anchor.backend().clone()).build();
    let err = EdgeServer::start(&elsewhere, "edge", EdgeOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "backend"),
        "{err:?}"
    );
    let err = EdgeServer::start(&anchor, "nope", EdgeOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn before_the_first_deploy_the_router_answers_503_and_assets_403() {
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path()).await.unwrap();
    anchor.create_project("edge").await.unwrap();
    let server = EdgeServer::start(&anchor, "edge", one_worker())
        .await
        .unwrap();
    let addr = server.local_addr();
    // The router finds no live pointer and answers itself.
    let page = get(addr, "localhost", "/", &[]).await;
    assert_eq!(page.status, 503);
    assert!(
        page.text().contains("No deployment is live"),
        "{}",
        page.text()
    );
    assert_eq!(
        page.header("x-cache"),
        Some("FunctionGeneratedResponse from cloudfront")
    );
    assert_eq!(
        get(addr, "localhost", "/_next/static/a.js", &[])
            .await
            .status,
        403,
        "S3 behind an origin access control hides a missing key"
    );
    assert_eq!(get(addr, "v1.localhost", "/", &[]).await.status, 404);
    assert!(server.workers().is_empty());
}

#[tokio::test]
async fn a_client_that_disconnects_mid_request_does_not_cost_a_worker() {
    let edge = edge(bundle(&[("index.mjs", HANDLER)]), one_worker()).await;
    let pid = edge.get("/echo").await.header("x-pid").unwrap().to_string();
    let mark = edge.dir.path().join("started");
    let path = format!("/slow?ms=1000&mark={}", mark.display());
    let addr = edge.server.local_addr();
    let impatient = tokio::spawn(async move { get(addr, "localhost", &path, &[]).await });
    while !mark.exists() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    impatient.abort();
    // The worker finishes the abandoned request and serves the next one.
    let next = edge.get("/echo").await;
    assert_eq!(next.status, 200);
    assert_eq!(next.header("x-pid"), Some(pid.as_str()));
    let counts = edge.server.worker_counts(&edge.infra.server_function, "1");
    assert_eq!((counts.started, counts.crashed), (1, 0));
}

#[tokio::test]
async fn a_state_folder_given_as_a_relative_path_works() {
    // Workers run in their bundle's folder, so every path they get must be
    // absolute even when the state folder was given relative to here.
    let here = tempfile::Builder::new()
        .prefix(".edge-relative-")
        .tempdir_in(".")
        .unwrap();
    let relative = std::path::PathBuf::from(here.path().file_name().unwrap());
    assert!(relative.is_relative());
    let anchor = without_router(&relative).await;
    let infra = anchor.create_project("edge").await.unwrap().infrastructure;
    let server = EdgeServer::start(&anchor, "edge", one_worker())
        .await
        .unwrap();
    let functions = &anchor.backend().functions;
    let code = bundle(&[("index.mjs", HANDLER)]);
    let version = functions
        .publish(&infra.server_function, &code, &PublishOptions::default())
        .await
        .unwrap();
    functions
        .set_alias(
            &infra.server_function,
            &infra.alias,
            &AliasRouting::single(&version.version),
            &Default::default(),
        )
        .await
        .unwrap();
    let reply = get(server.local_addr(), "localhost", "/echo", &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}
