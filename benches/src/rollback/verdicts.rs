//! The targets as [`Comparison`]s, all on p50 from one run: rollback
//! and history page within 1.10× of the raw calls and flat within ±10 %
//! from the shortest to the longest history; bindings within 1.05× of Rust.

use super::case;
use super::moto::MotoRun;
use super::record::{subject, Results, BINDINGS, HISTORY, ROLLBACK};
use super::stats::Samples;
use crate::report::{Comparison, Report};

const METRIC: &str = "p50_ms";

/// A short and a long history's runs.
type Pair<'a, T> = (&'a (u64, T), &'a (u64, T));

fn ratio(a: &Samples, b: &Samples) -> f64 {
    a.p50() / b.p50()
}

#[allow(clippy::too_many_arguments)]
fn compare(
    report: &mut Report,
    workload: &str,
    case: String,
    endpoint: &str,
    ratio_of: &str,
    ratio: f64,
    target: &str,
    met: bool,
    note: String,
) {
    report.compare(Comparison {
        workload: workload.into(),
        case,
        endpoint: endpoint.into(),
        metric: METRIC.into(),
        ratio_of: ratio_of.into(),
        ratio,
        target: target.into(),
        met,
        note,
    });
}

fn within(r: f64, limit: f64) -> bool {
    r.is_finite() && r <= limit
}

fn flat(r: f64) -> bool {
    r.is_finite() && (0.9..=1.1).contains(&r)
}

fn span<T>(runs: &[(u64, T)]) -> Option<Pair<'_, T>> {
    Some((runs.first()?, runs.last()?)).filter(|(a, b)| a.0 != b.0)
}

/// The shortest history whose first page of 20 is full, and the longest,
/// if they differ: the same page, so only the history's length varies.
fn full_pages<T>(runs: &[(u64, T)]) -> Option<Pair<'_, T>> {
    let full = runs.iter().find(|(h, _)| *h >= 20)?;
    Some((full, runs.last()?)).filter(|(a, b)| a.0 != b.0)
}

/// Why the short history's page is not the same work as the long one's.
fn page_note(short: u64) -> String {
    if short < 20 {
        format!(
            "The page holds {short} records at {short} deployments and 20 at the long history, \
             so this ratio also counts decoding twice the records; the full-pages verdict compares equal pages."
        )
    } else {
        String::new()
    }
}

/// Adds every verdict the run has data for.
pub fn compare_all(report: &mut Report, r: &Results) {
    moto_rollback(report, r);
    flatness(report, r);
    moto_history(report, r);
    bindings(report, r);
}

fn moto_rollback(report: &mut Report, r: &Results) {
    for (h, run) in &r.moto {
        let x = ratio(&run.anchor, &run.minimal);
        let own = ratio(&run.anchor, &run.same_transaction);
        let note = format!(
            "Anchor with invalidate(false); the baseline sends no invalidation. With it: p50 {:.2} ms ({:.2}× the baseline). \
             Anchor's one deciding write is a 6-item TransactWriteItems; sent raw, that transaction and the aliases take p50 {:.2} ms, \
             so Anchor / raw same calls = {own:.2}.",
            run.anchor_invalidating.p50(),
            ratio(&run.anchor_invalidating, &run.minimal),
            run.same_transaction.p50(),
        );
        compare(
            report,
            ROLLBACK,
            case(*h),
            "moto",
            "anchor / raw calls",
            x,
            "≤ 1.10",
            within(x, 1.10),
            note,
        );
    }
}

