//! The instruction set a function runs on.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A Lambda architecture. OpenNext installs `sharp` for arm64 unless told
/// otherwise, so a build's image function usually needs `Arm64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Architecture {
    /// `x86_64`.
    #[serde(rename = "x86_64")]
    X86_64,
    /// `arm64` (Graviton).
    #[serde(rename = "arm64")]
    Arm64,
}

impl Architecture {
    /// Lambda's name for it: `x86_64` or `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Arm64 => "arm64",
        }
    }

    /// Parses Lambda's name (`aarch64` and `x64` too); the error names
    /// `field`.
    pub fn parse(text: &str, field: &str) -> Result<Self> {
        match text {
            "x86_64" | "x64" | "amd64" => Ok(Self::X86_64),
            "arm64" | "aarch64" => Ok(Self::Arm64),
            other => Err(Error::invalid_input(
                field,
                format!("{other:?} is not an architecture; use x86_64 or arm64"),
            )),
        }
    }

    /// The architecture of the machine running this code, if Lambda has it.
    pub fn of_this_machine() -> Option<Self> {
        match std::env::consts::ARCH {
            "x86_64" => Some(Self::X86_64),
            "aarch64" => Some(Self::Arm64),
            _ => None,
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_bad_ones_name_the_field() {
        for arch in [Architecture::X86_64, Architecture::Arm64] {
            assert_eq!(Architecture::parse(arch.as_str(), "f").unwrap(), arch);
            let json = serde_json::to_string(&arch).unwrap();
            assert_eq!(json, format!("\"{arch}\""));
        }
        let e = Architecture::parse("sparc", "architecture").unwrap_err();
        assert!(matches!(e, Error::InvalidInput { field, .. } if field == "architecture"));
    }
}
