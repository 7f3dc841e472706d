//! The workloads on each endpoint, each side in its own process,
//! recorded as report rows and the verdicts against the targets.

use std::path::{Path, PathBuf};
use std::process::Command;

use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;

use super::args::RunArgs;
use super::awscli::{isolate, AwsCli, SyncStats};
use super::endpoint::{self, Endpoint};
use super::meter::RequestMeter;
use super::proc;
use super::record::{self, median_anchor, median_sync, AnchorRun, Subject};
use super::synth::{self, SynthBuild, TreeSpec};
use super::Fail;
use crate::report::{Comparison, Report};

/// Anchor's asset bucket on every AWS-shaped endpoint.
const ANCHOR_BUCKET: &str = "anchor-bench";
/// The bucket `aws s3 sync` writes to, beside it on the same endpoint.
const SYNC_BUCKET: &str = "sync-bench";
/// What Anchor's rows measure, said once in every row's subject.
const ANCHOR: &str = "anchor deploy";
const SYNC: &str = "aws s3 sync";

/// One benchmark run: the arguments, the report so far, where things go.
#[derive(Debug)]
pub struct Runner {
    args: RunArgs,
    exe: PathBuf,
    awscli: AwsCli,
    logs: PathBuf,
    out: PathBuf,
    /// The 1 GiB tree, generated once and never changed.
    large_tree: Option<SynthBuild>,
    /// The report, written after every measurement.
    pub report: Report,
}

impl Runner {
    /// Prepares the scratch folders and awscli's plugin.
    pub fn new(args: RunArgs, out: PathBuf) -> Result<Self, Fail> {
        let exe = std::env::current_exe().map_err(|e| Fail::during("finding this binary", e))?;
        let logs = args.work.join("logs");
        let awscli = AwsCli::prepare(&args.aws, &args.work.join("awscli"))?;
        Ok(Self {
            args,
            exe,
            awscli,
            logs,
            out,
            large_tree: None,
            report: Report::new("upload"),
        })
    }

