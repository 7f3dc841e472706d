//! The world every case of the catalogue runs in, and the snapshot of its
//! whole state.
//!
//! One embedded Anchor holds two projects with a live deployment, an older
//! one, a preview, a failed deployment, rollback events, a domain each and
//! a domain whose certificate Anchor did not request. Every case must leave
//! all of it exactly as it was, so the cases can share one world.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anchor_core::fault::Fault;
use anchor_core::model::Deployment;
use anchor_core::opennext::BundleLimits;
use anchor_core::traits::{CertificateRequest, DomainWrite, Expect, WriteBatch};
use anchor_core::{Anchor, FlowSettings};

use crate::common::{self, Env};

/// The project most cases act on.
pub const P: &str = "shop";
/// Another project, holding its own domain and deployments.
pub const OTHER: &str = "blog";
/// The domain `shop` holds, with Anchor's certificate.
pub const SHOP_DOMAIN: &str = "www.shop-example.com";
/// The domain `blog` holds.
pub const BLOG_DOMAIN: &str = "www.blog-example.com";
/// A domain of `shop` whose record points at a certificate without
/// Anchor's managed-by tag.
pub const FOREIGN_DOMAIN: &str = "legacy.shop-example.com";

/// Bundle limits small enough to break with a few hundred KiB on disk;
/// the fixture's bundles (a few KiB) fit.
pub const SMALL_LIMITS: BundleLimits = BundleLimits {
    max_zipped_bytes: 256 * 1024,
    max_unzipped_bytes: 1024 * 1024,
};

/// The shared world of the catalogue.
pub struct World {
    /// The temporary folder, the Anchor and its fault plan.
    pub env: Env,
    /// The same backend with [`SMALL_LIMITS`] for function bundles.
    pub limited: Anchor,
    /// `shop`'s live deployment.
    pub live: Deployment,
    /// `shop`'s preview: built, never promoted.
    pub preview: Deployment,
    /// `shop`'s failed deployment.
    pub failed: Deployment,
    /// `blog`'s live deployment.
    pub other: Deployment,
    /// A certificate without Anchor's tag, named by [`FOREIGN_DOMAIN`]'s record.
    pub foreign_certificate: String,
    /// A cursor of `blog`'s deployment history.
    pub other_cursor: String,
    /// A cursor of `shop`'s rollback history.
    pub rollback_cursor: String,
}

impl World {
    /// Builds the world: about eight deploys and switches on the embedded default.
    pub async fn new() -> Self {
        let env = common::env().await;
        let a = &env.plain;
        a.create_project(P).await.unwrap();
        a.create_project(OTHER).await.unwrap();
        let deploy = |name: &str, tag: &str| {
            let dir = env.build(name);
            common::make_variant(&dir, tag);
            dir
        };
        a.deployer(P, deploy("v1", "v1")).execute().await.unwrap();
        a.deployer(P, deploy("v2", "v2")).execute().await.unwrap();
        a.rollback(P).reason("first").execute().await.unwrap();
        let live = a.rollback(P).to_version(2).execute().await.unwrap().to;
        let preview = a
            .deployer(P, deploy("v3", "v3"))
            .promote(false)
            .execute()
            .await
            .unwrap();
        env.plan.arm_operation("functions.publish", 0, Fault::Fail);
        env.anchor
            .deployer(P, deploy("v4", "v4"))
            .execute()
            .await
            .unwrap_err();
        env.plan.reset();
        let failed = a
            .history(P, &anchor_core::model::PageRequest::first(1))
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(failed.status.as_str(), "failed", "{failed:?}");
        a.deployer(OTHER, deploy("b1", "b1"))
            .execute()
            .await
            .unwrap();
        let other = a
            .deployer(OTHER, deploy("b2", "b2"))
            .execute()
            .await
            .unwrap();
        let other_cursor = a
            .history(OTHER, &anchor_core::model::PageRequest::first(1))
            .await
            .unwrap()
            .next_cursor
            .unwrap();
        let rollback_cursor = a
            .rollback_history(P, &anchor_core::model::PageRequest::first(1))
            .await
            .unwrap()
            .next_cursor
            .unwrap();

        a.domains(P).add(SHOP_DOMAIN).await.unwrap();
        a.domains(OTHER).add(BLOG_DOMAIN).await.unwrap();
        let foreign_certificate = point_at_foreign_certificate(a).await;

        let limited = Anchor::builder(a.backend().clone())
            .settings(FlowSettings {
                bundle_limits: SMALL_LIMITS,
                ..FlowSettings::default()
            })
            .build();
        Self {
            env,
            limited,
            live,
            preview,
            failed,
            other,
            foreign_certificate,
            other_cursor,
            rollback_cursor,
        }
    }

