//! [`DynamoStateStore`]: the AWS backend's record store, four DynamoDB
//! tables.
//!
//! | table | key | holds |
//! |---|---|---|
//! | projects | `name` S | project records; `counter#<project>` version counters |
//! | deployments | `project` S, `version` N | deployment records; `id#<id>` (version 0) id pointers |
//! | domains | `name` S; index `ProjectIdIndex` on `project_id` S, `created_seq` N | domain records |
//! | rollbacks | `project` S, `sequence` N | rollback events |
//!
//! Each record is its serde JSON in the `record` attribute, beside its key
//! attributes and a numeric `revision` that conditions compare.

mod batch;
mod codec;
mod commit;
mod counter;
mod import;
mod items;
mod names;
mod page;
mod read;
mod tables;
pub(crate) mod tag_table;

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use tokio::sync::Mutex;

pub use codec::PROJECT_ID_INDEX;
pub use names::TableNames;

use crate::error::Result;
use crate::model::{
    Deployment, DeploymentId, Domain, DomainName, Page, PageRequest, Project, ProjectName,
    RollbackEvent,
};
use crate::traits::{StateStore, WriteBatch};

/// A [`StateStore`] on DynamoDB.
///
/// It keeps every guarantee of the trait:
/// - [`StateStore::commit`] is one `TransactWriteItems` call, so its writes
///   are applied all or none. Each item carries its record's condition
///   (`attribute_not_exists` for `Expect::Absent`, `revision = :r` for
///   `Expect::Revision`); on cancellation the first item whose condition
///   failed is reported as `Error::PreconditionFailed`. A batch may need at
///   most 100 items (a new deployment takes two); larger ones are refused as
///   `InvalidInput` before any call. A cancellation caused only by another
///   transaction writing the same items is retried, since it applied nothing;
///   if that keeps happening the commit fails with `Error::Conflict`. Each
///   attempt carries a `ClientRequestToken`, so the SDK's retries of a call
///   whose reply was lost cannot apply it twice.
/// - Domain items are keyed by the name alone, so a name is held by one
///   project across the whole table.
/// - All reads are strongly consistent, including lookups by deployment id
///   (through an id pointer item written in the same transaction). Only
///   [`StateStore::list_domains`] depends on an index, which may lag a
///   commit by a moment; the records it returns are re-read consistently.
/// - Version counters are items of their own, bumped with an atomic `ADD`
///   that project commits never touch, so a number is never handed out twice.
/// - Listings query the table's key backwards from the cursor, so a page
///   costs the same however long the history is.
///
/// Call [`DynamoStateStore::ensure_tables`] once before first use (or
/// create the tables with infrastructure code of your own).
#[derive(Debug, Clone)]
pub struct DynamoStateStore {
    client: Client,
    tables: TableNames,
    /// Set by [`DynamoStateStore::serialize_writes`]; shared by clones.
    write_lock: Option<Arc<Mutex<()>>>,
}

impl DynamoStateStore {
    /// A store on the `tables` reachable through `client`. Makes no call;
    /// the tables must exist by the first read or write.
    pub fn new(client: Client, tables: TableNames) -> Self {
        Self {
            client,
            tables,
            write_lock: None,
        }
    }

    /// Runs this store's writes (`commit` and `allocate_version`) one at a
    /// time, through a lock shared by its clones, when `on`.
    ///
    /// Only for emulators that do not apply conditional writes and `ADD`
    /// atomically, such as moto, whose server handles requests on threads
    /// without a lock. DynamoDB itself needs no such help, and the lock does
    /// nothing against other processes, so it is off by default.
    pub fn serialize_writes(mut self, on: bool) -> Self {
        self.write_lock = on.then(|| Arc::new(Mutex::new(())));
        self
    }

    /// The tables this store uses.
    pub fn tables(&self) -> &TableNames {
        &self.tables
    }

    /// Creates each missing table (on-demand billing), adopts existing ones
    /// and waits until all are active with the SDK's `table_exists` waiter.
    ///
    /// Idempotent: running it again, or in several processes at once,
    /// changes nothing. An existing table whose keys differ from the design
    /// above, or a domains table without `ProjectIdIndex`, is refused with a
    /// `Service` error rather than adopted.
    pub async fn ensure_tables(&self) -> Result<()> {
        tables::ensure(&self.client, &self.tables).await
    }
}

impl DynamoStateStore {
    /// Writes finished deployment records in bulk, without conditions: each
    /// deployment's slot and id pointer, 25 items per BatchWriteItem call
    /// (unprocessed items are resent). For importing a history, such as
    /// seeding a benchmark's long history, where one transaction per record
    /// would be slow.
    ///
    /// It bypasses the revision checks of [`StateStore::commit`], so it must
    /// only write records no flow is writing: deployments that are not in
    /// progress (others are refused as `InvalidInput` before any call), of
    /// a project no switch is touching, each with a version handed out by
    /// [`StateStore::allocate_version`] so that no later deploy gets it.
    /// It is not atomic: a failure can leave some records written.
    pub async fn import_deployments(&self, deployments: &[Deployment]) -> Result<()> {
        let _turn = self.take_turn().await;
        import::import(&self.client, &self.tables, deployments).await
    }

    /// Waits for this store's turn to write, if writes are serialised.
    async fn take_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}

#[async_trait]
impl StateStore for DynamoStateStore {
    async fn commit(&self, batch: WriteBatch) -> Result<()> {
        let _turn = self.take_turn().await;
        commit::commit(&self.client, &self.tables, &batch).await
    }

    async fn get_project(&self, name: &ProjectName) -> Result<Option<Project>> {
        let key = [(codec::NAME.to_string(), codec::s(name.as_str()))].into();
        let label = format!("name {name}");
        read::record(&self.client, &self.tables.projects, key, label).await
    }

    async fn list_projects(&self) -> Result<Vec<Project>> {
        read::projects(&self.client, &self.tables).await
    }

    async fn allocate_version(&self, project: &ProjectName) -> Result<u64> {
        let _turn = self.take_turn().await;
        counter::allocate_version(&self.client, &self.tables, project).await
    }

    async fn get_deployment(
        &self,
        project: &ProjectName,
        id: &DeploymentId,
    ) -> Result<Option<Deployment>> {
        read::deployment(&self.client, &self.tables, project, id).await
    }

    async fn get_deployment_by_version(
        &self,
        project: &ProjectName,
        version: u64,
    ) -> Result<Option<Deployment>> {
        read::deployment_by_version(&self.client, &self.tables, project, version).await
    }

    async fn list_deployments(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<Deployment>> {
        let listing = page::Listing::Deployments;
        page::page(&self.client, &self.tables, listing, project, page).await
    }

    async fn list_rollbacks(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<RollbackEvent>> {
        let listing = page::Listing::Rollbacks;
        page::page(&self.client, &self.tables, listing, project, page).await
    }

    async fn get_domain(&self, name: &DomainName) -> Result<Option<Domain>> {
        read::domain(&self.client, &self.tables, name).await
    }

    async fn list_domains(&self, project: &ProjectName) -> Result<Vec<Domain>> {
        read::domains(&self.client, &self.tables, project).await
    }
}
