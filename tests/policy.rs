//! The school's photo rules, checked end to end on real photos with the real model.

mod support;

use postsafe::{FaceAction, Filter, Options, Outcome, Report};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::photos;

fn filter() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| Filter::new(Options::default()).expect("the built-in model loads"))
}

fn blurring_filter() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        Filter::new(Options { faces: FaceAction::Blur, ..Options::default() }).expect("model loads")
    })
}

/// A fresh input folder holding copies of `files` (name, bytes), and an output folder.
fn batch(files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().expect("temp dir");
    let input = root.path().join("photos");
    fs::create_dir(&input).unwrap();
    for (name, bytes) in files {
        fs::write(input.join(name), bytes).unwrap();
    }
    let out = root.path().join("out");
    (root, input, out)
}

fn ready_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(out.join(postsafe::READY_DIR))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn outcome_of<'a>(report: &'a Report, name: &str) -> &'a postsafe::PhotoReport {
    report.photos.iter().find(|p| p.input.ends_with(name)).unwrap_or_else(|| panic!("{name} not in report"))
}

#[test]
fn a_portrait_is_held_back() {
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap();
    let verdict = filter().check(&portrait).unwrap();
    assert_eq!(verdict.outcome, Outcome::HeldBack);
    assert_eq!(verdict.faces.len(), 1, "{:?}", verdict.faces);
    assert!(verdict.publishable.is_none());
}

#[test]
fn a_one_pass_search_at_640_px_still_holds_a_portrait_back() {
    let quick = Filter::new(Options { detect_side: Some(640), ..Options::default() }).unwrap();
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap();
    assert_eq!(quick.check(&portrait).unwrap().outcome, Outcome::HeldBack);
}

#[test]
fn every_pinned_photo_with_faces_is_held_back_with_every_face_counted() {
    for pinned in photos::PHOTOS {
        let photos::Shows::Faces(count) = pinned.shows else { continue };
        let picture = image::open(photos::photo(pinned.name)).unwrap();
        let verdict = filter().check(&picture).unwrap();
        assert_eq!(verdict.outcome, Outcome::HeldBack, "{}", pinned.name);
        assert_eq!(verdict.faces.len(), count, "{}: {:?}", pinned.name, verdict.faces);
    }
}

#[test]
fn face_free_photos_come_out_ready_decodable_and_without_metadata() {
    let files: Vec<_> = photos::face_free()
        .iter()
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_owned(), fs::read(p).unwrap()))
        .collect();
    let named: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let (_root, input, out) = batch(&named);
    let report = filter().run(&[&input], &out, &()).unwrap();
    assert_eq!(report.summary.ready, files.len(), "{}", report.to_json());
    for photo in &report.photos {
        let output = PathBuf::from(photo.output.as_ref().expect("ready photos have an output"));
        let bytes = fs::read(&output).unwrap();
        assert!(!support::has_metadata(&bytes), "{} keeps metadata", output.display());
        let decoded = image::load_from_memory(&bytes).expect("the output decodes");
        assert!(decoded.width().max(decoded.height()) <= 2048);
        assert!(!output
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .contains(Path::new(&photo.input).file_stem().unwrap().to_str().unwrap()));
    }
}

