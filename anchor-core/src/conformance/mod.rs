//! Conformance suites: one per trait, run against every implementation in
//! the tree. Each suite panics with a message naming the broken guarantee.

pub mod store;
