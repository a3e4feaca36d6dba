//! Children's names written in the picture (a signed painting, a name badge, a shaky
//! handwritten name) hold a photo back, or are covered with `--faces blur`; other words do
//! not; the report never repeats a name. Names are drawn by the tests in fonts from a pinned
//! package; real photos of text come from pinned packages too.

mod support;

use image::{DynamicImage, Rgb, RgbImage};
use postsafe::{FaceAction, Filter, Options, Outcome, Report, Roster};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::{lettering, photos};

const ROSTER: &str = "# Class 3B\nSam Taylor\nOlivia Brown\nZoë Hart\nMia Parks\n";

fn filter(faces: FaceAction) -> &'static Filter {
    static HOLD: OnceLock<Filter> = OnceLock::new();
    static BLUR: OnceLock<Filter> = OnceLock::new();
    let cell = if faces == FaceAction::Hold { &HOLD } else { &BLUR };
    cell.get_or_init(|| {
        Filter::new(Options { faces, roster: Roster::parse(ROSTER), ..Options::default() }).unwrap()
    })
}

fn font(name: &str) -> ab_glyph::FontVec {
    lettering::font(&photos::font_file(name))
}

/// Runs `filter` over `pictures` (saved as JPEG under their names) and returns the report,
/// the output folder and the temporary folder holding both.
fn run(filter: &Filter, pictures: &[(&str, &RgbImage)]) -> (Report, PathBuf, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let inputs = root.path().join("photos");
    std::fs::create_dir_all(&inputs).unwrap();
    for (name, picture) in pictures {
        picture.save(inputs.join(name)).unwrap();
    }
    let out = root.path().join("out");
    let report = filter.run(&[&inputs], &out, &()).unwrap();
    (report, out, root)
}

