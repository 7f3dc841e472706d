//! The local cloud: one folder holding a SQLite database that models the
//! cloud services, plus the files of objects and function versions. The four
//! clients and the provisioner share one connection and one clock.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::Duration;
use rusqlite::Connection;

use super::{
    LocalCdn, LocalCertificates, LocalFunctions, LocalKvs, LocalObjectStore, LocalProvisioner,
    LocalRevalidation, LocalTagTable,
};
use crate::clock::Clock;
use crate::error::{Error, Result, Service};
use crate::model::{DomainLimits, DomainMode};
use crate::traits::{Backend, StateStore};

/// Options of [`LocalCloud::open_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalCloudOptions {
    /// How long after its request a certificate of the local CA becomes
    /// `Issued` on its own, checked against the clock whenever it is read.
    /// `None` (the default) keeps certificates pending until
    /// [`LocalCertificates::validate`] is called, as ACM does until the DNS
    /// records exist.
    pub auto_issue_after: Option<Duration>,
    /// Provision distributions without the edge router, routing by
    /// behaviours to the `live` aliases as Anchor did before it (and as the
    /// AWS backend still does). `false` by default.
    pub without_router: bool,
    /// How new projects' custom domains reach their distribution:
    /// [`DomainMode::Tenants`] (the default) provisions a multi-tenant
    /// distribution, [`DomainMode::Aliases`] a standard one, as Anchor did
    /// before tenants (and as the AWS backend still does).
    pub domain_mode: DomainMode,
    /// The account's quotas the local CDN enforces as CloudFront does;
    /// AWS's defaults.
    pub domain_limits: DomainLimits,
}

impl Default for LocalCloudOptions {
    fn default() -> Self {
        Self {
            auto_issue_after: None,
            without_router: false,
            domain_mode: DomainMode::Tenants,
            domain_limits: DomainLimits::default(),
        }
    }
}

/// The local cloud services of the embedded default, rooted in one folder.
///
/// Opening creates `<root>/cloud.db` (SQLite in WAL mode), `<root>/objects/`
/// and `<root>/functions/` if needed; opening an existing folder keeps its
/// contents. Clients handed out are cheap clones sharing one connection, so
/// what one writes the others read at once.
#[derive(Clone)]
pub struct LocalCloud {
    inner: Arc<Inner>,
}

