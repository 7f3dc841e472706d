//! The S3 object store against a real moto server: the conformance suite,
//! the stored headers read back through the SDK, and multipart uploads.
//!
//! moto gap: CopyObject ignores `If-None-Match: *` (S3 refuses the copy with
//! 412). The suite skips that one check here; the embedded default enforces
//! it and passes the strict suite in `conformance_local.rs`.

use crate::aws_support;

use std::io::Write as _;

use anchor_core::aws::{MultipartSettings, S3ObjectStore};
use anchor_core::conformance;
use anchor_core::traits::{ObjectBody, ObjectStore, PutOptions};
use anchor_testing::buckets::create_bucket;

const BUCKET: &str = "anchor-assets";

async fn bucket(m: &aws_support::Moto) {
    create_bucket(&m.clients.s3, BUCKET, aws_support::REGION)
        .await
        .unwrap();
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    bucket(&m).await;
    let store = S3ObjectStore::new(m.clients.s3.clone(), BUCKET);
    conformance::objects::objects_with(&store, &conformance::KnownGaps::MOTO).await;
}

#[tokio::test]
async fn headers_are_stored_on_the_object() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    bucket(&m).await;
    let store = S3ObjectStore::new(m.clients.s3.clone(), BUCKET);
    let options = PutOptions {
        content_type: Some("text/css".into()),
        cache_control: Some("public, max-age=31536000, immutable".into()),
        sha256: Some("ef".repeat(32)),
        if_none_match: true,
        known_size: None,
    };
    store
        .put(
            "p/_next/static/a.css",
            ObjectBody::Bytes(b"body{}".to_vec()),
            &options,
        )
        .await
        .unwrap();
    let raw = m
        .clients
        .s3
        .head_object()
        .bucket(BUCKET)
        .key("p/_next/static/a.css")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.content_type(), Some("text/css"));
    assert_eq!(
        raw.cache_control(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        raw.metadata().and_then(|m| m.get("sha256")),
        Some(&"ef".repeat(32))
    );
}

#[tokio::test]
async fn large_files_go_up_in_parts_and_arrive_whole() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    bucket(&m).await;
    let settings = MultipartSettings {
        threshold: 6 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        concurrency: 2,
    };
    let store = S3ObjectStore::with_multipart(m.clients.s3.clone(), BUCKET, settings);
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let content: Vec<u8> = (0..13 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    file.write_all(&content).unwrap();
    let options = PutOptions {
        content_type: Some("video/mp4".into()),
        if_none_match: true,
        ..PutOptions::default()
    };
    let meta = store
        .put("p/big.mp4", ObjectBody::File(file.path().into()), &options)
        .await
        .unwrap();
    assert_eq!(meta.size, content.len() as u64);
    let raw = m
        .clients
        .s3
        .get_object()
        .bucket(BUCKET)
        .key("p/big.mp4")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.content_type(), Some("video/mp4"));
    // Three parts: 5 + 5 + 3 MiB; S3 marks a multipart ETag with "-<parts>".
    assert!(
        raw.e_tag().unwrap_or_default().ends_with("-3\""),
        "{:?}",
        raw.e_tag()
    );
    let body = raw.body.collect().await.unwrap().into_bytes();
    assert!(
        body.as_ref() == content.as_slice(),
        "the parts must join into the file"
    );
    // The conditional complete refuses a second upload to the same key.
    let again = store
        .put("p/big.mp4", ObjectBody::File(file.path().into()), &options)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "ANCHOR_PRECONDITION_FAILED", "{again}");
    // No multipart upload is left open, neither the finished nor the refused one.
    let open = m
        .clients
        .s3
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert!(open.uploads().is_empty(), "{:?}", open.uploads());
}
