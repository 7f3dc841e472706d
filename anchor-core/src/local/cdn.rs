//! The local CDN with CloudFront's semantics: every update needs the current
//! ETag, aliases are unique across distributions and need an issued viewer
//! certificate that covers each of them, and invalidations are idempotent by
//! caller reference.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::certificates;
use super::cloud::{new_etag, Inner, LocalResult};
use super::tenants;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::model::{CdnRoute, CertificateStatus, DomainName};
use crate::traits::{check_invalidation, Cdn, DistributionConfig, Tenant, TenantSpec, Versioned};

pub use crate::traits::{MAX_INVALIDATION_PATHS, MAX_INVALIDATION_WILDCARDS};

/// The local implementation of [`Cdn`].
///
/// Stricter than moto and as strict as CloudFront: a stale If-Match fails
/// with `Error::PreconditionFailed`, every update returns a new ETag,
/// `domain_name` is read-only, an alias held by another distribution fails
/// with `Error::Conflict` (CNAMEAlreadyExists), and aliases need an issued
/// certificate from the local CA covering each of them, else
/// `Error::InvalidInput` on `certificate_id` (InvalidViewerCertificate).
#[derive(Debug, Clone)]
pub struct LocalCdn {
    inner: Arc<Inner>,
}

impl LocalCdn {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Self { inner }
    }

    /// The distribution's behaviours in precedence order, the default `*`
    /// last, as provisioned; OpenNext's defaults for a distribution made
    /// before routes were recorded. Fails with `NotFound` if it does not
    /// exist.
    pub async fn routes(&self, distribution_id: &str) -> Result<Vec<CdnRoute>> {
        let id = distribution_id.to_string();
        self.inner
            .run(Service::Cdn, "GetDistributionConfig", move |inner| {
                let conn = inner.db();
                let routes: Option<Option<String>> = conn
                    .query_row(
                        "SELECT routes FROM distributions WHERE id = ?1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match routes {
                    None => Err(Error::not_found(ResourceKind::Distribution, id).into()),
                    Some(None) => Ok(CdnRoute::opennext_defaults()),
                    Some(Some(json)) => Ok(serde_json::from_str(&json)?),
                }
            })
            .await
    }
}

/// One invalidation as the local edge applies it: its sequence number
/// (increasing with each invalidation made) and its paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidationRecord {
    /// Increases with every invalidation of any distribution.
    pub sequence: i64,
    /// The paths invalidated, such as `/robots.txt` or `/images/*`.
    pub paths: Vec<String>,
}

impl LocalCdn {
    /// The invalidations of `distribution_id` made after the one numbered
    /// `after` (0 for all), oldest first.
    pub async fn invalidations_after(
        &self,
        distribution_id: &str,
        after: i64,
    ) -> Result<Vec<InvalidationRecord>> {
        let id = distribution_id.to_string();
        self.inner
            .run(Service::Cdn, "ListInvalidations", move |inner| {
                let conn = inner.db();
                let mut statement = conn.prepare_cached(
                    "SELECT rowid, paths FROM invalidations
                     WHERE distribution_id = ?1 AND rowid > ?2 ORDER BY rowid",
                )?;
                let rows = statement.query_map(params![id, after], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?;
                let mut found = Vec::new();
                for row in rows {
                    let (sequence, paths) = row?;
                    found.push(InvalidationRecord {
                        sequence,
                        paths: serde_json::from_str(&paths)?,
                    });
                }
                Ok(found)
            })
            .await
    }
}

fn read(conn: &Connection, id: &str) -> LocalResult<Versioned<DistributionConfig>> {
    let row = conn
        .query_row(
            "SELECT domain_name, aliases, certificate_id, etag, tenant_only FROM distributions WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                ))
            },
        )
        .optional()?;
    let (domain_name, aliases, certificate_id, etag, tenant_only) =
        row.ok_or_else(|| Error::not_found(ResourceKind::Distribution, id))?;
    Ok(Versioned {
        value: DistributionConfig {
            domain_name,
            aliases: serde_json::from_str(&aliases)?,
            certificate_id,
            tenant_only,
        },
        etag,
    })
}

