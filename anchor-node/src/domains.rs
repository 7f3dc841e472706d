//! Custom domains: `anchor.domains(project)` and its methods, and the
//! local CA of the embedded default.

use anchor_core::DomainManager;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::args;
use crate::bridge::spawn;
use crate::errors::Failure;
use crate::types::Domain;

/// The custom domains of one project.
#[napi]
pub struct Domains {
    inner: DomainManager,
}

#[napi]
impl Anchor {
    /// The custom domains of `project`.
    #[napi]
    pub fn domains(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
    ) -> napi::Result<Domains> {
        args!(env, throw; project: String);
        Ok(Domains {
            inner: self.inner.domains(&project),
        })
    }

    /// Issues a pending certificate of the embedded local CA, as DNS
    /// validation does on AWS. Only on the local backend.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn validate_local_certificate<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] certificate_id: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        args!(env, reject; certificate_id: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            anchor_core::calls::validate_local_certificate(&anchor, &certificate_id).await?;
            Ok::<_, Failure>(())
        })
    }
}

#[napi]
impl Domains {
    /// Adds `name`: requests a DNS-validated certificate and returns the
    /// CNAME records to create. Adding it again returns the same record.
    #[napi]
    pub fn add<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Domain>> {
        args!(env, reject; name: String);
        let domains = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Domain::from(&domains.add(&name).await?))
        })
    }

    /// Reads the certificate's status and, once it is issued, attaches the
    /// name to the CDN.
    #[napi]
    pub fn refresh<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Domain>> {
        args!(env, reject; name: String);
        let domains = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Domain::from(&domains.refresh(&name).await?))
        })
    }

    /// Detaches `name` from the CDN, then deletes its certificate and record.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn remove<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        args!(env, reject; name: String);
        let domains = self.inner.clone();
        spawn(env, async move {
            domains.remove(&name).await?;
            Ok::<_, Failure>(())
        })
    }

    /// Every domain of the project.
    #[napi]
    pub fn list<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<Domain>>> {
        let domains = self.inner.clone();
        spawn(env, async move {
            let list = domains.list().await?;
            Ok::<_, Failure>(list.iter().map(Domain::from).collect::<Vec<_>>())
        })
    }
}
