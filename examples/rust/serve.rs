//! Serves a project deployed on the embedded default over HTTP, routed like
//! its CloudFront distribution, until Ctrl-C or SIGTERM. Deploys and
//! rollbacks made meanwhile (by this machine's other processes too) show
//! at the next request.
//!
//! Usage: `serve --state DIR --project NAME [--port PORT] [--host ADDR]
//! [--workers N] [--timeout SECONDS]`. `--port 0` picks a free port. Once
//! listening it prints `serving NAME at http://ADDR:PORT/` and, for a
//! project with the router and a live deployment, `  server function URL
//! of vN: URL`, the live server's own Function URL.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::Anchor;

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "usage: serve --state DIR --project NAME [--port PORT] [--host ADDR] [--workers N] [--timeout SECONDS]";

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn parse<T: std::str::FromStr>(args: &[String], name: &str) -> Fallible<Option<T>> {
    match flag(args, name) {
        None => Ok(None),
        Some(value) => value
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} {value:?} is not valid\n{USAGE}").into()),
    }
}

async fn run(args: &[String]) -> Fallible<()> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let state = flag(args, "--state").map(PathBuf::from).ok_or(USAGE)?;
    let project = flag(args, "--project").ok_or(USAGE)?;
    let mut options = EdgeOptions {
        port: 3000,
        ..EdgeOptions::default()
    };
    if let Some(port) = parse(args, "--port")? {
        options.port = port;
    }
    if let Some(host) = parse(args, "--host")? {
        options.host = host;
    }
    if let Some(workers) = parse(args, "--workers")? {
        options.workers_per_function = workers;
    }
    if let Some(seconds) = parse::<f64>(args, "--timeout")? {
        options.request_timeout = Duration::from_secs_f64(seconds);
    }
    let anchor = Anchor::local(&state).await?;
    let server = EdgeServer::start(&anchor, &project, options).await?;
    println!("serving {project} at {}", server.url());
    println!(
        "  any deployment by version: {} (v1, v2, ...; previews too)",
        server.deployment_url(1).replacen("v1.", "v<N>.", 1)
    );
    let routed = anchor
        .project(&project)
        .await?
        .infrastructure
        .router
        .is_some();
    if let (true, Some(live)) = (routed, anchor.active_deployment(&project).await?) {
        // What a direct request to the origin (skipping the distribution)
        // reaches; the origin guard refuses it without the secret.
        println!(
            "  server function URL of v{}: {}",
            live.version,
            server.server_function_url(live.version)
        );
    }
    println!(
        "  functions run on node {}; Ctrl-C stops",
        server.node_version()
    );
    std::io::stdout().flush()?;
    wait_for_stop().await?;
    server.shutdown().await;
    Ok(())
}

async fn wait_for_stop() -> Fallible<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args).await {
        eprintln!("serve: {e}");
        std::process::exit(1);
    }
}
