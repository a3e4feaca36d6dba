//! Recall can be measured by anyone: `postsafe eval` scores the filter on labelled photos.

mod support;

use postsafe::{Filter, Label, Manifest, Options};
use std::fs;
use std::path::Path;
use std::process::Command;

/// A manifest over the pinned photos, as a person labelled them.
fn pinned_manifest(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("file\tlabel\tcategory\tsource\n");
    for (paths, label, category) in [
        (support::photos::with_faces(), "face", "pinned-faces"),
        (support::photos::face_free(), "noface", "pinned"),
        (support::photos::held_back_face_free(), "noface", "pinned"),
    ] {
        for path in paths {
            text.push_str(&format!("{}\t{label}\t{category}\tpinned test photo\n", path.display()));
        }
    }
    let manifest = dir.join("manifest.tsv");
    fs::write(&manifest, text).unwrap();
    manifest
}

#[test]
fn every_pinned_face_photo_is_held_back_and_only_the_known_false_hold_back_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = Manifest::from_file(&pinned_manifest(dir.path())).unwrap();
    let evaluation = Filter::new(Options::default()).unwrap().evaluate(&manifest, &());
    assert_eq!(evaluation.overall.recall(), Some(1.0), "{}", evaluation.human_summary());
    let known = support::photos::held_back_face_free().len();
    assert_eq!(evaluation.overall.false_hold_backs, known, "{}", evaluation.human_summary());
    assert_eq!(evaluation.categories["pinned-faces"].face_photos, support::photos::with_faces().len());
    // The table of other rules agrees with the decisions under the rule in use.
    let near = |a: f32, b: f32| (a - b).abs() < 1e-6;
    let in_use = evaluation
        .rules
        .iter()
        .find(|p| {
            near(p.confirm_below, Options::DEFAULT_CONFIRM_BELOW)
                && near(p.confirmed_at, Options::DEFAULT_CONFIRMED_AT)
        })
        .unwrap();
    assert_eq!(in_use.score, evaluation.overall);
    // A photo is held back exactly when one of its spots is a face under the rule, and every
    // face photo is; both detectors' best scores are given for each photo.
    for p in &evaluation.photos {
        let held = p.spots.iter().any(|s| {
            (!s.turned && s.centerface >= Options::DEFAULT_CONFIRM_BELOW)
                || (s.centerface >= Options::DEFAULT_THRESHOLD
                    && s.second_opinion >= Options::DEFAULT_CONFIRMED_AT)
        });
        assert_eq!(Some(held), p.held_back, "{p:?}");
        assert!(held || p.label != Label::Face, "{p:?}");
        assert!(p.best_score.is_some() && p.second_opinion.is_some(), "{p:?}");
    }
}

/// `postsafe eval MANIFEST --json`, run as a person would.
fn eval_json(manifest: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_postsafe")).arg("eval").arg(manifest).arg("--json").output().unwrap()
}

#[test]
fn photos_that_cannot_be_read_are_errors_never_faces_held_back() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.tsv");
    fs::write(dir.path().join("cut.jpg"), b"\xFF\xD8\xFF\xE0 not the rest").unwrap();
    fs::write(
        &manifest,
        "file\tlabel\tcategory\nmissing.jpg\tface\tx\ncut.jpg\tface\tx\nalso-missing.png\tnoface\tx\n",
    )
    .unwrap();
    let run = eval_json(&manifest);
    assert_eq!(run.status.code(), Some(1), "unreadable photos fail the command");
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["overall"]["errors"], 3);
    assert_eq!(json["overall"]["face_photos"], 0, "not counted as faces held back");
    assert_eq!(json["overall"]["held_back_faces"], 0);
    let summary = String::from_utf8_lossy(&run.stderr);
    assert!(summary.contains("3 not analysed") && summary.contains("missing.jpg"), "{summary}");
    assert!(!summary.contains("100.0%"), "no recall is claimed: {summary}");
}

#[test]
fn a_missed_face_is_listed_and_fails_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.tsv");
    // The coffee cup labelled as a face photo stands in for a face the detector misses.
    let coffee = support::photos::photo("coffee.png");
    let portrait = support::photos::photo("grace_hopper.jpg");
    fs::copy(&coffee, dir.path().join("coffee.png")).unwrap();
    fs::copy(&portrait, dir.path().join("portrait.jpg")).unwrap();
    fs::write(&manifest, "file\tlabel\tcategory\ncoffee.png\tface\tstand-in\nportrait.jpg\tface\tportrait\n")
        .unwrap();
    let run = eval_json(&manifest);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["overall"]["face_photos"], 2);
    assert_eq!(json["overall"]["held_back_faces"], 1);
    let summary = String::from_utf8_lossy(&run.stderr);
    let missed = summary.split("Missed faces").nth(1).expect("a list of missed faces");
    assert!(missed.contains("coffee.png") && !missed.contains("portrait.jpg"), "{summary}");
}

#[test]
fn a_manifest_without_a_label_column_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.tsv");
    fs::write(&manifest, "file,label,category\na.jpg,face,x\n").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_postsafe")).arg("eval").arg(&manifest).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(said.contains("manifest.tsv") && said.contains("separated by tabs"), "{said}");
}
