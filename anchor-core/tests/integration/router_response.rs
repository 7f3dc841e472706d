//! The router's viewer-response function (issue 17), run under `node`
//! through `host.mjs` as CloudFront would run it: the visitor cookie that
//! makes a visitor's first request and every later one land on the same
//! side of a rollout's split, and the pin cookie that keeps an HTML page's
//! untagged requests on the deployment that served it.

use anchor_core::router::{
    LivePointer, RolloutSplit, RouterKeys, PIN_COOKIE, SERVED_HEADER, VISITOR_COOKIE,
    VISITOR_COOKIE_MAX_AGE_SECONDS,
};
use serde_json::{json, Value};

use crate::router_function::{deployment, event, served_by, shop_index, Host};

const DIST: &str = "E8RESPONSEDIST";

/// The viewer-response event for `request` (a viewer-request event) with a
/// response of `status`, `content_type` and, when given, the served
/// header.
fn response_event(request: &Value, status: u16, content_type: &str, served: Option<&str>) -> Value {
    let mut headers = json!({ "content-type": { "value": content_type } });
    if let Some(id) = served {
        headers[SERVED_HEADER] = json!({ "value": id });
    }
    let mut ev = request.clone();
    ev["context"]["eventType"] = json!("viewer-response");
    ev["response"] = json!({
        "statusCode": status,
        "statusDescription": "OK",
        "headers": headers,
        "cookies": {},
    });
    ev
}

fn with_cookie(mut ev: Value, name: &str, value: &str) -> Value {
    ev["request"]["cookies"][name] = json!({ "value": value });
    ev
}

fn respond(host: &mut Host, ev: Value) -> Value {
    host.run(ev).0
}

#[test]
fn a_visitor_without_the_cookie_gets_this_requests_id_as_their_visitor_id() {
    let mut host = Host::start();
    let request = event(DIST, "GET", "/", &[]);
    let id = request["context"]["requestId"].as_str().unwrap().to_owned();
    let out = respond(&mut host, response_event(&request, 200, "text/html", None));
    assert_eq!(out["cookies"][VISITOR_COOKIE]["value"], json!(id));
    let attributes = out["cookies"][VISITOR_COOKIE]["attributes"]
        .as_str()
        .unwrap();
    assert!(attributes.contains(&format!("Max-Age={VISITOR_COOKIE_MAX_AGE_SECONDS}")));
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax"] {
        assert!(attributes.contains(attribute), "{attributes}");
    }
    // A visitor who has one keeps it: nothing is set.
    let returning = with_cookie(request, VISITOR_COOKIE, "r01visitor");
    let out = respond(
        &mut host,
        response_event(&returning, 200, "text/html", None),
    );
    assert!(out["cookies"].get(VISITOR_COOKIE).is_none(), "{out}");
    assert_eq!(out["statusCode"], json!(200));
}

#[test]
fn an_html_page_sets_the_pin_cookie_to_its_servers_deployment_id() {
    let mut host = Host::start();
    let request = with_cookie(event(DIST, "GET", "/", &[]), VISITOR_COOKIE, "r01visitor");
    let out = respond(
        &mut host,
        response_event(&request, 200, "text/html; charset=utf-8", Some("build-v1")),
    );
    assert_eq!(out["cookies"][PIN_COOKIE]["value"], json!("build-v1"));
    let attributes = out["cookies"][PIN_COOKIE]["attributes"].as_str().unwrap();
    assert!(
        !attributes.contains("Max-Age"),
        "a session cookie: {attributes}"
    );
    assert!(
        out["headers"].get(SERVED_HEADER).is_none(),
        "the served header reaches the viewer: {out}"
    );
    // The same id again sets nothing; another id replaces it.
    let pinned = with_cookie(request.clone(), PIN_COOKIE, "build-v1");
    let out = respond(
        &mut host,
        response_event(&pinned, 200, "text/html", Some("build-v1")),
    );
    assert!(out["cookies"].get(PIN_COOKIE).is_none(), "{out}");
    let out = respond(
        &mut host,
        response_event(&pinned, 200, "text/html", Some("build-v2")),
    );
    assert_eq!(out["cookies"][PIN_COOKIE]["value"], json!("build-v2"));
}

#[test]
fn only_html_with_a_named_deployment_sets_the_pin_cookie() {
    let mut host = Host::start();
    let request = with_cookie(event(DIST, "GET", "/x", &[]), VISITOR_COOKIE, "r01visitor");
    // An RSC payload, JSON or a file: Next tags their requests itself.
    for kind in ["text/x-component", "application/json", "image/png"] {
        let out = respond(
            &mut host,
            response_event(&request, 200, kind, Some("build-v1")),
        );
        assert!(out["cookies"].get(PIN_COOKIE).is_none(), "{kind}: {out}");
        assert!(out["headers"].get(SERVED_HEADER).is_none(), "{kind}: {out}");
    }
    // HTML from a server without the guard (or a build without an id).
    let out = respond(&mut host, response_event(&request, 200, "text/html", None));
    assert!(out["cookies"].get(PIN_COOKIE).is_none(), "{out}");
    let out = respond(
        &mut host,
        response_event(&request, 200, "text/html", Some("")),
    );
    assert!(out["cookies"].get(PIN_COOKIE).is_none(), "{out}");
}

/// Acceptance 2 without hand-made cookies: a visitor's first request is
/// split on its request id, the response gives them that id as their
/// cookie, and their next requests land where the first did.
#[test]
fn a_first_request_and_the_ones_after_its_cookie_land_on_the_same_side() {
    let mut host = Host::start();
    let keys = RouterKeys::new(DIST).unwrap();
    let old = deployment("shop", "old", shop_index());
    let new = deployment("shop", "new", shop_index());
    host.put(&old.entries(&keys).unwrap());
    host.put(&new.entries(&keys).unwrap());
    let split = LivePointer::Split(RolloutSplit {
        live: old.deployment.clone(),
        candidate: new.deployment.clone(),
        weight: 5000,
        salt: "r01resp".into(),
    });
    host.put(&[split.entry(&keys).unwrap()]);
    let mut on_new = 0;
    for _ in 0..400 {
        let mut first = event(DIST, "GET", "/", &[]);
        first["context"]["requestId"] = json!(ulid::Ulid::new().to_string());
        let first_served = served_by(&host.run(first.clone()).0);
        let out = respond(&mut host, response_event(&first, 200, "text/html", None));
        let cookie = out["cookies"][VISITOR_COOKIE]["value"]
            .as_str()
            .unwrap()
            .to_owned();
        for uri in ["/about", "/api/hello", "/"] {
            let later = with_cookie(event(DIST, "GET", uri, &[]), VISITOR_COOKIE, &cookie);
            assert_eq!(
                served_by(&host.run(later).0),
                first_served,
                "visitor {cookie} flipped"
            );
        }
        if first_served == new.deployment.as_str() {
            on_new += 1;
        }
    }
    // Both sides get visitors (at 50 %, 400 visitors all on one side would
    // be a broken split, not chance).
    assert!(
        (100..=300).contains(&on_new),
        "{on_new} of 400 on the candidate"
    );
}

#[test]
fn a_response_function_answer_cloudfront_would_refuse_fails_the_function() {
    let mut host = Host::start();
    let request = event(DIST, "GET", "/", &[]);
    let mut ev = response_event(&request, 200, "text/html", None);
    ev["response"]["statusCode"] = json!(700);
    let answer = host.run_raw(ev);
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or("")
            .contains("statusCode"),
        "{answer}"
    );
}
