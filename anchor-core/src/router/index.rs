//! The public-file index: which first path segments a deployment serves
//! from its `public/` folder.
//!
//! It lists top-level entries only, as OpenNext's own behaviours do: a file
//! as `robots.txt`, a directory as `images/`, which routes every path under
//! it. The router matches a request's first segment against it, so its size
//! grows with the top level of `public/`, not with the number of files.

use std::collections::BTreeSet;

use crate::error::{Error, Result};

use super::MAX_VALUE_BYTES;

/// The top-level entries of a build's `public/` folder, sorted and unique.
///
/// Every entry is a valid single segment (a file name, or a directory name
/// followed by `/`) small enough to fit in one index shard on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PublicIndex {
    entries: Vec<String>,
}

impl PublicIndex {
    /// An index of the given entries (`robots.txt`, `images/`). Fails, with
    /// the field `public_index` and the entry in the reason, on an empty
    /// name, `.` or `..`, a `/` anywhere but at the end, a control
    /// character, or an entry too long for a KeyValueStore value.
    pub fn new<I, S>(entries: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = BTreeSet::new();
        for entry in entries {
            let entry = entry.into();
            check_entry(&entry)?;
            set.insert(entry);
        }
        Ok(Self {
            entries: set.into_iter().collect(),
        })
    }

    /// The index of a build whose public files are at these paths, relative
    /// to `public/` with `/` separators: `robots.txt`, `images/anchor.png`
    /// and `.well-known/security.txt` give `.well-known/`, `images/` and
    /// `robots.txt`. Fails like [`PublicIndex::new`], and on an absolute
    /// path or an empty segment.
    pub fn from_public_paths<I, S>(paths: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut entries = Vec::new();
        for path in paths {
            let path = path.as_ref();
            if path.is_empty() || path.starts_with('/') || path.split('/').any(str::is_empty) {
                return Err(Error::invalid_input(
                    "public_index",
                    format!("{path:?} is not a relative file path inside public/"),
                ));
            }
            entries.push(match path.split_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => path.to_owned(),
            });
        }
        Self::new(entries)
    }

    /// The entries, sorted.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Whether the index has no entry (every path goes to the server).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Splits the index into `shards` groups by [`shard_of`] each entry's
    /// name without its trailing `/`, which is the segment the router hashes.
    pub(crate) fn split(&self, shards: usize) -> Vec<Vec<&str>> {
        let mut groups = vec![Vec::new(); shards];
        for entry in &self.entries {
            let name = entry.strip_suffix('/').unwrap_or(entry);
            groups[shard_of(name, shards)].push(entry.as_str());
        }
        groups
    }
}

fn check_entry(entry: &str) -> Result<()> {
    let name = entry.strip_suffix('/').unwrap_or(entry);
    let reason = if name.is_empty() || name == "." || name == ".." {
        Some("is not a file or directory name")
    } else if name.contains('/') {
        Some("is not a top-level entry (a name, or a directory name ending in '/')")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else if serde_json::to_string(&[entry]).map_or(usize::MAX, |json| json.len())
        > MAX_VALUE_BYTES
    {
        Some("is too long to fit in one KeyValueStore value (1,024 bytes) even alone")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::invalid_input(
            "public_index",
            format!("entry {entry:?} {reason}"),
        )),
        None => Ok(()),
    }
}

/// The shard of the index holding `name` when it is split `shards` ways:
/// 32-bit FNV-1a over the name's UTF-16 code units, modulo `shards`.
///
/// The router computes the same function on the request's first segment,
/// so it reads exactly one shard. `shards` must be above zero.
pub fn shard_of(name: &str, shards: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for unit in name.encode_utf16() {
        hash ^= u32::from(unit);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    // u32 always fits in usize on the targets Anchor builds for.
    hash as usize % shards.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_top_level_entries() {
        let index = PublicIndex::from_public_paths([
            "robots.txt",
            "images/anchor.png",
            "images/deep/x.png",
            ".well-known/security.txt",
            "favicon.ico",
        ])
        .unwrap();
        assert_eq!(
            index.entries(),
            [".well-known/", "favicon.ico", "images/", "robots.txt"]
        );
    }

    #[test]
    fn refuses_bad_paths_and_entries() {
        for bad in ["/robots.txt", "", "a//b", "images/"] {
            let err = PublicIndex::from_public_paths([bad]).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "public_index"),
                "{bad:?}: {err}"
            );
        }
        let long = "x".repeat(MAX_VALUE_BYTES);
        for bad in ["", "..", "./", "a/b", "a\nb", long.as_str()] {
            let err = PublicIndex::new([bad]).unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { ref field, .. } if field == "public_index"),
                "{bad:?}: {err}"
            );
        }
        // The longest entry that fits alone: `["` + name + `"]`.
        assert!(PublicIndex::new(["x".repeat(MAX_VALUE_BYTES - 4)]).is_ok());
    }

    #[test]
    fn shard_of_is_fnv1a() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(shard_of("", usize::MAX), 0x811c_9dc5);
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(shard_of("foobar", usize::MAX), 0xbf9c_f968);
        assert!(shard_of("robots.txt", 7) < 7);
    }

    #[test]
    fn split_puts_each_entry_in_its_shard() {
        let index = PublicIndex::new(["a", "b/", "c", "d/"]).unwrap();
        let groups = index.split(3);
        for (k, group) in groups.iter().enumerate() {
            for entry in group {
                assert_eq!(shard_of(entry.trim_end_matches('/'), 3), k);
            }
        }
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 4);
    }
}
