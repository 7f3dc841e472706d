use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Infrastructure, ProjectName};

/// Options of [`Provisioner::provision`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionOptions {
    /// The alias that serves traffic.
    pub alias: String,
}

impl Default for ProvisionOptions {
    fn default() -> Self {
        Self {
            alias: "live".into(),
        }
    }
}

/// Creates or adopts the cloud resources of a project.
///
/// Implementations are idempotent: provisioning the same project twice
/// returns the same infrastructure and creates nothing new.
#[async_trait]
pub trait Provisioner: Send + Sync + std::fmt::Debug {
    /// Ensures the functions, asset prefix and distribution exist.
    async fn provision(
        &self,
        project: &ProjectName,
        options: &ProvisionOptions,
    ) -> Result<Infrastructure>;
}
