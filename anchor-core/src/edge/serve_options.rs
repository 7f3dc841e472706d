//! The options of `serve` as every binding takes them, checked and bounded
//! once: the same values are refused in Rust, Python and Node.

use std::path::PathBuf;
use std::time::Duration;

use super::EdgeOptions;
use crate::error::{Error, Result};

/// The most worker processes one function version may have.
pub const MAX_WORKERS_PER_FUNCTION: u64 = 1024;

/// The longest request timeout, in seconds: a day.
pub const MAX_REQUEST_TIMEOUT_SECONDS: f64 = 86_400.0;

/// `serve`'s options in plain values, as a caller writes them; every field
/// is optional and an absent one keeps [`EdgeOptions::default`]'s value.
/// [`ServeOptions::to_edge_options`] checks them: a refused value is
/// `InvalidInput` naming the field as written here (the Node binding
/// reports it in camelCase).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServeOptions {
    /// The IP address to listen on; loopback by default.
    pub host: Option<String>,
    /// The port, 0 to 65535; 0 (the default) picks a free one.
    pub port: Option<u64>,
    /// The Node.js executable that runs the functions.
    pub node: Option<PathBuf>,
    /// Worker processes per function version, 1 to
    /// [`MAX_WORKERS_PER_FUNCTION`]; the number of CPUs by default.
    pub workers_per_function: Option<u64>,
    /// How long a function may take for one request before a 504, in
    /// seconds: above zero and at most [`MAX_REQUEST_TIMEOUT_SECONDS`];
    /// fractions allowed. 30 by default.
    pub request_timeout_seconds: Option<f64>,
}

impl ServeOptions {
    /// The edge's options, or `InvalidInput` on the first field out of its
    /// bounds (`host`, `port`, `workers_per_function`,
    /// `request_timeout_seconds`).
    pub fn to_edge_options(&self) -> Result<EdgeOptions> {
        let mut edge = EdgeOptions::default();
        if let Some(host) = &self.host {
            edge.host = host.parse().map_err(|_| {
                Error::invalid_input("host", format!("{host:?} is not an IP address"))
            })?;
        }
        if let Some(port) = self.port {
            edge.port = u16::try_from(port).map_err(|_| {
                Error::invalid_input("port", format!("must be from 0 to 65535, got {port}"))
            })?;
        }
        if let Some(node) = &self.node {
            edge.node = node.clone();
        }
        if let Some(workers) = self.workers_per_function {
            edge.workers_per_function = bounded_workers(workers)?;
        }
        if let Some(seconds) = self.request_timeout_seconds {
            edge.request_timeout = bounded_timeout(seconds)?;
        }
        edge.validate()?;
        Ok(edge)
    }
}

fn bounded_workers(workers: u64) -> Result<usize> {
    usize::try_from(workers)
        .ok()
        .filter(|w| (1..=MAX_WORKERS_PER_FUNCTION).contains(&(*w as u64)))
        .ok_or_else(|| {
            Error::invalid_input(
                "workers_per_function",
                format!("must be from 1 to {MAX_WORKERS_PER_FUNCTION}, got {workers}"),
            )
        })
}

fn bounded_timeout(seconds: f64) -> Result<Duration> {
    Some(seconds)
        .filter(|s| *s > 0.0 && *s <= MAX_REQUEST_TIMEOUT_SECONDS)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            Error::invalid_input(
                "request_timeout_seconds",
                format!(
                    "must be above 0 and at most {MAX_REQUEST_TIMEOUT_SECONDS} seconds, got {seconds}"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_field(options: ServeOptions) -> Option<String> {
        match options.to_edge_options() {
            Err(Error::InvalidInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn every_out_of_bounds_value_is_refused_naming_its_field() {
        let cases = [
            (
                ServeOptions {
                    host: Some("nope".into()),
                    ..Default::default()
                },
                "host",
            ),
            (
                ServeOptions {
                    port: Some(65_536),
                    ..Default::default()
                },
                "port",
            ),
            (
                ServeOptions {
                    workers_per_function: Some(0),
                    ..Default::default()
                },
                "workers_per_function",
            ),
            (
                ServeOptions {
                    workers_per_function: Some(1025),
                    ..Default::default()
                },
                "workers_per_function",
            ),
            (
                ServeOptions {
                    request_timeout_seconds: Some(0.0),
                    ..Default::default()
                },
                "request_timeout_seconds",
            ),
            (
                ServeOptions {
                    request_timeout_seconds: Some(-1.0),
                    ..Default::default()
                },
                "request_timeout_seconds",
            ),
            (
                ServeOptions {
                    request_timeout_seconds: Some(f64::NAN),
                    ..Default::default()
                },
                "request_timeout_seconds",
            ),
            (
                ServeOptions {
                    request_timeout_seconds: Some(86_401.0),
                    ..Default::default()
                },
                "request_timeout_seconds",
            ),
        ];
        for (options, field) in cases {
            assert_eq!(
                refused_field(options.clone()).as_deref(),
                Some(field),
                "{options:?}"
            );
        }
    }

    #[test]
    fn values_at_the_bounds_are_taken() {
        let options = ServeOptions {
            host: Some("0.0.0.0".into()),
            port: Some(65_535),
            node: Some("/usr/bin/node".into()),
            workers_per_function: Some(MAX_WORKERS_PER_FUNCTION),
            request_timeout_seconds: Some(MAX_REQUEST_TIMEOUT_SECONDS),
        };
        let edge = options.to_edge_options();
        let Ok(edge) = edge else {
            panic!("refused: {edge:?}");
        };
        assert_eq!(edge.port, 65_535);
        assert_eq!(edge.workers_per_function, 1024);
        assert_eq!(edge.request_timeout, Duration::from_secs(86_400));
        assert_eq!(edge.node, PathBuf::from("/usr/bin/node"));
        assert_eq!(edge.host.to_string(), "0.0.0.0");
    }

    #[test]
    fn no_options_are_the_defaults() {
        assert_eq!(
            ServeOptions::default().to_edge_options().ok(),
            Some(EdgeOptions::default())
        );
    }
}
