//! Breaking a copy of the fixture build, and deploying it.

use std::path::Path;

use anchor_core::Anchor;
use serde_json::Value;

use super::catalogue::Want;
use super::world::P;

/// The manifest's path in a build.
pub const MANIFEST: &[u8] = b"open-next.output.json";
/// The server bundle's folder in a build.
pub const SERVER: &str = "server-functions/default";

/// Deploys `dir` to the live project.
pub async fn deploy(a: &Anchor, dir: &Path) -> anchor_core::Result<()> {
    a.deployer(P, dir).execute().await.map(drop)
}

/// Rewrites `open-next.output.json` through `edit`.
pub fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let path = dir.join("open-next.output.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
}

/// Writes `bytes` at `dir/rel`, creating folders.
pub fn write(dir: &Path, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Bytes that do not compress: a xorshift stream.
pub fn incompressible(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// `InvalidBuild` naming `<build>/<at>` with `reason` in its reason.
pub fn build(at: &'static [u8], reason: &'static str) -> Want {
    Want::Build { at, reason }
}

/// `assets/`, then `folders` folders of 200 `d`s and a name of `name`
/// `f`s: the relative path of a deep asset, leaked for a [`Want`].
pub fn deep_key(folders: usize, name: usize) -> &'static [u8] {
    let deep = vec!["d".repeat(200); folders].join("/");
    let path = format!("assets/{deep}/{}", "f".repeat(name));
    Box::leak(path.into_bytes().into_boxed_slice())
}