impl fmt::Debug for LocalCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl LocalCloud {
    /// Opens (creating if needed) the local cloud at `root` with default options.
    pub fn open(root: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self> {
        Self::open_with(root, clock, LocalCloudOptions::default())
    }

    /// Opens (creating if needed) the local cloud at `root`.
    pub fn open_with(
        root: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        options: LocalCloudOptions,
    ) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        for dir in [root.join("objects"), root.join("functions")] {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        let db_path = root.join("cloud.db");
        let fail = |e: rusqlite::Error| db_error(Service::Objects, "Open", e);
        let conn = Connection::open(&db_path).map_err(fail)?;
        // Another process (a local HTTP edge) may open the same database:
        // WAL lets it read while we write, and the timeout makes writers wait
        // for each other instead of failing with SQLITE_BUSY.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        add_missing_columns(&conn).map_err(fail)?;
        let location = store_location(&conn).map_err(fail)?;
        Ok(Self {
            inner: Arc::new(Inner {
                root,
                location,
                db: Mutex::new(conn),
                clock,
                options,
            }),
        })
    }

    /// The folder the cloud lives in.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The asset store.
    pub fn objects(&self) -> LocalObjectStore {
        LocalObjectStore::new(self.inner.clone())
    }

    /// The function host.
    pub fn functions(&self) -> LocalFunctions {
        LocalFunctions::new(self.inner.clone())
    }

    /// The CDN.
    pub fn cdn(&self) -> LocalCdn {
        LocalCdn::new(self.inner.clone())
    }

    /// The key-value store the edge router reads.
    pub fn kvs(&self) -> LocalKvs {
        LocalKvs::new(self.inner.clone())
    }

    /// The tag tables of OpenNext's tag cache, as the local edge reads
    /// and writes them for the functions.
    pub fn tag_table(&self) -> LocalTagTable {
        LocalTagTable::new(self.inner.clone())
    }

    /// The revalidation pipeline: tag tables and deployments' queues.
    pub fn revalidation(&self) -> LocalRevalidation {
        LocalRevalidation::new(self.inner.clone())
    }

    /// The certificate authority.
    pub fn certificates(&self) -> LocalCertificates {
        LocalCertificates::new(self.inner.clone())
    }

    /// The provisioner that creates functions and distributions.
    pub fn provisioner(&self) -> LocalProvisioner {
        LocalProvisioner::new(self.inner.clone())
    }

    /// Every client of this cloud as one [`Backend`], with `store` holding
    /// the records (the embedded default's is a
    /// [`super::SqliteStateStore`]). The clients share this cloud's
    /// connection and clock.
    pub fn backend(&self, store: Arc<dyn StateStore>) -> Backend {
        Backend {
            store,
            objects: Arc::new(self.objects()),
            functions: Arc::new(self.functions()),
            cdn: Arc::new(self.cdn()),
            certificates: Arc::new(self.certificates()),
            kvs: Arc::new(self.kvs()),
            // The local edge gives its workers their queue and tag table.
            revalidation: Arc::new(self.revalidation()),
            provisioner: Arc::new(self.provisioner()),
        }
    }
}

/// What every client shares.
pub(crate) struct Inner {
    pub(crate) root: PathBuf,
    /// What the object store reports as its location (see `store_location`).
    pub(crate) location: String,
    db: Mutex<Connection>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: LocalCloudOptions,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalCloud")
            .field("root", &self.root)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// Locks the connection. A panic while it was held cannot leave a
    /// transaction half-applied (SQLite rolls back on drop), so a poisoned
    /// lock is safe to take over.
    pub(crate) fn db(&self) -> MutexGuard<'_, Connection> {
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The clock's time in milliseconds since the epoch, as stored.
    pub(crate) fn now_millis(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Runs blocking SQLite and file work off the async runtime, naming the
    /// service and operation in any failure.
    pub(crate) async fn run<T, F>(
        self: &Arc<Self>,
        service: Service,
        operation: &'static str,
        work: F,
    ) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> LocalResult<T> + Send + 'static,
    {
        let inner = self.clone();
        let joined = tokio::task::spawn_blocking(move || work(&inner)).await;
        match joined {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(LocalError::Anchor(e))) => Err(e),
            Ok(Err(LocalError::Db(e))) => Err(db_error(service, operation, e)),
            Ok(Err(LocalError::Corrupt(message))) => Err(Error::service(
                "local",
                service,
                operation,
                format!("corrupt record in cloud.db: {message}"),
            )),
            Err(join) => Err(Error::service(
                "local",
                service,
                operation,
                format!("blocking task failed: {join}"),
            )),
        }
    }
}

/// The local backend's private error, converted into [`Error`] by
/// [`Inner::run`], which knows the service and operation.
#[derive(Debug)]
pub(crate) enum LocalError {
    Db(rusqlite::Error),
    Corrupt(String),
    Anchor(Error),
}

pub(crate) type LocalResult<T> = std::result::Result<T, LocalError>;

impl From<rusqlite::Error> for LocalError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e)
    }
}

impl From<Error> for LocalError {
    fn from(e: Error) -> Self {
        Self::Anchor(e)
    }
}

impl From<serde_json::Error> for LocalError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

fn db_error(service: Service, operation: &str, e: rusqlite::Error) -> Error {
    // Busy or locked means another writer held the database past the
    // timeout; the same call may then succeed.
    let retryable = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    Error::Service {
        backend: "local",
        service,
        operation: operation.to_string(),
        retryable,
        message: e.to_string(),
        source: Some(Box::new(e)),
    }
}

