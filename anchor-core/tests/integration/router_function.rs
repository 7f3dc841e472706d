//! Runs the generated viewer-request function under `node` through
//! `host.mjs`, with an in-memory KeyValueStore, on requests of every kind:
//! the code that is tested is byte for byte the code CloudFront would get.
//!
//! Needs Node.js: `$ANCHOR_NODE`, else `node` on the PATH.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anchor_core::model::{DeploymentId, OriginSecret, ORIGIN_SECRET_HEADER};
use anchor_core::router::{
    live_entry, secret_entry, DeploymentRoute, KvsEntry, PublicIndex, RouterCode, RouterKeys,
    RouterOptions, CACHE_KEY_HEADER, HOST_SCRIPT, MAX_FUNCTION_BYTES,
};
use serde_json::{json, Map, Value};

const SHOP: &str = "E1SHOPDIST0001";
const BLOG: &str = "E2BLOGDIST0002";
const HOST: &str = "shop.example.com";

/// A running `node host.mjs` with the generated code (the router and the
/// viewer-response function) loaded.
pub(crate) struct Host {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    _dir: tempfile::TempDir,
}

impl Host {
    pub(crate) fn start() -> Self {
        let code = RouterCode::generate(&RouterOptions::default()).unwrap();
        let response = RouterCode::generate_viewer_response().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("host.mjs");
        let file = dir.path().join("viewer_request.js");
        let response_file = dir.path().join("viewer_response.js");
        std::fs::write(&host, HOST_SCRIPT).unwrap();
        std::fs::write(&file, code.code()).unwrap();
        std::fs::write(&response_file, response.code()).unwrap();
        let node = anchor_testing::node::node_program();
        let mut child = Command::new(&node)
            .arg(&host)
            .arg("--code")
            .arg(&file)
            .arg("--response-code")
            .arg(&response_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {node:?} (set ANCHOR_NODE): {e}"));
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            stdin,
            stdout,
            next_id: 0,
            _dir: dir,
        }
    }

    /// Sends one message and returns the host's answer, error or not.
    fn answer(&mut self, mut message: Value) -> Value {
        self.next_id += 1;
        message["id"] = json!(self.next_id);
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
        assert_eq!(answer["id"], json!(self.next_id));
        answer
    }

    /// Sends one message that must succeed.
    fn call(&mut self, message: Value) -> Value {
        let answer = self.answer(message);
        assert!(
            answer.get("error").is_none(),
            "host error: {}",
            answer["error"]
        );
        answer
    }

    /// Sends one message that must fail; returns the host's reason.
    fn refused(&mut self, message: Value) -> String {
        let answer = self.answer(message);
        match answer["error"].as_str() {
            Some(reason) => reason.to_owned(),
            None => panic!("expected an error, got {answer}"),
        }
    }

    pub(crate) fn put(&mut self, entries: &[KvsEntry]) {
        let map: Map<String, Value> = entries
            .iter()
            .map(|e| (e.key.clone(), json!(e.value)))
            .collect();
        self.call(json!({"op": "put", "entries": map}));
    }

    fn delete(&mut self, key: &str) {
        self.call(json!({"op": "delete", "keys": [key]}));
    }

    /// Runs one request; returns what the handler returned and the origin
    /// it chose (null when it made no `updateRequestOrigin` call).
    pub(crate) fn run(&mut self, event: Value) -> (Value, Value) {
        let answer = self.call(json!({"op": "run", "event": event}));
        (answer["result"].clone(), answer["origin"].clone())
    }

    /// Runs one event and returns the host's whole answer, error or not.
    pub(crate) fn run_raw(&mut self, event: Value) -> Value {
        self.answer(json!({"op": "run", "event": event}))
    }

