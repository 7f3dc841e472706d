//! Latency samples and their summary: p50, p99 and the count, in
//! milliseconds, as the report's metrics.

use std::future::Future;
use std::time::Instant;

use crate::report::quantile;

/// Latencies of one subject in one case, in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    ms: Vec<f64>,
}

impl Samples {
    /// Samples from milliseconds measured elsewhere (a binding's driver).
    pub fn from_ms(ms: Vec<f64>) -> Self {
        Self { ms }
    }

    /// Adds one sample.
    pub fn push(&mut self, ms: f64) {
        self.ms.push(ms);
    }

    /// Adds every sample of `other`.
    pub fn extend(&mut self, other: Samples) {
        self.ms.extend(other.ms);
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.ms.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ms.is_empty()
    }

    /// The median.
    pub fn p50(&self) -> f64 {
        quantile(&self.ms, 0.5)
    }

    /// The 99th percentile.
    pub fn p99(&self) -> f64 {
        quantile(&self.ms, 0.99)
    }

    /// `p50_ms`, `p99_ms` and `n`, for [`crate::report::Report::row`].
    pub fn metrics(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("p50_ms", self.p50()),
            ("p99_ms", self.p99()),
            ("n", self.len() as f64),
        ]
    }
}

/// Runs `fut`, adds its wall time to `into`, and returns its output.
pub async fn timed<T>(into: &mut Samples, fut: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let out = fut.await;
    into.push(started.elapsed().as_secs_f64() * 1000.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_use_nearest_rank() {
        let s = Samples::from_ms((1..=200).map(f64::from).collect());
        assert_eq!(s.p50(), 100.0);
        assert_eq!(s.p99(), 198.0);
        assert_eq!(s.metrics()[2], ("n", 200.0));
    }
}
