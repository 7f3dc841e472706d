//! Synthetic OpenNext build folders: a deterministic tree of assets of mixed
//! sizes, wrapped with the committed fixture's manifest, function bundles
//! and ISR cache, so Anchor deploys it like a real build and `aws s3 sync`
//! sees the same `assets/` folder.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::Fail;
use crate::fixture;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// What to generate.
#[derive(Debug, Clone)]
pub struct TreeSpec {
    /// Files under `assets/`, `BUILD_ID` included.
    pub files: usize,
    /// Bytes the files add up to, approximately (sizes are clamped).
    pub total_bytes: u64,
    /// The smallest file.
    pub min_size: u64,
    /// The largest file.
    pub max_size: u64,
    /// Unhashed public files (besides `BUILD_ID`); the rest are hashed
    /// `_next/static/**` files.
    pub public_files: usize,
    /// Files of exactly this many bytes added on top (large assets, above
    /// the multipart threshold); they count toward `files`.
    pub large_files: Vec<u64>,
    /// Seed of the generator; the same seed gives the same bytes.
    pub seed: u64,
}

impl TreeSpec {
    /// The issue's tree: 2,000 files, 1 KiB to 5 MiB, about 200 MiB.
    pub fn standard() -> Self {
        Self {
            files: 2_000,
            total_bytes: 200 * MIB,
            min_size: KIB,
            max_size: 5 * MIB,
            public_files: 50,
            large_files: Vec::new(),
            seed: 0x0A1C_4012,
        }
    }

    /// 1 GiB of assets, 768 MiB of it in twelve 64 MiB files (over the
    /// 16 MiB multipart threshold) and the rest in small files.
    pub fn large() -> Self {
        Self {
            files: 500,
            total_bytes: 1024 * MIB,
            large_files: vec![64 * MIB; 12],
            ..Self::standard()
        }
    }

    /// A tiny tree for `--smoke`: seconds, not minutes.
    pub fn smoke() -> Self {
        Self {
            files: 60,
            total_bytes: 3 * MIB,
            max_size: 512 * KIB,
            public_files: 5,
            ..Self::standard()
        }
    }

    /// A small tree with one 20 MiB file, so `--smoke` still goes through
    /// the multipart path.
    pub fn smoke_large() -> Self {
        Self {
            files: 20,
            total_bytes: 22 * MIB,
            large_files: vec![20 * MIB],
            ..Self::smoke()
        }
    }

    /// A short description for report rows, such as `2,000 files, 200 MiB`.
    pub fn label(&self) -> String {
        format!(
            "{} files, {} MiB",
            crate::report::thousands(self.files as u64),
            self.total_bytes / MIB
        )
    }
}

/// A generated build folder.
#[derive(Debug, Clone)]
pub struct SynthBuild {
    /// The `.open-next`-like folder to deploy.
    pub dir: PathBuf,
    /// Its `assets/` folder, what `aws s3 sync` uploads.
    pub assets: PathBuf,
    /// Every generated asset, relative to `assets/`.
    pub files: Vec<(String, u64)>,
    /// Bytes of all assets.
    pub bytes: u64,
}

/// splitmix64: tiny, fast and good enough for sizes, names and filler bytes.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(len);
        s
    }
}

/// Sizes log-uniform between the bounds (many small files, a few large),
/// then scaled toward the requested total and clamped to the bounds.
fn sizes(spec: &TreeSpec, rng: &mut Rng, count: usize, budget: u64) -> Vec<u64> {
    let (lo, hi) = ((spec.min_size as f64).ln(), (spec.max_size as f64).ln());
    // Squaring the uniform draw skews toward small files, as in real builds.
    let mut sizes: Vec<u64> = (0..count)
        .map(|_| {
            let u = rng.unit();
            (lo + (hi - lo) * u * u).exp() as u64
        })
        .collect();
    for _ in 0..4 {
        let total: u64 = sizes.iter().sum();
        if total == 0 {
            break;
        }
        let factor = budget as f64 / total as f64;
        for s in &mut sizes {
            *s = ((*s as f64 * factor) as u64).clamp(spec.min_size, spec.max_size);
        }
    }
    sizes
}

/// The relative path of generated file `i`: public files first, then
/// hashed chunks, media and styles, and the build-id folder's manifests.
fn name(i: usize, spec: &TreeSpec, build_id: &str, rng: &mut Rng) -> String {
    if i < spec.public_files {
        return match i {
            0 => "robots.txt".into(),
            1 => "favicon.ico".into(),
            _ => format!("images/public-{i:04}.png"),
        };
    }
    match i % 10 {
        0 => format!("_next/static/media/img.{}.png", rng.hex(16)),
        1 => format!("_next/static/css/{}.css", rng.hex(16)),
        2 if i < spec.public_files + 40 => {
            format!("_next/static/{build_id}/page-{i:04}.js")
        }
        _ => format!("_next/static/chunks/{}.js", rng.hex(16)),
    }
}

