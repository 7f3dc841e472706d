//! The rollback suite (issue 6): rollback latency and the first history
//! page on the embedded default and on moto beside the raw AWS calls, and
//! the bindings' overhead. `src/bin/bench_rollback.rs` runs it and writes
//! `target/bench/rollback.{json,md}` through [`crate::report::Report`].

pub mod bindings;
pub mod embedded;
pub mod moto;
pub mod record;
pub mod stats;
pub mod verdicts;

/// The project every case uses.
pub const PROJECT: &str = "bench";

/// Any failure of the harness; it reports and stops.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// Formats a history size as the report's case: `10,000 deployments`.
pub fn case(history: u64) -> String {
    format!("{} deployments", crate::report::thousands(history))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cases_group_thousands() {
        assert_eq!(super::case(10), "10 deployments");
        assert_eq!(super::case(10_000), "10,000 deployments");
        assert_eq!(super::case(1_000_000), "1,000,000 deployments");
    }
}