/// Columns added after the first release, as (table, column, type). A
/// folder made by an older Anchor gets them on open; rows it wrote read
/// them as NULL, which means "the default" everywhere they are used.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("function_versions", "handler", "TEXT"),
    ("function_versions", "environment", "TEXT"),
    ("function_versions", "architecture", "TEXT"),
    ("function_versions", "memory_mb", "INTEGER"),
    ("function_versions", "timeout_secs", "INTEGER"),
    ("function_versions", "runtime", "TEXT"),
    ("functions", "memory_mb", "INTEGER"),
    ("functions", "timeout_secs", "INTEGER"),
    ("functions", "runtime", "TEXT"),
    ("distributions", "routes", "TEXT"),
    ("distributions", "tenant_only", "INTEGER NOT NULL DEFAULT 0"),
];

fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, kind) in ADDED_COLUMNS {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(1))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if !names.iter().any(|n| n == column) {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
        }
    }
    Ok(())
}

/// How the object store names itself: `local:<id>`, an id made when the
/// folder was created and kept in `cloud.db`. The same folder opened by
/// another path (relative, through a symlink) or moved elsewhere is the same
/// store; another folder is another store.
fn store_location(conn: &Connection) -> rusqlite::Result<String> {
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?1)",
        [ulid::Ulid::new().to_string().to_lowercase()],
    )?;
    let id: String = conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| {
        r.get(0)
    })?;
    Ok(format!("local:{id}"))
}

/// Every table of the local cloud. Times are milliseconds since the epoch
/// from the injected clock; lists are JSON arrays.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    sha256 TEXT,
    content_type TEXT,
    cache_control TEXT
);
CREATE TABLE IF NOT EXISTS functions (
    name TEXT PRIMARY KEY,
    next_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS function_versions (
    function TEXT NOT NULL,
    version INTEGER NOT NULL,
    code_sha256 TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (function, version)
);
CREATE TABLE IF NOT EXISTS aliases (
    function TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    additional_version INTEGER,
    additional_weight REAL,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (function, name)
);
CREATE TABLE IF NOT EXISTS distributions (
    id TEXT PRIMARY KEY,
    domain_name TEXT NOT NULL,
    aliases TEXT NOT NULL,
    certificate_id TEXT,
    etag TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    distribution_id TEXT NOT NULL,
    domains TEXT NOT NULL,
    certificate_id TEXT,
    enabled INTEGER NOT NULL,
    tags TEXT NOT NULL,
    etag TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tenants_by_certificate ON tenants (certificate_id);
CREATE TABLE IF NOT EXISTS tenant_domains (
    domain TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invalidations (
    distribution_id TEXT NOT NULL,
    caller_reference TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    paths TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (distribution_id, caller_reference)
);
CREATE TABLE IF NOT EXISTS certificates (
    id TEXT PRIMARY KEY,
    idempotency_token TEXT NOT NULL,
    names TEXT NOT NULL,
    status TEXT NOT NULL,
    failure_reason TEXT,
    tags TEXT NOT NULL,
    requested_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_by_token ON certificates (idempotency_token);
CREATE TABLE IF NOT EXISTS function_urls (
    function TEXT NOT NULL,
    alias TEXT NOT NULL,
    auth TEXT NOT NULL,
    streaming INTEGER NOT NULL,
    PRIMARY KEY (function, alias)
);
CREATE TABLE IF NOT EXISTS kvs_stores (
    name TEXT PRIMARY KEY,
    etag TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tag_tables (
    name TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS tag_items (
    table_name TEXT NOT NULL,
    tag TEXT NOT NULL,
    path TEXT NOT NULL,
    revalidated_at INTEGER NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, tag, path)
);
CREATE INDEX IF NOT EXISTS tag_items_by_path ON tag_items (table_name, path, revalidated_at);
CREATE TABLE IF NOT EXISTS revalidation_queues (
    name TEXT PRIMARY KEY,
    project TEXT NOT NULL,
    deployment TEXT NOT NULL,
    function TEXT NOT NULL,
    version TEXT
);
CREATE TABLE IF NOT EXISTS kvs_items (
    store TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (store, key)
);
";

/// A fresh ETag; never repeats, so a stale one can never match again.
pub(crate) fn new_etag() -> String {
    format!("E{}", ulid::Ulid::new())
}
