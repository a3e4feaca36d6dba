//! Where a photo's time goes, stage by stage: decoding a 12-MP JPEG, scaling it to the posted
//! size, one detector pass at each input size the search uses, and writing the ready copy.
//!
//! `cargo bench --bench stages`. The detector group reports its throughput in FLOP: criterion's
//! "Gelem/s" there is GFLOP/s, counting CenterFace as 3.7 GFLOP per 640×480 input (multiply
//! and add counted apart) and scaling with the pixels. The machine's peak is printed first.

#[path = "../tests/support/photos.rs"]
mod photos;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use image::{DynamicImage, RgbImage};
use postsafe::{stages, Filter, Options};
use std::time::Duration;

// The same allocator as the command line, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CenterFace's cost for one 640×480 input.
const FLOP_PER_640X480: f64 = 3.7e9;

/// A 4000×3000 camera-like JPEG (quality 90) made from a pinned photo, and that photo.
fn camera_jpeg() -> (Vec<u8>, DynamicImage) {
    let source = image::open(photos::photo("rocket.jpg")).expect("pinned photo decodes");
    let big = source.resize_exact(4000, 3000, image::imageops::FilterType::Triangle).into_rgb8();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90).encode_image(&big).expect("encodes");
    (bytes, DynamicImage::ImageRgb8(big))
}

/// Single-core peak of this CPU from /proc/cpuinfo: 32 FLOP per cycle with AVX2 and FMA (two
/// 8-lane fused multiply-adds), 16 with AVX alone.
fn print_peak() {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let mhz = info
        .lines()
        .find(|l| l.starts_with("cpu MHz"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok());
    let flags = info.lines().find(|l| l.starts_with("flags")).unwrap_or_default();
    let per_cycle = if flags.contains(" fma") && flags.contains(" avx2") { 32.0 } else { 16.0 };
    match mhz {
        Some(mhz) => eprintln!(
            "machine peak: {:.0} GFLOP/s per core ({per_cycle} FLOP/cycle at {mhz:.0} MHz), {} cores",
            per_cycle * mhz / 1000.0,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        ),
        None => eprintln!("machine peak: unknown (no /proc/cpuinfo)"),
    }
}

fn decode_and_scale(c: &mut Criterion) {
    let (jpeg, big) = camera_jpeg();
    let mut group = c.benchmark_group("stage");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("decode-12mp-jpeg-full", |b| {
        b.iter(|| stages::decode(&jpeg, 4000).expect("decodes"))
    });
    group.bench_function("decode-12mp-jpeg-for-2048", |b| {
        b.iter(|| stages::decode(&jpeg, 2048).expect("decodes"))
    });
    group.bench_function("scale-12mp-to-2048", |b| b.iter(|| stages::fit_within(&big, 2048)));
    let posted = stages::fit_within(&big, 2048);
    group.bench_function("encode-ready-2048", |b| b.iter(|| stages::encode_ready(&posted).expect("encodes")));
    let ready = stages::encode_ready(&posted).expect("encodes");
    group.bench_function("scrub-jpeg-2048", |b| b.iter(|| stages::scrub_jpeg(&ready).expect("copies")));
    group.finish();
}

fn detector_by_input_size(c: &mut Criterion) {
    print_peak();
    let filter = Filter::new(Options::default()).expect("model loads");
    let source = image::open(photos::photo("rocket.jpg")).expect("pinned photo decodes");
    let mut group = c.benchmark_group("detector");
    group.sample_size(10).measurement_time(Duration::from_secs(15));
    // The coarse levels, the search's tile size (also upright, as a portrait photo's pass), and
    // a whole 1280×960 input for comparison.
    for (w, h) in [(192, 160), (384, 288), (640, 480), (480, 640), (768, 576), (1280, 960)] {
        let input: RgbImage = source.resize_exact(w, h, image::imageops::FilterType::Triangle).into_rgb8();
        filter.detect_once(&input).expect("warm-up builds the plan");
        let flop = FLOP_PER_640X480 * f64::from(w.div_ceil(32) * 32 * h.div_ceil(32) * 32) / (640.0 * 480.0);
        group.throughput(Throughput::Elements(flop as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{w}x{h}")), &input, |b, i| {
            b.iter(|| filter.detect_once(i).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, detector_by_input_size, decode_and_scale);
criterion_main!(benches);
