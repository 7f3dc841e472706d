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
pub mod router;
pub mod traits;

#[cfg(feature = "local")]
pub use anchor::LocalOptions;
pub use anchor::{Anchor, AnchorBuilder};
pub use error::{Error, ResourceKind, Result, Service};
pub use flows::{
    DeployPlan, Deployer, DomainManager, FlowSettings, PlannedAction, PlannedAsset, RecoveryReport,
    Rollback, RollbackOutcome, RollbackTarget,
};
pub use traits::Backend;
