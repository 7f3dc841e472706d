//! The router's viewer-request CloudFront Function: created, or updated
//! when its code or store changed, and published, under If-Match.

use aws_sdk_cloudfront::primitives::Blob;
use aws_sdk_cloudfront::types::{
    FunctionConfig, FunctionRuntime, FunctionStage, FunctionSummary, KeyValueStoreAssociation,
    KeyValueStoreAssociations,
};
use sha2::{Digest, Sha256};

use super::router_store::check_name;
use super::{build_error, CloudFrontCdn};
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};

/// The name of the one router function. Every project of the account
/// shares it: an account may hold 100 functions, and one function can be
/// associated with 100 distributions.
pub const ROUTER_FUNCTION_NAME: &str = "anchor-router";

/// The runtime the router needs: `cloudfront-js-2.0` is the first that
/// reads KeyValueStores and changes a request's origin.
pub const ROUTER_FUNCTION_RUNTIME: &str = "cloudfront-js-2.0";

/// CloudFront's limit on a function's code, in bytes.
pub const MAX_FUNCTION_CODE_BYTES: usize = 10_240;

/// How many times a write refused for a stale If-Match (another caller
/// updated or published the function in between) is retried after
/// describing it again, before `Error::PreconditionFailed`.
pub const ROUTER_FUNCTION_ATTEMPTS: u32 = 3;

/// The comment the router function carries: the SHA-256 of its code, so
/// `DescribeFunction` alone (which does not return the code) tells whether
/// the code changed.
fn comment_for(code: &[u8]) -> String {
    let digest = Sha256::digest(code);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("anchor-router sha256:{hex}")
}

/// The name of the router's viewer-response function, which sets the
/// visitor and pin cookies. It reads no store, so one serves every router
/// pair of the account.
pub const VIEWER_RESPONSE_FUNCTION_NAME: &str = "anchor-viewer-response";

/// Whether the described stage runs `comment`'s code on `runtime` reading
/// exactly `store` (no store at all for `None`).
fn is_current(summary: &FunctionSummary, comment: &str, store: Option<&str>) -> bool {
    let Some(config) = summary.function_config() else {
        return false;
    };
    let stores: Vec<&str> = config
        .key_value_store_associations()
        .map(|a| a.items().iter().map(|i| i.key_value_store_arn()).collect())
        .unwrap_or_default();
    config.comment() == comment
        && config.runtime().as_str() == ROUTER_FUNCTION_RUNTIME
        && stores == store.into_iter().collect::<Vec<_>>()
}

fn function_arn(summary: &FunctionSummary, operation: &'static str) -> Result<String> {
    summary
        .function_metadata()
        .map(|m| m.function_arn().to_string())
        .ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                operation,
                "no function metadata in the reply",
            )
        })
}

fn missing(operation: &'static str) -> Error {
    Error::service(
        "aws",
        Service::Cdn,
        operation,
        "no function summary in the reply",
    )
}

/// What one attempt of [`CloudFrontCdn::ensure_router_function`] ended in.
enum Attempt {
    Done(String),
    /// A write was refused for a stale If-Match, or a concurrent create
    /// won: describe again.
    Stale,
}

impl CloudFrontCdn {
    /// Makes the LIVE stage of the function `name` run `code` on
    /// `cloudfront-js-2.0` with the KeyValueStore `kvs_arn` associated,
    /// and returns the function's ARN.
    ///
    /// Idempotent: when LIVE already runs this code (its comment holds
    /// the code's SHA-256) with this store, nothing is written. Otherwise
    /// the function is created (`CreateFunction`) or updated
    /// (`UpdateFunction` with the DEVELOPMENT stage's ETag as If-Match),
    /// then published (`PublishFunction` with If-Match). A write refused
    /// for a stale ETag is retried from a fresh describe up to
    /// [`ROUTER_FUNCTION_ATTEMPTS`] times, then `Error::PreconditionFailed`
    /// (kind `Function`, id `name`). Code over
    /// [`MAX_FUNCTION_CODE_BYTES`] is `InvalidInput` on `code`, and a bad
    /// name on `name`, before any call.
    pub async fn ensure_router_function(
        &self,
        name: &str,
        code: &str,
        kvs_arn: &str,
    ) -> Result<String> {
        if kvs_arn.is_empty() {
            return Err(Error::invalid_input(
                "kvs_arn",
                "the router needs its key value store",
            ));
        }
        self.ensure_function(name, code, Some(kvs_arn)).await
    }

    /// Makes the LIVE stage of the function `name` run `code` (the router's
    /// viewer-response function, [`crate::router::RouterCode::generate_viewer_response`])
    /// on `cloudfront-js-2.0` with no store, and returns its ARN, exactly
    /// as [`CloudFrontCdn::ensure_router_function`] does for the router:
    /// idempotent, under If-Match, with the same errors.
    pub async fn ensure_viewer_response_function(&self, name: &str, code: &str) -> Result<String> {
        self.ensure_function(name, code, None).await
    }