    /// The Anchor without faults.
    pub fn plain(&self) -> &Anchor {
        &self.env.plain
    }

    /// A fresh copy of the fixture build for one case.
    pub fn fresh_build(&self, case: &str) -> PathBuf {
        let dir = self.env.tmp.path().join("cases").join(case);
        common::copy_tree(&common::fixture_source(), &dir);
        dir
    }

    /// A folder outside every build, for files a hostile build points at.
    pub fn outside(&self) -> PathBuf {
        let dir = self.env.tmp.path().join("outside");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("secret.txt"), "not for the CDN").unwrap();
        dir
    }

    /// Everything the backend holds; see [`Snapshot`].
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.env.tmp.path().join("anchor"))
    }
}

/// Adds [`FOREIGN_DOMAIN`] and rewrites its record to name a certificate
/// requested without Anchor's tag, as if someone had edited it by hand.
async fn point_at_foreign_certificate(a: &Anchor) -> String {
    let mut d = a.domains(P).add(FOREIGN_DOMAIN).await.unwrap();
    let foreign = a
        .backend()
        .certificates
        .request(&CertificateRequest {
            domain: FOREIGN_DOMAIN.into(),
            idempotency_token: "foreign".into(),
            tags: BTreeMap::from([("owner".to_string(), "someone-else".to_string())]),
            ..CertificateRequest::default()
        })
        .await
        .unwrap();
    let old = d.revision;
    d.certificate_id = Some(foreign.clone());
    d.revision += 1;
    a.backend()
        .store
        .commit(WriteBatch {
            domains: vec![DomainWrite::Put(d, Expect::Revision(old))],
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    foreign
}

/// The whole state of an embedded Anchor: every row of every table of its
/// record store (`state.db`: projects, deployments, rollback events,
/// domains, version counters) and of its local cloud (`cloud/cloud.db`:
/// objects, function versions, aliases, distributions with their aliases
/// and viewer certificate, invalidations, certificates), and every file
/// under the cloud's `objects/` and `functions/` with its size.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot(BTreeMap<String, BTreeSet<String>>);

impl Snapshot {
    /// Reads the state of the Anchor opened in `dir`.
    pub fn of(dir: &Path) -> Self {
        let mut parts = BTreeMap::new();
        for db in ["state.db", "cloud/cloud.db"] {
            dump_db(&dir.join(db), db, &mut parts);
        }
        for folder in ["cloud/objects", "cloud/functions"] {
            let files = walkdir::WalkDir::new(dir.join(folder))
                .into_iter()
                .map(Result::unwrap)
                .filter(|e| e.file_type().is_file())
                .map(|e| {
                    format!(
                        "{} ({} bytes)",
                        e.path().display(),
                        e.metadata().unwrap().len()
                    )
                })
                .collect();
            parts.insert(folder.to_string(), files);
        }
        Self(parts)
    }

    /// What differs from `after`, one line per table or folder; `None` if nothing.
    pub fn diff(&self, after: &Snapshot) -> Option<String> {
        let names: BTreeSet<&String> = self.0.keys().chain(after.0.keys()).collect();
        let empty = BTreeSet::new();
        let lines: Vec<String> = names
            .into_iter()
            .filter_map(|name| {
                let (b, a) = (
                    self.0.get(name).unwrap_or(&empty),
                    after.0.get(name).unwrap_or(&empty),
                );
                let gone: Vec<_> = b.difference(a).collect();
                let new: Vec<_> = a.difference(b).collect();
                (!gone.is_empty() || !new.is_empty())
                    .then(|| format!("{name}: removed {gone:?}, added {new:?}"))
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// How many rows and files the snapshot holds.
    pub fn len(&self) -> usize {
        self.0.values().map(BTreeSet::len).sum()
    }
}

/// Adds every row of every table of the SQLite database at `path`.
fn dump_db(path: &Path, label: &str, parts: &mut BTreeMap<String, BTreeSet<String>>) {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    let mut tables = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap();
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in names {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..columns)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
            .map(|r| r.unwrap().join(" | "))
            .collect();
        parts.insert(format!("{label}:{table}"), rows);
    }
}