    fn request(&mut self, dist: &str, uri: &str, headers: &[(&str, &str)]) -> (Value, Value) {
        self.run(event(dist, "GET", uri, headers))
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A viewer-request event as CloudFront sends it to a runtime 2.0 function.
pub(crate) fn event(dist: &str, method: &str, uri: &str, headers: &[(&str, &str)]) -> Value {
    let mut map = Map::new();
    map.insert("host".into(), json!({"value": HOST}));
    for (name, value) in headers {
        map.insert((*name).into(), json!({ "value": value }));
    }
    json!({
        "version": "1.0",
        "context": {
            "distributionDomainName": "d111111abcdef8.cloudfront.net",
            "distributionId": dist,
            "eventType": "viewer-request",
            "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="
        },
        "viewer": {"ip": "198.51.100.11"},
        "request": {
            "method": method,
            "uri": uri,
            "querystring": {},
            "headers": map,
            "cookies": {}
        }
    })
}

/// A deployment as a deploy writes it to the store: its routing entry
/// and, when its server has the guard, its secret under a key of its own.
pub(crate) struct Deployed {
    route: DeploymentRoute,
    secret: Option<OriginSecret>,
}

impl std::ops::Deref for Deployed {
    type Target = DeploymentRoute;
    fn deref(&self) -> &DeploymentRoute {
        &self.route
    }
}

impl Deployed {
    /// The entries in the order the deploy writes them: shards, the
    /// secret, then the record.
    pub(crate) fn entries(&self, keys: &RouterKeys) -> anchor_core::Result<Vec<KvsEntry>> {
        let mut entries = self.route.entries(keys)?;
        if let Some(secret) = &self.secret {
            let at = entries.len() - 1;
            entries.insert(at, secret_entry(keys, &self.route.deployment, secret)?);
        }
        Ok(entries)
    }
}

pub(crate) fn deployment(project: &str, tag: &str, index: PublicIndex) -> Deployed {
    let id = DeploymentId::generate();
    let route = DeploymentRoute {
        origin_path: format!("/{project}/deployments/{id}"),
        image_source_path: format!("/deployments/{id}"),
        deployment: id,
        version: 1,
        server_host: format!("server-{tag}.lambda-url.eu-west-1.on.aws"),
        server_signed: false,
        image_host: format!("image-{tag}.lambda-url.eu-west-1.on.aws"),
        bucket_host: "assets.s3.eu-west-1.amazonaws.com".into(),
        public_index: index,
        build_deployment_id: None,
    };
    Deployed {
        route,
        secret: Some(OriginSecret::generate().unwrap()),
    }
}

pub(crate) fn shop_index() -> PublicIndex {
    PublicIndex::from_public_paths([
        "robots.txt",
        "favicon.ico",
        "images/anchor.png",
        "images/deep/photo.jpg",
        ".well-known/security.txt",
        "café.txt",
    ])
    .unwrap()
}

/// A host with two shop deployments (`a` live) on the shop distribution.
fn shop() -> (Host, Deployed, Deployed) {
    let mut host = Host::start();
    let keys = RouterKeys::new(SHOP).unwrap();
    let a = deployment("shop", "a", shop_index());
    let b = deployment("shop", "b", shop_index());
    host.put(&a.entries(&keys).unwrap());
    host.put(&b.entries(&keys).unwrap());
    host.put(&[live_entry(&keys, &a.deployment).unwrap()]);
    (host, a, b)
}

pub(crate) fn header<'a>(result: &'a Value, name: &str) -> &'a str {
    result["headers"][name]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} header in {result}"))
}

pub(crate) fn cache_key(result: &Value) -> &str {
    header(result, CACHE_KEY_HEADER)
}

