use async_trait::async_trait;

use crate::error::Result;
use crate::model::{CdnRoute, Infrastructure, ProjectName, RouterBinding, SiteFunctionSettings};

/// Options of [`Provisioner::provision`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionOptions {
    /// The alias that serves traffic.
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
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            alias: "live".into(),
            routes: CdnRoute::opennext_defaults(),
            existing: None,
            functions: SiteFunctionSettings::default(),
        }
    }
}

/// Creates or adopts the cloud resources of a project.
///
/// Implementations are idempotent: provisioning the same project twice
/// returns the same infrastructure and creates nothing new.
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

    /// The first half of upgrading a project provisioned without the edge
    /// router: ensures the router's shared resources exist and returns the
    /// binding the project's keys are written through, without changing
    /// the project's distribution. `None` if this backend gives projects
    /// no router. Idempotent.
    async fn router_binding(&self, project: &ProjectName) -> Result<Option<RouterBinding>>;

    /// The second half: lays the distribution of `infra` (whose `router`
    /// is set) out for the router, keeping its domains and certificate.
    /// The caller has written the live pointer first, so the first request
    /// routed by the router finds it. Idempotent: a distribution already
    /// laid out so is left as it is.
    async fn route_through_router(&self, infra: &Infrastructure) -> Result<()>;
}
