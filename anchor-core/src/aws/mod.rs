//! The AWS backend: every core trait implemented with the official AWS
//! crates on tokio.
//!
//! | trait | service | module |
//! |---|---|---|
//! | [`crate::traits::ObjectStore`] | S3 | `s3` |
//! | [`crate::traits::Functions`] | Lambda | `lambda` |
//! | [`crate::traits::Cdn`] | CloudFront | `cloudfront` |
//! | [`crate::traits::KeyValueStore`] | CloudFront KeyValueStore | `cloudfront::kvs` |
//! | [`crate::traits::Certificates`] | ACM (us-east-1) | `acm` |
//! | [`crate::traits::StateStore`] | DynamoDB | `dynamodb` |
//! | [`crate::traits::Revalidation`] | SQS, Lambda, DynamoDB | `revalidation`, `sqs` |
//! | [`crate::traits::HealthGate`] | CloudWatch alarms; a probe URL | `alarm_gate`, `probe_gate` |
//!
//! All clients come from one `SdkConfig` ([`AwsConnection`]), with explicit
//! retry settings; every SDK failure becomes [`crate::Error`] naming the AWS
//! operation and resource.

mod acm;
mod alarm_gate;
mod backend;
mod cloudfront;
mod config;
mod dynamodb;
mod errors;
mod execution_role;
mod iam;
mod lambda;
mod probe_gate;
mod provision;
mod revalidation;
mod s3;
mod sqs;

pub use acm::AcmCertificates;
pub use alarm_gate::{AlarmGate, MAX_GATE_ALARMS};
pub use backend::{open_backend, AwsOptions};
pub use cloudfront::{
    CloudFrontCdn, DistributionSpec, OriginAccessControls, TenantConnectionGroup,
    ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY, CACHING_DISABLED_POLICY, CACHING_OPTIMIZED_POLICY,
    MAX_INVALIDATION_PATHS, MAX_INVALIDATION_WILDCARDS, TENANT_CONNECTION_GROUP_NAME,
};
// The edge router's resources.
pub use cloudfront::{
    router_cache_policy_config, CloudFrontKvs, RouterResources, RouterStore, StoreReadyPoll,
    CACHE_KEY_HEADER, CACHE_POLICY_DEFAULT_TTL, CACHE_POLICY_MAX_TTL, CACHE_POLICY_MIN_TTL,
    CACHE_POLICY_QUOTA, MAX_FUNCTION_CODE_BYTES, ROUTER_CACHE_POLICY_NAME,
    ROUTER_FUNCTION_ATTEMPTS, ROUTER_FUNCTION_NAME, ROUTER_FUNCTION_RUNTIME, ROUTER_STORE_NAME,
    VIEWER_RESPONSE_FUNCTION_NAME,
};
pub use config::{AwsClients, AwsConnection, CERTIFICATE_REGION};
pub use dynamodb::{DynamoStateStore, TableNames, PROJECT_ID_INDEX};
pub use execution_role::execution_role_policy;
pub use iam::{actions_for, iam_policy, IamPolicyScope, ProjectPolicyScope, OPERATIONS};
pub use lambda::{
    placeholder_zip, FunctionSpec, LambdaFunctions, DEFAULT_ARCHITECTURE, DEFAULT_RUNTIME,
    PLACEHOLDER_MESSAGE, REVALIDATION_BATCH_SIZE,
};
pub use probe_gate::{ProbeGate, MAX_PROBE_REQUESTS};
pub use provision::{AwsProvisioner, AwsRouter, ProvisionTarget};
pub use revalidation::{
    AwsRevalidation, RevalidationTarget, DEAD_LETTER_RETENTION_SECS, MAX_RECEIVE_COUNT,
    QUEUE_RECEIVE_WAIT_SECS, QUEUE_VISIBILITY_TIMEOUT_SECS,
};
pub(crate) use s3::location_of;
pub use s3::{MultipartSettings, S3ObjectStore};
