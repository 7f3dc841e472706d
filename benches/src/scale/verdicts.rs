//! The domain target as [`Comparison`]s: add and refresh in tenant
//! mode (the default) flat within ±10 % from the smallest project to the
//! largest, on p50 from one run. Alias mode, measured beside it, is in
//! each note, not judged: it is the legacy mode, bounded at 100 domains.
//! Pruning has no target (the issue asks for its numbers only), so it adds
//! no verdict.

use anchor_core::model::DomainMode;

use super::domains::DomainRun;
use super::domains_case;
use super::record::{Results, ADD, ENDPOINT, REFRESH};
use crate::report::{Comparison, Report};
use crate::rollback::stats::Samples;

/// Which samples of a project's run a verdict compares.
type Pick = fn(&DomainRun) -> &Samples;

/// Adds every verdict the run has data for.
pub fn compare_all(report: &mut Report, r: &Results) {
    let in_mode =
        |mode| -> Vec<&DomainRun> { r.domains.iter().filter(|d| d.mode == mode).collect() };
    let tenants = in_mode(DomainMode::Tenants);
    let aliases = in_mode(DomainMode::Aliases);
    let (Some(small), Some(large)) = (tenants.first(), tenants.last()) else {
        return;
    };
    if small.size == large.size {
        return;
    }
    let workloads: [(&str, Pick); 2] = [(ADD, |run| &run.add), (REFRESH, |run| &run.refresh)];
    for (workload, samples) in workloads {
        // NaN when either end was refused: the target is not met.
        let ratio = samples(large).p50() / samples(small).p50();
        let mut note = sizes_note(&tenants, samples);
        if !aliases.is_empty() {
            let aliases = sizes_note(&aliases, samples);
            note = format!("{note} Alias mode beside it: {aliases}");
        }
        report.compare(Comparison {
            workload: workload.into(),
            case: format!(
                "{} vs {}, tenant mode",
                domains_case(large.size),
                domains_case(small.size)
            ),
            endpoint: ENDPOINT.into(),
            metric: "p50_ms".into(),
            ratio_of: "large / small project".into(),
            ratio,
            target: "0.90–1.10".into(),
            met: ratio.is_finite() && (0.9..=1.1).contains(&ratio),
            note,
        });
    }
}

/// Every measured project's p50, each against the smallest, then the
/// projects not measured and why: `p50 0.61 ms at 10 domains, 0.95 ms at
/// 100 domains (1.56×).`.
fn sizes_note(runs: &[&DomainRun], samples: Pick) -> String {
    let measured: Vec<&&DomainRun> = runs.iter().filter(|r| r.refused.is_none()).collect();
    let base = measured.first().map_or(f64::NAN, |r| samples(r).p50());
    let parts: Vec<String> = measured
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let p50 = samples(run).p50();
            let case = domains_case(run.size);
            if i == 0 {
                format!("{p50:.3} ms at {case}")
            } else {
                format!("{p50:.3} ms at {case} ({:.2}×)", p50 / base)
            }
        })
        .collect();
    let mut note = if parts.is_empty() {
        String::new()
    } else {
        format!("p50 {}.", parts.join(", "))
    };
    for run in runs {
        if let Some(why) = &run.refused {
            let case = domains_case(run.size);
            note = format!("{note} {case} not measured: {why}.");
        }
    }
    note.trim_start().to_string()
}
