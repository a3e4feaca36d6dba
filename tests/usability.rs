//! The command as a new user meets it, and stopping a run part way: clear words for empty
//! folders and mistyped paths, paths with spaces, and Ctrl-C that leaves nothing half-done.

mod support;

use postsafe::{Filter, Options, Outcome, PhotoReport, Progress};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::painted;

fn postsafe(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postsafe")).args(args).output().expect("postsafe runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `count` different face-free paintings as JPEGs in `folder`.
fn paintings(folder: &Path, count: u8) -> Vec<PathBuf> {
    fs::create_dir_all(folder).unwrap();
    (0..count)
        .map(|i| {
            let path = folder.join(format!("painting {i}.jpg"));
            fs::write(&path, support::jpeg_with_exif(&painted::painting(i * 20), 1, false)).unwrap();
            path
        })
        .collect()
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// Asserts that `out` holds no temporary file and only complete, decodable photos in ready/.
fn nothing_half_written(out: &Path) {
    for file in files_under(out) {
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(!name.ends_with(".part"), "left behind: {}", file.display());
    }
    for file in files_under(&out.join(postsafe::READY_DIR)) {
        image::open(&file).unwrap_or_else(|e| panic!("{} is not a whole picture: {e}", file.display()));
    }
}

/// Asks the batch to stop once `after` photos are finished.
struct StopAfter {
    after: usize,
    finished: AtomicUsize,
}

impl Progress for StopAfter {
    fn finished(&self, _photo: &PhotoReport) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }

    fn cancelled(&self) -> bool {
        self.finished.load(Ordering::SeqCst) >= self.after
    }
}

#[test]
fn a_run_stopped_early_reports_the_rest_as_not_checked_and_leaves_nothing_half_written() {
    let root = tempfile::tempdir().unwrap();
    paintings(&root.path().join("photos"), 6);
    let out = root.path().join("out");
    // One photo at a time, so exactly the first two are done when the stop comes.
    let filter = Filter::new(Options { threads: Some(1), ..Options::default() }).unwrap();
    let stop = StopAfter { after: 2, finished: AtomicUsize::new(0) };
    let report = filter.run(&[root.path().join("photos")], &out, &stop).unwrap();
    assert!(report.stopped_early);
    assert_eq!(report.photos.len(), 6, "every input is still in the report");
    assert_eq!(report.summary.ready, 2, "{}", report.to_json());
    let rest: Vec<_> = report.photos.iter().filter(|p| p.outcome == Outcome::Skipped).collect();
    assert_eq!(rest.len(), 4);
    assert!(rest.iter().all(|p| p.error.as_deref().is_some_and(|e| e.starts_with("not checked"))));
    assert_eq!(files_under(&out.join(postsafe::READY_DIR)).len(), 2);
    nothing_half_written(&out);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["stopped_early"], true);
    let page = fs::read_to_string(out.join(postsafe::REVIEW_FILE)).unwrap();
    assert!(page.contains("Stopped early: 4 of 6 files were not checked"), "the page says so");
    assert!(report.human_summary(&out).contains("Stopped early: 2 of 6 checked, 4 not checked"));
}

