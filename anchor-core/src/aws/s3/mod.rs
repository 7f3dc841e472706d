//! [`S3ObjectStore`]: the asset store on S3.

mod multipart;
mod request;

use async_trait::async_trait;
use aws_sdk_s3::Client;

use super::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{Page, PageRequest};
use crate::traits::{ListedObject, ObjectBody, ObjectMeta, ObjectStore, PutOptions};

pub use multipart::MultipartSettings;
use request::{is_missing, is_precondition, meta_from_head};

/// The asset store on one S3 bucket. Keys are used as given; the flows put
/// each project's assets under its own prefix.
///
/// Guarantees, as [`ObjectStore`] asks:
/// - file bodies are streamed from disk, never read whole into memory;
///   files above [`MultipartSettings::threshold`] go up in parts, several at
///   a time, and a failed multipart upload is aborted so no part lingers;
/// - `if_none_match` is S3's own `If-None-Match: *`, checked atomically by
///   S3 (on PutObject, CompleteMultipartUpload and CopyObject);
/// - `Content-Type`, `Cache-Control` and the SHA-256 (as the user metadata
///   `sha256`) are stored with the object and read back by `head`.
#[derive(Debug, Clone)]
pub struct S3ObjectStore {
    client: Client,
    bucket: String,
    multipart: MultipartSettings,
}

impl S3ObjectStore {
    /// A store on `bucket` with the default multipart settings.
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self::with_multipart(client, bucket, MultipartSettings::default())
    }

    /// A store on `bucket` with explicit multipart settings.
    pub fn with_multipart(
        client: Client,
        bucket: impl Into<String>,
        multipart: MultipartSettings,
    ) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            multipart,
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn precondition(&self, key: &str) -> Error {
        Error::precondition(
            ResourceKind::Object,
            format!("s3://{}/{key}", self.bucket),
            "the key already exists (If-None-Match: *)",
        )
    }
}

/// The location an [`S3ObjectStore`] on `bucket` reports: `s3://<bucket>`.
pub(crate) fn location_of(bucket: &str) -> String {
    format!("s3://{bucket}")
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    fn location(&self) -> String {
        location_of(&self.bucket)
    }

    async fn put(&self, key: &str, body: ObjectBody, options: &PutOptions) -> Result<ObjectMeta> {
        let size = match &body {
            ObjectBody::Bytes(bytes) => bytes.len() as u64,
            ObjectBody::File(path) => tokio::fs::metadata(path)
                .await
                .map_err(|e| Error::io(path, e))?
                .len(),
        };
        let result = match &body {
            ObjectBody::File(path) if size >= self.multipart.threshold => {
                multipart::upload(self, key, path, size, options).await
            }
            _ => request::put_single(self, key, body, size, options).await,
        };
        match result {
            Err(e) if is_precondition_error(&e) => Err(self.precondition(key)),
            Err(e) => Err(e),
            Ok(()) => Ok(request::meta_of(key, size, options)),
        }
    }

    async fn copy(&self, from: &str, to: &str, options: &PutOptions) -> Result<ObjectMeta> {
        let source = format!("{}/{}", self.bucket, request::encode_key(from));
        let mut call = self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .key(to)
            .copy_source(source)
            .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace);
        call = request::with_metadata_copy(call, options);
        if options.if_none_match {
            call = call.if_none_match("*");
        }
        match call.send().await {
            Ok(_) => {}
            Err(e) if is_precondition(&e) => return Err(self.precondition(to)),
            Err(e) if is_missing(&e) => {
                return Err(Error::not_found(
                    ResourceKind::Object,
                    format!("s3://{}/{from}", self.bucket),
                ))
            }
            Err(e) => return Err(service_error(Service::Objects, "CopyObject", to, e)),
        }
        // CopyObject does not report the size; read it back unless known.
        let size = match options.known_size {
            Some(size) => size,
            None => self.head(to).await?.map(|m| m.size).unwrap_or(0),
        };
        Ok(request::meta_of(to, size, options))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(meta_from_head(key, &out))),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(service_error(Service::Objects, "HeadObject", key, e)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(service_error(Service::Objects, "GetObject", key, e)),
        };
        let bytes = out.body.collect().await.map_err(|e| Error::Service {
            backend: "aws",
            service: Service::Objects,
            operation: "GetObject".into(),
            retryable: true,
            message: format!("GetObject on {key}: the body was cut off"),
            source: Some(Box::new(e)),
        })?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| service_error(Service::Objects, "DeleteObject", key, e))?;
        Ok(())
    }

    /// ListObjectsV2 with `Prefix` and `MaxKeys`; the cursor is S3's
    /// continuation token.
    async fn list(&self, prefix: &str, page: &PageRequest) -> Result<Page<ListedObject>> {
        page.validate()?;
        let out = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .max_keys(i32::try_from(page.limit).unwrap_or(i32::MAX))
            .set_continuation_token(page.cursor.clone())
            .send()
            .await
            .map_err(|e| service_error(Service::Objects, "ListObjectsV2", prefix, e))?;
        let items = out
            .contents()
            .iter()
            .filter_map(|o| {
                Some(ListedObject {
                    key: o.key()?.to_string(),
                    size: o.size().unwrap_or(0).try_into().unwrap_or(0),
                })
            })
            .collect();
        let next_cursor = if out.is_truncated() == Some(true) {
            out.next_continuation_token().map(str::to_string)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }
}

/// The put helpers report a refused condition as this marker, so `put` can
/// name the key once.
fn is_precondition_error(e: &Error) -> bool {
    matches!(
        e,
        Error::PreconditionFailed {
            kind: ResourceKind::Object,
            ..
        }
    )
}
