//! The router's KeyValueStore, found by name or created once per account
//! (CloudFront's control plane), and waited for until it is READY.

use std::time::Duration;

use aws_sdk_cloudfront::types::KeyValueStore;

use super::CloudFrontCdn;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};

/// The name of the one KeyValueStore the router reads. Every project of
/// the account shares it (a key per project and deployment), because an
/// account may hold only 50 stores and a function may read only one.
pub const ROUTER_STORE_NAME: &str = "anchor-router";

/// A store's status once it can be read and written.
const READY: &str = "READY";
/// A store's status while CloudFront creates it.
const PROVISIONING: &str = "PROVISIONING";

/// The router's store as the control plane describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterStore {
    /// Its ARN: what [`crate::aws::CloudFrontKvs`] and a function's
    /// KeyValueStoreAssociations take.
    pub arn: String,
    /// Its id, the last part of the ARN; a function reads it by this id.
    pub id: String,
    /// The control-plane ETag (the If-Match of UpdateKeyValueStore and
    /// DeleteKeyValueStore). Not the ETag of its keys: `UpdateKeys` needs
    /// the one `KeyValueStore::describe` returns.
    pub etag: String,
}

/// How long [`CloudFrontCdn::ensure_key_value_store_with`] waits for a
/// store that is still PROVISIONING. The SDK has no waiter for
/// KeyValueStores (its CloudFront waiters cover distributions and
/// invalidations only), so this is a bounded poll of
/// `DescribeKeyValueStore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreReadyPoll {
    /// Describes after the first, at most.
    pub attempts: u32,
    /// The pause before each of them.
    pub interval: Duration,
}

impl Default for StoreReadyPoll {
    /// Up to two minutes, every two seconds: a store usually takes seconds.
    fn default() -> Self {
        Self {
            attempts: 60,
            interval: Duration::from_secs(2),
        }
    }
}

/// CloudFront's rule for store (and function) names: 1 to 64 letters,
/// digits, `-` and `_`. Refused before any call with `InvalidInput` on
/// `field`.
pub(super) fn check_name(field: &str, name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("{name:.80?} must be 1 to 64 letters, digits, '-' or '_'"),
        ))
    }
}

impl CloudFrontCdn {
    /// [`CloudFrontCdn::ensure_key_value_store_with`] with the default poll.
    pub async fn ensure_key_value_store(&self, name: &str) -> Result<RouterStore> {
        self.ensure_key_value_store_with(name, &StoreReadyPoll::default())
            .await
    }

    /// Returns the KeyValueStore named `name`, creating it if the account
    /// has none, once it is READY. Idempotent: an existing store is found
    /// by name (`DescribeKeyValueStore` takes the name) and nothing is
    /// written; a concurrent creator's store is adopted. A store still
    /// PROVISIONING is described again up to `poll.attempts` times, then
    /// `Error::InvalidState`; so is a store whose provisioning failed.
    pub async fn ensure_key_value_store_with(
        &self,
        name: &str,
        poll: &StoreReadyPoll,
    ) -> Result<RouterStore> {
        check_name("name", name)?;
        let (mut store, mut etag) = match self.describe_store(name).await? {
            Some(found) => found,
            None => match self.create_store(name).await? {
                Some(created) => created,
                // Another caller created it between our describe and create.
                None => self
                    .describe_store(name)
                    .await?
                    .ok_or_else(|| Error::not_found(ResourceKind::KeyValueStore, name))?,
            },
        };
        let mut waited = 0;
        loop {
            match store.status() {
                Some(READY) => break,
                None | Some(PROVISIONING) if waited < poll.attempts => {
                    waited += 1;
                    tokio::time::sleep(poll.interval).await;
                    (store, etag) = self
                        .describe_store(name)
                        .await?
                        .ok_or_else(|| Error::not_found(ResourceKind::KeyValueStore, name))?;
                }
                status => {
                    let status = status.unwrap_or("unknown").to_string();
                    let reason = if status == PROVISIONING {
                        format!("not READY after {waited} checks")
                    } else {
                        "CloudFront did not make it READY; delete it and try again".to_string()
                    };
                    return Err(Error::invalid_state(
                        ResourceKind::KeyValueStore,
                        name,
                        status,
                        reason,
                    ));
                }
            }
        }
        Ok(RouterStore {
            arn: store.arn,
            id: store.id,
            etag,
        })
    }

    /// The store named `name` as it is now, whatever its status, or `None`
    /// if the account has none: one `DescribeKeyValueStore`, nothing
    /// created.
    pub async fn find_key_value_store(&self, name: &str) -> Result<Option<RouterStore>> {
        check_name("name", name)?;
        Ok(self
            .describe_store(name)
            .await?
            .map(|(store, etag)| RouterStore {
                arn: store.arn,
                id: store.id,
                etag,
            }))
    }

    /// How many KeyValueStores the account holds, counted with
    /// `ListKeyValueStores` page by page: what a new router pair is
    /// checked against before it is created.
    pub async fn count_key_value_stores(&self) -> Result<u32> {
        let mut count = 0u32;
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_key_value_stores()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, "ListKeyValueStores", "account", e))?;
            let Some(list) = out.key_value_store_list else {
                return Ok(count);
            };
            count = count.saturating_add(u32::try_from(list.items().len()).unwrap_or(u32::MAX));
            match list.next_marker.filter(|m| !m.is_empty()) {
                Some(next) => marker = Some(next),
                None => return Ok(count),
            }
        }
    }

    /// The store named `name` and its ETag, or `None`.
    async fn describe_store(&self, name: &str) -> Result<Option<(KeyValueStore, String)>> {
        let out = match self
            .client
            .describe_key_value_store()
            .name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_entity_not_found()) =>
            {
                return Ok(None)
            }
            Err(err) => {
                return Err(service_error(
                    Service::Cdn,
                    "DescribeKeyValueStore",
                    name,
                    err,
                ))
            }
        };
        let etag = out.e_tag.unwrap_or_default();
        let store = out.key_value_store.ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "DescribeKeyValueStore",
                "no key value store in the reply",
            )
        })?;
        Ok(Some((store, etag)))
    }

    /// Creates the store; `None` if one with that name exists already.
    async fn create_store(&self, name: &str) -> Result<Option<(KeyValueStore, String)>> {
        let out = match self
            .client
            .create_key_value_store()
            .name(name)
            .comment("Anchor's edge router: which deployment serves each host")
            .send()
            .await
        {
            Ok(out) => out,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_entity_already_exists()) =>
            {
                return Ok(None)
            }
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_entity_limit_exceeded()) =>
            {
                return Err(Error::invalid_input(
                    "name",
                    format!(
                        "cannot create key value store {name}: the account has as many stores as \
                         its quota allows (50 by default); delete one or raise \
                         'Key value stores per account' in Service Quotas (CloudFront)"
                    ),
                ))
            }
            Err(err) => {
                return Err(service_error(
                    Service::Cdn,
                    "CreateKeyValueStore",
                    name,
                    err,
                ))
            }
        };
        let etag = out.e_tag.unwrap_or_default();
        let store = out.key_value_store.ok_or_else(|| {
            Error::service(
                "aws",
                Service::Cdn,
                "CreateKeyValueStore",
                "no key value store in the reply",
            )
        })?;
        Ok(Some((store, etag)))
    }
}
