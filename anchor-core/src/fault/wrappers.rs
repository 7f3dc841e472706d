//! The wrappers: each trait's calls go through the shared [`FaultPlan`].

use std::sync::Arc;

use async_trait::async_trait;

use super::FaultPlan;
use crate::error::{Result, Service};
use crate::model::{
    Deployment, DeploymentId, Domain, DomainName, FunctionVersion, Page, PageRequest, Project,
    ProjectName, RollbackEvent, TagItem,
};
use crate::traits::{
    AliasConfig, AliasRouting, Backend, Cdn, CertificateDescription, CertificateRequest,
    Certificates, CodeBundle, DistributionConfig, FunctionUrlOptions, Functions, KeyValueStore,
    KvsDescription, KvsUpdate, ListedObject, ObjectBody, ObjectMeta, ObjectStore, PublishOptions,
    PutOptions, Revalidation, RevalidationQueue, SetAliasOptions, StateStore, Tenant, TenantSpec,
    Versioned, WriteBatch,
};

/// Wraps every client of `parts` but the provisioner with `plan`. An
/// `Anchor` built over the result starts with empty caches, so every
/// manifest read of its flows is a call the plan can fail.
pub fn wrap(parts: Backend, plan: &Arc<FaultPlan>) -> Backend {
    Backend {
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
        kvs: Arc::new(Faulty {
            inner: parts.kvs,
            plan: plan.clone(),
        }),
        revalidation: Arc::new(Faulty {
            inner: parts.revalidation,
            plan: plan.clone(),
        }),
        provisioner: parts.provisioner,
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
    async fn list_projects(&self) -> Result<Vec<Project>> {
        self.plan
            .run(
                Service::StateStore,
                "store.list_projects",
                self.inner.list_projects(),
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
    /// The wrapped store's, never failed: it is no call.
    fn location(&self) -> String {
        self.inner.location()
    }
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
    async fn list(&self, prefix: &str, page: &PageRequest) -> Result<Page<ListedObject>> {
        self.plan
            .run(
                Service::Objects,
                "objects.list",
                self.inner.list(prefix, page),
            )
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
    async fn code_size(&self, function: &str, version: &str) -> Result<Option<u64>> {
        self.plan
            .run(
                Service::Functions,
                "functions.code_size",
                self.inner.code_size(function, version),
            )
            .await
    }
    async fn delete_alias(&self, function: &str, alias: &str) -> Result<()> {
        self.plan
            .run(
                Service::Functions,
                "functions.delete_alias",
                self.inner.delete_alias(function, alias),
            )
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
    async fn ensure_url(
        &self,
        function: &str,
        alias: &str,
        options: &FunctionUrlOptions,
    ) -> Result<String> {
        let call = self.inner.ensure_url(function, alias, options);
        self.plan
            .run(Service::Functions, "functions.ensure_url", call)
            .await
    }
}

#[async_trait]
impl KeyValueStore for Faulty<dyn KeyValueStore> {
    async fn describe(&self, store: &str) -> Result<KvsDescription> {
        let call = self.inner.describe(store);
        self.plan.run(Service::Cdn, "kvs.describe", call).await
    }
    async fn get(&self, store: &str, key: &str) -> Result<Option<String>> {
        let call = self.inner.get(store, key);
        self.plan.run(Service::Cdn, "kvs.get", call).await
    }
    async fn update(&self, store: &str, update: &KvsUpdate, if_match: &str) -> Result<String> {
        let call = self.inner.update(store, update, if_match);
        self.plan.run(Service::Cdn, "kvs.update", call).await
    }
}

#[async_trait]
impl Revalidation for Faulty<dyn Revalidation> {
    async fn ensure_tags(
        &self,
        project: &ProjectName,
        items: &[TagItem],
    ) -> Result<Option<String>> {
        let call = self.inner.ensure_tags(project, items);
        self.plan
            .run(Service::Revalidation, "revalidation.ensure_tags", call)
            .await
    }
    async fn ensure_queue(
        &self,
        project: &ProjectName,
        deployment: &DeploymentId,
    ) -> Result<Option<RevalidationQueue>> {
        let call = self.inner.ensure_queue(project, deployment);
        self.plan
            .run(Service::Revalidation, "revalidation.ensure_queue", call)
            .await
    }
    async fn subscribe(&self, queue: &RevalidationQueue, version: &FunctionVersion) -> Result<()> {
        let call = self.inner.subscribe(queue, version);
        self.plan
            .run(Service::Revalidation, "revalidation.subscribe", call)
            .await
    }
    async fn remove_queue(&self, project: &ProjectName, deployment: &DeploymentId) -> Result<()> {
        let call = self.inner.remove_queue(project, deployment);
        self.plan
            .run(Service::Revalidation, "revalidation.remove_queue", call)
            .await
    }
    async fn remove_build_tags(&self, project: &ProjectName, build_id: &str) -> Result<()> {
        let call = self.inner.remove_build_tags(project, build_id);
        self.plan
            .run(
                Service::Revalidation,
                "revalidation.remove_build_tags",
                call,
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
    async fn create_tenant(&self, spec: &TenantSpec) -> Result<Versioned<Tenant>> {
        let call = self.inner.create_tenant(spec);
        self.plan.run(Service::Cdn, "cdn.create_tenant", call).await
    }
    async fn get_tenant(&self, identifier: &str) -> Result<Versioned<Tenant>> {
        let call = self.inner.get_tenant(identifier);
        self.plan.run(Service::Cdn, "cdn.get_tenant", call).await
    }
    async fn disable_tenant(&self, id: &str, if_match: &str) -> Result<String> {
        let call = self.inner.disable_tenant(id, if_match);
        self.plan
            .run(Service::Cdn, "cdn.disable_tenant", call)
            .await
    }
    async fn delete_tenant(&self, id: &str, if_match: &str) -> Result<()> {
        let call = self.inner.delete_tenant(id, if_match);
        self.plan.run(Service::Cdn, "cdn.delete_tenant", call).await
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
