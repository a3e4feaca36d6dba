//! What an outside attack on postsafe found, each hole closed: a face kept under nearly
//! transparent pixels, colour profiles that carry pictures and names, names typed without their
//! apostrophe or hyphen, results written where the photos are, formats named truthfully,
//! animations and pages that were never checked, and a smallest face larger than any photo.

mod support;

use image::{DynamicImage, ImageFormat, RgbaImage};
use postsafe::{Filter, Options, Outcome, Report, Roster};
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use support::{painted, photos};

fn filter() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| Filter::new(Options::default()).expect("the built-in model loads"))
}

/// The files (name, bytes) in a fresh folder, run through `filter`: the folder, the report and
/// the output folder.
fn run(filter: &Filter, files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Report, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    fs::create_dir(&photos).unwrap();
    for (name, bytes) in files {
        let path = photos.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let out = root.path().join("out");
    let report = filter.run(&[&photos], &out, &()).unwrap();
    (root, report, out)
}

fn photo<'a>(report: &'a Report, name: &str) -> &'a postsafe::PhotoReport {
    report.photos.iter().find(|p| p.input.ends_with(name)).unwrap_or_else(|| panic!("{name}: {report:#?}"))
}

fn encoded(picture: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    picture.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn lossless_webp(picture: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(picture.as_raw(), picture.width(), picture.height(), image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_face_under_nearly_transparent_pixels_never_reaches_ready() {
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap().to_rgba8();
    let face = filter().check(&DynamicImage::ImageRgba8(portrait.clone())).unwrap().faces[0].clone();
    let faint_everywhere = RgbaImage::from_fn(portrait.width(), portrait.height(), |x, y| {
        let [r, g, b, _] = portrait.get_pixel(x, y).0;
        image::Rgba([r, g, b, 2])
    });
    let faint_over_the_face = RgbaImage::from_fn(portrait.width(), portrait.height(), |x, y| {
        let [r, g, b, _] = portrait.get_pixel(x, y).0;
        let on_face = (face.x..face.x + face.w).contains(&x) && (face.y..face.y + face.h).contains(&y);
        image::Rgba([r, g, b, if on_face { 1 } else { 255 }])
    });
    let files = [
        ("faint.png", encoded(&DynamicImage::ImageRgba8(faint_everywhere.clone()), ImageFormat::Png)),
        ("faint-face.png", encoded(&DynamicImage::ImageRgba8(faint_over_the_face.clone()), ImageFormat::Png)),
        ("faint.webp", lossless_webp(&faint_everywhere)),
        ("faint-face.webp", lossless_webp(&faint_over_the_face)),
    ];
    let (_dir, report, _out) = run(filter(), &files);
    for (name, _) in &files {
        let entry = photo(&report, name);
        let Some(output) = &entry.output else { continue };
        let posted = image::open(output).unwrap();
        assert!(!posted.color().has_alpha(), "{name}: the copy is the picture as analysed, with no alpha");
        // What a program that drops alpha shows: the colour channels alone.
        let colours = DynamicImage::ImageRgb8(posted.to_rgb8());
        assert_eq!(filter().check(&colours).unwrap().outcome, Outcome::Ready, "{name}: a face in {output}");
    }
}

/// The bytes of `jpeg`'s scans: from the first start-of-scan marker to the end marker.
fn scan_data(jpeg: &[u8]) -> &[u8] {
    let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).expect("a scan");
    &jpeg[sos..jpeg.len() - 2]
}

#[test]
fn a_face_in_a_second_scan_of_a_jpeg_never_reaches_ready() {
    // A card, and after its scan a portrait's scan of the same size and tables: the decoder
    // postsafe uses stops after the first, others paint the second over it.
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap();
    let card = DynamicImage::ImageRgb8(support::test_card(portrait.width(), portrait.height()));
    let shown = encoded(&card, ImageFormat::Jpeg);
    let hidden = encoded(&DynamicImage::ImageRgb8(portrait.to_rgb8()), ImageFormat::Jpeg);
    let doubled = [&shown[..shown.len() - 2], scan_data(&hidden), &[0xFF, 0xD9]].concat();
    let (_dir, report, _out) = run(filter(), &[("card.jpg", doubled)]);
    let entry = photo(&report, "card.jpg");
    assert_eq!(entry.outcome, Outcome::Ready, "{entry:?}");
    let copy = fs::read(entry.output.as_ref().unwrap()).unwrap();
    assert!(!entry.copy.as_ref().unwrap().lossless, "{entry:?}");
    assert_eq!(copy.windows(2).filter(|w| *w == [0xFF, 0xDA]).count(), 1, "one scan, re-encoded");
    assert!(!contains(&copy, scan_data(&hidden)), "the portrait's scan is gone");
}

/// Display P3, described with a child's name, with a whole photo of a face after its tags.
fn profile_carrying(name: &str, picture: &[u8]) -> Vec<u8> {
    let mut p3 = moxcms::ColorProfile::new_display_p3();
    p3.description = Some(moxcms::ProfileText::PlainString(format!("{name}'s phone")));
    [p3.encode().unwrap(), picture.to_vec()].concat()
}

/// `jpeg` with `profile` in APP2 segments right after its start marker.
fn with_profile(jpeg: &[u8], profile: &[u8]) -> Vec<u8> {
    let mut segments = Vec::new();
    let parts: Vec<&[u8]> = profile.chunks(60_000).collect();
    for (n, part) in parts.iter().enumerate() {
        let body = [&b"ICC_PROFILE\0"[..], &[n as u8 + 1, parts.len() as u8], part].concat();
        segments.extend_from_slice(&[0xFF, 0xE2]);
        segments.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
        segments.extend_from_slice(&body);
    }
    [&jpeg[..2], &segments, &jpeg[2..]].concat()
}

#[test]
fn a_colour_profile_carrying_a_face_and_a_name_leaves_neither_and_the_name_holds_the_photo_back() {
    let face = fs::read(photos::photo("grace_hopper.jpg")).unwrap();
    let card = support::jpeg_with_exif(&painted::painting(3), 1, false);
    let tagged = with_profile(&card, &profile_carrying("Chloe O'Neil", &face));
    let (_dir, report, _out) = run(filter(), &[("card.jpg", tagged.clone())]);
    let entry = photo(&report, "card.jpg");
    assert_eq!(entry.outcome, Outcome::Ready, "{entry:#?}");
    let posted = fs::read(entry.output.as_ref().unwrap()).unwrap();
    assert_eq!(posted.windows(3).filter(|w| w == &[0xFF, 0xD8, 0xFF]).count(), 1, "one picture, no other");
    assert!(!contains(&posted, b"Chloe") && !contains(&posted, b"O'Neil"));
    assert!(posted.len() < card.len() + 2_000, "the profile was rebuilt, not copied");

    let class =
        Filter::new(Options { roster: Roster::parse("Chloe O'Neil\n"), ..Options::default() }).unwrap();
    let (_dir, report, _out) = run(&class, &[("card.jpg", tagged)]);
    let entry = photo(&report, "card.jpg");
    assert_eq!(entry.outcome, Outcome::HeldBack);
    assert_eq!(entry.reason.as_deref(), Some("names a child: colour profile"));
}

#[test]
fn names_typed_without_their_apostrophe_or_hyphen_hold_photos_back() {
    let class = Filter::new(Options {
        roster: Roster::parse("Chloe O'Neil\nMary-Jane Watson\nJean-Luc D’Arcy\n"),
        ..Options::default()
    })
    .unwrap();
    let card = encoded(&DynamicImage::ImageRgb8(painted::painting(5)), ImageFormat::Png);
    let names = ["oneil.png", "maryjane.png", "darcy.png", "flowers.png"];
    let files: Vec<(&str, Vec<u8>)> = names.iter().map(|n| (*n, card.clone())).collect();
    let (_dir, report, _out) = run(&class, &files);
    for name in &names[..3] {
        assert_eq!(photo(&report, name).reason.as_deref(), Some("names a child: file name"), "{name}");
    }
    assert_eq!(photo(&report, "flowers.png").outcome, Outcome::Ready);
}

fn postsafe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_postsafe"))
}

fn painting_in(folder: &Path, name: &str, seed: u8) {
    fs::create_dir_all(folder).unwrap();
    fs::write(folder.join(name), support::jpeg_with_exif(&painted::painting(seed), 1, false)).unwrap();
}

#[test]
fn results_are_never_written_among_the_photos_being_checked() {
    let root = tempfile::tempdir().unwrap();
    let trip = root.path().join("Trip");
    painting_in(&trip, "a.jpg", 1);
    for out in [trip.clone(), root.path().to_path_buf()] {
        let done = postsafe().arg(&trip).arg("-o").arg(&out).output().unwrap();
        assert_eq!(done.status.code(), Some(2), "-o {}", out.display());
        let said = String::from_utf8_lossy(&done.stderr);
        assert!(said.contains("cannot go into the folder of photos"), "{said}");
    }
    assert_eq!(fs::read_dir(&trip).unwrap().count(), 1, "nothing written among the photos");
}

#[test]
fn two_batches_from_one_folder_keep_their_results_apart_and_no_run_takes_results_for_photos() {
    let root = tempfile::tempdir().unwrap();
    painting_in(&root.path().join("Trip 1"), "a.jpg", 1);
    painting_in(&root.path().join("Trip 2"), "b.jpg", 2);
    for trip in ["Trip 1", "Trip 2"] {
        let done = postsafe().arg(root.path().join(trip)).arg("-q").output().unwrap();
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let ready = root.path().join(format!("{trip} (postsafe)")).join(postsafe::READY_DIR);
        assert_eq!(fs::read_dir(&ready).unwrap().count(), 1, "{trip}'s own photo only");
    }
    let done = postsafe()
        .arg(root.path())
        .args(["-q", "--json", "-o"])
        .arg(root.path().join("all"))
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&done.stdout).unwrap();
    let inputs: Vec<&str> = report.photos.iter().map(|p| p.input.as_str()).collect();
    assert_eq!(inputs.len(), 2, "the two photos, not their copies: {inputs:?}");
    let given_results = postsafe().arg(root.path().join("Trip 1 (postsafe)")).output().unwrap();
    assert_eq!(given_results.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&given_results.stderr).contains("results of an earlier postsafe run"));
}

