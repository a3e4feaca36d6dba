//! The share of names drawn into pictures that postsafe finds, by text size and angle: the
//! table in the README's "Names written in photos" section.
//!
//! `cargo run --release --example names_found` — draws every name on the class list below in
//! six fonts (matplotlib's DejaVu faces, fetched from the pinned wheel on first use) at each
//! size and angle, four names to a 1024×768 picture (paper, or a painted texture with light
//! letters), checks each picture with the class list, and counts a name found when a reported
//! text box covers at least half of where it was drawn.

#[path = "../tests/support/lettering.rs"]
mod lettering;
#[path = "../tests/support/photos.rs"]
mod photos;

use image::{DynamicImage, Rgb};
use postsafe::{Filter, Options, Roster};
use rayon::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Text sizes: the font's em height in pixels, about a line's height.
const SIZES: [f32; 5] = [12.0, 16.0, 24.0, 32.0, 48.0];
/// Angles in degrees, anticlockwise.
const ANGLES: [f32; 6] = [0.0, 10.0, -10.0, 30.0, -30.0, 90.0];
const FONTS: [&str; 6] = [
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSansMono.ttf",
];
const NAMES: [&str; 8] =
    ["Sam Taylor", "Olivia", "Zoë Hart", "Mia Parks", "Noah", "Harriet Brown", "Lukas", "Amelia"];

fn main() {
    let roster = Roster::parse(&NAMES.join("\n"));
    // One coarse face-search level: the pictures hold no face, and the table is about text.
    let filter =
        Filter::new(Options { roster, detect_side: Some(192), ..Options::default() }).expect("models load");
    let fonts: Vec<_> = FONTS.iter().map(|f| lettering::font(&photos::font_file(f))).collect();
    let mut jobs = Vec::new();
    for (si, &size) in SIZES.iter().enumerate() {
        for (ai, &angle) in ANGLES.iter().enumerate() {
            for fi in 0..FONTS.len() {
                jobs.push((si, ai, fi, size, angle));
            }
        }
    }
    let results: Vec<(usize, usize, usize, usize)> = jobs
        .par_iter()
        .map(|&(si, ai, fi, size, angle)| {
            let painted = fi % 2 == 1;
            let mut canvas = if painted {
                lettering::painted(1024, 768, (si * 7 + ai * 3 + fi) as u32)
            } else {
                lettering::paper(1024, 768)
            };
            let inks = if painted {
                [Rgb([255, 255, 250]), Rgb([250, 230, 60]), Rgb([10, 10, 10]), Rgb([255, 255, 255])]
            } else {
                [Rgb([15, 15, 15]), Rgb([20, 40, 150]), Rgb([170, 20, 30]), Rgb([20, 110, 40])]
            };
            let mut drawn = Vec::new();
            for cell in 0..4 {
                let name = NAMES[(si + ai + fi + cell) % NAMES.len()];
                let centre = (256.0 + 512.0 * (cell % 2) as f32, 192.0 + 384.0 * (cell / 2) as f32);
                drawn.push(lettering::write(&mut canvas, name, &fonts[fi], size, angle, inks[cell], centre));
            }
            let verdict = filter.check(&DynamicImage::ImageRgb8(canvas)).expect("checked");
            let found = drawn.iter().filter(|&&area| lettering::found(area, &verdict.text_boxes)).count();
            (si, ai, found, drawn.len())
        })
        .collect();
    let mut table = [[(0usize, 0usize); ANGLES.len()]; SIZES.len()];
    for (si, ai, found, total) in results {
        table[si][ai].0 += found;
        table[si][ai].1 += total;
    }
    let header: Vec<String> = ANGLES.iter().map(|a| format!("{a:+}°")).collect();
    println!("| text size | {} | all angles |", header.join(" | "));
    println!("|---|{}---|", "---|".repeat(ANGLES.len()));
    for (si, row) in table.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|(f, t)| format!("{f}/{t}")).collect();
        let (f, t) = row.iter().fold((0, 0), |(a, b), (f, t)| (a + f, b + t));
        println!("| {} px | {} | {:.0}% |", SIZES[si], cells.join(" | "), 100.0 * f as f64 / t as f64);
    }
    let (f, t) = table.iter().flatten().fold((0, 0), |(a, b), (f, t)| (a + f, b + t));
    println!("\nfound {f} of {t} drawn names ({:.0}%)", 100.0 * f as f64 / t as f64);
}
