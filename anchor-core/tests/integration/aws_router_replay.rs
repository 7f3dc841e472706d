//! The edge router's AWS resources, offline: the KeyValueStore data plane
//! ([`CloudFrontKvs`]) and the control plane's store, function and cache
//! policy on [`CloudFrontCdn`]; and custom domains in tenant mode (the
//! distribution tenants, their connection group, and what a multi-tenant
//! distribution is sent). moto has none of these APIs, so each test
//! replays CloudFront's responses to the real SDK clients and checks the
//! exact requests (method, path, If-Match, body) and how error responses
//! map to [`Error`]. Every test also checks that the IAM policy grants each
//! operation it sent.

use crate::router_replay;

#[path = "router_replay_cases/cache_policy.rs"]
mod cache_policy;
#[path = "router_replay_cases/function.rs"]
mod function;
#[path = "router_replay_cases/kvs.rs"]
mod kvs;
#[path = "router_replay_cases/multi_tenant.rs"]
mod multi_tenant;
#[path = "router_replay_cases/pairs.rs"]
mod pairs;
#[path = "router_replay_cases/store.rs"]
mod store;
#[path = "router_replay_cases/tenants.rs"]
mod tenants;

use std::time::Duration;

use anchor_core::aws::{
    StoreReadyPoll, CACHE_KEY_HEADER, CACHE_POLICY_MAX_TTL, MAX_FUNCTION_CODE_BYTES,
    ROUTER_CACHE_POLICY_NAME, ROUTER_FUNCTION_NAME, ROUTER_STORE_NAME,
    VIEWER_RESPONSE_FUNCTION_NAME,
};
use anchor_core::traits::{
    Cdn, KeyValueStore, KvsUpdate, TenantSpec, MAX_KVS_UPDATE_ITEMS, MAX_KVS_VALUE_BYTES,
};
use anchor_core::{Error, ResourceKind};
use base64::Engine;
use router_replay::fake_kvs::FakeKvs;
use router_replay::{
    cache_policy_page, connection_group_reply, created_cache_policy, distribution_config_reply,
    distribution_page, distribution_reply, function_xml, label, response_function_xml, store_xml,
    tenant_reply, tenant_xml, Replay, Reply, CONNECTION_GROUP_ID, FUNCTION_ARN,
    RESPONSE_FUNCTION_ARN, ROUTING_ENDPOINT, STORE_ARN, STORE_ID, TENANT_CERT, TENANT_DISTRIBUTION,
    TENANT_ID,
};
use sha2::{Digest, Sha256};

pub(crate) const KVS_HOST: &str = "123456789012.cloudfront-kvs.global.api.aws";
pub(crate) const CODE: &str = "async function handler(event) { return event.request; }";

pub(crate) fn kvs_path(suffix: &str) -> String {
    format!("/key-value-stores/{}{suffix}", label(STORE_ARN))
}

pub(crate) fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply::new(status, body.to_string()).header("content-type", "application/json")
}

pub(crate) fn described(etag: &str, items: u64, bytes: u64) -> Reply {
    json(
        200,
        serde_json::json!({
            "ItemCount": items, "TotalSizeInBytes": bytes, "KvsARN": STORE_ARN,
            "Created": 1_764_547_200, "Status": "READY"
        }),
    )
    .header("etag", etag)
}

pub(crate) fn xml(status: u16, body: String) -> Reply {
    Reply::new(status, body).header("content-type", "text/xml")
}

pub(crate) fn comment_for(code: &str) -> String {
    let hex: String = Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("anchor-router sha256:{hex}")
}

pub(crate) fn precondition_on(e: &Error, kind: ResourceKind) -> bool {
    matches!(e, Error::PreconditionFailed { kind: k, .. } if *k == kind)
}

pub(crate) fn invalid_on(e: &Error, field: &str) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if f == field)
}
