//! Nothing identifying leaves the school: names in file names, folders and metadata hold a
//! photo back, and what could locate a child is removed from what goes out — checked by
//! exiftool, an independent reader.

mod support;

use postsafe::{Filter, Options, Outcome, Removed, Roster};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn with_roster() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let roster = Roster::parse("Sophie Martin\nZoë Hart\n# staff are not on the list\n");
        Filter::new(Options { roster, ..Options::default() }).expect("model loads")
    })
}

fn without_roster() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| Filter::new(Options::default()).expect("model loads"))
}

fn card_jpeg(exif_gps: bool) -> Vec<u8> {
    support::jpeg_with_exif(&support::test_card(320, 240), 1, exif_gps)
}

fn card_rgba(w: u32, h: u32) -> image::RgbaImage {
    image::DynamicImage::ImageRgb8(support::test_card(w, h)).to_rgba8()
}

fn run_on(filter: &Filter, files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, postsafe::Report, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = root.path().join("photos").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    let out = root.path().join("out");
    let report = filter.run(&[root.path().join("photos")], &out, &()).unwrap();
    (root, report, out)
}

fn photo<'a>(report: &'a postsafe::Report, name: &str) -> &'a postsafe::PhotoReport {
    report.photos.iter().find(|p| p.input.ends_with(name)).unwrap()
}

#[test]
fn a_photo_whose_file_or_folder_names_a_child_is_held_back_without_repeating_the_name() {
    let (_root, report, _) = run_on(
        with_roster(),
        &[
            ("IMG_2041_sophie-painting.jpg", card_jpeg(false)),
            ("Zoe/IMG_2042.jpg", card_jpeg(false)),
            ("Annual show/IMG_2043.jpg", card_jpeg(false)),
        ],
    );
    let by_file = photo(&report, "sophie-painting.jpg");
    assert_eq!(by_file.outcome, Outcome::HeldBack);
    assert_eq!(by_file.reason.as_deref(), Some("names a child: file name"));
    let by_folder = photo(&report, "IMG_2042.jpg");
    assert_eq!(by_folder.outcome, Outcome::HeldBack);
    assert_eq!(by_folder.reason.as_deref(), Some("names a child: folder name"));
    assert_eq!(photo(&report, "IMG_2043.jpg").outcome, Outcome::Ready, "no roster name there");
    let json =
        serde_json::to_string(&report.photos.iter().map(|p| (&p.reason, &p.warnings)).collect::<Vec<_>>())
            .unwrap();
    assert!(!json.to_lowercase().contains("sophie") && !json.to_lowercase().contains("zo"), "{json}");
}

#[test]
fn a_caption_or_people_tag_naming_a_child_holds_the_photo_back_even_with_no_face() {
    let tagged = support::with_comment_and_person_tag(&card_jpeg(false), "Our autumn display", "ZOE HART");
    let (_root, report, out) = run_on(with_roster(), &[("display.jpg", tagged)]);
    let p = photo(&report, "display.jpg");
    assert_eq!(p.outcome, Outcome::HeldBack);
    assert_eq!(p.reason.as_deref(), Some("names a child: person-in-image tag"));
    assert!(fs::read_dir(out.join("ready")).unwrap().next().is_none());
}

#[test]
fn without_a_roster_people_tags_are_removed_and_reported() {
    let tagged = support::with_comment_and_person_tag(&card_jpeg(false), "Year 4 trip", "A Pupil");
    let (_root, report, _) = run_on(without_roster(), &[("trip.jpg", tagged)]);
    let p = photo(&report, "trip.jpg");
    assert_eq!(p.outcome, Outcome::Ready);
    assert!(p.warnings.iter().any(|w| w.contains("tags people")), "{:?}", p.warnings);
    assert!(p.removed.contains(&Removed::PeopleTags) && p.removed.contains(&Removed::Captions));
    let written = fs::read(p.output.as_ref().unwrap()).unwrap();
    assert!(!written.windows(7).any(|w| w == b"A Pupil") && !written.windows(4).any(|w| w == b"trip"));
}

#[test]
fn the_report_lists_what_was_removed_and_sums_it_up() {
    let (_root, report, out) = run_on(
        without_roster(),
        &[("a.jpg", card_jpeg(true)), ("b.jpg", card_jpeg(true)), ("c.jpg", card_jpeg(false))],
    );
    assert!(photo(&report, "a.jpg").removed.contains(&Removed::GpsPosition));
    assert!(photo(&report, "a.jpg").removed.contains(&Removed::CaptureTime));
    assert!(!photo(&report, "c.jpg").removed.contains(&Removed::GpsPosition));
    let summary = report.human_summary(&out);
    assert!(summary.contains("removed GPS positions from 2 photos"), "{summary}");
}

