//! The [`StateStore`] conformance suite.
//!
//! Each check uses project and domain names made fresh from a ULID, so the
//! suite leaves the store usable and can run against a table other runs
//! share (such as DynamoDB under moto). Records it writes are not cleaned up.

mod concurrency;
mod domains;
pub mod fixtures;
mod paging;
mod writes;

use std::sync::Arc;

use crate::traits::StateStore;

/// Checks every guarantee documented on [`StateStore`], panicking with a
/// message that names the broken one:
///
/// - conditional create and update of projects, deployments and domains
///   (`Expect::Absent`, `Expect::Revision`), including a used
///   `(project, version)` and a deployment read through another project;
/// - all-or-nothing batches: a batch whose second write fails leaves its
///   first unapplied, for deployments, domains, rollback events and deletes;
/// - exactly one winner among 16 concurrent commits expecting one revision,
///   with the losers' writes absent;
/// - domain names unique across projects;
/// - read-your-writes of the project's active deployment after `commit`;
/// - `allocate_version` returning exactly 1 to 50 to 50 concurrent callers;
/// - newest-first deployment pages of several sizes with no duplicate or
///   gap, a short last page with no cursor, and cursors unmoved by newer
///   records;
/// - bad cursors refused as `InvalidInput` on `cursor`, and limits of 0 or
///   over [`crate::model::PageRequest::MAX_LIMIT`] on `limit`;
/// - rollback events listed newest first, and a used sequence refused;
/// - domains listed oldest first, and deleted only under their revision.
///
/// Run it inside a multi-threaded tokio runtime, so the concurrent checks
/// really overlap.
pub async fn state_store(store: Arc<dyn StateStore>) {
    let s = store.as_ref();
    writes::conditional_project_writes(s).await;
    writes::conditional_deployment_writes(s).await;
    writes::batches_are_all_or_nothing(s).await;
    domains::names_are_unique(s).await;
    domains::oldest_first_and_conditional_delete(s).await;
    writes::read_your_writes(s).await;
    concurrency::one_winner_per_revision(store.clone()).await;
    concurrency::versions_unique_and_gap_free(store.clone()).await;
    paging::deployments_newest_first(s).await;
    paging::bad_page_requests(s).await;
    paging::rollbacks_newest_first(s).await;
}
