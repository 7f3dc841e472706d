//! CloudFront Functions' viewer-response event, built from the viewer's
//! request (as the viewer sent it) and the answer about to go back, and
//! what the function returns applied to that answer: its status, its
//! headers and its cookies. The body is not the function's to see.

use hyper::header::{HeaderName, HeaderValue, SET_COOKIE};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::response::EdgeBody;

/// Headers a viewer-response function neither sees nor changes: they
/// describe the connection and the body, which CloudFront keeps.
const KEPT: &[&str] = &[
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "trailer",
];

/// Whether CloudFront runs a viewer-response function on an answer of
/// `status`: not on errors of 400 and above, as CloudFront documents for
/// viewer-response triggers, so the local edge sets no cookie there either.
pub(crate) fn runs_on(status: StatusCode) -> bool {
    status.as_u16() < 400
}

/// The viewer-response event for `response`, from the viewer-request event
/// of the same request (same context, same request id, the viewer's own
/// request).
pub(crate) fn to_response_event(request_event: &Value, response: &Response<EdgeBody>) -> Value {
    let mut headers = Map::new();
    let mut cookies = Map::new();
    for (name, value) in response.headers() {
        let Ok(value) = value.to_str() else { continue };
        if name == SET_COOKIE {
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            add(
                &mut cookies,
                k.trim(),
                json!({"value": v.trim(), "attributes": attributes.trim()}),
            );
            continue;
        }
        if KEPT.contains(&name.as_str()) {
            continue;
        }
        add(&mut headers, name.as_str(), json!({ "value": value }));
    }
    let mut event = request_event.clone();
    event["context"]["eventType"] = json!("viewer-response");
    event["response"] = json!({
        "statusCode": response.status().as_u16(),
        "statusDescription": response.status().canonical_reason().unwrap_or(""),
        "headers": headers,
        "cookies": cookies,
    });
    event
}

/// `field`, or a `multiValue` list once `name` repeats.
fn add(map: &mut Map<String, Value>, name: &str, field: Value) {
    match map.get_mut(name) {
        Some(existing) => {
            let first = existing.clone();
            let list = existing
                .as_object_mut()
                .map(|o| o.entry("multiValue").or_insert_with(|| json!([first])));
            if let Some(Value::Array(items)) = list {
                items.push(field);
            }
        }
        None => {
            map.insert(name.to_string(), field);
        }
    }
}

/// Every `{value, attributes?}` of a field, its `multiValue` list if any.
fn fields(field: &Value) -> Vec<&Value> {
    match field.get("multiValue").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![field],
    }
}

/// Gives `response` the status, headers and cookies the function returned.
/// The connection and body headers stay as they were.
pub(crate) fn apply_response(
    response: &mut Response<EdgeBody>,
    result: &Value,
) -> Result<(), String> {
    let status = result["statusCode"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| {
            format!(
                "the function returned a bad statusCode {}",
                result["statusCode"]
            )
        })?;
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers() {
        if KEPT.contains(&name.as_str()) {
            headers.append(name.clone(), value.clone());
        }
    }
    for (name, field) in result["headers"].as_object().into_iter().flatten() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            format!("the function returned a header name {name:?} that is not valid")
        })?;
        if KEPT.contains(&name.as_str()) || name == SET_COOKIE {
            continue;
        }
        for field in fields(field) {
            let value = field["value"]
                .as_str()
                .and_then(|v| HeaderValue::from_str(v).ok());
            let value = value
                .ok_or_else(|| format!("the function returned a bad value for header {name}"))?;
            headers.append(name.clone(), value);
        }
    }
    for (name, field) in result["cookies"].as_object().into_iter().flatten() {
        for field in fields(field) {
            let value = field["value"].as_str().unwrap_or("");
            let cookie = match field["attributes"].as_str().filter(|a| !a.is_empty()) {
                Some(attributes) => format!("{name}={value}; {attributes}"),
                None => format!("{name}={value}"),
            };
            let cookie = HeaderValue::from_str(&cookie).map_err(|_| {
                format!("the function returned a cookie {name:?} that is not valid")
            })?;
            headers.append(SET_COOKIE, cookie);
        }
    }
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::response::full;

    fn answer(headers: &[(&str, &str)]) -> Response<EdgeBody> {
        let mut b = Response::builder().status(200);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(full("x")).unwrap()
    }

    #[test]
    fn cookies_become_the_events_cookies_and_come_back_as_set_cookie() {
        let request =
            json!({"context": {"eventType": "viewer-request", "requestId": "r1"}, "request": {}});
        let response = answer(&[
            ("content-type", "text/html"),
            ("content-length", "1"),
            ("set-cookie", "a=1; Path=/"),
            ("set-cookie", "a=2"),
            ("x-anchor-deployment-id", "build-v1"),
        ]);
        let event = to_response_event(&request, &response);
        assert_eq!(event["context"]["eventType"], "viewer-response");
        assert_eq!(event["context"]["requestId"], "r1");
        assert_eq!(
            event["response"]["cookies"]["a"]["multiValue"][1]["value"],
            "2"
        );
        assert!(event["response"]["headers"].get("content-length").is_none());
        assert!(event["response"]["headers"].get("set-cookie").is_none());

        let mut result = event["response"].clone();
        result["headers"]
            .as_object_mut()
            .unwrap()
            .remove("x-anchor-deployment-id");
        result["cookies"]["b"] = json!({"value": "3", "attributes": "Path=/; HttpOnly"});
        let mut response = response;
        apply_response(&mut response, &result).unwrap();
        let cookies: Vec<&str> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(cookies, ["a=1; Path=/", "a=2", "b=3; Path=/; HttpOnly"]);
        assert!(response.headers().get("x-anchor-deployment-id").is_none());
        assert_eq!(response.headers()["content-length"], "1");
        assert_eq!(response.headers()["content-type"], "text/html");
    }

    #[test]
    fn errors_get_no_viewer_response_function() {
        assert!(runs_on(StatusCode::OK) && runs_on(StatusCode::FOUND));
        assert!(runs_on(StatusCode::NOT_MODIFIED));
        assert!(!runs_on(StatusCode::NOT_FOUND) && !runs_on(StatusCode::BAD_GATEWAY));
    }
}
