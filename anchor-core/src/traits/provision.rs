use async_trait::async_trait;

use crate::error::Result;
use crate::model::{
    validate_alias, CdnRoute, Infrastructure, ProjectName, RouterBinding, RouterCapacity,
    SiteFunctionSettings,
};

/// Options of [`Provisioner::provision`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionOptions {
    /// The alias that serves traffic: Lambda's alias rule (1 to 128 of
    /// `A-Z a-z 0-9 - _`, not all digits), checked before anything is
    /// created.
    pub alias: String,
    /// The CDN's behaviours in precedence order, the default `*` last:
    /// from a build's `open-next.output.json`, or OpenNext's defaults.
    pub routes: Vec<CdnRoute>,
    /// Bring-your-own: adopt these existing resources instead of creating
    /// them. The backend checks that they exist and changes nothing it did
    /// not create.
    pub existing: Option<Infrastructure>,
    /// The settings new functions are created with (SST's by default).
    /// Checked before anything is created; an `InvalidInput` names the
    /// field, such as `server.memory_mb`. Existing functions are left as
    /// they are: a deploy with settings reconciles them.
    pub functions: SiteFunctionSettings,
    /// The edge router pair the new distribution is bound to, as
    /// [`Provisioner::find_router_pair`] or
    /// [`Provisioner::open_router_pair`] returned it. `create_project`
    /// fills it in by the capacity rule (`docs/router.md`) when it is
    /// `None`; a direct call of [`Provisioner::provision`] with `None`
    /// binds pair 1, found or created. Ignored without a router.
    pub router_pair: Option<RouterBinding>,
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            alias: "live".into(),
            routes: CdnRoute::opennext_defaults(),
            existing: None,
            functions: SiteFunctionSettings::default(),
            router_pair: None,
        }
    }
}

impl ProvisionOptions {
    /// Checks the alias and the function settings, as every
    /// [`Provisioner::provision`] does before it creates anything:
    /// `InvalidInput` on `alias`, or on the setting (`server.memory_mb`).
    pub fn validate(&self) -> Result<()> {
        validate_alias(&self.alias)?;
        self.functions.validate()
    }
}

/// Creates or adopts the cloud resources of a project.
///
/// Implementations are idempotent: provisioning the same project twice
/// returns the same infrastructure and creates nothing new. Options that
/// [`ProvisionOptions::validate`] refuses are refused before anything is
/// created. `anchor_core::conformance::provisioner` checks all of this.
#[async_trait]
pub trait Provisioner: Send + Sync + std::fmt::Debug {
    /// Ensures the functions, asset prefix and distribution exist. The
    /// result's `asset_location` is the location of the object store the
    /// backend's assets go to, as that store's
    /// [`crate::traits::ObjectStore::location`] reports it.
    async fn provision(
        &self,
        project: &ProjectName,
        options: &ProvisionOptions,
    ) -> Result<Infrastructure>;

    /// Whether this backend binds new projects (and upgrades) to an edge
    /// router pair. `false`: distributions route by their behaviours.
    fn gives_router(&self) -> bool;

    /// Edge router pair `index` (1 is the first; pairs are named
    /// deterministically from it) if it exists now: the binding a project
    /// bound to it records. Creates nothing. `None` if it does not exist,
    /// or this backend gives no router.
    async fn find_router_pair(&self, index: u32) -> Result<Option<RouterBinding>>;

    /// Finds or creates edge router pair `index` (its function and store)
    /// and returns its binding. A pair is created only if the account then
    /// stays within `capacity`'s quotas: with as many functions or stores
    /// as `functions_per_account` or `stores_per_account` already, it is
    /// `Error::InvalidInput` on `router_capacity.functions_per_account` or
    /// `router_capacity.stores_per_account`, and nothing is created. A
    /// backend routed through one pair made elsewhere opens no other:
    /// `Error::InvalidInput` on `router`, quoting `full` (why the pairs
    /// before `index` take no more projects). Idempotent.
    async fn open_router_pair(
        &self,
        index: u32,
        capacity: &RouterCapacity,
        full: &str,
    ) -> Result<RouterBinding>;

    /// The second half of upgrading a project provisioned without the edge
    /// router (the first binds it to a pair, with
    /// [`Provisioner::find_router_pair`] or
    /// [`Provisioner::open_router_pair`], and writes its keys): lays the
    /// distribution of `infra` (whose `router` is set) out for that pair, keeping its domains and certificate.
    /// The caller has written the live pointer first, so the first request
    /// routed by the router finds it. Idempotent: a distribution already
    /// laid out so is left as it is.
    async fn route_through_router(&self, infra: &Infrastructure) -> Result<()>;
}
