//! Faults never lose a photo or leave half a file: an output folder that cannot be written, a
//! disk that fills mid-batch, a run killed mid-batch, and two runs into one folder. After
//! each, `ready/` holds only whole photos, the originals are byte for byte as they were, and
//! running again finishes the batch without duplicates.

#![cfg(unix)]

mod support;
#[path = "support/user.rs"]
mod user;

use postsafe::{Outcome, Report};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `count` different face-free pictures of 1024×768 (colour gradients) with film grain,
/// about 300 KB each as JPEG so a few fill a small disk, in `dir`.
fn photos(dir: &Path, count: u8) -> Vec<PathBuf> {
    fs::create_dir_all(dir).unwrap();
    let mut seed = 7u32;
    (0..count)
        .map(|n| {
            let mut big = image::RgbImage::from_fn(1024, 768, |x, y| {
                image::Rgb([((x / 4) as u8).wrapping_add(n * 10), (y / 3) as u8, 100 + n * 5])
            });
            for pixel in big.pixels_mut() {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let grain = (seed >> 27) as u8;
                pixel.0 = pixel.0.map(|c| c.saturating_add(grain).saturating_sub(16));
            }
            let path = dir.join(format!("photo {n}.jpg"));
            big.save(&path).unwrap();
            path
        })
        .collect()
}

/// SHA-256 of each file, to show the originals are untouched.
fn fingerprints(files: &[PathBuf]) -> Vec<String> {
    files.iter().map(|f| format!("{:x}", Sha256::digest(fs::read(f).unwrap()))).collect()
}

fn postsafe(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_postsafe")).args(args).output().expect("postsafe runs")
}

fn report_in(out: &Path) -> Report {
    serde_json::from_str(&fs::read_to_string(out.join(postsafe::REPORT_FILE)).unwrap()).unwrap()
}

/// Asserts that `ready/` under `out` holds only whole pictures and nothing half-written is
/// left in `ready/`; returns how many photos it holds.
fn only_whole_photos_in_ready(out: &Path) -> usize {
    let ready = out.join(postsafe::READY_DIR);
    let files: Vec<PathBuf> = fs::read_dir(&ready).unwrap().map(|e| e.unwrap().path()).collect();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(name.starts_with("photo-") && !name.ends_with(".part"), "{name} in ready/");
        let bytes = fs::read(file).unwrap();
        assert!(bytes.ends_with(&[0xFF, 0xD9]), "{name} ends with the JPEG end marker");
        image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{name} is not whole: {e}"));
    }
    files.len()
}

/// Temporary files of unfinished writes anywhere under `out`.
fn partial_files(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".part") {
                found.push(path);
            }
        }
    }
    found
}

/// Re-runs the batch into `out` with room to spare and checks it completes: every photo
/// ready, each exactly once, and no temporary file left.
fn rerun_completes(photos_dir: &Path, out: &Path, count: usize) {
    let again = postsafe(&["-q".as_ref(), "-o".as_ref(), out.as_os_str(), photos_dir.as_os_str()]);
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stderr));
    let report = report_in(out);
    let not_ready: Vec<_> = report.photos.iter().filter(|p| p.outcome != Outcome::Ready).collect();
    assert_eq!(report.summary.ready, count, "{not_ready:#?}");
    assert_eq!(only_whole_photos_in_ready(out), count, "each photo once, no duplicates");
    assert_eq!(partial_files(out), Vec::<PathBuf>::new());
}

