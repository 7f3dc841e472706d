//! Publishing: settle, reconcile the configuration (`settings.rs`), upload, settle,
//! publish, each step guarded so that a concurrent writer makes the publish
//! fail with `Error::Conflict` instead of yielding a version with its code.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::Architecture;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::lookup::{latest, Snapshot};
use super::settings::WantedConfiguration;
use super::{versions, wait, LambdaFunctions};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::FunctionVersion;
use crate::traits::{CodeBundle, PublishOptions};

/// Lambda's limit on a version's description.
const MAX_DESCRIPTION: usize = 256;

/// What [`crate::traits::Functions::publish`] does on Lambda.
///
/// The upload is skipped when `$LATEST` already holds the bundle, so that
/// publishing identical code and configuration twice leaves `$LATEST`
/// untouched and `PublishVersion` returns the newest version (Lambda
/// publishes only when `$LATEST` changed since the last publish).
pub(super) async fn publish(
    host: &LambdaFunctions,
    function: &str,
    code: &CodeBundle,
    options: &PublishOptions,
) -> Result<FunctionVersion> {
    validate(code, options)?;
    let mut current = latest(host, function).await?;
    if current.settling {
        current = wait::updated(host, function).await?;
    }

    let wanted = WantedConfiguration::resolve(options, &host.base_environment, &current);
    let mut touched = false;
    if !wanted.is_met_by(&current) {
        current = configure(host, function, &current, &wanted).await?;
        touched = true;
    }
    // Lambda sets the architecture with the code, so a version runs on
    // what its native code was built for.
    let architecture = options.architecture.map(|a| a.as_str().to_string());
    let wrong_architecture = architecture.is_some() && architecture != current.architecture;
    if current.code_sha256 != code.sha256 || wrong_architecture {
        current = upload(host, function, &current, code, architecture.as_deref()).await?;
        touched = true;
    }
    if !touched {
        // Lambda itself returns the newest version when $LATEST has not
        // changed since it was published; moto does not (it publishes a
        // copy after a function's first publish), so compare ourselves.
        if let Some(newest) = versions::newest(host, function).await? {
            if newest.code_sha256 == current.code_sha256
                && wanted.is_met_by(&newest)
                && newest.architecture == current.architecture
            {
                return Ok(newest.into_version(function));
            }
        }
    }
    if current.code_sha256 != code.sha256 {
        return Err(changed(function, &current.code_sha256, &code.sha256));
    }

    let out = host
        .client
        .publish_version()
        .function_name(function)
        .code_sha256(&code.sha256)
        .set_revision_id(current.revision_id.clone())
        .set_description(options.description.clone())
        .send()
        .await
        .map_err(|e| {
            let s = e.as_service_error();
            if s.is_some_and(|s| s.is_resource_not_found_exception()) {
                Error::not_found(ResourceKind::Function, function)
            } else if s.is_some_and(|s| {
                // Our own arguments are validated above, so an invalid
                // value here is the CodeSha256 guard tripping.
                s.is_precondition_failed_exception()
                    || s.is_invalid_parameter_value_exception()
                    || s.is_resource_conflict_exception()
            }) {
                Error::conflict(
                    ResourceKind::Function,
                    function,
                    "the function changed while its version was being published",
                )
            } else {
                service_error(Service::Functions, "PublishVersion", function, e)
            }
        })?;
    let published = out.code_sha256.unwrap_or_default();
    if published != code.sha256 {
        return Err(changed(function, &published, &code.sha256));
    }
    // The version froze $LATEST's configuration as reconciled above.
    Ok(current.version_record(
        function,
        out.version.unwrap_or_default(),
        out.function_arn.unwrap_or_default(),
        published,
    ))
}