#[test]
fn a_phone_photo_is_written_upright_and_without_gps_or_dates() {
    // Stored sideways with EXIF orientation 6 ("turn 90° clockwise to view"), as phones do.
    let card = support::test_card(300, 200);
    let stored = image::imageops::rotate270(&card);
    let (_root, input, out) = batch(&[("IMG_0001.jpg", support::jpeg_with_exif(&stored, 6, true))]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    let photo = &report.photos[0];
    assert_eq!(photo.outcome, Outcome::Ready, "{}", report.to_json());
    assert_eq!((photo.width, photo.height), (Some(300), Some(200)));
    let bytes = fs::read(photo.output.as_ref().unwrap()).unwrap();
    assert!(!support::has_metadata(&bytes));
    let written = support::decode_upright(&bytes);
    assert_eq!((written.width(), written.height()), (300, 200), "upright");
    let copy = photo.copy.as_ref().unwrap();
    assert!(copy.lossless, "a small JPEG is copied without re-encoding: {}", copy.why);
}

#[test]
fn an_exif_rotated_portrait_is_caught() {
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap().to_rgb8();
    // The pixels lie on their side; only the EXIF tag says which way is up.
    let stored = image::imageops::rotate270(&portrait);
    let (_root, input, out) = batch(&[("sideways.jpg", support::jpeg_with_exif(&stored, 6, false))]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    assert_eq!(report.photos[0].outcome, Outcome::HeldBack, "{}", report.to_json());
    assert!(ready_files(&out).is_empty());
}

#[test]
fn blurred_output_has_no_detectable_face() {
    for name in ["grace_hopper.jpg", "astronaut.png"] {
        let picture = image::open(photos::photo(name)).unwrap();
        let verdict = blurring_filter().check(&picture).unwrap();
        assert_eq!(verdict.outcome, Outcome::Blurred, "{name}");
        let covered = verdict.publishable.expect("blurred photos are published");
        let again = filter().check(&covered).unwrap();
        assert!(again.faces.is_empty(), "{name}: face left after blurring: {:?}", again.faces);
    }
}

#[test]
fn damaged_and_fake_pictures_are_errors_and_never_ready() {
    let whole = fs::read(photos::photo("grace_hopper.jpg")).unwrap();
    let face_free = fs::read(&photos::face_free()[0]).unwrap();
    let mut cut_card = Vec::new();
    support::test_card(400, 300)
        .write_to(&mut std::io::Cursor::new(&mut cut_card), image::ImageFormat::Jpeg)
        .unwrap();
    cut_card.truncate(cut_card.len() * 2 / 3);
    let (_root, input, out) = batch(&[
        ("truncated.jpg", whole[..whole.len() / 2].to_vec()),
        ("cut-card.jpg", cut_card),
        ("letter.jpg", b"Dear parents, the trip is on Friday.".to_vec()),
        ("empty.png", Vec::new()),
        ("fine.png", face_free),
    ]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    for name in ["truncated.jpg", "cut-card.jpg", "letter.jpg", "empty.png"] {
        let photo = outcome_of(&report, name);
        assert_eq!(photo.outcome, Outcome::Error, "{name}");
        assert!(
            photo.error.as_deref().unwrap().contains(name),
            "the message names the file: {:?}",
            photo.error
        );
        assert!(photo.output.is_none());
    }
    assert_eq!(report.summary.ready, 1);
    assert_eq!(ready_files(&out).len(), 1, "only the good photo is in ready/");
}

#[test]
fn a_document_is_skipped_and_a_thumbnail_cache_passed_over() {
    let (_root, input, out) =
        batch(&[("minutes.docx", b"PK\x03\x04 not really".to_vec()), ("Thumbs.db", vec![0; 64])]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    assert_eq!(report.summary.skipped, 1, "{}", report.to_json());
    assert!(report.photos.iter().all(|p| !p.input.ends_with("Thumbs.db")), "passed over without a word");
    assert!(ready_files(&out).is_empty());
}

#[test]
fn originals_are_byte_identical_afterwards_and_a_rerun_adds_nothing() {
    let files = vec![
        ("portrait.jpg", fs::read(photos::photo("grace_hopper.jpg")).unwrap()),
        ("card.jpg", support::jpeg_with_exif(&support::test_card(320, 240), 1, true)),
    ];
    let (_root, input, out) = batch(&files);
    for mode in [FaceAction::Hold, FaceAction::Blur, FaceAction::Hold] {
        let f = if mode == FaceAction::Hold { filter() } else { blurring_filter() };
        f.run(&[&input], &out, &()).unwrap();
    }
    for (name, bytes) in &files {
        assert_eq!(&fs::read(input.join(name)).unwrap(), bytes, "{name} changed");
    }
    // After the last run (hold), the blurred portrait from the run before is withdrawn.
    assert_eq!(ready_files(&out).len(), 1, "{:?}", ready_files(&out));
}

#[test]
fn json_report_matches_the_documented_schema() {
    let (_root, input, out) = batch(&[
        ("portrait.jpg", fs::read(photos::photo("grace_hopper.jpg")).unwrap()),
        ("notes.txt", b"not a photo".to_vec()),
    ]);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("stdout is only the JSON report");
    let on_disk: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json, on_disk);
    assert_eq!(json["version"], 1);
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&json), ["photos", "summary", "version"]);
    assert_eq!(keys(&json["summary"]), ["blurred", "error", "held_back", "ready", "skipped"]);
    for photo in json["photos"].as_array().unwrap() {
        assert_eq!(
            keys(photo),
            [
                "copy", "error", "faces", "height", "input", "outcome", "output", "reason", "removed",
                "warnings", "width"
            ]
        );
        for face in photo["faces"].as_array().unwrap() {
            // A face the second opinion was asked about carries its score too, and one seen
            // only with the photo turned says so.
            let mut expected = vec!["h", "score", "w", "x", "y"];
            expected.extend(["second_opinion", "turned"].into_iter().filter(|k| face.get(k).is_some()));
            expected.sort_unstable();
            assert_eq!(keys(face), expected);
        }
    }
    let portrait = json["photos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["input"].as_str().unwrap().ends_with("portrait.jpg"))
        .unwrap();
    assert_eq!(portrait["outcome"], "held_back");
    assert!(portrait["output"].is_null());
    assert_eq!(json["summary"]["skipped"], 1);
}

#[test]
fn a_damaged_photo_makes_the_exit_status_one() {
    let (_root, input, out) = batch(&[("broken.jpg", b"\xFF\xD8\xFF garbage".to_vec())]);
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let bad_usage = std::process::Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg("--threshold")
        .arg("2")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(bad_usage.status.code(), Some(2));
}

#[test]
fn one_face_in_any_frame_holds_the_whole_animation_back() {
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap().to_rgba8();
    let (w, h) = portrait.dimensions();
    let card = image::DynamicImage::ImageRgb8(support::test_card(w, h)).to_rgba8();
    let (_root, input, out) = batch(&[
        ("face-at-the-end.gif", support::animation(&[card.clone(), card.clone(), portrait])),
        ("no-face.gif", support::animation(&[card.clone(), card.clone(), card])),
    ]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    let held = outcome_of(&report, "face-at-the-end.gif");
    assert_eq!(held.outcome, Outcome::HeldBack, "{}", report.to_json());
    assert_eq!(held.reason.as_deref(), Some("shows a face (frame 3 of the animation)"));
    let fine = outcome_of(&report, "no-face.gif");
    assert_eq!(fine.outcome, Outcome::Ready);
    assert!(fine.copy.as_ref().unwrap().why.contains("every frame checked"), "{:?}", fine.copy);
    assert_eq!(ready_files(&out).len(), 1);
}

#[test]
fn an_animation_a_later_frame_held_back_goes_out_only_as_its_checked_first_frame() {
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap().to_rgba8();
    let (w, h) = portrait.dimensions();
    let card = image::DynamicImage::ImageRgb8(support::test_card(w, h)).to_rgba8();
    // The frame after the face is never read: a person who posts the animation anyway must
    // not publish it.
    let bytes = support::animation(&[card.clone(), portrait.clone(), portrait]);
    let analysis = filter().analyse("face-in-the-middle.gif".as_ref(), &[], &bytes).unwrap();
    assert_eq!(analysis.frames, 2);
    let published = filter().publish(&analysis, &bytes, &postsafe::Decision::PostAnyway).unwrap();
    assert_eq!(published.outcome, Outcome::Ready);
    let copy = published.copy.unwrap();
    let why = &copy.method.why;
    assert!(why.contains("frame 2 held it back and the frames after it were not read"), "{why}");
    let posted = image::load_from_memory(&copy.bytes).unwrap();
    assert_eq!((posted.width(), posted.height()), (w, h));
    if copy.extension == "gif" {
        let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&copy.bytes)).unwrap();
        assert_eq!(image::AnimationDecoder::into_frames(decoder).count(), 1);
    }
}

#[test]
fn a_face_free_animation_goes_out_animated() {
    let card = |shift: u32| {
        image::RgbaImage::from_fn(320, 240, |x, y| {
            image::Rgba([((x + shift) * 3) as u8, (y * 2) as u8, 90, 255])
        })
    };
    let (_root, input, out) =
        batch(&[("waves.gif", support::animation(&[card(0), card(20), card(40), card(60)]))]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    let entry = outcome_of(&report, "waves.gif");
    assert_eq!(entry.outcome, Outcome::Ready, "{}", report.to_json());
    let output = std::path::Path::new(entry.output.as_ref().unwrap());
    assert_eq!(output.extension().unwrap(), "gif");
    let decoder =
        image::codecs::gif::GifDecoder::new(std::io::Cursor::new(fs::read(output).unwrap())).unwrap();
    let frames = image::AnimationDecoder::into_frames(decoder).collect_frames().unwrap();
    assert_eq!(frames.len(), 4);
    assert_eq!(frames[3].buffer().dimensions(), (320, 240));
}

/// `picture` scaled by `factor`, as a photo taken from further away.
fn shrunk(picture: &image::DynamicImage, factor: f64) -> image::DynamicImage {
    let size = |v: u32| ((f64::from(v) * factor).round() as u32).max(1);
    picture.resize_exact(size(picture.width()), size(picture.height()), image::imageops::FilterType::Triangle)
}

#[test]
fn a_face_shrunk_to_16_px_is_held_back_on_the_second_opinions_word() {
    // CenterFace alone scores this face 0.29 once it is 16 px wide, under the 0.30 it once
    // needed; YuNet, shown the spot, confirms it at 0.90.
    let photo = image::open(photos::photo("ri_1_crop.jpg")).unwrap();
    let face = filter().check(&photo).unwrap().faces[0].clone();
    let small = shrunk(&photo, 16.0 / f64::from(face.w));
    let verdict = filter().check(&small).unwrap();
    assert_eq!(verdict.outcome, Outcome::HeldBack, "{:?}", verdict.faces);
    let held_by = &verdict.faces[0];
    assert!(held_by.score < Options::DEFAULT_CONFIRM_BELOW, "a weak spot: {held_by:?}");
    assert!(held_by.second_opinion.unwrap() >= Options::DEFAULT_CONFIRMED_AT, "confirmed: {held_by:?}");
}

/// Runs the file `name` holding `bytes` through a batch, checks its outcome is `expected`, and
/// gives the reason its report says a person should look at it ("" when there is none).
fn doubt_when(expected: Outcome, name: &str, bytes: Vec<u8>) -> String {
    let (_root, input, out) = batch(&[(name, bytes)]);
    let report = filter().run(&[&input], &out, &()).unwrap();
    let entry = outcome_of(&report, name);
    assert_eq!(entry.outcome, expected, "{entry:#?}");
    entry.uncertainty.clone().unwrap_or_default()
}

/// The pinned photo `name` run through a batch: it must be posted; the doubt its report gives.
fn posted_with_doubt(name: &str) -> String {
    doubt_when(Outcome::Ready, name, fs::read(photos::photo(name)).unwrap())
}

#[test]
fn a_cartoon_is_held_back_and_marked_as_looking_drawn() {
    // Drawn faces are held back like real ones (both detectors score them as faces); the
    // report tells the person they look drawn, so the review can post it quickly.
    let name = "emotions_drawing.jpg";
    let doubt = doubt_when(Outcome::HeldBack, name, fs::read(photos::photo(name)).unwrap());
    assert!(doubt.contains("look drawn"), "{doubt}");
}

#[test]
fn a_photographed_face_cut_out_onto_a_flat_page_is_held_back_and_not_marked_as_drawn() {
    // As on a newsletter: three copies of a photographed face, 40 px wide, on one flat colour.
    let portrait = image::open(photos::photo("grace_hopper.jpg")).unwrap();
    let face = filter().check(&portrait).unwrap().faces[0].clone();
    let face = portrait.crop_imm(face.x, face.y, face.w, face.h).resize(40, 60, image::imageops::Lanczos3);
    let mut page = image::RgbImage::from_pixel(600, 400, image::Rgb([70, 140, 200]));
    for i in 0..3 {
        image::imageops::replace(&mut page, &face.to_rgb8(), 100 + 150 * i, 150);
    }
    let mut png = Vec::new();
    page.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let doubt = doubt_when(Outcome::HeldBack, "newsletter.png", png);
    assert!(!doubt.contains("drawn"), "{doubt}");
}

#[test]
fn a_person_hiding_their_face_behind_what_they_hold_is_posted() {
    // CenterFace sees a weak face-like shape in the chessboard held up (0.47); YuNet does not
    // (0.09). The photo goes out, and its report says a weak shape was dismissed.
    let doubt = posted_with_doubt("left01.jpg");
    assert!(doubt.contains("dismissed"), "{doubt}");
}

#[test]
fn a_drawing_of_a_child_seen_from_behind_is_posted() {
    // A boy whose cap hides his face: CenterFace 0.43 and 0.34, YuNet 0.06 and 0.21.
    let drawing = image::open(photos::photo("traced_boy_soccer.png")).unwrap();
    let verdict = filter().check(&drawing).unwrap();
    assert_eq!(verdict.outcome, Outcome::Ready, "{:?}", verdict.faces);
}

/// `face_photo`'s face shrunk to 16 px wide, pasted into a 1024 × 768 scene turned
/// `quarters` quarter turns clockwise (a class photographed from above, a photo whose
/// orientation tag was lost).
fn small_face_in_a_turned_scene(face_photo: &str, quarters: u8) -> image::DynamicImage {
    let face = image::open(photos::photo(face_photo)).unwrap();
    let found = filter().check(&face).unwrap().faces[0].clone();
    let face = shrunk(&face, 16.0 / f64::from(found.w)).to_rgb8();
    let scene = image::open(photos::photo("coffee.png")).unwrap();
    let mut scene = scene.resize_exact(1024, 768, image::imageops::FilterType::Triangle).to_rgb8();
    image::imageops::overlay(&mut scene, &face, 700, 200);
    image::DynamicImage::ImageRgb8(match quarters {
        1 => image::imageops::rotate90(&scene),
        2 => image::imageops::rotate180(&scene),
        _ => image::imageops::rotate270(&scene),
    })
}

#[test]
fn a_small_face_lying_on_its_side_is_held_back() {
    // CenterFace learnt upright faces: the right way up it scores this face under the bar (the
    // search before weak spots were looked at again turned posted this scene), and turned
    // back 0.85.
    let scene = small_face_in_a_turned_scene("grace_hopper.jpg", 1);
    let verdict = filter().check(&scene).unwrap();
    assert_eq!(verdict.outcome, Outcome::HeldBack, "{:?}", verdict.faces);
    // Seen only turned, it counts because the second opinion sees the face too.
    let held_by = verdict.faces.iter().find(|f| f.turned).expect("found in a turned look");
    assert!(held_by.second_opinion.unwrap() >= Options::DEFAULT_CONFIRMED_AT, "confirmed: {held_by:?}");
}

#[test]
fn a_plant_that_looks_like_a_face_only_when_turned_is_posted() {
    // Turned a quarter, a spot among this aloe's leaves scores 0.70 with CenterFace, more than
    // an upright spot needs to count alone; YuNet sees no face there (0.61), and a spot seen
    // only turned counts on both detectors' word. The report says what was dismissed.
    let doubt = posted_with_doubt("aloeL.jpg");
    assert!(doubt.contains("dismissed") && doubt.contains("turned"), "{doubt}");
}

#[test]
fn a_small_face_in_a_turned_scene_is_held_back_when_turned_scenes_are_searched() {
    // The default search misses this one even looking again, turned, at its weak spots;
    // searching the whole finest level turned (`turned`, README "Turned scenes") holds it.
    let turned_scene = small_face_in_a_turned_scene("ri_1_crop.jpg", 3);
    static TURNED: OnceLock<Filter> = OnceLock::new();
    let turned = TURNED.get_or_init(|| Filter::new(Options { turned: true, ..Options::default() }).unwrap());
    let verdict = turned.check(&turned_scene).unwrap();
    assert_eq!(verdict.outcome, Outcome::HeldBack, "{:?}", verdict.faces);
    let default = filter().check(&turned_scene).unwrap();
    assert_eq!(default.outcome, Outcome::Ready, "the default search sees it now: {:?}", default.faces);
}
