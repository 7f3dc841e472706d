//! The moto harness of the AWS tests.
//!
//! `scripts/test.sh` starts one moto server and exports its address as
//! `ANCHOR_MOTO_ENDPOINT`. Each test takes [`moto`], which serialises the
//! tests of its binary, resets moto's state, creates the Lambda execution
//! role and hands back clients with dummy credentials. Without the variable
//! a test reports that it was skipped, unless `ANCHOR_REQUIRE_MOTO` is set,
//! which the test script sets so a missing server fails the run.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;

#[path = "../router_replay/fake_kvs.rs"]
pub mod fake_kvs;
pub mod intercept;
pub mod provisioning;

use anchor_core::aws::{AwsClients, AwsConnection, AwsOptions, AwsRouter, RouterResources};
use aws_config::SdkConfig;
use fake_kvs::FakeKvs;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The Lambda execution role every test's functions use.
pub const ROLE_NAME: &str = "anchor-moto-lambda";
/// moto's default account.
pub const ACCOUNT: &str = "123456789012";

/// The edge router the tests' projects route through. moto has no
/// CloudFront Functions, cache policies or KeyValueStore data plane, so
/// the router is "made elsewhere" ([`AwsRouter::Existing`]) and its store
/// is [`FakeKvs`], a stateful stand-in for the data plane that the real
/// `CloudFrontKvs` client talks to (ETags, If-Match, limits).
pub fn router_resources() -> RouterResources {
    RouterResources {
        function_arn: format!("arn:aws:cloudfront::{ACCOUNT}:function/anchor-router"),
        store_arn: format!(
            "arn:aws:cloudfront::{ACCOUNT}:key-value-store/0a1b2c3d-1111-2222-3333-444455556666"
        ),
        cache_policy_id: "a1b2c3d4-anchor-router-policy".into(),
    }
}

/// A reset moto server, held exclusively by one test.
pub struct Moto {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// The connection settings the tests use (short backoff).
    pub connection: AwsConnection,
    /// The shared SDK configuration, with dummy credentials.
    pub config: SdkConfig,
    /// Clients of every service.
    pub clients: AwsClients,
    /// The ARN of the execution role created in moto's IAM.
    pub role_arn: String,
    /// The router's KeyValueStore, shared by every `Anchor` of the test.
    pub router_store: FakeKvs,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}

impl Moto {
    /// Options of an `Anchor` on this server with the router: the test
    /// connection, the execution role, serialised state writes (moto's
    /// transactions are not atomic) and the router of
    /// [`router_resources`] with its store.
    pub fn options(&self, bucket: &str) -> AwsOptions {
        let mut options = AwsOptions::new(bucket);
        options.connection = self.connection.clone();
        options.execution_role_arn = Some(self.role_arn.clone());
        options.serialize_state_writes = true;
        options.router = AwsRouter::Existing(router_resources());
        options.router_config = Some(fake_kvs::sdk_config(self.router_store.clone()));
        options
    }

    /// The versions the `live` aliases of `project`'s server and image
    /// functions point at, read from moto's Lambda.
    pub async fn live_versions(&self, project: &str) -> (String, String) {
        let mut out = Vec::new();
        for function in [format!("{project}-server"), format!("{project}-image")] {
            let alias = self
                .clients
                .lambda
                .get_alias()
                .function_name(&function)
                .name("live")
                .send()
                .await
                .unwrap();
            out.push(alias.function_version().unwrap().to_string());
        }
        (out[0].clone(), out[1].clone())
    }
}

/// Takes the moto server for one test, or `None` when it is not configured.
// The guard is held on purpose for the whole test, across awaits: each
// #[tokio::test] has its own runtime on its own thread, so blocking is safe.
#[allow(clippy::await_holding_lock)]
pub async fn moto() -> Option<Moto> {
    let endpoint = match std::env::var("ANCHOR_MOTO_ENDPOINT") {
        Ok(e) => e,
        Err(_) => {
            assert!(
                std::env::var_os("ANCHOR_REQUIRE_MOTO").is_none(),
                "ANCHOR_REQUIRE_MOTO is set but ANCHOR_MOTO_ENDPOINT is not"
            );
            eprintln!("skipped: ANCHOR_MOTO_ENDPOINT is not set; scripts/test.sh starts moto");
            return None;
        }
    };
    let serial = SERIAL.lock().await;
    let (status, body) = post(&endpoint, "/moto-api/reset", &[], "");
    assert_eq!(status, 200, "moto reset failed: {body}");
    let role_arn = create_role(&endpoint);
    let connection = AwsConnection {
        region: Some("eu-west-1".into()),
        endpoint_url: Some(endpoint.clone()),
        initial_backoff: std::time::Duration::from_millis(5),
        ..AwsConnection::default()
    };
    let config = connection
        .loader()
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "moto", "moto", None, None, "moto",
        ))
        .load()
        .await;
    let clients = AwsClients::new(&config);
    Some(Moto {
        endpoint,
        connection,
        config,
        clients,
        role_arn,
        router_store: FakeKvs::new(&router_resources().store_arn),
        _serial: serial,
    })
}

/// Creates the execution role through IAM's query API: moto's Lambda
/// refuses functions whose role does not exist.
fn create_role(endpoint: &str) -> String {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={ROLE_NAME}&AssumeRolePolicyDocument={}",
        form_encode(policy)
    );
    let auth = "AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let (status, reply) = post(
        endpoint,
        "/",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", auth),
        ],
        &body,
    );
    assert_eq!(status, 200, "IAM CreateRole failed: {reply}");
    format!("arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}")
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A minimal HTTP/1.1 POST over loopback, for moto's own control API.
fn post(endpoint: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("connect to moto");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("write to moto");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read from moto");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = reply.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}
