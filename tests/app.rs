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

/// The photos the script drops: a portrait with one face, a painting and a card; last, a
/// cartoon whose drawn faces are held back.
fn test_photos(dir: &Path) {
    std::fs::copy(photos::photo("grace_hopper.jpg"), dir.join("portrait.jpg")).unwrap();
    std::fs::copy(photos::photo("emotions_drawing.jpg"), dir.join("cartoon.jpg")).unwrap();
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

/// `postsafe app --no-browser` started with its own temporary folder, and the address it
/// printed first.
struct Running {
    child: std::process::Child,
    port: u16,
    token: String,
    temp: tempfile::TempDir,
}

impl Running {
    fn start(extra: &[&str]) -> Running {
        use std::io::BufRead;
        let temp = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_postsafe"))
            .args(["app", "--no-browser", "--out"])
            .arg(temp.path().join("results"))
            .args(extra)
            // The app's private folder for dropped photos goes here, where the test can see it.
            .env("TMPDIR", temp.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let address = first.trim().strip_prefix("http://127.0.0.1:").unwrap_or_else(|| panic!("{first}"));
        let (port, token) = address.split_once("/?t=").unwrap();
        Running { child, port: port.parse().unwrap(), token: token.into(), temp }
    }

    /// The folders the app keeps dropped photos in.
    fn private_folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.temp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("postsafe-app-"))
            .collect()
    }

    /// Sends one request with the token in its header; the status and the body.
    fn ask(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Postsafe-Token: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            self.token,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // A refused upload is answered before it is all sent; the rest then has nowhere to go.
        let _ = stream.write_all(body);
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
    }

    fn new_batch(&self) -> String {
        let (status, body) = self.ask("POST", "/api/batches", br#"{"faces":"hold","names":null}"#);
        assert_eq!(status, 201, "{body}");
        let batch: serde_json::Value = serde_json::from_str(&body).unwrap();
        batch["id"].as_str().unwrap().to_string()
    }

    fn wait(mut self, within: std::time::Duration) -> (std::process::ExitStatus, Vec<PathBuf>) {
        let started = std::time::Instant::now();
        while started.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, self.private_folders());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("the app was still running after {within:?}");
    }
}

#[test]
fn the_app_stops_on_its_own_once_the_page_is_gone_and_removes_the_photos_it_was_given() {
    let app = Running::start(&["--idle-exit", "2"]);
    let batch = app.new_batch();
    let card = support::jpeg_with_exif(&detailed_card(), 1, false);
    let (status, _) = app.ask("PUT", &format!("/api/batches/{batch}/photos?name=Trip%2Fcard.jpg"), &card);
    assert_eq!(status, 201);
    assert_eq!(app.private_folders().len(), 1, "dropped photos are kept in one private folder");
    let (status, folders) = app.wait(std::time::Duration::from_secs(30));
    assert!(status.success(), "{status}");
    assert!(folders.is_empty(), "the private folder is removed: {folders:?}");
}

#[test]
fn ctrl_c_stops_the_app_and_removes_the_photos_it_was_given() {
    let app = Running::start(&[]);
    let batch = app.new_batch();
    let card = support::jpeg_with_exif(&detailed_card(), 1, false);
    assert_eq!(app.ask("PUT", &format!("/api/batches/{batch}/photos?name=card.jpg"), &card).0, 201);
    // SAFETY: kill sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(app.child.id() as i32, libc::SIGINT) }, 0);
    let (status, folders) = app.wait(std::time::Duration::from_secs(30));
    assert!(status.success(), "{status}");
    assert!(folders.is_empty(), "the private folder is removed: {folders:?}");
}

#[test]
fn too_large_a_file_or_too_many_are_refused_with_what_is_wrong() {
    let app = Running::start(&[]);
    let batch = app.new_batch();
    let huge = vec![0u8; 101 * 1024 * 1024];
    let (status, body) = app.ask("PUT", &format!("/api/batches/{batch}/photos?name=film.mov"), &huge);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("film.mov is larger than the 100 MB a photo may be"), "{body}");
    for n in 0..2000 {
        let (status, body) = app.ask("PUT", &format!("/api/batches/{batch}/photos?name=p{n}.jpg"), b"x");
        assert_eq!(status, 201, "{n}: {body}");
    }
    let (status, body) = app.ask("PUT", &format!("/api/batches/{batch}/photos?name=one-more.jpg"), b"x");
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("at most 2000 photos"), "{body}");
    let (status, body) = app.ask("POST", "/api/batches", br##"{"faces":"hold","names":"# nobody\n"}"##);
    assert_eq!(status, 400);
    assert!(body.contains("no names in it"), "{body}");
}
