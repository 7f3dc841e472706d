//! # anchor-core
//!
//! Atomic deploys, instant rollback and custom domains with automatic TLS
//! for OpenNext builds of Next.js apps, on your own AWS account or, with the
//! embedded default, on one machine with no account at all.
//!
//! The crate is layered, and data travels one way:
//! - [`model`]: plain typed records and their validation;
//! - [`traits`]: the state store and the cloud clients the flows need,
//!   bundled as a [`Backend`];
//! - [`flows`]: [`Deployer`], [`Rollback`] and [`DomainManager`], the state
//!   machine, written once over the traits;
//! - [`local`]: the embedded default backend (SQLite and local files);
//! - [`calls`]: the argument rules and result JSON of the public calls,
//!   written once for Rust, Python and Node;
//! - [`Anchor`]: the entry point that wires a backend into the flows, built
//!   with [`Anchor::builder`] or the shortcuts `Anchor::local` and
//!   `Anchor::aws`.
//!
//! Default features: `local`, the embedded default. `aws` adds the AWS
//! backend, `edge` the local edge server that serves what the embedded
//! default deployed, and `conformance` the trait suites a backend runs.
//!
//! # A tour
//!
//! Deploy, preview, promote, roll back, page through history and add a
//! domain, on the embedded default (this runs as a doctest, on the tiny
//! committed OpenNext build under `tests/fixtures`; the README shows the
//! same lines):
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anchor_core::Result<()> {
//! # use anchor_core::model::DeploymentStatus;
//! use anchor_core::model::PageRequest;
//! use anchor_core::Anchor;
//! # let state = tempfile::tempdir().map_err(|e| anchor_core::Error::io("tempdir", e))?;
//! # let state = state.path();
//! # let build = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/open-next-min");
//!
//! let anchor = Anchor::local(state).await?;                  // or Anchor::builder(any Backend).build()
//! anchor.create_project("shop").await?;                       // idempotent; provisions functions + distribution
//! let plan = anchor.deployer("shop", build).plan().await?;    // dry run: uploads, copies, skips
//! let live = anchor.deployer("shop", build).on_progress(|e| println!("{e:?}")).execute().await?;
//! let preview = anchor.deployer("shop", build).promote(false).execute().await?;
//! anchor.promote("shop", preview.id.as_str()).await?;
//! let rb = anchor.rollback("shop").reason("bad release").execute().await?; // or .to_version(3) / .to_deployment(id)
//! let page = anchor.history("shop", &PageRequest::first(20)).await?;       // newest first, with next_cursor
//! let d = anchor.domains("shop").add("www.example.com").await?;           // DNS records to add
//! anchor.domains("shop").refresh("www.example.com").await?;               // attaches once the certificate is issued
//!
//! assert!(!plan.assets.is_empty());
//! assert_eq!(live.status, DeploymentStatus::Live);
//! assert_eq!(rb.to.id, live.id);                                // back to the first deployment
//! assert_eq!(page.items[0].id, preview.id);                   // newest first
//! assert!(!d.validation_records.is_empty());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod anchor;
#[cfg(feature = "aws")]
pub mod aws;
pub mod calls;
pub mod clock;
#[cfg(feature = "conformance")]
pub mod conformance;
#[cfg(feature = "edge")]
pub mod edge;
pub mod error;
pub mod fault;
pub mod flows;
#[cfg(feature = "local")]
pub mod local;
pub mod model;
pub mod opennext;
pub mod progress;
#[cfg(test)]
mod readme_tour;
pub mod router;
pub mod traits;

#[cfg(feature = "local")]
pub use anchor::LocalOptions;
pub use anchor::{Anchor, AnchorBuilder};
pub use error::{Error, ResourceKind, Result, Service};
pub use flows::prune::{KeepReason, KeptDeployment, PruneOptions, PruneReport, PrunedDeployment};
pub use flows::{
    DeployPlan, Deployer, DomainManager, FlowSettings, PlannedAction, PlannedAsset, PreviewAddress,
    RecoveryReport, Rollback, RollbackOutcome, RollbackTarget, Rollouts,
};
pub use traits::Backend;
