//! Where a provisioned distribution's edge router comes from: the router
//! pairs the account holds (`anchor-router`, `anchor-router-2`, ...), or
//! one pair made elsewhere, and the binding the flows write the router's
//! keys through.

use super::super::{CloudFrontCdn, RouterResources};
use crate::error::{Error, ResourceKind, Result};
use crate::model::{router_pair_name, RouterBinding, RouterCapacity};
use crate::router::RouterOptions;

/// How the AWS backend gives new projects the edge router
/// (`docs/router.md`, `docs/aws.md`).
#[derive(Debug, Clone, Default)]
pub enum AwsRouter {
    /// Find, or create as projects need them, the account's router pairs:
    /// each a cache policy, a KeyValueStore and a function, all named
    /// `anchor-router` for pair 1 and `anchor-router-<n>` after. A new
    /// project is bound to the first pair with room and the next pair is
    /// opened when none has (`FlowSettings::router_capacity`). The default.
    #[default]
    Provision,
    /// Route through one pair made elsewhere (such as by infrastructure
    /// as code); Anchor neither creates nor changes it, checks its ARNs
    /// before any call, and opens no other: a new project when it is full
    /// is `Error::InvalidInput` on `router`.
    Existing(RouterResources),
    /// No router: each distribution routes by the build's behaviours to
    /// the functions' `live` aliases, and every switch moves the aliases
    /// and invalidates the cache, as projects made before the router did.
    Disabled,
}

/// The router source the provisioner holds: the CloudFront client of the
/// router's own calls when it provisions them.
#[derive(Debug, Clone)]
pub(crate) enum RouterSource {
    Provision(CloudFrontCdn, RouterOptions),
    Existing(RouterResources),
    Disabled,
}

impl RouterSource {
    /// Whether new distributions get a router.
    pub(crate) fn gives_router(&self) -> bool {
        !matches!(self, Self::Disabled)
    }

    /// The store ARN of pair `index` if it exists now; describes one store
    /// and creates nothing.
    pub(crate) async fn find_pair(&self, index: u32) -> Result<Option<String>> {
        match self {
            Self::Provision(cdn, _) => Ok(cdn
                .find_key_value_store(&router_pair_name(index))
                .await?
                .map(|store| store.arn)),
            Self::Existing(resources) if index <= 1 => {
                resources.check()?;
                Ok(Some(resources.store_arn.clone()))
            }
            Self::Existing(_) | Self::Disabled => Ok(None),
        }
    }

    /// Finds or creates pair `index`, checking the account's quotas before
    /// creating anything; returns its resources.
    pub(crate) async fn open_pair(
        &self,
        index: u32,
        capacity: &RouterCapacity,
        full: &str,
    ) -> Result<RouterResources> {
        match self {
            Self::Provision(cdn, options) => {
                if self.find_pair(index).await?.is_none() {
                    check_quotas(cdn, index, capacity).await?;
                }
                cdn.ensure_router_pair(index, options).await
            }
            Self::Existing(resources) if index <= 1 => {
                resources.check()?;
                Ok(resources.clone())
            }
            Self::Existing(resources) => Err(Error::invalid_input(
                "router",
                format!(
                    "the router pair Anchor was given (AwsRouter::Existing, store {}) takes no \
                     more projects: {full}. Pass another pair made elsewhere, or raise the limit \
                     in FlowSettings::router_capacity once CloudFront's quota is raised in \
                     Service Quotas",
                    resources.store_arn
                ),
            )),
            Self::Disabled => Err(Error::invalid_input(
                "router",
                "this backend provisions no edge router (AwsRouter::Disabled)",
            )),
        }
    }

    /// The resources of the pair `binding` names, found or (for a binding
    /// Anchor made) brought to the current code; pair 1's when `binding`
    /// is `None`. `None` without a router.
    pub(crate) async fn resources_for(
        &self,
        binding: Option<&RouterBinding>,
    ) -> Result<Option<RouterResources>> {
        match (self, binding) {
            (Self::Disabled, _) => Ok(None),
            (Self::Existing(resources), binding) => {
                resources.check()?;
                match binding {
                    Some(b) if b.store != resources.store_arn => Err(Error::invalid_input(
                        "router",
                        format!(
                            "the project is bound to store {}, not to the pair Anchor was given \
                             (store {}); a binding never moves",
                            b.store, resources.store_arn
                        ),
                    )),
                    _ => Ok(Some(resources.clone())),
                }
            }
            (Self::Provision(cdn, options), None) => cdn.ensure_router(options).await.map(Some),
            (Self::Provision(cdn, options), Some(binding)) => {
                let index = self.index_of(&binding.store).await?;
                cdn.ensure_router_pair(index, options).await.map(Some)
            }
        }
    }

    /// The index of the pair whose store is `store_arn`: pairs are probed
    /// in order by name until one matches or one is missing.
    async fn index_of(&self, store_arn: &str) -> Result<u32> {
        for index in 1..=u32::MAX {
            match self.find_pair(index).await? {
                Some(arn) if arn == store_arn => return Ok(index),
                Some(_) => continue,
                None => break,
            }
        }
        Err(Error::not_found(ResourceKind::KeyValueStore, store_arn))
    }
}

/// Refuses a new pair the account's quotas leave no room for: it needs one
/// more function and one more store.
async fn check_quotas(cdn: &CloudFrontCdn, index: u32, capacity: &RouterCapacity) -> Result<()> {
    let name = router_pair_name(index);
    let stores = cdn.count_key_value_stores().await?;
    if stores >= capacity.stores_per_account {
        return Err(quota_error(
            "router_capacity.stores_per_account",
            &name,
            "key value stores",
            stores,
            capacity.stores_per_account,
            "Key value stores per account",
        ));
    }
    let functions = cdn.count_functions().await?;
    if functions >= capacity.functions_per_account {
        return Err(quota_error(
            "router_capacity.functions_per_account",
            &name,
            "CloudFront functions",
            functions,
            capacity.functions_per_account,
            "CloudFront Functions per account",
        ));
    }
    Ok(())
}

/// The error of a new pair refused by an account quota: it names the
/// setting, the count and the Service Quotas entry to raise.
pub(crate) fn quota_error(
    field: &str,
    pair: &str,
    what: &str,
    held: u32,
    limit: u32,
    quota: &str,
) -> Error {
    Error::invalid_input(
        field,
        format!(
            "cannot open router pair {pair}: the account holds {held} {what} and {field} is \
             {limit}; delete unused ones, or raise '{quota}' in Service Quotas (CloudFront) and \
             then {field}"
        ),
    )
}

/// What the flows need to write a project's router keys: the store, and
/// the host public files are fetched from (the bucket's regional domain).
pub(crate) fn binding(store_arn: &str, bucket_domain: &str) -> RouterBinding {
    RouterBinding {
        store: store_arn.to_string(),
        bucket_host: bucket_domain.to_string(),
    }
}
