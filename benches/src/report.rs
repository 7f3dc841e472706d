//! The results every benchmark suite writes: `target/bench/<suite>.json`
//! (machine-readable) and `target/bench/<suite>.md` (a Markdown section
//! with its table), which `scripts/bench.sh` gathers into one report.
//!
//! A suite records measurements as [`Row`]s and the side-by-side verdicts
//! the issue asks for as [`Comparison`]s: a ratio from one run on one
//! endpoint, never an absolute time across runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One measurement of one subject on one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The workload, such as `first upload`.
    pub workload: String,
    /// Its size or variant, such as `2,000 files, 200 MiB`.
    pub case: String,
    /// Where it ran: `moto`, `s3s-fs`, `embedded`.
    pub endpoint: String,
    /// What was measured: `anchor`, `aws s3 sync`, `raw calls`, `python`, ...
    pub subject: String,
    /// Named values, such as `wall_ms`, `requests`, `peak_rss_mib`, `p50_ms`.
    pub metrics: BTreeMap<String, f64>,
}

/// A verdict against one of the targets.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The workload compared.
    pub workload: String,
    /// Its size or variant.
    pub case: String,
    /// Where both sides ran.
    pub endpoint: String,
    /// The metric compared, such as `wall_ms`.
    pub metric: String,
    /// What the ratio means, such as `aws s3 sync / anchor`.
    pub ratio_of: String,
    /// The ratio.
    pub ratio: f64,
    /// The target, such as `≥ 2.0`.
    pub target: String,
    /// Whether the ratio meets the target.
    pub met: bool,
    /// Why, when it is not met, or anything a reader needs.
    pub note: String,
}

/// Everything one suite measured in one run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The suite's name, which names its files.
    pub suite: String,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// The measurements.
    pub rows: Vec<Row>,
    /// The verdicts.
    pub comparisons: Vec<Comparison>,
}

impl Report {
    /// An empty report of `suite`, started now.
    pub fn new(suite: &str) -> Self {
        Self {
            suite: suite.into(),
            started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            rows: Vec::new(),
            comparisons: Vec::new(),
        }
    }

    /// Records a measurement.
    pub fn row(
        &mut self,
        workload: &str,
        case: &str,
        endpoint: &str,
        subject: &str,
        metrics: &[(&str, f64)],
    ) {
        self.rows.push(Row {
            workload: workload.into(),
            case: case.into(),
            endpoint: endpoint.into(),
            subject: subject.into(),
            metrics: metrics
                .iter()
                .map(|(k, v)| ((*k).to_string(), *v))
                .collect(),
        });
    }

    /// Records a verdict.
    pub fn compare(&mut self, comparison: Comparison) {
        self.comparisons.push(comparison);
    }

    /// The Markdown section: a heading, the measurements, the verdicts.
    pub fn markdown(&self) -> String {
        let mut md = format!("### {}\n\n", self.suite);
        let mut names: Vec<&String> = self.rows.iter().flat_map(|r| r.metrics.keys()).collect();
        names.sort();
        names.dedup();
        let _ = write!(md, "| workload | case | endpoint | subject |");
        for name in &names {
            let _ = write!(md, " {name} |");
        }
        md.push_str("\n|---|---|---|---|");
        md.push_str(&"---|".repeat(names.len()));
        md.push('\n');
        for r in &self.rows {
            let _ = write!(
                md,
                "| {} | {} | {} | {} |",
                r.workload, r.case, r.endpoint, r.subject
            );
            for name in &names {
                match r.metrics.get(*name) {
                    Some(v) => {
                        let _ = write!(md, " {} |", format_value(*v));
                    }
                    None => md.push_str(" |"),
                }
            }
            md.push('\n');
        }
        if !self.comparisons.is_empty() {
            md.push_str("\n| workload | case | endpoint | ratio | value | target | met | note |\n|---|---|---|---|---|---|---|---|\n");
            for c in &self.comparisons {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} ({}) | {:.2} | {} | {} | {} |",
                    c.workload,
                    c.case,
                    c.endpoint,
                    c.ratio_of,
                    c.metric,
                    c.ratio,
                    c.target,
                    if c.met { "yes" } else { "**no**" },
                    c.note
                );
            }
        }
        md
    }

    /// Writes `<dir>/<suite>.json` and `<dir>/<suite>.md`; returns both paths.
    pub fn write(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let json = dir.join(format!("{}.json", self.suite));
        let md = dir.join(format!("{}.md", self.suite));
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&json, text)?;
        std::fs::write(&md, self.markdown())?;
        Ok((json, md))
    }
}