    async fn ensure_function(&self, name: &str, code: &str, store: Option<&str>) -> Result<String> {
        check_name("name", name)?;
        if code.is_empty() || code.len() > MAX_FUNCTION_CODE_BYTES {
            return Err(Error::invalid_input(
                "code",
                format!(
                    "the function code is {} bytes; CloudFront takes 1 to {MAX_FUNCTION_CODE_BYTES}",
                    code.len()
                ),
            ));
        }
        let comment = comment_for(code.as_bytes());
        if let Some((live, _)) = self.describe_function(name, FunctionStage::Live).await? {
            if is_current(&live, &comment, store) {
                return function_arn(&live, "DescribeFunction");
            }
        }
        let config = function_config(&comment, store)?;
        for _ in 0..ROUTER_FUNCTION_ATTEMPTS {
            if let Attempt::Done(arn) = self.write_and_publish(name, code, &config).await? {
                return Ok(arn);
            }
        }
        Err(Error::precondition(
            ResourceKind::Function,
            name,
            format!(
                "the CloudFront function changed under every one of {ROUTER_FUNCTION_ATTEMPTS} attempts to update and publish it"
            ),
        ))
    }

    /// How many CloudFront Functions the account holds, counted with
    /// `ListFunctions` of the DEVELOPMENT stage (every function has one, and
    /// without the filter a published function is listed once per stage)
    /// page by page: what a new
    /// router pair is checked against before it is created.
    pub async fn count_functions(&self) -> Result<u32> {
        let mut count = 0u32;
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_functions()
                .stage(FunctionStage::Development)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, "ListFunctions", "account", e))?;
            let Some(list) = out.function_list else {
                return Ok(count);
            };
            count = count.saturating_add(u32::try_from(list.items().len()).unwrap_or(u32::MAX));
            match list.next_marker.filter(|m| !m.is_empty()) {
                Some(next) => marker = Some(next),
                None => return Ok(count),
            }
        }
    }

    /// Brings DEVELOPMENT to `config` and `code` (creating the function if
    /// need be), then publishes it.
    async fn write_and_publish(
        &self,
        name: &str,
        code: &str,
        config: &FunctionConfig,
    ) -> Result<Attempt> {
        let development = self
            .describe_function(name, FunctionStage::Development)
            .await?;
        let etag = match development {
            Some((summary, etag)) if is_current(&summary, config.comment(), store_of(config)) => {
                etag
            }
            Some((_, etag)) => match self.update_function(name, code, config, &etag).await? {
                Some(etag) => etag,
                None => return Ok(Attempt::Stale),
            },
            None => match self.create_function(name, code, config).await? {
                Some(etag) => etag,
                None => return Ok(Attempt::Stale),
            },
        };
        self.publish_function(name, &etag).await
    }

    /// The stage's summary and ETag, or `None` if the function (or, for
    /// LIVE, a published version of it) does not exist.
    async fn describe_function(
        &self,
        name: &str,
        stage: FunctionStage,
    ) -> Result<Option<(FunctionSummary, String)>> {
        match self
            .client
            .describe_function()
            .name(name)
            .stage(stage)
            .send()
            .await
        {
            Ok(out) => {
                let summary = out
                    .function_summary
                    .ok_or_else(|| missing("DescribeFunction"))?;
                Ok(Some((summary, out.e_tag.unwrap_or_default())))
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_no_such_function_exists()) =>
            {
                Ok(None)
            }
            Err(err) => Err(service_error(Service::Cdn, "DescribeFunction", name, err)),
        }
    }

    /// The new DEVELOPMENT ETag, or `None` if another caller created the
    /// function first.
    async fn create_function(
        &self,
        name: &str,
        code: &str,
        config: &FunctionConfig,
    ) -> Result<Option<String>> {
        match self
            .client
            .create_function()
            .name(name)
            .function_config(config.clone())
            .function_code(Blob::new(code.as_bytes()))
            .send()
            .await
        {
            Ok(out) => Ok(Some(out.e_tag.unwrap_or_default())),
            Err(err) => match err.as_service_error() {
                Some(e) if e.is_function_already_exists() => Ok(None),
                Some(e) if e.is_too_many_functions() => Err(Error::invalid_input(
                    "name",
                    format!(
                        "cannot create CloudFront function {name}: the account has as many \
                         functions as its quota allows (100 by default); delete one or raise \
                         'CloudFront Functions per account' in Service Quotas (CloudFront)"
                    ),
                )),
                Some(e) if e.is_function_size_limit_exceeded() => {
                    Err(Error::invalid_input("code", e.to_string()))
                }
                _ => Err(service_error(Service::Cdn, "CreateFunction", name, err)),
            },
        }
    }

    /// The new DEVELOPMENT ETag, or `None` if `if_match` was stale.
    async fn update_function(
        &self,
        name: &str,
        code: &str,
        config: &FunctionConfig,
        if_match: &str,
    ) -> Result<Option<String>> {
        match self
            .client
            .update_function()
            .name(name)
            .if_match(if_match)
            .function_config(config.clone())
            .function_code(Blob::new(code.as_bytes()))
            .send()
            .await
        {
            // CloudFront's model names UpdateFunction's ETag header
            // `ETtag`; should the reply carry none under that name, the
            // DEVELOPMENT stage's ETag is read back instead.
            Ok(out) => match out.e_tag.filter(|etag| !etag.is_empty()) {
                Some(etag) => Ok(Some(etag)),
                None => Ok(self
                    .describe_function(name, FunctionStage::Development)
                    .await?
                    .map(|(_, etag)| etag)),
            },
            Err(err) => match err.as_service_error() {
                Some(e) if e.is_precondition_failed() || e.is_invalid_if_match_version() => {
                    Ok(None)
                }
                Some(e) if e.is_function_size_limit_exceeded() => {
                    Err(Error::invalid_input("code", e.to_string()))
                }
                _ => Err(service_error(Service::Cdn, "UpdateFunction", name, err)),
            },
        }
    }

    /// Publishes DEVELOPMENT to LIVE if `if_match` is still its ETag.
    async fn publish_function(&self, name: &str, if_match: &str) -> Result<Attempt> {
        match self
            .client
            .publish_function()
            .name(name)
            .if_match(if_match)
            .send()
            .await
        {
            Ok(out) => {
                let summary = out
                    .function_summary
                    .ok_or_else(|| missing("PublishFunction"))?;
                function_arn(&summary, "PublishFunction").map(Attempt::Done)
            }
            Err(err)
                if err.as_service_error().is_some_and(|e| {
                    e.is_precondition_failed() || e.is_invalid_if_match_version()
                }) =>
            {
                Ok(Attempt::Stale)
            }
            Err(err) => Err(service_error(Service::Cdn, "PublishFunction", name, err)),
        }
    }
}