#[test]
fn exiftool_finds_no_position_time_name_or_thumbnail_in_any_output() {
    let exiftool = Command::new("exiftool").arg("-ver").output();
    assert!(
        exiftool.is_ok_and(|o| o.status.success()),
        "exiftool is needed for this test: apt-get install libimage-exiftool-perl (.ci/run does)"
    );
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    fs::create_dir(&photos).unwrap();
    // A mixed batch: a phone JPEG with GPS and date, a tagged and captioned JPEG, a rotated one,
    // and the pinned real photos in their own formats.
    fs::write(photos.join("gps.jpg"), card_jpeg(true)).unwrap();
    fs::write(
        photos.join("tagged.jpg"),
        support::with_comment_and_person_tag(&card_jpeg(true), "Sophie's painting", "Sophie Martin"),
    )
    .unwrap();
    fs::write(photos.join("rotated.jpg"), support::jpeg_with_exif(&support::test_card(200, 300), 6, true))
        .unwrap();
    for p in support::photos::face_free() {
        fs::copy(&p, photos.join(p.file_name().unwrap())).unwrap();
    }
    // exiftool writes real metadata into a copy too, so the check is not only against our own writer.
    let stamped = photos.join("stamped.jpg");
    fs::write(&stamped, card_jpeg(false)).unwrap();
    let wrote = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-GPSLatitude=51.5", "-GPSLatitudeRef=N", "-GPSLongitude=0.1"])
        .args([
            "-DateTimeOriginal=2026:11:23 10:00:00",
            "-Artist=Sophie Martin",
            "-XMP-dc:Description=Sophie Martin",
        ])
        .args(["-SerialNumber=CAM123456", "-IPTC:Keywords=Sophie"])
        .arg(&stamped)
        .status()
        .unwrap();
    assert!(wrote.success());
    // An animation goes out animated, so its comment and XMP blocks must not go with it.
    let animation = photos.join("animation.gif");
    fs::write(&animation, support::animation(&[card_rgba(160, 120), card_rgba(160, 120)])).unwrap();
    let wrote = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-Comment=Sophie Martin", "-XMP-dc:Description=Sophie Martin"])
        .arg(&animation)
        .status()
        .unwrap();
    assert!(wrote.success());
    let out = root.path().join("out");
    let report = without_roster().run(&[&photos], &out, &()).unwrap();
    let outputs: Vec<PathBuf> =
        report.photos.iter().filter_map(|p| p.output.as_ref().map(PathBuf::from)).collect();
    assert_eq!(
        outputs.len(),
        report.photos.len(),
        "every photo here is face-free and ready: {}",
        report.to_json()
    );
    let listing =
        Command::new("exiftool").args(["-a", "-G1", "-s", "-json"]).args(&outputs).output().unwrap();
    let tags: serde_json::Value = serde_json::from_slice(&listing.stdout).unwrap();
    for file in tags.as_array().unwrap() {
        for (tag, value) in file.as_object().unwrap() {
            // What exiftool says of the file system entry, not of the file's contents.
            if ["SourceFile", "ExifTool:", "System:", "File:"].iter().any(|g| tag.starts_with(g)) {
                continue;
            }
            let allowed = ["JFIF:", "PNG:", "PNG-pHYs:", "Adobe:", "Composite:", "ICC", "GIF:"]
                .iter()
                .any(|g| tag.starts_with(g))
                || tag == "IFD0:Orientation";
            assert!(allowed, "{}: unexpected metadata {tag} = {value}", file["SourceFile"]);
            let tag_lower = tag.to_lowercase();
            // A colour profile's own creation date says nothing about the photo.
            let photo_date = tag_lower.contains("date") && !tag.starts_with("ICC");
            assert!(!tag_lower.contains("gps") && !photo_date && !tag_lower.contains("thumbnail"), "{tag}");
            assert!(!value.to_string().contains("Sophie"), "{tag} = {value}");
        }
    }
    assert_names_absent(&outputs);
}

fn assert_names_absent(outputs: &[PathBuf]) {
    for path in outputs {
        let bytes = fs::read(path).unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"Sophie"), "{}", Path::new(path).display());
    }
}

#[test]
fn a_lossless_copy_decodes_to_exactly_the_original_pixels() {
    let original = fs::read(support::photos::photo("rocket.jpg")).unwrap();
    let (_root, report, _) = run_on(without_roster(), &[("rocket.jpg", original.clone())]);
    let p = photo(&report, "rocket.jpg");
    assert_eq!(p.outcome, Outcome::Ready);
    assert!(p.copy.as_ref().unwrap().lossless, "{:?}", p.copy);
    let copy = fs::read(p.output.as_ref().unwrap()).unwrap();
    let decoded = |bytes: &[u8]| image::load_from_memory(bytes).unwrap().to_rgb8();
    assert!(decoded(&copy) == decoded(&original), "pixels differ");
    assert!(copy.len() <= original.len());
}
