//! What a Function URL makes of a function's answer, by its invoke mode:
//! - `BUFFERED` reads the handler's return value (`event::from_result`). A
//!   handler that streamed instead gives Lambda a payload that is not its
//!   JSON result, which the URL returns as a 200 `application/json` body,
//!   prelude and NUL bytes included: the mangled answer an app built with
//!   OpenNext's streaming wrapper gets behind a buffered URL.
//! - `RESPONSE_STREAM` reads the stream. Under the runtime's
//!   `application/vnd.awslambda.http-integration-response` content type,
//!   the stream opens with a JSON prelude (`statusCode`, `headers`,
//!   `cookies`) ended by eight NUL bytes, and the rest is the body; any
//!   other stream is a 200 body of its content type. A buffered handler's
//!   return value travels as that stream's JSON payload, so it too reaches
//!   the viewer as a 200 JSON body rather than being read as a result.
//!
//! The local edge sends a streamed body once the function has ended;
//! CloudFront passes it on as it arrives. The bytes are the same, and only
//! the time to the first byte differs (docs/aws.md, "Streaming").

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::Response;
use serde_json::Value;

use super::event::from_result;
use super::response::{full, EdgeBody};
use super::worker::Answer;

/// The content type under which a stream opens with an HTTP prelude.
pub(crate) const HTTP_INTEGRATION: &str = "application/vnd.awslambda.http-integration-response";

/// What ends the prelude: eight NUL bytes.
const PRELUDE_END: [u8; 8] = [0; 8];

/// The response the URL gives for `answer`: `Some(true)` for a
/// `RESPONSE_STREAM` URL, `Some(false)` for a `BUFFERED` one. `None` is the
/// embedded default's behaviours layout before its first switch, which
/// invokes the `live` alias with no URL in between (on AWS the provisioner
/// made that URL, and deploys set its mode to the build's): each answer is
/// then read as what it is. `Err` says why the answer is not one Lambda can
/// return.
pub(crate) fn to_response(
    answer: Answer,
    streaming_url: Option<bool>,
) -> Result<Response<EdgeBody>, String> {
    let streaming_url = streaming_url.unwrap_or(matches!(answer, Answer::Streamed { .. }));
    match (answer, streaming_url) {
        (Answer::Returned(result), false) => from_result(result),
        (Answer::Returned(result), true) => {
            let payload = match result {
                Value::Null => Bytes::new(),
                other => Bytes::from(other.to_string()),
            };
            Ok(plain(payload, "application/json"))
        }
        (Answer::Streamed { body, .. }, false) => Ok(plain(body, "application/json")),
        (Answer::Streamed { content_type, body }, true) if content_type == HTTP_INTEGRATION => {
            with_prelude(&body)
        }
        (Answer::Streamed { content_type, body }, true) => Ok(plain(body, &content_type)),
    }
}

/// A stream that opens with a prelude: its status, headers and cookies,
/// then the body after the eight NUL bytes.
fn with_prelude(stream: &Bytes) -> Result<Response<EdgeBody>, String> {
    let end = stream
        .windows(PRELUDE_END.len())
        .position(|w| w == PRELUDE_END)
        .ok_or("the stream's prelude is not ended by eight NUL bytes")?;
    let mut prelude: Value = serde_json::from_slice(&stream[..end])
        .map_err(|e| format!("the stream's prelude is not JSON: {e}"))?;
    let Some(fields) = prelude.as_object_mut() else {
        return Err("the stream's prelude is not a JSON object".into());
    };
    fields.remove("body");
    fields.remove("isBase64Encoded");
    fields
        .entry("statusCode")
        .or_insert_with(|| Value::from(200));
    let (parts, _) = from_result(prelude)?.into_parts();
    let body = stream.slice(end + PRELUDE_END.len()..);
    Ok(Response::from_parts(parts, full(body)))
}

fn plain(body: Bytes, content_type: &str) -> Response<EdgeBody> {
    let mut response = Response::new(full(body));
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use hyper::StatusCode;
    use serde_json::json;

    fn stream(prelude: &Value, body: &[u8]) -> Answer {
        let mut bytes = serde_json::to_vec(prelude).unwrap();
        bytes.extend_from_slice(&PRELUDE_END);
        bytes.extend_from_slice(body);
        Answer::Streamed {
            content_type: HTTP_INTEGRATION.into(),
            body: bytes.into(),
        }
    }

    async fn body_of(response: Response<EdgeBody>) -> Bytes {
        response.into_body().collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn a_streaming_url_reads_the_prelude_and_keeps_the_body_whole() {
        let prelude = json!({
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-app": "v2"},
            "cookies": ["a=1; Path=/", "b=2"],
        });
        // NUL bytes inside the body are body, not a second prelude end.
        let answer = stream(&prelude, b"chunk 0\n\0\0\0\0\0\0\0\0chunk 1\n");
        let response = to_response(answer, Some(true)).unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["x-app"], "v2");
        assert_eq!(response.headers()[CONTENT_TYPE], "text/plain");
        assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
        assert_eq!(
            &body_of(response).await[..],
            b"chunk 0\n\0\0\0\0\0\0\0\0chunk 1\n"
        );
    }

    #[tokio::test]
    async fn a_buffered_url_mangles_a_streamed_answer() {
        let prelude = json!({"statusCode": 404, "headers": {}});
        let response = to_response(stream(&prelude, b"gone"), Some(false)).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let body = body_of(response).await;
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.starts_with('{') && text.contains(r#""statusCode":404"#),
            "{text}"
        );
        assert!(body.ends_with(b"\0\0\0\0\0\0\0\0gone"));
    }

    #[tokio::test]
    async fn a_stream_without_a_prelude_is_a_200_of_its_own_type() {
        let answer = Answer::Streamed {
            content_type: "text/csv".into(),
            body: Bytes::from_static(b"a,b\n"),
        };
        let response = to_response(answer, Some(true)).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "text/csv");
        assert_eq!(&body_of(response).await[..], b"a,b\n");
    }

    #[tokio::test]
    async fn a_streaming_url_returns_a_buffered_result_as_json() {
        let result = json!({"statusCode": 302, "headers": {"location": "/x"}});
        let response = to_response(Answer::Returned(result.clone()), Some(true)).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_of(response).await, Bytes::from(result.to_string()));
        let buffered = to_response(Answer::Returned(result), Some(false)).unwrap();
        assert_eq!(buffered.status(), StatusCode::FOUND);
    }

    #[test]
    fn a_prelude_without_its_end_is_an_invalid_answer() {
        let answer = Answer::Streamed {
            content_type: HTTP_INTEGRATION.into(),
            body: Bytes::from_static(br#"{"statusCode":200}"#),
        };
        assert!(to_response(answer, Some(true)).unwrap_err().contains("NUL"));
    }
}
