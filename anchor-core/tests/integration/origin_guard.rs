//! Runs the origin guard Anchor adds to server bundles under `node`, around
//! a stand-in for OpenNext's handler: a request without the project's
//! secret, or with a wrong one, is answered 403 without the app running; the
//! right one reaches the app without the secret header. Around a handler
//! wrapped in `awslambda.streamifyResponse` (OpenNext's streaming wrapper)
//! the guard streams too, and answers its 403 through the stream.
//!
//! Needs Node.js: `$ANCHOR_NODE`, else `node` on the PATH.

use std::path::Path;
use std::process::Command;

use anchor_core::model::{OriginSecret, ORIGIN_SECRET_ENV, ORIGIN_SECRET_HEADER};
use anchor_core::opennext::{FunctionBundle, OriginGuard, GUARD_FILE};
use anchor_core::router::SERVED_HEADER;
use serde_json::{json, Value};

/// A stand-in for OpenNext's `index.mjs`: answers with the headers it saw
/// and counts its calls in a global the test reads.
const APP: &str = r#"
globalThis.appCalls = 0;
export async function handler(event) {
  globalThis.appCalls += 1;
  return { statusCode: 200, headers: {}, body: JSON.stringify(event.headers) };
}
"#;

/// Invokes the guard with each event of argv[2] (a JSON array) and prints
/// the responses and how often the app ran.
const DRIVER: &str = r#"
const { handler } = await import(new URL('./anchor-origin-guard.mjs', import.meta.url));
const events = JSON.parse(process.argv[2]);
const responses = [];
for (const event of events) responses.push(await handler(event, {}));
console.log(JSON.stringify({ responses, appCalls: globalThis.appCalls }));
"#;

/// A stand-in for OpenNext's streaming wrapper: answers through the
/// response stream with the headers it saw.
const STREAMING_APP: &str = r#"
globalThis.appCalls = 0;
export const handler = awslambda.streamifyResponse(async (event, stream) => {
  globalThis.appCalls += 1;
  const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} });
  out.end(JSON.stringify(event.headers));
});
"#;

/// The same driver for streaming handlers, with the part of Lambda's
/// runtime they use: each response is the stream's content type and text.
const STREAMING_DRIVER: &str = r#"
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
globalThis.awslambda = {
  streamifyResponse(f) { f[STREAMING] = 'response'; return f; },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.contentType = 'application/vnd.awslambda.http-integration-response';
      stream.write(JSON.stringify(prelude) + '\0'.repeat(8));
      return stream;
    },
  },
};
const { Writable } = await import('node:stream');
const { handler } = await import(new URL('./anchor-origin-guard.mjs', import.meta.url));
const events = JSON.parse(process.argv[2]);
const responses = [];
for (const event of events) {
  let text = '';
  const stream = new Writable({ write(chunk, _, done) { text += chunk; done(); } });
  stream.setContentType = (type) => { stream.contentType = type; };
  const finished = new Promise((resolve) => stream.on('finish', resolve));
  if (!handler[STREAMING]) throw new Error('the guard does not stream');
  await handler(event, stream, {});
  await finished;
  responses.push({ contentType: stream.contentType, text });
}
console.log(JSON.stringify({ responses, appCalls: globalThis.appCalls }));
"#;

/// A stand-in for OpenNext's own streaming wrapper, which writes the HTTP
/// prelude itself: the content type, the JSON, then eight NUL bytes, in
/// separate writes.
const OPENNEXT_STREAMING_APP: &str = r#"
globalThis.appCalls = 0;
export const handler = awslambda.streamifyResponse(async (event, stream) => {
  globalThis.appCalls += 1;
  stream.setContentType('application/vnd.awslambda.http-integration-response');
  stream.write(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'text/html' } }));
  stream.write(new Uint8Array(8));
  stream.end('<html></html>');
});
"#;