fn entry<'a>(report: &'a Report, name: &str) -> &'a postsafe::PhotoReport {
    report
        .photos
        .iter()
        .find(|p| p.input.ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in {report:#?}"))
}

/// Asserts `name` was held back for a name written in it, found where it was drawn.
fn held_for_name(report: &Report, name: &str, drawn: lettering::Area) {
    let photo = entry(report, name);
    assert_eq!(photo.outcome, Outcome::HeldBack, "{photo:#?}");
    assert_eq!(photo.reason.as_deref(), Some("name written in the photo"), "{photo:#?}");
    assert!(lettering::found(drawn, &photo.text_boxes), "drawn at {drawn:?}, boxes {:?}", photo.text_boxes);
    assert!(photo.output.is_none());
}

/// A child's painting, signed in the corner.
fn signed_painting(signature: &str, font_name: &str) -> (RgbImage, lettering::Area) {
    let mut painting = support::painted::painting(90);
    let drawn = lettering::write(
        &mut painting,
        signature,
        &font(font_name),
        30.0,
        6.0,
        Rgb([40, 20, 90]),
        (500.0, 440.0),
    );
    (painting, drawn)
}

#[test]
fn a_painting_signed_by_a_child_is_held_back() {
    let (signed, at) = signed_painting("Olivia", "DejaVuSerif-Italic.ttf");
    // Painted all over, with the whole name written across the brush strokes.
    let mut texture = lettering::painted(800, 600, 3);
    let across = lettering::write(
        &mut texture,
        "Zoe Hart",
        &font("DejaVuSans-Bold.ttf"),
        56.0,
        -12.0,
        Rgb([250, 250, 240]),
        (420.0, 300.0),
    );
    let (report, out, _root) =
        run(filter(FaceAction::Hold), &[("signed.jpg", &signed), ("texture.png", &texture)]);
    held_for_name(&report, "signed.jpg", at);
    held_for_name(&report, "texture.png", across);
    assert!(std::fs::read_dir(out.join(postsafe::READY_DIR)).unwrap().next().is_none());
}

#[test]
fn a_name_badge_is_held_back() {
    let (mut badge, centre) = lettering::badge(&font("DejaVuSans-Bold.ttf"));
    let drawn = lettering::write(
        &mut badge,
        "Sam Taylor",
        &font("DejaVuSans.ttf"),
        44.0,
        0.0,
        Rgb([20, 20, 20]),
        centre,
    );
    // A real photo of a sign whose last line is a listed surname ("Car Parks" for Mia Parks).
    let sign = image::open(photos::photo("scenetext02.jpg")).unwrap().to_rgb8();
    let (report, _out, _root) = run(filter(FaceAction::Hold), &[("badge.jpg", &badge), ("sign.jpg", &sign)]);
    held_for_name(&report, "badge.jpg", drawn);
    let sign_entry = entry(&report, "sign.jpg");
    assert_eq!(sign_entry.outcome, Outcome::HeldBack, "{sign_entry:#?}");
    assert_eq!(sign_entry.reason.as_deref(), Some("name written in the photo"));
}

#[test]
fn a_shaky_name_with_one_wrong_letter_still_counts() {
    let mut paper = lettering::paper(640, 480);
    // "Olivja" for Olivia, letters wobbling, in a felt-tip green.
    let drawn = lettering::write_shaky(
        &mut paper,
        "Olivja",
        &font("DejaVuSans-Oblique.ttf"),
        48.0,
        Rgb([20, 110, 40]),
        (320.0, 240.0),
        7,
    );
    let (report, _out, _root) = run(filter(FaceAction::Hold), &[("shaky.png", &paper)]);
    held_for_name(&report, "shaky.png", drawn);
}

#[test]
fn a_name_in_a_later_frame_holds_the_animation_back() {
    let (signed, at) = signed_painting("Olivia", "DejaVuSans-Bold.ttf");
    let plain = support::painted::painting(90);
    let rgba = |picture: &RgbImage| DynamicImage::ImageRgb8(picture.clone()).to_rgba8();
    let root = tempfile::tempdir().unwrap();
    let inputs = root.path().join("photos");
    std::fs::create_dir_all(&inputs).unwrap();
    let frames = [rgba(&plain), rgba(&plain), rgba(&signed)];
    std::fs::write(inputs.join("signed-at-the-end.gif"), support::animation(&frames)).unwrap();
    for faces in [FaceAction::Hold, FaceAction::Blur] {
        let out = root.path().join(format!("out-{faces:?}"));
        let report = filter(faces).run(&[&inputs], &out, &()).unwrap();
        let photo = entry(&report, "signed-at-the-end.gif");
        assert_eq!(photo.outcome, Outcome::HeldBack, "{faces:?}: {photo:#?}");
        assert_eq!(photo.reason.as_deref(), Some("name written in the photo (frame 3 of the animation)"));
        assert!(
            lettering::found(at, &photo.text_boxes),
            "{faces:?}: drawn at {at:?}, boxes {:?}",
            photo.text_boxes
        );
        assert!(std::fs::read_dir(out.join(postsafe::READY_DIR)).unwrap().next().is_none(), "{faces:?}");
    }
}

#[test]
fn white_writing_on_a_see_through_background_goes_out_only_as_it_shows_over_white() {
    // A sticker exported with a transparent background: white letters, and white under the
    // transparent pixels too, so over white there is nothing to see; a dark theme, or a program
    // that drops transparency, would show the name. It is analysed and posted over white, so
    // the copy holds no name to show.
    let mut letters = RgbImage::from_pixel(640, 240, Rgb([0, 0, 0]));
    let drawn = lettering::write(
        &mut letters,
        "Mia Parks",
        &font("DejaVuSans-Bold.ttf"),
        56.0,
        0.0,
        Rgb([255, 255, 255]),
        (320.0, 120.0),
    );
    let sticker =
        image::RgbaImage::from_fn(640, 240, |x, y| image::Rgba([255, 255, 255, letters.get_pixel(x, y)[0]]));
    let root = tempfile::tempdir().unwrap();
    let inputs = root.path().join("photos");
    std::fs::create_dir_all(&inputs).unwrap();
    sticker.save(inputs.join("sticker.png")).unwrap();
    let report = filter(FaceAction::Hold).run(&[&inputs], &root.path().join("out"), &()).unwrap();
    let photo = entry(&report, "sticker.png");
    assert_eq!(photo.outcome, Outcome::Ready, "{photo:#?}");
    let posted = image::open(photo.output.as_ref().unwrap()).unwrap();
    assert!(!posted.color().has_alpha(), "no transparency to hide the letters under");
    let posted = posted.to_rgb8();
    let darkest = posted.pixels().map(|p| p[0].min(p[1]).min(p[2])).min().unwrap();
    assert!(
        darkest > 240,
        "nothing but white: the letters are not in the copy ({darkest}); drawn at {drawn:?}"
    );
}

#[test]
fn a_rerun_that_covers_a_name_leaves_no_uncovered_copy_behind() {
    let (signed, _) = signed_painting("Sam Taylor", "DejaVuSans.ttf");
    let root = tempfile::tempdir().unwrap();
    let (inputs, out) = (root.path().join("photos"), root.path().join("out"));
    std::fs::create_dir_all(&inputs).unwrap();
    signed.save(inputs.join("signed.png")).unwrap();
    let ready = || std::fs::read_dir(out.join(postsafe::READY_DIR)).unwrap().count();
    // Without a class list the painting is copied out unchanged, as a PNG.
    let first = Filter::new(Options::default()).unwrap().run(&[&inputs], &out, &()).unwrap();
    assert_eq!(entry(&first, "signed.png").outcome, Outcome::Ready);
    assert_eq!(ready(), 1);
    // With one and --faces blur, the name is covered and the copy re-encoded as a JPEG: only
    // that copy may stay.
    let second = filter(FaceAction::Blur).run(&[&inputs], &out, &()).unwrap();
    let photo = entry(&second, "signed.png");
    assert_eq!(photo.outcome, Outcome::Blurred, "{photo:#?}");
    assert_eq!(ready(), 1, "the uncovered PNG of the first run is gone");
    assert!(Path::new(photo.output.as_deref().unwrap()).exists());
}

#[test]
fn only_non_roster_words_stay_ready() {
    let mut painting = support::painted::painting(30);
    let words = [
        ("Sunflowers", 0.0, (320.0, 60.0)),
        ("Class 3B", 8.0, (480.0, 440.0)),
        ("Autumn 2026", -10.0, (160.0, 420.0)),
    ];
    for (text, angle, at) in words {
        lettering::write(&mut painting, text, &font("DejaVuSerif.ttf"), 34.0, angle, Rgb([30, 30, 30]), at);
    }
    // Real photos of text that names nobody on the list: a sign, a scanned page, a logo.
    let real: Vec<(String, RgbImage)> = ["scenetext_segmented_word01.jpg", "page.png", "logo2.png"]
        .iter()
        .map(|name| (name.to_string(), image::open(photos::photo(name)).unwrap().to_rgb8()))
        .collect();
    let mut pictures: Vec<(&str, &RgbImage)> = vec![("words.png", &painting)];
    pictures.extend(real.iter().map(|(name, picture)| (name.as_str(), picture)));
    let (report, _out, _root) = run(filter(FaceAction::Hold), &pictures);
    for (name, _) in &pictures {
        let photo = entry(&report, name);
        assert_eq!(photo.outcome, Outcome::Ready, "{photo:#?}");
        assert!(photo.text_boxes.is_empty());
    }
}

#[test]
fn the_report_never_contains_a_roster_name() {
    let (signed, _) = signed_painting("Sam Taylor", "DejaVuSans.ttf");
    let (mut badge, centre) = lettering::badge(&font("DejaVuSans-Bold.ttf"));
    lettering::write(
        &mut badge,
        "Olivia Brown",
        &font("DejaVuSerif.ttf"),
        36.0,
        0.0,
        Rgb([10, 10, 120]),
        centre,
    );
    let pictures = [("signed.jpg", &signed), ("badge.jpg", &badge)];
    for faces in [FaceAction::Hold, FaceAction::Blur] {
        let (report, out, _root) = run(filter(faces), &pictures);
        assert!(report.photos.iter().all(|p| !p.text_boxes.is_empty()), "{faces:?}: {report:#?}");
        for file in [postsafe::REPORT_FILE, postsafe::REVIEW_FILE] {
            let text = std::fs::read_to_string(out.join(file)).unwrap().to_lowercase();
            for name in ["sam", "taylor", "olivia", "brown", "zoe", "zoë", "hart", "mia", "parks"] {
                assert!(!contains_word(&text, name), "{faces:?}: {file} contains {name:?}");
            }
        }
    }
}

/// Whether `word` appears in `text` as a word of its own (so "hart" inside "chart" is not it).
fn contains_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| w == word)
}