/// The function configuration the router (with its store) or the
/// viewer-response function (without one) runs with.
fn function_config(comment: &str, store: Option<&str>) -> Result<FunctionConfig> {
    let associations = match store {
        Some(kvs_arn) => {
            let association = KeyValueStoreAssociation::builder()
                .key_value_store_arn(kvs_arn)
                .build()
                .map_err(build_error("CreateFunction"))?;
            Some(
                KeyValueStoreAssociations::builder()
                    .quantity(1)
                    .items(association)
                    .build()
                    .map_err(build_error("CreateFunction"))?,
            )
        }
        None => None,
    };
    FunctionConfig::builder()
        .comment(comment)
        .runtime(FunctionRuntime::from(ROUTER_FUNCTION_RUNTIME))
        .set_key_value_store_associations(associations)
        .build()
        .map_err(build_error("CreateFunction"))
}

/// The one store `config` associates, if any.
fn store_of(config: &FunctionConfig) -> Option<&str> {
    config
        .key_value_store_associations()
        .and_then(|a| a.items().first())
        .map(|i| i.key_value_store_arn())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comment_holds_the_code_hash_within_cloudfronts_128_characters() {
        let comment = comment_for(b"function handler(event) { return event.request; }");
        assert!(comment.starts_with("anchor-router sha256:"));
        assert_eq!(comment.len(), "anchor-router sha256:".len() + 64);
        assert!(comment.len() <= 128);
        assert_ne!(comment, comment_for(b"other"));
    }

    #[test]
    fn a_config_with_this_code_and_store_is_current_and_any_change_is_not() {
        let Ok(config) = function_config(&comment_for(b"a"), Some("arn:store")) else {
            panic!("config not built");
        };
        let summary = |config: FunctionConfig| {
            FunctionSummary::builder()
                .name("anchor-router")
                .function_config(config)
                .build()
        };
        let Ok(same) = summary(config.clone()) else {
            panic!("summary not built");
        };
        assert!(is_current(&same, &comment_for(b"a"), Some("arn:store")));
        assert!(!is_current(&same, &comment_for(b"b"), Some("arn:store")));
        assert!(!is_current(&same, &comment_for(b"a"), Some("arn:other")));
        assert!(!is_current(&same, &comment_for(b"a"), None));
        let Ok(storeless) = function_config(&comment_for(b"a"), None) else {
            panic!("config not built");
        };
        let Ok(storeless) = summary(storeless) else {
            panic!("summary not built");
        };
        assert!(is_current(&storeless, &comment_for(b"a"), None));
        assert!(!is_current(
            &storeless,
            &comment_for(b"a"),
            Some("arn:store")
        ));
    }
}
