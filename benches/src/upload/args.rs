//! Command-line arguments of `bench_upload`, with environment fallbacks so
//! `scripts/bench/upload.sh` and CI can pass endpoints the same way the
//! tests do.

use std::path::PathBuf;

use super::endpoint::Tuning;
use super::Fail;

/// Options of a benchmark run (the parent process).
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    /// Tiny sizes, seconds, no targets asserted.
    pub smoke: bool,
    /// moto's address (`--moto`, else `ANCHOR_MOTO_ENDPOINT`).
    pub moto: Option<String>,
    /// s3s-fs's address (`--s3s`, else `ANCHOR_S3S_ENDPOINT`).
    pub s3s: Option<String>,
    /// The real example build (`--example`, else `ANCHOR_NEXTJS_BUILD`).
    pub example: Option<PathBuf>,
    /// Its changed v2 (`--example-v2`, else `ANCHOR_NEXTJS_BUILD_V2`).
    pub example_v2: Option<PathBuf>,
    /// The `aws` executable (`--aws`, else `ANCHOR_BENCH_AWS`, else `aws`).
    pub aws: PathBuf,
    /// Scratch folder for trees, state and logs (`--work`).
    pub work: PathBuf,
    /// Skip the embedded default.
    pub no_embedded: bool,
    /// Skip the 1 GiB workload on moto (slowest there: moto holds it all).
    pub no_large_on_moto: bool,
    /// Skip the 1 GiB workload.
    pub skip_large: bool,
    /// Write the report but exit 0 even when a target is not met.
    pub no_assert: bool,
    /// Rounds of the incremental workload; the median is reported.
    pub repeat: usize,
    /// Anchor's tunables.
    pub tuning: Tuning,
}

/// Options of the `deploy` subcommand (the child measured as Anchor).
#[derive(Debug, Clone, Default)]
pub struct DeployArgs {
    /// The project to deploy to (already created).
    pub project: String,
    /// The build folder.
    pub build: PathBuf,
    /// The asset bucket.
    pub bucket: String,
    /// moto's address, for every service but S3 when `s3s` is set.
    pub moto: Option<String>,
    /// s3s-fs's address, for S3.
    pub s3s: Option<String>,
    /// The embedded default's folder, instead of AWS.
    pub embedded: Option<PathBuf>,
    /// Anchor's tunables.
    pub tuning: Tuning,
}

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, Fail> {
    args.next()
        .ok_or_else(|| Fail::msg(format!("{flag} needs a value")))
}

fn number(args: &mut impl Iterator<Item = String>, flag: &str) -> Result<usize, Fail> {
    let v = value(args, flag)?;
    v.parse()
        .map_err(|e| Fail::msg(format!("{flag} {v}: not a number ({e})")))
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn env_string(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl RunArgs {
    /// Parses the run's flags (after the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, Fail> {
        let mut out = Self {
            moto: env_string(anchor_testing::moto_server::ENDPOINT_VAR),
            s3s: env_string("ANCHOR_S3S_ENDPOINT"),
            example: env_path(anchor_testing::real_builds::V1),
            example_v2: env_path(anchor_testing::real_builds::V2),
            aws: env_path("ANCHOR_BENCH_AWS").unwrap_or_else(|| PathBuf::from("aws")),
            work: crate::report::out_dir().join("upload-work"),
            ..Self::default()
        };
        let mut args = args.into_iter();
        let mut repeat = None;
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--smoke" => out.smoke = true,
                "--moto" => out.moto = Some(value(&mut args, &flag)?),
                "--s3s" => out.s3s = Some(value(&mut args, &flag)?),
                "--example" => out.example = Some(value(&mut args, &flag)?.into()),
                "--example-v2" => out.example_v2 = Some(value(&mut args, &flag)?.into()),
                "--aws" => out.aws = value(&mut args, &flag)?.into(),
                "--work" => out.work = value(&mut args, &flag)?.into(),
                "--no-embedded" => out.no_embedded = true,
                "--no-large-on-moto" => out.no_large_on_moto = true,
                "--skip-large" => out.skip_large = true,
                "--no-assert" => out.no_assert = true,
                "--repeat" => repeat = Some(number(&mut args, &flag)?),
                "--concurrency" => out.tuning.upload_concurrency = Some(number(&mut args, &flag)?),
                "--multipart-concurrency" => {
                    out.tuning.multipart_concurrency = Some(number(&mut args, &flag)?)
                }
                "-h" | "--help" => return Err(Fail::msg(USAGE)),
                other => return Err(Fail::msg(format!("unknown argument {other}\n{USAGE}"))),
            }
        }
        out.repeat = repeat.unwrap_or(if out.smoke { 1 } else { 3 });
        Ok(out)
    }
}

impl DeployArgs {
    /// Parses the `deploy` subcommand's flags.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, Fail> {
        let mut out = Self::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            match flag.as_str() {
                "--project" => out.project = value(&mut args, &flag)?,
                "--build" => out.build = value(&mut args, &flag)?.into(),
                "--bucket" => out.bucket = value(&mut args, &flag)?,
                "--moto" => out.moto = Some(value(&mut args, &flag)?),
                "--s3s" => out.s3s = Some(value(&mut args, &flag)?),
                "--embedded" => out.embedded = Some(value(&mut args, &flag)?.into()),
                "--concurrency" => out.tuning.upload_concurrency = Some(number(&mut args, &flag)?),
                "--multipart-concurrency" => {
                    out.tuning.multipart_concurrency = Some(number(&mut args, &flag)?)
                }
                other => return Err(Fail::msg(format!("deploy: unknown argument {other}"))),
            }
        }
        if out.project.is_empty() || out.build.as_os_str().is_empty() {
            return Err(Fail::msg("deploy needs --project and --build"));
        }
        Ok(out)
    }
}

/// `--help`.
pub const USAGE: &str = "\
usage: bench_upload [--smoke] [--moto URL] [--s3s URL] [--example DIR] [--example-v2 DIR]
                    [--aws PATH] [--work DIR] [--no-embedded] [--no-large-on-moto] [--skip-large]
                    [--repeat N] [--concurrency N] [--multipart-concurrency N] [--no-assert]
       bench_upload deploy --project P --build DIR --bucket B (--moto URL [--s3s URL] | --embedded DIR)

--repeat: rounds of the incremental workload, median reported (default 3, smoke 1).
Environment: ANCHOR_MOTO_ENDPOINT, ANCHOR_S3S_ENDPOINT, ANCHOR_NEXTJS_BUILD(_V2),
ANCHOR_BENCH_AWS, ANCHOR_BENCH_OUT (where upload.json and upload.md go).";

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn deploy_args_round_trip() {
        let parsed = DeployArgs::parse(strings(&[
            "--project",
            "p",
            "--build",
            "/b",
            "--bucket",
            "x",
            "--moto",
            "http://m",
            "--concurrency",
            "32",
        ]));
        let Ok(d) = parsed else { panic!("{parsed:?}") };
        assert_eq!(d.project, "p");
        assert_eq!(d.moto.as_deref(), Some("http://m"));
        assert_eq!(d.tuning.upload_concurrency, Some(32));
        assert!(DeployArgs::parse(strings(&["--project", "p"])).is_err());
        assert!(RunArgs::parse(strings(&["--bogus"])).is_err());
        assert!(RunArgs::parse(strings(&["--concurrency", "x"])).is_err());
    }
}
