//! CloudFront: the [`Cdn`](crate::traits::Cdn) trait ([`CloudFrontCdn`]),
//! and the idempotent provisioning helpers the provisioner calls once per
//! project (origin access controls and the distribution itself).
//!
//! The edge router's resources, shared by every project of the account:
//! its KeyValueStore (`router_store`, control plane; `kvs`, the
//! [`KeyValueStore`](crate::traits::KeyValueStore) data plane), its
//! viewer-request function (`router_function`) and the cache policy of
//! the server and image behaviours (`cache_policy`).
//!
//! Custom domains in tenant mode: the distribution tenants (`tenants`) and
//! the connection group they join (`connection_group`).

mod behaviors;
mod cache_policy;
mod cdn;
mod checks;
mod connection_group;
mod distribution;
mod kvs;
mod managed;
mod oac;
mod relayout;
mod router_function;
mod router_resources;
mod router_store;
mod spec;
mod tenants;

pub use cache_policy::{
    router_cache_policy_config, CACHE_KEY_HEADER, CACHE_POLICY_DEFAULT_TTL, CACHE_POLICY_MAX_TTL,
    CACHE_POLICY_MIN_TTL, CACHE_POLICY_QUOTA, ROUTER_CACHE_POLICY_NAME,
};
pub use cdn::CloudFrontCdn;
pub use checks::{MAX_INVALIDATION_PATHS, MAX_INVALIDATION_WILDCARDS};
pub use connection_group::{TenantConnectionGroup, TENANT_CONNECTION_GROUP_NAME};
pub use kvs::CloudFrontKvs;
pub use oac::OriginAccessControls;
pub use router_function::{
    MAX_FUNCTION_CODE_BYTES, ROUTER_FUNCTION_ATTEMPTS, ROUTER_FUNCTION_NAME,
    ROUTER_FUNCTION_RUNTIME, VIEWER_RESPONSE_FUNCTION_NAME,
};
pub use router_resources::RouterResources;
pub use router_store::{RouterStore, StoreReadyPoll, ROUTER_STORE_NAME};
pub use spec::{
    DistributionSpec, ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY, CACHING_DISABLED_POLICY,
    CACHING_OPTIMIZED_POLICY,
};

use aws_smithy_types::error::operation::BuildError;

use crate::error::{Error, Service};

/// A request the SDK refused to build (a required field left unset): a bug
/// of ours, reported as a non-retryable service error of `operation`.
fn build_error(operation: &'static str) -> impl Fn(BuildError) -> Error {
    move |e| {
        Error::service(
            "aws",
            Service::Cdn,
            operation,
            format!("request not built: {e}"),
        )
    }
}