#[test]
fn ctrl_c_stops_the_command_after_the_photos_in_progress() {
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    paintings(&photos, 16);
    let out = root.path().join("out");
    let ready = out.join(postsafe::READY_DIR);
    let child = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg(&photos)
        .args(["-j", "1", "-o"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while files_under(&ready).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(120), "no photo was finished in two minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupted = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(interrupted.success());
    let run = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert_eq!(run.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("Stopping: finishing the photos in progress"), "{stderr}");
    assert!(stdout.contains("Stopped early:"), "what was done is printed: {stdout}");
    assert!(stdout.contains("Review page:"), "{stdout}");
    let report: postsafe::Report =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    assert!(report.stopped_early);
    assert_eq!(report.photos.len(), 16);
    let done = files_under(&ready).len();
    assert!((1..16).contains(&done), "{done} written");
    assert_eq!(done, report.summary.ready);
    nothing_half_written(&out);
}

#[test]
fn a_folder_with_no_photos_says_so() {
    let root = tempfile::tempdir().unwrap();
    let empty = root.path().join("empty folder");
    fs::create_dir(&empty).unwrap();
    let run = postsafe(&[empty.as_os_str(), "-o".as_ref(), root.path().join("out").as_os_str()]);
    assert_eq!(run.status.code(), Some(0));
    assert!(
        text(&run.stdout).contains("No photos found: the folders given are empty."),
        "{}",
        text(&run.stdout)
    );

    let documents = root.path().join("documents");
    fs::create_dir(&documents).unwrap();
    fs::write(documents.join("letter.docx"), b"PK\x03\x04 not a photo").unwrap();
    let run = postsafe(&[documents.as_os_str(), "-o".as_ref(), root.path().join("out2").as_os_str()]);
    assert!(
        text(&run.stdout).contains("No photos found: none of the files given is a picture"),
        "{}",
        text(&run.stdout)
    );
}

#[test]
fn a_mistyped_path_is_named_with_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("Trip photoss");
    let run = postsafe(&[missing.as_os_str()]);
    assert_eq!(run.status.code(), Some(2), "the command itself is wrong");
    let stderr = text(&run.stderr);
    assert!(stderr.contains(&missing.display().to_string()) && stderr.contains("Check the path"), "{stderr}");
    assert!(!root.path().join("postsafe").exists(), "nothing is written for a command that cannot run");
}

#[test]
fn paths_with_spaces_doubled_and_windows_separators_work() {
    let root = tempfile::tempdir().unwrap();
    paintings(&root.path().join("my photos").join("Year 6"), 1);
    let out = root.path().join("results for Monday");
    let messy = format!("{}/my photos//Year 6/./", root.path().display());
    let run = postsafe(&[messy.as_ref(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(files_under(&out.join(postsafe::READY_DIR)).len(), 1);

    // As typed by someone used to Windows, from the folder above.
    let run = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .current_dir(root.path())
        .args(["my photos\\Year 6", "-q"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(files_under(&root.path().join("my photos").join("Year 6 (postsafe)").join("ready")).len(), 1);
}

#[test]
fn the_command_prints_the_review_page_and_a_failed_open_is_only_a_warning() {
    let root = tempfile::tempdir().unwrap();
    paintings(&root.path().join("photos"), 1);
    let out = root.path().join("out");
    let no_programs = root.path().join("no programs");
    fs::create_dir(&no_programs).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg(root.path().join("photos"))
        .arg("-o")
        .arg(&out)
        .arg("--open")
        .env("PATH", &no_programs) // no browser opener to be found
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let page = out.join(postsafe::REVIEW_FILE);
    assert!(
        text(&run.stdout).contains(&format!("Review page:   {}", page.display())),
        "{}",
        text(&run.stdout)
    );
    assert!(text(&run.stderr).contains("could not open the review page"), "{}", text(&run.stderr));
    assert!(page.exists());
}

#[test]
fn help_is_grouped_and_shows_examples() {
    let help = text(&postsafe(&["-h".as_ref()]).stdout);
    for part in
        ["Output:", "Names:", "Faces:", "Performance:", "--open", "Examples:", "review.html", "Ctrl-C"]
    {
        assert!(help.contains(part), "{part} missing from:\n{help}");
    }
}

#[test]
fn the_progress_bar_moves_while_the_first_photos_are_checked() {
    // indicatif draws only on a terminal; `script` gives the command one and records it.
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    fs::create_dir_all(&photos).unwrap();
    for i in 0..3u8 {
        let card = support::test_card(3000 + u32::from(i), 2000);
        fs::write(photos.join(format!("card {i}.jpg")), support::jpeg_with_exif(&card, 1, false)).unwrap();
    }
    let quoted = |p: &Path| format!("'{}'", p.display());
    let command = format!(
        "{} {} -o {} -j 1",
        quoted(Path::new(env!("CARGO_BIN_EXE_postsafe"))),
        quoted(&photos),
        quoted(&root.path().join("out"))
    );
    let run = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "120")
        .output()
        .expect("script (util-linux) runs");
    let screen = text(&run.stdout);
    assert!(run.status.success(), "{screen}");
    // Each redraw of the bar before the first photo is done.
    let before_first: Vec<&str> =
        screen.split(['\r', '\n']).filter(|line| line.contains("0/3 photos")).collect();
    assert!(before_first.iter().any(|l| l.contains("checking card")), "says which photo: {before_first:?}");
    assert!(
        !before_first.iter().any(|l| l.contains("left)")),
        "no estimate before there is one: {before_first:?}"
    );
    let distinct: std::collections::HashSet<&&str> = before_first.iter().collect();
    assert!(distinct.len() >= 3, "the bar moves before the first photo is done: {before_first:?}");
}
