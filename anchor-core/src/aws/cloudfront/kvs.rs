//! [`KeyValueStore`] on CloudFront KeyValueStore's data plane
//! (`aws-sdk-cloudfrontkeyvaluestore`): the store the edge router reads on
//! every request, switched with one `UpdateKeys` under If-Match.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudfrontkeyvaluestore::config::SharedInterceptor;
use aws_sdk_cloudfrontkeyvaluestore::types::{DeleteKeyRequestListItem, PutKeyRequestListItem};
use aws_sdk_cloudfrontkeyvaluestore::Client;

use super::build_error;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{check_kvs_update, KeyValueStore, KvsDescription, KvsUpdate};

/// [`KeyValueStore`] backed by CloudFront KeyValueStore. `store` is always
/// the store's ARN (`arn:aws:cloudfront::<account>:key-value-store/<id>`),
/// which is also how the SDK finds the account's endpoint.
///
/// Guarantees, the trait's and the local store's (`LocalKvs`): an update is
/// checked with [`check_kvs_update`] before any call; a stale If-Match is
/// `Error::PreconditionFailed` (kind `KeyValueStore`) and changes nothing,
/// as CloudFront applies `UpdateKeys` whole or not at all; an update past
/// the 5 MB store limit is `Error::InvalidInput` on `keys`; an unknown
/// store, or a `store` that is not a KeyValueStore ARN, is
/// `Error::NotFound` (kind `KeyValueStore`). Throttling and 5xx are
/// retried by the client and then reported retryable (`Error::Service`).
///
/// The service signs with SigV4A only; the crate is built with `sigv4a`.
#[derive(Debug, Clone)]
pub struct CloudFrontKvs {
    client: Client,
}

impl CloudFrontKvs {
    /// Wraps a KeyValueStore client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// A client built from the same `SdkConfig` as every other client of
    /// the backend (credentials, retries, timeouts, endpoint), running
    /// `interceptors` on every call as [`crate::aws::AwsClients`] does.
    pub fn from_config(config: &SdkConfig, interceptors: &[SharedInterceptor]) -> Self {
        let mut builder = aws_sdk_cloudfrontkeyvaluestore::config::Builder::from(config);
        builder.set_interceptors(interceptors.iter().cloned());
        Self::new(Client::from_conf(builder.build()))
    }

    /// The wrapped client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Whether `store` has the shape of a KeyValueStore ARN. Anything else
/// names no store, and the SDK could not even resolve an endpoint for it.
fn is_store_arn(store: &str) -> bool {
    let parts: Vec<&str> = store.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "cloudfront", "", account, resource]
            if !partition.is_empty()
                && !account.is_empty()
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource
                    .strip_prefix("key-value-store/")
                    .is_some_and(|id| !id.is_empty())
    )
}

fn not_found(store: &str) -> Error {
    Error::not_found(ResourceKind::KeyValueStore, store)
}

fn precondition(store: &str, if_match: &str) -> Error {
    Error::precondition(
        ResourceKind::KeyValueStore,
        store,
        format!("If-Match {if_match:?} is not the store's current ETag"),
    )
}

impl CloudFrontKvs {
    fn check_store(store: &str) -> Result<()> {
        if is_store_arn(store) {
            Ok(())
        } else {
            Err(not_found(store))
        }
    }

    /// `UpdateKeys` was refused as invalid. CloudFront reports a stale
    /// If-Match this way too, and the shape carries no field to tell the
    /// cases apart, so the store's ETag decides: moved means stale.
    async fn refused_update(&self, store: &str, if_match: &str, reason: String) -> Error {
        match self.describe(store).await {
            Ok(now) if now.etag != if_match => precondition(store, if_match),
            Ok(_) => Error::invalid_input("keys", reason),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl KeyValueStore for CloudFrontKvs {
    async fn describe(&self, store: &str) -> Result<KvsDescription> {
        Self::check_store(store)?;
        let out = self
            .client
            .describe_key_value_store()
            .kvs_arn(store)
            .send()
            .await
            .map_err(|err| match err.as_service_error() {
                Some(e) if e.is_resource_not_found_exception() => not_found(store),
                _ => service_error(Service::Cdn, "DescribeKeyValueStore", store, err),
            })?;
        Ok(KvsDescription {
            etag: out.e_tag,
            total_bytes: out.total_size_in_bytes.max(0) as u64,
            items: out.item_count.max(0) as u64,
        })
    }

    /// A missing key and a missing store are both `ResourceNotFoundException`
    /// with nothing but a message, so a miss is followed by
    /// `DescribeKeyValueStore`: a store that exists means the key does not.
    async fn get(&self, store: &str, key: &str) -> Result<Option<String>> {
        Self::check_store(store)?;
        match self.client.get_key().kvs_arn(store).key(key).send().await {
            Ok(out) => Ok(Some(out.value)),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                self.describe(store).await.map(|_| None)
            }
            Err(err) => Err(service_error(Service::Cdn, "GetKey", store, err)),
        }
    }

    async fn update(&self, store: &str, update: &KvsUpdate, if_match: &str) -> Result<String> {
        check_kvs_update(update)?;
        Self::check_store(store)?;
        let puts = update
            .puts
            .iter()
            .map(|(key, value)| {
                PutKeyRequestListItem::builder()
                    .key(key)
                    .value(value)
                    .build()
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(build_error("UpdateKeys"))?;
        let deletes = update
            .deletes
            .iter()
            .map(|key| DeleteKeyRequestListItem::builder().key(key).build())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(build_error("UpdateKeys"))?;
        let sent = self
            .client
            .update_keys()
            .kvs_arn(store)
            .if_match(if_match)
            .set_puts((!puts.is_empty()).then_some(puts))
            .set_deletes((!deletes.is_empty()).then_some(deletes))
            .send()
            .await;
        let err = match sent {
            Ok(out) => return Ok(out.e_tag),
            Err(err) => err,
        };
        Err(match err.as_service_error() {
            Some(e) if e.is_conflict_exception() => precondition(store, if_match),
            Some(e) if e.is_resource_not_found_exception() => not_found(store),
            Some(e) if e.is_service_quota_exceeded_exception() => Error::invalid_input(
                "keys",
                format!("the update would take store {store} past its 5 MB limit: {e}"),
            ),
            Some(e) if e.is_validation_exception() => {
                let reason = e.to_string();
                self.refused_update(store, if_match, reason).await
            }
            _ => service_error(Service::Cdn, "UpdateKeys", store, err),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_store_arn;

    #[test]
    fn only_key_value_store_arns_name_a_store() {
        assert!(is_store_arn(
            "arn:aws:cloudfront::123456789012:key-value-store/0a1b2c3d-1111-2222-3333-444455556666"
        ));
        for bad in [
            "",
            "anchor-router",
            "arn:aws:cloudfront::123456789012:key-value-store/",
            "arn:aws:cloudfront:us-east-1:123456789012:key-value-store/id",
            "arn:aws:s3::123456789012:key-value-store/id",
            "arn:aws:cloudfront::123456789012:function/id",
            "arn:aws:cloudfront::account:key-value-store/id",
        ] {
            assert!(!is_store_arn(bad), "{bad}");
        }
    }
}
