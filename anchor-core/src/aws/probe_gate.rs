//! [`ProbeGate`]: a rollout's health gate on a probe URL's error rate,
//! sent to the candidate alone.

use std::time::Duration;

use async_trait::async_trait;
use aws_smithy_http_client::{tls, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;

use crate::error::{Error, Result, Service};
use crate::router::PREVIEW_HEADER;
use crate::traits::{GateCheck, GateVerdict, HealthGate};

/// The most requests one check sends.
pub const MAX_PROBE_REQUESTS: u32 = 1_000;

/// Healthy while at most `max_error_rate` of `requests` GETs of `url` fail.
/// Each request carries `x-anchor-preview: v<candidate version>`, so the
/// router sends it to the candidate whatever the split: the probe judges
/// the new deployment, not the mix. A failure is a 5xx answer, no answer
/// within the timeout, or no connection; 4xx answers count as answers (a
/// page may be private). Requests go one after another, through the same
/// HTTP client as every AWS call.
#[derive(Debug, Clone)]
pub struct ProbeGate {
    url: String,
    requests: u32,
    max_error_rate: f64,
    timeout: Duration,
}

impl ProbeGate {
    /// A gate that sends `requests` GETs of `url` (an `http` or `https`
    /// URL of the site, such as `https://shop.example.com/api/health`) and
    /// fails above `max_error_rate` (a fraction in [0, 1]). Fails with
    /// `InvalidInput` naming `probe.url`, `probe.requests` (1 to
    /// [`MAX_PROBE_REQUESTS`]) or `probe.max_error_rate`.
    pub fn new(url: &str, requests: u32, max_error_rate: f64) -> Result<Self> {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let has_host = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'));
        let parses = HttpRequest::new(SdkBody::empty()).set_uri(url).is_ok();
        if !has_host || !parses {
            return Err(Error::invalid_input(
                "probe.url",
                format!("{url:?} is not an http or https URL with a host"),
            ));
        }
        if !(1..=MAX_PROBE_REQUESTS).contains(&requests) {
            return Err(Error::invalid_input(
                "probe.requests",
                format!("{requests} is not within 1..={MAX_PROBE_REQUESTS}"),
            ));
        }
        if !(0.0..=1.0).contains(&max_error_rate) {
            return Err(Error::invalid_input(
                "probe.max_error_rate",
                format!("{max_error_rate} is not a fraction within [0, 1]"),
            ));
        }
        Ok(Self {
            url: url.to_string(),
            requests,
            max_error_rate,
            timeout: Duration::from_secs(10),
        })
    }

    /// How long each request may take before it counts as failed; 10 s
    /// unless set.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What one GET got.
    async fn probe(&self, connector: &impl HttpConnector, preview: &str) -> Result<Probe> {
        let mut request = HttpRequest::new(SdkBody::empty());
        request
            .set_uri(self.url.as_str())
            .map_err(|e| Error::invalid_input("probe.url", e.to_string()))?;
        request
            .headers_mut()
            .insert(PREVIEW_HEADER, preview.to_string());
        let answer = tokio::time::timeout(self.timeout, connector.call(request)).await;
        Ok(match answer {
            Ok(Ok(response)) if response.status().is_server_error() => Probe::ServerError,
            Ok(Ok(_)) => Probe::Answered,
            Ok(Err(_)) | Err(_) => Probe::NoAnswer,
        })
    }
}

/// What one probe got.
enum Probe {
    /// An answer below 500.
    Answered,
    /// A 5xx answer.
    ServerError,
    /// A timeout or no connection.
    NoAnswer,
}

#[async_trait]
impl HealthGate for ProbeGate {
    fn name(&self) -> &str {
        "probe"
    }

    async fn check(&self, check: &GateCheck) -> Result<GateVerdict> {
        let connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .connector_settings(
                HttpConnectorSettings::builder()
                    .connect_timeout(self.timeout)
                    .read_timeout(self.timeout)
                    .build(),
            )
            .build();
        let preview = format!("v{}", check.candidate_version);
        let (mut server_errors, mut unanswered) = (0u32, 0u32);
        for _ in 0..self.requests {
            match self.probe(&connector, &preview).await? {
                Probe::Answered => {}
                Probe::ServerError => server_errors += 1,
                Probe::NoAnswer => unanswered += 1,
            }
        }
        let failed = server_errors + unanswered;
        if unanswered == self.requests {
            // Nothing answered at all: the probe cannot tell the
            // candidate's health from its own reach.
            return Err(Error::Service {
                backend: "aws",
                service: Service::HealthGate,
                operation: "GET".into(),
                retryable: true,
                message: format!(
                    "none of {} probes of {} got an answer",
                    self.requests, self.url
                ),
                source: None,
            });
        }
        let rate = f64::from(failed) / f64::from(self.requests);
        Ok(if rate > self.max_error_rate {
            GateVerdict::unhealthy(format!(
                "{failed} of {} probes of {} failed ({:.1} % > {:.1} %)",
                self.requests,
                self.url,
                rate * 100.0,
                self.max_error_rate * 100.0
            ))
        } else {
            GateVerdict::Healthy
        })
    }
}
