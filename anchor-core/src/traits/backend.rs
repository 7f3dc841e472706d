//! [`Backend`]: the set of clients one backend provides, and nothing else.

use std::sync::Arc;

use super::{
    Cdn, Certificates, Functions, KeyValueStore, ObjectStore, Provisioner, Revalidation, StateStore,
};

/// The clients of one backend, as trait objects: what the embedded default
/// (`local`) and AWS (`aws`) each build, what a wrapper such as
/// [`crate::fault::wrap`] wraps, and what `Anchor::builder` wires into the
/// flows.
///
/// It holds no settings, clock or caches: those belong to the `Anchor` built
/// over it, so two `Anchor`s built from clones of one `Backend` share every
/// record and object but no process state (as two processes would).
/// Cheap to clone; clones share the clients.
#[derive(Debug, Clone)]
pub struct Backend {
    /// Records: projects, deployments, domains and rollback events.
    pub store: Arc<dyn StateStore>,
    /// Assets and deployment manifests.
    pub objects: Arc<dyn ObjectStore>,
    /// Function versions, aliases and URLs.
    pub functions: Arc<dyn Functions>,
    /// The distributions.
    pub cdn: Arc<dyn Cdn>,
    /// Certificates.
    pub certificates: Arc<dyn Certificates>,
    /// The edge router's key-value store, for projects that have a router.
    pub kvs: Arc<dyn KeyValueStore>,
    /// The revalidation queues and tag table OpenNext's ISR needs.
    pub revalidation: Arc<dyn Revalidation>,
    /// Creates a project's cloud resources.
    pub provisioner: Arc<dyn Provisioner>,
}
