//! What the workloads record: each side's metrics for a report row, the
//! verdicts against the targets, and the median of repeated runs.

use super::awscli::SyncStats;
use super::deploy::DeployStats;
use super::endpoint::Endpoint;
use super::proc::Measured;
use super::Fail;
use crate::report::{quantile, Comparison};

/// One measured Anchor deploy: the process as the parent saw it, and what
/// the child reported it did.
#[derive(Debug, Clone)]
pub struct AnchorRun {
    /// Wall time, CPU time and peak RSS of the child.
    pub measured: Measured,
    /// Requests and files, from the child.
    pub stats: DeployStats,
}

/// The row a verdict is about.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Such as `first upload`.
    pub workload: &'a str,
    /// Such as `2,000 (50 public), 200 MiB`.
    pub case: &'a str,
    /// Where both sides ran.
    pub endpoint: &'a Endpoint,
}

impl<'a> Subject<'a> {
    /// The subject `workload` / `case` on `endpoint`.
    pub fn new(workload: &'a str, case: &'a str, endpoint: &'a Endpoint) -> Self {
        Self {
            workload,
            case,
            endpoint,
        }
    }

    fn comparison(&self, metric: &str, ratio_of: &str, ratio: f64, target: String) -> Comparison {
        Comparison {
            workload: self.workload.into(),
            case: self.case.into(),
            endpoint: self.endpoint.name().into(),
            metric: metric.into(),
            ratio_of: ratio_of.into(),
            ratio,
            target,
            met: false,
            note: String::new(),
        }
    }
}

/// The metrics of Anchor's row; requests only where there is an AWS endpoint.
pub fn anchor_metrics(ep: &Endpoint, a: &AnchorRun) -> Vec<(&'static str, f64)> {
    let s = &a.stats;
    let mut metrics = vec![
        ("wall_ms", a.measured.wall_ms),
        ("cpu_ms", a.measured.cpu_ms),
        ("peak_rss_mib", a.measured.peak_rss_mib),
        ("uploaded_files", s.uploaded_files as f64),
        ("copied_files", s.copied_files as f64),
        ("skipped_files", s.skipped_files as f64),
    ];
    if ep.s3_url().is_some() {
        metrics.push(("requests", s.requests as f64));
        metrics.push(("s3_requests", s.s3_requests as f64));
    }
    metrics
}

/// The metrics of awscli's row (all its requests go to S3).
pub fn sync_metrics(s: &SyncStats) -> Vec<(&'static str, f64)> {
    let uploads = ["s3:PutObject", "s3:CreateMultipartUpload"]
        .iter()
        .filter_map(|op| s.by_operation.get(*op))
        .sum::<u64>();
    vec![
        ("wall_ms", s.measured.wall_ms),
        ("cpu_ms", s.measured.cpu_ms),
        ("peak_rss_mib", s.measured.peak_rss_mib),
        ("uploaded_files", uploads as f64),
        ("requests", s.requests() as f64),
        ("s3_requests", s.requests() as f64),
    ]
}

/// awscli's wall time over Anchor's, at least `at_least`.
pub fn wall_verdict(at: &Subject<'_>, a: &AnchorRun, s: &SyncStats, at_least: f64) -> Comparison {
    let ratio = s.measured.wall_ms / a.measured.wall_ms;
    Comparison {
        met: ratio >= at_least,
        note: format!(
            "{:.0} ms vs {:.0} ms; anchor's is the whole deploy (scan, Lambda publish, alias, records)",
            s.measured.wall_ms, a.measured.wall_ms
        ),
        ..at.comparison("wall_ms", "aws s3 sync / anchor", ratio, format!("≥ {at_least:.1}"))
    }
}

