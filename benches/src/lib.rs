//! Shared set-up of the benchmarks: an embedded Anchor with a project whose
//! history holds a chosen number of deployments.

pub mod report;
pub mod rollback;
pub mod scale;
pub mod upload;

use std::path::{Path, PathBuf};

use anchor_core::model::{Deployment, DeploymentId, DeploymentStatus};
use anchor_core::traits::{Expect, WriteBatch};
use anchor_core::Anchor;

/// The Lambda execution role the benchmarks create in moto's IAM.
pub const MOTO_ROLE_NAME: &str = "anchor-bench-lambda";

/// The committed fixture build (a trimmed real OpenNext build).
pub fn fixture() -> PathBuf {
    anchor_testing::fixture::fixture_build()
}

/// An embedded Anchor whose project `bench` has `history` deployments: two
/// real ones (returned, older first) and the rest recorded as superseded
/// copies of the first, so the history is as long as asked while rollbacks
/// switch between real function versions.
pub async fn seeded(
    dir: &Path,
    history: u64,
) -> Result<(Anchor, DeploymentId, DeploymentId), anchor_core::Error> {
    let anchor = Anchor::local(dir.join("state")).await?;
    anchor.create_project("bench").await?;
    let first = anchor.deployer("bench", fixture()).execute().await?;
    let v2 = second_build(dir)?;
    let store = anchor.backend().store.clone();
    let mut batch = Vec::new();
    for _ in 2..history {
        let version = store.allocate_version(&first.project).await?;
        batch.push((superseded_copy(&first, version), Expect::Absent));
        // One transaction per few hundred records: SQLite syncs each commit.
        if batch.len() == 500 {
            let deployments = std::mem::take(&mut batch);
            store
                .commit(WriteBatch {
                    deployments,
                    ..WriteBatch::default()
                })
                .await?;
        }
    }
    if !batch.is_empty() {
        store
            .commit(WriteBatch {
                deployments: batch,
                ..WriteBatch::default()
            })
            .await?;
    }
    let second = anchor.deployer("bench", &v2).execute().await?;
    Ok((anchor, first.id, second.id))
}

/// A second build in `dir/v2`: the fixture with different server code, so
/// deploying it publishes new function versions.
pub fn second_build(dir: &Path) -> Result<PathBuf, anchor_core::Error> {
    let v2 = dir.join("v2");
    anchor_testing::fixture::copy_tree(&fixture(), &v2)
        .map_err(|e| anchor_core::Error::io(&v2, e))?;
    std::fs::write(
        v2.join("server-functions/default/index.mjs"),
        "export const handler = async () => ({});\n",
    )
    .map_err(|e| anchor_core::Error::io(&v2, e))?;
    Ok(v2)
}

/// A superseded copy of `of` under a new id and `version`, to lengthen a
/// history without deploying.
pub fn superseded_copy(of: &Deployment, version: u64) -> Deployment {
    Deployment {
        id: DeploymentId::generate(),
        version,
        status: DeploymentStatus::Superseded,
        revision: 1,
        ..of.clone()
    }
}
