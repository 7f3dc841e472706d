//! How much memory and time each function gets, what it runs on and which
//! runtime: options per function, with SST's defaults.

use serde::{Deserialize, Serialize};

use super::Architecture;
use crate::error::{Error, Result};

/// Lambda's memory range in MB.
pub const MEMORY_MB_RANGE: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's timeout range in seconds.
pub const TIMEOUT_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 1..=900;
/// The Node.js runtimes Lambda offers that OpenNext's bundles run on.
pub const RUNTIMES: &[&str] = &["nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"];
/// The runtime SST's `Nextjs` component gives both functions.
pub const DEFAULT_RUNTIME: &str = "nodejs24.x";

/// The configuration of one function (the server or the image optimiser).
///
/// A deploy with settings reconciles the function to them before it
/// publishes, so the new versions run with exactly these values; a version
/// keeps the configuration it was published with, so a rollback brings
/// back its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionSettings {
    /// Memory in MB, 128 to 10240. Lambda gives CPU in proportion.
    pub memory_mb: u32,
    /// How long one invocation may run, 1 to 900 seconds. CloudFront stops
    /// waiting for an origin after 30 seconds unless the account's quota
    /// was raised, so longer only helps work that outlives the response.
    /// (Records written before the name was unified call it `timeout_secs`.)
    #[serde(alias = "timeout_secs")]
    pub timeout_seconds: u32,
    /// The architecture to run on. `None` (the default) follows the build:
    /// what its native code (such as `sharp`) needs, else arm64 for a new
    /// function, else the function's current one. A value the build's
    /// native code cannot run on is refused before anything is published.
    pub architecture: Option<Architecture>,
    /// Lambda's runtime identifier, one of [`RUNTIMES`].
    pub runtime: String,
}

impl FunctionSettings {
    /// SST's server function: 1024 MB, 20 seconds, [`DEFAULT_RUNTIME`].
    pub fn server_default() -> Self {
        Self {
            memory_mb: 1024,
            timeout_seconds: 20,
            architecture: None,
            runtime: DEFAULT_RUNTIME.to_string(),
        }
    }

    /// SST's image optimiser: 1536 MB, 25 seconds, [`DEFAULT_RUNTIME`].
    pub fn image_default() -> Self {
        Self {
            memory_mb: 1536,
            timeout_seconds: 25,
            architecture: None,
            runtime: DEFAULT_RUNTIME.to_string(),
        }
    }

    /// Checks Lambda's limits. The error names `<function>.<field>`, such
    /// as `server.memory_mb`.
    pub fn validate(&self, function: &str) -> Result<()> {
        if !MEMORY_MB_RANGE.contains(&self.memory_mb) {
            return Err(Error::invalid_input(
                format!("{function}.memory_mb"),
                format!(
                    "{} MB is outside Lambda's range of {} to {} MB",
                    self.memory_mb,
                    MEMORY_MB_RANGE.start(),
                    MEMORY_MB_RANGE.end()
                ),
            ));
        }
        if !TIMEOUT_SECONDS_RANGE.contains(&self.timeout_seconds) {
            return Err(Error::invalid_input(
                format!("{function}.timeout_seconds"),
                format!(
                    "{} s is outside Lambda's range of {} to {} seconds",
                    self.timeout_seconds,
                    TIMEOUT_SECONDS_RANGE.start(),
                    TIMEOUT_SECONDS_RANGE.end()
                ),
            ));
        }
        if !RUNTIMES.contains(&self.runtime.as_str()) {
            return Err(Error::invalid_input(
                format!("{function}.runtime"),
                format!("{:?} is not one of {}", self.runtime, RUNTIMES.join(", ")),
            ));
        }
        Ok(())
    }

    /// The architecture to publish for, given what the build's native
    /// code `needs` (`None` for plain JavaScript): the build's need wins
    /// over no preference, and a preference the code cannot run on is an
    /// `InvalidInput` naming `<function>.architecture`.
    pub fn architecture_for(
        &self,
        function: &str,
        needs: Option<Architecture>,
    ) -> Result<Option<Architecture>> {
        match (self.architecture, needs) {
            (Some(wanted), Some(needed)) if wanted != needed => Err(Error::invalid_input(
                format!("{function}.architecture"),
                format!("{wanted} was asked for, but the build's native code needs {needed}"),
            )),
            (wanted, needed) => Ok(needed.or(wanted)),
        }
    }
}

