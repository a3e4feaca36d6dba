//! One fuzz input as one photo through the whole per-photo path, as a teacher's batch takes
//! it: file on disk → classify (by name or by sniffing) → decode → detect → decide → redact →
//! scrub or encode → write into `ready/` → report. How an input is named and which face
//! action it gets, and the promises checked afterwards, are in `tests/support/invariants.rs`,
//! shared with `tests/fuzz_regressions.rs` so a saved finding replays exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postsafe::{FaceAction, Filter, Options};
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

/// Built once per process: loading the model takes a while, and a `Filter` is meant to be
/// reused (it also caches a detector plan per input size). One thread, so the fuzzer stays on
/// the one core it is given.
fn filter(blur: bool) -> &'static Filter {
    static HOLD: OnceLock<Filter> = OnceLock::new();
    static BLUR: OnceLock<Filter> = OnceLock::new();
    let (cell, faces) = if blur { (&BLUR, FaceAction::Blur) } else { (&HOLD, FaceAction::Hold) };
    cell.get_or_init(|| {
        Filter::new(Options { faces, threads: Some(1), ..Options::default() }).expect("built-in model loads")
    })
}

/// A folder of this process's own in memory (`/dev/shm`), so parallel fuzz jobs never share
/// files and the disk is not worn by millions of tiny writes.
fn work_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
        base.join(format!("postsafe-fuzz-{}", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = work_dir();
    // Fresh every time: "ready/ holds only this input's copy" means nothing if an earlier
    // input's copy could still be there.
    let _ = std::fs::remove_dir_all(dir);
    let (inputs, out) = (dir.join("in"), dir.join("out"));
    std::fs::create_dir_all(&inputs).expect("work folder");
    let name = invariants::file_name(data);
    let photo = inputs.join(name);
    std::fs::write(&photo, data).expect("input written");

    let filter = filter(invariants::blurs(data));
    let report = filter.run(&[&photo], &out, &()).expect("a run over one readable file always happens");
    if let Err(broken) = invariants::check(filter, data, &report, &out) {
        // The report's gist; the whole entry holds a thumbnail's pixels.
        let gist: Vec<_> = report.photos.iter().map(|p| (p.outcome, &p.output, &p.error, &p.copy)).collect();
        panic!("{name}: {broken}\nreport: {gist:?}");
    }
});
