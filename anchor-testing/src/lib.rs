//! Helpers shared by Anchor's integration tests (`anchor-core/tests`) and
//! its benchmarks (`benches/`), so each is written once: moto's control API
//! and where to find the server, the real OpenNext builds the test command
//! makes, the committed fixture build, certificate issuers for the
//! conformance suites, S3 bucket setup and the `node` to run scripts with.
//!
//! Not published; nothing here is part of Anchor's API. Helpers that fail
//! return errors for the benchmarks to report, except those documented as
//! panicking, which exist to end a test.

pub mod buckets;
pub mod certificates;
pub mod fixture;
pub mod moto_control;
pub mod moto_server;
pub mod node;
pub mod real_builds;