    /// Every endpoint that was given, in order: moto, s3s-fs, embedded.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let mut out = Vec::new();
        if let Some(moto) = &self.args.moto {
            out.push(Endpoint::Moto { moto: moto.clone() });
            if let Some(s3) = &self.args.s3s {
                out.push(Endpoint::S3s {
                    s3: s3.clone(),
                    moto: moto.clone(),
                });
            }
        }
        if !self.args.no_embedded {
            out.push(Endpoint::Embedded {
                dir: self.args.work.join("embedded-state"),
            });
        }
        out
    }

    /// Runs every workload on `ep`.
    pub async fn run_endpoint(&mut self, ep: &Endpoint) -> Result<(), Fail> {
        eprintln!("==> {}", ep.name());
        match ep {
            Endpoint::Moto { moto } | Endpoint::S3s { moto, .. } => endpoint::reset_moto(moto)?,
            Endpoint::Embedded { dir } => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|e| Fail::io("remove", dir, e))?;
                }
            }
        }
        if let Some(url) = ep.s3_url() {
            endpoint::ensure_bucket(url, SYNC_BUCKET).await?;
            endpoint::ensure_bucket(url, ANCHOR_BUCKET).await?;
        }
        if let Some(example) = self.args.example.clone() {
            self.example(ep, &example).await?;
        }
        self.synthetic(ep).await?;
        let large_here = match ep {
            Endpoint::Moto { .. } => !self.args.no_large_on_moto,
            _ => true,
        };
        if large_here && !self.args.skip_large {
            self.large(ep).await?;
        }
        Ok(())
    }

    /// Workload 1(a): the real example build, and its v2 if given.
    async fn example(&mut self, ep: &Endpoint, v1: &Path) -> Result<(), Fail> {
        let case = "real example (examples/nextjs-app)";
        self.create_project(ep, "example", v1).await?;
        let tag = ep.name();
        let a = self.deploy(ep, "example", v1, &format!("{tag}-example-v1"))?;
        self.anchor_row("first upload", case, ep, &a);
        let s = self.sync(
            ep,
            &v1.join("assets"),
            "example",
            &format!("{tag}-example-v1"),
        )?;
        if let Some(s) = &s {
            self.sync_row("first upload", case, ep, s);
            let at = Subject::new("first upload", case, ep);
            self.compare(at, &a, s, 2.0, None);
        }
        if let Some(v2) = self.args.example_v2.clone() {
            let case = "real example v1 → v2";
            let a = self.deploy(ep, "example", &v2, &format!("{tag}-example-v2"))?;
            self.anchor_row("incremental upload", case, ep, &a);
            if let Some(s) = self.sync(
                ep,
                &v2.join("assets"),
                "example",
                &format!("{tag}-example-v2"),
            )? {
                self.sync_row("incremental upload", case, ep, &s);
            }
        }
        Ok(())
    }

    /// Workloads 1(b) and 2: the synthetic tree, then one file changed.
    async fn synthetic(&mut self, ep: &Endpoint) -> Result<(), Fail> {
        let spec = if self.args.smoke {
            TreeSpec::smoke()
        } else {
            TreeSpec::standard()
        };
        // Generated again per endpoint: the incremental step changes it.
        let tree = synth::generate(&self.args.work.join("synth"), &spec)?;
        let case = case_label(&spec, &tree);
        self.create_project(ep, "synth", &tree.dir).await?;
        let tag = ep.name();
        let a = self.deploy(ep, "synth", &tree.dir, &format!("{tag}-synth-first"))?;
        self.anchor_row("first upload", &case, ep, &a);
        let s = self.sync(ep, &tree.assets, "synth", &format!("{tag}-synth-first"))?;
        if let Some(s) = &s {
            self.sync_row("first upload", &case, ep, s);
            let at = Subject::new("first upload", &case, ep);
            self.compare(at, &a, s, 2.0, None);
        }

        // Each round changes the same file again (new content), then both
        // sides catch up; short runs, so the median of a few is cheap.
        let rounds = self.args.repeat.max(1);
        let (mut anchors, mut syncs) = (Vec::new(), Vec::new());
        let mut changed = String::new();
        for round in 0..rounds {
            changed = synth::change_one_file(&tree, spec.seed ^ 0xC4A7_6ED0 ^ round as u64)?;
            let name = format!("{tag}-synth-incr-{round}");
            anchors.push(self.deploy(ep, "synth", &tree.dir, &name)?);
            if let Some(s) = self.sync(ep, &tree.assets, "synth", &name)? {
                syncs.push(s);
            }
        }
        let case = format!(
            "1 of {} files changed ({changed}), median of {rounds}",
            tree.files.len()
        );
        let a = median_anchor(anchors)?;
        self.anchor_row("incremental upload", &case, ep, &a);
        if let Some(s) = median_sync(syncs) {
            self.sync_row("incremental upload", &case, ep, &s);
            let at = Subject::new("incremental upload", &case, ep);
            self.compare(at, &a, &s, 10.0, Some(10.0));
        }
        self.rebuilt(ep, &spec).await
    }

    /// The same one-file change as a real build makes it: `open-next build`
    /// starts from an empty `.open-next`, so every file is written again
    /// (same bytes, new mtime) and only one has new content. awscli decides
    /// by size and mtime, Anchor by content hash.
    async fn rebuilt(&mut self, ep: &Endpoint, spec: &TreeSpec) -> Result<(), Fail> {
        let tree = synth::generate(&self.args.work.join("synth"), spec)?;
        let changed = synth::change_one_file(&tree, spec.seed ^ 0x8E8B_111D)?;
        let case = format!(
            "1 of {} files changed ({changed}), tree rebuilt (all mtimes new)",
            tree.files.len()
        );
        let name = format!("{}-synth-rebuilt", ep.name());
        let a = self.deploy(ep, "synth", &tree.dir, &name)?;
        self.anchor_row("incremental upload", &case, ep, &a);
        if let Some(s) = self.sync(ep, &tree.assets, "synth", &name)? {
            self.sync_row("incremental upload", &case, ep, &s);
            let at = Subject::new("incremental upload", &case, ep);
            self.compare(at, &a, &s, 10.0, Some(10.0));
        }
        Ok(())
    }

    /// Workload 3: 1 GiB with files over the multipart threshold; Anchor's
    /// peak RSS against the 64 MiB budget.
    async fn large(&mut self, ep: &Endpoint) -> Result<(), Fail> {
        let spec = if self.args.smoke {
            TreeSpec::smoke_large()
        } else {
            TreeSpec::large()
        };
        // Never changed, so one tree serves every endpoint.
        let tree = match self.large_tree.clone() {
            Some(tree) => tree,
            None => synth::generate(&self.args.work.join("large"), &spec)?,
        };
        self.large_tree = Some(tree.clone());
        let over = spec.large_files.len();
        let case = format!("{} ({over} over 16 MiB)", case_label(&spec, &tree));
        self.create_project(ep, "large", &tree.dir).await?;
        let tag = ep.name();
        let a = self.deploy(ep, "large", &tree.dir, &format!("{tag}-large"))?;
        self.anchor_row("large assets", &case, ep, &a);
        let at = Subject::new("large assets", &case, ep);
        self.verdict(record::rss_verdict(&at, &a, 64.0));
        Ok(())
    }

    async fn create_project(&self, ep: &Endpoint, project: &str, build: &Path) -> Result<(), Fail> {
        let anchor = endpoint::open(
            ep,
            ANCHOR_BUCKET,
            &self.args.tuning,
            &RequestMeter::default(),
        )
        .await?;
        let routes = Anchor::routes_of_build(build).await?;
        let options = ProvisionOptions {
            routes,
            ..ProvisionOptions::default()
        };
        anchor.create_project_with(project, options).await?;
        Ok(())
    }

    /// One Anchor deploy in a child process (this binary's `deploy`).
    fn deploy(
        &self,
        ep: &Endpoint,
        project: &str,
        build: &Path,
        name: &str,
    ) -> Result<AnchorRun, Fail> {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("deploy")
            .args(["--project", project, "--bucket", ANCHOR_BUCKET, "--build"])
            .arg(build)
            .args(ep.to_args());
        if let Some(n) = self.args.tuning.upload_concurrency {
            cmd.args(["--concurrency", &n.to_string()]);
        }
        if let Some(n) = self.args.tuning.multipart_concurrency {
            cmd.args(["--multipart-concurrency", &n.to_string()]);
        }
        isolate(&mut cmd);
        let measured = proc::run(cmd, &self.logs, &format!("anchor-{name}"))?;
        let line = measured.stdout.lines().last().unwrap_or_default();
        let stats = serde_json::from_str(line)
            .map_err(|e| Fail::during(&format!("reading anchor-{name}'s stats {line:?}"), e))?;
        eprintln!("    {ANCHOR} {name}: {:.0} ms", measured.wall_ms);
        Ok(AnchorRun { measured, stats })
    }

    /// `aws s3 sync` of `assets` to the same endpoint; `None` on the
    /// embedded default, which has no baseline.
    fn sync(
        &self,
        ep: &Endpoint,
        assets: &Path,
        prefix: &str,
        name: &str,
    ) -> Result<Option<SyncStats>, Fail> {
        let Some(url) = ep.s3_url() else {
            return Ok(None);
        };
        let s = self.awscli.sync(
            url,
            assets,
            SYNC_BUCKET,
            prefix,
            &self.logs,
            &format!("sync-{name}"),
        )?;
        eprintln!("    {SYNC} {name}: {:.0} ms", s.measured.wall_ms);
        Ok(Some(s))
    }

    fn anchor_row(&mut self, workload: &str, case: &str, ep: &Endpoint, a: &AnchorRun) {
        let metrics = record::anchor_metrics(ep, a);
        self.report.row(workload, case, ep.name(), ANCHOR, &metrics);
        self.save();
    }

    fn sync_row(&mut self, workload: &str, case: &str, ep: &Endpoint, s: &SyncStats) {
        let metrics = record::sync_metrics(s);
        self.report.row(workload, case, ep.name(), SYNC, &metrics);
        self.save();
    }

    /// The wall-time and request verdicts of one Anchor run against awscli.
    fn compare(
        &mut self,
        at: Subject<'_>,
        a: &AnchorRun,
        s: &SyncStats,
        wall: f64,
        requests: Option<f64>,
    ) {
        self.verdict(record::wall_verdict(&at, a, s, wall));
        if let Some(at_least) = requests {
            self.verdict(record::requests_verdict(&at, a, s, at_least));
        }
    }

    fn verdict(&mut self, mut c: Comparison) {
        if self.args.smoke {
            c.note = format!("smoke sizes, not asserted; {}", c.note);
        }
        self.report.compare(c);
        self.save();
    }

    /// Writes the report as it stands, so a failure later keeps the rows.
    fn save(&self) {
        if let Err(e) = self.report.write(&self.out) {
            eprintln!(
                "warning: cannot write the report to {}: {e}",
                self.out.display()
            );
        }
    }

    /// The verdicts that missed their target (none are asserted in smoke mode).
    pub fn unmet(&self) -> Vec<&Comparison> {
        if self.args.smoke || self.args.no_assert {
            return Vec::new();
        }
        self.report.comparisons.iter().filter(|c| !c.met).collect()
    }
}

fn case_label(spec: &TreeSpec, tree: &SynthBuild) -> String {
    format!(
        "{} ({} public), {:.0} MiB",
        crate::report::thousands(tree.files.len() as u64),
        spec.public_files,
        tree.bytes as f64 / (1024.0 * 1024.0)
    )
}
