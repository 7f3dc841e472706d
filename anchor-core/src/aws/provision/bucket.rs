//! The asset bucket: created if missing, and readable by a project's
//! distribution (and only it) through its Origin Access Control.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use serde_json::{json, Value};

use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};

/// Creates `bucket` in `region` unless it exists and is ours.
pub(crate) async fn ensure_bucket(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    region: &str,
) -> Result<()> {
    match client.head_bucket().bucket(bucket).send().await {
        Ok(_) => return Ok(()),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {}
        Err(e) => return Err(service_error(Service::Objects, "HeadBucket", bucket, e)),
    }
    let mut create = client.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses an explicit constraint.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_bucket_already_owned_by_you()) =>
        {
            Ok(())
        }
        Err(e) => Err(service_error(Service::Objects, "CreateBucket", bucket, e)),
    }
}

/// Adds (or leaves in place) the statement that lets `distribution_arn`
/// read `<bucket>/<prefix>/*`, keeping every other statement of the policy.
pub(crate) async fn allow_distribution(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    distribution_arn: &str,
) -> Result<()> {
    let current = match client.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => out.policy().map(str::to_string),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => None,
        Err(e) => {
            return Err(service_error(
                Service::Objects,
                "GetBucketPolicy",
                bucket,
                e,
            ))
        }
    };
    let Some(policy) = with_statement(current.as_deref(), bucket, prefix, distribution_arn)? else {
        return Ok(());
    };
    client
        .put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .send()
        .await
        .map_err(|e| service_error(Service::Objects, "PutBucketPolicy", bucket, e))?;
    Ok(())
}

/// The policy with this project's statement, or `None` if it is already
/// there unchanged.
fn with_statement(
    current: Option<&str>,
    bucket: &str,
    prefix: &str,
    distribution_arn: &str,
) -> Result<Option<String>> {
    let sid = format!("anchor-{}", prefix.replace(['/', '_'], "-"));
    let statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{bucket}/{prefix}/*"),
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}}
    });
    let mut policy: Value = match current {
        Some(text) => serde_json::from_str(text).map_err(|e| {
            Error::service(
                "aws",
                Service::Objects,
                "GetBucketPolicy",
                format!("the policy of {bucket} is not JSON: {e}"),
            )
        })?,
        None => json!({"Version": "2012-10-17", "Statement": []}),
    };
    let statements = match policy.get_mut("Statement") {
        Some(Value::Array(list)) => list,
        _ => {
            policy["Statement"] = json!([]);
            match policy.get_mut("Statement") {
                Some(Value::Array(list)) => list,
                _ => return Ok(None),
            }
        }
    };
    if let Some(existing) = statements.iter_mut().find(|s| s["Sid"] == sid) {
        if *existing == statement {
            return Ok(None);
        }
        *existing = statement;
    } else {
        statements.push(statement);
    }
    Ok(Some(policy.to_string()))
}

#[cfg(test)]
mod tests {
    use super::with_statement;

    #[test]
    fn adds_once_and_keeps_other_statements() {
        let arn = "arn:aws:cloudfront::1:distribution/E1";
        let first = with_statement(None, "b", "shop", arn).unwrap().unwrap();
        assert!(with_statement(Some(&first), "b", "shop", arn)
            .unwrap()
            .is_none());
        let both = with_statement(Some(&first), "b", "blog", arn)
            .unwrap()
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&both).unwrap();
        assert_eq!(value["Statement"].as_array().unwrap().len(), 2);
    }
}
