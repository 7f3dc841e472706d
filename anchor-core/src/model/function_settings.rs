//! How much memory and time each function gets, what it runs on and which
//! runtime: options per function, with SST's defaults.

use serde::{Deserialize, Serialize};

use super::Architecture;
use crate::error::{Error, Result};

/// Lambda's memory range in MB.
pub const MEMORY_MB_RANGE: std::ops::RangeInclusive<u32> = 128..=10_240;
/// Lambda's timeout range in seconds.
pub const TIMEOUT_SECS_RANGE: std::ops::RangeInclusive<u32> = 1..=900;
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
    pub timeout_secs: u32,
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
            timeout_secs: 20,
            architecture: None,
            runtime: DEFAULT_RUNTIME.to_string(),
        }
    }

    /// SST's image optimiser: 1536 MB, 25 seconds, [`DEFAULT_RUNTIME`].
    pub fn image_default() -> Self {
        Self {
            memory_mb: 1536,
            timeout_secs: 25,
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
        if !TIMEOUT_SECS_RANGE.contains(&self.timeout_secs) {
            return Err(Error::invalid_input(
                format!("{function}.timeout_secs"),
                format!(
                    "{} s is outside Lambda's range of {} to {} seconds",
                    self.timeout_secs,
                    TIMEOUT_SECS_RANGE.start(),
                    TIMEOUT_SECS_RANGE.end()
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
    /// `image.timeout_secs`.
    pub fn validate(&self) -> Result<()> {
        self.server.validate("server")?;
        self.image.validate("image")
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
        assert_eq!((s.server.memory_mb, s.server.timeout_secs), (1024, 20));
        assert_eq!((s.image.memory_mb, s.image.timeout_secs), (1536, 25));
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
        s.image.timeout_secs = 0;
        assert_eq!(field_of(s.validate().unwrap_err()), "image.timeout_secs");
        s.image.timeout_secs = 901;
        assert_eq!(field_of(s.validate().unwrap_err()), "image.timeout_secs");
        s.image.timeout_secs = 900;
        s.image.runtime = "python3.12".into();
        assert_eq!(field_of(s.validate().unwrap_err()), "image.runtime");
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
}
