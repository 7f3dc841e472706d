//! A fault-injecting wrapper for every backend trait, over any backend.
//!
//! Every external call gets a position (0, 1, 2, ... in the order made).
//! [`FaultPlan::arm`] makes the call at one position fail, either before it
//! reaches the backend ([`Fault::Fail`]) or after the backend applied it
//! ([`Fault::LostReply`]), so tests can walk every position of a flow and
//! check the invariants after each.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::error::{Error, Result, Service};
use crate::model::{
    Deployment, DeploymentId, Domain, DomainName, FunctionVersion, Page, PageRequest, Project,
    ProjectName, RollbackEvent,
};
use crate::traits::{
    AliasConfig, AliasRouting, Cdn, CertificateDescription, CertificateRequest, Certificates,
    CodeBundle, DistributionConfig, Functions, ObjectBody, ObjectMeta, ObjectStore, PublishOptions,
    PutOptions, SetAliasOptions, StateStore, Versioned, WriteBatch,
};
use crate::AnchorParts;

/// How an armed call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The call fails without reaching the backend (an outage, a throttle).
    Fail,
    /// The backend applies the call, then the reply is lost.
    LostReply,
    /// The process stops at this call: the call never returns, so the
    /// caller can drop the whole operation (see [`FaultPlan::crashed`]),
    /// as a killed process would leave it.
    Crash,
}

/// Counts calls and fails the armed one. Shared by every wrapper of one
/// set of parts, so positions run across all services in call order.
#[derive(Debug, Default)]
pub struct FaultPlan {
    crashed: tokio::sync::Notify,
    calls: AtomicUsize,
    armed: Mutex<Option<(Target, Fault)>>,
    log: Mutex<Vec<String>>,
}

/// Which call an armed fault hits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The call at this position.
    Position(usize),
    /// The n-th call (from 0) of this operation, such as `functions.publish`.
    Operation(String, usize),
}

impl FaultPlan {
    /// A plan with nothing armed.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Fails the call at `position` (counted from the next call) with `fault`.
    pub fn arm(&self, position: usize, fault: Fault) {
        self.reset();
        *lock(&self.armed) = Some((Target::Position(position), fault));
    }

    /// Fails the `nth` call (from 0) of operation `op`, such as
    /// `functions.publish`, counted from the next call.
    pub fn arm_operation(&self, op: &str, nth: usize, fault: Fault) {
        self.reset();
        *lock(&self.armed) = Some((Target::Operation(op.to_string(), nth), fault));
    }

    /// Disarms and restarts the count.
    pub fn reset(&self) {
        self.calls.store(0, Ordering::SeqCst);
        *lock(&self.armed) = None;
        lock(&self.log).clear();
    }

    /// Completes once an armed [`Fault::Crash`] has been reached; race it
    /// against the operation and drop the operation when it wins.
    pub async fn crashed(&self) {
        self.crashed.notified().await;
    }

    /// Calls made since the last reset.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The operations called since the last reset, in order.
    pub fn log(&self) -> Vec<String> {
        lock(&self.log).clone()
    }

    fn next(&self, op: &str) -> Option<Fault> {
        let position = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut log = lock(&self.log);
        let nth = log.iter().filter(|o| *o == op).count();
        log.push(op.to_string());
        match &*lock(&self.armed) {
            Some((Target::Position(p), fault)) if *p == position => Some(*fault),
            Some((Target::Operation(o, n), fault)) if o == op && *n == nth => Some(*fault),
            _ => None,
        }
    }

