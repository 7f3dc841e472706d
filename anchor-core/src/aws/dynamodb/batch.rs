//! Writing many items with BatchWriteItem: 25 per call (DynamoDB's limit),
//! a few calls at a time, and the items DynamoDB leaves unprocessed (it
//! does under throttling, without failing the call) sent again with
//! exponential backoff until none is left or the attempts run out.

use std::future::Future;
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};

use crate::error::{Error, Result, Service};

/// DynamoDB's limit on the requests of one BatchWriteItem.
pub(crate) const MAX_BATCH: usize = 25;
/// Calls in flight at once, as OpenNext's own seeder runs them.
const CONCURRENCY: usize = 4;

/// How unprocessed items are retried.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Retry {
    /// Calls per batch, the first included.
    pub attempts: u32,
    /// The wait before the first resend; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest wait between resends.
    pub max_backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 8,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Sends `requests` in batches of at most [`MAX_BATCH`] through `send`,
/// which makes one BatchWriteItem call and returns the requests DynamoDB
/// left unprocessed. Fails (retryable) if a batch still has unprocessed
/// requests after `retry.attempts` calls, or with the first call's error.
pub(crate) async fn write_all<T, F, Fut>(requests: Vec<T>, retry: Retry, send: F) -> Result<()>
where
    T: Send,
    F: Fn(Vec<T>) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let mut batches = Vec::new();
    let mut rest = requests.into_iter().peekable();
    while rest.peek().is_some() {
        batches.push(rest.by_ref().take(MAX_BATCH).collect::<Vec<T>>());
    }
    stream::iter(batches)
        .map(|batch| write_batch(batch, retry, &send))
        .buffer_unordered(CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn write_batch<T, F, Fut>(mut batch: Vec<T>, retry: Retry, send: &F) -> Result<()>
where
    F: Fn(Vec<T>) -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let mut backoff = retry.initial_backoff;
    for attempt in 1..=retry.attempts.max(1) {
        batch = send(batch).await?;
        if batch.is_empty() {
            return Ok(());
        }
        if attempt < retry.attempts {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(retry.max_backoff);
        }
    }
    Err(Error::Service {
        backend: "aws",
        service: Service::Revalidation,
        operation: "BatchWriteItem".into(),
        retryable: true,
        message: format!(
            "{} items were still unprocessed after {} attempts",
            batch.len(),
            retry.attempts
        ),
        source: None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn quick(attempts: u32) -> Retry {
        Retry {
            attempts,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
        }
    }

    #[tokio::test]
    async fn items_go_in_batches_of_twenty_five() {
        let sizes = Mutex::new(Vec::new());
        let written = Mutex::new(Vec::new());
        write_all((0..60).collect(), quick(3), |batch: Vec<u32>| {
            sizes.lock().unwrap().push(batch.len());
            written.lock().unwrap().extend(batch);
            async { Ok(Vec::new()) }
        })
        .await
        .unwrap();
        let mut sizes = sizes.into_inner().unwrap();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![10, 25, 25]);
        let mut written = written.into_inner().unwrap();
        written.sort_unstable();
        assert_eq!(written, (0..60).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn unprocessed_items_are_sent_again_until_none_is_left() {
        let calls = Mutex::new(Vec::new());
        write_all((0..5).collect(), quick(4), |batch: Vec<u32>| {
            let mut calls = calls.lock().unwrap();
            calls.push(batch.clone());
            // DynamoDB processes only the first item of each call.
            let unprocessed = batch[1..].to_vec();
            async move { Ok(unprocessed) }
        })
        .await
        .unwrap_err();
        // Four attempts: 5, 4, 3, 2 items; then it gives up with 1 left.
        let calls = calls.into_inner().unwrap();
        assert_eq!(
            calls.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![5, 4, 3, 2]
        );

        let calls = Mutex::new(0);
        write_all((0..3).collect(), quick(4), |batch: Vec<u32>| {
            *calls.lock().unwrap() += 1;
            async move { Ok(batch[1..].to_vec()) }
        })
        .await
        .unwrap();
        assert_eq!(calls.into_inner().unwrap(), 3, "3 items, one per call");
    }

    #[tokio::test]
    async fn giving_up_is_a_retryable_service_error() {
        let err = write_all(
            vec![1, 2],
            quick(2),
            |batch: Vec<u32>| async move { Ok(batch) },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Service { retryable: true, operation, .. } if operation == "BatchWriteItem"
            ),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_failed_call_fails_the_write() {
        let err = write_all(vec![1], quick(3), |_: Vec<u32>| async {
            Err(Error::service(
                "aws",
                Service::Revalidation,
                "BatchWriteItem",
                "boom",
            ))
        })
        .await
        .unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
    }

    #[tokio::test]
    async fn nothing_to_write_makes_no_call() {
        write_all(Vec::<u32>::new(), quick(1), |_| async {
            panic!("no call expected")
        })
        .await
        .unwrap();
    }
}
