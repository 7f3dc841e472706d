//! The origin guard Anchor adds to a server bundle (`origin_guard.mjs`): a
//! small ES module, set as the function's handler, that answers 403 unless
//! the request carries the deployment's origin secret (read from the
//! function's environment), then hands the request (without the secret) to
//! the build's own handler.

use std::path::Path;

use super::FunctionBundle;
use crate::error::{Error, Result};
use crate::model::{ORIGIN_SECRET_ENV, ORIGIN_SECRET_HEADER};
use crate::router::{check_build_deployment_id, SERVED_HEADER};

/// The guard's file name in the bundle.
pub const GUARD_FILE: &str = "anchor-origin-guard.mjs";

/// The handler that runs the guard: `anchor-origin-guard.handler`.
pub const GUARD_HANDLER: &str = "anchor-origin-guard.handler";

const TEMPLATE: &str = include_str!("origin_guard.mjs");

/// The guard for one server bundle: its file name and contents, to add to
/// the zip, and the handler to publish the function with.
#[derive(Clone, PartialEq, Eq)]
pub struct OriginGuard {
    /// The module's source.
    pub source: String,
}

impl std::fmt::Debug for OriginGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OriginGuard")
            .field("bytes", &self.source.len())
            .finish()
    }
}

impl OriginGuard {
    /// The guard around `server`'s handler. The module names the build's
    /// handler file and export, and nothing about any secret (the function
    /// reads its own from its environment, `ANCHOR_ORIGIN_SECRET`), so the
    /// same build always gets the same guard: the bundle's hash changes
    /// when the build's handler or the guard changes, and only then, and a
    /// redeploy of an unchanged build sends no code.
    ///
    /// The guard streams when the build's handler does (OpenNext's
    /// `aws-lambda-streaming` wrapper marks it with Lambda's
    /// `awslambda.streamifyResponse`), and answers a refusal through the
    /// stream then; it reads that from the handler when the function
    /// starts, so one guard fits both wrappers.
    ///
    /// With `served_as`, the build's Next.js `deploymentId`, the guard
    /// names it on every answer in [`SERVED_HEADER`], for the router's
    /// viewer-response function (which removes it). It must pass
    /// [`check_build_deployment_id`]; the plan reads it from the build.
    pub fn for_server(
        server: &FunctionBundle,
        build_dir: &Path,
        served_as: Option<&str>,
    ) -> Result<Self> {
        if let Some(id) = served_as {
            check_build_deployment_id(id)?;
        }
        let output = build_dir.join(super::OUTPUT_FILE);
        let (_, export) = server.handler.rsplit_once('.').ok_or_else(|| {
            Error::invalid_build(
                &output,
                format!(
                    "origins.default.handler {:?} is not <file>.<export>",
                    server.handler
                ),
            )
        })?;
        let module = server
            .handler_file
            .strip_prefix(&server.dir)
            .ok()
            .and_then(Path::to_str)
            .map(|relative| format!("./{}", relative.replace('\\', "/")))
            .ok_or_else(|| {
                Error::invalid_build(
                    &server.handler_file,
                    "the handler file is not a UTF-8 path inside the server bundle",
                )
            })?;
        if module == format!("./{GUARD_FILE}") {
            return Err(Error::invalid_build(
                &server.handler_file,
                format!("the build's own handler is named {GUARD_FILE}, which Anchor adds"),
            ));
        }
        let quoted_ok = |s: &str| !s.contains(['\'', '\\', '\n', '\r']);
        if !quoted_ok(&module) || !quoted_ok(export) {
            return Err(Error::invalid_build(
                &output,
                format!(
                    "origins.default.handler {:?} has quotes or line breaks",
                    server.handler
                ),
            ));
        }
        let source = TEMPLATE
            .replace("__ANCHOR_INNER_MODULE__", &module)
            .replace("__ANCHOR_INNER_EXPORT__", export)
            .replace("__ANCHOR_HEADER__", ORIGIN_SECRET_HEADER)
            .replace("__ANCHOR_ENV__", ORIGIN_SECRET_ENV)
            .replace("__ANCHOR_SERVED_ID__", served_as.unwrap_or(""))
            .replace("__ANCHOR_SERVED_HEADER__", SERVED_HEADER);
        Ok(Self { source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn server(streaming: bool) -> FunctionBundle {
        FunctionBundle {
            origin: "default".into(),
            dir: PathBuf::from("/b/server-functions/default"),
            handler: "index.handler".into(),
            handler_file: PathBuf::from("/b/server-functions/default/index.mjs"),
            streaming,
            native: None,
        }
    }

    #[test]
    fn the_guard_names_the_inner_handler_and_is_the_same_for_every_deploy() {
        let guard = OriginGuard::for_server(&server(false), Path::new("/b"), None).unwrap();
        assert!(guard.source.contains("from './index.mjs'"));
        assert!(guard.source.contains("const INNER = 'handler'"));
        assert!(guard.source.contains("process.env.ANCHOR_ORIGIN_SECRET"));
        assert!(guard.source.contains("'x-anchor-origin-secret'"));
        assert!(!guard.source.contains("__ANCHOR_"));
        let again = OriginGuard::for_server(&server(false), Path::new("/b"), None).unwrap();
        assert_eq!(
            guard.source, again.source,
            "the same build gets the same guard, so its code is not sent again"
        );
    }

    #[test]
    fn a_build_with_a_deployment_id_is_named_on_every_answer() {
        let guard =
            OriginGuard::for_server(&server(false), Path::new("/b"), Some("build-7.a_b")).unwrap();
        assert!(guard.source.contains("const SERVED = 'build-7.a_b'"));
        assert!(guard.source.contains("'x-anchor-deployment-id'"));
        let none = OriginGuard::for_server(&server(false), Path::new("/b"), None).unwrap();
        assert!(none.source.contains("const SERVED = ''"));
        let err =
            OriginGuard::for_server(&server(false), Path::new("/b"), Some("a'b")).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { .. } | Error::InvalidBuild { .. }),
            "{err}"
        );
    }

    #[test]
    fn a_streaming_server_gets_the_same_guard() {
        let buffered = OriginGuard::for_server(&server(false), Path::new("/b"), None).unwrap();
        let streaming = OriginGuard::for_server(&server(true), Path::new("/b"), None).unwrap();
        assert_eq!(buffered, streaming);
        assert!(streaming.source.contains("awslambda.streamifyResponse"));
    }
}