/// Writes `size` pseudo-random (incompressible) bytes to `path`.
pub(crate) fn write_filler(path: &Path, size: u64, rng: &mut Rng) -> Result<(), Fail> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Fail::io("create", parent, e))?;
    }
    let file = File::create(path).map_err(|e| Fail::io("create", path, e))?;
    let mut out = BufWriter::new(file);
    let mut chunk = vec![0u8; 64 * 1024];
    let mut left = size;
    while left > 0 {
        for word in chunk.chunks_exact_mut(8) {
            word.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])
            .map_err(|e| Fail::io("write", path, e))?;
        left -= n as u64;
    }
    out.flush().map_err(|e| Fail::io("write", path, e))
}

/// Generates the tree of `spec` at `dir` (replacing it), around the
/// fixture's manifest, function bundles, cache and build id.
pub fn generate(dir: &Path, spec: &TreeSpec) -> Result<SynthBuild, Fail> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| Fail::io("remove", dir, e))?;
    }
    copy_tree_except(&fixture(), dir, "assets")?;
    let assets = dir.join("assets");
    let build_id_src = fixture().join("assets/BUILD_ID");
    let build_id =
        std::fs::read_to_string(&build_id_src).map_err(|e| Fail::io("read", &build_id_src, e))?;
    std::fs::create_dir_all(&assets).map_err(|e| Fail::io("create", &assets, e))?;
    let build_id_path = assets.join("BUILD_ID");
    std::fs::write(&build_id_path, &build_id).map_err(|e| Fail::io("write", &build_id_path, e))?;

    let mut rng = Rng::new(spec.seed);
    let large: u64 = spec.large_files.iter().sum();
    let small_count = spec.files.saturating_sub(1 + spec.large_files.len());
    let budget = spec
        .total_bytes
        .saturating_sub(large + build_id.len() as u64);
    let small_sizes = sizes(spec, &mut rng, small_count, budget);
    let mut files = vec![("BUILD_ID".to_string(), build_id.len() as u64)];
    for (i, size) in small_sizes.into_iter().enumerate() {
        let rel = name(i, spec, &build_id, &mut rng);
        write_filler(&assets.join(&rel), size, &mut rng)?;
        files.push((rel, size));
    }
    for (i, size) in spec.large_files.iter().enumerate() {
        let rel = format!("_next/static/media/video-{i:02}.{}.mp4", rng.hex(16));
        write_filler(&assets.join(&rel), *size, &mut rng)?;
        files.push((rel, *size));
    }
    let bytes = files.iter().map(|(_, s)| s).sum();
    Ok(SynthBuild {
        dir: dir.to_path_buf(),
        assets,
        files,
        bytes,
    })
}

/// Rewrites one unhashed public file in place with new content of the same
/// size: the one-file change of the incremental workload. Returns its path
/// relative to `assets/`.
pub fn change_one_file(build: &SynthBuild, seed: u64) -> Result<String, Fail> {
    let (rel, size) = build
        .files
        .iter()
        .find(|(rel, _)| rel.starts_with("images/"))
        .or_else(|| build.files.iter().find(|(rel, _)| rel == "robots.txt"))
        .cloned()
        .ok_or_else(|| Fail::msg("the tree has no public file to change"))?;
    write_filler(&build.assets.join(&rel), size, &mut Rng::new(seed))?;
    Ok(rel)
}

fn copy_tree_except(from: &Path, to: &Path, skip: &str) -> Result<(), Fail> {
    std::fs::create_dir_all(to).map_err(|e| Fail::io("create", to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| Fail::io("read", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Fail::io("read", from, e))?;
        if entry.file_name() == skip {
            continue;
        }
        let (src, dest) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| Fail::io("stat", &src, e))?;
        if kind.is_dir() {
            copy_tree_except(&src, &dest, "")?;
        } else {
            std::fs::copy(&src, &dest).map_err(|e| Fail::io("copy", &src, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_tree_matches_the_issue() {
        let spec = TreeSpec::standard();
        let mut rng = Rng::new(spec.seed);
        let sizes = sizes(&spec, &mut rng, spec.files - 1, spec.total_bytes);
        let total: u64 = sizes.iter().sum();
        assert!(sizes.iter().all(|s| (KIB..=5 * MIB).contains(s)));
        assert!(
            (190 * MIB..=210 * MIB).contains(&total),
            "{} MiB",
            total / MIB
        );
        assert!(sizes.iter().filter(|s| **s > MIB).count() > 10);
    }

    #[test]
    fn the_same_seed_gives_the_same_tree() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn a_generated_tree_is_a_valid_build() {
        let Ok(tmp) = tempfile::tempdir() else {
            panic!("tempdir")
        };
        let spec = TreeSpec::smoke();
        let build = match generate(&tmp.path().join("b"), &spec) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(build.files.len(), spec.files);
        let read = anchor_core::opennext::OpenNextBuild::read(&build.dir);
        assert!(read.is_ok(), "{read:?}");
        let before = std::fs::read(build.assets.join("images/public-0002.png")).ok();
        let changed = change_one_file(&build, 99).ok();
        assert_eq!(changed.as_deref(), Some("images/public-0002.png"));
        let after = std::fs::read(build.assets.join("images/public-0002.png")).ok();
        assert_ne!(before, after);
    }
}
