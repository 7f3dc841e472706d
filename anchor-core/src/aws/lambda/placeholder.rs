//! The code a function holds before its first deployment: a tiny,
//! byte-for-byte deterministic zip whose handler answers 503.

use std::io::Write as _;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::error::{Error, Result};

/// The body the placeholder answers every request with.
pub const PLACEHOLDER_MESSAGE: &str = "no deployment is live yet";

/// A zip holding one ES module that serves [`PLACEHOLDER_MESSAGE`] with
/// status 503 at `handler` (such as `index.handler`, which gives
/// `index.mjs` exporting `handler`).
///
/// The same handler always gives the same bytes (fixed timestamp and
/// permissions, stored uncompressed), so the placeholder always has the
/// same `CodeSha256` and re-creating it is recognised as no change.
pub fn placeholder_zip(handler: &str) -> Result<Vec<u8>> {
    let (module, export) = handler
        .rsplit_once('.')
        .filter(|(m, e)| !m.is_empty() && !e.is_empty() && !m.starts_with('/'))
        .ok_or_else(|| {
            Error::invalid_input(
                "handler",
                format!("{handler:?} is not of the form `file.export`"),
            )
        })?;
    let source = format!(
        "export const {export} = async () => ({{\n  statusCode: 503,\n  headers: {{ \"content-type\": \"text/plain; charset=utf-8\", \"cache-control\": \"no-store\" }},\n  body: {PLACEHOLDER_MESSAGE:?},\n}});\n"
    );
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let failed = |e: &dyn std::fmt::Display| {
        Error::invalid_input("handler", format!("building the placeholder zip: {e}"))
    };
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(format!("{module}.mjs"), options)
        .map_err(|e| failed(&e))?;
    zip.write_all(source.as_bytes()).map_err(|e| failed(&e))?;
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_is_deterministic_and_named_after_the_handler() {
        let a = placeholder_zip("index.handler").unwrap_or_default();
        let b = placeholder_zip("index.handler").unwrap_or_default();
        assert!(!a.is_empty());
        assert_eq!(a, b);
        let c = placeholder_zip("server/main.run").unwrap_or_default();
        assert_ne!(a, c);
        assert!(placeholder_zip("nodot").is_err());
    }
}
