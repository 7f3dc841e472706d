//! [`Anchor::local`] and [`Anchor::local_with`]: the embedded default's
//! shortcuts over [`Anchor::builder`].

use std::path::Path;
use std::sync::Arc;

use super::Anchor;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::flows::FlowSettings;
use crate::local::{LocalCloud, LocalCloudOptions, SqliteStateStore};
use crate::model::DomainMode;

/// Options of [`Anchor::local_with`].
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// Time source of the flows and of the local cloud (certificate
    /// issuance); the system clock by default.
    pub clock: Arc<dyn Clock>,
    /// Issue local certificates automatically this long after they are
    /// requested; `None` (the default) waits for an explicit
    /// [`crate::local::LocalCertificates::validate`].
    pub auto_issue_after: Option<chrono::Duration>,
    /// Tunables of the flows.
    pub settings: FlowSettings,
    /// Provision new projects' distributions with the edge router (the
    /// default). `false` provisions them as Anchor did before the router:
    /// behaviours from the build, to the `live` aliases, as the AWS backend
    /// still does; for testing that path and upgrades from it.
    pub router: bool,
    /// How new projects' custom domains reach their distribution: one
    /// tenant each on a multi-tenant distribution (the default), or as
    /// aliases of a standard one, as the AWS backend still provisions; for
    /// testing that path. The local CDN holds the account to
    /// `settings.domain_limits`, as CloudFront holds an account to its
    /// quotas.
    pub domain_mode: DomainMode,
}

impl Default for LocalOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            auto_issue_after: None,
            settings: FlowSettings::default(),
            router: true,
            domain_mode: DomainMode::Tenants,
        }
    }
}

impl Anchor {
    /// Opens the embedded default in `dir` (created if missing): SQLite
    /// records in `dir/state.db`, local objects, functions, CDN and CA in
    /// `dir/cloud`.
    pub async fn local(dir: impl AsRef<Path>) -> Result<Self> {
        Self::local_with(dir, LocalOptions::default()).await
    }

    /// Opens the embedded default with options. The same as
    /// [`Anchor::builder`] over [`LocalCloud::backend`] with the options'
    /// clock and settings, plus [`Anchor::local_cloud`].
    pub async fn local_with(dir: impl AsRef<Path>, options: LocalOptions) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let clock = options.clock.clone();
        let cloud_options = LocalCloudOptions {
            auto_issue_after: options.auto_issue_after,
            without_router: !options.router,
            domain_mode: options.domain_mode,
            domain_limits: options.settings.domain_limits,
        };
        options.settings.domain_limits.validate()?;
        let (store, cloud) = tokio::task::spawn_blocking(move || {
            let store = SqliteStateStore::open(&dir)?;
            let cloud = LocalCloud::open_with(dir.join("cloud"), clock, cloud_options)?;
            Ok::<_, Error>((store, cloud))
        })
        .await
        .map_err(|e| {
            Error::service("local", crate::Service::StateStore, "Open", e.to_string())
        })??;
        Ok(Self::builder(cloud.backend(Arc::new(store)))
            .clock(options.clock)
            .settings(options.settings)
            .local_cloud(cloud)
            .build())
    }
}
