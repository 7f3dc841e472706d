//! Certificate issuers for the conformance suites: each turns a requested
//! certificate `ISSUED` the way its backend can, so the suites can attach
//! it.

use std::time::Duration;

use anchor_core::aws::AcmCertificates;
use anchor_core::local::LocalCertificates;
use anchor_core::model::CertificateStatus;
use anchor_core::traits::Certificates;
use futures::future::BoxFuture;
use futures::FutureExt;

/// How often [`acm_issuer`] asks, and how many times.
const ACM_POLL: Duration = Duration::from_millis(100);
const ACM_POLLS: u32 = 100;

/// Waits (up to ~10 s) until ACM (moto, which issues on its own after
/// `MOTO_ACM_VALIDATION_WAIT` seconds) reports the certificate `ISSUED`.
///
/// # Panics
/// The returned issuer panics when the certificate is not issued in time.
pub fn acm_issuer(
    acm: &AcmCertificates,
) -> impl Fn(String) -> BoxFuture<'static, ()> + Send + Sync {
    let acm = acm.clone();
    move |id: String| {
        let acm = acm.clone();
        async move {
            for _ in 0..ACM_POLLS {
                let status = acm.describe(&id).await.map(|d| d.status);
                if matches!(status, Ok(CertificateStatus::Issued)) {
                    return;
                }
                tokio::time::sleep(ACM_POLL).await;
            }
            panic!("moto did not issue {id} within 10 s; run it with MOTO_ACM_VALIDATION_WAIT=2");
        }
        .boxed()
    }
}

/// Issues at once through the local CA; a real CA would need DNS records.
///
/// # Panics
/// The returned issuer panics when the local CA refuses to validate.
pub fn local_issuer(
    ca: &LocalCertificates,
) -> impl Fn(String) -> BoxFuture<'static, ()> + Send + Sync {
    let ca = ca.clone();
    move |id: String| {
        let ca = ca.clone();
        async move {
            if let Err(e) = ca.validate(&id).await {
                panic!("the local CA did not validate {id}: {e}");
            }
        }
        .boxed()
    }
}
