//! Rollback latency and the first history page on the embedded default,
//! with a short and a long history: both should stay flat. The short history
//! has 25 deployments so the first page of 20 is full in both cases.

use anchor_core::model::PageRequest;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn rollback_and_history(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let mut group = c.benchmark_group("embedded");
    for history in [25u64, 1_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (anchor, first, second) = rt
            .block_on(anchor_benches::seeded(dir.path(), history))
            .expect("seed");
        let mut flip = false;
        group.bench_with_input(BenchmarkId::new("rollback", history), &history, |b, _| {
            b.to_async(&rt).iter(|| {
                flip = !flip;
                let target = if flip { first.clone() } else { second.clone() };
                let anchor = anchor.clone();
                async move {
                    anchor
                        .rollback("bench")
                        .to_deployment(target.as_str())
                        .invalidate(false)
                        .execute()
                        .await
                        .expect("rollback")
                }
            })
        });
        group.bench_with_input(
            BenchmarkId::new("history_page_20", history),
            &history,
            |b, _| {
                b.to_async(&rt).iter(|| {
                    let anchor = anchor.clone();
                    async move {
                        anchor
                            .history("bench", &PageRequest::first(20))
                            .await
                            .expect("history")
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, rollback_and_history);
criterion_main!(benches);
