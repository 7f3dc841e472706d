//! Event source mappings from a queue to one function version: the queue's
//! one consumer is the exact version it was made for, so a message a
//! deployment's server sends is revalidated by the same build.

use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Result, Service};

/// Messages per invocation, as SST subscribes OpenNext's revalidation
/// function (`batchSize: 5`).
pub const REVALIDATION_BATCH_SIZE: i32 = 5;

/// One mapping as Lambda lists it.
#[derive(Debug, Clone)]
struct Mapping {
    uuid: String,
    function_arn: String,
}

impl LambdaFunctions {
    /// Makes the version at `function_arn` (qualified) the one consumer of
    /// the queue at `queue_arn`: keeps a mapping that already targets it,
    /// deletes any targeting another, and creates one if none is left.
    pub(crate) async fn ensure_queue_mapping(
        &self,
        queue_arn: &str,
        function_arn: &str,
        batch_size: i32,
    ) -> Result<()> {
        let mut found = false;
        for mapping in self.queue_mappings(queue_arn).await? {
            if mapping.function_arn == function_arn && !found {
                found = true;
            } else {
                self.delete_mapping(&mapping.uuid).await?;
            }
        }
        if found {
            return Ok(());
        }
        self.client
            .create_event_source_mapping()
            .event_source_arn(queue_arn)
            .function_name(function_arn)
            .batch_size(batch_size)
            .enabled(true)
            .send()
            .await
            .map_err(|e| {
                service_error(
                    Service::Functions,
                    "CreateEventSourceMapping",
                    function_arn,
                    e,
                )
            })?;
        Ok(())
    }

    /// Deletes every mapping reading the queue at `queue_arn`.
    pub(crate) async fn delete_queue_mappings(&self, queue_arn: &str) -> Result<()> {
        for mapping in self.queue_mappings(queue_arn).await? {
            self.delete_mapping(&mapping.uuid).await?;
        }
        Ok(())
    }

    async fn queue_mappings(&self, queue_arn: &str) -> Result<Vec<Mapping>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .client
                .list_event_source_mappings()
                .event_source_arn(queue_arn)
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| {
                    service_error(Service::Functions, "ListEventSourceMappings", queue_arn, e)
                })?;
            out.extend(
                page.event_source_mappings()
                    .iter()
                    // Filtered again: an emulator may ignore the filter.
                    .filter(|m| m.event_source_arn() == Some(queue_arn))
                    .filter_map(|m| {
                        Some(Mapping {
                            uuid: m.uuid()?.to_string(),
                            function_arn: m.function_arn().unwrap_or_default().to_string(),
                        })
                    }),
            );
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<()> {
        match self
            .client
            .delete_event_source_mapping()
            .uuid(uuid)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Deleted concurrently: what was asked holds.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(service_error(
                Service::Functions,
                "DeleteEventSourceMapping",
                uuid,
                e,
            )),
        }
    }
}
