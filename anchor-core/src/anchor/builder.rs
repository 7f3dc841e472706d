//! [`AnchorBuilder`]: wires a [`Backend`] into the flows, with the clock and
//! tunables that belong to one `Anchor` and not to its backend.

use std::sync::Arc;

use super::Anchor;
use crate::clock::{Clock, SystemClock};
use crate::flows::{FlowContext, FlowSettings};
use crate::traits::Backend;

/// Builds an [`Anchor`] over a [`Backend`]; start with [`Anchor::builder`].
///
/// The clock and the settings are optional: the system clock and
/// [`FlowSettings::default`] unless set. Every `Anchor` built starts with
/// empty caches, as a new process would, so two `Anchor`s built over clones
/// of one backend share its records and objects but nothing this process
/// remembers.
#[derive(Debug, Clone)]
#[must_use = "an AnchorBuilder does nothing until `build` is called"]
pub struct AnchorBuilder {
    backend: Backend,
    clock: Option<Arc<dyn Clock>>,
    settings: Option<FlowSettings>,
    #[cfg(feature = "local")]
    local: Option<crate::local::LocalCloud>,
    #[cfg(feature = "aws")]
    aws_config: Option<aws_config::SdkConfig>,
}

impl AnchorBuilder {
    pub(super) fn new(backend: Backend) -> Self {
        Self {
            backend,
            clock: None,
            settings: None,
            #[cfg(feature = "local")]
            local: None,
            #[cfg(feature = "aws")]
            aws_config: None,
        }
    }

    /// The time source of the flows (record timestamps, stale-switch
    /// checks); the system clock if not set.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The flows' tunables; [`FlowSettings::default`] if not set.
    pub fn settings(mut self, settings: FlowSettings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// The AWS configuration the backend's clients were built from, so that
    /// [`Anchor::alarm_gate`] can read CloudWatch with the same
    /// credentials, region and endpoint.
    #[cfg(feature = "aws")]
    pub fn aws_config(mut self, config: aws_config::SdkConfig) -> Self {
        self.aws_config = Some(config);
        self
    }

    /// The local cloud the backend's clients come from, so that
    /// [`Anchor::local_cloud`] can hand out its extra controls.
    #[cfg(feature = "local")]
    pub(super) fn local_cloud(mut self, cloud: crate::local::LocalCloud) -> Self {
        self.local = Some(cloud);
        self
    }

    /// The `Anchor`: the backend, the clock and settings given (or their
    /// defaults), and empty caches.
    pub fn build(self) -> Anchor {
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let settings = self.settings.unwrap_or_default();
        Anchor {
            flows: Arc::new(FlowContext::new(self.backend, clock, settings)),
            #[cfg(feature = "local")]
            local: self.local,
            #[cfg(feature = "aws")]
            aws_config: self.aws_config,
        }
    }
}
