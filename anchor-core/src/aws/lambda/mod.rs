//! [`Functions`] on AWS Lambda, following cargo-lambda's model: versions are
//! published only once `LastUpdateStatus` has left `InProgress`, aliases are
//! upserted, and the Function URL lives on the alias, never on a bare
//! version. The setup helpers the provisioner calls are in `setup`, `url` and
//! `permission`.

mod alias;
mod event_source;
mod lookup;
mod permission;
mod placeholder;
mod publish;
mod routing;
mod settings;
mod setup;
mod url;
mod versions;
mod wait;

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::error::Result;
use crate::model::FunctionVersion;
use crate::traits::{
    AliasConfig, AliasRouting, CodeBundle, FunctionUrlOptions, Functions, PublishOptions,
    SetAliasOptions,
};

pub use event_source::REVALIDATION_BATCH_SIZE;
pub use placeholder::{placeholder_zip, PLACEHOLDER_MESSAGE};
pub use setup::{FunctionSpec, DEFAULT_ARCHITECTURE, DEFAULT_RUNTIME};

/// The Lambda implementation of [`Functions`].
///
/// Beyond the trait's guarantees:
/// - a publish never leaves a version holding code other than the bundle's:
///   the upload and the publish are guarded by `RevisionId` and
///   `CodeSha256`, and a concurrent change surfaces as `Error::Conflict`;
/// - every published version's environment is exactly the base environment
///   ([`LambdaFunctions::with_base_environment`]) overlaid with
///   [`PublishOptions::environment`];
/// - calls on a function that does not exist fail with `Error::NotFound`
///   (kind `Function`), and `$LATEST` can never be deleted.
#[derive(Debug, Clone)]
pub struct LambdaFunctions {
    client: aws_sdk_lambda::Client,
    base_environment: BTreeMap<String, String>,
    code_staging: Option<CodeStaging>,
}

/// Where bundles too large to send inline are put first.
#[derive(Debug, Clone)]
pub(super) struct CodeStaging {
    pub store: crate::aws::S3ObjectStore,
    pub prefix: String,
    /// Bundles larger than this many bytes are staged.
    pub inline_limit: usize,
}

impl LambdaFunctions {
    /// Wraps a Lambda client (normally [`crate::aws::AwsClients::lambda`]).
    /// Calls go to the client's region and use its retry settings.
    pub fn new(client: aws_sdk_lambda::Client) -> Self {
        Self {
            client,
            base_environment: BTreeMap::new(),
            code_staging: None,
        }
    }

    /// Environment variables every published version gets (such as bucket
    /// and table names), beneath the build's own: a key in
    /// [`PublishOptions::environment`] wins over the same key here.
    pub fn with_base_environment(mut self, environment: BTreeMap<String, String>) -> Self {
        self.base_environment = environment;
        self
    }

    /// Stages bundles above Lambda's inline limit (50 MB zipped) in `store`
    /// under `prefix` (as `<prefix>/<function>/<sha256>.zip`) and has Lambda
    /// read them from there. Without it such bundles fail with
    /// `InvalidInput`. Staged objects are immutable by hash.
    pub fn with_code_staging(
        mut self,
        store: crate::aws::S3ObjectStore,
        prefix: impl Into<String>,
    ) -> Self {
        self.code_staging = Some(CodeStaging {
            store,
            prefix: prefix.into(),
            inline_limit: publish::MAX_INLINE_ZIP,
        });
        self
    }

    /// Stages bundles above `bytes` instead of Lambda's 50 MB, for tests of
    /// the staged path; has no effect without [`Self::with_code_staging`].
    pub fn with_inline_limit(mut self, bytes: usize) -> Self {
        if let Some(staging) = &mut self.code_staging {
            staging.inline_limit = bytes.min(publish::MAX_INLINE_ZIP);
        }
        self
    }

    /// The underlying client.
    pub fn client(&self) -> &aws_sdk_lambda::Client {
        &self.client
    }

    /// `Ok(())` if `function` exists, else `Error::NotFound` (kind
    /// `Function`); for adopting functions made elsewhere.
    pub(crate) async fn require_function(&self, function: &str) -> Result<()> {
        lookup::require_function(self, function).await
    }
}

#[async_trait]
impl Functions for LambdaFunctions {
    async fn publish(
        &self,
        function: &str,
        code: &CodeBundle,
        options: &PublishOptions,
    ) -> Result<FunctionVersion> {
        publish::publish(self, function, code, options).await
    }

    async fn get_version(&self, function: &str, version: &str) -> Result<Option<FunctionVersion>> {
        versions::get_version(self, function, version).await
    }

    async fn get_alias(&self, function: &str, alias: &str) -> Result<Option<AliasConfig>> {
        alias::get_alias(self, function, alias).await
    }

    async fn set_alias(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
        options: &SetAliasOptions,
    ) -> Result<AliasConfig> {
        alias::set_alias(self, function, alias, routing, options).await
    }

    async fn delete_version(&self, function: &str, version: &str) -> Result<()> {
        versions::delete_version(self, function, version).await
    }

    async fn code_size(&self, function: &str, version: &str) -> Result<Option<u64>> {
        versions::code_size(self, function, version).await
    }

    async fn delete_alias(&self, function: &str, alias: &str) -> Result<()> {
        alias::delete_alias(self, function, alias).await
    }

    async fn ensure_url(
        &self,
        function: &str,
        alias: &str,
        options: &FunctionUrlOptions,
    ) -> Result<String> {
        url::ensure_url(self, function, alias, options).await
    }
}
