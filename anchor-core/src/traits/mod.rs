//! The contracts between Anchor's flows and its backends: one state store
//! and four cloud clients, plus provisioning. Each trait is minimal, for
//! implementers; the flows hold the logic.

mod cdn;
mod certificates;
mod functions;
mod objects;
mod provision;
mod store;

pub use cdn::{Cdn, DistributionConfig, Versioned};
pub use certificates::{CertificateDescription, CertificateRequest, Certificates, MANAGED_BY_TAG};
pub use functions::{
    AliasConfig, AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions,
};
pub use objects::{ObjectBody, ObjectMeta, ObjectStore, PutOptions};
pub use provision::{ProvisionOptions, Provisioner};
pub use store::{DomainWrite, Expect, StateStore, WriteBatch};
