//! The app in a real browser: `tests/app/app.test.mjs` drives `postsafe app` in Debian's
//! chromium through Playwright (drops photos, waits for the check, makes every kind of
//! decision, tries requests without the token and with a foreign host, takes the README's
//! screenshots), and this test then checks the pixels it wrote with the real detector: the
//! copy whose faces a person had covered shows no face, and an area a person drew is covered
//! exactly there. `.ci/run` installs chromium and Node; the script's packages are installed
//! on first use from its lock file.

#![cfg(unix)]

mod support;

use image::DynamicImage;
use postsafe::{Filter, Options, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{painted, photos};

/// The folder of the browser test, with its `package.json` and lock file.
fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/app")
}

/// Installs the script's packages (playwright-core, which never downloads a browser) from its
/// lock file, once.
fn install_packages() {
    if script_dir().join("node_modules/playwright-core").is_dir() {
        return;
    }
    let installed = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(script_dir())
        .status()
        .expect("npm runs: install Node.js (Debian: apt-get install nodejs npm), as .ci/run does");
    assert!(installed.success(), "npm ci in tests/app failed");
}

/// A face-free card with fine detail everywhere (a small checkerboard over colour gradients),
/// so that covering any part of it shows.
fn detailed_card() -> image::RgbImage {
    let mut card = support::test_card(640, 480);
    for (x, y, px) in card.enumerate_pixels_mut() {
        let lift = if (x / 6 + y / 6) % 2 == 0 { 40 } else { 0 };
        px.0 = px.0.map(|c| c.saturating_add(lift));
    }
    card
}

/// The three photos the script drops: a portrait with one face, a painting and a card.
fn test_photos(dir: &Path) {
    std::fs::copy(photos::photo("grace_hopper.jpg"), dir.join("portrait.jpg")).unwrap();
    DynamicImage::ImageRgb8(painted::painting(30)).save(dir.join("painting.png")).unwrap();
    std::fs::write(dir.join("card.jpg"), support::jpeg_with_exif(&detailed_card(), 1, false)).unwrap();
}

/// Where the screenshots go: `target/app-screenshots/`, copied into `docs/` by hand when they
/// change.
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/app-screenshots")
}

#[test]
fn a_teacher_drops_photos_reviews_them_and_decides_in_a_real_browser() {
    install_packages();
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    test_photos(&photos);
    let run = Command::new("node")
        .arg(script_dir().join("app.test.mjs"))
        .env("POSTSAFE_BIN", env!("CARGO_BIN_EXE_postsafe"))
        .env("POSTSAFE_TEST_PHOTOS", &photos)
        .env("POSTSAFE_SCREENSHOTS", screenshots())
        .env("POSTSAFE_APP_OUT", root.path().join("results"))
        .output()
        .expect("node runs");
    let said = String::from_utf8_lossy(&run.stdout);
    println!("{said}");
    assert!(run.status.success(), "{said}\n{}", String::from_utf8_lossy(&run.stderr));
    let line = |key: &str| {
        said.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("the script printed no {key} line"))
            .to_string()
    };

    let filter = Filter::new(Options::default()).unwrap();
    let covered = image::open(line("COVERED_FILE=")).unwrap();
    assert_eq!(filter.check(&covered).unwrap().outcome, Outcome::Ready, "the covered copy shows no face");

    let area = line("COVERED_AREA=");
    let mut fields = area.rsplitn(5, ' ');
    let [h, w, y, x]: [u32; 4] = std::array::from_fn(|_| fields.next().unwrap().parse().unwrap());
    let copy = image::open(fields.next().unwrap()).unwrap().to_luma8();
    let original = DynamicImage::ImageRgb8(detailed_card()).to_luma8();
    assert_eq!(copy.dimensions(), original.dimensions());
    // The share of pixels that differ sharply from their right-hand neighbour: the card's
    // checkerboard edges, or the few edges between the flat blocks of a covered area.
    let edges = |picture: &image::GrayImage, (x0, y0, x1, y1): (u32, u32, u32, u32)| {
        let sharp = (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| picture.get_pixel(x, y)[0].abs_diff(picture.get_pixel(x + 1, y)[0]) > 12)
            .count();
        sharp as f64 / f64::from((x1 - x0) * (y1 - y0))
    };
    // Inside the area, away from its edges, the detail is gone.
    let inside = (x + w / 4, y + h / 4, x + w * 3 / 4, y + h * 3 / 4);
    assert!(
        edges(&copy, inside) < edges(&original, inside) / 4.0,
        "the drawn area is covered: {:.3} of its pixels at an edge, against {:.3} in the original",
        edges(&copy, inside),
        edges(&original, inside)
    );
    // Outside it (beyond the margin covering adds) the picture is as it was, but for JPEG.
    let margin = w.max(h) / 3 + 8;
    let away =
        |px: u32, py: u32| px + margin < x || px > x + w + margin || py + margin < y || py > y + h + margin;
    let outside: Vec<f64> = copy
        .enumerate_pixels()
        .filter(|(px, py, _)| away(*px, *py))
        .map(|(px, py, p)| (f64::from(p[0]) - f64::from(original.get_pixel(px, py)[0])).abs())
        .collect();
    let differs = outside.iter().sum::<f64>() / outside.len() as f64;
    assert!(differs < 6.0, "outside the area the picture is unchanged: mean difference {differs:.1}");
    assert!(screenshots().join("app-review.png").exists() && screenshots().join("app-drop.png").exists());
}
