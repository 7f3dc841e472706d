//! The asset scan: every file under `assets/` (or `cache/`) with its key,
//! size, SHA-256, content type and cache class.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use super::walk::{walk_files, WalkedFile};
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
    let files = walk_files(dir, boundary)?;
    let hashes = sha256_all(&files)?;
    files
        .into_iter()
        .zip(hashes)
        .map(|(f, sha256)| {
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

/// The SHA-256 of every file, on all cores: hashing is most of a scan's
/// time (about 1 GB/s per core), and a build's files are independent. Each
/// worker takes the next file from a shared counter, so a few large files
/// do not leave the other cores idle. The first error in file order wins.
fn sha256_all(files: &[WalkedFile]) -> Result<Vec<String>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    if workers <= 1 {
        return files.iter().map(|f| sha256_hex(&f.path)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<String>>> = Vec::new();
    results.resize_with(files.len(), || None);
    let done: Vec<Vec<(usize, Result<String>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(f) = files.get(i) else { break };
                        mine.push((i, sha256_hex(&f.path)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for (i, r) in done.into_iter().flatten() {
        results[i] = Some(r);
    }
    results
        .into_iter()
        .zip(files)
        .map(|(r, f)| {
            r.unwrap_or_else(|| {
                Err(Error::io(
                    &f.path,
                    std::io::Error::other("not hashed (internal error)"),
                ))
            })
        })
        .collect()
}

/// Lowercase hex SHA-256 of a file, read in chunks.
pub(crate) fn sha256_hex(path: &Path) -> Result<String> {
    // A larger buffer than io::copy's own 8 KiB: a quarter of the syscalls.
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut file = std::io::BufReader::with_capacity(128 * 1024, file);
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
/// extensionless `BUILD_ID`, `font/*` for fonts, and
/// `application/octet-stream` when unknown. The deploy stores it with each
/// asset, and the CDN (and the local edge) serve what was stored.
pub fn content_type(key: &str) -> String {
    let name = key.rsplit('/').next().unwrap_or(key);
    if name == "BUILD_ID" {
        return "text/plain; charset=utf-8".to_owned();
    }
    if let Some(font) = font_type(name) {
        return font.to_owned();
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

/// Fonts by extension, with their registered `font/*` types (RFC 8081).
/// mime_guess still answers the names RFC 8081 retired for some
/// (`application/font-woff` for `.woff`, `application/font-sfnt` for
/// `.otf`).
const FONT_TYPES: &[(&str, &str)] = &[
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("otf", "font/otf"),
    ("ttf", "font/ttf"),
];

/// The registered type of a font file named `name`, if it is one.
fn font_type(name: &str) -> Option<&'static str> {
    let (_, extension) = name.rsplit_once('.')?;
    FONT_TYPES
        .iter()
        .find(|(ext, _)| ext.eq_ignore_ascii_case(extension))
        .map(|(_, mime)| *mime)
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
    }

    /// Fonts get their registered `font/*` types (RFC 8081), which browsers
    /// and CloudFront expect; mime_guess still answers the retired
    /// `application/font-woff` for `.woff`.
    #[test]
    fn fonts_get_their_font_types() {
        for (key, expected) in [
            ("fonts/a.woff", "font/woff"),
            ("fonts/A.WOFF", "font/woff"),
            ("fonts/a.woff2", "font/woff2"),
            ("fonts/a.otf", "font/otf"),
            ("fonts/a.ttf", "font/ttf"),
        ] {
            assert_eq!(content_type(key), expected, "{key}");
        }
        assert_eq!(content_type("x.unknownext"), "application/octet-stream");
    }

    #[test]
    fn html_detection_ignores_case() {
        assert!(is_html("a/INDEX.HTML"));
        assert!(is_html("b.htm"));
        assert!(!is_html("b.html.map"));
    }
}