#[test]
fn an_output_folder_that_cannot_be_written_is_named_and_nothing_is_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let originals = photos(&tmp.path().join("photos"), 2);
    let before = fingerprints(&originals);
    // A folder the user may not write in, as a shared drive often is.
    let locked = tmp.path().join("locked");
    fs::create_dir_all(&locked).unwrap();
    let out = locked.join("out");
    let run = user::postsafe(tmp.path()).arg("-o").arg(&out).arg(tmp.path().join("photos")).output().unwrap();
    let said = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{said}");
    assert!(said.contains(&*out.to_string_lossy()) && said.contains("pick another with -o"), "{said}");
    assert!(!out.exists());

    // The output folder can be written, but its ready/ folder cannot: each photo is an error
    // that says so, and the report is still written.
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join(postsafe::READY_DIR)).unwrap();
    user::open_to_everyone(&out);
    let run = user::postsafe(tmp.path())
        .arg("-q")
        .arg("-o")
        .arg(&out)
        .arg(tmp.path().join("photos"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let report = report_in(&out);
    assert_eq!(report.summary.error, 2, "{report:#?}");
    for photo in &report.photos {
        let error = photo.error.as_deref().unwrap();
        assert!(error.contains("cannot write") && error.contains("ready"), "{error}");
    }
    assert_eq!(only_whole_photos_in_ready(&out), 0);
    assert_eq!(partial_files(&out), Vec::<PathBuf>::new());
    assert_eq!(before, fingerprints(&originals));
}

/// A disk of `bytes` mounted on a folder, where the tests may mount (as root): a real full
/// disk. Unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, bytes: u64) -> Option<SmallDisk> {
        fs::create_dir_all(at).unwrap();
        let size = format!("size={bytes}");
        let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", &size, "tmpfs"]).arg(at).status();
        mounted.is_ok_and(|s| s.success()).then(|| SmallDisk(at.to_path_buf()))
    }

    fn grow(&self, bytes: u64) {
        let size = format!("remount,size={bytes}");
        let grown = Command::new("mount").args(["-o", &size]).arg(&self.0).status().unwrap();
        assert!(grown.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_disk_that_fills_mid_batch_leaves_only_whole_photos_and_a_rerun_finishes_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let photos_dir = tmp.path().join("photos");
    let originals = photos(&photos_dir, 6);
    let before = fingerprints(&originals);
    let out = tmp.path().join("out");
    // Room for about two of the six copies.
    let room = 2 * fs::metadata(&originals[0]).unwrap().len() + 64 * 1024;
    let disk = SmallDisk::mount(&out, room);
    let run = match &disk {
        Some(_) => postsafe(&["-q".as_ref(), "-o".as_ref(), out.as_os_str(), photos_dir.as_os_str()]),
        // Without the right to mount, a file-size limit makes writes fail the same way.
        None => Command::new("sh")
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"", room / 1024 / 2))
            .arg(env!("CARGO_BIN_EXE_postsafe"))
            .args(["-q".as_ref(), "-o".as_ref(), out.as_os_str(), photos_dir.as_os_str()])
            .output()
            .unwrap(),
    };
    let said = String::from_utf8_lossy(&run.stderr);
    assert_ne!(run.status.code(), Some(0), "a full disk is never a clean run: {said}");
    let written = only_whole_photos_in_ready(&out);
    assert!(written < originals.len(), "the disk was too small for all {written}");
    assert_eq!(partial_files(&out), Vec::<PathBuf>::new(), "a failed write removes its temporary file");
    if let Ok(text) = fs::read_to_string(out.join(postsafe::REPORT_FILE)) {
        let report: Report = serde_json::from_str(&text).expect("the report is whole or absent");
        let full: Vec<_> = report.photos.iter().filter(|p| p.outcome == Outcome::Error).collect();
        assert!(!full.is_empty());
        for photo in full {
            assert!(photo.error.as_deref().unwrap().contains("free disk space"), "{photo:#?}");
        }
    } else {
        assert!(said.contains("free disk space"), "the run says why it stopped: {said}");
    }
    assert_eq!(before, fingerprints(&originals));
    if let Some(disk) = &disk {
        disk.grow(64 << 20);
    }
    rerun_completes(&photos_dir, &out, originals.len());
}

/// Starts postsafe on `photos_dir` into `out` and waits until it has written at least `n`
/// photos to `ready/`.
fn start_and_wait_for(photos_dir: &Path, out: &Path, n: usize) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .args(["-q".as_ref(), "-o".as_ref(), out.as_os_str(), photos_dir.as_os_str()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = out.join(postsafe::READY_DIR);
    while fs::read_dir(&ready).map_or(0, |d| d.count()) < n {
        assert!(started.elapsed() < Duration::from_secs(300), "no photo written in 5 minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn a_run_killed_mid_batch_leaves_only_whole_photos_and_a_rerun_finishes_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let photos_dir = tmp.path().join("photos");
    let originals = photos(&photos_dir, 16);
    let before = fingerprints(&originals);
    let out = tmp.path().join("out");
    let mut run = start_and_wait_for(&photos_dir, &out, 2);
    run.kill().unwrap(); // SIGKILL: no chance to tidy up
    run.wait().unwrap();
    let written = only_whole_photos_in_ready(&out);
    assert!((2..originals.len()).contains(&written), "killed mid-batch after {written} photos");
    assert_eq!(before, fingerprints(&originals));
    rerun_completes(&photos_dir, &out, originals.len());
}

#[test]
fn two_runs_into_one_folder_never_overwrite_each_others_files() {
    let tmp = tempfile::tempdir().unwrap();
    let first_photos = tmp.path().join("first");
    let second_photos = tmp.path().join("second");
    let firsts = photos(&first_photos, 12);
    photos(&second_photos, 3).iter().for_each(|p| {
        // Different photos from the first batch's: grain differs from the start.
        let mut picture = image::open(p).unwrap().into_rgb8();
        picture.pixels_mut().for_each(|px| px.0[2] = px.0[2].wrapping_add(50));
        picture.save(p).unwrap();
    });
    let out = tmp.path().join("out");
    let first = start_and_wait_for(&first_photos, &out, 1);
    let second = postsafe(&["-q".as_ref(), "-o".as_ref(), out.as_os_str(), second_photos.as_os_str()]);
    let said = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{said}");
    assert!(said.contains("another postsafe run is writing to this folder"), "{said}");
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let report = report_in(&out);
    assert_eq!(report.summary.ready, firsts.len(), "the first run's report is its own, whole");
    assert_eq!(only_whole_photos_in_ready(&out), firsts.len());

    // Once the first is done, the second runs and adds its photos beside the first's.
    let second = postsafe(&["-q".as_ref(), "-o".as_ref(), out.as_os_str(), second_photos.as_os_str()]);
    assert_eq!(second.status.code(), Some(0), "{}", String::from_utf8_lossy(&second.stderr));
    assert_eq!(only_whole_photos_in_ready(&out), firsts.len() + 3);
}
