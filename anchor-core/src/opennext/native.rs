//! Which CPU a function bundle's native code is built for: the ELF
//! headers of its `.node` addons and shared libraries (OpenNext's `sharp`,
//! installed for arm64 by default). A bundle of plain JavaScript runs on
//! either architecture.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Architecture;

/// ELF's `e_machine` values for the two Lambda architectures.
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;

/// The architecture a bundle's native code needs, with the first file that
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeCode {
    /// What the native files are built for.
    pub architecture: Architecture,
    /// A native file built for it, such as
    /// `node_modules/@img/sharp-linux-arm64/lib/sharp-linux-arm64.node`.
    pub evidence: PathBuf,
}

/// Scans `dir` for native code. `None` if it has none (plain JavaScript);
/// `Error::InvalidBuild` naming a file of each kind if it mixes x86_64 and
/// arm64 code, which no Lambda function can load. Files of other machines
/// (a macOS or Windows binary left in `node_modules`) are ignored.
pub fn native_code(dir: &Path) -> Result<Option<NativeCode>> {
    let mut found: Option<NativeCode> = None;
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(|e| Error::invalid_build(dir, e.to_string()))?;
        if !entry.file_type().is_file() || !is_native_name(entry.file_name()) {
            continue;
        }
        let Some(architecture) = elf_architecture(entry.path())? else {
            continue;
        };
        match &found {
            None => {
                found = Some(NativeCode {
                    architecture,
                    evidence: entry.path().to_path_buf(),
                })
            }
            Some(first) if first.architecture != architecture => {
                return Err(Error::invalid_build(
                    entry.path(),
                    format!(
                        "is {architecture} native code, but {} is {}: a function runs on one architecture",
                        first.evidence.display(),
                        first.architecture
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    Ok(found)
}

fn is_native_name(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with(".node") || name.ends_with(".so") || name.contains(".so.")
}

/// The Lambda architecture of an ELF file, or `None` for anything else.
fn elf_architecture(path: &Path) -> Result<Option<Architecture>> {
    let mut header = [0u8; 20];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let read = file.read(&mut header).map_err(|e| Error::io(path, e))?;
    if read < header.len() || &header[..4] != b"\x7fELF" {
        return Ok(None);
    }
    // EI_DATA: 1 little-endian, 2 big-endian; e_machine sits at offset 18.
    let machine = match header[5] {
        1 => u16::from_le_bytes([header[18], header[19]]),
        2 => u16::from_be_bytes([header[18], header[19]]),
        _ => return Ok(None),
    };
    Ok(match machine {
        EM_X86_64 => Some(Architecture::X86_64),
        EM_AARCH64 => Some(Architecture::Arm64),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal little-endian ELF header for `machine`.
    fn elf(machine: u16) -> Vec<u8> {
        let mut bytes = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        bytes.resize(18, 0);
        bytes.extend_from_slice(&machine.to_le_bytes());
        bytes.resize(64, 0);
        bytes
    }

    #[test]
    fn native_files_name_the_architecture_and_plain_js_has_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.mjs"), "export const handler = 1;").unwrap();
        assert_eq!(native_code(dir.path()).unwrap(), None);
        let sharp = dir.path().join("node_modules/@img/sharp-linux-arm64/lib");
        std::fs::create_dir_all(&sharp).unwrap();
        std::fs::write(sharp.join("sharp-linux-arm64.node"), elf(EM_AARCH64)).unwrap();
        std::fs::write(dir.path().join("not-elf.node"), b"#!/bin/sh\n").unwrap();
        let found = native_code(dir.path()).unwrap().unwrap();
        assert_eq!(found.architecture, Architecture::Arm64);
        assert!(found.evidence.ends_with("sharp-linux-arm64.node"));
    }

    #[test]
    fn mixed_architectures_are_an_invalid_build_naming_both_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.node"), elf(EM_AARCH64)).unwrap();
        std::fs::write(dir.path().join("libvips.so.42"), elf(EM_X86_64)).unwrap();
        let e = native_code(dir.path()).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, Error::InvalidBuild { .. }));
        assert!(
            text.contains("a.node") || text.contains("libvips.so.42"),
            "{text}"
        );
    }
}