/// Aliases must be lowercase DNS names in normal form, each listed once.
fn check_aliases(aliases: &[String]) -> Result<()> {
    for (i, alias) in aliases.iter().enumerate() {
        let normal =
            DomainName::parse(alias).map_err(|e| Error::invalid_input("aliases", e.to_string()))?;
        if normal.as_str() != alias {
            return Err(Error::invalid_input(
                "aliases",
                format!(
                    "{alias:?} must be written in normal form, {:?}",
                    normal.as_str()
                ),
            ));
        }
        if aliases[..i].contains(alias) {
            return Err(Error::invalid_input(
                "aliases",
                format!("{alias:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// CNAMEAlreadyExists: no alias may be on another distribution or be a
/// tenant's domain.
fn check_unique_across(conn: &Connection, id: &str, aliases: &[String]) -> LocalResult<()> {
    for alias in aliases {
        if let Some(tenant) = tenants::domain_user(conn, alias)? {
            return Err(Error::conflict(
                ResourceKind::Distribution,
                id,
                format!("CNAMEAlreadyExists: {alias} is a domain of tenant {tenant}"),
            )
            .into());
        }
    }
    let mut stmt = conn.prepare("SELECT id, aliases FROM distributions WHERE id <> ?1")?;
    let others = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (other, theirs) in others {
        let theirs: Vec<String> = serde_json::from_str(&theirs)?;
        if let Some(alias) = aliases.iter().find(|a| theirs.contains(a)) {
            return Err(Error::conflict(
                ResourceKind::Distribution,
                id,
                format!("CNAMEAlreadyExists: {alias} is an alias of distribution {other}"),
            )
            .into());
        }
    }
    Ok(())
}

/// InvalidViewerCertificate: aliases need a certificate; a named certificate
/// must exist, be issued (CloudFront takes no pending one) and cover every
/// alias exactly.
fn check_certificate(
    inner: &Inner,
    conn: &Connection,
    config: &DistributionConfig,
) -> LocalResult<()> {
    let bad = |reason: String| Error::invalid_input("certificate_id", reason);
    let Some(id) = &config.certificate_id else {
        return match config.aliases.first() {
            Some(alias) => Err(bad(format!(
                "alias {alias} needs a viewer certificate that covers it"
            ))
            .into()),
            None => Ok(()),
        };
    };
    let cert = certificates::load(inner, conn, id)?
        .ok_or_else(|| bad(format!("certificate {id} does not exist")))?;
    if cert.status != CertificateStatus::Issued {
        return Err(bad(format!("certificate {id} is {}, not issued", cert.status)).into());
    }
    if let Some(alias) = config.aliases.iter().find(|a| !cert.names.contains(a)) {
        return Err(bad(format!("certificate {id} does not cover alias {alias}")).into());
    }
    Ok(())
}

#[async_trait]
impl Cdn for LocalCdn {
    async fn get_config(&self, distribution_id: &str) -> Result<Versioned<DistributionConfig>> {
        let id = distribution_id.to_string();
        self.inner
            .run(Service::Cdn, "GetDistributionConfig", move |inner| {
                read(&inner.db(), &id)
            })
            .await
    }

    async fn update_config(
        &self,
        distribution_id: &str,
        config: &DistributionConfig,
        if_match: &str,
    ) -> Result<String> {
        check_aliases(&config.aliases)?;
        let (id, config, if_match) = (
            distribution_id.to_string(),
            config.clone(),
            if_match.to_string(),
        );
        self.inner
            .run(Service::Cdn, "UpdateDistribution", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let current = read(&tx, &id)?;
                if current.etag != if_match {
                    return Err(Error::precondition(
                        ResourceKind::Distribution,
                        &id,
                        format!("If-Match {if_match:?} is not the current ETag {:?}", current.etag),
                    )
                    .into());
                }
                if current.value.tenant_only && !config.aliases.is_empty() {
                    return Err(Error::invalid_input(
                        "aliases",
                        format!(
                            "distribution {id} is multi-tenant: its domains belong to its tenants, \
                             and it takes no aliases"
                        ),
                    )
                    .into());
                }
                check_unique_across(&tx, &id, &config.aliases)?;
                check_certificate(inner, &tx, &config)?;
                let etag = new_etag();
                // domain_name is assigned by the CDN; the caller's value is ignored.
                tx.execute(
                    "UPDATE distributions SET aliases = ?2, certificate_id = ?3, etag = ?4 WHERE id = ?1",
                    params![id, serde_json::to_string(&config.aliases)?, config.certificate_id, etag],
                )?;
                tx.commit()?;
                Ok(etag)
            })
            .await
    }

    async fn invalidate(
        &self,
        distribution_id: &str,
        paths: &[String],
        caller_reference: &str,
    ) -> Result<String> {
        check_invalidation(paths, caller_reference)?;
        let id = distribution_id.to_string();
        let reference = caller_reference.to_string();
        let paths = serde_json::to_string(paths).map_err(|e| {
            Error::service("local", Service::Cdn, "CreateInvalidation", e.to_string())
        })?;
        self.inner
            .run(Service::Cdn, "CreateInvalidation", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                read(&tx, &id)?;
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, paths FROM invalidations
                         WHERE distribution_id = ?1 AND caller_reference = ?2",
                        params![id, reference],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match earlier {
                    Some((invalidation, same)) if same == paths => return Ok(invalidation),
                    // InvalidationBatchAlreadyExists.
                    Some(_) => {
                        return Err(Error::AlreadyExists {
                            kind: ResourceKind::Distribution,
                            id: format!("{id} invalidation with caller reference {reference}"),
                        }
                        .into())
                    }
                    None => {}
                }
                let invalidation = format!("I{}", ulid::Ulid::new());
                // Local files need no purge, so the invalidation completes at once.
                tx.execute(
                    "INSERT INTO invalidations (distribution_id, caller_reference, id, paths, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, 'Completed', ?5)",
                    params![id, reference, invalidation, paths, inner.now_millis()],
                )?;
                tx.commit()?;
                Ok(invalidation)
            })
            .await
    }

    async fn create_tenant(&self, spec: &TenantSpec) -> Result<Versioned<Tenant>> {
        spec.check()?;
        let spec = spec.clone();
        self.inner
            .run(Service::Cdn, "CreateDistributionTenant", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let created = tenants::create(inner, &tx, &spec)?;
                tx.commit()?;
                Ok(created)
            })
            .await
    }

    async fn get_tenant(&self, identifier: &str) -> Result<Versioned<Tenant>> {
        let identifier = identifier.to_string();
        self.inner
            .run(Service::Cdn, "GetDistributionTenant", move |inner| {
                tenants::read(&inner.db(), &identifier)
            })
            .await
    }

    async fn disable_tenant(&self, id: &str, if_match: &str) -> Result<String> {
        let (id, if_match) = (id.to_string(), if_match.to_string());
        self.inner
            .run(Service::Cdn, "UpdateDistributionTenant", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let etag = tenants::disable(&tx, &id, &if_match)?;
                tx.commit()?;
                Ok(etag)
            })
            .await
    }

    async fn delete_tenant(&self, id: &str, if_match: &str) -> Result<()> {
        let (id, if_match) = (id.to_string(), if_match.to_string());
        self.inner
            .run(Service::Cdn, "DeleteDistributionTenant", move |inner| {
                let mut conn = inner.db();
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tenants::delete(&tx, &id, &if_match)?;
                tx.commit()?;
                Ok(())
            })
            .await
    }
}
