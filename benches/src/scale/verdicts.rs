//! The domain target as [`Comparison`]s: add and refresh flat
//! within ±10 % from the smallest project to the largest, on p50 from one
//! run. Pruning has no target (the issue asks for its numbers only), so
//! it adds no verdict.

use super::domains::DomainRun;
use super::domains_case;
use super::record::{Results, ADD, ENDPOINT, REFRESH};
use crate::report::{Comparison, Report};
use crate::rollback::stats::Samples;

/// Which samples of a size's run a verdict compares.
type Pick = fn(&DomainRun) -> &Samples;

/// Adds every verdict the run has data for.
pub fn compare_all(report: &mut Report, r: &Results) {
    let (Some((small, _)), Some((large, _))) = (r.domains.first(), r.domains.last()) else {
        return;
    };
    if small == large {
        return;
    }
    let workloads: [(&str, Pick); 2] = [(ADD, |run| &run.add), (REFRESH, |run| &run.refresh)];
    let refused: Vec<String> = r
        .domains
        .iter()
        .filter_map(|(size, run)| {
            let why = run.refused.as_ref()?;
            Some(format!("{} not measured: {why}.", domains_case(*size)))
        })
        .collect();
    let measured: Vec<(u64, &DomainRun)> = r
        .domains
        .iter()
        .filter(|(_, run)| run.refused.is_none())
        .map(|(size, run)| (*size, run))
        .collect();
    for (workload, samples) in workloads {
        let p50 = |i: usize| samples(&r.domains[i].1).p50();
        // NaN when either end was refused: the target is not met.
        let ratio = p50(r.domains.len() - 1) / p50(0);
        let note = [sizes_note(&measured, samples)]
            .into_iter()
            .chain(refused.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        report.compare(Comparison {
            workload: workload.into(),
            case: format!("{} vs {}", domains_case(*large), domains_case(*small)),
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

/// Every size's p50, and each against the smallest: `p50 0.61 ms at 10
/// domains, 0.95 ms at 100 (1.56×), ...`.
fn sizes_note(runs: &[(u64, &DomainRun)], samples: Pick) -> String {
    let Some((_, first)) = runs.first() else {
        return String::new();
    };
    let base = samples(first).p50();
    let parts: Vec<String> = runs
        .iter()
        .enumerate()
        .map(|(i, (size, run))| {
            let p50 = samples(run).p50();
            let case = domains_case(*size);
            if i == 0 {
                format!("{p50:.3} ms at {case}")
            } else {
                format!("{p50:.3} ms at {case} ({:.2}×)", p50 / base)
            }
        })
        .collect();
    format!("p50 {}.", parts.join(", "))
}
