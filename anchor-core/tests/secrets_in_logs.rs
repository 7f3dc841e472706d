//! Credentials and request signatures never reach logs or error messages.
//!
//! One test runs a whole flow on moto (provision, deploy, redeploy, roll
//! back, add, refresh and remove a domain) with distinctive fake
//! credentials that include a session token, plus failing calls: an
//! endpoint nobody listens on, a Lambda call refused as AWS refuses an
//! unknown security token, and an S3 call refused as S3 refuses a bad
//! signature, whose reply echoes the canonical request (and with it the
//! session token) and the signature, as S3's `SignatureDoesNotMatch` does.
//!
//! Every event and span of every target (Anchor, `aws_smithy_*`,
//! `aws_sdk_*`, `hyper`) is captured at TRACE. The test checks:
//! - the secret key and every deployment's origin secret (frozen in its
//!   server version's environment and written to the router's store,
//!   `docs/aws.md` "Origin protection") appear nowhere, with no exception:
//!   logs, errors' `Display`, `Debug` and `source_chain()`, the project's
//!   `Debug`. The project record holds no secret, and Anchor never reads a
//!   secret back, so no reply the SDK dumps at TRACE carries one;
//! - the session token and the signatures actually sent (read from the
//!   `Authorization` header on the wire) appear in no log line and no
//!   error, even after S3 echoed both in its refusal. The SDK redacts the
//!   `Authorization` and `X-Amz-Security-Token` headers of the requests it
//!   logs and the bodies of replies it marks sensitive (S3 `PutObject`'s);
//!   Anchor keeps no raw reply in its errors (see `aws/errors.rs`);
//! - no presigned-URL parameters (`X-Amz-Signature=`, `X-Amz-Credential=`)
//!   appear anywhere; Anchor presigns nothing.
//!
//! The access key id is not a secret (it is in every `Credential=` scope)
//! and the SDK logs it at TRACE; it is not checked. Setting
//! `LOG_SENSITIVE_BODIES=true` makes the SDK log reply bodies unredacted.
//!
//! The log buffer must hold the SDK's own TRACE events (`transmitting
//! request`) and the operation names, so the test cannot pass by
//! capturing nothing. The embedded default has no credentials, tokens or
//! signed URLs to leak (its Function URLs are `local://` names).

// Its own test binary: it installs a process-wide tracing subscriber that
// captures every event at TRACE, which would slow every other test and
// capture their events. It shares the integration suite's helpers.
#[path = "integration/aws_support/mod.rs"]
mod aws_support;
#[path = "integration/common/mod.rs"]
mod common;
#[path = "integration/router_replay/mod.rs"]
mod router_replay;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anchor_core::aws::AwsConnection;
use anchor_core::model::CdnStatus;
use anchor_core::router::RouterKeys;
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use aws_sdk_s3::config::{Credentials, SharedInterceptor};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use aws_support::Moto;
use common::{copy_tree, make_variant, real_build_or_fixture};

const ACCESS_KEY_ID: &str = "AKIDANCHORTESTKEY0001";
const SECRET_KEY: &str = "anchorSecretKeyMustNeverLeak0123456789abc";
const SESSION_TOKEN: &str = "anchorSessionTokenMustNeverLeak";
const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

/// Everything every subscriber callback wrote, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs one global TRACE subscriber for every target, so events from
/// SDK tasks on any runtime thread are captured too.
fn capture() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .init();
            captured
        })
        .clone()
}

fn operation(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>()
        .map(|m| m.name().to_string())
        .unwrap_or_default()
}

/// Reads what goes on the wire and refuses chosen calls the way AWS does
/// when it does not accept the credentials.
#[derive(Clone, Default)]
struct Wire {
    /// `Signature=` values of every `Authorization` header sent.
    signatures: Arc<Mutex<Vec<String>>>,
    /// `X-Amz-Security-Token` values sent.
    tokens: Arc<Mutex<Vec<String>>>,
    /// Operation name and how many of its next attempts to refuse.
    refuse: Arc<Mutex<Option<(String, usize)>>>,
    /// The canonical request S3 would echo for the last attempt.
    last_request: Arc<Mutex<String>>,
}

impl Wire {
    fn refuse_next(&self, operation: &str, attempts: usize) {
        *self.refuse.lock().unwrap() = Some((operation.to_string(), attempts));
    }
    fn signatures(&self) -> Vec<String> {
        self.signatures.lock().unwrap().clone()
    }
    fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }
}

// The SDK logs its interceptors with `Debug` at TRACE, so this one must
// not print what it recorded off the wire.
impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wire")
    }
}

