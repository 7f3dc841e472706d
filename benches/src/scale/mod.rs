//! The scale suite (issue 18): custom domains and retention on the embedded
//! default. Domain add and refresh on projects holding 10, 100 and 1,000
//! active domains in tenant mode (target: flat within ±10 %), beside alias
//! mode as far as it goes, and `prune` over a history of 1,000 real
//! deployments, with its dry run at 10, 100 and 1,000 (no target). `src/bin/bench_scale.rs` runs it and writes
//! `target/bench/scale.{json,md}` through [`crate::report::Report`].

pub mod domains;
pub mod history;
pub mod prune;
pub mod record;
pub mod verdicts;

pub use crate::rollback::BenchError;

/// The project every case uses.
pub const PROJECT: &str = "bench";

/// Formats a domain count as the report's case: `1,000 domains`.
pub fn domains_case(domains: u64) -> String {
    format!("{} domains", crate::report::thousands(domains))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cases_group_thousands() {
        assert_eq!(super::domains_case(10), "10 domains");
        assert_eq!(super::domains_case(1_000), "1,000 domains");
    }
}
