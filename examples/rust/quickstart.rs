//! The quick start: deploy the real OpenNext build of `examples/nextjs-app`
//! to the embedded default, change the app and deploy again, roll back, add
//! a custom domain, validate it, and print the history.
//!
//! It ends by serving the result on the local edge and printing its URL.
//!
//! Usage: `quickstart [--state DIR] [--v1 BUILD] [--v2 BUILD] [--serve]
//! [--without-router]`. Without `--v1`/`--v2` it builds both versions itself
//! with `examples/build-nextjs.sh`; with `--serve` it keeps serving until
//! Ctrl-C. `--without-router` provisions the project as Anchor did before
//! the edge router (behaviours to the `live` aliases), which the edge
//! benchmark compares against.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::{Deployment, PageRequest};
use anchor_core::progress::{Phase, ProgressEvent};
use anchor_core::traits::ProvisionOptions;
use anchor_core::{Anchor, LocalOptions};

const PROJECT: &str = "nextjs-app";
const DOMAIN: &str = "www.example.com";

type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

fn arg(name: &str) -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Builds the example app with OpenNext into `out`, as version `version`.
fn build_app(version: &str, out: &Path) -> Fallible<PathBuf> {
    println!("==> building examples/nextjs-app ({version}) with next and @opennextjs/aws");
    let status = Command::new(repo_root().join("examples/build-nextjs.sh"))
        .arg(out)
        .env("ANCHOR_APP_VERSION", version)
        .status()?;
    if !status.success() {
        return Err(format!("examples/build-nextjs.sh failed for {version}").into());
    }
    Ok(out.to_path_buf())
}

fn progress_printer(label: &'static str) -> impl Fn(&ProgressEvent) + Send + Sync {
    let redraw = std::io::stdout().is_terminal();
    move |e: &ProgressEvent| {
        let finished = e.total > 0 && e.done == e.total;
        if e.phase != Phase::Uploading {
            if e.done == 0 {
                println!("    {label} {}...", e.phase);
            }
        } else if redraw && e.total > 0 {
            let width = 30;
            let filled = (e.done * width / e.total) as usize;
            print!(
                "\r    {label} uploading [{}{}] {}/{} files, {} KiB",
                "#".repeat(filled),
                " ".repeat(width as usize - filled),
                e.done,
                e.total,
                e.bytes_done / 1024
            );
            if finished {
                println!();
            }
            let _ = std::io::stdout().flush();
        } else if finished {
            // Not a terminal (a log, CI): one line when the upload is done.
            println!(
                "    {label} uploaded {}/{} files, {} KiB",
                e.done,
                e.total,
                e.bytes_done / 1024
            );
        }
    }
}

fn summary(d: &Deployment) {
    let a = &d.assets;
    println!(
        "    deployment {} v{} is {} (build {})\n    assets: {} files, {} uploaded ({} KiB), {} copied server-side, {} skipped\n    server {}  image {}\n    invalidation: {}",
        d.id,
        d.version,
        d.status,
        d.build_id,
        a.files,
        a.uploaded_files,
        a.uploaded_bytes / 1024,
        a.copied_files,
        a.skipped_files,
        d.server_version.as_ref().map(|v| v.arn.as_str()).unwrap_or("-"),
        d.image_version.as_ref().map(|v| v.arn.as_str()).unwrap_or("-"),
        d.invalidation_id.as_deref().unwrap_or("none needed"),
    );
}