impl Intercept for Wire {
    fn name(&self) -> &'static str {
        "Wire"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let headers = context.request().headers();
        let signature = headers
            .get("authorization")
            .and_then(|a| a.split("Signature=").nth(1))
            .map(str::to_string);
        let token = headers.get("x-amz-security-token").map(str::to_string);
        let mut echo = format!(
            "{}\n{}\n",
            context.request().method(),
            context.request().uri()
        );
        for (name, value) in headers.iter() {
            if name != "authorization" {
                echo.push_str(&format!("{name}:{value}\n"));
            }
        }
        *self.last_request.lock().unwrap() = echo;
        self.signatures.lock().unwrap().extend(signature);
        self.tokens.lock().unwrap().extend(token);
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = operation(cfg);
        let mut refuse = self.refuse.lock().unwrap();
        let Some((target, remaining)) = refuse.as_mut() else {
            return Ok(());
        };
        if *target != op || *remaining == 0 {
            return Ok(());
        }
        *remaining -= 1;
        let response = if op == "PutObject" || op == "CopyObject" {
            // S3's reply to a bad signature echoes what it signed.
            let signature = self.signatures().last().cloned().unwrap_or_default();
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>\
                 <Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>\
                 <AWSAccessKeyId>{ACCESS_KEY_ID}</AWSAccessKeyId><SignatureProvided>{signature}</SignatureProvided>\
                 <CanonicalRequest>{}</CanonicalRequest><RequestId>0</RequestId></Error>",
                self.last_request.lock().unwrap()
            );
            let mut r = Response::new(StatusCode::try_from(403)?, SdkBody::from(body));
            r.headers_mut().insert("content-type", "application/xml");
            r
        } else {
            let body = r#"{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}"#;
            let mut r = Response::new(StatusCode::try_from(403)?, SdkBody::from(body));
            r.headers_mut()
                .insert("x-amzn-errortype", "UnrecognizedClientException");
            r.headers_mut().insert("content-type", "application/json");
            r
        };
        *context.response_mut() = response;
        Ok(())
    }
}

async fn open(m: &Moto, connection: &AwsConnection, wire: &Wire) -> anchor_core::Result<Anchor> {
    let credentials = Credentials::new(
        ACCESS_KEY_ID,
        SECRET_KEY,
        Some(SESSION_TOKEN.to_string()),
        None,
        "secrets-in-logs",
    );
    let config = connection
        .loader()
        .credentials_provider(credentials)
        .load()
        .await;
    let mut options = m.options(BUCKET);
    options.connection = connection.clone();
    options.interceptors = vec![SharedInterceptor::new(wire.clone())];
    Anchor::aws_with_config(&config, &options).await
}

