//! Multipart uploads of large files: parts streamed from disk, several at a
//! time, and aborted on any failure so no orphaned part is left behind.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use aws_smithy_types::byte_stream::Length;
use futures::stream::{FuturesUnordered, StreamExt};

use super::request::{is_precondition, with_object_options, SHA256_METADATA};
use super::S3ObjectStore;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::PutOptions;

/// S3's smallest part (except the last) and largest part count.
const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
const MAX_PARTS: u64 = 10_000;

/// When and how files are uploaded in parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartSettings {
    /// Files of at least this many bytes are uploaded in parts.
    pub threshold: u64,
    /// The size of each part; raised to S3's 5 MiB minimum, and further if
    /// the file would need more than 10,000 parts.
    pub part_size: u64,
    /// Parts of one file in flight at once. Memory stays bounded by this
    /// times the read buffer, since parts are streamed, not buffered.
    pub concurrency: usize,
}

impl Default for MultipartSettings {
    fn default() -> Self {
        Self {
            threshold: 16 * 1024 * 1024,
            part_size: 8 * 1024 * 1024,
            concurrency: 4,
        }
    }
}

impl MultipartSettings {
    fn part_size_for(&self, size: u64) -> u64 {
        self.part_size
            .max(MIN_PART_SIZE)
            .max(size.div_ceil(MAX_PARTS))
    }
}

/// Uploads the file at `path` (of `size` bytes) to `key` in parts.
pub(super) async fn upload(
    store: &S3ObjectStore,
    key: &str,
    path: &Path,
    size: u64,
    options: &PutOptions,
) -> Result<()> {
    let create = with_object_options!(
        store
            .client
            .create_multipart_upload()
            .bucket(&store.bucket)
            .key(key)
            .checksum_algorithm(ChecksumAlgorithm::Crc32),
        options
    )
    .send()
    .await
    .map_err(|e| service_error(Service::Objects, "CreateMultipartUpload", key, e))?;
    let upload_id = create.upload_id().unwrap_or_default().to_string();
    let result = match upload_parts(store, key, path, size, &upload_id).await {
        Ok(parts) => complete(store, key, &upload_id, parts, options).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Best effort: an abort that fails leaves parts a lifecycle rule
        // (AbortIncompleteMultipartUpload) cleans up; the first error matters.
        let _ = store
            .client
            .abort_multipart_upload()
            .bucket(&store.bucket)
            .key(key)
            .upload_id(&upload_id)
            .send()
            .await;
    }
    result
}

async fn upload_parts(
    store: &S3ObjectStore,
    key: &str,
    path: &Path,
    size: u64,
    upload_id: &str,
) -> Result<Vec<CompletedPart>> {
    let part_size = store.multipart.part_size_for(size);
    let count = size.div_ceil(part_size).max(1);
    let concurrency = store.multipart.concurrency.max(1);
    let mut next = 0u64;
    let mut in_flight = FuturesUnordered::new();
    let mut done = Vec::with_capacity(count as usize);
    while next < count || !in_flight.is_empty() {
        while next < count && in_flight.len() < concurrency {
            let offset = next * part_size;
            let length = part_size.min(size - offset);
            in_flight.push(upload_part(
                store,
                key,
                path,
                upload_id,
                next as i32 + 1,
                offset,
                length,
            ));
            next += 1;
        }
        if let Some(part) = in_flight.next().await {
            done.push(part?);
        }
    }
    done.sort_by_key(|p: &CompletedPart| p.part_number());
    Ok(done)
}

async fn upload_part(
    store: &S3ObjectStore,
    key: &str,
    path: &Path,
    upload_id: &str,
    number: i32,
    offset: u64,
    length: u64,
) -> Result<CompletedPart> {
    let body = ByteStream::read_from()
        .path(path)
        .offset(offset)
        .length(Length::Exact(length))
        .build()
        .await
        .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
    let out = store
        .client
        .upload_part()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .content_length(length as i64)
        .checksum_algorithm(ChecksumAlgorithm::Crc32)
        .body(body)
        .send()
        .await
        .map_err(|e| service_error(Service::Objects, "UploadPart", key, e))?;
    Ok(CompletedPart::builder()
        .part_number(number)
        .set_e_tag(out.e_tag().map(str::to_string))
        .set_checksum_crc32(out.checksum_crc32().map(str::to_string))
        .build())
}

async fn complete(
    store: &S3ObjectStore,
    key: &str,
    upload_id: &str,
    parts: Vec<CompletedPart>,
    options: &PutOptions,
) -> Result<()> {
    let mut call = store
        .client
        .complete_multipart_upload()
        .bucket(&store.bucket)
        .key(key)
        .upload_id(upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        );
    if options.if_none_match {
        call = call.if_none_match("*");
    }
    match call.send().await {
        Ok(_) => Ok(()),
        Err(e) if is_precondition(&e) => Err(Error::precondition(
            ResourceKind::Object,
            key,
            "the key already exists",
        )),
        Err(e) => Err(service_error(
            Service::Objects,
            "CompleteMultipartUpload",
            key,
            e,
        )),
    }
}