/// The settings of a project's two functions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFunctionSettings {
    /// The server function (`origins.default`).
    pub server: FunctionSettings,
    /// The image optimiser (`origins.imageOptimizer`).
    pub image: FunctionSettings,
}

impl Default for SiteFunctionSettings {
    /// SST's defaults: [`FunctionSettings::server_default`] and
    /// [`FunctionSettings::image_default`].
    fn default() -> Self {
        Self {
            server: FunctionSettings::server_default(),
            image: FunctionSettings::image_default(),
        }
    }
}

impl SiteFunctionSettings {
    /// Checks both; the error names the function and the field, such as
    /// `image.timeout_seconds`.
    pub fn validate(&self) -> Result<()> {
        self.server.validate("server")?;
        self.image.validate("image")
    }
}

/// One function's settings as a caller gives them, every part optional:
/// what the Python and Node packages take. [`SiteFunctionSettings::from_parts`]
/// fills the gaps with SST's defaults and checks the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionSettingsParts {
    /// Memory in MB; the function's default when `None`.
    pub memory_mb: Option<u32>,
    /// Timeout in seconds; the function's default when `None`.
    pub timeout_seconds: Option<u32>,
    /// Lambda's name of an architecture (`arm64`, `x86_64`, or the aliases
    /// [`Architecture::parse`] takes); `None` follows the build.
    pub architecture: Option<String>,
    /// Lambda's runtime identifier; [`DEFAULT_RUNTIME`] when `None`.
    pub runtime: Option<String>,
}

impl FunctionSettingsParts {
    /// `defaults` with the parts given laid over it, checked. Errors name
    /// `<function>.<field>`, such as `server.architecture`.
    fn over(&self, defaults: FunctionSettings, function: &str) -> Result<FunctionSettings> {
        let architecture = match &self.architecture {
            Some(name) => Some(Architecture::parse(
                name,
                &format!("{function}.architecture"),
            )?),
            None => defaults.architecture,
        };
        let settings = FunctionSettings {
            memory_mb: self.memory_mb.unwrap_or(defaults.memory_mb),
            timeout_seconds: self.timeout_seconds.unwrap_or(defaults.timeout_seconds),
            architecture,
            runtime: self.runtime.clone().unwrap_or(defaults.runtime),
        };
        settings.validate(function)?;
        Ok(settings)
    }
}

/// The parts of both functions' settings; an absent function takes its
/// defaults whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFunctionSettingsParts {
    /// The server function's parts.
    pub server: Option<FunctionSettingsParts>,
    /// The image optimiser's parts.
    pub image: Option<FunctionSettingsParts>,
}

