//! Files the fuzzer (`fuzz/`, see `fuzz/README.md`) found or found interesting, kept in
//! `tests/fuzz_regressions/`: each goes through [`Filter::run`] exactly as the fuzz target runs
//! it (same file name, same face action) and must keep the same promises — no panic, nothing
//! posted that does not decode whole, a posted copy that is complete, face-free and carries no
//! metadata. They run on stable with every `cargo test`, so the fuzzer (nightly) is not needed
//! to keep them fixed.

#[path = "support/invariants.rs"]
mod invariants;

use postsafe::{FaceAction, Filter, Options};
use std::path::Path;

#[test]
fn fuzzer_findings_stay_fixed() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&folder)
        .expect("tests/fuzz_regressions")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", folder.display());
    let filter =
        |faces| Filter::new(Options { faces, threads: Some(1), ..Options::default() }).expect("model");
    let (hold, blur) = (filter(FaceAction::Hold), filter(FaceAction::Blur));
    let mut broken = Vec::new();
    for input in &inputs {
        let data = std::fs::read(input).expect("input readable");
        let work = tempfile::tempdir().expect("temp folder");
        let photo = work.path().join(invariants::file_name(&data));
        std::fs::write(&photo, &data).expect("written");
        let filter = if invariants::blurs(&data) { &blur } else { &hold };
        let out = work.path().join("out");
        let report = filter.run(&[&photo], &out, &()).expect("run");
        if let Err(why) = invariants::check(filter, &data, &report, &out) {
            broken.push(format!("{}: {why}", input.display()));
        }
    }
    assert!(broken.is_empty(), "promises broken:\n{}", broken.join("\n"));
}
