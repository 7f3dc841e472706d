//! Issuing a certificate of the embedded default's local CA.

use crate::error::{Error, Result};
use crate::Anchor;

/// Has the local CA of the embedded default issue the pending certificate
/// `certificate_id`, standing in for DNS validation on AWS. On any other
/// backend it fails with `InvalidInput` on `backend`, before anything is
/// read; an unknown id fails as the local CA reports it (`NotFound`).
pub async fn validate_local_certificate(anchor: &Anchor, certificate_id: &str) -> Result<()> {
    let cloud = anchor.local_cloud().ok_or_else(|| {
        Error::invalid_input(
            "backend",
            "issuing a local certificate needs the embedded local backend (Anchor.local)",
        )
    })?;
    cloud.certificates().validate(certificate_id).await
}