#[tokio::main]
async fn main() -> Fallible<()> {
    let work = repo_root().join("target/anchor-quickstart");
    let state = arg("--state").unwrap_or_else(|| work.join("state"));
    let v1 = match arg("--v1") {
        Some(p) => p,
        None => build_app("v1", &work.join("build-v1"))?,
    };
    let v2 = match arg("--v2") {
        Some(p) => p,
        None => build_app("v2", &work.join("build-v2"))?,
    };
    if state.exists() {
        std::fs::remove_dir_all(&state)?;
    }

    println!("==> opening the embedded default in {}", state.display());
    let options = LocalOptions {
        router: !std::env::args().any(|a| a == "--without-router"),
        ..LocalOptions::default()
    };
    let anchor = Anchor::local_with(&state, options).await?;
    // The distribution routes like the build's open-next.output.json says.
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(&v1).await?,
        ..ProvisionOptions::default()
    };
    let project = anchor.create_project_with(PROJECT, provision).await?;
    println!(
        "    project {} -> distribution {}",
        project.name, project.infrastructure.distribution_domain
    );

    println!("==> deploying v1");
    let d1 = anchor
        .deployer(PROJECT, &v1)
        .on_progress(progress_printer("v1"))
        .execute()
        .await?;
    summary(&d1);

    println!("==> deploying v2 (the app changed)");
    let plan = anchor.deployer(PROJECT, &v2).plan().await?;
    println!(
        "    plan: {} to upload ({} KiB), {} to copy, {} unchanged; server code {}, image code {}",
        plan.upload_files,
        plan.upload_bytes / 1024,
        plan.copy_files,
        plan.skip_files,
        if plan.server_unchanged {
            "unchanged"
        } else {
            "changed"
        },
        if plan.image_unchanged {
            "unchanged"
        } else {
            "changed"
        },
    );
    let d2 = anchor
        .deployer(PROJECT, &v2)
        .on_progress(progress_printer("v2"))
        .execute()
        .await?;
    summary(&d2);

    println!("==> rolling back to v1");
    let started = Instant::now();
    let rb = anchor
        .rollback(PROJECT)
        .reason("quick start: back to v1")
        .execute()
        .await?;
    println!(
        "    rolled back from v{} to v{} in {:.2} ms (switch) / {:.2} ms (total), nothing re-uploaded",
        rb.event.from_version.unwrap_or_default(),
        rb.event.to_version,
        rb.elapsed.as_secs_f64() * 1000.0,
        started.elapsed().as_secs_f64() * 1000.0
    );

    println!("==> adding the domain {DOMAIN}");
    let domain = anchor.domains(PROJECT).add(DOMAIN).await?;
    println!("    add these DNS records at your DNS provider:");
    for r in domain
        .validation_records
        .iter()
        .chain(std::iter::once(&domain.routing_record))
    {
        println!("      {:<60} {} {}", r.name, r.record_type, r.value);
    }
    println!(
        "    certificate {}: {}, cdn: {}",
        domain.certificate_id.as_deref().unwrap_or("-"),
        domain.certificate_status,
        domain.cdn_status
    );

    println!("==> validating (the local CA stands in for DNS validation)");
    if let (Some(cloud), Some(cert)) = (anchor.local_cloud(), domain.certificate_id.as_deref()) {
        cloud.certificates().validate(cert).await?;
    }
    let domain = anchor.domains(PROJECT).refresh(DOMAIN).await?;
    println!(
        "    {}: certificate {}, cdn {}",
        domain.name, domain.certificate_status, domain.cdn_status
    );

    println!("==> history (newest first)");
    let history = anchor.history(PROJECT, &PageRequest::first(20)).await?;
    for d in &history.items {
        println!(
            "    v{:<3} {:<11} {} build {} created {}",
            d.version,
            d.status.as_str(),
            d.id,
            d.build_id,
            d.created_at.format("%H:%M:%S%.3f")
        );
    }
    for e in anchor
        .rollback_history(PROJECT, &PageRequest::first(20))
        .await?
        .items
    {
        println!(
            "    rollback v{} -> v{} at {} ({:.2} ms): {}",
            e.from_version.unwrap_or_default(),
            e.to_version,
            e.at.format("%H:%M:%S%.3f"),
            e.duration_ms,
            e.reason
        );
    }
    let live = anchor
        .active_deployment(PROJECT)
        .await?
        .ok_or("nothing live")?;
    println!(
        "==> done: v{} ({}) is live; state kept in {}",
        live.version,
        live.id,
        state.display()
    );
    serve(&anchor, &state).await
}

/// Serves what was deployed on the local edge, fetches the home page once
/// to show which version answers, and prints the URL. With `--serve` it
/// keeps serving until Ctrl-C.
async fn serve(anchor: &Anchor, state: &Path) -> Fallible<()> {
    let keep = std::env::args().any(|a| a == "--serve");
    println!("==> serving {PROJECT} on the local edge (functions in node workers)");
    let server = EdgeServer::start(anchor, PROJECT, EdgeOptions::default()).await?;
    let page = fetch_home(server.local_addr()).await?;
    let greeting = page
        .find("Hello from Anchor ")
        .map(|i| &page[i..(i + 20).min(page.len())])
        .unwrap_or("no greeting");
    println!("    GET / -> {greeting}");
    println!("serving {PROJECT} at {}", server.url());
    if keep {
        println!(
            "    any deployment by version: http://v<N>.localhost:{}/; Ctrl-C stops",
            server.local_addr().port()
        );
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await?;
    } else {
        println!(
            "    this server stops with the quick start; to keep serving, run\n      \
             scripts/quickstart.sh --serve\n    or, for the state it left:\n      \
             cargo run -p anchor-examples --bin serve -- --state {} --project {PROJECT}",
            state.display()
        );
    }
    server.shutdown().await;
    Ok(())
}

/// `GET /` over a plain HTTP/1.1 connection; the body as text.
async fn fetch_home(addr: std::net::SocketAddr) -> Fallible<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    Ok(String::from_utf8_lossy(&response).into_owned())
}
