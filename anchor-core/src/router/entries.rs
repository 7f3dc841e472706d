//! The KeyValueStore entries the router reads: one deployment's routing
//! record (with its public-file index inline or in shards), its origin
//! secret, and a distribution's live pointer.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{DeploymentId, OriginSecret};

use super::index::PublicIndex;
use super::keys::RouterKeys;
use super::{MAX_KEY_BYTES, MAX_SHARDS, MAX_VALUE_BYTES};

/// One key and its value, ready to put in the store. Its `Debug` shows
/// the value's size, never the value, which may hold the origin secret.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KvsEntry {
    /// The key, at most 512 bytes.
    pub key: String,
    /// The value, at most 1,024 bytes.
    pub value: String,
}

impl std::fmt::Debug for KvsEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvsEntry")
            .field("key", &self.key)
            .field("value_bytes", &self.value.len())
            .finish()
    }
}

impl KvsEntry {
    pub(crate) fn checked(key: String, value: String, field: &str) -> Result<Self> {
        if key.len() > MAX_KEY_BYTES {
            return Err(Error::invalid_input(
                field,
                format!("key {key:?} is over the store's {MAX_KEY_BYTES}-byte key limit"),
            ));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(Error::invalid_input(
                field,
                format!(
                    "the value of {key:?} is {} bytes, over the store's {MAX_VALUE_BYTES}-byte value limit",
                    value.len()
                ),
            ));
        }
        Ok(Self { key, value })
    }

    /// What the entry adds to the store's size: its key and value bytes.
    pub fn stored_bytes(&self) -> u64 {
        (self.key.len() + self.value.len()) as u64
    }
}

/// An estimate of what `entries` take in the store, to compare with its
/// 5 MB limit ([`super::MAX_STORE_BYTES`]): the sum of their key and value
/// bytes. Keeping the store under the limit is the caller's concern.
pub fn estimated_store_bytes(entries: &[KvsEntry]) -> u64 {
    entries.iter().map(KvsEntry::stored_bytes).sum()
}

/// What the router needs to serve one deployment. Immutable once written:
/// a deployment's origins never change, so only the live pointer moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRoute {
    /// The deployment.
    pub deployment: DeploymentId,
    /// Its version number in the project.
    pub version: u64,
    /// The host of its server function's URL, such as
    /// `abc.lambda-url.eu-west-1.on.aws`.
    pub server_host: String,
    /// Whether CloudFront signs requests to the server origin (origin
    /// access control, the URL `AWS_IAM`), as for a server version without
    /// the origin guard, made before the router. `false`: the URL is
    /// `NONE` and the guard checks the secret origin header instead.
    pub server_signed: bool,
    /// The host of its image function's URL.
    pub image_host: String,
    /// The asset bucket's origin host, `bucket.s3.region.amazonaws.com`.
    pub bucket_host: String,
    /// Where its public files are in the bucket, as a CloudFront origin
    /// path: `/shop/deployments/<id>` (leading `/`, no trailing `/`).
    pub origin_path: String,
    /// Where the image optimiser finds its public images, relative to the
    /// image function's key prefix (the project's): `/deployments/<id>`.
    /// The router rewrites `/_next/image?url=/images/a.png` to read
    /// `/deployments/<id>/images/a.png`, since a deployment's public files
    /// live in its own folder.
    pub image_source_path: String,
    /// The top-level entries of its `public/` folder.
    pub public_index: PublicIndex,
    /// Its build's Next.js `deploymentId`, which skew protection pins by
    /// (`<dist>/s/<id>`); `None` when the build set none. Kept in the
    /// record so a switch finds the pin of the deployment leaving live.
    pub build_deployment_id: Option<String>,
}

/// The JSON the function reads at `<dist>/d/<id>`; short names because the
/// whole value has 1,024 bytes.
#[derive(Serialize)]
struct Record<'a> {
    v: u64,
    s: &'a str,
    i: &'a str,
    b: &'a str,
    a: &'a str,
    m: &'a str,
    /// `1` when the server origin is signed; absent when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<usize>,
    /// The build's `deploymentId`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    u: Option<&'a str>,
}

