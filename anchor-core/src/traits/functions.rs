use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::FunctionVersion;

/// A function's code: a zip archive and its base64 SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBundle {
    /// The zip bytes.
    pub zip: Arc<Vec<u8>>,
    /// Base64 SHA-256 of `zip`, as Lambda reports `CodeSha256`.
    pub sha256: String,
}

impl CodeBundle {
    /// Wraps zip bytes, computing their hash.
    pub fn new(zip: Vec<u8>) -> Self {
        let sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
        Self {
            zip: Arc::new(zip),
            sha256,
        }
    }
}

/// Options of [`Functions::publish`]. Its `Debug` names the environment's
/// variables but never their values, which may be secrets (the origin
/// secret is one).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// Stored as the version's description.
    pub description: Option<String>,
    /// The entry point, such as `index.handler`, from the build's
    /// `open-next.output.json`; `None` keeps the function's current one.
    pub handler: Option<String>,
    /// Environment variables frozen into the version (such as the cache key
    /// prefix of its build). A backend may add its own, such as bucket names.
    pub environment: BTreeMap<String, String>,
    /// The architecture the code needs (its native code's); `None` keeps
    /// the function's current one. Lambda sets it with the code, so a
    /// version always runs on the architecture it was published for.
    pub architecture: Option<crate::model::Architecture>,
    /// Memory in MB the version runs with; `None` keeps the function's
    /// current. A change is applied to the function before the version is
    /// published, so the version is published with it.
    pub memory_mb: Option<u32>,
    /// Timeout in seconds the version runs with; `None` keeps the current.
    pub timeout_seconds: Option<u32>,
    /// Lambda runtime the version runs on, such as `nodejs24.x`; `None`
    /// keeps the current.
    pub runtime: Option<String>,
}

impl PublishOptions {
    /// Sets memory, timeout and runtime from `settings` (the architecture
    /// is the caller's, since it depends on the build).
    pub fn with_settings(mut self, settings: &crate::model::FunctionSettings) -> Self {
        self.memory_mb = Some(settings.memory_mb);
        self.timeout_seconds = Some(settings.timeout_seconds);
        self.runtime = Some(settings.runtime.clone());
        self
    }

    /// Checks memory, timeout and runtime against Lambda's limits; every
    /// implementation calls it before any change. The error names the
    /// field (`memory_mb`, `timeout_seconds` or `runtime`).
    pub fn validate_settings(&self) -> Result<()> {
        use crate::model::{MEMORY_MB_RANGE, RUNTIMES, TIMEOUT_SECONDS_RANGE};
        if let Some(mb) = self.memory_mb.filter(|mb| !MEMORY_MB_RANGE.contains(mb)) {
            return Err(Error::invalid_input(
                "memory_mb",
                format!("{mb} MB is outside Lambda's range of 128 to 10240 MB"),
            ));
        }
        if let Some(s) = self
            .timeout_seconds
            .filter(|s| !TIMEOUT_SECONDS_RANGE.contains(s))
        {
            return Err(Error::invalid_input(
                "timeout_seconds",
                format!("{s} s is outside Lambda's range of 1 to 900 seconds"),
            ));
        }
        if let Some(r) = self.runtime.as_deref().filter(|r| !RUNTIMES.contains(r)) {
            return Err(Error::invalid_input(
                "runtime",
                format!("{r:?} is not one of {}", RUNTIMES.join(", ")),
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for PublishOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishOptions")
            .field("description", &self.description)
            .field("handler", &self.handler)
            .field("environment", &self.environment.keys().collect::<Vec<_>>())
            .field("architecture", &self.architecture)
            .finish()
    }
}

/// Where an alias sends traffic: one version, optionally with a share of
/// requests going to a second.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRouting {
    /// The primary version.
    pub version: String,
    /// A second version and the fraction (0 < w < 1) of requests it gets.
    pub additional: Option<(String, f64)>,
}

impl AliasRouting {
    /// Lambda's weighted routing rules, which every implementation checks
    /// before any call: a weight strictly between 0 and 1, on a version
    /// other than the primary. Fails with `InvalidInput` naming `routing`.
    pub fn validate(&self) -> Result<()> {
        let Some((extra, weight)) = &self.additional else {
            return Ok(());
        };
        if !(*weight > 0.0 && *weight < 1.0) {
            return Err(Error::invalid_input(
                "routing",
                format!("the additional version's weight {weight} must be above 0 and below 1"),
            ));
        }
        if *extra == self.version {
            return Err(Error::invalid_input(
                "routing",
                format!("the additional version {extra:?} must differ from the primary version"),
            ));
        }
        Ok(())
    }

    /// All traffic to `version`.
    pub fn single(version: impl Into<String>) -> Self {
        Self {
            version: version.into(),
            additional: None,
        }
    }
}

/// Options of [`Functions::set_alias`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetAliasOptions {
    /// Fail with `Error::PreconditionFailed` unless the alias still has this
    /// revision id (Lambda's `RevisionId`).
    pub expected_revision_id: Option<String>,
}

/// Who may call a Function URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunctionUrlAuth {
    /// Only signed requests (`AWS_IAM`), such as CloudFront's through an
    /// origin access control. Who may sign is granted separately.
    AwsIam,
    /// Anyone (`NONE`); the function itself must check what it needs, such
    /// as a secret origin header.
    None,
}