/// The deployment a request was routed to: the id its cache key starts with.
pub(crate) fn served_by(result: &Value) -> String {
    cache_key(result)
        .split('.')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn signed_lambda() -> Value {
    json!({
        "enabled": true, "signingBehavior": "always",
        "signingProtocol": "sigv4", "originType": "lambda"
    })
}

/// The server origin: signed and without a secret when the entry says its
/// server has no guard, else unsigned with the deployment's secret header.
fn assert_server(route: &Deployed, (result, origin): &(Value, Value)) {
    assert!(result["uri"].is_string(), "not a request: {result}");
    let mut expected = json!({
        "domainName": route.server_host,
        "customOriginConfig": {"port": 443, "protocol": "https", "sslProtocols": ["TLSv1.2"]},
        "originAccessControlConfig": {"enabled": false}
    });
    if route.server_signed {
        expected["originAccessControlConfig"] = signed_lambda();
    } else if let Some(secret) = &route.secret {
        expected["customHeaders"] = json!({ ORIGIN_SECRET_HEADER: secret.expose() });
    }
    assert_eq!(origin, &expected);
    assert!(
        result["headers"].get(ORIGIN_SECRET_HEADER).is_none(),
        "the secret goes as an origin custom header, never as a request header: {result}"
    );
    assert!(cache_key(result).starts_with(&format!("{}.", route.deployment)));
}

fn assert_bucket(route: &DeploymentRoute, (result, origin): &(Value, Value)) {
    assert!(result["uri"].is_string(), "not a request: {result}");
    assert_eq!(
        origin,
        &json!({
            "domainName": route.bucket_host,
            "originPath": route.origin_path,
            "originAccessControlConfig": {
                "enabled": true, "signingBehavior": "always",
                "signingProtocol": "sigv4", "originType": "s3"
            }
        })
    );
}

#[test]
fn the_generated_code_fits_cloudfront() {
    let code = RouterCode::generate(&RouterOptions::default()).unwrap();
    println!(
        "router function: {} bytes, sha256 {}",
        code.len(),
        code.sha256_hex()
    );
    assert!(code.len() <= MAX_FUNCTION_BYTES);
}

#[test]
fn pages_and_posts_go_to_the_server_without_oac() {
    let (mut host, a, _) = shop();
    let page = host.request(SHOP, "/about", &[]);
    assert_server(&a, &page);
    assert_eq!(header(&page.0, "x-forwarded-host"), HOST);
    assert_server(&a, &host.request(SHOP, "/", &[]));

    let post = host.run(event(
        SHOP,
        "POST",
        "/api/contact",
        &[
            ("content-type", "application/json"),
            ("content-length", "27"),
        ],
    ));
    assert_server(&a, &post);
    assert_eq!(post.0["method"], "POST");
}

#[test]
fn the_server_gets_its_deployments_secret_and_never_the_viewers() {
    let (mut host, a, _) = shop();
    // A viewer's own copy of the header is dropped: only the distribution
    // adds it, and CloudFront refuses an origin custom header the request
    // already has.
    let spoofed = host.request(SHOP, "/api/hello", &[(ORIGIN_SECRET_HEADER, "guess")]);
    assert_server(&a, &spoofed);
    assert_eq!(
        spoofed.1["customHeaders"][ORIGIN_SECRET_HEADER],
        a.secret.as_ref().unwrap().expose()
    );
    // Public files and images never see it.
    let file = host.request(SHOP, "/robots.txt", &[(ORIGIN_SECRET_HEADER, "guess")]);
    assert!(file.1.get("customHeaders").is_none(), "{}", file.1);
    assert!(file.0["headers"].get(ORIGIN_SECRET_HEADER).is_none());
    let image = host.request(SHOP, "/_next/image", &[]);
    assert!(image.1.get("customHeaders").is_none(), "{}", image.1);
    // A deployment made before the guard has no secret key, and gets no
    // header.
    let keys = RouterKeys::new(SHOP).unwrap();
    let old = unguarded(deployment("shop", "old", shop_index()));
    host.put(&old.entries(&keys).unwrap());
    host.put(&[live_entry(&keys, &old.deployment).unwrap()]);
    let page = host.request(SHOP, "/", &[]);
    assert_server(&old, &page);
    assert!(page.1.get("customHeaders").is_none());
}

/// `d` as a deployment made before the router: its server has no guard, so
/// no secret, and its entry says CloudFront signs requests to it.
fn unguarded(d: Deployed) -> Deployed {
    let mut route = d.route;
    route.server_signed = true;
    Deployed {
        route,
        secret: None,
    }
}

#[test]
fn a_server_without_the_guard_is_signed_like_the_image_origin() {
    let (mut host, _, _) = shop();
    let keys = RouterKeys::new(SHOP).unwrap();
    let old = unguarded(deployment("shop", "old", shop_index()));
    host.put(&old.entries(&keys).unwrap());
    // Even a secret key left for it is not sent: the entry's mark decides.
    host.put(&[
        secret_entry(&keys, &old.deployment, &OriginSecret::generate().unwrap()).unwrap(),
        live_entry(&keys, &old.deployment).unwrap(),
    ]);
    for (method, uri) in [
        ("GET", "/"),
        ("POST", "/api/echo"),
        ("GET", "/_next/data/b/x.json"),
    ] {
        let routed = host.run(event(SHOP, method, uri, &[(ORIGIN_SECRET_HEADER, "guess")]));
        assert_server(&old, &routed);
        assert_eq!(
            routed.1["originAccessControlConfig"],
            signed_lambda(),
            "{method} {uri}"
        );
        assert!(routed.1.get("customHeaders").is_none(), "{}", routed.1);
        assert!(
            routed.0["headers"].get(ORIGIN_SECRET_HEADER).is_none(),
            "a viewer's copy is still dropped: {}",
            routed.0
        );
    }
    // Its images and public files are routed as any deployment's.
    let image = host.request(SHOP, "/_next/image", &[]);
    assert_eq!(image.1["domainName"], old.image_host.as_str());
    assert_eq!(image.1["originAccessControlConfig"], signed_lambda());
    assert_bucket(&old, &host.request(SHOP, "/robots.txt", &[]));
}

#[test]
fn each_deployment_has_its_own_secret_and_the_entry_holds_none() {
    let (mut host, a, b) = shop();
    let keys = RouterKeys::new(SHOP).unwrap();
    assert_ne!(a.secret, b.secret);
    for d in [&a, &b] {
        let record: Value =
            serde_json::from_str(&d.route.entries(&keys).unwrap()[0].value).unwrap();
        assert!(record.get("k").is_none(), "{record}");
    }
    // The live deployment's secret, and after a switch the other's.
    let page = host.request(SHOP, "/", &[]);
    assert_eq!(
        page.1["customHeaders"][ORIGIN_SECRET_HEADER],
        a.secret.as_ref().unwrap().expose()
    );
    host.put(&[live_entry(&keys, &b.deployment).unwrap()]);
    let page = host.request(SHOP, "/", &[]);
    assert_eq!(
        page.1["customHeaders"][ORIGIN_SECRET_HEADER],
        b.secret.as_ref().unwrap().expose()
    );
    // A lost secret key sends no header rather than failing the request:
    // the guard then refuses it, as it refuses any request without one.
    host.delete(&keys.secret(&b.deployment));
    let page = host.request(SHOP, "/", &[]);
    assert_server(
        &Deployed {
            secret: None,
            route: b.route.clone(),
        },
        &page,
    );
    // An entry written while the secret was per project carries it as `k`,
    // which the router still sends when the deployment has no key of its
    // own, so a rollback to such a deployment keeps working.
    let legacy = OriginSecret::generate().unwrap();
    let entries = b.route.entries(&keys).unwrap();
    let mut record: Value = serde_json::from_str(&entries[0].value).unwrap();
    record["k"] = json!(legacy.expose());
    host.put(&[KvsEntry {
        key: entries[0].key.clone(),
        value: record.to_string(),
    }]);
    let page = host.request(SHOP, "/", &[]);
    assert_server(
        &Deployed {
            secret: Some(legacy),
            route: b.route.clone(),
        },
        &page,
    );
}

#[test]
fn public_files_go_to_the_deployments_own_bucket_path() {
    let (mut host, a, _) = shop();
    for uri in [
        "/robots.txt",
        "/favicon.ico",
        "/images/anchor.png",
        "/images/deep/photo.jpg",
        "/images/",
        "/.well-known/security.txt",
        "/caf%C3%A9.txt",
    ] {
        let routed = host.request(SHOP, uri, &[]);
        assert_bucket(&a, &routed);
        assert_eq!(routed.0["uri"], uri, "the path reaches S3 unchanged");
    }
}

#[test]
fn paths_that_only_start_like_a_public_entry_go_to_the_server() {
    let (mut host, a, _) = shop();
    for uri in [
        "/imagesx",
        "/imagesx/anchor.png",
        "/images",
        "/robots.txt2",
        "/robots.txt/x",
        "/.well-known",
        "/_next/data/BUILD/index.json",
        "/_next/static/chunks/main.js",
    ] {
        assert_server(&a, &host.request(SHOP, uri, &[]));
    }
}

#[test]
fn images_go_to_the_image_function_keyed_by_format() {
    let (mut host, a, _) = shop();
    let mut image = |accept: &str| {
        let mut e = event(SHOP, "GET", "/_next/image", &[("accept", accept)]);
        e["request"]["querystring"] = json!({
            "url": {"value": "/images/anchor.png"}, "w": {"value": "640"}, "q": {"value": "75"}
        });
        let (result, origin) = host.run(e);
        assert_eq!(
            origin,
            json!({
                "domainName": a.image_host,
                "customOriginConfig": {"port": 443, "protocol": "https", "sslProtocols": ["TLSv1.2"]},
                "originAccessControlConfig": {
                    "enabled": true, "signingBehavior": "always",
                    "signingProtocol": "sigv4", "originType": "lambda"
                }
            })
        );
        cache_key(&result).to_owned()
    };
    let avif = image("image/avif,image/webp,*/*");
    let webp = image("image/webp,*/*");
    let plain = image("image/png,*/*");
    assert_ne!(avif, webp);
    assert_ne!(webp, plain);
    assert_ne!(avif, plain);
    assert_eq!(webp, image("image/webp,*/*"));
    // Only the formats the optimiser tells apart split the cache.
    assert_eq!(webp, image("image/webp,image/png;q=0.8,*/*;q=0.5"));

    let (_, origin) = host.request(SHOP, "/_next/image/extra", &[]);
    assert_eq!(origin["domainName"], a.image_host);
}

#[test]
fn rsc_requests_get_their_own_cache_key_per_deployment() {
    let (mut host, a, b) = shop();
    let keys = RouterKeys::new(SHOP).unwrap();
    let key = |host: &mut Host, headers: &[(&str, &str)]| {
        cache_key(&host.request(SHOP, "/about", headers).0).to_owned()
    };
    let plain = key(&mut host, &[]);
    let rsc = key(&mut host, &[("rsc", "1")]);
    let prefetch = key(&mut host, &[("rsc", "1"), ("next-router-prefetch", "1")]);
    let tree = key(
        &mut host,
        &[("rsc", "1"), ("next-router-state-tree", "%5B%22%22%5D")],
    );
    let next_url = key(&mut host, &[("rsc", "1"), ("next-url", "/shop")]);
    let revalidate = key(&mut host, &[("x-prerender-revalidate", "secret")]);
    let all = [&plain, &rsc, &prefetch, &tree, &next_url, &revalidate];
    for (i, x) in all.iter().enumerate() {
        assert!(x.starts_with(&format!("{}.", a.deployment)), "{x}");
        for y in &all[i + 1..] {
            assert_ne!(x, y);
        }
    }
    assert_eq!(rsc, key(&mut host, &[("rsc", "1")]));
    // Headers outside the list do not split the cache.
    assert_eq!(plain, key(&mut host, &[("user-agent", "test")]));

    host.put(&[live_entry(&keys, &b.deployment).unwrap()]);
    let rsc_b = key(&mut host, &[("rsc", "1")]);
    assert_ne!(rsc, rsc_b);
    assert!(rsc_b.starts_with(&format!("{}.", b.deployment)));
}

#[test]
fn client_sent_forwarded_host_and_cache_key_are_replaced() {
    let (mut host, _, _) = shop();
    let clean = host.request(SHOP, "/about", &[]).0;
    let spoofed = host
        .request(
            SHOP,
            "/about",
            &[
                ("x-forwarded-host", "evil.example"),
                (CACHE_KEY_HEADER, "attacker-chosen"),
            ],
        )
        .0;
    assert_eq!(header(&spoofed, "x-forwarded-host"), HOST);
    assert_eq!(cache_key(&spoofed), cache_key(&clean));

    // A multi-valued copy is replaced as a whole.
    let mut e = event(SHOP, "GET", "/about", &[]);
    e["request"]["headers"][CACHE_KEY_HEADER] =
        json!({"value": "x", "multiValue": [{"value": "x"}, {"value": "y"}]});
    let (result, _) = host.run(e);
    assert_eq!(
        result["headers"][CACHE_KEY_HEADER],
        json!({"value": cache_key(&clean)})
    );
}

#[test]
fn no_live_deployment_answers_503() {
    let (mut host, _, _) = shop();
    let keys = RouterKeys::new(SHOP).unwrap();
    host.delete(&keys.live());
    let (result, origin) = host.request(SHOP, "/about", &[]);
    assert_eq!(result["statusCode"], 503);
    assert_eq!(result["headers"]["cache-control"]["value"], "no-store");
    assert!(result["body"]
        .as_str()
        .unwrap()
        .contains("No deployment is live"));
    assert!(origin.is_null());

    // A pointer to a deployment whose entry was never written.
    host.put(&[live_entry(&keys, &DeploymentId::generate()).unwrap()]);
    let (result, origin) = host.request(SHOP, "/about", &[]);
    assert_eq!(result["statusCode"], 503);
    assert!(origin.is_null());
}

#[test]
fn moving_the_live_pointer_routes_the_very_next_request() {
    let (mut host, a, b) = shop();
    let keys = RouterKeys::new(SHOP).unwrap();
    assert_server(&a, &host.request(SHOP, "/about", &[]));
    assert_bucket(&a, &host.request(SHOP, "/robots.txt", &[]));

    host.put(&[live_entry(&keys, &b.deployment).unwrap()]);
    assert_server(&b, &host.request(SHOP, "/about", &[]));
    assert_bucket(&b, &host.request(SHOP, "/robots.txt", &[]));

    // Rollback: one write back.
    host.put(&[live_entry(&keys, &a.deployment).unwrap()]);
    assert_server(&a, &host.request(SHOP, "/about", &[]));
}

#[test]
fn a_sharded_public_index_routes_like_an_inline_one() {
    let mut host = Host::start();
    let keys = RouterKeys::new(SHOP).unwrap();
    let mut paths: Vec<String> = (0..300)
        .map(|i| format!("generated-file-{i:03}.txt"))
        .collect();
    paths.push("images/anchor.png".into());
    paths.push(".well-known/security.txt".into());
    // Non-ASCII names: both sides hash UTF-16 code units, surrogates too.
    paths.push("café.txt".into());
    paths.push("🚀/launch.txt".into());
    let route = deployment(
        "shop",
        "sharded",
        PublicIndex::from_public_paths(&paths).unwrap(),
    );
    let entries = route.entries(&keys).unwrap();
    let record: Value = serde_json::from_str(&entries.last().unwrap().value).unwrap();
    let shards = record["n"].as_u64().expect("the index is sharded");
    assert!(shards > 1 && record.get("p").is_none(), "{record}");
    host.put(&entries);
    host.put(&[live_entry(&keys, &route.deployment).unwrap()]);

    for uri in [
        "/generated-file-000.txt",
        "/generated-file-157.txt",
        "/generated-file-299.txt",
        "/images/anchor.png",
        "/.well-known/security.txt",
        "/caf%C3%A9.txt",
        "/%F0%9F%9A%80/launch.txt",
    ] {
        assert_bucket(&route, &host.request(SHOP, uri, &[]));
    }
    for uri in ["/generated-file-300.txt", "/about", "/images", "/"] {
        assert_server(&route, &host.request(SHOP, uri, &[]));
    }

    // A missing shard is a broken store, not a page: it says so.
    host.delete(&keys.shard(&route.deployment, 0).unwrap());
    let mut unavailable = 0;
    for i in 0..300 {
        let (result, _) = host.request(SHOP, &format!("/generated-file-{i:03}.txt"), &[]);
        if result["statusCode"] == 503 {
            unavailable += 1;
        }
    }
    assert!(unavailable > 0);
}

#[test]
fn oversized_headers_answer_431() {
    let (mut host, a, _) = shop();
    let big = "x".repeat(9 * 1024);
    let (result, _) = host.request(SHOP, "/about", &[("x-big", &big)]);
    assert_eq!(result["statusCode"], 431);

    // Cookies count too.
    let mut e = event(SHOP, "GET", "/about", &[]);
    e["request"]["cookies"] = json!({"session": {"value": big}});
    assert_eq!(host.run(e).0["statusCode"], 431);

    // So does every copy of a repeated header.
    let half = "y".repeat(5 * 1024);
    let mut e = event(SHOP, "GET", "/about", &[]);
    e["request"]["headers"]["x-repeated"] =
        json!({"value": half, "multiValue": [{"value": half}, {"value": half}]});
    assert_eq!(host.run(e).0["statusCode"], 431);

    let fits = "x".repeat(8 * 1024);
    assert_server(&a, &host.request(SHOP, "/about", &[("x-big", &fits)]));
}

#[test]
fn two_distributions_in_one_store_route_independently() {
    let (mut host, a, b) = shop();
    let shop_keys = RouterKeys::new(SHOP).unwrap();
    let blog_keys = RouterKeys::new(BLOG).unwrap();
    let blog = deployment(
        "blog",
        "blog",
        PublicIndex::from_public_paths(["ads.txt"]).unwrap(),
    );
    host.put(&blog.entries(&blog_keys).unwrap());
    host.put(&[live_entry(&blog_keys, &blog.deployment).unwrap()]);

    assert_server(&a, &host.request(SHOP, "/about", &[]));
    assert_server(&blog, &host.request(BLOG, "/about", &[]));
    assert_bucket(&blog, &host.request(BLOG, "/ads.txt", &[]));
    // Each distribution sees only its own deployments' public files.
    assert_server(&a, &host.request(SHOP, "/ads.txt", &[]));
    assert_server(&blog, &host.request(BLOG, "/robots.txt", &[]));

    host.put(&[live_entry(&shop_keys, &b.deployment).unwrap()]);
    assert_server(&b, &host.request(SHOP, "/about", &[]));
    assert_server(&blog, &host.request(BLOG, "/about", &[]));

    host.delete(&blog_keys.live());
    assert_eq!(host.request(BLOG, "/about", &[]).0["statusCode"], 503);
    assert_server(&b, &host.request(SHOP, "/about", &[]));
    // An unknown distribution has no pointer at all.
    assert_eq!(
        host.request("E3UNKNOWN", "/about", &[]).0["statusCode"],
        503
    );
}

#[test]
fn the_host_refuses_code_that_does_not_start_with_the_imports() {
    let mut host = Host::start();
    let reason = host.refused(json!({
        "op": "load",
        "code": "async function handler(e) { return e.request; }"
    }));
    assert!(reason.contains("import cf from 'cloudfront'"), "{reason}");
}

#[test]
fn a_request_without_host_forwards_no_host() {
    let (mut host, a, _) = shop();
    let mut e = event(
        SHOP,
        "GET",
        "/about",
        &[("x-forwarded-host", "evil.example")],
    );
    e["request"]["headers"]
        .as_object_mut()
        .unwrap()
        .remove("host");
    let routed = host.run(e);
    assert_server(&a, &routed);
    assert!(routed.0["headers"].get("x-forwarded-host").is_none());
}

#[test]
fn the_host_module_runs_the_code_with_a_given_store() {
    // The local edge will import loadRouter rather than speak the line
    // protocol; check that entry point on its own.
    let code = RouterCode::generate(&RouterOptions::default()).unwrap();
    let keys = RouterKeys::new(SHOP).unwrap();
    let a = deployment("shop", "a", shop_index());
    let mut store: Map<String, Value> = a
        .entries(&keys)
        .unwrap()
        .into_iter()
        .map(|e| (e.key, json!(e.value)))
        .collect();
    let live = live_entry(&keys, &a.deployment).unwrap();
    store.insert(live.key, json!(live.value));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("host.mjs"), HOST_SCRIPT).unwrap();
    std::fs::write(dir.path().join("code.js"), code.code()).unwrap();
    let script = format!(
        "import fs from 'node:fs';\n\
         import {{ loadRouter }} from './host.mjs';\n\
         const router = loadRouter(fs.readFileSync('./code.js', 'utf8'));\n\
         const store = {store};\n\
         const get = async (key) => store[key];\n\
         const page = await router.run({event}, get);\n\
         const file = await router.run({file}, get);\n\
         console.log(JSON.stringify([page.origin.domainName, file.origin.originPath]));\n",
        store = Value::Object(store),
        event = event(SHOP, "GET", "/about", &[]),
        file = event(SHOP, "GET", "/robots.txt", &[]),
    );
    std::fs::write(dir.path().join("drive.mjs"), script).unwrap();
    let node = anchor_testing::node::node_program();
    let output = Command::new(node)
        .arg("drive.mjs")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer, json!([a.server_host, a.origin_path]));
}

