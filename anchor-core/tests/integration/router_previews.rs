//! Every deployment at its own address (issue 17, previews), run under
//! `node` through `host.mjs` as CloudFront would run the router: by the
//! preview header or query parameter on any host, by `v<N>.<suffix>` on a
//! wildcard domain, 404 for a version that never was and 410 once pruned.

use anchor_core::router::{
    live_entry, preview_entry, preview_gone_entry, preview_suffix_entry, preview_suffixes_entry,
    RouterKeys, PREVIEW_HEADER, PREVIEW_QUERY,
};
use serde_json::{json, Value};

use crate::router_function::{deployment, event, served_by, shop_index, Deployed, Host};

const DIST: &str = "E8PREVIEWDIST1";

/// v1 (live) and v2 (not promoted), each with its preview entry, and the
/// wildcard suffix `preview.example.com`.
fn site() -> (Host, RouterKeys, Deployed, Deployed) {
    let mut host = Host::start();
    let keys = RouterKeys::new(DIST).unwrap();
    let v1 = deployment("shop", "v1", shop_index());
    let v2 = deployment("shop", "v2", shop_index());
    for (version, d) in [(1, &v1), (2, &v2)] {
        let mut entries = d.entries(&keys).unwrap();
        entries.push(preview_entry(&keys, version, &d.deployment).unwrap());
        host.put(&entries);
    }
    host.put(&[
        live_entry(&keys, &v1.deployment).unwrap(),
        preview_suffix_entry(&keys, "preview.example.com").unwrap(),
    ]);
    (host, keys, v1, v2)
}

fn on_host(host_name: &str, uri: &str) -> Value {
    let mut ev = event(DIST, "GET", uri, &[]);
    ev["request"]["headers"]["host"] = json!({ "value": host_name });
    ev
}

#[test]
fn an_unpromoted_deployment_is_served_at_its_own_host_and_the_live_one_elsewhere() {
    let (mut host, _, v1, v2) = site();
    let (result, _) = host.run(on_host("v2.preview.example.com", "/about"));
    assert_eq!(served_by(&result), v2.deployment.as_str());
    let (result, _) = host.run(on_host("v1.preview.example.com", "/about"));
    assert_eq!(served_by(&result), v1.deployment.as_str());
    let (result, _) = host.run(on_host("shop.example.com", "/about"));
    assert_eq!(served_by(&result), v1.deployment.as_str());
    // A v<N> label under any other suffix is an ordinary host.
    let (result, _) = host.run(on_host("v2.example.com", "/about"));
    assert_eq!(served_by(&result), v1.deployment.as_str());
}

#[test]
fn every_suffix_of_the_list_gives_previews_their_own_hosts() {
    let (mut host, keys, v1, v2) = site();
    let suffixes = [
        "localhost".to_string(),
        "preview.example.com".to_string(),
        "qa.example.com".to_string(),
    ];
    host.put(&[preview_suffixes_entry(&keys, &suffixes).unwrap()]);
    for name in [
        "v2.localhost:8080",
        "v2.preview.example.com",
        "v2.qa.example.com",
    ] {
        let (result, _) = host.run(on_host(name, "/about"));
        assert_eq!(served_by(&result), v2.deployment.as_str(), "{name}");
    }
    // Only a whole suffix counts: no prefix or part of one.
    for name in [
        "v2.example.com",
        "v2.a.qa.example.com",
        "v2.ost",
        "v2.preview.example.co",
    ] {
        let (result, _) = host.run(on_host(name, "/about"));
        assert_eq!(served_by(&result), v1.deployment.as_str(), "{name}");
    }
}

#[test]
fn the_header_and_the_query_parameter_select_a_preview_on_any_host() {
    let (mut host, _, _, v2) = site();
    let (result, _) = host.run(event(DIST, "GET", "/about", &[(PREVIEW_HEADER, "v2")]));
    assert_eq!(served_by(&result), v2.deployment.as_str());
    assert!(
        result["headers"].get(PREVIEW_HEADER).is_none(),
        "the preview header went on to the origin"
    );

    let mut ev = event(DIST, "GET", "/about", &[]);
    ev["request"]["querystring"] =
        json!({ PREVIEW_QUERY: {"value": "v2"}, "page": {"value": "3"} });
    let (result, _) = host.run(ev);
    assert_eq!(served_by(&result), v2.deployment.as_str());
    assert_eq!(
        result["querystring"],
        json!({"page": {"value": "3"}}),
        "the preview parameter went on to the origin"
    );
}

#[test]
fn a_version_that_never_was_is_404_a_pruned_one_410_and_a_bad_name_400() {
    let (mut host, keys, _, _) = site();
    let (result, origin) = host.run(on_host("v9.preview.example.com", "/"));
    assert_eq!(result["statusCode"], 404, "{result}");
    assert!(origin.is_null());

    host.put(&[preview_gone_entry(&keys, 2).unwrap()]);
    let (result, _) = host.run(on_host("v2.preview.example.com", "/"));
    assert_eq!(result["statusCode"], 410, "{result}");
    let (result, _) = host.run(event(DIST, "GET", "/", &[(PREVIEW_HEADER, "v2")]));
    assert_eq!(result["statusCode"], 410, "{result}");

    let (result, _) = host.run(event(DIST, "GET", "/", &[(PREVIEW_HEADER, "latest")]));
    assert_eq!(result["statusCode"], 400, "{result}");
}

#[test]
fn promoting_a_preview_changes_only_the_live_pointer() {
    let (mut host, keys, v1, v2) = site();
    host.put(&[live_entry(&keys, &v2.deployment).unwrap()]);
    let (result, _) = host.run(on_host("shop.example.com", "/about"));
    assert_eq!(served_by(&result), v2.deployment.as_str());
    // The old live one is still at its own address.
    let (result, _) = host.run(on_host("v1.preview.example.com", "/about"));
    assert_eq!(served_by(&result), v1.deployment.as_str());
}

#[tokio::test]
async fn a_preview_address_names_its_host_header_and_url_and_refuses_unknown_versions() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = crate::common::build_copy(builds.path(), "v1");
    let anchor = anchor_core::Anchor::local(dir.path()).await.unwrap();
    let project = anchor.create_project("previews").await.unwrap();
    anchor.deployer("previews", &v1).execute().await.unwrap();
    let preview = anchor
        .deployer("previews", &v1)
        .promote(false)
        .execute()
        .await
        .unwrap();
    let address = anchor.preview_address("previews", 2).await.unwrap();
    assert_eq!(address.deployment, preview.id);
    assert_eq!(address.host.as_deref(), Some("v2.localhost"));
    assert_eq!(
        (address.header_name.as_str(), address.header_value.as_str()),
        ("x-anchor-preview", "v2")
    );
    assert_eq!(
        address.url,
        format!(
            "https://{}/?__anchor_preview=v2",
            project.infrastructure.distribution_domain
        )
    );
    let err = anchor.preview_address("previews", 7).await.unwrap_err();
    assert!(
        matches!(&err, anchor_core::Error::NotFound { id, .. } if id == "v7"),
        "{err:?}"
    );
}
