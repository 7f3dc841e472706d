//! The AWS backend: every core trait implemented with the official AWS
//! crates on tokio.
//!
//! | trait | service | module |
//! |---|---|---|
//! | [`crate::traits::ObjectStore`] | S3 | `s3` |
//! | [`crate::traits::Functions`] | Lambda | `lambda` |
//! | [`crate::traits::Cdn`] | CloudFront | `cloudfront` |
//! | [`crate::traits::Certificates`] | ACM (us-east-1) | `acm` |
//! | [`crate::traits::StateStore`] | DynamoDB | `dynamodb` |
//!
//! All clients come from one `SdkConfig` ([`AwsConnection`]), with explicit
//! retry settings; every SDK failure becomes [`crate::Error`] naming the AWS
//! operation and resource.

mod acm;
mod cloudfront;
mod config;
mod errors;

pub use acm::AcmCertificates;
pub use cloudfront::{
    CloudFrontCdn, DistributionSpec, OriginAccessControls, ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY,
    CACHING_DISABLED_POLICY, CACHING_OPTIMIZED_POLICY, MAX_INVALIDATION_PATHS,
    MAX_INVALIDATION_WILDCARDS,
};
pub use config::{AwsClients, AwsConnection, CERTIFICATE_REGION};
