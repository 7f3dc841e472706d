//! The moto harness of the AWS tests.
//!
//! `scripts/test.sh` starts one moto server and exports its address as
//! `ANCHOR_MOTO_ENDPOINT` (found by `anchor_testing::moto_server`). Each
//! test takes [`moto`], which serialises the tests of its binary (every
//! AWS suite is in the `integration` binary, so moto has one user at a
//! time), resets moto's state, creates the Lambda execution role and hands
//! back clients with dummy credentials. Without the variable a test
//! reports that it was skipped, unless `ANCHOR_REQUIRE_MOTO` is set, which
//! the test script sets so a missing server fails the run.

#![allow(dead_code)]

pub use crate::router_replay::fake_kvs;
pub mod intercept;
pub mod provisioning;

use anchor_core::aws::{AwsClients, AwsConnection, AwsOptions, AwsRouter, RouterResources};
use anchor_testing::{moto_control, moto_server};
use aws_config::SdkConfig;
use fake_kvs::FakeKvs;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The Lambda execution role every test's functions use.
pub const ROLE_NAME: &str = "anchor-moto-lambda";
/// moto's default account.
pub use anchor_testing::moto_control::ACCOUNT;
/// The region every test's clients and buckets are in.
pub const REGION: &str = "eu-west-1";

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
        response_function_arn: Some(format!(
            "arn:aws:cloudfront::{ACCOUNT}:function/anchor-viewer-response"
        )),
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
    let endpoint = moto_server::endpoint()?;
    let serial = SERIAL.lock().await;
    moto_control::reset(&endpoint).unwrap_or_else(|e| panic!("{e}"));
    let role_arn =
        moto_control::create_role(&endpoint, ROLE_NAME).unwrap_or_else(|e| panic!("{e}"));
    let connection = AwsConnection {
        region: Some(REGION.into()),
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
