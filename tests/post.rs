//! `postsafe post`: a whole draft — words, photos and time — checked against the policy, and
//! written out only when it may go.

mod support;

use postsafe::post::{PostReport, RuleId, Severity};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::painted;

/// A Tuesday morning in term.
const SCHOOL_HOURS: &str = "2026-11-24 10:30";

fn paintings(dir: &Path, count: u8) -> Vec<PathBuf> {
    fs::create_dir_all(dir).unwrap();
    (0..count)
        .map(|i| {
            let path = dir.join(format!("painting {i}.png"));
            painted::painting(i * 40).save(&path).unwrap();
            path
        })
        .collect()
}

fn post(dir: &Path, args: &[&str], photos: &[PathBuf]) -> (Output, Option<PostReport>) {
    let output = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .arg("post")
        .args(args)
        .args(["--json", "-q", "-o"])
        .arg(dir.join("out"))
        .args(photos)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).ok();
    (output, report)
}

fn rules(report: &PostReport) -> Vec<RuleId> {
    report.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn a_clean_post_in_school_hours_may_go_out_and_is_written_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = paintings(tmp.path(), 2);
    let text = "Year 3 made these Roman shields this week.";
    let (output, report) = post(tmp.path(), &["--text", text, "--at", SCHOOL_HOURS], &photos);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = report.unwrap();
    assert!(report.may_go_out && report.findings.is_empty(), "{report:#?}");
    let bundle = tmp.path().join("out/post");
    assert_eq!(fs::read_to_string(bundle.join("post.txt")).unwrap(), text);
    for (n, photo) in report.photos.photos.iter().enumerate() {
        let copy = fs::read(bundle.join(format!("{}.png", n + 1))).unwrap();
        assert_eq!(copy, fs::read(photo.output.as_ref().unwrap()).unwrap(), "photo {} in its place", n + 1);
        assert!(photo.input.ends_with(&format!("painting {n}.png")));
    }
}

#[test]
fn a_post_naming_a_child_may_not_go_out_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let names = tmp.path().join("class.txt");
    fs::write(&names, "Sam Taylor\nZoë Hart\n").unwrap();
    let photos = paintings(tmp.path(), 1);
    // An earlier post that passed is taken away, so post/ never holds a post that failed.
    let (first, _) = post(tmp.path(), &["--text", "Our shields.", "--at", SCHOOL_HOURS], &photos);
    assert_eq!(first.status.code(), Some(0));
    let text = "Lovely painting by Zoe today.";
    let args = ["--text", text, "--names", names.to_str().unwrap(), "--at", SCHOOL_HOURS];
    let (output, report) = post(tmp.path(), &args, &photos);
    assert_eq!(output.status.code(), Some(1));
    let report = report.unwrap();
    assert!(!report.may_go_out);
    let name = report.findings.iter().find(|f| f.rule == RuleId::Names).expect("the name is found");
    assert_eq!(name.severity, Severity::Block);
    let span = name.span.as_ref().unwrap();
    assert_eq!((span.start, span.end, span.text.as_str()), (19, 22, "Zoe"));
    assert_eq!(name.policy, "it never uses children's names");
    assert!(!tmp.path().join("out/post").exists());
}

#[test]
fn a_photo_with_a_face_stops_the_post() {
    let tmp = tempfile::tempdir().unwrap();
    let mut photos = paintings(tmp.path(), 1);
    let classroom = tmp.path().join("classroom.png");
    painted::classroom(&[(320, 200)]).save(&classroom).unwrap();
    photos.push(classroom);
    let (output, report) = post(tmp.path(), &["--text", "Our classroom.", "--at", SCHOOL_HOURS], &photos);
    assert_eq!(output.status.code(), Some(1));
    let report = report.unwrap();
    let face = report.findings.iter().find(|f| f.rule == RuleId::Faces).expect("{report:#?}");
    assert!(face.photo.as_deref().unwrap().ends_with("classroom.png"));
    assert_eq!(rules(&report), [RuleId::Faces]);
}

