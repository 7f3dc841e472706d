//! The embedded default: the same state machine on one machine with no
//! cloud account. SQLite holds the records, local files hold objects and
//! function code, and a small SQLite database models the cloud services with
//! strict AWS semantics (stale If-Match rejected, certificates pending until
//! validated, versions immutable).

mod cdn;
mod certificates;
mod cloud;
mod functions;
mod objects;
mod provisioner;
mod state_store;

pub use state_store::SqliteStateStore;
