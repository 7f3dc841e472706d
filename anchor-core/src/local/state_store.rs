//! [`SqliteStateStore`]: the embedded default's record store, one SQLite
//! database file per Anchor home.
//!
//! Records are kept whole as JSON next to the few key columns that
//! conditions, lookups and ordering need, so adding a field to a record needs
//! no migration. Every call runs on tokio's blocking pool because SQLite I/O
//! (and `busy_timeout` waits) must not stall the async workers.

mod errors;
mod read;
mod schema;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::model::{
    Deployment, DeploymentId, Domain, DomainName, Page, PageRequest, Project, ProjectName,
    RollbackEvent,
};
use crate::traits::{StateStore, WriteBatch};

/// A [`StateStore`] on SQLite.
///
/// It keeps every guarantee of the trait:
/// - [`StateStore::commit`] runs in one `BEGIN IMMEDIATE` transaction, so its
///   conditions are checked and its writes applied with no other writer in
///   between, in this process or another one using the same file, and a
///   failed condition rolls everything back.
/// - Domain rows are keyed by name alone, so a name is held by one project.
/// - Reads go through the same connection as writes, so a read issued after
///   `commit` returned sees it.
/// - Version counters live in their own table, apart from deployments, so a
///   number handed out is never handed out again, even if its deployment is
///   never recorded.
/// - Listings walk the primary key index from the cursor, so a page costs the
///   same however long the history is.
///
/// Clones share one connection.
#[derive(Clone)]
pub struct SqliteStateStore {
    conn: Arc<Mutex<Connection>>,
    /// `None` for an in-memory store.
    path: Option<PathBuf>,
}

impl SqliteStateStore {
    /// Opens (or creates) `<dir>/state.db`, creating `dir` if needed, and
    /// brings its schema up to date.
    ///
    /// The database uses write-ahead logging, so readers in other processes
    /// do not block the writer, and waits up to a few seconds for a lock held
    /// by another process before failing with a retryable error. A file
    /// written by a newer Anchor (a higher schema version) is refused rather
    /// than misread.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join("state.db");
        let mut conn = Connection::open(&path).map_err(errors::sql("Open"))?;
        schema::prepare(&mut conn, true)?;
        Ok(Self::wrap(conn, Some(path)))
    }

    /// A private store that lives as long as this value and its clones; for
    /// tests and dry runs. It keeps every guarantee except durability.
    pub fn in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory().map_err(errors::sql("Open"))?;
        schema::prepare(&mut conn, false)?;
        Ok(Self::wrap(conn, None))
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn wrap(conn: Connection, path: Option<PathBuf>) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        }
    }

    /// Runs `f` with the connection on the blocking pool.
    ///
    /// The lock is taken and released inside the blocking task, never across
    /// an await. A poisoned lock is recovered: a panic inside `f` unwinds
    /// through rusqlite's `Transaction`, whose drop rolls back, so the
    /// connection is left in a consistent state.
    async fn run<T, F>(&self, operation: &'static str, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let task = tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        });
        task.await.map_err(|join| errors::join(operation, join))?
    }
}

impl fmt::Debug for SqliteStateStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStateStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl StateStore for SqliteStateStore {
    async fn commit(&self, batch: WriteBatch) -> Result<()> {
        self.run("Commit", move |conn| write::commit(conn, &batch))
            .await
    }

    async fn get_project(&self, name: &ProjectName) -> Result<Option<Project>> {
        let name = name.clone();
        self.run("GetProject", move |conn| read::project(conn, &name))
            .await
    }

    async fn list_projects(&self) -> Result<Vec<Project>> {
        self.run("ListProjects", read::projects).await
    }

    async fn allocate_version(&self, project: &ProjectName) -> Result<u64> {
        let project = project.clone();
        self.run("AllocateVersion", move |conn| {
            write::allocate_version(conn, &project)
        })
        .await
    }

    async fn get_deployment(
        &self,
        project: &ProjectName,
        id: &DeploymentId,
    ) -> Result<Option<Deployment>> {
        let (project, id) = (project.clone(), id.clone());
        self.run("GetDeployment", move |conn| {
            read::deployment(conn, &project, &id)
        })
        .await
    }

    async fn get_deployment_by_version(
        &self,
        project: &ProjectName,
        version: u64,
    ) -> Result<Option<Deployment>> {
        let project = project.clone();
        self.run("GetDeploymentByVersion", move |conn| {
            read::deployment_by_version(conn, &project, version)
        })
        .await
    }

    async fn list_deployments(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<Deployment>> {
        // Caller mistakes are reported before any thread hop or lock.
        let bound = read::PageBound::new(page)?;
        let project = project.clone();
        self.run("ListDeployments", move |conn| {
            read::page(conn, read::Listing::Deployments, &project, bound)
        })
        .await
    }

    async fn list_rollbacks(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<RollbackEvent>> {
        let bound = read::PageBound::new(page)?;
        let project = project.clone();
        self.run("ListRollbacks", move |conn| {
            read::page(conn, read::Listing::Rollbacks, &project, bound)
        })
        .await
    }

    async fn get_domain(&self, name: &DomainName) -> Result<Option<Domain>> {
        let name = name.clone();
        self.run("GetDomain", move |conn| read::domain(conn, &name))
            .await
    }

    async fn list_domains(&self, project: &ProjectName) -> Result<Vec<Domain>> {
        let project = project.clone();
        self.run("ListDomains", move |conn| read::domains(conn, &project))
            .await
    }
}
