//! Where one side of a run stores: moto (every service), s3s-fs (S3 on a
//! fast local server, the other services on moto) or the embedded default,
//! and how Anchor is opened there.

use std::path::PathBuf;
use std::sync::Arc;

use anchor_core::aws::{
    open_backend, AwsClients, AwsConnection, AwsOptions, MultipartSettings, S3ObjectStore,
};
use anchor_core::Anchor;
use aws_sdk_s3::config::{Credentials, SharedInterceptor};

use super::meter::RequestMeter;
use super::Fail;

/// The region every AWS-shaped endpoint is addressed in.
pub const REGION: &str = "eu-west-1";
/// The dummy key pair: the endpoints are loopback emulators that accept
/// any key; these name no account.
pub const ACCESS_KEY: &str = "anchor-bench";
/// The dummy secret.
pub const SECRET_KEY: &str = "anchor-bench-secret";
/// The Lambda execution role created in moto's IAM.
pub const ROLE_NAME: &str = crate::MOTO_ROLE_NAME;
/// The role's ARN in moto's default account.
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/anchor-bench-lambda";

/// One place to run against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Every service on one moto server.
    Moto {
        /// `http://127.0.0.1:<port>`.
        moto: String,
    },
    /// S3 on s3s-fs; Lambda, DynamoDB and CloudFront on moto.
    S3s {
        /// The s3s-fs address.
        s3: String,
        /// The moto address.
        moto: String,
    },
    /// The embedded default (SQLite and local files) in a folder.
    Embedded {
        /// Its state folder.
        dir: PathBuf,
    },
}

impl Endpoint {
    /// The name in report rows.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Moto { .. } => "moto",
            Self::S3s { .. } => "s3s-fs",
            Self::Embedded { .. } => "embedded",
        }
    }

    /// The S3 endpoint `aws s3 sync` talks to; `None` for the embedded default.
    pub fn s3_url(&self) -> Option<&str> {
        match self {
            Self::Moto { moto } => Some(moto),
            Self::S3s { s3, .. } => Some(s3),
            Self::Embedded { .. } => None,
        }
    }

    /// The arguments that name this endpoint to the `deploy` subcommand.
    pub fn to_args(&self) -> Vec<String> {
        match self {
            Self::Moto { moto } => vec!["--moto".into(), moto.clone()],
            Self::S3s { s3, moto } => {
                vec!["--moto".into(), moto.clone(), "--s3s".into(), s3.clone()]
            }
            Self::Embedded { dir } => vec!["--embedded".into(), dir.display().to_string()],
        }
    }
}

/// Anchor's tunables for one run.
#[derive(Debug, Clone, Default)]
pub struct Tuning {
    /// `FlowSettings.upload_concurrency`; `None` keeps Anchor's default.
    pub upload_concurrency: Option<usize>,
    /// `MultipartSettings.concurrency`; `None` keeps Anchor's default.
    pub multipart_concurrency: Option<usize>,
}

async fn sdk_config(url: &str) -> aws_config::SdkConfig {
    AwsConnection {
        region: Some(REGION.into()),
        endpoint_url: Some(url.into()),
        ..AwsConnection::default()
    }
    .loader()
    .credentials_provider(Credentials::new(
        ACCESS_KEY, SECRET_KEY, None, None, "bench",
    ))
    .load()
    .await
}

/// An S3 client for `url` (path-style, dummy credentials), metered if asked.
pub async fn s3_client(url: &str, meter: Option<&RequestMeter>) -> aws_sdk_s3::Client {
    let interceptors: Vec<SharedInterceptor> = meter
        .map(|m| SharedInterceptor::new(m.clone()))
        .into_iter()
        .collect();
    AwsClients::with_interceptors(&sdk_config(url).await, &interceptors).s3
}

/// Opens Anchor on `endpoint` with `bucket` for assets; every AWS request
/// is counted by `meter`.
pub async fn open(
    endpoint: &Endpoint,
    bucket: &str,
    tuning: &Tuning,
    meter: &RequestMeter,
) -> Result<Anchor, Fail> {
    let mut settings = anchor_core::FlowSettings::default();
    if let Some(n) = tuning.upload_concurrency {
        settings.upload_concurrency = n;
    }
    let mut multipart = MultipartSettings::default();
    if let Some(n) = tuning.multipart_concurrency {
        multipart.concurrency = n;
    }
    let moto = match endpoint {
        Endpoint::Embedded { dir } => {
            let options = anchor_core::LocalOptions {
                settings,
                ..anchor_core::LocalOptions::default()
            };
            return Ok(Anchor::local_with(dir, options).await?);
        }
        Endpoint::Moto { moto } | Endpoint::S3s { moto, .. } => moto,
    };
    let mut options = AwsOptions::new(bucket);
    options.execution_role_arn = Some(ROLE_ARN.into());
    options.interceptors = vec![SharedInterceptor::new(meter.clone())];
    // moto's DynamoDB transactions are not atomic; the AWS tests do the same.
    options.serialize_state_writes = true;
    options.multipart = multipart.clone();
    let mut backend = open_backend(&sdk_config(moto).await, &options).await?;
    if let Endpoint::S3s { s3, .. } = endpoint {
        // Same backend, but the asset store on s3s-fs.
        let client = s3_client(s3, Some(meter)).await;
        backend.objects = Arc::new(S3ObjectStore::with_multipart(client, bucket, multipart));
    }
    Ok(Anchor::builder(backend).settings(settings).build())
}

/// Creates `bucket` on the S3 endpoint at `url` unless it exists.
pub async fn ensure_bucket(url: &str, bucket: &str) -> Result<(), Fail> {
    let client = s3_client(url, None).await;
    anchor_testing::buckets::ensure_bucket(&client, bucket, REGION)
        .await
        .map_err(|e| Fail::during(&format!("CreateBucket {bucket} on {url}"), e))
}

/// Empties moto (`POST /moto-api/reset`) and creates the Lambda execution
/// role, which moto's Lambda requires to exist.
pub fn reset_moto(moto: &str) -> Result<(), Fail> {
    anchor_testing::moto_control::reset(moto)
        .and_then(|()| anchor_testing::moto_control::create_role(moto, ROLE_NAME))
        .map(drop)
        .map_err(|e| Fail::during(&format!("resetting moto at {moto}"), e))
}
