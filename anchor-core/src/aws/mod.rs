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

mod config;
mod dynamodb;
mod errors;
mod s3;

pub use config::{AwsClients, AwsConnection, CERTIFICATE_REGION};
pub use dynamodb::{DynamoStateStore, TableNames, PROJECT_ID_INDEX};
pub use s3::{MultipartSettings, S3ObjectStore};
mod lambda;

pub use config::{AwsClients, AwsConnection, CERTIFICATE_REGION};
pub use lambda::{
    placeholder_zip, FunctionSpec, LambdaFunctions, DEFAULT_ARCHITECTURE, DEFAULT_RUNTIME,
    PLACEHOLDER_MESSAGE,
};
