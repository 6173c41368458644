//! Prometheus metrics: claims by kind and outcome, request latency, group
//! commit batch sizes and formulary reloads, served at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Labels of a claim counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClaimLabels {
    /// `check`, `submit` or `reverse`.
    pub kind: &'static str,
    /// `paid`, `rejected`, `duplicate`, `reversed`, `not_found`, `invalid` or `error`.
    pub outcome: &'static str,
}

/// Labels of the latency histogram.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// `check`, `submit` or `reverse`.
    pub kind: &'static str,
}

/// Labels of the reload counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabel {
    /// `ok` or `failed`.
    pub result: &'static str,
}

/// Every metric.
pub struct Metrics {
    registry: Registry,
    /// Claims by kind and outcome.
    pub claims: Family<ClaimLabels, Counter>,
    /// Seconds from request to answer.
    pub latency: Family<KindLabel, Histogram>,
    /// Operations per committed transaction.
    pub batch: Histogram,
    /// Reloads by result.
    pub reloads: Family<ReloadLabel, Counter>,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    ])
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let claims = Family::<ClaimLabels, Counter>::default();
        let latency = Family::<KindLabel, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let batch = Histogram::new([
            1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0,
        ]);
        let reloads = Family::<ReloadLabel, Counter>::default();
        registry.register(
            "formulary_claims",
            "Claims answered, by kind and outcome",
            claims.clone(),
        );
        registry.register(
            "formulary_claim_duration_seconds",
            "Time from request to answer",
            latency.clone(),
        );
        registry.register(
            "formulary_store_batch_operations",
            "Operations committed in one transaction",
            batch.clone(),
        );
        registry.register(
            "formulary_reloads",
            "Formulary reloads, by result",
            reloads.clone(),
        );
        Metrics {
            registry,
            claims,
            latency,
            batch,
            reloads,
        }
    }

    /// Counts a claim and its latency.
    pub fn claim(&self, kind: &'static str, outcome: &'static str, started: std::time::Instant) {
        self.claims
            .get_or_create(&ClaimLabels { kind, outcome })
            .inc();
        self.latency
            .get_or_create(&KindLabel { kind })
            .observe(started.elapsed().as_secs_f64());
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
