//! A stateful stand-in for the KeyValueStore data plane's HTTP API, so the
//! trait's conformance suite can run against the real `CloudFrontKvs` and
//! SDK client offline. It answers as the API reference describes: the
//! store's ETag moves on every write, a stale If-Match is refused (here as
//! a `ValidationException`, the harder case to map), a store past 5 MB is
//! `ServiceQuotaExceededException`, and a missing key or store is
//! `ResourceNotFoundException`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anchor_core::aws::CloudFrontKvs;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudfront::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use serde_json::{json, Value};

const LIMIT: usize = 5 * 1024 * 1024;

#[derive(Debug, Default)]
struct State {
    items: BTreeMap<String, String>,
    version: u64,
}

impl State {
    fn etag(&self) -> String {
        format!("KVS-ETAG-{}", self.version)
    }

    fn bytes(&self) -> usize {
        self.items.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
}

/// One store, `arn`, held in memory.
#[derive(Clone)]
pub struct FakeKvs {
    arn: String,
    state: Arc<Mutex<State>>,
}

// The SDK logs its HTTP client with `Debug` at TRACE (in its runtime
// components), so this stand-in must not print what it stores, as a real
// connection holds none of it: the store has origin secrets.
impl std::fmt::Debug for FakeKvs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeKvs")
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

impl FakeKvs {
    /// An empty store named by `arn`.
    pub fn new(arn: &str) -> Self {
        Self {
            arn: arn.to_string(),
            state: Arc::default(),
        }
    }

    /// The value stored under `key`, read without a request (for tests
    /// that check what a flow wrote).
    pub fn value(&self, key: &str) -> Option<String> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.items.get(key).cloned()
    }

    /// The real client, talking to this store.
    pub fn client(&self) -> CloudFrontKvs {
        CloudFrontKvs::from_config(&sdk_config(self.clone()), &[])
    }

    fn answer(&self, method: &str, path: &str, if_match: Option<&str>, body: &[u8]) -> Reply {
        let Some(rest) = path.strip_prefix("/key-value-stores/") else {
            return error(404, "ResourceNotFoundException");
        };
        let mut parts = rest.splitn(3, '/');
        let (arn, keys, key) = (parts.next(), parts.next(), parts.next());
        if arn.map(decode).as_deref() != Some(self.arn.as_str()) {
            return error(404, "ResourceNotFoundException");
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match (method, keys, key) {
            ("GET", None, None) => ok(
                json!({"ItemCount": state.items.len(), "TotalSizeInBytes": state.bytes(),
                       "KvsARN": self.arn, "Created": 1_764_547_200, "Status": "READY"}),
                Some(state.etag()),
            ),
            ("GET", Some("keys"), Some(key)) => match state.items.get(&decode(key)) {
                Some(value) => ok(
                    json!({"Key": decode(key), "Value": value,
                           "ItemCount": state.items.len(), "TotalSizeInBytes": state.bytes()}),
                    None,
                ),
                None => error(404, "ResourceNotFoundException"),
            },
            ("POST", Some("keys"), None) => {
                if if_match != Some(state.etag().as_str()) {
                    return error(400, "ValidationException");
                }
                let body: Value = serde_json::from_slice(body).unwrap_or_default();
                let mut next = state.items.clone();
                for delete in body["Deletes"].as_array().into_iter().flatten() {
                    next.remove(delete["Key"].as_str().unwrap_or_default());
                }
                for put in body["Puts"].as_array().into_iter().flatten() {
                    next.insert(
                        put["Key"].as_str().unwrap_or_default().to_string(),
                        put["Value"].as_str().unwrap_or_default().to_string(),
                    );
                }
                let size: usize = next.iter().map(|(k, v)| k.len() + v.len()).sum();
                if size > LIMIT {
                    return error(402, "ServiceQuotaExceededException");
                }
                state.items = next;
                state.version += 1;
                ok(
                    json!({"ItemCount": state.items.len(), "TotalSizeInBytes": size}),
                    Some(state.etag()),
                )
            }
            _ => error(400, "ValidationException"),
        }
    }
}

/// The shared configuration of offline test clients: dummy credentials,
/// no retries, and `http` in place of the network.
pub fn sdk_config(http: impl HttpClient + 'static) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDREPLAY",
            "replay-secret",
            None,
            None,
            "replay",
        )))
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build()
}

type Reply = (u16, Vec<(&'static str, String)>, String);

fn ok(body: Value, etag: Option<String>) -> Reply {
    let mut headers = vec![("content-type", "application/json".to_string())];
    headers.extend(etag.map(|e| ("etag", e)));
    (200, headers, body.to_string())
}

fn error(status: u16, code: &str) -> Reply {
    (
        status,
        vec![
            ("content-type", "application/json".to_string()),
            ("x-amzn-errortype", code.to_string()),
        ],
        json!({"Message": format!("fake {code}")}).to_string(),
    )
}

/// Percent-decoding of one path label.
fn decode(label: &str) -> String {
    let bytes = label.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl HttpConnector for FakeKvs {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let uri = request.uri();
        let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
        let path = rest.find('/').map_or("/", |at| &rest[at..]);
        let path = path.split('?').next().unwrap_or_default();
        let (status, headers, body) = self.answer(
            request.method(),
            path,
            request.headers().get("if-match"),
            request.body().bytes().unwrap_or_default(),
        );
        let status = StatusCode::try_from(status).unwrap_or_else(|e| panic!("{e}"));
        let mut response = HttpResponse::new(status, SdkBody::from(body));
        for (name, value) in headers {
            response.headers_mut().insert(name, value);
        }
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for FakeKvs {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
