//! Rollback and the first history page on moto, side by side with the raw
//! calls, interleaved so that drift (moto's heap, the shared CPU) hits every
//! subject alike.

pub mod baseline;
pub mod setup;

use std::path::Path;

use anchor_core::aws::TableNames;
use anchor_core::model::PageRequest;
use aws_sdk_dynamodb::types::AttributeValue;

use super::stats::{timed, Samples};
use super::{BenchError, PROJECT};
use baseline::{Aliases, Minimal, SameTransaction};
use setup::{MotoCase, TABLE_PREFIX};

/// What one history size measured on moto.
#[derive(Debug, Default)]
pub struct MotoRun {
    /// Anchor, `invalidate(false)`.
    pub anchor: Samples,
    /// Anchor with the CDN invalidation (the default).
    pub anchor_invalidating: Samples,
    /// One conditional UpdateItem and two UpdateAlias calls.
    pub minimal: Samples,
    /// Anchor's six-item transaction and two UpdateAlias calls, raw.
    pub same_transaction: Samples,
    /// Anchor's first page of 20.
    pub history: Samples,
    /// The raw Query that page is.
    pub raw_query: Samples,
}

/// The subjects of one rollback round.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Anchor,
    AnchorInvalidating,
    Minimal,
    SameTransaction,
}

const SUBJECTS: [Subject; 4] = [
    Subject::Anchor,
    Subject::Minimal,
    Subject::AnchorInvalidating,
    Subject::SameTransaction,
];

/// From this history size on, the supplementary subjects (Anchor with its
/// invalidation, the raw six-item transaction) run only every
/// [`SUPPLEMENTARY_EVERY`]th round: on moto each of their transactions
/// copies the whole deployments table per item (about 4 s at 10,000), and
/// the targets compare only Anchor and the minimal calls, which run every
/// round. The rows' `n` says how many samples each has.
pub const SUPPLEMENTARY_FROM: u64 = 5_000;
/// See [`SUPPLEMENTARY_FROM`].
pub const SUPPLEMENTARY_EVERY: usize = 5;

/// Prepares a case of `history` deployments and measures it: `iterations`
/// rounds, each running every subject once in a rotating order, after
/// `warmup` untimed rounds.
pub async fn run(
    endpoint: &str,
    dir: &Path,
    history: u64,
    warmup: usize,
    iterations: usize,
) -> Result<MotoRun, BenchError> {
    let case = setup::prepare(endpoint, dir, history).await?;
    let project = case.anchor.project(PROJECT).await?;
    let tables = TableNames::with_prefix(TABLE_PREFIX);
    let aliases = Aliases::new(&project.infrastructure, &case.first, &case.second)?;
    let mut minimal = Minimal::new(case.clients.clone(), &tables.projects, aliases.clone());
    let mut same = SameTransaction::new(
        case.clients.clone(),
        tables.clone(),
        aliases,
        [&case.first, &case.second],
        &project,
    )?;
    let mut out = MotoRun::default();
    let mut scratch = MotoRun::default();
    // The second deployment is live; Anchor's next target is the first.
    let mut anchor_live = 1usize;
    for round in 0..warmup + iterations {
        let into = if round < warmup {
            &mut scratch
        } else {
            &mut out
        };
        let thin = history >= SUPPLEMENTARY_FROM && round % SUPPLEMENTARY_EVERY != 0;
        for k in 0..SUBJECTS.len() {
            // Baselines switch to whichever Anchor is not on, like Anchor.
            let to = 1 - anchor_live;
            let subject = SUBJECTS[(round + k) % SUBJECTS.len()];
            let supplementary = matches!(
                subject,
                Subject::AnchorInvalidating | Subject::SameTransaction
            );
            if thin && supplementary {
                continue;
            }
            match subject {
                Subject::Anchor | Subject::AnchorInvalidating => {
                    let invalidating = matches!(
                        SUBJECTS[(round + k) % SUBJECTS.len()],
                        Subject::AnchorInvalidating
                    );
                    let target = if to == 0 {
                        &case.first.id
                    } else {
                        &case.second.id
                    };
                    let rollback = case
                        .anchor
                        .rollback(PROJECT)
                        .to_deployment(target.as_str())
                        .invalidate(invalidating);
                    let samples = if invalidating {
                        &mut into.anchor_invalidating
                    } else {
                        &mut into.anchor
                    };
                    let done = timed(samples, rollback.execute()).await?;
                    if let Some(e) = done.invalidation_error {
                        return Err(format!("the invalidation failed: {e}").into());
                    }
                    anchor_live = to;
                }
                Subject::Minimal => timed(&mut into.minimal, minimal.switch(to)).await?,
                Subject::SameTransaction => {
                    timed(&mut into.same_transaction, same.switch(to)).await?
                }
            }
        }
    }
    history_pages(&case, warmup, iterations, &mut out).await?;
    Ok(out)
}

/// Anchor's first page of 20 and the raw Query it makes, alternated.
async fn history_pages(
    case: &MotoCase,
    warmup: usize,
    iterations: usize,
    out: &mut MotoRun,
) -> Result<(), BenchError> {
    let tables = TableNames::with_prefix(TABLE_PREFIX);
    let mut scratch = MotoRun::default();
    for round in 0..warmup + iterations {
        let into = if round < warmup {
            &mut scratch
        } else {
            &mut *out
        };
        let anchor_first = round % 2 == 0;
        for k in 0..2 {
            if (k == 0) == anchor_first {
                let first = PageRequest::first(20);
                timed(&mut into.history, case.anchor.history(PROJECT, &first)).await?;
            } else {
                let query = case
                    .clients
                    .dynamodb
                    .query()
                    .table_name(&tables.deployments)
                    .key_condition_expression("#p = :p")
                    .expression_attribute_names("#p", "project")
                    .expression_attribute_values(":p", AttributeValue::S(PROJECT.into()))
                    .scan_index_forward(false)
                    .consistent_read(true)
                    .limit(21)
                    .send();
                timed(&mut into.raw_query, query).await?;
            }
        }
    }
    Ok(())
}
