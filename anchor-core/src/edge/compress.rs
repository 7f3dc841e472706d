//! CloudFront's edge compression: which responses it compresses, and how.
//!
//! CloudFront compresses a response when the behaviour has compression on,
//! the cache policy negotiates the encoding the viewer accepts, the
//! content type is one it compresses, the body is 1,000 to 10,000,000
//! bytes, and the origin did not encode it already. A strong `ETag`
//! becomes weak, since the bytes changed.

use std::io::Write;

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG};
use hyper::StatusCode;

use super::cache::Encoding;

/// The smallest and largest bodies CloudFront compresses.
pub(crate) const MIN_BYTES: usize = 1_000;
const MAX_BYTES: usize = 10_000_000;

/// Content types CloudFront compresses (its documented list, by prefix of
/// the media type).
const COMPRESSIBLE: &[&str] = &[
    "application/eot",
    "application/font",
    "application/font-sfnt",
    "application/javascript",
    "application/json",
    "application/ld+json",
    "application/manifest+json",
    "application/opentype",
    "application/otf",
    "application/pkcs7-mime",
    "application/truetype",
    "application/ttf",
    "application/vnd.api+json",
    "application/vnd.ms-fontobject",
    "application/x-font-opentype",
    "application/x-font-truetype",
    "application/x-font-ttf",
    "application/x-httpd-cgi",
    "application/x-javascript",
    "application/x-mpegurl",
    "application/x-opentype",
    "application/x-otf",
    "application/x-perl",
    "application/x-ttf",
    "application/xhtml+xml",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "font/eot",
    "font/opentype",
    "font/otf",
    "font/ttf",
    "image/svg+xml",
    "image/vnd.microsoft.icon",
    "image/x-icon",
    "text/css",
    "text/csv",
    "text/html",
    "text/javascript",
    "text/js",
    "text/plain",
    "text/richtext",
    "text/tab-separated-values",
    "text/x-component",
    "text/x-java-source",
    "text/x-script",
    "text/xml",
    "vnd.apple.mpegurl",
    "x-font/otf",
    "x-font/ttf",
    "x-font/eot",
];

/// Whether CloudFront would compress this response for `encoding`.
pub(crate) fn applies(
    encoding: Encoding,
    status: StatusCode,
    headers: &HeaderMap,
    len: usize,
) -> bool {
    if encoding == Encoding::Identity
        || headers.contains_key(CONTENT_ENCODING)
        || !(status.is_success()
            || status == StatusCode::FORBIDDEN
            || status == StatusCode::NOT_FOUND)
        || !(MIN_BYTES..=MAX_BYTES).contains(&len)
    {
        return false;
    }
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|media| COMPRESSIBLE.contains(&media.as_str()))
}

/// Compresses `body` with `encoding` and rewrites the headers to match.
pub(crate) fn compress(
    encoding: Encoding,
    headers: &mut HeaderMap,
    body: &[u8],
) -> std::io::Result<Bytes> {
    let encoded = match encoding {
        Encoding::Identity => return Ok(Bytes::copy_from_slice(body)),
        Encoding::Gzip => {
            let mut writer =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            writer.write_all(body)?;
            writer.finish()?
        }
        Encoding::Brotli => {
            let mut out = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                writer.write_all(body)?;
                writer.flush()?;
            }
            out
        }
    };
    if let Some(token) = encoding.token() {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(token));
    }
    headers.insert(CONTENT_LENGTH, HeaderValue::from(encoded.len()));
    let weak = headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .filter(|etag| !etag.starts_with("W/"))
        .and_then(|etag| HeaderValue::from_str(&format!("W/{etag}")).ok());
    if let Some(weak) = weak {
        headers.insert(ETAG, weak);
    }
    Ok(Bytes::from(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn html() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        h.insert(ETAG, HeaderValue::from_static("\"abc\""));
        h
    }

    #[test]
    fn only_compressible_bodies_in_range_are_compressed() {
        let ok = StatusCode::OK;
        assert!(applies(Encoding::Gzip, ok, &html(), 5_000));
        assert!(!applies(Encoding::Identity, ok, &html(), 5_000));
        assert!(!applies(Encoding::Gzip, ok, &html(), 999));
        assert!(!applies(
            Encoding::Gzip,
            StatusCode::INTERNAL_SERVER_ERROR,
            &html(),
            5_000
        ));
        let mut png = HeaderMap::new();
        png.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
        assert!(!applies(Encoding::Brotli, ok, &png, 5_000));
        let mut encoded = html();
        encoded.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        assert!(!applies(Encoding::Gzip, ok, &encoded, 5_000));
    }

    #[test]
    fn both_encodings_round_trip_and_weaken_the_etag() {
        let body = "<p>hello</p>".repeat(200);
        let mut headers = html();
        let gz = compress(Encoding::Gzip, &mut headers, body.as_bytes()).unwrap();
        assert_eq!(headers[CONTENT_ENCODING], "gzip");
        assert_eq!(headers[ETAG], "W/\"abc\"");
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, body);
        let mut headers = html();
        let br = compress(Encoding::Brotli, &mut headers, body.as_bytes()).unwrap();
        assert_eq!(headers[CONTENT_ENCODING], "br");
        let mut plain = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, body.as_bytes());
        assert!(br.len() < body.len());
    }
}
