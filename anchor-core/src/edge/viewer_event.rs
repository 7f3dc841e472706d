//! CloudFront Functions' viewer-request event, built from the viewer's
//! request, and what the function returns applied back: a request whose
//! headers and cookies replace the viewer's, or a response CloudFront sends
//! as it is.

use std::net::SocketAddr;

use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, COOKIE};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};

use super::response::{full, EdgeBody};

/// The event CloudFront gives a viewer-request function for this request.
pub(crate) fn to_viewer_event(
    parts: &Parts,
    client: SocketAddr,
    distribution_id: &str,
    distribution_domain: &str,
) -> Value {
    let mut headers = Map::new();
    let mut cookies = Map::new();
    for (name, value) in &parts.headers {
        let Ok(value) = value.to_str() else { continue };
        if name == COOKIE {
            for pair in value.split(';').map(str::trim).filter(|c| !c.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                cookies.insert(k.to_string(), json!({"value": v}));
            }
            continue;
        }
        add_value(&mut headers, name.as_str(), value);
    }
    let mut querystring = Map::new();
    for pair in parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        add_value(&mut querystring, k, v);
    }
    json!({
        "version": "1.0",
        "context": {
            "distributionDomainName": distribution_domain,
            "distributionId": distribution_id,
            "eventType": "viewer-request",
            "requestId": ulid::Ulid::new().to_string(),
        },
        "viewer": {"ip": client.ip().to_string()},
        "request": {
            "method": parts.method.as_str(),
            "uri": parts.uri.path(),
            "querystring": querystring,
            "headers": headers,
            "cookies": cookies,
        },
    })
}

/// `{value}`, or `{value, multiValue: [...]}` once a name repeats.
fn add_value(map: &mut Map<String, Value>, name: &str, value: &str) {
    match map.get_mut(name) {
        Some(existing) => {
            let first = existing["value"].clone();
            let many = existing.as_object_mut().map(|o| {
                o.entry("multiValue")
                    .or_insert_with(|| json!([{"value": first}]))
            });
            if let Some(Value::Array(items)) = many {
                items.push(json!({"value": value}));
            }
        }
        None => {
            map.insert(name.to_string(), json!({"value": value}));
        }
    }
}

/// Whether the function answered with a response instead of a request.
pub(crate) fn is_response(result: &Value) -> bool {
    result.get("statusCode").is_some()
}

/// Replaces the viewer's headers, cookies, URI and query string with the
/// returned request's.
pub(crate) fn apply_request(parts: &mut Parts, result: &Value) -> Result<(), String> {
    let mut headers = hyper::HeaderMap::new();
    for (name, value) in result["headers"].as_object().into_iter().flatten() {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            format!("the function returned a header name {name:?} that is not valid")
        })?;
        for value in values(value) {
            let value = HeaderValue::from_str(&value)
                .map_err(|_| format!("the function returned a bad value for header {name}"))?;
            headers.append(name.clone(), value);
        }
    }
    let cookies = pairs(&result["cookies"]);
    if !cookies.is_empty() {
        let joined = HeaderValue::from_str(&cookies.join("; "))
            .map_err(|_| "the function returned a cookie that is not valid".to_string())?;
        headers.insert(COOKIE, joined);
    }
    parts.headers = headers;
    let query = pairs(&result["querystring"]);
    let path = result["uri"].as_str().unwrap_or_else(|| parts.uri.path());
    let uri = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    };
    parts.uri = uri
        .parse()
        .map_err(|_| format!("the function returned a URI that is not valid: {uri:?}"))?;
    Ok(())
}

/// `name=value` for every value of every field of a cookies or query
/// string object, in order.
fn pairs(fields: &Value) -> Vec<String> {
    fields
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(name, value)| {
            values(value)
                .into_iter()
                .map(move |v| format!("{name}={v}"))
        })
        .collect()
}

fn values(value: &Value) -> Vec<String> {
    match value.get("multiValue").and_then(Value::as_array) {
        Some(items) => items
            .iter()
            .filter_map(|i| i["value"].as_str().map(str::to_string))
            .collect(),
        None => value["value"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect(),
    }
}

/// The response the function answered with, as CloudFront sends it.
pub(crate) fn to_response(result: &Value) -> Response<EdgeBody> {
    let status = result["statusCode"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let body = match &result["body"] {
        Value::String(text) => text.clone(),
        Value::Object(o) => o
            .get("data")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    };
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    for (name, value) in result["headers"].as_object().into_iter().flatten() {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        for value in values(value) {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name.clone(), value);
            }
        }
    }
    if !response.headers().contains_key(CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = hyper::Request::builder().uri("/a/b?x=1&x=2&y");
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn events_carry_headers_cookies_and_query_strings_as_cloudfront_shapes_them() {
        let p = parts(&[
            ("host", "h"),
            ("accept", "a"),
            ("accept", "b"),
            ("cookie", "s=1; t=2"),
        ]);
        let event = to_viewer_event(&p, "1.2.3.4:5".parse().unwrap(), "local-web", "d.example");
        let r = &event["request"];
        assert_eq!(r["uri"], "/a/b");
        assert_eq!(r["headers"]["host"]["value"], "h");
        assert_eq!(r["headers"]["accept"]["multiValue"][1]["value"], "b");
        assert!(r["headers"].get("cookie").is_none());
        assert_eq!(r["cookies"]["t"]["value"], "2");
        assert_eq!(r["querystring"]["x"]["multiValue"][1]["value"], "2");
        assert_eq!(r["querystring"]["y"]["value"], "");
        assert_eq!(event["context"]["distributionId"], "local-web");
        assert_eq!(event["viewer"]["ip"], "1.2.3.4");
    }

    #[test]
    fn a_returned_request_replaces_the_headers_and_cookies() {
        let mut p = parts(&[("host", "h"), ("x-forwarded-host", "evil")]);
        let result = json!({
            "uri": "/a/b",
            "querystring": {"url": {"value": "%2Fd%2Fx.png"}, "w": {"value": "64"}},
            "headers": {"host": {"value": "h"}, "x-forwarded-host": {"value": "h"}},
            "cookies": {"s": {"value": "1"}},
        });
        apply_request(&mut p, &result).unwrap();
        assert_eq!(p.headers["x-forwarded-host"], "h");
        assert_eq!(p.headers[COOKIE], "s=1");
        assert_eq!(p.uri.to_string(), "/a/b?url=%2Fd%2Fx.png&w=64");
        let response = to_response(&json!({"statusCode": 503, "body": "no"}));
        assert_eq!(response.status(), 503);
        assert!(is_response(&json!({"statusCode": 503})));
    }
}