fn flatness(report: &mut Report, r: &Results) {
    if let Some(((a, ra), (b, rb))) = span(&r.embedded) {
        let x = ratio(&rb.rollback, &ra.rollback);
        let cases = format!("{} vs {}", case(*b), case(*a));
        let of = "long / short history";
        compare(
            report,
            ROLLBACK,
            cases.clone(),
            "embedded",
            of,
            x,
            "0.90–1.10",
            flat(x),
            "Steady state: timed after 300 untimed rollbacks per state (past SQLite's first WAL checkpoint); \
             before that, a freshly seeded short history's growing WAL costs about 0.15 ms per rollback, once per database."
                .to_string(),
        );
        let x = ratio(&rb.history, &ra.history);
        compare(
            report,
            HISTORY,
            cases,
            "embedded",
            of,
            x,
            "0.90–1.10",
            flat(x),
            page_note(*a),
        );
    }
    let first = r.embedded.first().map(|f| f.0);
    if let Some(((a, ra), (b, rb))) = full_pages(&r.embedded).filter(|(s, _)| Some(s.0) != first) {
        let x = ratio(&rb.history, &ra.history);
        let cases = format!("{} vs {} (full pages)", case(*b), case(*a));
        let of = "long / short history";
        compare(
            report,
            HISTORY,
            cases,
            "embedded",
            of,
            x,
            "0.90–1.10",
            flat(x),
            String::new(),
        );
    }
    if let Some(((a, ra), (b, rb))) = span(&r.moto) {
        let x = ratio(&rb.anchor, &ra.anchor);
        let raw_tx = ratio(&rb.same_transaction, &ra.same_transaction);
        let raw_min = ratio(&rb.minimal, &ra.minimal);
        let note = format!(
            "Same endpoint, same sizes: the raw minimal calls grow {raw_min:.2}×, the raw 6-item transaction {raw_tx:.2}× \
             (moto's TransactWriteItems deep-copies each table an item writes, once per item, so its cost follows the table's size)."
        );
        let cases = format!("{} vs {}", case(*b), case(*a));
        compare(
            report,
            ROLLBACK,
            cases,
            "moto",
            "long / short history",
            x,
            "0.90–1.10",
            flat(x),
            note,
        );
    }
}

fn moto_history(report: &mut Report, r: &Results) {
    for (h, run) in &r.moto {
        let x = ratio(&run.history, &run.raw_query);
        let note = format!(
            "moto's Query scans the whole table, so the raw Query itself takes p50 {:.2} ms here.",
            run.raw_query.p50()
        );
        let target = "≤ 1.10";
        compare(
            report,
            HISTORY,
            case(*h),
            "moto",
            "anchor / raw Query",
            x,
            target,
            within(x, 1.10),
            note,
        );
    }
    let relative = |(_, long): &(u64, MotoRun), (_, short): &(u64, MotoRun)| {
        ratio(&long.history, &long.raw_query) / ratio(&short.history, &short.raw_query)
    };
    if let Some((short, long)) = span(&r.moto) {
        let x = relative(long, short);
        let cases = format!("{} vs {}", case(long.0), case(short.0));
        let note = format!(
            "Flatness on moto is the ratio to the raw Query at each size, long over short. {}",
            page_note(short.0)
        );
        let of = "(anchor / raw Query), long / short";
        compare(
            report,
            HISTORY,
            cases,
            "moto",
            of,
            x,
            "0.90–1.10",
            flat(x),
            note,
        );
    }
    let first = r.moto.first().map(|f| f.0);
    if let Some((short, long)) = full_pages(&r.moto).filter(|(s, _)| Some(s.0) != first) {
        let x = relative(long, short);
        let cases = format!("{} vs {} (full pages)", case(long.0), case(short.0));
        let of = "(anchor / raw Query), long / short";
        compare(
            report,
            HISTORY,
            cases,
            "moto",
            of,
            x,
            "0.90–1.10",
            flat(x),
            String::new(),
        );
    }
}

fn bindings(report: &mut Report, r: &Results) {
    let Some((h, run)) = &r.bindings else { return };
    for (name, s) in [(subject::PYTHON, &run.python), (subject::NODE, &run.node)] {
        if s.is_empty() {
            continue;
        }
        let x = ratio(s, &run.rust);
        let note = format!(
            "p50 {:.3} ms vs Rust {:.3} ms (+{:.0} µs); p99 {:.3} vs {:.3} ms. \
             Rust running each rollback as a spawned task, as the bindings do: p50 {:.3} ms ({:.2}×).",
            s.p50(),
            run.rust.p50(),
            (s.p50() - run.rust.p50()) * 1000.0,
            s.p99(),
            run.rust.p99(),
            run.rust_spawned.p50(),
            ratio(&run.rust_spawned, &run.rust),
        );
        let note = match run.crashes.len() {
            0 => note,
            n => format!(
                "{note} **{n} driver process(es) crashed and were rerun** (see the run's stderr)."
            ),
        };
        compare(
            report,
            BINDINGS,
            case(*h),
            "embedded",
            &format!("{name} / rust"),
            x,
            "≤ 1.05",
            within(x, 1.05),
            note,
        );
    }
}
