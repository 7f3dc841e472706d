//! The contracts between Anchor's flows and its backends: one state store
//! and six cloud clients, plus provisioning, bundled as one [`Backend`].
//! Each trait is minimal, for implementers; the flows hold the logic.

mod backend;
mod cdn;
mod certificates;
mod functions;
mod health_gate;
mod kvs;
mod objects;
mod provision;
mod revalidation;
mod store;
mod tenant;

pub use backend::Backend;
pub use cdn::{
    check_invalidation, Cdn, DistributionConfig, Versioned, MAX_INVALIDATION_PATHS,
    MAX_INVALIDATION_WILDCARDS,
};
pub use certificates::{
    CertificateDescription, CertificateRequest, Certificates, MANAGED_BY_TAG,
    MAX_CERTIFICATE_NAMES, PROJECT_TAG_KEY,
};
pub use functions::url_host;
pub use functions::{
    AliasConfig, AliasRouting, CodeBundle, FunctionUrlAuth, FunctionUrlOptions, Functions,
    PublishOptions, SetAliasOptions,
};
pub use health_gate::{GateCheck, GateVerdict, HealthGate};
pub use kvs::{
    check_kvs_update, KeyValueStore, KvsDescription, KvsUpdate, MAX_KVS_KEY_BYTES,
    MAX_KVS_STORE_BYTES, MAX_KVS_UPDATE_ITEMS, MAX_KVS_VALUE_BYTES,
};
pub use objects::{ListedObject, ObjectBody, ObjectMeta, ObjectStore, PutOptions};
pub use provision::{ProvisionOptions, Provisioner};
pub use revalidation::{build_tag_prefix, Revalidation, RevalidationQueue};
pub use store::{DomainWrite, Expect, StateStore, WriteBatch};
pub use tenant::{check_tenant_name, Tenant, TenantSpec};
