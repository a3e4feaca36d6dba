//! Where the time goes: checking one picture at the sizes photos arrive in, and a whole batch.
//!
//! `cargo bench --bench detect`. Pictures come from the pinned test photos (fetched on first
//! use), scaled to each size so every size sees the same content.

#[path = "../tests/support/photos.rs"]
mod photos;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postsafe::{Filter, Options};
use std::time::Duration;

// The same allocator as the command line, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn check_by_size(c: &mut Criterion) {
    let filter = Filter::new(Options::default()).expect("model loads");
    let source = image::open(photos::photo("grace_hopper.jpg")).expect("photo decodes");
    let mut group = c.benchmark_group("check");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (w, h) in [(640, 480), (1280, 960), (2048, 1536)] {
        let picture = source.resize_exact(w, h, image::imageops::FilterType::Triangle);
        filter.check(&picture).expect("warm-up builds the plans");
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{w}x{h}")), &picture, |b, p| {
            b.iter(|| filter.check(p).expect("check runs"))
        });
    }
    group.finish();
}

fn batch(c: &mut Criterion) {
    let filter = Filter::new(Options::default()).expect("model loads");
    let inputs: Vec<_> = photos::PHOTOS.iter().map(|p| photos::photo(p.name)).collect();
    let out = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("batch");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function(format!("{}-pinned-photos", inputs.len()), |b| {
        b.iter(|| filter.run(&inputs, out.path(), &()).expect("batch runs"))
    });
    group.finish();
}

criterion_group!(benches, check_by_size, batch);
criterion_main!(benches);
