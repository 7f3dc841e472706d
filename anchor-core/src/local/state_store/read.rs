//! Lookups and newest-first listings.

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use super::errors::{self, decode};
use crate::error::Result;
use crate::model::{
    Deployment, DeploymentId, Domain, DomainName, Page, PageRequest, Project, ProjectName,
};

pub(super) fn project(conn: &mut Connection, name: &ProjectName) -> Result<Option<Project>> {
    const OP: &str = "GetProject";
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM projects WHERE name = ?1",
            [name.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(errors::sql(OP))?;
    json.map(|j| decode(OP, "projects", &format!("name {name}"), &j))
        .transpose()
}

pub(super) fn projects(conn: &mut Connection) -> Result<Vec<Project>> {
    const OP: &str = "ListProjects";
    let mut statement = conn
        .prepare("SELECT name, json FROM projects ORDER BY name")
        .map_err(errors::sql(OP))?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(errors::sql(OP))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(errors::sql(OP))?;
    rows.iter()
        .map(|(name, json)| decode(OP, "projects", &format!("name {name}"), json))
        .collect()
}

pub(super) fn deployment(
    conn: &mut Connection,
    project: &ProjectName,
    id: &DeploymentId,
) -> Result<Option<Deployment>> {
    const OP: &str = "GetDeployment";
    // The project is part of the match: an id of another project's
    // deployment is "not a deployment of this project".
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM deployments WHERE id = ?1 AND project = ?2",
            [id.as_str(), project.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(errors::sql(OP))?;
    json.map(|j| decode(OP, "deployments", &format!("id {id}"), &j))
        .transpose()
}

pub(super) fn deployment_by_version(
    conn: &mut Connection,
    project: &ProjectName,
    version: u64,
) -> Result<Option<Deployment>> {
    const OP: &str = "GetDeploymentByVersion";
    // A version past i64::MAX cannot have been stored.
    let Ok(version) = i64::try_from(version) else {
        return Ok(None);
    };
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM deployments WHERE project = ?1 AND version = ?2",
            params![project.as_str(), version],
            |row| row.get(0),
        )
        .optional()
        .map_err(errors::sql(OP))?;
    json.map(|j| {
        let key = format!("(project {project}, version {version})");
        decode(OP, "deployments", &key, &j)
    })
    .transpose()
}

pub(super) fn domain(conn: &mut Connection, name: &DomainName) -> Result<Option<Domain>> {
    const OP: &str = "GetDomain";
    let json: Option<String> = conn
        .query_row(
            "SELECT json FROM domains WHERE name = ?1",
            [name.as_str()],
            |row| row.get(0),
        )
        .optional()
        .map_err(errors::sql(OP))?;
    json.map(|j| decode(OP, "domains", &format!("name {name}"), &j))
        .transpose()
}

pub(super) fn domains(conn: &mut Connection, project: &ProjectName) -> Result<Vec<Domain>> {
    const OP: &str = "ListDomains";
    let err = errors::sql(OP);
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, json FROM domains WHERE project = ?1 ORDER BY created_seq, name",
        )
        .map_err(&err)?;
    let rows = stmt
        .query_map([project.as_str()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(&err)?;
    let mut out = Vec::new();
    for row in rows {
        let (name, json) = row.map_err(&err)?;
        out.push(decode(OP, "domains", &format!("name {name}"), &json)?);
    }
    Ok(out)
}

/// A validated page request: its size and the highest key it may return.
#[derive(Debug, Clone, Copy)]
pub(super) struct PageBound {
    limit: usize,
    /// Inclusive, so "no cursor" needs no second query shape; `-1` when the
    /// cursor was 0 (nothing lies below it).
    max_key: i64,
}

impl PageBound {
    /// Validates `page`; errors name the field `limit` or `cursor`.
    pub(super) fn new(page: &PageRequest) -> Result<Self> {
        page.validate()?;
        let max_key = match page.cursor_before()? {
            None => i64::MAX,
            // Every stored key is at most i64::MAX, so a larger cursor
            // excludes nothing.
            Some(before) => i64::try_from(before).map_or(i64::MAX, |b| b - 1),
        };
        Ok(Self {
            limit: page.limit,
            max_key,
        })
    }
}

/// Which newest-first listing to read.
#[derive(Debug, Clone, Copy)]
pub(super) enum Listing {
    Deployments,
    Rollbacks,
}

impl Listing {
    fn table(self) -> &'static str {
        match self {
            Self::Deployments => "deployments",
            Self::Rollbacks => "rollbacks",
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Self::Deployments => "ListDeployments",
            Self::Rollbacks => "ListRollbacks",
        }
    }

    /// The query walks the `(project, key)` primary key index backwards from
    /// the bound, so it reads `limit + 1` entries whatever the table size.
    fn sql(self) -> &'static str {
        match self {
            Self::Deployments => {
                "SELECT version, json FROM deployments
                 WHERE project = ?1 AND version <= ?2 ORDER BY version DESC LIMIT ?3"
            }
            Self::Rollbacks => {
                "SELECT sequence, json FROM rollbacks
                 WHERE project = ?1 AND sequence <= ?2 ORDER BY sequence DESC LIMIT ?3"
            }
        }
    }
}

/// Reads one page. One row past the limit is fetched to learn whether a next
/// page exists, so the last page never carries a cursor to an empty page.
pub(super) fn page<T: DeserializeOwned>(
    conn: &mut Connection,
    listing: Listing,
    project: &ProjectName,
    bound: PageBound,
) -> Result<Page<T>> {
    let op = listing.operation();
    let err = errors::sql(op);
    let mut stmt = conn.prepare_cached(listing.sql()).map_err(&err)?;
    // limit is at most PageRequest::MAX_LIMIT, so this cannot overflow.
    let fetch = i64::try_from(bound.limit).unwrap_or(i64::MAX - 1) + 1;
    let rows = stmt
        .query_map(params![project.as_str(), bound.max_key, fetch], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(&err)?;
    let mut items = Vec::with_capacity(bound.limit);
    let mut last_key = None;
    let mut more = false;
    for row in rows {
        let (key, json) = row.map_err(&err)?;
        if items.len() == bound.limit {
            more = true;
            break;
        }
        let at = format!("(project {project}, key {key})");
        items.push(decode(op, listing.table(), &at, &json)?);
        last_key = Some(key);
    }
    let next_cursor = match last_key {
        // Stored keys are non-negative (they came from u64s).
        Some(key) if more => Some(PageRequest::cursor_for(key.unsigned_abs())),
        _ => None,
    };
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards "a page costs the same at 10 and 10,000 rows": both listings
    /// must seek into the primary key index, never scan or sort.
    #[test]
    fn listings_seek_the_primary_key() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::prepare(&mut conn, false).unwrap();
        for listing in [Listing::Deployments, Listing::Rollbacks] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", listing.sql()))
                .unwrap()
                .query_map(params!["p", 10, 21], |row| row.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(plan.contains("SEARCH"), "{plan}");
            assert!(plan.contains("(project=?"), "{plan}");
            assert!(!plan.contains("TEMP B-TREE"), "sorts in memory: {plan}");
        }
    }
}