impl DeploymentRoute {
    /// The entries to put for this deployment, in the order to write them:
    /// index shards first (when the index does not fit inline), then the
    /// record itself, so a reader that finds the record finds its shards.
    /// Write them all before the live pointer moves to this deployment.
    ///
    /// Fails with [`Error::InvalidInput`] naming the field: a host that is
    /// not a hostname, an origin path CloudFront would refuse, a record too
    /// big even without its index (`route`), or an index that needs more
    /// than [`MAX_SHARDS`] shards (`public_index`).
    pub fn entries(&self, keys: &RouterKeys) -> Result<Vec<KvsEntry>> {
        check_host("server_host", &self.server_host)?;
        check_host("image_host", &self.image_host)?;
        check_host("bucket_host", &self.bucket_host)?;
        check_origin_path("origin_path", &self.origin_path)?;
        check_origin_path("image_source_path", &self.image_source_path)?;
        let key = keys.deployment(&self.deployment);
        let record = |p, n| Record {
            v: self.version,
            s: &self.server_host,
            i: &self.image_host,
            b: &self.bucket_host,
            a: &self.origin_path,
            m: &self.image_source_path,
            o: self.server_signed.then_some(1),
            p,
            n,
            u: self.build_deployment_id.as_deref(),
        };
        let inline = to_json(&record(Some(self.public_index.entries()), None))?;
        if inline.len() <= MAX_VALUE_BYTES {
            return Ok(vec![KvsEntry::checked(key, inline, "route")?]);
        }
        let mut entries = self.shards(keys)?;
        let value = to_json(&record(None, Some(entries.len())))?;
        entries.push(KvsEntry::checked(key, value, "route")?);
        Ok(entries)
    }

    /// The fewest shards whose every value fits, each written even when
    /// empty so the router's read of it never misses.
    fn shards(&self, keys: &RouterKeys) -> Result<Vec<KvsEntry>> {
        let bytes: usize = self
            .public_index
            .entries()
            .iter()
            .map(|e| e.len() + 3)
            .sum();
        let mut shards = bytes.div_ceil(MAX_VALUE_BYTES).max(1);
        while shards <= MAX_SHARDS {
            let values = self
                .public_index
                .split(shards)
                .iter()
                .map(to_json)
                .collect::<Result<Vec<_>>>()?;
            if values.iter().all(|v| v.len() <= MAX_VALUE_BYTES) {
                return values
                    .into_iter()
                    .enumerate()
                    .map(|(k, value)| {
                        KvsEntry::checked(keys.shard(&self.deployment, k)?, value, "public_index")
                    })
                    .collect();
            }
            shards += 1;
        }
        Err(Error::invalid_input(
            "public_index",
            format!(
                "{} entries do not fit in {MAX_SHARDS} shards of {MAX_VALUE_BYTES} bytes",
                self.public_index.entries().len()
            ),
        ))
    }
}

/// The entry that makes `deployment` live on the distribution of `keys`:
/// writing it is the whole of a promote or a rollback at the edge.
pub fn live_entry(keys: &RouterKeys, deployment: &DeploymentId) -> Result<KvsEntry> {
    super::LivePointer::Single(deployment.clone()).entry(keys)
}

/// The entry holding `deployment`'s origin secret, which the router sends
/// its server as an origin custom header. Write it in the same update as
/// the deployment's routing entry, and only for a deployment whose server
/// version was published with this secret in its environment; a deployment
/// without one (made before the router) is routed without the header.
pub fn secret_entry(
    keys: &RouterKeys,
    deployment: &DeploymentId,
    secret: &OriginSecret,
) -> Result<KvsEntry> {
    KvsEntry::checked(
        keys.secret(deployment),
        secret.expose().to_string(),
        "origin_secret",
    )
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::invalid_input("route", format!("cannot be encoded as JSON: {e}")))
}

/// A DNS hostname as CloudFront takes for an origin: lowercase letters,
/// digits, `-` and `.`, labels of 1 to 63 bytes, 253 bytes in all.
pub(crate) fn check_host(field: &str, host: &str) -> Result<()> {
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("{host:?} is not a lowercase origin hostname"),
        ))
    }
}

