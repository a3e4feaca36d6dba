//! Photos straight from a phone in HEIC: checked like any other, and posted as JPEGs that
//! carry none of the phone's metadata. The HEIC files are made here from the pinned photos
//! with `heif-enc` (Debian's libheif-examples, installed by `.ci/run`), which keeps the
//! EXIF and XMP of the JPEG it encodes, as a phone's own files have them.

mod support;

use postsafe::{Filter, Options, Outcome, Removed, Roster};
use std::fs;
use std::path::Path;
use std::process::Command;

/// `jpeg` encoded as HEIC, metadata included.
fn heic_from(jpeg: &Path, dir: &Path, name: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    let status = Command::new("heif-enc").args(["-q", "60", "-o"]).arg(&out).arg(jpeg).status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "heif-enc is needed to make HEIC photos: apt-get install libheif-examples (.ci/run does)"
    );
    out
}

/// A copy of a pinned photo carrying a phone's position, capture time and a child's name.
fn stamped_copy(name: &str, dir: &Path) -> std::path::PathBuf {
    let copy = dir.join(name);
    fs::copy(support::photos::photo(name), &copy).unwrap();
    let wrote = Command::new("exiftool")
        .args(["-q", "-overwrite_original", "-GPSLatitude=51.5", "-GPSLatitudeRef=N", "-GPSLongitude=0.1"])
        .args(["-DateTimeOriginal=2026:11:23 10:00:00", "-XMP-dc:Description=Sophie Martin"])
        .arg(&copy)
        .status();
    assert!(
        wrote.is_ok_and(|s| s.success()),
        "exiftool is needed for this test: apt-get install libimage-exiftool-perl (.ci/run does)"
    );
    copy
}

#[test]
fn this_build_reads_heic_where_libheif_is_installed() {
    // CI installs libheif-dev, so a build there without HEIC support is a broken build.rs.
    let has_libheif =
        Command::new("pkg-config").args(["--exists", "libheif"]).status().is_ok_and(|s| s.success());
    assert_eq!(postsafe::HEIC_SUPPORTED, has_libheif && std::env::var_os("POSTSAFE_NO_HEIF").is_none());
}

#[test]
fn a_heic_portrait_is_held_back_and_a_heic_photo_without_faces_goes_out_as_a_clean_jpeg() {
    if !postsafe::HEIC_SUPPORTED {
        return a_heic_photo_is_an_error_that_says_how_to_enable_heic();
    }
    let root = tempfile::tempdir().unwrap();
    let (scratch, photos) = (root.path().join("scratch"), root.path().join("photos"));
    fs::create_dir_all(&scratch).unwrap();
    fs::create_dir_all(&photos).unwrap();
    heic_from(&support::photos::photo("grace_hopper.jpg"), &photos, "IMG_0001.HEIC");
    heic_from(&stamped_copy("rocket.jpg", &scratch), &photos, "IMG_0002.HEIC");

    let filter = Filter::new(Options::default()).unwrap();
    let out = root.path().join("out");
    let report = filter.run(&[&photos], &out, &()).unwrap();
    let entry = |name: &str| report.photos.iter().find(|p| p.input.ends_with(name)).unwrap();

    let portrait = entry("IMG_0001.HEIC");
    assert_eq!(portrait.outcome, Outcome::HeldBack, "{}", report.to_json());
    assert_eq!(portrait.faces.len(), 1);

    let rocket = entry("IMG_0002.HEIC");
    assert_eq!(rocket.outcome, Outcome::Ready, "{}", report.to_json());
    assert!(rocket.removed.contains(&Removed::GpsPosition) && rocket.removed.contains(&Removed::CaptureTime));
    let output = Path::new(rocket.output.as_ref().unwrap());
    assert_eq!(output.extension().unwrap(), "jpg");
    assert!(!rocket.copy.as_ref().unwrap().lossless);
    let decoded = image::open(output).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (rocket.width.unwrap(), rocket.height.unwrap()));
    let tags = Command::new("exiftool").args(["-a", "-G1", "-s"]).arg(output).output().unwrap();
    let tags = String::from_utf8_lossy(&tags.stdout);
    for gone in ["GPS", "DateTimeOriginal", "Sophie", "XMP"] {
        assert!(!tags.contains(gone), "{gone} in the output:\n{tags}");
    }
}

#[test]
fn a_heic_photo_whose_metadata_names_a_child_is_held_back() {
    if !postsafe::HEIC_SUPPORTED {
        return a_heic_photo_is_an_error_that_says_how_to_enable_heic();
    }
    let root = tempfile::tempdir().unwrap();
    let heic = heic_from(&stamped_copy("coffee.png", root.path()), root.path(), "IMG_0003.HEIC");
    let roster = Roster::parse("Sophie Martin\n");
    let filter = Filter::new(Options { roster, ..Options::default() }).unwrap();
    let report = filter.run(&[&heic], &root.path().join("out"), &()).unwrap();
    let entry = &report.photos[0];
    assert_eq!(entry.outcome, Outcome::HeldBack, "{}", report.to_json());
    assert_eq!(entry.reason.as_deref(), Some("names a child: description"), "{}", report.to_json());
}

#[test]
fn a_cut_short_heic_photo_is_an_error_not_a_picture() {
    let root = tempfile::tempdir().unwrap();
    let cut = root.path().join("IMG_0004.HEIC");
    let whole = if postsafe::HEIC_SUPPORTED {
        fs::read(heic_from(&support::photos::photo("rocket.jpg"), root.path(), "whole.heic")).unwrap()
    } else {
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec()
    };
    fs::write(&cut, &whole[..whole.len() * 2 / 3]).unwrap();
    let report =
        Filter::new(Options::default()).unwrap().run(&[&cut], &root.path().join("out"), &()).unwrap();
    assert_eq!(report.photos[0].outcome, Outcome::Error, "{}", report.to_json());
    assert!(report.photos[0].output.is_none());
}

/// What a build without libheif must say instead of reading HEIC.
fn a_heic_photo_is_an_error_that_says_how_to_enable_heic() {
    let root = tempfile::tempdir().unwrap();
    let heic = root.path().join("IMG_0005.HEIC");
    fs::write(&heic, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    let report =
        Filter::new(Options::default()).unwrap().run(&[&heic], &root.path().join("out"), &()).unwrap();
    let error = report.photos[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("Most Compatible") && error.contains("libheif"), "{error}");
}
