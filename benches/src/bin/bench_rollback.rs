//! The rollback suite: rollback latency and the first history page on the
//! embedded default and on moto beside the raw AWS calls, and the bindings'
//! overhead. Writes `target/bench/rollback.{json,md}`.
//!
//! ```text
//! bench_rollback [--smoke] [--moto URL] [--python PATH] [--node-package DIR]
//!                [--iterations N] [--sizes 10,1000,10000] [--bindings-history N]
//!                [--warmup N]
//! ```
//!
//! `--moto` defaults to `$ANCHOR_MOTO_ENDPOINT`; without either, moto is
//! skipped. Without `--python` or `--node-package` that binding is skipped.
//! A full run exits with status 3 when a target is not met (after writing
//! the report); `--smoke` runs tiny sizes in seconds and asserts nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use anchor_benches::report::{exit_with, finish, Report};
use anchor_benches::rollback::record::{rows, Results};
use anchor_benches::rollback::{bindings, embedded, moto, verdicts, BenchError};

/// The command line.
#[derive(Debug)]
struct Args {
    smoke: bool,
    moto: Option<String>,
    drivers: bindings::Drivers,
    iterations: usize,
    sizes: Vec<u64>,
    bindings_history: u64,
    warmup: Option<usize>,
}

fn parse() -> Result<Args, BenchError> {
    let mut args = Args {
        smoke: false,
        moto: std::env::var(anchor_testing::moto_server::ENDPOINT_VAR).ok(),
        drivers: bindings::Drivers::default(),
        iterations: 0,
        sizes: Vec::new(),
        bindings_history: 0,
        warmup: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--smoke" => args.smoke = true,
            "--moto" => args.moto = Some(value()?),
            "--python" => args.drivers.python = Some(PathBuf::from(value()?)),
            "--node-package" => args.drivers.node_package = Some(PathBuf::from(value()?)),
            "--iterations" => args.iterations = value()?.parse()?,
            "--bindings-history" => args.bindings_history = value()?.parse()?,
            "--warmup" => args.warmup = Some(value()?.parse()?),
            "--sizes" => {
                args.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse())
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let (iterations, sizes, history) = if args.smoke {
        (10, vec![10, 60], 30)
    } else {
        (100, vec![10, 1_000, 10_000], 1_000)
    };
    if args.iterations == 0 {
        args.iterations = iterations;
    }
    if args.sizes.is_empty() {
        args.sizes = sizes;
    }
    if args.bindings_history == 0 {
        args.bindings_history = history;
    }
    args.sizes.sort_unstable();
    Ok(args)
}

async fn measure(args: &Args) -> Result<Results, BenchError> {
    let warmup = args.warmup.unwrap_or(if args.smoke { 2 } else { 5 });
    let mut results = Results::default();
    eprintln!("==> embedded, {:?} deployments, interleaved", args.sizes);
    let dir = tempfile::tempdir()?;
    let steady = args.warmup.unwrap_or(if args.smoke {
        2
    } else {
        embedded::STEADY_WARMUP
    });
    results.embedded = embedded::run(dir.path(), &args.sizes, steady, args.iterations).await?;
    if let Some(endpoint) = &args.moto {
        for &size in &args.sizes {
            eprintln!("==> moto, {size} deployments");
            let dir = tempfile::tempdir()?;
            let run = moto::run(endpoint, dir.path(), size, warmup, args.iterations).await?;
            results.moto.push((size, run));
        }
    } else {
        eprintln!("==> moto skipped: no --moto and no ANCHOR_MOTO_ENDPOINT");
    }
    eprintln!("==> bindings, {} deployments", args.bindings_history);
    let dir = tempfile::tempdir()?;
    let rounds = if args.smoke { 2 } else { 5 };
    let per_round = args.iterations.div_ceil(rounds);
    let run = bindings::run(
        &args.drivers,
        dir.path(),
        args.bindings_history,
        warmup,
        rounds,
        per_round,
    )
    .await?;
    results.bindings = Some((args.bindings_history, run));
    Ok(results)
}

fn main() -> ExitCode {
    exit_with("bench_rollback", run())
}

fn run() -> Result<ExitCode, BenchError> {
    let args = parse()?;
    let mut report = Report::new("rollback");
    let runtime = tokio::runtime::Runtime::new()?;
    let results = runtime.block_on(measure(&args))?;
    rows(&mut report, &results);
    verdicts::compare_all(&mut report, &results);
    Ok(finish(&report, args.smoke)?)
}
