//! Origin access controls: how CloudFront signs its requests to the asset
//! bucket and to the Function URLs, found by name or created once.

use aws_sdk_cloudfront::types::{
    OriginAccessControlConfig, OriginAccessControlOriginTypes, OriginAccessControlSigningBehaviors,
    OriginAccessControlSigningProtocols,
};

use super::{build_error, CloudFrontCdn};
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};

/// The ids of the two origin access controls a project's distribution uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginAccessControls {
    /// Signs requests to the S3 asset bucket.
    pub s3: String,
    /// Signs requests to the Lambda Function URLs.
    pub lambda: String,
}

impl CloudFrontCdn {
    /// Returns the origin access controls named `<name_prefix>-s3` and
    /// `<name_prefix>-lambda`, creating whichever does not exist yet (SigV4,
    /// always signing). Idempotent: a second call finds both and creates
    /// nothing. `name_prefix` must leave room for the suffix in CloudFront's
    /// 64-character limit (`Error::InvalidInput` otherwise).
    pub async fn ensure_origin_access_controls(
        &self,
        name_prefix: &str,
    ) -> Result<OriginAccessControls> {
        if name_prefix.is_empty() || name_prefix.len() > 64 - "-lambda".len() {
            return Err(Error::invalid_input(
                "name_prefix",
                format!("{name_prefix:?} must be 1 to 57 characters"),
            ));
        }
        let existing = self.list_origin_access_controls().await?;
        let ensure = async |kind: OriginAccessControlOriginTypes| -> Result<String> {
            let name = format!("{name_prefix}-{kind}");
            if let Some(id) = find(&existing, &name, &kind) {
                return Ok(id);
            }
            match self
                .create_origin_access_control(&name, kind.clone())
                .await?
            {
                Some(id) => Ok(id),
                // A concurrent caller created it between our list and create.
                None => find(&self.list_origin_access_controls().await?, &name, &kind).ok_or_else(
                    || {
                        Error::service(
                            "aws",
                            Service::Cdn,
                            "CreateOriginAccessControl",
                            format!("{name} already exists but is not listed as a {kind} control"),
                        )
                    },
                ),
            }
        };
        let s3 = ensure(OriginAccessControlOriginTypes::S3).await?;
        let lambda = ensure(OriginAccessControlOriginTypes::Lambda).await?;
        Ok(OriginAccessControls { s3, lambda })
    }

    /// Every origin access control of the account: id, then name and type.
    async fn list_origin_access_controls(
        &self,
    ) -> Result<Vec<(String, (String, OriginAccessControlOriginTypes))>> {
        let mut all = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_origin_access_controls()
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, "ListOriginAccessControls", "*", e))?;
            let Some(list) = out.origin_access_control_list() else {
                return Ok(all);
            };
            all.extend(list.items().iter().map(|s| {
                (
                    s.id().to_string(),
                    (
                        s.name().to_string(),
                        s.origin_access_control_origin_type().clone(),
                    ),
                )
            }));
            match list.next_marker().filter(|m| !m.is_empty()) {
                Some(next) if list.is_truncated() => marker = Some(next.to_string()),
                _ => return Ok(all),
            }
        }
    }

    /// Creates a control and returns its id, or `None` if one with that
    /// name exists already.
    async fn create_origin_access_control(
        &self,
        name: &str,
        kind: OriginAccessControlOriginTypes,
    ) -> Result<Option<String>> {
        let config = OriginAccessControlConfig::builder()
            .name(name)
            .description("Managed by Anchor")
            .signing_protocol(OriginAccessControlSigningProtocols::Sigv4)
            .signing_behavior(OriginAccessControlSigningBehaviors::Always)
            .origin_access_control_origin_type(kind)
            .build()
            .map_err(build_error("CreateOriginAccessControl"))?;
        let out = match self
            .client
            .create_origin_access_control()
            .origin_access_control_config(config)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_origin_access_control_already_exists()) =>
            {
                return Ok(None)
            }
            Err(err) => {
                return Err(service_error(
                    Service::Cdn,
                    "CreateOriginAccessControl",
                    name,
                    err,
                ))
            }
        };
        out.origin_access_control()
            .map(|c| Some(c.id().to_string()))
            .ok_or_else(|| {
                Error::service(
                    "aws",
                    Service::Cdn,
                    "CreateOriginAccessControl",
                    "no origin access control in the reply",
                )
            })
    }
}

/// The id of the control named `name` of type `kind` in `listed`.
fn find(
    listed: &[(String, (String, OriginAccessControlOriginTypes))],
    name: &str,
    kind: &OriginAccessControlOriginTypes,
) -> Option<String> {
    listed
        .iter()
        .find(|(_, (n, t))| n == name && t == kind)
        .map(|(id, _)| id.clone())
}
