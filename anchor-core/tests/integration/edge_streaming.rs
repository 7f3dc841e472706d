//! Functions that answer through a Lambda response stream
//! (`awslambda.streamifyResponse`, as OpenNext's streaming wrapper does),
//! on the local edge: the worker gives them the runtime's API, and the
//! Function URL's invoke mode decides what the viewer gets, as on Lambda.
//! A `RESPONSE_STREAM` URL reads the HTTP prelude and passes the body whole,
//! including bytes a piped compressor writes after the handler's promise
//! has settled; a `BUFFERED` URL returns the raw stream as a 200 JSON body.

use crate::edge_support;

use std::io::Read as _;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::traits::{AliasRouting, FunctionUrlAuth, FunctionUrlOptions, PublishOptions};
use anchor_core::{Anchor, LocalOptions};
use edge_support::{bundle, get};

const STREAMING_HANDLER: &str = r#"
import zlib from "node:zlib";

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  switch (event.rawPath) {
    case "/prelude": {
      // The prelude names the uncompressed length, as OpenNext's wrapper
      // does; the compressor ends the stream after this promise settles.
      const out = awslambda.HttpResponseStream.from(responseStream, {
        statusCode: 201,
        headers: { "content-type": "text/plain", "content-encoding": "gzip", "content-length": "999" },
        cookies: ["streamed=1; Path=/"],
      });
      const gzip = zlib.createGzip();
      gzip.pipe(out);
      gzip.write("first chunk\n");
      setTimeout(() => gzip.end("last chunk\n"), 100);
      return;
    }
    case "/raw":
      responseStream.setContentType("text/csv");
      responseStream.write("a,b\n");
      responseStream.end("1,2\n");
      return;
    default:
      awslambda.HttpResponseStream.from(responseStream, { statusCode: 404, headers: {} }).end("no route");
  }
});
"#;

/// An edge whose project's live server alias runs the streaming handler
/// behind a Function URL in the given invoke mode.
async fn edge_with_url(streaming: bool) -> (tempfile::TempDir, Anchor, EdgeServer) {
    let dir = tempfile::tempdir().unwrap();
    let options = LocalOptions {
        router: false,
        ..LocalOptions::default()
    };
    let anchor = Anchor::local_with(dir.path(), options).await.unwrap();
    let infra = anchor
        .create_project("stream")
        .await
        .unwrap()
        .infrastructure;
    let functions = &anchor.backend().functions;
    let publish = PublishOptions {
        handler: Some("index.handler".into()),
        ..PublishOptions::default()
    };
    let function = &infra.server_function;
    let code = bundle(&[("index.mjs", STREAMING_HANDLER)]);
    let version = functions.publish(function, &code, &publish).await.unwrap();
    functions
        .set_alias(
            function,
            &infra.alias,
            &AliasRouting::single(&version.version),
            &Default::default(),
        )
        .await
        .unwrap();
    let url = FunctionUrlOptions {
        auth: FunctionUrlAuth::AwsIam,
        streaming,
        cdn_distribution_id: None,
    };
    functions
        .ensure_url(function, &infra.alias, &url)
        .await
        .unwrap();
    let server = EdgeServer::start(&anchor, "stream", EdgeOptions::default())
        .await
        .unwrap();
    (dir, anchor, server)
}

#[tokio::test]
async fn a_streaming_url_passes_the_prelude_and_the_whole_body() {
    let (_dir, _anchor, edge) = edge_with_url(true).await;
    let reply = get(edge.local_addr(), "localhost", "/prelude", &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.header("set-cookie"), Some("streamed=1; Path=/"));
    assert_ne!(
        reply.header("content-length"),
        Some("999"),
        "Lambda frames a streamed body itself"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(&reply.body[..])
        .read_to_string(&mut text)
        .expect("the gzip stream arrives whole, its last bytes included");
    assert_eq!(text, "first chunk\nlast chunk\n");

    let raw = get(edge.local_addr(), "localhost", "/raw", &[]).await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), Some("text/csv"));
    assert_eq!(raw.text(), "a,b\n1,2\n");
    edge.shutdown().await;
}

#[tokio::test]
async fn a_buffered_url_mangles_a_streamed_answer_as_lambda_does() {
    let (_dir, _anchor, edge) = edge_with_url(false).await;
    let reply = get(edge.local_addr(), "localhost", "/raw", &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let prelude = get(edge.local_addr(), "localhost", "/prelude", &[]).await;
    assert_eq!(prelude.status, 200, "the prelude's 201 is lost");
    assert!(
        prelude.body.starts_with(br#"{"statusCode":201"#),
        "{:?}",
        prelude.text()
    );
    assert!(prelude.header("set-cookie").is_none());
    edge.shutdown().await;
}