/// CloudFront's origin path rules: starts with `/`, does not end with one,
/// at most 255 characters, no empty, `.` or `..` segment.
fn check_origin_path(field: &str, path: &str) -> Result<()> {
    let valid = path.len() <= 255
        && path.strip_prefix('/').is_some_and(|rest| {
            rest.split('/').all(|s| {
                !s.is_empty()
                    && s != "."
                    && s != ".."
                    && s.bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
            })
        });
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("{path:?} is not an origin path (like /shop/deployments/<id>)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn route(index: PublicIndex) -> DeploymentRoute {
        let deployment = DeploymentId::generate();
        DeploymentRoute {
            origin_path: format!("/shop/deployments/{deployment}"),
            image_source_path: format!("/deployments/{deployment}"),
            deployment,
            version: 3,
            server_host: "abc.lambda-url.eu-west-1.on.aws".into(),
            server_signed: false,
            image_host: "img.lambda-url.eu-west-1.on.aws".into(),
            bucket_host: "bucket.s3.eu-west-1.amazonaws.com".into(),
            public_index: index,
            build_deployment_id: None,
        }
    }

    fn keys() -> RouterKeys {
        RouterKeys::new("E2ABCDEF123456").unwrap()
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field,
            other => panic!("not invalid input: {other}"),
        }
    }

    #[test]
    fn a_small_index_is_inline() {
        let r = route(PublicIndex::new(["robots.txt", "images/"]).unwrap());
        let entries = r.entries(&keys()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].key, keys().deployment(&r.deployment));
        let v: Value = serde_json::from_str(&entries[0].value).unwrap();
        assert_eq!(v["v"], 3);
        assert_eq!(v["s"], "abc.lambda-url.eu-west-1.on.aws");
        assert_eq!(v["i"], "img.lambda-url.eu-west-1.on.aws");
        assert_eq!(v["b"], "bucket.s3.eu-west-1.amazonaws.com");
        assert_eq!(v["a"], r.origin_path.as_str());
        assert_eq!(v["p"], serde_json::json!(["images/", "robots.txt"]));
        assert!(v.get("n").is_none());
        assert!(v.get("o").is_none(), "a guarded server is not signed");
        assert!(v.get("k").is_none(), "the entry never holds a secret");
    }

    #[test]
    fn a_signed_server_origin_is_marked_in_the_entry() {
        let mut r = route(PublicIndex::new(["robots.txt"]).unwrap());
        r.server_signed = true;
        let entries = r.entries(&keys()).unwrap();
        let v: Value = serde_json::from_str(&entries[0].value).unwrap();
        assert_eq!(v["o"], 1);
        assert_eq!(v["s"], "abc.lambda-url.eu-west-1.on.aws");
    }

    #[test]
    fn the_origin_secret_has_a_key_of_its_own_and_no_debug() {
        let secret = OriginSecret::generate().unwrap();
        let id = DeploymentId::generate();
        let entry = secret_entry(&keys(), &id, &secret).unwrap();
        assert_eq!(entry.key, format!("E2ABCDEF123456/k/{id}"));
        assert_eq!(entry.value, secret.expose());
        assert!(!format!("{entry:?}").contains(secret.expose()));
    }

    #[test]
    fn a_large_index_is_sharded_and_every_shard_fits() {
        let names: Vec<String> = (0..400)
            .map(|i| format!("file-number-{i:04}.txt"))
            .collect();
        let r = route(PublicIndex::new(names.clone()).unwrap());
        let entries = r.entries(&keys()).unwrap();
        let record = entries.last().unwrap();
        assert_eq!(record.key, keys().deployment(&r.deployment));
        let v: Value = serde_json::from_str(&record.value).unwrap();
        assert!(v.get("p").is_none());
        let n = v["n"].as_u64().unwrap() as usize;
        assert_eq!(entries.len(), n + 1);
        let mut seen = Vec::new();
        for (k, shard) in entries[..n].iter().enumerate() {
            assert_eq!(shard.key, keys().shard(&r.deployment, k).unwrap());
            assert!(shard.value.len() <= MAX_VALUE_BYTES);
            let list: Vec<String> = serde_json::from_str(&shard.value).unwrap();
            for name in &list {
                assert_eq!(super::super::index::shard_of(name, n), k);
            }
            seen.extend(list);
        }
        seen.sort();
        assert_eq!(seen, names);
        assert!(estimated_store_bytes(&entries) > 400 * 20);
    }

    #[test]
    fn live_entry_points_at_the_deployment() {
        let id = DeploymentId::generate();
        let entry = live_entry(&keys(), &id).unwrap();
        assert_eq!(entry.key, "E2ABCDEF123456/live");
        assert_eq!(entry.value, id.as_str());
    }

    #[test]
    fn bad_fields_are_named() {
        let mut r = route(PublicIndex::default());
        r.server_host = "https://abc.example".into();
        assert_eq!(field_of(r.entries(&keys()).unwrap_err()), "server_host");
        let mut r = route(PublicIndex::default());
        r.image_host = "UPPER.example".into();
        assert_eq!(field_of(r.entries(&keys()).unwrap_err()), "image_host");
        let mut r = route(PublicIndex::default());
        r.bucket_host = String::new();
        assert_eq!(field_of(r.entries(&keys()).unwrap_err()), "bucket_host");
        for bad in ["", "/", "shop/x", "/shop/", "/a//b", "/a/../b", "/a b"] {
            let mut r = route(PublicIndex::default());
            r.origin_path = bad.into();
            assert_eq!(
                field_of(r.entries(&keys()).unwrap_err()),
                "origin_path",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_record_too_big_without_its_index_is_refused() {
        // 253 bytes, the longest hostname.
        let label = "a".repeat(63);
        let host = [label.as_str(); 3].join(".") + "." + &"b".repeat(61);
        let mut r = route(PublicIndex::default());
        r.server_host = host.clone();
        r.image_host = host.clone();
        r.bucket_host = host;
        r.origin_path = format!("/{}", "p".repeat(254));
        assert_eq!(field_of(r.entries(&keys()).unwrap_err()), "route");
    }
}
