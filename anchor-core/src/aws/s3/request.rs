//! Single-request puts and the metadata every S3 call shares.

use std::collections::HashMap;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::ByteStream;

use super::S3ObjectStore;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{ObjectBody, ObjectMeta, PutOptions};

/// The user-metadata key holding an object's hex SHA-256.
pub(super) const SHA256_METADATA: &str = "sha256";

/// Sets Content-Type, Cache-Control and the SHA-256 metadata on any of the
/// S3 builders that take them (put, copy, multipart create).
macro_rules! with_object_options {
    ($call:expr, $options:expr) => {{
        let mut call = $call;
        if let Some(v) = &$options.content_type {
            call = call.content_type(v);
        }
        if let Some(v) = &$options.cache_control {
            call = call.cache_control(v);
        }
        if let Some(v) = &$options.sha256 {
            call = call.metadata(SHA256_METADATA, v);
        }
        call
    }};
}
pub(super) use with_object_options;

/// Applies the options to a CopyObject request.
pub(super) fn with_metadata_copy(
    call: aws_sdk_s3::operation::copy_object::builders::CopyObjectFluentBuilder,
    options: &PutOptions,
) -> aws_sdk_s3::operation::copy_object::builders::CopyObjectFluentBuilder {
    with_object_options!(call, options)
}

/// One PutObject, streaming a file body from disk.
pub(super) async fn put_single(
    store: &S3ObjectStore,
    key: &str,
    body: ObjectBody,
    size: u64,
    options: &PutOptions,
) -> Result<()> {
    let stream = match body {
        ObjectBody::Bytes(bytes) => ByteStream::from(bytes),
        ObjectBody::File(path) => ByteStream::read_from()
            .path(&path)
            .build()
            .await
            .map_err(|e| Error::io(&path, std::io::Error::other(e)))?,
    };
    let mut call = store
        .client
        .put_object()
        .bucket(&store.bucket)
        .key(key)
        .content_length(size as i64)
        .body(stream);
    call = with_object_options!(call, options);
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
        Err(e) => Err(service_error(Service::Objects, "PutObject", key, e)),
    }
}

/// The metadata a successful write stored.
pub(super) fn meta_of(key: &str, size: u64, options: &PutOptions) -> ObjectMeta {
    ObjectMeta {
        key: key.to_string(),
        size,
        sha256: options.sha256.clone(),
        content_type: options.content_type.clone(),
        cache_control: options.cache_control.clone(),
    }
}

/// The metadata HeadObject reports.
pub(super) fn meta_from_head(key: &str, out: &HeadObjectOutput) -> ObjectMeta {
    let metadata: Option<&HashMap<String, String>> = out.metadata();
    ObjectMeta {
        key: key.to_string(),
        size: out.content_length().unwrap_or(0).max(0) as u64,
        sha256: metadata.and_then(|m| m.get(SHA256_METADATA)).cloned(),
        content_type: out.content_type().map(str::to_string),
        cache_control: out.cache_control().map(str::to_string),
    }
}

fn status<E>(e: &SdkError<E, HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// A 404 for the key (not for the bucket, which is a setup error).
pub(super) fn is_missing<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    status(e) == Some(404)
        && !matches!(e, SdkError::ServiceError(s) if s.err().code() == Some("NoSuchBucket"))
}

/// S3 refused a conditional write: the key exists (`If-None-Match: *`).
pub(super) fn is_precondition<E>(e: &SdkError<E, HttpResponse>) -> bool {
    status(e) == Some(412)
}

/// Percent-encodes a key for `x-amz-copy-source`, keeping `/`.
pub(super) fn encode_key(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
