//! The hostile-input catalogue on the embedded default: bad builds, domain
//! names, project names, rollback and promotion targets, history cursors,
//! retention policies, domain limits and foreign certificates. Every case must fail with a typed error naming
//! the field or path at fault (or, for a different spelling of what exists,
//! succeed as the same thing) and leave every record, object, function
//! version, alias, distribution and certificate exactly as it was.
#![cfg(unix)]

#[path = "hostile/catalogue.rs"]
mod catalogue;
#[path = "hostile/domain_limits.rs"]
mod domain_limits;
#[path = "hostile/domains.rs"]
mod domains;
#[path = "hostile/edits.rs"]
mod edits;
#[path = "hostile/folders.rs"]
mod folders;
#[path = "hostile/manifest.rs"]
mod manifest;
#[path = "hostile/records.rs"]
mod records;
#[path = "hostile/retention.rs"]
mod retention;
#[path = "hostile/world.rs"]
mod world;

use catalogue::{run, Case};
use world::World;

/// Every case of the catalogue, by group.
fn groups() -> [(&'static str, Vec<Case>); 8] {
    [
        ("manifest", manifest::manifest_cases()),
        ("build folder", folders::folder_cases()),
        ("domain name", domains::name_cases()),
        ("domain ownership", domains::ownership_cases()),
        ("domain limits", domain_limits::domain_limit_cases()),
        ("project and history", records::project_cases()),
        ("rollback and promotion", records::switch_cases()),
        ("retention and pruning", retention::retention_cases()),
    ]
}

#[test]
fn the_catalogue_has_at_least_30_uniquely_named_cases() {
    let groups = groups();
    let names: std::collections::BTreeSet<&str> = groups
        .iter()
        .flat_map(|(_, c)| c.iter().map(|c| c.name))
        .collect();
    let n: usize = groups.iter().map(|(_, c)| c.len()).sum();
    for (group, cases) in &groups {
        println!("{group}: {} cases", cases.len());
    }
    println!("hostile input catalogue: {n} cases");
    assert_eq!(names.len(), n, "case names are unique");
    assert!(n >= 30, "only {n} cases");
}

/// Runs the groups whose names are given, each case on the shared world.
async fn run_groups(wanted: &[&str]) {
    let world = World::new().await;
    let before = world.snapshot();
    assert!(before.len() > 50, "the world holds records to protect");
    let (mut failures, mut count) = (Vec::new(), 0);
    for (group, cases) in groups() {
        if wanted.contains(&group) {
            count += cases.len();
            failures.extend(run(&world, &cases).await);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures in {count} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn hostile_builds_are_refused_naming_the_path() {
    run_groups(&["manifest", "build folder"]).await;
}

#[tokio::test]
async fn hostile_domains_are_refused_naming_the_field() {
    run_groups(&["domain name", "domain ownership", "domain limits"]).await;
}

#[tokio::test]
async fn hostile_arguments_are_refused_naming_the_field() {
    run_groups(&["project and history", "rollback and promotion"]).await;
}