#[test]
fn files_a_computer_makes_beside_photos_are_passed_over_quietly() {
    let card = encoded(&DynamicImage::ImageRgb8(painted::painting(7)), ImageFormat::Jpeg);
    let files = [
        ("painting.jpg", card.clone()),
        ("._painting.jpg", b"\0\x05\x16\x07\0\x02\0\0Mac OS X".to_vec()),
        ("Thumbs.db", vec![0xD0, 0xCF, 0x11, 0xE0]),
        ("desktop.ini", b"[.ShellClassInfo]".to_vec()),
        ("$RECYCLE.BIN/deleted.jpg", card.clone()),
        (".Trashes/501/old.jpg", card),
    ];
    let (_dir, report, _out) = run(filter(), &files);
    let inputs: Vec<&str> = report.photos.iter().map(|p| p.input.as_str()).collect();
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert!(inputs[0].ends_with("painting.jpg"));
}

#[test]
fn a_file_name_that_holds_terminal_controls_is_printed_escaped() {
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    fs::create_dir(&photos).unwrap();
    fs::write(photos.join("clear\x1b[2J\x1b]0;owned\x07.jpg"), b"not a picture").unwrap();
    let done = postsafe().arg(&photos).arg("-o").arg(root.path().join("out")).output().unwrap();
    let said = [done.stdout, done.stderr].concat();
    assert!(!said.contains(&0x1b) && !said.contains(&0x07), "{}", String::from_utf8_lossy(&said));
    assert!(String::from_utf8_lossy(&said).contains(r"clear\u{1b}[2J"));
}

