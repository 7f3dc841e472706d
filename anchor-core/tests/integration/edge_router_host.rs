//! The local edge's router host under load, on the real OpenNext build of
//! `examples/nextjs-app`: many requests at once each get their own right
//! answer (the live site, a deployment's own address and a public file,
//! interleaved), a request whose client goes away mid-flight leaves the
//! router clean for the next one, and a router process killed mid-run is
//! replaced with no request failing.
//!
//! Needs `ANCHOR_NEXTJS_BUILD` and `ANCHOR_NEXTJS_BUILD_V2` (see
//! `edge_local.rs`) and `node`.

use crate::edge_support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::Anchor;
use edge_support::{get, kill, Reply};

const P: &str = "web";

fn builds() -> Option<(PathBuf, PathBuf)> {
    anchor_testing::real_builds::v1_and_v2()
}

/// v1 then v2 deployed (v2 live, v1 at `v1.localhost`) and served.
async fn served(dir: &Path, v1: &Path, v2: &Path) -> (Anchor, EdgeServer) {
    let anchor = Anchor::local(dir).await.unwrap();
    let provision = anchor_core::traits::ProvisionOptions {
        routes: Anchor::routes_of_build(v1).await.unwrap(),
        ..Default::default()
    };
    anchor.create_project_with(P, provision).await.unwrap();
    anchor.deployer(P, v1).execute().await.unwrap();
    anchor.deployer(P, v2).execute().await.unwrap();
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    (anchor, server)
}

/// The three kinds of request the router decides differently, and what
/// each must answer: the live page (v2), v1's page at its own address (the
/// router reads `v1` from the host, under the local edge's `localhost`
/// preview suffix) and a public file.
const CASES: [(&str, &str, &str); 3] = [
    ("localhost", "/", "Hello from Anchor v2"),
    ("v1.localhost", "/", "Hello from Anchor v1"),
    ("localhost", "/robots.txt", "User-agent: *"),
];

/// Sends case `n % 3` and says what was wrong with the answer, if anything.
async fn check(addr: SocketAddr, n: usize) -> Result<(), String> {
    let (host, path, expected) = CASES[n % CASES.len()];
    let reply: Reply = get(addr, host, path, &[]).await;
    let text = reply.text();
    if reply.status == 200 && text.contains(expected) {
        Ok(())
    } else {
        Err(format!(
            "{host}{path}: {} {:.300} (expected {expected:?})",
            reply.status, text
        ))
    }
}

/// Each case once, so the functions behind them are started and the
/// pages cached before the timing of a test matters.
async fn warm(addr: SocketAddr) {
    for n in 0..CASES.len() {
        check(addr, n).await.unwrap();
    }
}

/// `tasks` clients sending `each` requests in turn, cycling through the
/// cases; every wrong answer.
async fn load(addr: SocketAddr, tasks: usize, each: usize) -> Vec<String> {
    let clients: Vec<_> = (0..tasks)
        .map(|t| {
            tokio::spawn(async move {
                let mut wrong = Vec::new();
                for i in 0..each {
                    if let Err(e) = check(addr, t + i).await {
                        wrong.push(e);
                    }
                }
                wrong
            })
        })
        .collect();
    let mut wrong = Vec::new();
    for client in clients {
        wrong.extend(client.await.unwrap());
    }
    wrong
}

/// The router processes serving the state in `dir`, by pid.
fn router_pids(dir: &Path) -> Vec<u32> {
    let script = dir.join("cloud/edge/router-host.mjs");
    let script = script.to_string_lossy();
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let alive = edge_support::alive(pid);
        if alive && String::from_utf8_lossy(&cmdline).contains(script.as_ref()) {
            pids.push(pid);
        }
    }
    pids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_at_once_each_get_their_own_right_answer() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, server) = served(dir.path(), &v1, &v2).await;
    let addr = server.local_addr();

    let wrong = load(addr, 48, 25).await;
    assert!(
        wrong.is_empty(),
        "{} of 1200 answers wrong: {wrong:#?}",
        wrong.len()
    );
    assert!(
        !router_pids(dir.path()).is_empty(),
        "the requests were not routed through a router process"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_abandoned_mid_flight_leaves_the_router_clean() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, server) = served(dir.path(), &v1, &v2).await;
    let addr = server.local_addr();
    warm(addr).await;

    // Clients that hang up after 0 to 3 ms, while the router is at work on
    // their requests, as wrk's connections do when its run ends.
    let abandoned: Vec<_> = (0..300)
        .map(|n| {
            tokio::spawn(async move {
                let patience = Duration::from_micros((n % 30) as u64 * 100);
                let _ = tokio::time::timeout(patience, check(addr, n)).await;
            })
        })
        .collect();
    for client in abandoned {
        client.await.unwrap();
    }

    let mut wrong = Vec::new();
    for n in 0..60 {
        if let Err(e) = check(addr, n).await {
            wrong.push(e);
        }
    }
    assert!(
        wrong.is_empty(),
        "after abandoned requests, {} of 60 answers wrong: {wrong:#?}",
        wrong.len()
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_router_process_killed_mid_run_is_replaced_and_no_request_fails() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, server) = served(dir.path(), &v1, &v2).await;
    let addr = server.local_addr();
    warm(addr).await;

    // Clients that keep sending until told to stop, while router processes
    // are killed one after another, far enough apart that a request's
    // retry is not killed too.
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..16)
        .map(|t| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let (mut sent, mut wrong) = (0, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    if let Err(e) = check(addr, t + sent).await {
                        wrong.push(e);
                    }
                    sent += 1;
                }
                (sent, wrong)
            })
        })
        .collect();
    let mut killed = Vec::new();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        if let Some(pid) = router_pids(dir.path())
            .into_iter()
            .find(|p| !killed.contains(p))
        {
            kill(pid);
            killed.push(pid);
        }
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut sent, mut wrong) = (0, Vec::new());
    for client in clients {
        let (n, w) = client.await.unwrap();
        sent += n;
        wrong.extend(w);
    }
    assert_eq!(killed.len(), 3, "router processes to kill were not found");
    assert!(sent > 100, "only {sent} requests were sent");
    assert!(
        wrong.is_empty(),
        "with router processes {killed:?} killed mid-run, {} of {sent} answers wrong: {wrong:#?}",
        wrong.len()
    );
    let now = router_pids(dir.path());
    assert!(
        !now.is_empty() && now.iter().all(|p| !killed.contains(p)),
        "killed {killed:?}, running {now:?}"
    );
    check(addr, 1).await.unwrap();
    server.shutdown().await;
}
