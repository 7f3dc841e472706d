//! The contracts between Anchor's flows and its backends: one state store
//! and four cloud clients, plus provisioning. Each trait is minimal, for
//! implementers; the flows hold the logic.

mod cdn;
mod certificates;
mod functions;
mod objects;
mod provision;
mod store;

pub use cdn::{
    check_invalidation, Cdn, DistributionConfig, Versioned, MAX_INVALIDATION_PATHS,
    MAX_INVALIDATION_WILDCARDS,
};
pub use certificates::{
    CertificateDescription, CertificateRequest, Certificates, MANAGED_BY_TAG,
    MAX_CERTIFICATE_NAMES, PROJECT_TAG_KEY,
};
pub use functions::{
    AliasConfig, AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions,
};
pub use objects::{ObjectBody, ObjectMeta, ObjectStore, PutOptions};
pub use provision::{ProvisionOptions, Provisioner};
pub use store::{DomainWrite, Expect, StateStore, WriteBatch};
