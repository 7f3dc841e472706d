//! Skew protection in the generated router (issue 17), run under `node`
//! through `host.mjs` as CloudFront would run it: a page of an older
//! deployment keeps reaching it by Next's `deploymentId` signals within its
//! window, and after the window its assets are 404 and the rest goes live.

use anchor_core::router::{
    live_entry, pin_entry, window_end_entry, Pin, RouterKeys, PIN_COOKIE, PIN_HEADER, PIN_QUERY,
};
use serde_json::{json, Value};

use crate::router_function::{deployment, event, served_by, shop_index, Deployed, Host};

const DIST: &str = "E9SKEWDIST0001";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// v1 (build id `build-v1`, left live with its window ending at `v1_end`)
/// and v2 (`build-v2`, live: window end 0).
fn site(v1_end: i64) -> (Host, Deployed, Deployed) {
    let mut host = Host::start();
    let keys = RouterKeys::new(DIST).unwrap();
    let v1 = deployment("shop", "v1", shop_index());
    let v2 = deployment("shop", "v2", shop_index());
    host.put(&v1.entries(&keys).unwrap());
    host.put(&v2.entries(&keys).unwrap());
    let pin = |d: &Deployed| Pin {
        deployment: d.deployment.clone(),
    };
    host.put(&[
        pin_entry(&keys, "build-v1", &pin(&v1)).unwrap(),
        pin_entry(&keys, "build-v2", &pin(&v2)).unwrap(),
        window_end_entry(&keys, &v1.deployment, Some(v1_end)).unwrap(),
        window_end_entry(&keys, &v2.deployment, None).unwrap(),
        live_entry(&keys, &v2.deployment).unwrap(),
    ]);
    (host, v1, v2)
}

fn with_query(uri: &str, name: &str, value: &str) -> Value {
    let mut ev = event(DIST, "GET", uri, &[]);
    ev["request"]["querystring"] = json!({ name: { "value": value } });
    ev
}

fn with_cookie(uri: &str, name: &str, value: &str) -> Value {
    let mut ev = event(DIST, "GET", uri, &[]);
    ev["request"]["cookies"] = json!({ name: { "value": value } });
    ev
}

#[test]
fn within_the_window_an_old_pages_requests_reach_its_own_deployment() {
    let (mut host, v1, v2) = site(now() + 3600);
    // RSC navigation and Server Action requests carry the header.
    let (rsc, _) = host.run(event(
        DIST,
        "GET",
        "/about",
        &[(PIN_HEADER, "build-v1"), ("rsc", "1")],
    ));
    assert_eq!(served_by(&rsc), v1.deployment.as_str());
    let (action, _) = host.run(event(
        DIST,
        "POST",
        "/form",
        &[(PIN_HEADER, "build-v1"), ("next-action", "abc")],
    ));
    assert_eq!(served_by(&action), v1.deployment.as_str());
    // Assets carry the query parameter; the page's other requests (a fetch
    // to a route handler, a public file) the cookie.
    let (asset, _) = host.run(with_query("/images/anchor.png", PIN_QUERY, "build-v1"));
    assert_eq!(served_by(&asset), v1.deployment.as_str());
    let (fetched, _) = host.run(with_cookie("/api/hello", PIN_COOKIE, "build-v1"));
    assert_eq!(served_by(&fetched), v1.deployment.as_str());
    // A navigation loads a fresh page: the cookie does not hold it back.
    let mut navigation = with_cookie("/", PIN_COOKIE, "build-v1");
    navigation["request"]["headers"]["sec-fetch-mode"] = json!({"value": "navigate"});
    let (page, _) = host.run(navigation);
    assert_eq!(served_by(&page), v2.deployment.as_str());
    // A fresh load names nothing and gets the live deployment.
    let (fresh, _) = host.run(event(DIST, "GET", "/", &[]));
    assert_eq!(served_by(&fresh), v2.deployment.as_str());
}

#[test]
fn after_the_window_assets_are_404_and_everything_else_goes_live() {
    let (mut host, _, v2) = site(now() - 1);
    let (asset, origin) = host.run(with_query("/images/anchor.png", PIN_QUERY, "build-v1"));
    assert_eq!(asset["statusCode"], 404, "{asset}");
    assert!(origin.is_null());
    let (rsc, _) = host.run(event(DIST, "GET", "/about", &[(PIN_HEADER, "build-v1")]));
    assert_eq!(served_by(&rsc), v2.deployment.as_str());
    let (page, _) = host.run(with_cookie("/", PIN_COOKIE, "build-v1"));
    assert_eq!(served_by(&page), v2.deployment.as_str());
}

#[test]
fn an_unknown_build_id_is_served_live_even_for_assets() {
    // A deployment made before pins were written has none: its assets must
    // not turn into 404s.
    let (mut host, _, v2) = site(now() + 3600);
    let (asset, _) = host.run(with_query("/images/anchor.png", PIN_QUERY, "build-v0"));
    assert_eq!(served_by(&asset), v2.deployment.as_str());
    let (bad, _) = host.run(event(DIST, "GET", "/", &[(PIN_HEADER, "../../live")]));
    assert_eq!(served_by(&bad), v2.deployment.as_str());
}

#[test]
fn a_deployment_that_never_left_live_has_no_end() {
    // A preview never promoted has no window entry: its pages stay on it.
    let (mut host, _, _) = site(now() - 1);
    let keys = RouterKeys::new(DIST).unwrap();
    let v3 = deployment("shop", "v3", shop_index());
    host.put(&v3.entries(&keys).unwrap());
    host.put(&[pin_entry(
        &keys,
        "build-v3",
        &Pin {
            deployment: v3.deployment.clone(),
        },
    )
    .unwrap()]);
    let (asset, _) = host.run(with_query("/images/anchor.png", PIN_QUERY, "build-v3"));
    assert_eq!(served_by(&asset), v3.deployment.as_str());
}
