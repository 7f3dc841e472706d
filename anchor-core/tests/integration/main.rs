//! Anchor's integration tests, gathered into one test binary (as
//! object_store's `integration.rs`), so the AWS SDK and the rest of the
//! crate's dependencies are linked once instead of once per suite.
//!
//! Each module is a former test binary under the same name, so
//! `cargo test -p anchor-core --test integration aws_flow::` runs what
//! `--test aws_flow` ran. Tests of every module run in parallel threads of
//! one process: a test takes moto through [`aws_support::moto`], which
//! serialises moto's users, and nothing here sets environment variables or
//! process-wide state. `tests/secrets_in_logs.rs` stays a binary of its own
//! because it installs a global tracing subscriber.

// Helpers shared by the suites.
mod aws_support;
mod common;
mod concurrency;
mod edge_support;
mod router_replay;

// The suites, one former test binary each.
mod aws_acm;
mod aws_bucket;
mod aws_byo;
mod aws_cloudfront;
mod aws_concurrency;
mod aws_domain_limits;
mod aws_dynamodb;
mod aws_error_mapping;
mod aws_flow;
mod aws_function_settings;
mod aws_iam;
mod aws_lambda;
mod aws_provision;
mod aws_prune;
mod aws_recovery;
mod aws_retry;
mod aws_revalidation;
mod aws_rollout;
mod aws_router_replay;
mod aws_s3;
mod aws_switch_calls;
mod aws_upgrade;
mod concurrency_local;
mod conformance_fault;
mod conformance_local;
mod conformance_provisioner;
mod conformance_store;
mod domains_local;
mod domains_scale_local;
mod domains_wildcard_local;
mod edge_isr;
mod edge_local;
mod edge_router_host;
mod edge_streaming;
mod edge_workers;
mod faults_local;
mod flows_local;
mod function_architecture;
mod function_settings_local;
mod fuzz_domain_name;
mod fuzz_manifest;
mod hostile_input_local;
mod local_ca_cdn;
mod local_cloud;
mod local_functions;
mod location_local;
mod opennext_build;
mod origin_guard;
mod proptest_local;
mod prune_local;
mod real_build_local;
mod rollout_edge;
mod rollout_local;
mod router_function;
mod router_pairs_local;
mod router_previews;
mod router_response;
mod router_rollout;
mod router_skew;
mod skew_local;
mod upgrade_local;
