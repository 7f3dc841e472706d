//! The embedded default: the same state machine on one machine with no
//! cloud account. SQLite holds the records, local files hold objects and
//! function code, and a small SQLite database models the cloud services with
//! strict AWS semantics (stale If-Match rejected, certificates pending until
//! validated, versions immutable).

mod cdn;
mod certificates;
mod cloud;
mod function_config;
mod function_records;
mod functions;
mod kvs;
mod objects;
mod provisioner;
mod revalidation;
mod state_store;
mod tag_table;
mod temp_file;
mod tenants;

pub use cdn::{InvalidationRecord, LocalCdn, MAX_INVALIDATION_PATHS, MAX_INVALIDATION_WILDCARDS};
pub use certificates::LocalCertificates;
pub use cloud::{LocalCloud, LocalCloudOptions};
pub use function_records::{function_url_host, parse_function_url_host, RunnableVersion};
pub use functions::{LocalFunctionUrl, LocalFunctions};
pub use kvs::LocalKvs;
pub use objects::{validate_key, LocalObjectStore, MAX_KEY_LEN};
pub use provisioner::{LocalProvisioner, BUCKET_HOST, LOCAL_PREVIEW_SUFFIX, ROUTER_STORE};
pub use revalidation::{LocalQueue, LocalRevalidation, QUEUE_REGION, QUEUE_URL_PREFIX};
pub use state_store::SqliteStateStore;
pub use tag_table::{LocalTagTable, StoredTagItem};
