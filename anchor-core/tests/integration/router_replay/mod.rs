//! The offline harness of `aws_router_replay.rs`: real SDK clients whose
//! HTTP connector replays recorded responses in order, so the tests can
//! check what the code sent (method, path, If-Match, body) without AWS or
//! moto, which has none of these APIs.
//!
//! The connector is the few lines below rather than the SDK's
//! `StaticReplayClient`: that one comes with `aws-smithy-http-client`'s
//! `test-util` feature, which turns on serde_json's `preserve_order` for
//! the whole test build (changing the key order of every JSON document
//! the crate writes, such as the IAM policy in docs/aws.md) and pulls in
//! a protocol-test stack of about 40 crates.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use anchor_core::aws::{actions_for, CloudFrontCdn, CloudFrontKvs};
use aws_config::SdkConfig;
use aws_sdk_cloudfront::config::SharedInterceptor;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

pub mod fake_kvs;

use crate::aws_support::intercept::CallRecorder;

/// The account of every ARN in the tests.
pub const ACCOUNT: &str = "123456789012";
/// The store's id.
pub const STORE_ID: &str = "0a1b2c3d-1111-2222-3333-444455556666";
/// The store's ARN, as the data plane takes it.
pub const STORE_ARN: &str =
    "arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-1111-2222-3333-444455556666";
/// The router function's ARN.
pub const FUNCTION_ARN: &str = "arn:aws:cloudfront::123456789012:function/anchor-router";
/// CloudFront's XML namespace.
const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

/// A recorded response.
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    /// A response with `status` and `body`.
    pub fn new(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// CloudFront's XML error, as its control plane sends it.
    pub fn cloudfront_error(status: u16, code: &str) -> Self {
        Self::new(
            status,
            format!(
                "<ErrorResponse xmlns=\"{NS}\"><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>replayed {code}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
            ),
        )
        .header("content-type", "text/xml")
    }

    /// The KeyValueStore data plane's JSON error (restJson1).
    pub fn kvs_error(status: u16, code: &str) -> Self {
        Self::new(status, format!("{{\"Message\":\"replayed {code}\"}}"))
            .header("content-type", "application/json")
            .header("x-amzn-errortype", code)
    }

    fn into_http(self) -> HttpResponse {
        let status = match StatusCode::try_from(self.status) {
            Ok(status) => status,
            Err(e) => panic!("bad replayed status: {e}"),
        };
        let mut response = HttpResponse::new(status, SdkBody::from(self.body));
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// Answers each request with the next reply and keeps what was sent.
#[derive(Debug, Clone, Default)]
struct Connector {
    replies: Arc<Mutex<VecDeque<HttpResponse>>>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let uri = request.uri();
        let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let header = |name: &str| request.headers().get(name).map(str::to_string);
        self.sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Sent {
                method: request.method().to_string(),
                host: host.to_string(),
                path: path.to_string(),
                if_match: header("if-match"),
                signing: header("authorization")
                    .and_then(|a| a.split(' ').next().map(str::to_string))
                    .unwrap_or_default(),
                body: String::from_utf8_lossy(request.body().bytes().unwrap_or_default())
                    .into_owned(),
            });
        let next = self
            .replies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        HttpConnectorFuture::ready(next.ok_or_else(|| {
            ConnectorError::other("no reply was recorded for this call".into(), None)
        }))
    }
}

impl HttpClient for Connector {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// What one request carried.
#[derive(Debug, Clone)]
pub struct Sent {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The host it went to.
    pub host: String,
    /// Path and query, as sent (percent-encoded).
    pub path: String,
    /// The If-Match header, if any.
    pub if_match: Option<String>,
    /// The Authorization header's algorithm (first word).
    pub signing: String,
    /// The body as text.
    pub body: String,
}

pub use fake_kvs::sdk_config;

/// Real clients over a replay of `replies`, in order.
pub struct Replay {
    http: Connector,
    calls: CallRecorder,
    config: SdkConfig,
    expected: usize,
}

impl Replay {
    /// Clients that answer the n-th request with `replies[n]`. Retries are
    /// off, so every reply answers exactly one call.
    pub fn new(replies: Vec<Reply>) -> Self {
        let expected = replies.len();
        let http = Connector::default();
        http.replies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(replies.into_iter().map(Reply::into_http));
        let config = sdk_config(http.clone());
        Self {
            http,
            calls: CallRecorder::default(),
            config,
            expected,
        }
    }

