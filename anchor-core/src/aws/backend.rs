//! Wiring the AWS clients into one [`Backend`].

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_s3::config::SharedInterceptor;

use super::{
    AcmCertificates, AwsClients, AwsConnection, AwsProvisioner, AwsRevalidation, AwsRouter,
    CloudFrontCdn, CloudFrontKvs, DynamoStateStore, LambdaFunctions, MultipartSettings,
    ProvisionTarget, RevalidationTarget, S3ObjectStore, TableNames,
};
use crate::error::{Error, Result};
use crate::model::{DomainLimits, DomainMode};
use crate::traits::Backend;

/// Everything [`open_backend`] needs to know.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// Region, profile, endpoint and retry settings.
    pub connection: AwsConnection,
    /// The asset bucket, created by provisioning if missing. Each project
    /// keeps its assets under the prefix of its name.
    pub bucket: String,
    /// The DynamoDB tables are `<prefix>-projects`, `-deployments`,
    /// `-domains` and `-rollbacks`.
    pub table_prefix: String,
    /// Create missing tables when opening (idempotent). Turn off when the
    /// tables are managed elsewhere and the caller may not create them.
    pub create_tables: bool,
    /// The Lambda execution role of the functions provisioning creates.
    pub execution_role_arn: Option<String>,
    /// Large-file uploads.
    pub multipart: MultipartSettings,
    /// Interceptors every client runs on every call, such as a meter.
    pub interceptors: Vec<SharedInterceptor>,
    /// Run this process's state-store writes one at a time. Only for
    /// emulators (moto) whose transactions and counters are not atomic;
    /// DynamoDB itself needs no help.
    pub serialize_state_writes: bool,
    /// How new projects get the edge router (`docs/router.md`): by
    /// default Anchor finds or creates the account's shared one.
    pub router: AwsRouter,
    /// The SDK configuration of the router's own CloudFront calls (its
    /// cache policy, function and KeyValueStore, control and data plane),
    /// when they must go elsewhere than the rest: for emulators that lack
    /// those APIs. `None` uses the main configuration.
    pub router_config: Option<SdkConfig>,
    /// The account's domain quotas: AWS's defaults unless raised in
    /// Service Quotas. `Anchor::aws` holds domains to them, and CloudFront's
    /// own refusals name them.
    pub domain_limits: DomainLimits,
    /// How new projects' custom domains reach their distribution:
    /// [`DomainMode::Aliases`] (the default, as every project before
    /// tenants) provisions a standard distribution whose domains are its
    /// alternate names; [`DomainMode::Tenants`] a multi-tenant one whose
    /// domains are one distribution tenant each, in Anchor's connection
    /// group (`docs/domains-at-scale.md`). Existing projects keep the mode
    /// they were made with.
    pub domain_mode: DomainMode,
}

impl AwsOptions {
    /// Options for `bucket`, everything else from the standard chain.
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            connection: AwsConnection::default(),
            bucket: bucket.into(),
            table_prefix: "anchor".into(),
            create_tables: true,
            execution_role_arn: None,
            multipart: MultipartSettings::default(),
            interceptors: Vec::new(),
            serialize_state_writes: false,
            router: AwsRouter::default(),
            router_config: None,
            domain_limits: DomainLimits::default(),
            domain_mode: DomainMode::Aliases,
        }
    }
}

/// The AWS clients as one [`Backend`], from a loaded `config` (see
/// [`AwsConnection::load`]), creating the DynamoDB tables first when
/// `options.create_tables` is set. Fails with `InvalidInput`, before any
/// call, when `config` has no region, the bucket name is empty or
/// `options.domain_limits` is one no domain could meet.
pub async fn open_backend(config: &SdkConfig, options: &AwsOptions) -> Result<Backend> {
    // Before any call: a bad limit creates no table.
    options.domain_limits.validate()?;
    let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
        Error::invalid_input(
            "region",
            "no AWS region is configured; set AWS_REGION or pass connection.region",
        )
    })?;
    if options.bucket.is_empty() {
        return Err(Error::invalid_input("bucket", "must not be empty"));
    }
    let clients = AwsClients::with_interceptors(config, &options.interceptors);
    let store = DynamoStateStore::new(
        clients.dynamodb.clone(),
        TableNames::with_prefix(&options.table_prefix),
    )
    .serialize_writes(options.serialize_state_writes);
    if options.create_tables {
        store.ensure_tables().await?;
    }
    let objects = S3ObjectStore::with_multipart(
        clients.s3.clone(),
        &options.bucket,
        options.multipart.clone(),
    );
    let functions = LambdaFunctions::new(clients.lambda.clone())
        .with_base_environment(bucket_environment(&options.bucket, &region))
        .with_code_staging(objects.clone(), "_anchor/code");
    let revalidation = AwsRevalidation::new(
        clients.sqs.clone(),
        clients.dynamodb.clone(),
        functions.clone(),
        RevalidationTarget {
            region: region.clone(),
            table_prefix: options.table_prefix.clone(),
            execution_role_arn: options.execution_role_arn.clone(),
        },
    );
    let cdn = CloudFrontCdn::new(clients.cloudfront.clone()).with_limits(options.domain_limits);
    let router_sdk = options.router_config.as_ref().unwrap_or(config);
    let router_cdn = CloudFrontCdn::new(
        AwsClients::with_interceptors(router_sdk, &options.interceptors).cloudfront,
    );
    let provisioner = AwsProvisioner::new(
        clients.s3.clone(),
        functions.clone(),
        cdn.clone(),
        ProvisionTarget {
            bucket: options.bucket.clone(),
            region,
            execution_role_arn: options.execution_role_arn.clone(),
        },
    )
    .with_router(options.router.clone(), router_cdn)
    .with_domain_mode(options.domain_mode);
    Ok(Backend {
        store: Arc::new(store),
        objects: Arc::new(objects),
        functions: Arc::new(functions),
        cdn: Arc::new(cdn),
        certificates: Arc::new(AcmCertificates::new(clients.acm.clone())),
        // Read and written only for projects whose infrastructure names a
        // router store.
        kvs: Arc::new(CloudFrontKvs::from_config(
            router_sdk,
            &options.interceptors,
        )),
        revalidation: Arc::new(revalidation),
        provisioner: Arc::new(provisioner),
    })
}

/// The variables OpenNext's functions read to find the asset bucket; the
/// flows add the key prefixes.
fn bucket_environment(bucket: &str, region: &str) -> std::collections::BTreeMap<String, String> {
    [
        ("BUCKET_NAME", bucket),
        ("BUCKET_REGION", region),
        ("CACHE_BUCKET_NAME", bucket),
        ("CACHE_BUCKET_REGION", region),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