    async fn run<T>(
        &self,
        service: Service,
        op: &'static str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let injected = || Error::Service {
            backend: "fault",
            service,
            operation: op.to_string(),
            retryable: true,
            message: "injected fault".into(),
            source: None,
        };
        match self.next(op) {
            None => call.await,
            Some(Fault::Fail) => Err(injected()),
            Some(Fault::LostReply) => {
                let _applied = call.await;
                Err(injected())
            }
            Some(Fault::Crash) => {
                self.crashed.notify_one();
                std::future::pending().await
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Wraps every client of `parts` (not the provisioner or clock) with `plan`.
pub fn wrap(parts: AnchorParts, plan: &Arc<FaultPlan>) -> AnchorParts {
    AnchorParts {
        store: Arc::new(Faulty {
            inner: parts.store,
            plan: plan.clone(),
        }),
        objects: Arc::new(Faulty {
            inner: parts.objects,
            plan: plan.clone(),
        }),
        functions: Arc::new(Faulty {
            inner: parts.functions,
            plan: plan.clone(),
        }),
        cdn: Arc::new(Faulty {
            inner: parts.cdn,
            plan: plan.clone(),
        }),
        certificates: Arc::new(Faulty {
            inner: parts.certificates,
            plan: plan.clone(),
        }),
        ..parts
    }
}

/// A client wrapped with a [`FaultPlan`].
#[derive(Debug)]
pub struct Faulty<T: ?Sized> {
    /// The wrapped client.
    pub inner: Arc<T>,
    /// The shared plan.
    pub plan: Arc<FaultPlan>,
}

#[async_trait]
impl StateStore for Faulty<dyn StateStore> {
    async fn commit(&self, batch: WriteBatch) -> Result<()> {
        self.plan
            .run(
                Service::StateStore,
                "store.commit",
                self.inner.commit(batch),
            )
            .await
    }
    async fn get_project(&self, name: &ProjectName) -> Result<Option<Project>> {
        self.plan
            .run(
                Service::StateStore,
                "store.get_project",
                self.inner.get_project(name),
            )
            .await
    }
    async fn allocate_version(&self, project: &ProjectName) -> Result<u64> {
        self.plan
            .run(
                Service::StateStore,
                "store.allocate_version",
                self.inner.allocate_version(project),
            )
            .await
    }
    async fn get_deployment(
        &self,
        project: &ProjectName,
        id: &DeploymentId,
    ) -> Result<Option<Deployment>> {
        self.plan
            .run(
                Service::StateStore,
                "store.get_deployment",
                self.inner.get_deployment(project, id),
            )
            .await
    }
    async fn get_deployment_by_version(
        &self,
        project: &ProjectName,
        version: u64,
    ) -> Result<Option<Deployment>> {
        let call = self.inner.get_deployment_by_version(project, version);
        self.plan
            .run(Service::StateStore, "store.get_deployment_by_version", call)
            .await
    }
    async fn list_deployments(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<Deployment>> {
        self.plan
            .run(
                Service::StateStore,
                "store.list_deployments",
                self.inner.list_deployments(project, page),
            )
            .await
    }
    async fn list_rollbacks(
        &self,
        project: &ProjectName,
        page: &PageRequest,
    ) -> Result<Page<RollbackEvent>> {
        self.plan
            .run(
                Service::StateStore,
                "store.list_rollbacks",
                self.inner.list_rollbacks(project, page),
            )
            .await
    }
    async fn get_domain(&self, name: &DomainName) -> Result<Option<Domain>> {
        self.plan
            .run(
                Service::StateStore,
                "store.get_domain",
                self.inner.get_domain(name),
            )
            .await
    }
    async fn list_domains(&self, project: &ProjectName) -> Result<Vec<Domain>> {
        self.plan
            .run(
                Service::StateStore,
                "store.list_domains",
                self.inner.list_domains(project),
            )
            .await
    }
}

#[async_trait]
impl ObjectStore for Faulty<dyn ObjectStore> {
    async fn put(&self, key: &str, body: ObjectBody, options: &PutOptions) -> Result<ObjectMeta> {
        self.plan
            .run(
                Service::Objects,
                "objects.put",
                self.inner.put(key, body, options),
            )
            .await
    }
    async fn copy(&self, from: &str, to: &str, options: &PutOptions) -> Result<ObjectMeta> {
        self.plan
            .run(
                Service::Objects,
                "objects.copy",
                self.inner.copy(from, to, options),
            )
            .await
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>> {
        self.plan
            .run(Service::Objects, "objects.head", self.inner.head(key))
            .await
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.plan
            .run(Service::Objects, "objects.get", self.inner.get(key))
            .await
    }
    async fn delete(&self, key: &str) -> Result<()> {
        self.plan
            .run(Service::Objects, "objects.delete", self.inner.delete(key))
            .await
    }
}

#[async_trait]
impl Functions for Faulty<dyn Functions> {
    async fn publish(
        &self,
        function: &str,
        code: &CodeBundle,
        options: &PublishOptions,
    ) -> Result<FunctionVersion> {
        self.plan
            .run(
                Service::Functions,
                "functions.publish",
                self.inner.publish(function, code, options),
            )
            .await
    }
    async fn get_version(&self, function: &str, version: &str) -> Result<Option<FunctionVersion>> {
        self.plan
            .run(
                Service::Functions,
                "functions.get_version",
                self.inner.get_version(function, version),
            )
            .await
    }
    async fn get_alias(&self, function: &str, alias: &str) -> Result<Option<AliasConfig>> {
        self.plan
            .run(
                Service::Functions,
                "functions.get_alias",
                self.inner.get_alias(function, alias),
            )
            .await
    }
    async fn set_alias(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
        options: &SetAliasOptions,
    ) -> Result<AliasConfig> {
        let call = self.inner.set_alias(function, alias, routing, options);
        self.plan
            .run(Service::Functions, "functions.set_alias", call)
            .await
    }
    async fn delete_version(&self, function: &str, version: &str) -> Result<()> {
        self.plan
            .run(
                Service::Functions,
                "functions.delete_version",
                self.inner.delete_version(function, version),
            )
            .await
    }
}

#[async_trait]
impl Cdn for Faulty<dyn Cdn> {
    async fn get_config(&self, distribution_id: &str) -> Result<Versioned<DistributionConfig>> {
        self.plan
            .run(
                Service::Cdn,
                "cdn.get_config",
                self.inner.get_config(distribution_id),
            )
            .await
    }
    async fn update_config(
        &self,
        distribution_id: &str,
        config: &DistributionConfig,
        if_match: &str,
    ) -> Result<String> {
        let call = self.inner.update_config(distribution_id, config, if_match);
        self.plan.run(Service::Cdn, "cdn.update_config", call).await
    }
    async fn invalidate(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String> {
        let call = self
            .inner
            .invalidate(distribution_id, paths, caller_reference);
        self.plan.run(Service::Cdn, "cdn.invalidate", call).await
    }
}

#[async_trait]
impl Certificates for Faulty<dyn Certificates> {
    async fn request(&self, request: &CertificateRequest) -> Result<String> {
        self.plan
            .run(
                Service::Certificates,
                "certificates.request",
                self.inner.request(request),
            )
            .await
    }
    async fn describe(&self, id: &str) -> Result<CertificateDescription> {
        self.plan
            .run(
                Service::Certificates,
                "certificates.describe",
                self.inner.describe(id),
            )
            .await
    }
    async fn delete(&self, id: &str) -> Result<()> {
        self.plan
            .run(
                Service::Certificates,
                "certificates.delete",
                self.inner.delete(id),
            )
            .await
    }
}