#[test]
fn the_host_refuses_origin_parameters_cloudfront_would() {
    let mut host = Host::start();
    let code = "import cf from 'cloudfront';\nimport crypto from 'crypto';\n\
                async function handler(event) {\n\
                cf.updateRequestOrigin({ domainNam: 'typo.example' });\n\
                return event.request;\n}\n";
    host.call(json!({"op": "load", "code": code}));
    let reason = host.refused(json!({"op": "run", "event": event(SHOP, "GET", "/", &[])}));
    assert!(reason.contains("unknown parameter domainNam"), "{reason}");
}

#[test]
fn a_public_image_is_read_from_the_deployments_own_folder() {
    let (mut host, a, _) = shop();
    let mut image = |url: &str| {
        let mut e = event(SHOP, "GET", "/_next/image", &[]);
        e["request"]["querystring"] = json!({"url": {"value": url}, "w": {"value": "64"}});
        let (result, _) = host.run(e);
        result["querystring"]["url"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    // A public file (percent-encoded or not) moves to the deployment's folder.
    let moved = format!("%2Fdeployments%2F{}%2Fimages%2Fanchor.png", a.deployment);
    assert_eq!(image("/images/anchor.png"), moved);
    assert_eq!(image("%2Fimages%2Fanchor.png"), moved);
    // Hashed media, absolute URLs and paths outside the index stay as sent.
    for kept in [
        "/_next/static/media/anchor.1a2b.png",
        "https://example.com/a.png",
        "//example.com/a.png",
        "/imagesx/a.png",
    ] {
        assert_eq!(image(kept), kept);
    }
}
