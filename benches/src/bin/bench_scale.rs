//! The scale suite (issue 18) on the embedded default: domain add and
//! refresh on projects with 10, 100 and 1,000 active custom domains in
//! tenant mode (the default), beside alias mode at 10 and 99 (its ceiling
//! is 100), and `prune` over 1,000 real deployments (its dry run at 10,
//! 100 and 1,000). Writes `target/bench/scale.{json,md}`.
//!
//! ```text
//! bench_scale [--smoke] [--domain-sizes 10,100,1000] [--alias-sizes 10,99]
//!             [--samples N] [--warmup N] [--prune-sizes 10,100,1000]
//!             [--keep N] [--dry-runs N] [--no-aliases] [--no-domains] [--no-prune]
//! ```
//!
//! A full run exits with status 3 when tenant mode's flatness target is not
//! met (after writing the report); pruning has no target. `--smoke` runs
//! tiny sizes in seconds and asserts nothing.

use std::process::ExitCode;

use anchor_benches::report::{exit_with, finish, Report};
use anchor_benches::scale::record::{rows, Results};
use anchor_benches::scale::{domains, prune, verdicts, BenchError};
use anchor_core::model::DomainMode;

/// The command line.
#[derive(Debug)]
struct Args {
    smoke: bool,
    domain_sizes: Vec<u64>,
    alias_sizes: Vec<u64>,
    samples: usize,
    warmup: Option<usize>,
    prune_sizes: Vec<u64>,
    keep: Option<u32>,
    dry_runs: usize,
    aliases: bool,
    domains: bool,
    prune: bool,
}

fn sizes(value: &str) -> Result<Vec<u64>, BenchError> {
    let mut sizes = value
        .split(',')
        .map(|s| s.trim().replace('_', "").parse())
        .collect::<Result<Vec<u64>, _>>()?;
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

fn parse() -> Result<Args, BenchError> {
    let mut args = Args {
        smoke: false,
        domain_sizes: Vec::new(),
        alias_sizes: Vec::new(),
        samples: 0,
        warmup: None,
        prune_sizes: Vec::new(),
        keep: None,
        dry_runs: 0,
        aliases: true,
        domains: true,
        prune: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--smoke" => args.smoke = true,
            "--domain-sizes" => args.domain_sizes = sizes(&value()?)?,
            "--alias-sizes" => args.alias_sizes = sizes(&value()?)?,
            "--samples" => args.samples = value()?.parse()?,
            "--warmup" => args.warmup = Some(value()?.parse()?),
            "--prune-sizes" => args.prune_sizes = sizes(&value()?)?,
            "--keep" => args.keep = Some(value()?.parse()?),
            "--dry-runs" => args.dry_runs = value()?.parse()?,
            "--no-aliases" => args.aliases = false,
            "--no-domains" => args.domains = false,
            "--no-prune" => args.prune = false,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let (domain_sizes, alias_sizes, samples, prune_sizes, dry_runs) = if args.smoke {
        (vec![3, 30], vec![3, 9], 6, vec![5, 15], 3)
    } else {
        // Alias mode takes at most 100 domains, and each size takes one more.
        (
            vec![10, 100, 1_000],
            vec![10, 99],
            100,
            vec![10, 100, 1_000],
            10,
        )
    };
    if args.domain_sizes.is_empty() {
        args.domain_sizes = domain_sizes;
    }
    if args.alias_sizes.is_empty() {
        args.alias_sizes = alias_sizes;
    }
    if args.samples == 0 {
        args.samples = samples;
    }
    if args.prune_sizes.is_empty() {
        args.prune_sizes = prune_sizes;
    }
    if args.dry_runs == 0 {
        args.dry_runs = dry_runs;
    }
    Ok(args)
}

async fn measure(args: &Args) -> Result<Results, BenchError> {
    let mut results = Results::default();
    if args.domains {
        // Each mode is timed on its own: an alias-mode cycle at 99 domains
        // writes far more than a tenant-mode one, and the project timed
        // right after it would pay for that write-back.
        let mut groups = vec![(DomainMode::Tenants, &args.domain_sizes)];
        if args.aliases {
            groups.push((DomainMode::Aliases, &args.alias_sizes));
        }
        let steady = if args.smoke {
            1
        } else {
            domains::STEADY_WARMUP
        };
        let warmup = args.warmup.unwrap_or(steady);
        for (mode, sizes) in groups {
            eprintln!(
                "==> domains in {} mode, {sizes:?}, interleaved",
                mode.as_str()
            );
            let projects: Vec<(DomainMode, u64)> = sizes.iter().map(|&size| (mode, size)).collect();
            let dir = tempfile::tempdir()?;
            let runs = domains::run(dir.path(), &projects, warmup, args.samples).await?;
            results.domains.extend(runs);
        }
    }
    if args.prune {
        eprintln!("==> prune, {:?} deployments", args.prune_sizes);
        let dir = tempfile::tempdir()?;
        let keep = args.keep.unwrap_or(if args.smoke { 3 } else { 10 });
        let run = prune::run(dir.path(), &args.prune_sizes, keep, args.dry_runs).await?;
        results.prune = Some(run);
    }
    Ok(results)
}

fn main() -> ExitCode {
    exit_with("bench_scale", run())
}

fn run() -> Result<ExitCode, BenchError> {
    let args = parse()?;
    let mut report = Report::new("scale");
    let runtime = tokio::runtime::Runtime::new()?;
    let results = runtime.block_on(measure(&args))?;
    rows(&mut report, &results);
    verdicts::compare_all(&mut report, &results);
    Ok(finish(&report, args.smoke)?)
}