#[test]
fn with_blur_the_name_is_covered_and_the_photo_goes_out() {
    let (signed, at) = signed_painting("Sam Taylor", "DejaVuSans.ttf");
    let (report, _out, _root) = run(filter(FaceAction::Blur), &[("signed.png", &signed)]);
    let photo = entry(&report, "signed.png");
    assert_eq!(photo.outcome, Outcome::Blurred, "{photo:#?}");
    assert!(lettering::found(at, &photo.text_boxes), "{photo:#?}");
    assert!(photo.copy.as_ref().unwrap().why.contains("names written in it covered"), "{photo:#?}");
    // The copy that goes out names nobody: read again, it passes a holding run untouched.
    let posted = Path::new(photo.output.as_deref().unwrap());
    let verdict = filter(FaceAction::Hold).check(&image::open(posted).unwrap()).unwrap();
    assert_eq!(verdict.outcome, Outcome::Ready, "{:?}", verdict.text_boxes);
    // Only the name was covered: the sky at the top is as painted.
    let copy = image::open(posted).unwrap().to_rgb8();
    let (sky, painted) = (copy.get_pixel(20, 20), signed.get_pixel(20, 20));
    assert!((0..3).all(|c| sky[c].abs_diff(painted[c]) <= 8), "{sky:?} vs {painted:?}");
}

#[test]
fn without_a_roster_nothing_is_read() {
    let (signed, _) = signed_painting("Sam Taylor", "DejaVuSans.ttf");
    let plain = Filter::new(Options::default()).unwrap();
    let verdict = plain.check(&DynamicImage::ImageRgb8(signed)).unwrap();
    assert_eq!(verdict.outcome, Outcome::Ready);
    assert!(verdict.text_boxes.is_empty());
}

#[test]
fn an_old_report_without_text_boxes_still_parses() {
    let (report, out, _root) = run(filter(FaceAction::Hold), &[("plain.png", &support::test_card(200, 150))]);
    assert!(entry(&report, "plain.png").text_boxes.is_empty());
    let json = std::fs::read_to_string(out.join(postsafe::REPORT_FILE)).unwrap();
    assert!(!json.contains("text_boxes"), "a report with no name found keeps its first layout");
    let parsed: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.summary.ready, 1);
}
