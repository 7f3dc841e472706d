//! A history of real deployments to prune: every one a deploy of its own
//! variant of the committed fixture build, so each publishes its own
//! server version and copies its own unhashed files, and pruning it frees
//! what a real old deployment holds. (The rollback suite's `seeded` copies
//! records instead; those copies share one version and have no manifest,
//! so pruning them would free nothing.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use anchor_core::model::SkewPolicy;
use anchor_core::Anchor;

use super::{BenchError, PROJECT};

/// The files a variant changes: the server's code (a new function
/// version) and a public file (a new object in the deployment's prefix).
const SERVER: &str = "server-functions/default/index.mjs";
const PUBLIC: &str = "assets/robots.txt";

/// A project on the embedded default and the build folder its deployments
/// come from.
pub struct History {
    /// The Anchor the project lives in.
    pub anchor: Anchor,
    /// How many deployments the project has.
    pub deployed: u64,
    build: PathBuf,
    server: Vec<u8>,
    public: Vec<u8>,
}

impl History {
    /// An empty project `bench` in `dir/state`, with skew protection off
    /// (an open skew window would keep old deployments from `prune`), and
    /// a copy of the fixture in `dir/build`.
    pub async fn new(dir: &Path) -> Result<Self, BenchError> {
        let anchor = Anchor::local(dir.join("state")).await?;
        anchor.create_project(PROJECT).await?;
        anchor
            .set_skew_policy(PROJECT, SkewPolicy::new(Duration::ZERO, 0)?)
            .await?;
        let build = dir.join("build");
        anchor_testing::fixture::copy_tree(&crate::fixture(), &build)?;
        let server = std::fs::read(build.join(SERVER))?;
        let public = std::fs::read(build.join(PUBLIC))?;
        Ok(Self {
            anchor,
            deployed: 0,
            build,
            server,
            public,
        })
    }

    /// Deploys (and promotes) one variant at a time until the project has
    /// `n` deployments.
    pub async fn grow_to(&mut self, n: u64) -> Result<(), BenchError> {
        while self.deployed < n {
            self.variant(self.deployed)?;
            self.anchor.deployer(PROJECT, &self.build).execute().await?;
            self.deployed += 1;
        }
        Ok(())
    }

    /// Rewrites the build as variant `i`: the fixture's server code and
    /// public file, each with a line naming `i`.
    fn variant(&self, i: u64) -> Result<(), BenchError> {
        for (file, original, comment) in [(SERVER, &self.server, "//"), (PUBLIC, &self.public, "#")]
        {
            let mut bytes = original.clone();
            bytes.extend_from_slice(format!("\n{comment} variant {i}\n").as_bytes());
            std::fs::write(self.build.join(file), bytes)?;
        }
        Ok(())
    }
}