fn run(dir: &Path, env: Option<&str>, events: &Value) -> Value {
    let node = anchor_testing::node::node_program();
    let mut command = Command::new(&node);
    command
        .arg(dir.join("driver.mjs"))
        .arg(events.to_string())
        .env_remove(ORIGIN_SECRET_ENV);
    if let Some(value) = env {
        command.env(ORIGIN_SECRET_ENV, value);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot start {node:?} (set ANCHOR_NODE): {e}"));
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn bundle() -> tempfile::TempDir {
    bundle_of(APP, DRIVER, false)
}

fn bundle_of(app: &str, driver: &str, streaming: bool) -> tempfile::TempDir {
    bundle_named(app, driver, streaming, None)
}

/// A bundle whose build has the Next.js `deploymentId` `served_as`.
fn bundle_named(
    app: &str,
    driver: &str,
    streaming: bool,
    served_as: Option<&str>,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.mjs"), app).unwrap();
    std::fs::write(dir.path().join("driver.mjs"), driver).unwrap();
    let server = FunctionBundle {
        origin: "default".into(),
        dir: dir.path().to_path_buf(),
        handler: "index.handler".into(),
        handler_file: dir.path().join("index.mjs"),
        streaming,
        native: None,
    };
    let guard = OriginGuard::for_server(&server, dir.path(), served_as).unwrap();
    std::fs::write(dir.path().join(GUARD_FILE), guard.source).unwrap();
    dir
}

fn event(headers: Value) -> Value {
    json!({"version": "2.0", "rawPath": "/", "headers": headers, "requestContext": {"http": {"method": "GET"}}})
}

#[test]
fn only_the_right_secret_reaches_the_app_and_the_app_never_sees_it() {
    let secret = OriginSecret::generate().unwrap();
    let dir = bundle();
    let events = json!([
        event(json!({"host": "x.lambda-url.eu-west-1.on.aws"})),
        event(json!({ ORIGIN_SECRET_HEADER: "0".repeat(64) })),
        event(json!({ ORIGIN_SECRET_HEADER: "" })),
        event(json!({ ORIGIN_SECRET_HEADER: &secret.expose()[..63] })),
        event(json!({ ORIGIN_SECRET_HEADER: secret.expose(), "accept": "text/html" })),
        event(json!({ "X-Anchor-Origin-Secret": secret.expose() })),
    ]);
    let out = run(dir.path(), Some(secret.expose()), &events);
    let responses = out["responses"].as_array().unwrap();
    for refused in &responses[..4] {
        assert_eq!(refused["statusCode"], 403, "{refused}");
        assert_eq!(refused["body"], r#"{"message":"Forbidden"}"#);
    }
    for allowed in &responses[4..] {
        assert_eq!(allowed["statusCode"], 200, "{allowed}");
        let seen: Value = serde_json::from_str(allowed["body"].as_str().unwrap()).unwrap();
        assert!(
            !allowed["body"].as_str().unwrap().contains(secret.expose()),
            "the app saw the secret: {seen}"
        );
    }
    assert_eq!(out["appCalls"], 2, "refused requests never reach the app");
}

#[test]
fn without_the_variable_the_guard_refuses_everything() {
    let secret = OriginSecret::generate().unwrap();
    let dir = bundle();
    let events = json!([event(json!({ ORIGIN_SECRET_HEADER: secret.expose() }))]);
    let out = run(dir.path(), None, &events);
    assert_eq!(out["responses"][0]["statusCode"], 403);
    assert_eq!(out["appCalls"], 0);
}

#[test]
fn around_a_streaming_handler_the_guard_streams_its_answers() {
    let secret = OriginSecret::generate().unwrap();
    let dir = bundle_of(STREAMING_APP, STREAMING_DRIVER, true);
    let events = json!([
        event(json!({"host": "x.lambda-url.eu-west-1.on.aws"})),
        event(json!({ ORIGIN_SECRET_HEADER: secret.expose(), "accept": "text/html" })),
    ]);
    let out = run(dir.path(), Some(secret.expose()), &events);
    let prelude_type = "application/vnd.awslambda.http-integration-response";
    let refused = &out["responses"][0];
    assert_eq!(refused["contentType"], prelude_type);
    let (prelude, body) = refused["text"]
        .as_str()
        .unwrap()
        .split_once(&"\0".repeat(8))
        .unwrap();
    let prelude: Value = serde_json::from_str(prelude).unwrap();
    assert_eq!(prelude["statusCode"], 403, "{prelude}");
    assert_eq!(body, r#"{"message":"Forbidden"}"#);
    let allowed = out["responses"][1]["text"].as_str().unwrap();
    assert!(allowed.contains(r#""accept":"text/html""#), "{allowed}");
    assert!(!allowed.contains(secret.expose()), "the app saw the secret");
    assert_eq!(
        out["appCalls"], 1,
        "the refused request never reached the app"
    );
}

#[test]
fn the_guard_names_its_builds_deployment_id_on_answers_and_not_on_refusals() {
    let secret = OriginSecret::generate().unwrap();
    let dir = bundle_named(APP, DRIVER, false, Some("build-v1"));
    let events = json!([
        event(json!({"host": "x.lambda-url.eu-west-1.on.aws"})),
        event(json!({ ORIGIN_SECRET_HEADER: secret.expose() })),
    ]);
    let out = run(dir.path(), Some(secret.expose()), &events);
    let refused = &out["responses"][0];
    assert_eq!(refused["statusCode"], 403);
    assert!(refused["headers"].get(SERVED_HEADER).is_none(), "{refused}");
    let answered = &out["responses"][1];
    assert_eq!(answered["statusCode"], 200);
    assert_eq!(answered["headers"][SERVED_HEADER], "build-v1", "{answered}");
    // A build without a deploymentId names nothing.
    let plain = bundle();
    let out = run(plain.path(), Some(secret.expose()), &events);
    assert!(out["responses"][1]["headers"].get(SERVED_HEADER).is_none());
}

#[test]
fn the_guard_names_its_builds_deployment_id_in_opennexts_streamed_prelude() {
    let secret = OriginSecret::generate().unwrap();
    let dir = bundle_named(
        OPENNEXT_STREAMING_APP,
        STREAMING_DRIVER,
        true,
        Some("build-v2"),
    );
    let events = json!([event(json!({ ORIGIN_SECRET_HEADER: secret.expose() }))]);
    let out = run(dir.path(), Some(secret.expose()), &events);
    let text = out["responses"][0]["text"].as_str().unwrap();
    let (prelude, body) = text.split_once(&"\0".repeat(8)).unwrap();
    let prelude: Value = serde_json::from_str(prelude).unwrap();
    assert_eq!(prelude["headers"][SERVED_HEADER], "build-v2", "{prelude}");
    assert_eq!(prelude["headers"]["content-type"], "text/html");
    assert_eq!(body, "<html></html>");
}
