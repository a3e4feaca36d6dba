//! Makes `docs/review.png`, the sample review page in the README, from a batch of pictures
//! painted in code (nobody's photo): `cargo run --release --example review_sample`.
//!
//! Needs chromium (`.ci/run` installs it). The batch, its results and the page are left in
//! `.cache/review-sample/`.

#[path = "../tests/support/mod.rs"]
mod support;

use postsafe::{Filter, Options, Roster};
use std::path::Path;
use std::process::ExitCode;

/// Big enough to show all three sections of the sample page, small enough for the README.
const WINDOW: (u32, u32) = (1000, 1060);

fn main() -> ExitCode {
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = project.join(".cache/review-sample");
    let _ = std::fs::remove_dir_all(&root);
    support::painted::sample_batch(&root.join("photos"));
    // Relative paths, so the page shows "photos/…" and not where this project is checked out.
    std::env::set_current_dir(&root).expect("the sample folder was just made");
    let roster = Roster::parse(support::painted::SAMPLE_ROSTER);
    let filter = match Filter::new(Options { roster, ..Options::default() }) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("postsafe: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = Path::new("out");
    let report = match filter.run(&["photos"], out, &()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postsafe: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", report.human_summary(out));
    let painted_faces =
        report.photos.iter().find(|p| p.input.ends_with("reading corner.jpg")).map(|p| p.faces.len());
    if painted_faces != Some(2) {
        eprintln!("the painted classroom should show 2 faces found, not {painted_faces:?}: the sample would not show boxes");
        return ExitCode::FAILURE;
    }
    let png = project.join("docs/review.png");
    let shot = root.join("review.png");
    if let Err(e) = support::browser::screenshot(&out.join(postsafe::REVIEW_FILE), &shot, WINDOW.0, WINDOW.1)
    {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    // Chromium's PNG is written for speed; the docs copy is re-encoded for size.
    let picture = image::open(&shot).expect("chromium wrote a PNG").to_rgb8();
    let file = std::fs::File::create(&png).expect("docs/ is writable");
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        file,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    );
    picture.write_with_encoder(encoder).expect("PNG written");
    println!("{}: {} bytes", png.display(), std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0));
    ExitCode::SUCCESS
}
