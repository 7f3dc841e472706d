//! S3 bucket setup on moto or another S3 endpoint.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

/// Creates `bucket` in `region` (as its location constraint).
pub async fn create_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    region: &str,
) -> Result<(), aws_sdk_s3::Error> {
    let location = CreateBucketConfiguration::builder()
        .location_constraint(BucketLocationConstraint::from(region))
        .build();
    s3.create_bucket()
        .bucket(bucket)
        .create_bucket_configuration(location)
        .send()
        .await?;
    Ok(())
}

/// Creates `bucket` in `region` unless it exists already.
pub async fn ensure_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    region: &str,
) -> Result<(), aws_sdk_s3::Error> {
    if s3.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    create_bucket(s3, bucket, region).await
}