/// The whole flow with the test's credentials. Returns the errors the
/// failing calls gave, and the origin secret of every deployment that was
/// built, read from the router's store without the SDK (so reading them
/// logs nothing).
async fn flow(m: &Moto, wire: &Wire) -> (Vec<anchor_core::Error>, Vec<String>) {
    let a = open(m, &m.connection, wire).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let v1 = real_build_or_fixture();
    let v2 = tmp.path().join("v2");
    copy_tree(&v1, &v2);
    make_variant(&v2, "v2");
    let routes = Anchor::routes_of_build(&v1).await.unwrap();
    let provision = ProvisionOptions {
        routes,
        ..ProvisionOptions::default()
    };
    let project = a.create_project_with(P, provision).await.unwrap();
    assert!(
        project.infrastructure.router.is_some(),
        "the project's servers are guarded"
    );
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let first = a.deployer(P, &v1).execute().await.unwrap();
    let second = a.deployer(P, &v2).execute().await.unwrap();
    a.rollback(P)
        .reason("secrets test")
        .execute()
        .await
        .unwrap();
    let origin_secrets: Vec<String> = [&first, &second]
        .iter()
        .map(|d| {
            m.router_store
                .value(&keys.secret(&d.id))
                .expect("every routed deployment has a secret")
        })
        .collect();
    assert_ne!(origin_secrets[0], origin_secrets[1]);
    // A project's Debug is what a caller would log; it holds no secret.
    let stored = a.project(P).await.unwrap();
    for secret in &origin_secrets {
        assert!(!format!("{stored:?}").contains(secret.as_str()));
    }

    let domains = a.domains(P);
    domains.add("www.example.com").await.unwrap();
    for _ in 0..60 {
        let d = domains.refresh("www.example.com").await.unwrap();
        if d.cdn_status == CdnStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    domains.remove("www.example.com").await.unwrap();

    let mut errors = Vec::new();
    // A switch whose router write is refused: the credentials are "bad".
    // (A promote: a second rollback has nothing to roll back to.)
    wire.refuse_next("UpdateKeys", 1);
    errors.push(a.promote(P, second.id.as_str()).await.unwrap_err());
    // An upload refused as S3 refuses a bad signature.
    wire.refuse_next("PutObject", 100);
    let v3 = tmp.path().join("v3");
    copy_tree(&v1, &v3);
    make_variant(&v3, "v3");
    errors.push(a.deployer(P, &v3).execute().await.unwrap_err());
    wire.refuse_next("PutObject", 0);
    // Nothing there to roll back to, and no such domain: typed refusals.
    errors.push(a.rollback(P).to_version(999).execute().await.unwrap_err());
    errors.push(domains.remove("nowhere.example.com").await.unwrap_err());
    // Nobody listens at the endpoint.
    let closed = AwsConnection {
        endpoint_url: Some("http://127.0.0.1:9".into()),
        max_attempts: 2,
        ..m.connection.clone()
    };
    match open(m, &closed, wire).await {
        Err(e) => errors.push(e),
        Ok(b) => errors.push(b.create_project(P).await.unwrap_err()),
    }
    (errors, origin_secrets)
}

#[tokio::test]
async fn credentials_and_signatures_never_reach_logs_or_errors() {
    let logs = capture();
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let wire = Wire::default();
    let (errors, origin_secrets) = flow(&m, &wire).await;
    let text = logs.text();

    // The capture really holds the SDK's TRACE output and the calls made.
    assert!(
        text.contains("transmitting request"),
        "no SDK TRACE events captured"
    );
    for op in [
        "PutObject",
        "UpdateAlias",
        "TransactWriteItems",
        "RequestCertificate",
    ] {
        assert!(text.contains(op), "{op} is not in the captured logs");
    }
    // The credentials really went on the wire, so their absence means something.
    let signatures = wire.signatures();
    assert!(
        signatures.len() > 20,
        "{} signed requests",
        signatures.len()
    );
    let tokens = wire.tokens();
    assert!(!tokens.is_empty() && tokens.iter().all(|t| t == SESSION_TOKEN));
    // Both refusals happened, the one echoing the credentials included.
    for code in ["UnrecognizedClientException", "SignatureDoesNotMatch"] {
        assert!(
            errors.iter().any(|e| e.to_string().contains(code)),
            "no {code} in {errors:?}"
        );
    }

    eprintln!(
        "checked {} log lines ({} bytes), {} signed requests, {} errors",
        text.lines().count(),
        text.len(),
        signatures.len(),
        errors.len()
    );

    let rendered: Vec<String> = errors
        .iter()
        .flat_map(|e| {
            [
                e.to_string(),
                format!("{e:?}"),
                e.source_chain().unwrap_or_default(),
            ]
        })
        .collect();
    for (i, r) in rendered.iter().enumerate() {
        let error = &errors[i / 3];
        assert!(!r.contains(SECRET_KEY), "the secret key is in {error:?}");
        for secret in &origin_secrets {
            assert!(
                !r.contains(secret.as_str()),
                "an origin secret is in {error:?}"
            );
        }
        assert!(
            !r.contains(SESSION_TOKEN),
            "the session token is in {error:?}"
        );
        for s in &signatures {
            assert!(!r.contains(s.as_str()), "a signature is in {error:?}");
        }
        for param in ["X-Amz-Signature=", "X-Amz-Credential="] {
            assert!(!r.contains(param), "{param} is in {error:?}");
        }
    }

    assert!(!text.contains(SECRET_KEY), "the secret key was logged");
    // No exception: not the SDK's TRACE dumps of replies either.
    for secret in &origin_secrets {
        if let Some(line) = text.lines().find(|l| l.contains(secret.as_str())) {
            // Where the line starts (the operation) and where the secret is.
            let at = line.find(secret.as_str()).unwrap_or(0);
            let around: String = line
                .chars()
                .skip(line[..at].chars().count().saturating_sub(400))
                .take(800)
                .collect();
            let head: String = line.chars().take(200).collect();
            panic!(
                "a deployment's origin secret was logged: {head} ... {}",
                around.replace(secret.as_str(), "<ORIGIN SECRET>")
            );
        }
    }
    for param in ["X-Amz-Signature=", "X-Amz-Credential="] {
        assert!(!text.contains(param), "{param} was logged");
    }
    for line in text.lines() {
        assert!(
            !line.contains(SESSION_TOKEN),
            "the session token was logged: {line}"
        );
        for s in &signatures {
            assert!(!line.contains(s.as_str()), "a signature was logged: {line}");
        }
    }
}
