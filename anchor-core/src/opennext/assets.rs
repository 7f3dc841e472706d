//! The asset scan: every file under `assets/` (or `cache/`) with its key,
//! size, SHA-256, content type and cache class.

use std::fs::File;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::walk::walk_files;
use crate::error::{Error, Result};

/// `Cache-Control` of content-hashed files: their name changes with their
/// content, so any cache may keep them for a year.
pub const CACHE_CONTROL_IMMUTABLE: &str = "public,max-age=31536000,immutable";
/// `Cache-Control` of everything else: browsers revalidate every time, the
/// CDN keeps a copy until a deploy invalidates it.
pub const CACHE_CONTROL_REVALIDATE: &str = "public,max-age=0,s-maxage=31536000,must-revalidate";

/// The prefix of the files Next.js names by content hash.
const HASHED_PREFIX: &str = "_next/static/";

/// One file to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Key relative to the scanned folder, `/`-separated, valid UTF-8, no
    /// control characters or backslashes, at most 1024 bytes.
    pub key: String,
    /// Where to read it (through a symlink if it is one; the target is
    /// inside the build folder).
    pub path: PathBuf,
    /// Size in bytes at scan time.
    pub size: u64,
    /// Lowercase hex SHA-256 of the content at scan time.
    pub sha256: String,
    /// `Content-Type` to serve it with.
    pub content_type: String,
    /// `Cache-Control` to serve it with.
    pub cache_control: &'static str,
    /// Whether it is an HTML page.
    pub is_html: bool,
    /// Whether its name carries a content hash (`_next/static/**`).
    pub is_hashed: bool,
}

/// Scans `dir` for assets, sorted by key; symlinks must resolve inside `dir`.
///
/// Blocking: it reads every file to hash it (streaming, never a whole file
/// in memory). Errors are those of the build-folder walk (`InvalidBuild`
/// naming the entry) or `Error::Io` naming the file that failed to read.
pub fn scan_assets(dir: &Path) -> Result<Vec<Asset>> {
    scan_assets_within(dir, dir)
}

/// [`scan_assets`], allowing symlinks anywhere inside `boundary` (the build
/// folder around `dir`).
pub(crate) fn scan_assets_within(dir: &Path, boundary: &Path) -> Result<Vec<Asset>> {
    walk_files(dir, boundary)?
        .into_iter()
        .map(|f| {
            let sha256 = sha256_hex(&f.path)?;
            let is_hashed = f.key.starts_with(HASHED_PREFIX);
            Ok(Asset {
                content_type: content_type(&f.key),
                cache_control: if is_hashed {
                    CACHE_CONTROL_IMMUTABLE
                } else {
                    CACHE_CONTROL_REVALIDATE
                },
                is_html: is_html(&f.key),
                is_hashed,
                sha256,
                size: f.size,
                path: f.path,
                key: f.key,
            })
        })
        .collect()
}

/// Lowercase hex SHA-256 of a file, read in chunks.
pub(crate) fn sha256_hex(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| Error::io(path, e))?;
    let digest = hasher.finalize();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

fn is_html(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// The `Content-Type` for a key: `mime_guess` by extension, with a UTF-8
/// charset on textual types (Next.js emits UTF-8), `text/plain` for the
/// extensionless `BUILD_ID`, and `application/octet-stream` when unknown.
pub fn content_type(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    if name == "BUILD_ID" {
        return "text/plain; charset=utf-8".to_owned();
    }
    let Some(mime) = mime_guess::from_path(name).first() else {
        return "application/octet-stream".to_owned();
    };
    let essence = mime.essence_str();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            essence,
            "application/javascript"
                | "application/json"
                | "application/manifest+json"
                | "application/xml"
                | "image/svg+xml"
        );
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_get_charsets_for_text_only() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a/b/robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("BUILD_ID"), "text/plain; charset=utf-8");
        assert!(content_type("_next/static/chunks/x.js").ends_with("; charset=utf-8"));
        assert_eq!(
            content_type("_next/static/css/a.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("images/anchor.png"), "image/png");
        assert_eq!(content_type("font.woff2"), "font/woff2");
        assert_eq!(content_type("blob"), "application/octet-stream");
        assert_eq!(content_type("x.unknownext"), "application/octet-stream");
    }

    #[test]
    fn html_detection_ignores_case() {
        assert!(is_html("a/INDEX.HTML"));
        assert!(is_html("b.htm"));
        assert!(!is_html("b.html.map"));
    }
}