fn validate(code: &CodeBundle, options: &PublishOptions) -> Result<()> {
    let actual = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&*code.zip));
    if actual != code.sha256 {
        return Err(Error::invalid_input(
            "code.sha256",
            format!("{:?} is not the hash of the zip ({actual:?})", code.sha256),
        ));
    }
    if let Some(d) = &options.description {
        if d.chars().count() > MAX_DESCRIPTION {
            return Err(Error::invalid_input(
                "description",
                format!("at most {MAX_DESCRIPTION} characters"),
            ));
        }
    }
    if options.handler.as_deref().is_some_and(str::is_empty) {
        return Err(Error::invalid_input("handler", "must not be empty"));
    }
    options.validate_settings()
}

fn changed(function: &str, found: &str, expected: &str) -> Error {
    Error::conflict(
        ResourceKind::Function,
        function,
        format!("another writer replaced the code (found {found:?}, uploaded {expected:?})"),
    )
}

/// Maps the errors of the two guarded updates: a moved `RevisionId` or an
/// update already under way is another writer, so `Error::Conflict`.
macro_rules! update_error {
    ($function:expr, $operation:expr) => {
        |e| {
            let s = e.as_service_error();
            if s.is_some_and(|s| s.is_resource_not_found_exception()) {
                Error::not_found(ResourceKind::Function, $function)
            } else if s.is_some_and(|s| {
                s.is_precondition_failed_exception() || s.is_resource_conflict_exception()
            }) {
                Error::conflict(
                    ResourceKind::Function,
                    $function,
                    concat!($operation, ": another update of the function is under way"),
                )
            } else {
                service_error(Service::Functions, $operation, $function, e)
            }
        }
    };
}

async fn configure(
    host: &LambdaFunctions,
    function: &str,
    current: &Snapshot,
    wanted: &WantedConfiguration,
) -> Result<Snapshot> {
    wanted
        .apply(host.client.update_function_configuration())
        .function_name(function)
        .set_revision_id(current.revision_id.clone())
        .send()
        .await
        .map_err(update_error!(function, "UpdateFunctionConfiguration"))?;
    wait::updated(host, function).await
}

/// Lambda's limit on a zip sent inline with UpdateFunctionCode.
pub(super) const MAX_INLINE_ZIP: usize = 50 * 1024 * 1024;

async fn upload(
    host: &LambdaFunctions,
    function: &str,
    current: &Snapshot,
    code: &CodeBundle,
    architecture: Option<&str>,
) -> Result<Snapshot> {
    let call = host
        .client
        .update_function_code()
        .function_name(function)
        .set_architectures(architecture.map(|a| vec![Architecture::from(a)]))
        .set_revision_id(current.revision_id.clone());
    let limit = host
        .code_staging
        .as_ref()
        .map_or(MAX_INLINE_ZIP, |s| s.inline_limit);
    let call = if code.zip.len() <= limit {
        call.zip_file(Blob::new(code.zip.as_slice().to_vec()))
    } else {
        let Some(staging) = &host.code_staging else {
            return Err(Error::invalid_input(
                "code",
                format!(
                    "the bundle of {function} is {} bytes zipped, over Lambda's inline limit of {MAX_INLINE_ZIP}; configure code staging",
                    code.zip.len()
                ),
            ));
        };
        let key = staging_key(&staging.prefix, function, &code.sha256);
        let options = crate::traits::PutOptions {
            content_type: Some("application/zip".into()),
            ..Default::default()
        };
        crate::traits::ObjectStore::put(
            &staging.store,
            &key,
            crate::traits::ObjectBody::Bytes(code.zip.as_slice().to_vec()),
            &options,
        )
        .await?;
        call.s3_bucket(staging.store.bucket()).s3_key(key)
    };
    call.send()
        .await
        .map_err(update_error!(function, "UpdateFunctionCode"))?;
    wait::updated(host, function).await
}

/// `<prefix>/<function>/<hex sha256>.zip`: one object per distinct bundle.
fn staging_key(prefix: &str, function: &str, sha256_base64: &str) -> String {
    let hex: String = base64::engine::general_purpose::STANDARD
        .decode(sha256_base64)
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{}/{function}/{hex}.zip", prefix.trim_end_matches('/'))
}