/// The host of a Function URL such as
/// `https://abc.lambda-url.eu-west-1.on.aws/`, as CloudFront's origin
/// domain; `None` for anything but a plain `https://` URL.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains(['@', ':'])).then_some(host)
}

/// Options of [`Functions::ensure_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionUrlOptions {
    /// Who may call it.
    pub auth: FunctionUrlAuth,
    /// Whether it streams responses (`RESPONSE_STREAM`) instead of
    /// buffering them, as a build with OpenNext's streaming wrapper needs.
    pub streaming: bool,
    /// With [`FunctionUrlAuth::AwsIam`]: the id of the CDN distribution
    /// whose signed requests the URL takes. The host grants that
    /// distribution, and only it, the right to invoke the alias through
    /// the URL (Lambda checks the grant, not just the signature).
    pub cdn_distribution_id: Option<String>,
}

/// An alias as the host reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasConfig {
    /// The function's name.
    pub function: String,
    /// The alias's name.
    pub name: String,
    /// Where it routes.
    pub routing: AliasRouting,
    /// Changes on every update.
    pub revision_id: String,
    /// The alias's Function URL, if one is configured. `get_alias` always
    /// reads it; `set_alias` may leave it `None` to save a call on the
    /// rollback path.
    pub url: Option<String>,
}

/// The function host (Lambda, or local immutable versions).
///
/// Implementations guarantee that a published version never changes, that
/// publishing code identical to an existing version's returns that version
/// instead of a new one, that aliases move atomically, and that a version an
/// alias points at cannot be deleted.
#[async_trait]
pub trait Functions: Send + Sync + std::fmt::Debug {
    /// Uploads `code`, waits until the function is ready and publishes an
    /// immutable version, guarded by the code hash so a concurrent update
    /// cannot slip other code into the version.
    async fn publish(
        &self,
        function: &str,
        code: &CodeBundle,
        options: &PublishOptions,
    ) -> Result<FunctionVersion>;

    /// Reads a published version.
    async fn get_version(&self, function: &str, version: &str) -> Result<Option<FunctionVersion>>;

    /// Reads an alias.
    async fn get_alias(&self, function: &str, alias: &str) -> Result<Option<AliasConfig>>;

    /// Creates or updates an alias.
    async fn set_alias(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
        options: &SetAliasOptions,
    ) -> Result<AliasConfig>;

    /// Deletes a published version. Fails with `Error::InvalidState` if an
    /// alias points at it.
    async fn delete_version(&self, function: &str, version: &str) -> Result<()>;

    /// The size of a published version's code package in bytes (what
    /// counts against Lambda's 75 GB of code per region); `None` if the
    /// version does not exist.
    async fn code_size(&self, function: &str, version: &str) -> Result<Option<u64>>;

    /// Deletes an alias and, first, its Function URL if it has one. An
    /// alias that does not exist is no error, so a retry finishes the job.
    /// The versions it pointed at stay.
    async fn delete_alias(&self, function: &str, alias: &str) -> Result<()>;

    /// Makes sure the alias has a Function URL with `options` and returns
    /// it (`https://<host>/`). The URL is on the alias's qualifier, never on
    /// a bare version, and keeps its address when its options change. With
    /// `FunctionUrlAuth::None` the host also lets anyone invoke it through
    /// the URL. Fails with `NotFound` if the alias does not exist.
    async fn ensure_url(
        &self,
        function: &str,
        alias: &str,
        options: &FunctionUrlOptions,
    ) -> Result<String>;
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn function_url_hosts_are_read_from_plain_https_urls_only() {
        assert_eq!(
            url_host("https://abc.lambda-url.eu-west-1.on.aws/"),
            Some("abc.lambda-url.eu-west-1.on.aws")
        );
        assert_eq!(url_host("http://abc/"), None);
        assert_eq!(url_host("https://user@abc/"), None);
        assert_eq!(url_host("https://abc:8443/"), None);
        assert_eq!(url_host("https:///"), None);
    }
}