impl SiteFunctionSettings {
    /// Builds the settings from optional parts, each missing part taking
    /// SST's default ([`SiteFunctionSettings::default`]). The result is
    /// checked like [`SiteFunctionSettings::validate`]: an `InvalidInput`
    /// names `<function>.<field>` (`server.memory_mb`, `image.runtime`,
    /// `server.architecture` for a name that is not an architecture), the
    /// same fields a deploy names.
    pub fn from_parts(parts: &SiteFunctionSettingsParts) -> Result<Self> {
        let defaults = Self::default();
        let empty = FunctionSettingsParts::default();
        Ok(Self {
            server: parts
                .server
                .as_ref()
                .unwrap_or(&empty)
                .over(defaults.server, "server")?,
            image: parts
                .image
                .as_ref()
                .unwrap_or(&empty)
                .over(defaults.image, "image")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn the_defaults_are_ssts_and_valid() {
        let s = SiteFunctionSettings::default();
        assert_eq!((s.server.memory_mb, s.server.timeout_seconds), (1024, 20));
        assert_eq!((s.image.memory_mb, s.image.timeout_seconds), (1536, 25));
        assert_eq!(s.server.runtime, "nodejs24.x");
        s.validate().unwrap();
    }

    #[test]
    fn values_outside_lambdas_limits_name_the_function_and_field() {
        let mut s = SiteFunctionSettings::default();
        s.server.memory_mb = 127;
        assert_eq!(field_of(s.validate().unwrap_err()), "server.memory_mb");
        s.server.memory_mb = 10_241;
        assert_eq!(field_of(s.validate().unwrap_err()), "server.memory_mb");
        s.server.memory_mb = 10_240;
        s.image.timeout_seconds = 0;
        assert_eq!(field_of(s.validate().unwrap_err()), "image.timeout_seconds");
        s.image.timeout_seconds = 901;
        assert_eq!(field_of(s.validate().unwrap_err()), "image.timeout_seconds");
        s.image.timeout_seconds = 900;
        s.image.runtime = "python3.12".into();
        assert_eq!(field_of(s.validate().unwrap_err()), "image.runtime");
    }

    #[test]
    fn parts_fall_back_to_the_defaults_and_are_checked_with_the_field_named() {
        let empty = SiteFunctionSettings::from_parts(&Default::default()).unwrap();
        assert_eq!(empty, SiteFunctionSettings::default());

        let parts = SiteFunctionSettingsParts {
            server: Some(FunctionSettingsParts {
                memory_mb: Some(2048),
                architecture: Some("aarch64".into()),
                ..Default::default()
            }),
            image: Some(FunctionSettingsParts {
                runtime: Some("nodejs22.x".into()),
                ..Default::default()
            }),
        };
        let s = SiteFunctionSettings::from_parts(&parts).unwrap();
        assert_eq!(s.server.memory_mb, 2048);
        assert_eq!(s.server.timeout_seconds, 20, "the server's default timeout");
        assert_eq!(s.server.architecture, Some(Architecture::Arm64));
        assert_eq!(s.image.memory_mb, 1536, "the image's default memory");
        assert_eq!(s.image.runtime, "nodejs22.x");

        let mut bad = parts.clone();
        bad.server.as_mut().unwrap().architecture = Some("sparc".into());
        let e = SiteFunctionSettings::from_parts(&bad).unwrap_err();
        assert_eq!(field_of(e), "server.architecture");
        let mut bad = parts;
        bad.image.as_mut().unwrap().timeout_seconds = Some(0);
        let e = SiteFunctionSettings::from_parts(&bad).unwrap_err();
        assert_eq!(field_of(e), "image.timeout_seconds");
    }

    #[test]
    fn the_builds_native_code_decides_the_architecture_and_a_contrary_choice_is_refused() {
        let mut s = FunctionSettings::image_default();
        let arm = Some(Architecture::Arm64);
        assert_eq!(s.architecture_for("image", arm).unwrap(), arm);
        assert_eq!(s.architecture_for("image", None).unwrap(), None);
        s.architecture = Some(Architecture::X86_64);
        assert_eq!(
            s.architecture_for("image", None).unwrap(),
            Some(Architecture::X86_64)
        );
        let e = s.architecture_for("image", arm).unwrap_err();
        assert_eq!(field_of(e), "image.architecture");
    }

    #[test]
    fn records_written_with_the_old_timeout_name_still_read() {
        let settings: FunctionSettings = serde_json::from_value(serde_json::json!({
            "memory_mb": 2048, "timeout_secs": 30, "runtime": "nodejs22.x"
        }))
        .unwrap();
        assert_eq!(settings.timeout_seconds, 30);
        let version: crate::model::FunctionVersion = serde_json::from_value(serde_json::json!({
            "function": "web-server", "version": "3", "arn": "arn", "code_sha256": "x",
            "timeout_secs": 20
        }))
        .unwrap();
        assert_eq!(version.timeout_seconds, Some(20));
        // Written back under the unified name only.
        let written = serde_json::to_value(&version).unwrap();
        assert_eq!(written["timeout_seconds"], 20);
        assert!(written.get("timeout_secs").is_none());
    }
}