    /// The CloudFront control plane.
    pub fn cdn(&self) -> CloudFrontCdn {
        let mut builder = aws_sdk_cloudfront::config::Builder::from(&self.config);
        builder.set_interceptors([SharedInterceptor::new(self.calls.clone())]);
        CloudFrontCdn::new(aws_sdk_cloudfront::Client::from_conf(builder.build()))
    }

    /// The configuration every client of this replay is built from.
    pub fn config(&self) -> &SdkConfig {
        &self.config
    }

    /// The KeyValueStore data plane, built as the backend builds it.
    pub fn kvs(&self) -> CloudFrontKvs {
        CloudFrontKvs::from_config(&self.config, &[SharedInterceptor::new(self.calls.clone())])
    }

    /// Every request sent so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.http
            .sent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The operations sent, in order.
    pub fn operations(&self) -> Vec<String> {
        self.calls.operations()
    }

    /// Every reply was used, no call more, and the IAM policy grants every
    /// operation that was sent (as the moto flow test checks for the rest).
    pub fn finish(&self) -> Vec<Sent> {
        let sent = self.sent();
        assert_eq!(
            sent.len(),
            self.expected,
            "expected {} calls, sent {:?}",
            self.expected,
            self.operations()
        );
        for (service, operation) in self.calls.calls() {
            assert!(
                actions_for(&service, &operation).is_some(),
                "{service}:{operation} is missing from aws::OPERATIONS"
            );
        }
        sent
    }
}

/// `value` as the SDK puts it in a path label.
pub fn label(value: &str) -> String {
    value.replace(':', "%3A").replace('/', "%2F")
}

/// A control-plane KeyValueStore in `status`.
pub fn store_xml(name: &str, status: &str) -> String {
    format!(
        "<KeyValueStore xmlns=\"{NS}\"><Name>{name}</Name><Id>{STORE_ID}</Id>\
         <Comment>router</Comment><ARN>{STORE_ARN}</ARN><Status>{status}</Status>\
         <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime></KeyValueStore>"
    )
}

/// A FunctionSummary of `stage` whose config has `comment` and reads `kvs`.
pub fn function_xml(stage: &str, comment: &str, kvs: &str) -> String {
    format!(
        "<FunctionSummary xmlns=\"{NS}\"><Name>anchor-router</Name><Status>UNASSOCIATED</Status>\
         <FunctionConfig><Comment>{comment}</Comment><Runtime>cloudfront-js-2.0</Runtime>\
         <KeyValueStoreAssociations><Quantity>1</Quantity><Items><KeyValueStoreAssociation>\
         <KeyValueStoreARN>{kvs}</KeyValueStoreARN></KeyValueStoreAssociation></Items>\
         </KeyValueStoreAssociations></FunctionConfig><FunctionMetadata>\
         <FunctionARN>{FUNCTION_ARN}</FunctionARN><Stage>{stage}</Stage>\
         <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime></FunctionMetadata>\
         </FunctionSummary>"
    )
}

/// The ARN of the account's viewer-response function.
pub const RESPONSE_FUNCTION_ARN: &str =
    "arn:aws:cloudfront::123456789012:function/anchor-viewer-response";

/// A viewer-response function's summary at `stage`: no store.
pub fn response_function_xml(stage: &str, comment: &str) -> String {
    format!(
        "<FunctionSummary xmlns=\"{NS}\"><Name>anchor-viewer-response</Name>\
         <Status>UNASSOCIATED</Status><FunctionConfig><Comment>{comment}</Comment>\
         <Runtime>cloudfront-js-2.0</Runtime></FunctionConfig><FunctionMetadata>\
         <FunctionARN>{RESPONSE_FUNCTION_ARN}</FunctionARN><Stage>{stage}</Stage>\
         <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime></FunctionMetadata>\
         </FunctionSummary>"
    )
}

/// One page of custom cache policies, `(id, name)` each.
pub fn cache_policy_page(policies: &[(&str, &str)], next_marker: Option<&str>) -> String {
    let items: String = policies
        .iter()
        .map(|(id, name)| {
            format!(
                "<CachePolicySummary><Type>custom</Type><CachePolicy><Id>{id}</Id>\
                 <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime><CachePolicyConfig>\
                 <Name>{name}</Name><MinTTL>0</MinTTL></CachePolicyConfig></CachePolicy>\
                 </CachePolicySummary>"
            )
        })
        .collect();
    let marker = next_marker
        .map(|m| format!("<NextMarker>{m}</NextMarker>"))
        .unwrap_or_default();
    format!(
        "<CachePolicyList xmlns=\"{NS}\">{marker}<MaxItems>100</MaxItems>\
         <Quantity>{}</Quantity><Items>{items}</Items></CachePolicyList>",
        policies.len()
    )
}

/// The reply of CreateCachePolicy with `id`.
pub fn created_cache_policy(id: &str, name: &str) -> Reply {
    Reply::new(
        201,
        format!(
            "<CachePolicy xmlns=\"{NS}\"><Id>{id}</Id>\
             <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime><CachePolicyConfig>\
             <Name>{name}</Name><MinTTL>0</MinTTL></CachePolicyConfig></CachePolicy>"
        ),
    )
    .header("content-type", "text/xml")
    .header("etag", "EPOLICY1")
}

/// The multi-tenant distribution of the tenant tests.
pub const TENANT_DISTRIBUTION: &str = "E1XNX8R2GOAABC";
/// A tenant's id, as CloudFront makes them.
pub const TENANT_ID: &str = "dt_2yN5tYwVbPKr7m2IB69M1yp1AB";
/// The connection group a tenant joined.
pub const CONNECTION_GROUP_ID: &str = "cg_2whCJoXMYCjHcxaLGrkllvyABC";
/// The ACM certificate of the tenant tests.
pub const TENANT_CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000002";

/// A DistributionTenant as CloudFront returns it: `name` serving `domain`
/// on [`TENANT_DISTRIBUTION`] with [`TENANT_CERT`], in
/// [`CONNECTION_GROUP_ID`], `enabled` or not, with `tags`. List members
/// are `member` elements, as the SDK's model (and so the service) writes
/// them, whatever the API reference's syntax block shows.
pub fn tenant_xml(name: &str, domain: &str, enabled: bool, tags: &[(&str, &str)]) -> String {
    let tags = if tags.is_empty() {
        String::new()
    } else {
        let items: String = tags
            .iter()
            .map(|(k, v)| format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"))
            .collect();
        format!("<Tags><Items>{items}</Items></Tags>")
    };
    format!(
        "<DistributionTenant xmlns=\"{NS}\"><Id>{TENANT_ID}</Id>\
         <DistributionId>{TENANT_DISTRIBUTION}</DistributionId><Name>{name}</Name>\
         <Arn>arn:aws:cloudfront::{ACCOUNT}:distribution-tenant/{TENANT_ID}</Arn>\
         <Domains><member><Domain>{domain}</Domain><Status>active</Status></member></Domains>\
         {tags}<Customizations><Certificate><Arn>{TENANT_CERT}</Arn></Certificate></Customizations>\
         <ConnectionGroupId>{CONNECTION_GROUP_ID}</ConnectionGroupId>\
         <CreatedTime>2026-12-01T00:00:00Z</CreatedTime>\
         <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime>\
         <Enabled>{enabled}</Enabled><Status>Deployed</Status></DistributionTenant>"
    )
}

/// A reply carrying [`tenant_xml`] with `status` and `etag`.
pub fn tenant_reply(status: u16, etag: &str, xml: String) -> Reply {
    Reply::new(status, xml)
        .header("content-type", "text/xml")
        .header("etag", etag)
}

/// The routing endpoint of Anchor's connection group in the tests.
pub const ROUTING_ENDPOINT: &str = "d111111abcdef8.cloudfront.net";

/// Anchor's connection group ([`CONNECTION_GROUP_ID`], named `anchor`) as
/// GetConnectionGroup and CreateConnectionGroup return it.
pub fn connection_group_reply(status: u16) -> Reply {
    Reply::new(
        status,
        format!(
            "<ConnectionGroup xmlns=\"{NS}\"><Id>{CONNECTION_GROUP_ID}</Id><Name>anchor</Name>\
             <Arn>arn:aws:cloudfront::{ACCOUNT}:connection-group/{CONNECTION_GROUP_ID}</Arn>\
             <CreatedTime>2026-12-01T00:00:00Z</CreatedTime>\
             <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime>\
             <Ipv6Enabled>true</Ipv6Enabled><RoutingEndpoint>{ROUTING_ENDPOINT}</RoutingEndpoint>\
             <Status>Deployed</Status><Enabled>true</Enabled><IsDefault>false</IsDefault>\
             </ConnectionGroup>"
        ),
    )
    .header("content-type", "text/xml")
    .header("etag", "EGROUP1")
}

/// One page of distribution summaries, `(id, comment)` each.
pub fn distribution_page(distributions: &[(&str, &str)]) -> Reply {
    let items: String = distributions
        .iter()
        .map(|(id, comment)| {
            format!(
                "<DistributionSummary><Id>{id}</Id>\
                 <ARN>arn:aws:cloudfront::{ACCOUNT}:distribution/{id}</ARN>\
                 <Status>Deployed</Status><LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime>\
                 <DomainName>{}.cloudfront.net</DomainName><Comment>{comment}</Comment>\
                 <Enabled>true</Enabled></DistributionSummary>",
                id.to_ascii_lowercase()
            )
        })
        .collect();
    Reply::new(
        200,
        format!(
            "<DistributionList xmlns=\"{NS}\"><Marker></Marker><MaxItems>100</MaxItems>\
             <IsTruncated>false</IsTruncated><Quantity>{}</Quantity><Items>{items}</Items>\
             </DistributionList>",
            distributions.len()
        ),
    )
    .header("content-type", "text/xml")
}

/// A Distribution reply (CreateDistribution's 201, UpdateDistribution's
/// 200): distribution `id` with `comment`.
pub fn distribution_reply(status: u16, id: &str, comment: &str) -> Reply {
    Reply::new(
        status,
        format!(
            "<Distribution xmlns=\"{NS}\"><Id>{id}</Id>\
             <ARN>arn:aws:cloudfront::{ACCOUNT}:distribution/{id}</ARN><Status>InProgress</Status>\
             <LastModifiedTime>2026-12-01T00:00:00Z</LastModifiedTime>\
             <InProgressInvalidationBatches>0</InProgressInvalidationBatches>\
             <DomainName>{}.cloudfront.net</DomainName><DistributionConfig>\
             <CallerReference>anchor-x</CallerReference><Comment>{comment}</Comment>\
             <Enabled>true</Enabled></DistributionConfig></Distribution>",
            id.to_ascii_lowercase()
        ),
    )
    .header("content-type", "text/xml")
    .header("etag", "EDIST1")
}

/// GetDistributionConfig's reply for a distribution whose connection mode
/// is `mode` (`tenant-only` or `direct`), ETag `etag`.
pub fn distribution_config_reply(mode: &str, etag: &str) -> Reply {
    Reply::new(
        200,
        format!(
            "<DistributionConfig xmlns=\"{NS}\"><CallerReference>anchor-shop</CallerReference>\
             <Origins><Quantity>1</Quantity><Items><Origin><Id>assets</Id>\
             <DomainName>b.s3.eu-west-1.amazonaws.com</DomainName></Origin></Items></Origins>\
             <DefaultCacheBehavior><TargetOriginId>assets</TargetOriginId>\
             <ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>\
             <CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>\
             </DefaultCacheBehavior><Comment>anchor:shop</Comment><Enabled>true</Enabled>\
             <ConnectionMode>{mode}</ConnectionMode></DistributionConfig>"
        ),
    )
    .header("content-type", "text/xml")
    .header("etag", etag)
}
