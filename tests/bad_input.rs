//! Bad input never gets a photo out by accident: the whole corpus of damaged, misnamed,
//! oversized, unreadable and oddly placed files (tests/support/bad_input.rs) goes through the
//! command in one run, which must end in bounded time and memory with every case reported,
//! nothing refused in `ready/`, and the originals untouched.

#![cfg(unix)]

mod support;
#[path = "support/user.rs"]
mod user;

use postsafe::{Outcome, Report};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::bad_input::{write_corpus, Expect};

/// Longest the whole corpus may take on a 2-core laptop.
const TIME_LIMIT: Duration = Duration::from_secs(300);
/// Most memory the run may take, with the decoder limits holding every bomb off.
const MEMORY_LIMIT_MB: u64 = 1024;

#[test]
fn every_bad_input_is_refused_or_analysed_and_none_is_posted_by_accident() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let corpus = root.join("corpus");
    let cases = write_corpus(&corpus);
    let before = fingerprints(&corpus);
    let out = root.join("out");
    let (report, elapsed, peak_mb) = run_as_a_user(root, &corpus, &out);

    let by_input: BTreeMap<&str, &postsafe::PhotoReport> =
        report.photos.iter().map(|p| (p.input.as_str(), p)).collect();
    let mut table: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    for case in &cases {
        let input = corpus.join(&case.path).display().to_string();
        if case.expect == Expect::PassedOver {
            assert!(!by_input.contains_key(input.as_str()), "{input} is in the report");
            table.entry(case.group).or_default()[5] += 1;
            continue;
        }
        let Some(photo) = by_input.get(input.as_str()) else {
            panic!("{input} is missing from the report; it lists {:#?}", by_input.keys())
        };
        let refused = matches!(photo.outcome, Outcome::Error | Outcome::Skipped);
        let fine = match case.expect {
            Expect::Refused => refused,
            Expect::RefusedOrAnalysed | Expect::PassedOver => true,
            Expect::Analysed => matches!(photo.outcome, Outcome::Ready | Outcome::HeldBack),
        };
        assert!(fine, "{input}: expected {:?}, got {photo:#?}", case.expect);
        if refused {
            let message = photo.error.as_deref().unwrap_or_default();
            assert!(message.len() > 10, "{input}: a refusal says why: {photo:#?}");
            assert!(!message.contains("failed unexpectedly"), "{input}: analysis crashed: {message}");
            assert!(photo.output.is_none(), "{input}: refused, yet {photo:#?}");
        }
        let slot = match photo.outcome {
            Outcome::Error => 0,
            Outcome::Skipped => 1,
            Outcome::Ready => 2,
            Outcome::HeldBack => 3,
            Outcome::Blurred => 4,
        };
        table.entry(case.group).or_default()[slot] += 1;
    }

    // Only whole, decodable copies of analysed photos are in ready/, and nothing else.
    let posted: Vec<&str> = report.photos.iter().filter_map(|p| p.output.as_deref()).collect();
    let in_ready: Vec<PathBuf> =
        fs::read_dir(out.join(postsafe::READY_DIR)).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(in_ready.len() <= posted.len(), "{in_ready:?} against {posted:?}");
    for file in &in_ready {
        assert!(posted.contains(&file.display().to_string().as_str()), "{} was not reported", file.display());
        image::open(file).unwrap_or_else(|e| panic!("{} is not whole: {e}", file.display()));
    }
    assert_eq!(before, fingerprints(&corpus), "the originals are unchanged");
    assert!(elapsed < TIME_LIMIT, "took {elapsed:?}");
    assert!(peak_mb < MEMORY_LIMIT_MB, "peak memory {peak_mb} MB");

    println!("{} cases in {:.1} s, peak memory {peak_mb} MB", cases.len(), elapsed.as_secs_f64());
    println!("| group | cases | error | skipped | passed over | ready | held back |");
    println!("|---|---|---|---|---|---|---|");
    for (group, [error, skipped, ready, held, _, passed_over]) in &table {
        let cases = error + skipped + ready + held + passed_over;
        println!("| {group} | {cases} | {error} | {skipped} | {passed_over} | {ready} | {held} |");
    }
}

/// Runs the command over `corpus` into `out` as an ordinary user would: when the tests run
/// as root, for whom no file is unreadable, as `nobody` through `setpriv`. Returns the
/// report, the time taken and the peak resident memory in MB.
fn run_as_a_user(root: &Path, corpus: &Path, out: &Path) -> (Report, Duration, u64) {
    fs::create_dir_all(out).unwrap();
    let mut command = user::postsafe(root);
    if user::is_root() {
        user::open_to_everyone(out);
    }
    command.args(["--json", "-q", "-j", "2", "-o"]).arg(out).arg(corpus);
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("postsafe starts");
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            panic!("still running after {TIME_LIMIT:?}: a bad input hangs it");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    let output = child.wait_with_output().unwrap();
    let json = reader.join().unwrap();
    // 1 is the normal status of a batch with errors; 2 or a signal would mean it broke.
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    (report, elapsed, support::peak_child_memory_mb())
}

/// The SHA-256 of every regular file under `dir` (links, pipes and unreadable files too,
/// by their metadata), so any change to an original shows.
fn fingerprints(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let print = if meta.is_dir() {
                stack.push(path.clone());
                continue;
            } else if meta.is_file() {
                let bytes = fs::read(&path).unwrap();
                format!("{:x} {:?}", Sha256::digest(&bytes), meta.permissions())
            } else {
                format!("{:?} {:?}", meta.file_type(), fs::read_link(&path).ok())
            };
            found.insert(path, print);
        }
    }
    found
}
