//! Function URL payloads: an HTTP request as an API Gateway v2 (payload
//! format 2.0) event, and a handler's result as an HTTP response, with the
//! rules Lambda Function URLs apply.

use std::net::SocketAddr;

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{
    HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, SET_COOKIE, TRANSFER_ENCODING,
};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};

use super::response::{full, EdgeBody};

/// Builds the event a Function URL at `host` sends for this request (as
/// CloudFront forwarded it).
pub(crate) fn to_event(parts: &Parts, body: &Bytes, client: SocketAddr, host: &str) -> Value {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &parts.headers {
        let Ok(value) = value.to_str() else { continue };
        if name == COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::String(c.to_string())),
            );
            continue;
        }
        match headers.get_mut(name.as_str()) {
            // Repeated headers are joined with commas, as API Gateway does.
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(value);
            }
            _ => {
                headers.insert(name.as_str().to_string(), Value::String(value.into()));
            }
        }
    }
    // A Function URL sets these itself, for the hop that reached it: CloudFront
    // calls it over HTTPS. It adds no `x-forwarded-host`: only what the
    // caller sent (through CloudFront, the viewer's own header) arrives.
    headers.insert("x-forwarded-proto".into(), Value::String("https".into()));
    headers.insert("x-forwarded-port".into(), Value::String("443".into()));
    headers
        .entry("x-forwarded-for")
        .or_insert_with(|| Value::String(client.ip().to_string()));

    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let now = chrono::Utc::now();
    let (body_value, is_base64) = encode_body(body, parts.headers.get(CONTENT_TYPE));
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "anchor-edge",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or(host),
            "http": {
                "method": parts.method.as_str(),
                "path": path,
                "protocol": format!("{:?}", parts.version),
                "sourceIp": client.ip().to_string(),
                "userAgent": parts.headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or(""),
            },
            "requestId": ulid::Ulid::new().to_string(),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64,
    });
    if !query.is_empty() {
        event["queryStringParameters"] = query_parameters(&query);
    }
    if !cookies.is_empty() {
        event["cookies"] = Value::Array(cookies);
    }
    if let Some(body) = body_value {
        event["body"] = Value::String(body);
    }
    event
}

/// Text bodies travel as they are, anything else in base64, as Function
/// URLs send them.
fn encode_body(body: &Bytes, content_type: Option<&HeaderValue>) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    let textual = content_type
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            let t = t.to_ascii_lowercase();
            t.starts_with("text/")
                || t.contains("json")
                || t.contains("xml")
                || t.contains("javascript")
                || t.starts_with("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    match std::str::from_utf8(body) {
        Ok(text) if textual => (Some(text.to_string()), false),
        _ => (
            Some(base64::engine::general_purpose::STANDARD.encode(body)),
            true,
        ),
    }
}

/// `a=1&b=2&a=3` as API Gateway gives it: repeated keys joined by commas,
/// values percent-decoded.
fn query_parameters(query: &str) -> Value {
    let mut params = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key, true), percent_decode(value, true));
        match params.get_mut(&key) {
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => {
                params.insert(key, Value::String(value));
            }
        }
    }
    Value::Object(params)
}

/// Decodes `%XX` escapes (and `+` as a space in query strings); a `%`
/// not followed by two hex digits stays as it is.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i] {
            b'%' if i + 2 < bytes.len() => hex(bytes[i + 1]).zip(hex(bytes[i + 2])),
            _ => None,
        };
        match (bytes[i], decoded) {
            (_, Some((high, low))) => {
                out.push(high << 4 | low);
                i += 3;
            }
            (b'+', None) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Turns a handler's result into a response. As with Function URLs, a
/// result without `statusCode` is itself the JSON body of a 200; one with
/// it gives the status, `headers`, `cookies` (as `Set-Cookie`) and `body`
/// (base64-decoded when `isBase64Encoded`).
pub(crate) fn from_result(result: Value) -> Result<Response<EdgeBody>, String> {
    let Some(status) = result.get("statusCode") else {
        let body = match &result {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let mut response = Response::new(full(body));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return Ok(response);
    };
    let status = status
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| format!("statusCode {status} is not an HTTP status"))?;
    let body = match result.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text)) if result["isBase64Encoded"] == Value::Bool(true) => {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| format!("body is not valid base64: {e}"))?
                .into()
        }
        Some(Value::String(text)) => Bytes::from(text.clone()),
        Some(other) => Bytes::from(other.to_string()),
    };
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Some(Value::Object(map)) = result.get("headers") {
        for (name, value) in map {
            let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
                return Err(format!("header name {name:?} is not valid"));
            };
            if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
                // Lambda frames the body it returns itself (a streamed one
                // is sent chunked), whatever length the function claims:
                // OpenNext's streaming wrapper names the uncompressed
                // length of a body it then compresses.
                continue;
            }
            for value in header_values(value) {
                let value = HeaderValue::from_str(&value)
                    .map_err(|_| format!("header {name} has a value that is not valid"))?;
                headers.append(name.clone(), value);
            }
        }
    }
    if let Some(Value::Array(cookies)) = result.get("cookies") {
        for cookie in cookies.iter().filter_map(Value::as_str) {
            let value = HeaderValue::from_str(cookie)
                .map_err(|_| "a cookie is not a valid header value".to_string())?;
            headers.append(SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// A header's values: one string, or each string of an array (as some
/// handlers send multi-valued headers).
fn header_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(plain_string).collect(),
        other => vec![plain_string(other)],
    }
}

fn plain_string(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_and_join_like_api_gateway() {
        let params = query_parameters("url=%2F_next%2Fstatic%2Fa.png&w=64&w=128&q=75&flag&s=a+b");
        assert_eq!(params["url"], "/_next/static/a.png");
        assert_eq!(params["w"], "64,128");
        assert_eq!(params["flag"], "");
        assert_eq!(params["s"], "a b");
        assert_eq!(query_parameters("bad=%zz%4")["bad"], "%zz%4");
        assert_eq!(query_parameters("t=%e2%82%ac%")["t"], "€%");
    }

    #[test]
    fn results_without_a_status_are_json_bodies() {
        let response = from_result(json!({"message": "hi"})).unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn the_body_sets_its_own_length_whatever_the_function_claims() {
        let result = json!({
            "statusCode": 200,
            "headers": {"content-length": "5638", "transfer-encoding": "chunked", "x-a": "1"},
            "body": "short",
        });
        let response = from_result(result).unwrap();
        assert!(response.headers().get(CONTENT_LENGTH).is_none());
        assert!(response.headers().get(TRANSFER_ENCODING).is_none());
        assert_eq!(response.headers()["x-a"], "1");
    }

    #[test]
    fn results_carry_status_headers_cookies_and_base64_bodies() {
        let response = from_result(json!({
            "statusCode": 201,
            "headers": {"x-one": "1", "x-many": ["a", "b"]},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": "aGk=",
            "isBase64Encoded": true,
        }))
        .unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["x-one"], "1");
        assert_eq!(response.headers().get_all("x-many").iter().count(), 2);
        assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 2);
        assert!(from_result(json!({"statusCode": 99})).is_err());
        assert!(
            from_result(json!({"statusCode": 200, "body": "%%", "isBase64Encoded": true})).is_err()
        );
    }
}