/// Three significant figures, without exponent noise.
fn format_value(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// `n` with its thousands grouped by commas, as the cases read: `10,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `q`-quantile (0.0 to 1.0) of `samples` by nearest rank; `NaN` if empty.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// This process's peak resident set size in MiB (`VmHWM`), if Linux tells.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Where the suites write: `$ANCHOR_BENCH_OUT`, else `target/bench`.
pub fn out_dir() -> PathBuf {
    std::env::var_os("ANCHOR_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench"))
}

/// The end of a suite's run: writes `report` as JSON and Markdown under
/// [`out_dir`], prints the table, and names every missed target. Returns
/// the suite's exit code: success when every target is met (or `smoke`,
/// which judges nothing), else 3, which `scripts/bench.sh` reads as
/// "measured, reported, a target missed".
pub fn finish(report: &Report, smoke: bool) -> std::io::Result<std::process::ExitCode> {
    let (json, md) = report.write(&out_dir())?;
    println!("{}", report.markdown());
    eprintln!("==> wrote {} and {}", json.display(), md.display());
    let unmet: Vec<_> = report.comparisons.iter().filter(|c| !c.met).collect();
    if smoke || unmet.is_empty() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    for c in &unmet {
        eprintln!(
            "target not met: {} ({}, {}): {} = {:.2}, target {}",
            c.workload, c.case, c.endpoint, c.ratio_of, c.ratio, c.target
        );
    }
    Ok(std::process::ExitCode::from(3))
}

/// A suite binary's exit: its code, or on an error the error and each
/// cause in turn on stderr, prefixed by `suite`, and failure.
pub fn exit_with(
    suite: &str,
    result: Result<std::process::ExitCode, Box<dyn std::error::Error + Send + Sync>>,
) -> std::process::ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{suite}: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(super::thousands(2000), "2,000");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_048_576), "1,048,576");
    }

    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&samples, 0.5), 50.0);
        assert_eq!(quantile(&samples, 0.99), 99.0);
        assert_eq!(quantile(&samples, 1.0), 100.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn a_report_writes_json_and_a_table() {
        let mut r = Report::new("demo");
        r.row(
            "rollback",
            "10 deployments",
            "embedded",
            "anchor",
            &[("p50_ms", 0.75)],
        );
        r.compare(Comparison {
            workload: "rollback".into(),
            case: "10 deployments".into(),
            endpoint: "moto".into(),
            metric: "p50_ms".into(),
            ratio_of: "anchor / raw calls".into(),
            ratio: 1.04,
            target: "≤ 1.10".into(),
            met: true,
            note: String::new(),
        });
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { panic!("tempdir") };
        let written = r.write(dir.path());
        let Ok((json, md)) = written else {
            panic!("write failed")
        };
        let json = std::fs::read_to_string(json).unwrap_or_default();
        assert!(json.contains("\"suite\": \"demo\""));
        let md = std::fs::read_to_string(md).unwrap_or_default();
        assert!(
            md.contains("| rollback | 10 deployments | embedded | anchor | 0.750 |"),
            "{md}"
        );
        assert!(
            md.contains("| anchor / raw calls (p50_ms) | 1.04 | ≤ 1.10 | yes |"),
            "{md}"
        );
    }
}