/// awscli's requests over Anchor's (all of them, every service), at least
/// `at_least`; the note gives the S3-only ratio too.
pub fn requests_verdict(
    at: &Subject<'_>,
    a: &AnchorRun,
    s: &SyncStats,
    at_least: f64,
) -> Comparison {
    let ratio = s.requests() as f64 / a.stats.requests.max(1) as f64;
    let s3_ratio = s.requests() as f64 / a.stats.s3_requests.max(1) as f64;
    Comparison {
        met: ratio >= at_least,
        note: format!(
            "{} vs {} requests ({} of anchor's to S3: ratio {s3_ratio:.2})",
            s.requests(),
            a.stats.requests,
            a.stats.s3_requests
        ),
        ..at.comparison(
            "requests",
            "aws s3 sync / anchor",
            ratio,
            format!("≥ {at_least:.1}"),
        )
    }
}

/// Anchor's peak RSS against a budget in MiB, as a ratio at most 1.
pub fn rss_verdict(at: &Subject<'_>, a: &AnchorRun, budget_mib: f64) -> Comparison {
    let rss = a.measured.peak_rss_mib;
    Comparison {
        met: rss <= budget_mib,
        note: format!("{rss:.1} MiB for the whole deploy process"),
        ..at.comparison(
            "peak_rss_mib",
            &format!("anchor peak RSS / {budget_mib:.0} MiB"),
            rss / budget_mib,
            "≤ 1.00".into(),
        )
    }
}

/// Median wall and CPU time of several runs, their highest peak RSS, and
/// the last run's output.
fn median(runs: &[&Measured]) -> Option<Measured> {
    let last = runs.last()?;
    let of =
        |f: fn(&Measured) -> f64| quantile(&runs.iter().map(|m| f(m)).collect::<Vec<_>>(), 0.5);
    Some(Measured {
        wall_ms: of(|m| m.wall_ms),
        cpu_ms: of(|m| m.cpu_ms),
        peak_rss_mib: runs.iter().map(|m| m.peak_rss_mib).fold(0.0, f64::max),
        stdout: last.stdout.clone(),
    })
}

/// [`median`] of Anchor's runs, with the last run's counts (every round
/// does the same work).
pub fn median_anchor(mut runs: Vec<AnchorRun>) -> Result<AnchorRun, Fail> {
    let measured = median(&runs.iter().map(|r| &r.measured).collect::<Vec<_>>())
        .ok_or_else(|| Fail::msg("no incremental run"))?;
    let stats = runs.pop().map(|r| r.stats).unwrap_or_default();
    Ok(AnchorRun { measured, stats })
}

/// [`median`] of awscli's runs, with the last run's counts.
pub fn median_sync(mut runs: Vec<SyncStats>) -> Option<SyncStats> {
    let measured = median(&runs.iter().map(|r| &r.measured).collect::<Vec<_>>())?;
    let by_operation = runs.pop()?.by_operation;
    Some(SyncStats {
        measured,
        by_operation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(wall_ms: f64, rss: f64) -> AnchorRun {
        AnchorRun {
            measured: Measured {
                wall_ms,
                cpu_ms: wall_ms / 2.0,
                peak_rss_mib: rss,
                stdout: String::new(),
            },
            stats: DeployStats::default(),
        }
    }

    #[test]
    fn the_median_takes_the_middle_time_and_the_highest_rss() {
        let m = median_anchor(vec![run(300.0, 20.0), run(100.0, 30.0), run(200.0, 25.0)]);
        let Ok(m) = m else { panic!("{m:?}") };
        assert_eq!(m.measured.wall_ms, 200.0);
        assert_eq!(m.measured.cpu_ms, 100.0);
        assert_eq!(m.measured.peak_rss_mib, 30.0);
        assert!(median_anchor(Vec::new()).is_err());
    }

    #[test]
    fn the_rss_verdict_compares_with_the_budget() {
        let ep = Endpoint::Moto {
            moto: "http://127.0.0.1:1".into(),
        };
        let at = Subject::new("large assets", "1 GiB", &ep);
        let ok = rss_verdict(&at, &run(1.0, 48.0), 64.0);
        assert!(ok.met && ok.ratio == 0.75, "{ok:?}");
        assert!(!rss_verdict(&at, &run(1.0, 65.0), 64.0).met);
    }
}
