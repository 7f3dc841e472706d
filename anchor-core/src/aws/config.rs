//! One `SdkConfig` from the standard chain, and the clients cloned from it.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::{SharedHttpClient, SharedInterceptor};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{tls, Builder, ConnectorBuilder};

/// The region ACM certificates must live in for CloudFront to use them.
pub const CERTIFICATE_REGION: &str = "us-east-1";

/// How to reach AWS. Every field is optional; unset fields come from the
/// standard chain (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL`, the
/// shared config files, instance and container credentials).
#[derive(Debug, Clone)]
pub struct AwsConnection {
    /// The region of S3, Lambda and DynamoDB. ACM always uses us-east-1.
    pub region: Option<String>,
    /// A named profile of the shared config files.
    pub profile: Option<String>,
    /// An endpoint for every service, overriding `AWS_ENDPOINT_URL`; used
    /// for local emulators. S3 then uses path-style addressing.
    pub endpoint_url: Option<String>,
    /// Attempts per call, the first included, for throttling, 5xx and
    /// transport errors (standard retry mode with jittered backoff).
    pub max_attempts: u32,
    /// The first retry's base delay; it doubles per attempt.
    pub initial_backoff: Duration,
    /// The longest one attempt may take before it is retried.
    pub attempt_timeout: Duration,
}

impl Default for AwsConnection {
    fn default() -> Self {
        Self {
            region: None,
            profile: None,
            endpoint_url: None,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

impl AwsConnection {
    /// The retry settings every client uses.
    pub fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts.max(1))
            .with_initial_backoff(self.initial_backoff)
    }

    /// Loads the shared `SdkConfig` from the standard chain and these overrides.
    pub async fn load(&self) -> SdkConfig {
        self.loader().load().await
    }

    /// The loader [`AwsConnection::load`] uses, to add settings of your own
    /// (such as a credentials provider that assumes a role) before loading.
    pub fn loader(&self) -> aws_config::ConfigLoader {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(self.retry_config())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(self.attempt_timeout)
                    .build(),
            );
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        loader
    }
}

/// The HTTP client every AWS call and credential lookup uses: the SDK's own
/// hyper client, as its `default-https-client` feature builds it (proxy from
/// `HTTPS_PROXY`/`NO_PROXY`, the platform's trusted roots), except that
/// rustls runs on ring instead of aws-lc, which halves the cost of building
/// the Python and Node packages (issue 16).
pub fn https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, runtime_components| {
        let mut connector = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = runtime_components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The six service clients, all cloned from one `SdkConfig`.
#[derive(Debug, Clone)]
pub struct AwsClients {
    /// S3, path-style when a custom endpoint is set.
    pub s3: aws_sdk_s3::Client,
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// CloudFront.
    pub cloudfront: aws_sdk_cloudfront::Client,
    /// ACM, pinned to us-east-1.
    pub acm: aws_sdk_acm::Client,
    /// DynamoDB.
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// SQS, for the revalidation queues.
    pub sqs: aws_sdk_sqs::Client,
}

impl AwsClients {
    /// Builds every client from `config`.
    pub fn new(config: &SdkConfig) -> Self {
        Self::with_interceptors(config, &[])
    }

    /// Builds every client from `config`, each running `interceptors` on
    /// every call (to record, meter or inject faults into requests).
    pub fn with_interceptors(config: &SdkConfig, interceptors: &[SharedInterceptor]) -> Self {
        let custom_endpoint = config.endpoint_url().is_some();
        macro_rules! client {
            ($krate:ident, $builder:expr) => {{
                let mut builder = $builder;
                builder.set_interceptors(interceptors.iter().cloned());
                $krate::Client::from_conf(builder.build())
            }};
        }
        Self {
            s3: client!(
                aws_sdk_s3,
                aws_sdk_s3::config::Builder::from(config).force_path_style(custom_endpoint)
            ),
            lambda: client!(
                aws_sdk_lambda,
                aws_sdk_lambda::config::Builder::from(config)
            ),
            cloudfront: client!(
                aws_sdk_cloudfront,
                aws_sdk_cloudfront::config::Builder::from(config)
            ),
            acm: client!(
                aws_sdk_acm,
                aws_sdk_acm::config::Builder::from(config)
                    .region(Region::from_static(CERTIFICATE_REGION))
            ),
            dynamodb: client!(
                aws_sdk_dynamodb,
                aws_sdk_dynamodb::config::Builder::from(config)
            ),
            sqs: client!(aws_sdk_sqs, aws_sdk_sqs::config::Builder::from(config)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No SDK crate enables `default-https-client` (issue 16), so a config
    /// without the loader's client would fail every call with "no HTTP
    /// client"; the loader must always set one, credentials included.
    #[tokio::test]
    async fn the_loaded_config_carries_the_ring_https_client() {
        let connection = AwsConnection {
            region: Some("eu-west-1".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
            ..AwsConnection::default()
        };
        let config = connection.load().await;
        assert!(
            config.http_client().is_some(),
            "the loader set no HTTP client"
        );
        let clients = AwsClients::new(&config);
        assert!(clients.s3.config().http_client().is_some());
        assert!(clients.acm.config().http_client().is_some());
    }
}
