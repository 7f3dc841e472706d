//! Domain add and refresh at a project's size: one embedded state per size,
//! each project brought to N active domains through the public API, then
//! one more name added and refreshed, timed (its certificate validated in
//! between, untimed), and removed (timed apart) so the project stays at N.
//! A size the project cannot reach, or at which it cannot take one more
//! name, because `add` refuses with a domain limit, is recorded as refused
//! with the error, and the others are measured.

use std::path::Path;
use std::time::Instant;

use anchor_core::model::{CdnStatus, Domain};
use anchor_core::Anchor;

use super::{BenchError, PROJECT};
use crate::rollback::stats::{timed, Samples};

/// Rounds the sizes are interleaved in, so drift hits every size alike.
const ROUNDS: usize = 10;

/// The error codes a domain limit refuses an `add` with: `InvalidInput`
/// (a certificate may name at most 100 names, ACM's ceiling, which alias
/// mode's one certificate for all of a project's names reaches) and
/// `QuotaExceeded` (a `DomainLimits` quota, where the core has them).
const LIMIT_CODES: [&str; 2] = ["ANCHOR_INVALID_INPUT", "ANCHOR_QUOTA_EXCEEDED"];

/// What one project size measured.
#[derive(Debug, Default)]
pub struct DomainRun {
    /// `add` of a fresh name.
    pub add: Samples,
    /// `refresh` of that name once its certificate is issued: the attach.
    pub refresh: Samples,
    /// `remove` of that name, which keeps the project at its size.
    pub remove: Samples,
    /// Seconds to bring the project to its size (add, validate, refresh
    /// each domain), or as far as it went.
    pub setup_s: f64,
    /// Why the size could not be measured: the limit `add` refused with,
    /// and which domain it refused.
    pub refused: Option<String>,
}

/// The `i`th domain name: `d00042.example.com`.
pub fn name(i: u64) -> String {
    format!("d{i:05}.example.com")
}

/// One project at its size, and the next fresh name to measure with.
struct State {
    size: u64,
    anchor: Anchor,
    next: u64,
    run: DomainRun,
}

/// Brings one project per size (each in its own state under `dir`) to that
/// many active domains, runs `warmup` untimed cycles on each, then times
/// `samples` cycles per size in [`ROUNDS`] rounds that visit every size in
/// a rotating order.
pub async fn run(
    dir: &Path,
    sizes: &[u64],
    warmup: usize,
    samples: usize,
) -> Result<Vec<(u64, DomainRun)>, BenchError> {
    let mut states = Vec::new();
    for &size in sizes {
        eprintln!("==> domains: setting up {size}");
        let started = Instant::now();
        let (anchor, refused) = prepare(&dir.join(size.to_string()), size).await?;
        let run = DomainRun {
            setup_s: started.elapsed().as_secs_f64(),
            refused,
            ..DomainRun::default()
        };
        match &run.refused {
            None => eprintln!("    {size} domains active in {:.1} s", run.setup_s),
            Some(why) => eprintln!("    refused after {:.1} s: {why}", run.setup_s),
        }
        let mut state = State {
            size,
            anchor,
            next: size,
            run,
        };
        for _ in 0..warmup {
            cycle(&mut state, false).await?;
        }
        states.push(state);
    }
    let per_round = samples.div_ceil(ROUNDS);
    for round in 0..ROUNDS {
        let count = per_round.min(samples.saturating_sub(round * per_round));
        for k in 0..states.len() {
            let i = (round + k) % states.len();
            for _ in 0..count {
                cycle(&mut states[i], true).await?;
            }
        }
    }
    Ok(states.into_iter().map(|s| (s.size, s.run)).collect())
}

/// An embedded Anchor in `dir` whose project holds `size` active domains,
/// or fewer and the limit that refused the next one.
async fn prepare(dir: &Path, size: u64) -> Result<(Anchor, Option<String>), BenchError> {
    let anchor = Anchor::local(dir.join("state")).await?;
    anchor.create_project(PROJECT).await?;
    let domains = anchor.domains(PROJECT);
    for i in 0..size {
        let name = name(i);
        let added = match limited(domains.add(&name).await)? {
            Ok(added) => added,
            Err(e) => return Ok((anchor, Some(refusal(i + 1, &name, &e)))),
        };
        validate(&anchor, &added).await?;
        active(domains.refresh(&name).await?)?;
    }
    Ok((anchor, None))
}

/// One cycle on a fresh name: add, validate, refresh, remove. With
/// `record`, add, refresh and remove go into the state's samples. A
/// refused state is left alone; a refused add marks the state refused.
async fn cycle(state: &mut State, record: bool) -> Result<(), BenchError> {
    if state.run.refused.is_some() {
        return Ok(());
    }
    let name = name(state.next);
    state.next += 1;
    let domains = state.anchor.domains(PROJECT);
    let mut sink = DomainRun::default();
    let into = if record { &mut state.run } else { &mut sink };
    let added = match limited(timed(&mut into.add, domains.add(&name)).await)? {
        Ok(added) => added,
        Err(e) => {
            let why = refusal(state.size + 1, &name, &e);
            eprintln!("    refused: {why}");
            state.run.refused = Some(why);
            return Ok(());
        }
    };
    validate(&state.anchor, &added).await?;
    active(timed(&mut into.refresh, domains.refresh(&name)).await?)?;
    timed(&mut into.remove, domains.remove(&name)).await?;
    Ok(())
}

/// Why a size was not measured: `add of domain 101 (d00100.example.com)
/// refused: ...`.
fn refusal(nth: u64, name: &str, e: &anchor_core::Error) -> String {
    format!("add of domain {nth} ({name}) refused: {e}")
}

/// `add`'s answer, with a refusal by a domain limit ([`LIMIT_CODES`]) as
/// the inner error and any other failure as the outer one.
fn limited(
    added: anchor_core::Result<Domain>,
) -> Result<Result<Domain, anchor_core::Error>, BenchError> {
    match added {
        Ok(d) => Ok(Ok(d)),
        Err(e) if LIMIT_CODES.contains(&e.code()) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

/// Issues `d`'s certificate with the local CA, as ACM does once the
/// validation records resolve.
async fn validate(anchor: &Anchor, d: &Domain) -> Result<(), BenchError> {
    let id = d
        .certificate_id
        .as_deref()
        .ok_or_else(|| format!("{} has no certificate after add", d.name))?;
    let cloud = anchor
        .local_cloud()
        .ok_or("the scale suite runs on the embedded default only")?;
    cloud.certificates().validate(id).await?;
    Ok(())
}

/// Fails unless `d` is attached to the CDN.
fn active(d: Domain) -> Result<(), BenchError> {
    if d.cdn_status == CdnStatus::Active {
        Ok(())
    } else {
        Err(format!("{} is {:?} after refresh, not active", d.name, d.cdn_status).into())
    }
}