/// A baseline JPEG whose frame header says `marker` and `precision`.
fn jpeg_claiming(marker: u8, precision: u8) -> Vec<u8> {
    let mut jpeg = encoded(&DynamicImage::ImageRgb8(painted::painting(9)), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 1] = marker;
    jpeg[sof + 4] = precision;
    jpeg
}

#[test]
fn formats_postsafe_cannot_open_are_named_with_what_to_do() {
    let cases: [(&str, Vec<u8>, &str); 10] = [
        ("arithmetic.jpg", jpeg_claiming(0xC9, 8), "arithmetic-coded JPEG"),
        ("twelve-bit.jpg", jpeg_claiming(0xC1, 12), "12-bit JPEG"),
        ("lossless.jpg", jpeg_claiming(0xC3, 8), "lossless JPEG"),
        ("icon.ico", [&[0u8, 0, 1, 0, 1, 0, 16, 16][..], &[0; 40]].concat(), "Windows icon"),
        ("photo.avif", [&b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf"[..], &[0; 64]].concat(), "AVIF"),
        ("scan.jp2", [&b"\0\0\0\x0CjP  \r\n\x87\n"[..], &[0; 64]].concat(), "JPEG 2000"),
        ("poster.psd", [&b"8BPS\0\x01"[..], &[0; 64]].concat(), "Photoshop"),
        (
            "drawing.svg",
            b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
            "SVG",
        ),
        ("letter.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(), "PDF"),
        ("clip.mp4", [&b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"[..], &[0; 64]].concat(), "video"),
    ];
    let files: Vec<(&str, Vec<u8>)> = cases.iter().map(|(n, b, _)| (*n, b.clone())).collect();
    let (_dir, report, _out) = run(filter(), &files);
    for (name, _, format) in &cases {
        let entry = photo(&report, name);
        let said = entry.error.as_deref().unwrap_or_default();
        assert!(said.contains(format), "{name}: {said}");
        assert!(!said.contains("Copy it again") && !said.contains("Most Compatible"), "{name}: {said}");
        let expected = if matches!(*format, "PDF" | "video") { Outcome::Skipped } else { Outcome::Error };
        assert_eq!(entry.outcome, expected, "{name}");
    }
}

/// Two face-free frames as an animated PNG.
fn apng(frames: &[RgbaImage]) -> Vec<u8> {
    let (w, h) = frames[0].dimensions();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_animated(frames.len() as u32, 0).unwrap();
    let mut writer = encoder.write_header().unwrap();
    for frame in frames {
        writer.write_image_data(frame.as_raw()).unwrap();
    }
    writer.finish().unwrap();
    out
}

/// `frames` as an animated WebP: each a lossless still's VP8L data in an ANMF chunk.
fn animated_webp(frames: &[RgbaImage]) -> Vec<u8> {
    let (w, h) = frames[0].dimensions();
    let le24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = [kind, &(data.len() as u32).to_le_bytes()[..], data].concat();
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", &[&[0x12u8, 0, 0, 0][..], &le24(w - 1), &le24(h - 1)].concat()));
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for frame in frames {
        let still = lossless_webp(frame);
        let header = [le24(0), le24(0), le24(w - 1), le24(h - 1), le24(100), vec![0]].concat();
        body.extend(chunk(b"ANMF", &[&header[..], &still[12..]].concat()));
    }
    [&b"RIFF"[..], &(body.len() as u32).to_le_bytes(), &body].concat()
}

/// `pages` as one TIFF file, a page each.
fn pages_tiff(pages: &[RgbaImage]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
    for page in pages {
        let rgb = DynamicImage::ImageRgba8(page.clone()).to_rgb8();
        encoder
            .write_image::<tiff::encoder::colortype::RGB8>(rgb.width(), rgb.height(), rgb.as_raw())
            .unwrap();
    }
    out.into_inner()
}

#[test]
fn animations_and_pages_beyond_the_first_are_said_to_be_left_out() {
    let frames: Vec<RgbaImage> =
        (0..2).map(|i| DynamicImage::ImageRgb8(painted::painting(20 + i)).to_rgba8()).collect();
    let files = [
        ("moving.png", apng(&frames)),
        ("moving.webp", animated_webp(&frames)),
        ("pages.tif", pages_tiff(&frames)),
    ];
    let (_dir, report, _out) = run(filter(), &files);
    for (name, kind) in [("moving.png", "frame"), ("moving.webp", "frame"), ("pages.tif", "page")] {
        let entry = photo(&report, name);
        assert_eq!(entry.outcome, Outcome::Ready, "{name}: {entry:#?}");
        let said = entry.warnings.join(" ");
        assert!(said.contains(&format!("only its first {kind}")), "{name}: {said}");
    }
}

#[test]
fn a_smallest_face_larger_than_any_posted_photo_is_refused_and_a_large_one_still_finds_a_close_up() {
    let refused = Filter::new(Options { min_face: 5000, ..Options::default() }).err().expect("refused");
    assert!(refused.to_string().contains("--min-face"), "{refused}");
    let coarse = Filter::new(Options { min_face: 2048, ..Options::default() }).unwrap();
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap();
    assert_eq!(coarse.check(&portrait).unwrap().outcome, Outcome::HeldBack, "a face filling the photo");
}
