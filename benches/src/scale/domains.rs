//! Domain add and refresh at a project's size: one embedded state per
//! project, each brought to N active domains through the public API in its
//! domain mode, then one more name added and refreshed, timed (its
//! certificate validated in between, untimed), and removed (timed apart) so
//! the project stays at N. A size the project cannot reach, or at which it
//! cannot take one more name, because `add` refuses with `QuotaExceeded`,
//! is recorded as refused with the error, and the others are measured.

use std::path::Path;
use std::time::Instant;

use anchor_core::model::{CdnStatus, Domain, DomainMode, MAX_NAMES_PER_CERTIFICATE};
use anchor_core::{Anchor, LocalOptions};

use super::{BenchError, PROJECT};
use crate::rollback::stats::{timed, Samples};

/// Untimed cycles per project before timing, in a full run: enough for
/// each state's SQLite WAL files to reach their steady size. Until then a
/// freshly set-up small project's WAL is still growing and each commit's
/// fsync also records the file's new blocks: with 3 cycles the 10-domain
/// project measured 10–20 % slower than the 1,000-domain one (a larger
/// set-up grew its WAL while adding its domains). The rollback suite's
/// `STEADY_WARMUP` is the same effect.
pub const STEADY_WARMUP: usize = 100;

/// What one project measured.
#[derive(Debug)]
pub struct DomainRun {
    /// How its domains reach the distribution.
    pub mode: DomainMode,
    /// How many active domains it holds.
    pub size: u64,
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

impl DomainRun {
    fn new(mode: DomainMode, size: u64) -> Self {
        Self {
            mode,
            size,
            add: Samples::default(),
            refresh: Samples::default(),
            remove: Samples::default(),
            setup_s: 0.0,
            refused: None,
        }
    }
}

/// One project at its size, and the next fresh name to measure with.
struct State {
    anchor: Anchor,
    next: u64,
    run: DomainRun,
}

/// Brings one project per `(mode, size)` (each in its own state under
/// `dir`) to that many active domains, runs `warmup` untimed cycles on
/// each, then times `samples` cycles per project, one per project in turn
/// (in a rotating order), so a burst of disk load hits every project alike.
pub async fn run(
    dir: &Path,
    projects: &[(DomainMode, u64)],
    warmup: usize,
    samples: usize,
) -> Result<Vec<DomainRun>, BenchError> {
    let mut states = Vec::new();
    for &(mode, size) in projects {
        eprintln!("==> domains: setting up {size} in {} mode", mode.as_str());
        let started = Instant::now();
        let state_dir = dir.join(format!("{}-{size}", mode.as_str()));
        let (anchor, refused) = prepare(&state_dir, mode, size).await?;
        let run = DomainRun {
            setup_s: started.elapsed().as_secs_f64(),
            refused,
            ..DomainRun::new(mode, size)
        };
        match &run.refused {
            None => eprintln!("    {size} domains active in {:.1} s", run.setup_s),
            Some(why) => eprintln!("    refused after {:.1} s: {why}", run.setup_s),
        }
        let mut state = State {
            anchor,
            next: size,
            run,
        };
        for _ in 0..warmup {
            cycle(&mut state, false).await?;
        }
        states.push(state);
    }
    for round in 0..samples {
        for k in 0..states.len() {
            let i = (round + k) % states.len();
            cycle(&mut states[i], true).await?;
        }
    }
    Ok(states.into_iter().map(|s| s.run).collect())
}

/// The embedded default with new projects in `mode`. Alias mode's one
/// certificate names every domain of the project, so its quotas are
/// raised to ACM's ceiling of 100 names, to measure the mode as far as it
/// goes; tenant mode keeps the defaults (10,000 tenants per account).
fn options(mode: DomainMode) -> LocalOptions {
    let mut options = LocalOptions {
        domain_mode: mode,
        ..LocalOptions::default()
    };
    if mode == DomainMode::Aliases {
        let limits = &mut options.settings.domain_limits;
        limits.names_per_certificate = MAX_NAMES_PER_CERTIFICATE;
        limits.aliases_per_distribution = MAX_NAMES_PER_CERTIFICATE;
    }
    options
}

/// An embedded Anchor in `dir` whose project holds `size` active domains
/// in `mode`, or fewer and the quota that refused the next one.
async fn prepare(
    dir: &Path,
    mode: DomainMode,
    size: u64,
) -> Result<(Anchor, Option<String>), BenchError> {
    let anchor = Anchor::local_with(dir.join("state"), options(mode)).await?;
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
    let mut sink = DomainRun::new(state.run.mode, state.run.size);
    let into = if record { &mut state.run } else { &mut sink };
    let added = match limited(timed(&mut into.add, domains.add(&name)).await)? {
        Ok(added) => added,
        Err(e) => {
            let why = refusal(state.run.size + 1, &name, &e);
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

/// `add`'s answer, with a refusal by a domain quota as the inner error
/// and any other failure as the outer one.
fn limited(
    added: anchor_core::Result<Domain>,
) -> Result<Result<Domain, anchor_core::Error>, BenchError> {
    match added {
        Ok(d) => Ok(Ok(d)),
        Err(e @ anchor_core::Error::QuotaExceeded { .. }) => Ok(Err(e)),
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
