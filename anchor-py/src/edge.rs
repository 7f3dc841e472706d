//! The local edge: `Anchor.serve` runs `anchor_core::edge::EdgeServer` for
//! a project of the embedded default and returns a `LocalEdge` handle.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::Error;
use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::errors::Failure;
use crate::spawn;

/// A running local edge; `close()` stops it (so does dropping it).
#[pyclass(name = "LocalEdge", module = "anchor_deploy._anchor", frozen)]
pub(crate) struct PyLocalEdge {
    addr: SocketAddr,
    server: Mutex<Option<EdgeServer>>,
}

fn edge_options(
    host: Option<String>,
    port: i64,
    node: Option<String>,
    workers_per_function: Option<i64>,
    request_timeout_seconds: Option<f64>,
) -> Result<EdgeOptions, Error> {
    let mut options = EdgeOptions::default();
    if let Some(host) = host {
        options.host = host
            .parse()
            .map_err(|_| Error::invalid_input("host", format!("{host:?} is not an IP address")))?;
    }
    options.port = u16::try_from(port).map_err(|_| {
        Error::invalid_input("port", format!("must be between 0 and 65535, got {port}"))
    })?;
    if let Some(node) = node {
        options.node = node.into();
    }
    if let Some(workers) = workers_per_function {
        options.workers_per_function = usize::try_from(workers).map_err(|_| {
            Error::invalid_input(
                "workers_per_function",
                format!("must be a whole number above zero, got {workers}"),
            )
        })?;
    }
    if let Some(seconds) = request_timeout_seconds {
        options.request_timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
            Error::invalid_input(
                "request_timeout_seconds",
                format!("must be a positive number of seconds, got {seconds}"),
            )
        })?;
    }
    // The core's own checks (above zero), named as the caller wrote them.
    options.validate().map_err(|e| {
        e.rename_field(|field| {
            (field == "request_timeout").then(|| "request_timeout_seconds".to_string())
        })
    })?;
    Ok(options)
}

#[pymethods]
impl PyAnchor {
    /// Serves `project` of the embedded default over HTTP (see
    /// `anchor_core::edge`); an awaitable of a `LocalEdge`.
    #[pyo3(signature = (project, host=None, port=0, node=None, workers_per_function=None,
        request_timeout_seconds=None))]
    #[allow(clippy::too_many_arguments)]
    fn serve<'py>(
        &self,
        py: Python<'py>,
        project: String,
        host: Option<String>,
        port: i64,
        node: Option<String>,
        workers_per_function: Option<i64>,
        request_timeout_seconds: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let options = edge_options(
                host,
                port,
                node,
                workers_per_function,
                request_timeout_seconds,
            )?;
            let server = EdgeServer::start(&anchor, &project, options).await?;
            Ok::<_, Failure>(PyLocalEdge {
                addr: server.local_addr(),
                server: Mutex::new(Some(server)),
            })
        })
    }
}

#[pymethods]
impl PyLocalEdge {
    /// The live site, such as `http://127.0.0.1:41234/`.
    #[getter]
    fn url(&self) -> String {
        anchor_core::edge::site_url(self.addr)
    }

    /// Where deployment `version` is served, live or not.
    fn deployment_url(&self, version: u64) -> String {
        anchor_core::edge::deployment_url(self.addr, version)
    }

    /// The worker processes running now, as JSON.
    fn workers(&self) -> String {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        let workers: Vec<serde_json::Value> = server
            .as_ref()
            .map(|s| s.workers())
            .unwrap_or_default()
            .into_iter()
            .map(
                |w| serde_json::json!({"function": w.function, "version": w.version, "pid": w.pid}),
            )
            .collect();
        serde_json::Value::Array(workers).to_string()
    }

    /// Stops listening, lets open requests finish and stops the workers;
    /// an awaitable. Closing again does nothing.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        spawn(py, async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            Ok::<_, Failure>(())
        })
    }
}
