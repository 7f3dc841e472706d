//! [`crate::traits::StateStore::commit`] as one TransactWriteItems call.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, TransactWriteItem};
use aws_sdk_dynamodb::Client;

use super::codec::{number, text, Item, ID, OWNER, OWNER_VERSION, PROJECT, REVISION, VERSION};
use super::items::{self, Part, Target};
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{Expect, WriteBatch};

const OP: &str = "TransactWriteItems";

/// DynamoDB's limit on the items of one transaction.
pub(super) const MAX_ITEMS: usize = 100;

/// Attempts when a transaction is cancelled only because another
/// transaction was writing the same items (`TransactionConflict`). Such a
/// cancellation applied nothing, so trying again is safe; once the other
/// writer has finished, the conditions give a definite answer.
const CONFLICT_ATTEMPTS: u32 = 8;

/// Applies `batch` all or nothing; see [`crate::traits::StateStore::commit`].
pub(super) async fn commit(client: &Client, tables: &TableNames, batch: &WriteBatch) -> Result<()> {
    let seq_base = domain_seq_base();
    let built = items::build(tables, batch, seq_base)?;
    if built.is_empty() {
        return Ok(());
    }
    if built.len() > MAX_ITEMS {
        return Err(Error::invalid_input(
            "batch",
            format!(
                "needs {} DynamoDB items, more than the {MAX_ITEMS} of one transaction",
                built.len()
            ),
        ));
    }
    refuse_duplicates(&built)?;
    let (writes, targets): (Vec<TransactWriteItem>, Vec<Target>) = built.into_iter().unzip();
    let resource = touched_tables(&targets);
    let mut attempt = 0;
    loop {
        attempt += 1;
        // One token per attempt: the SDK's own retries of this attempt reuse
        // it, so a reply lost in transit cannot apply the batch twice.
        let token = ulid::Ulid::new().to_string();
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(writes.clone()))
            .client_request_token(token)
            .send()
            .await;
        let err = match sent {
            Ok(_) => return Ok(()),
            Err(err) => err,
        };
        let reasons = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                e.cancellation_reasons().to_vec()
            }
            _ => return Err(service_error(Service::StateStore, OP, &resource, err)),
        };
        if let Some(failed) = first_failed(&targets, &reasons) {
            return Err(failed);
        }
        let conflicted = targets
            .iter()
            .zip(&reasons)
            .find(|(_, r)| r.code() == Some("TransactionConflict"));
        let Some((contended, _)) = conflicted else {
            return Err(service_error(Service::StateStore, OP, &resource, err));
        };
        if attempt >= CONFLICT_ATTEMPTS {
            return Err(Error::conflict(
                contended.kind,
                contended.id.clone(),
                format!("other transactions kept writing it; gave up after {attempt} attempts"),
            ));
        }
        tokio::time::sleep(backoff(attempt)).await;
    }
}

/// The tables a batch writes, to name them in errors.
fn touched_tables(targets: &[Target]) -> String {
    let mut tables: Vec<&str> = targets
        .iter()
        .filter_map(|t| t.item_key.split('/').next())
        .collect();
    tables.sort_unstable();
    tables.dedup();
    tables.join(", ")
}

/// `created_seq` of domains first claimed by this commit: the commit time in
/// microseconds times 1000, plus the domain's place in the batch. Domains are
/// listed in this order, so it is insertion order up to clock skew between
/// the machines that claim a project's domains.
fn domain_seq_base() -> u64 {
    let micros = chrono::Utc::now().timestamp_micros();
    u64::try_from(micros).unwrap_or(0).saturating_mul(1000)
}

/// Jittered exponential backoff: 20 ms doubling, capped at about a second.
fn backoff(attempt: u32) -> Duration {
    let base = 20u64 << attempt.min(6);
    let jitter = u64::from(chrono::Utc::now().timestamp_subsec_nanos()) % base.max(1);
    Duration::from_millis(base + jitter)
}

/// A transaction touches each item at most once. A later write that expects
/// absence would fail against the earlier one anyway (as it does in the
/// SQLite store), so it is reported as such; other repeats are refused.
fn refuse_duplicates(built: &[(TransactWriteItem, Target)]) -> Result<()> {
    let mut seen = HashSet::new();
    for (_, t) in built {
        if seen.insert(t.item_key.as_str()) {
            continue;
        }
        return Err(match t.expect {
            Expect::Absent => Error::precondition(
                t.kind,
                t.id.clone(),
                "expected no record, but the batch writes it earlier",
            ),
            Expect::Revision(_) => Error::invalid_input(
                "batch",
                format!(
                    "writes {} {:?} twice; a DynamoDB transaction writes each item once",
                    t.kind, t.id
                ),
            ),
        });
    }
    Ok(())
}

/// `PreconditionFailed` naming the first item whose condition failed.
fn first_failed(targets: &[Target], reasons: &[CancellationReason]) -> Option<Error> {
    targets.iter().zip(reasons).find_map(|(t, r)| {
        (r.code() == Some("ConditionalCheckFailed"))
            .then(|| Error::precondition(t.kind, t.id.clone(), reason(t, r.item())))
    })
}

/// The expected and found state, as far as the returned old item tells.
fn reason(t: &Target, old: Option<&Item>) -> String {
    let expected = match (t.part, t.expect) {
        (Part::Rollback(seq), _) => return format!("expected no rollback event {seq}, found one"),
        (Part::Retract(seq), _) => return format!("expected rollback event {seq}, found none"),
        (_, Expect::Absent) => "expected no record".to_string(),
        (_, Expect::Revision(r)) => format!("expected revision {r}"),
    };
    let Some(old) = old.filter(|o| !o.is_empty()) else {
        return format!("{expected}, found no record");
    };
    let found = match t.part {
        Part::IdPointer => format!(
            "found the id recorded as version {} of {}",
            number(old, OWNER_VERSION).unwrap_or(0),
            text(old, OWNER).unwrap_or("?")
        ),
        Part::Slot | Part::Record if t.kind == ResourceKind::Deployment => {
            match text(old, ID).filter(|id| *id != t.id) {
                Some(holder) => format!(
                    "found version {} of {} recorded as deployment {holder}",
                    number(old, VERSION).unwrap_or(0),
                    text(old, PROJECT).unwrap_or("?")
                ),
                None => revision_text(old),
            }
        }
        _ => revision_text(old),
    };
    format!("{expected}, {found}")
}

fn revision_text(old: &Item) -> String {
    match number(old, REVISION) {
        Some(r) => format!("found revision {r}"),
        None => "found a record".to_string(),
    }
}