#[test]
fn more_than_four_photos_or_a_gif_with_others_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let five = paintings(&tmp.path().join("five"), 5);
    let (output, report) = post(tmp.path(), &["--text", "Art week.", "--at", SCHOOL_HOURS], &five);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(rules(&report.unwrap()), [RuleId::PhotoCount]);

    let mut with_gif = paintings(&tmp.path().join("two"), 1);
    let frames: Vec<image::RgbaImage> = (0..2u8)
        .map(|n| image::RgbaImage::from_pixel(64, 48, image::Rgba([n * 90, 120, 200, 255])))
        .collect();
    let gif = tmp.path().join("two/spinning.gif");
    fs::write(&gif, support::animation(&frames)).unwrap();
    with_gif.push(gif.clone());
    let (output, report) = post(tmp.path(), &["--text", "Art week.", "--at", SCHOOL_HOURS], &with_gif);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(rules(&report.unwrap()), [RuleId::PhotoCount]);
    // An animation named as something else is still an animation when it goes out.
    let mut misnamed = paintings(&tmp.path().join("three"), 1);
    let disguised = tmp.path().join("three/spinning.jpg");
    fs::copy(&gif, &disguised).unwrap();
    misnamed.push(disguised);
    let (output, report) = post(tmp.path(), &["--text", "Art week.", "--at", SCHOOL_HOURS], &misnamed);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(rules(&report.unwrap()), [RuleId::PhotoCount]);
    let (alone, _) = post(tmp.path(), &["--text", "Art week.", "--at", SCHOOL_HOURS], &[gif]);
    assert_eq!(alone.status.code(), Some(0), "a GIF on its own is a post");
}

#[test]
fn outside_school_hours_only_an_event_or_urgent_news_may_go_out() {
    let tmp = tempfile::tempdir().unwrap();
    let saturday = ["--text", "The Christmas fair is open!", "--at", "2026-11-28 11:00"];
    let (output, report) = post(tmp.path(), &saturday, &[]);
    assert_eq!(output.status.code(), Some(1));
    let report = report.unwrap();
    assert_eq!(rules(&report), [RuleId::PostingHours]);
    assert!(report.findings[0].message.contains("Monday 30 November at 08:00"), "{report:#?}");
    for marked in ["--event", "--urgent"] {
        let (output, _) = post(tmp.path(), &[&saturday[..], &[marked]].concat(), &[]);
        assert_eq!(output.status.code(), Some(0), "{marked}");
    }
}

#[test]
fn warnings_and_reminders_do_not_stop_a_post() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "We're at the farm now and the lambs are lovely! Let us know what you think.";
    let (output, report) = post(tmp.path(), &["--text", text, "--at", SCHOOL_HOURS], &[]);
    assert_eq!(output.status.code(), Some(0));
    let report = report.unwrap();
    assert_eq!(rules(&report), [RuleId::Whereabouts, RuleId::NoReplies]);
    assert!(report.may_go_out);
}

#[test]
fn the_words_can_come_from_a_file_or_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "Well done to one pupil for the best behaviour all week.";
    let file = tmp.path().join("post.txt");
    fs::write(&file, text).unwrap();
    let (output, report) =
        post(tmp.path(), &["--text-file", file.to_str().unwrap(), "--at", SCHOOL_HOURS], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(rules(&report.unwrap()), [RuleId::OneChild]);

    let mut child = Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .args(["post", "--text", "-", "--at", SCHOOL_HOURS, "--json", "-q", "-o"])
        .arg(tmp.path().join("out"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: PostReport = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report.findings[0].span.as_ref().unwrap().text, text);
}

#[test]
fn a_wrong_command_is_a_usage_error_that_says_what_to_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (output, _) = post(tmp.path(), &["--text", "Hello", "--at", "tomorrow at 7"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2026-11-24 19:30"));
    let (output, _) = post(tmp.path(), &[], &[]);
    assert_eq!(output.status.code(), Some(2), "the words are required");
}
