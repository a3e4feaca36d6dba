//! Measuring: how many face photos a [`Filter`] holds back (recall) and how many face-free
//! ones it holds back for nothing, on a labelled set of photos, per category.
//!
//! A missed face is a safeguarding incident, so recall has to be shown, not claimed: anyone
//! can label their own photos in a manifest and run `postsafe eval` on them.

use crate::detect::depiction::Traits;
use crate::detect::Rule;
use crate::error::{Error, Result};
use crate::filter::{Filter, Progress};
use crate::report::PhotoReport;
use crate::Face;
use crate::Outcome;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a person saw in a labelled photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// At least one human face (any size, any angle).
    Face,
    /// No human face at all.
    Noface,
}

/// One labelled photo of a [`Manifest`].
#[derive(Clone, Debug)]
pub struct Labelled {
    /// The photo.
    pub file: PathBuf,
    /// Whether it shows a face.
    pub label: Label,
    /// A short name grouping similar photos (`portrait`, `tiny-16px`, `text`…).
    pub category: String,
}

/// A labelled set of photos, read from a tab-separated file with a header line naming at least
/// the columns `file`, `label` (`face` or `noface`) and `category`; other columns are ignored,
/// as are empty lines and lines starting with `#`. `file` is relative to the manifest's folder.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    /// The photos, in the manifest's order.
    pub photos: Vec<Labelled>,
}

impl Manifest {
    /// Reads the manifest at `path`.
    pub fn from_file(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Input { path: path.to_path_buf(), source })?;
        Manifest::parse(&text, path.parent().unwrap_or(Path::new("")))
            .map_err(|reason| Error::Manifest { path: path.to_path_buf(), reason })
    }

    /// Parses manifest text whose `file` paths are relative to `base`; `Err` says which line
    /// is wrong and how.
    pub fn parse(text: &str, base: &Path) -> std::result::Result<Manifest, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let (_, header) = lines.next().ok_or("it is empty; the first line must name the columns")?;
        let columns: Vec<&str> = header.split('\t').map(str::trim).collect();
        let column = |name: &str| {
            columns.iter().position(|c| *c == name).ok_or_else(|| {
                format!("the header line has no `{name}` column (it needs file, label and category, separated by tabs)")
            })
        };
        let (file, label, category) = (column("file")?, column("label")?, column("category")?);
        let mut photos = Vec::new();
        for (n, line) in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| fields.get(i).map(|f| f.trim()).filter(|f| !f.is_empty());
            let line_no = n + 1;
            let (Some(f), Some(l), Some(c)) = (field(file), field(label), field(category)) else {
                return Err(format!("line {line_no} lacks a file, label or category"));
            };
            let label = match l {
                "face" => Label::Face,
                "noface" => Label::Noface,
                other => {
                    return Err(format!("line {line_no}: label {other:?} is neither `face` nor `noface`"))
                }
            };
            photos.push(Labelled { file: base.join(f), label, category: c.to_string() });
        }
        Ok(Manifest { photos })
    }
}

/// Counts for a group of photos. A photo that could not be analysed is counted only as an
/// error: never as held back, so a set of unreadable files cannot look like perfect recall.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Score {
    /// Photos labelled `face`.
    pub face_photos: usize,
    /// Of those, how many were held back.
    pub held_back_faces: usize,
    /// Photos labelled `noface`.
    pub noface_photos: usize,
    /// Of those, how many were held back anyway.
    pub false_hold_backs: usize,
    /// Photos that could not be read or analysed, left out of the counts above.
    pub errors: usize,
}

impl Score {
    fn add(&mut self, label: Label, held_back: Option<bool>) {
        let Some(held_back) = held_back else {
            self.errors += 1;
            return;
        };
        match label {
            Label::Face => {
                self.face_photos += 1;
                self.held_back_faces += usize::from(held_back);
            }
            Label::Noface => {
                self.noface_photos += 1;
                self.false_hold_backs += usize::from(held_back);
            }
        }
    }

    /// Face photos held back / face photos; `None` without face photos.
    pub fn recall(&self) -> Option<f64> {
        (self.face_photos > 0).then(|| self.held_back_faces as f64 / self.face_photos as f64)
    }

    /// Face-free photos held back / face-free photos; `None` without face-free photos.
    pub fn false_hold_back_rate(&self) -> Option<f64> {
        (self.noface_photos > 0).then(|| self.false_hold_backs as f64 / self.noface_photos as f64)
    }
}

/// What happened to one labelled photo.
#[derive(Clone, Debug, Serialize)]
pub struct Judged {
    /// The photo.
    pub file: PathBuf,
    /// Its label.
    pub label: Label,
    /// Its category.
    pub category: String,
    /// CenterFace's best face score anywhere in it (every frame of an animation), 0 when
    /// nothing scored [`CURVE_FLOOR`]; `None` when it could not be analysed.
    pub best_score: Option<f32>,
    /// The second opinion's (YuNet's) best score for any of those spots; `None` when it could
    /// not be analysed.
    pub second_opinion: Option<f32>,
    /// Every spot from [`CURVE_FLOOR`] up.
    pub spots: Vec<Spot>,
    /// Whether postsafe holds it back with the evaluated settings; `None` when it could not be
    /// analysed (it is never posted, and counted as an error).
    pub held_back: Option<bool>,
    /// Why it could not be analysed.
    pub error: Option<String>,
}

impl Judged {
    /// Held back without a face, or let through with one.
    pub fn is_wrong(&self) -> bool {
        self.held_back.is_some_and(|held| held != (self.label == Label::Face))
    }
}

/// A face-like spot in a photo, as the detectors saw it.
#[derive(Clone, Debug, Serialize)]
pub struct Spot {
    /// CenterFace's score.
    pub centerface: f32,
    /// The second opinion's (YuNet's) score; 0 for a spot under the evaluated threshold,
    /// which it is not asked about.
    pub second_opinion: f32,
    /// What the pixels inside its box are like, when it is large enough to tell.
    pub traits: Option<Traits>,
    /// Seen only in a turned look at the photo ([`Face::turned`]).
    pub turned: bool,
}

/// Recall and false hold-backs at one threshold.
#[derive(Clone, Debug, Serialize)]
pub struct CurvePoint {
    /// Detector score threshold.
    pub threshold: f32,
    /// The counts at that threshold.
    #[serde(flatten)]
    pub score: Score,
}

/// Recall and false hold-backs under one setting of the two-detector rule: a spot is a face
/// from `confirm_below` up, or from the evaluated threshold up when the second opinion scores
/// it `confirmed_at` or more.
#[derive(Clone, Debug, Serialize)]
pub struct RulePoint {
    /// CenterFace's score from which a spot counts on its own.
    pub confirm_below: f32,
    /// The second opinion's score that confirms a weaker spot.
    pub confirmed_at: f32,
    /// The counts under that rule.
    #[serde(flatten)]
    pub score: Score,
}

/// The result of [`Filter::evaluate`].
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// Threshold the decisions were made at.
    pub threshold: f32,
    /// CenterFace's score from which a spot counted on its own.
    pub confirm_below: f32,
    /// The second opinion's score that confirmed a weaker spot.
    pub confirmed_at: f32,
    /// Smallest face searched for, in pixels of the posted photo.
    pub min_face: u32,
    /// Wall-clock seconds for the whole set (decoding and detection).
    pub seconds: f64,
    /// Photos analysed per second.
    pub photos_per_second: f64,
    /// Counts over the whole set.
    pub overall: Score,
    /// Counts per category.
    pub categories: BTreeMap<String, Score>,
    /// Recall and false hold-backs with CenterFace alone (no second opinion) at thresholds from
    /// [`CURVE_FLOOR`] up.
    pub curve: Vec<CurvePoint>,
    /// Recall and false hold-backs under other settings of the two-detector rule.
    pub rules: Vec<RulePoint>,
    /// Every photo, in the manifest's order.
    pub photos: Vec<Judged>,
}

/// Lowest threshold the curve covers: the detector runs at this (or the evaluated threshold,
/// if lower) and decisions at higher thresholds follow from each photo's best score.
pub const CURVE_FLOOR: f32 = 0.10;

impl Filter {
    /// Runs the filter's face search, with its current options, on every photo of `manifest`
    /// and scores the result against the labels. Nothing is written.
    ///
    /// Every spot CenterFace scores from [`CURVE_FLOOR`] up is kept, those from the filter's
    /// threshold up with the second opinion's score, and a photo is held back when one of them
    /// is a face under the filter's rule, which is exactly when [`Filter::run`] finds a face in
    /// it; so one pass also tells what other thresholds and confirmation bars would decide.
    pub fn evaluate(&self, manifest: &Manifest, progress: &dyn Progress) -> Evaluation {
        let floor = CURVE_FLOOR.min(self.options().threshold);
        let o = self.options();
        let started = Instant::now();
        progress.started(manifest.photos.len());
        let work = || {
            manifest
                .photos
                .par_iter()
                .map(|photo| {
                    let spots = self.spots(&photo.file, floor);
                    let rule = |spots: &[Spot]| held(spots, self.rule());
                    let (spots, error) = match spots {
                        Ok(found) => {
                            let spot = |(face, traits): (Face, Option<Traits>)| Spot {
                                centerface: face.score,
                                second_opinion: face.second_opinion.unwrap_or(0.0),
                                traits,
                                turned: face.turned,
                            };
                            (Some(found.into_iter().map(spot).collect::<Vec<_>>()), None)
                        }
                        Err(e) => (None, Some(e.to_string())),
                    };
                    let held_back = spots.as_deref().map(rule);
                    let outcome = match held_back {
                        Some(true) => Outcome::HeldBack,
                        Some(false) => Outcome::Ready,
                        None => Outcome::Error,
                    };
                    progress.finished(&PhotoReport::new(&photo.file, outcome));
                    let best = |pick: fn(&Spot) -> f32| {
                        spots.as_ref().map(|s| s.iter().map(pick).fold(0.0, f32::max))
                    };
                    Judged {
                        file: photo.file.clone(),
                        label: photo.label,
                        category: photo.category.clone(),
                        best_score: best(|s| s.centerface),
                        second_opinion: best(|s| s.second_opinion),
                        spots: spots.unwrap_or_default(),
                        held_back,
                        error,
                    }
                })
                .collect::<Vec<_>>()
        };
        let photos = self.in_pool(work);
        let seconds = started.elapsed().as_secs_f64();
        let mut overall = Score::default();
        let mut categories = BTreeMap::<String, Score>::new();
        for p in &photos {
            overall.add(p.label, p.held_back);
            categories.entry(p.category.clone()).or_default().add(p.label, p.held_back);
        }
        let score_of = |decide: &dyn Fn(&Judged) -> bool| {
            let mut score = Score::default();
            for p in &photos {
                score.add(p.label, p.error.is_none().then(|| decide(p)));
            }
            score
        };
        let steps = |from: u32, to: u32| (from..=to).map(|step| step as f32 * 0.05);
        let curve = steps(1, 19)
            .filter(|t| *t >= floor)
            .map(|threshold| CurvePoint {
                threshold,
                score: score_of(&|p| p.spots.iter().any(|s| s.centerface >= threshold)),
            })
            .collect();
        let rules = steps(8, 16)
            .flat_map(|confirm_below| steps(10, 19).map(move |confirmed_at| (confirm_below, confirmed_at)))
            .map(|(confirm_below, confirmed_at)| RulePoint {
                confirm_below,
                confirmed_at,
                score: score_of(&|p| held(&p.spots, Rule { confirm_below, confirmed_at, ..self.rule() })),
            })
            .collect();
        Evaluation {
            threshold: o.threshold,
            confirm_below: o.confirm_below,
            confirmed_at: o.confirmed_at,
            min_face: o.min_face,
            seconds,
            photos_per_second: photos.len() as f64 / seconds.max(1e-9),
            overall,
            categories,
            curve,
            rules,
            photos,
        }
    }
}

/// Whether any of `spots` is a face under `rule`. A spot's second opinion is 0 where it was not
/// asked, which is only under the rule's threshold.
fn held(spots: &[Spot], rule: Rule) -> bool {
    spots.iter().any(|s| rule.is_face(s.centerface, s.turned, Some(s.second_opinion)))
}

impl Evaluation {
    /// The evaluation as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an evaluation always serialises")
    }

    /// A table a person can read: recall and false hold-backs overall and per category, the
    /// photos it got wrong, and the threshold curve.
    pub fn human_summary(&self) -> String {
        use std::fmt::Write;
        let percent = |part: usize, whole: usize| {
            if whole == 0 {
                "-".to_string()
            } else {
                format!("{part}/{whole} {:5.1}%", 100.0 * part as f64 / whole as f64)
            }
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} photos ({} with faces, {} without, {} not analysed) in {:.1} s: {:.2} photos/s",
            self.photos.len(),
            self.overall.face_photos,
            self.overall.noface_photos,
            self.overall.errors,
            self.seconds,
            self.photos_per_second,
        );
        let _ = writeln!(
            out,
            "a face: CenterFace {:.2} and up, or {:.2} and up confirmed by the second opinion at {:.2}; smallest face {} px",
            self.confirm_below, self.threshold, self.confirmed_at, self.min_face
        );
        let _ = writeln!(out, "\n{:<24} {:>16} {:>22}", "", "recall", "false hold-backs");
        let mut row = |name: &str, s: &Score| {
            let _ = writeln!(
                out,
                "{name:<24} {:>16} {:>22}",
                percent(s.held_back_faces, s.face_photos),
                percent(s.false_hold_backs, s.noface_photos)
            );
        };
        row("all photos", &self.overall);
        for (name, score) in &self.categories {
            row(&format!("  {name}"), score);
        }
        let wrong: Vec<&Judged> = self.photos.iter().filter(|p| p.is_wrong()).collect();
        for (label, heading) in
            [(Label::Face, "Missed faces (would be posted)"), (Label::Noface, "Held back without a face")]
        {
            let list: Vec<_> = wrong.iter().filter(|p| p.label == label).collect();
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{heading}:");
            for p in list {
                let (centerface, second) = (p.best_score.unwrap_or(0.0), p.second_opinion.unwrap_or(0.0));
                let _ = writeln!(
                    out,
                    "  {} ({}, best scores: CenterFace {centerface:.2}, second opinion {second:.2})",
                    p.file.display(),
                    p.category
                );
            }
        }
        let errors: Vec<_> = self.photos.iter().filter(|p| p.error.is_some()).collect();
        if !errors.is_empty() {
            let _ =
                writeln!(out, "\nCould not be analysed (counted in neither recall nor false hold-backs):");
            for p in errors {
                let _ = writeln!(out, "  {}", p.error.as_deref().unwrap_or_default());
            }
        }
        let _ = writeln!(
            out,
            "\nCenterFace alone:\n{:>9} {:>16} {:>22}",
            "threshold", "recall", "false hold-backs"
        );
        for point in &self.curve {
            let s = &point.score;
            let _ = writeln!(
                out,
                "{:>9.2} {:>16} {:>22}",
                point.threshold,
                percent(s.held_back_faces, s.face_photos),
                percent(s.false_hold_backs, s.noface_photos)
            );
        }
        let _ = writeln!(
            out,
            "\nWith the second opinion (from {:.2} up):\n{:>13} {:>12} {:>16} {:>22}",
            self.threshold, "alone from", "confirmed at", "recall", "false hold-backs"
        );
        for point in &self.rules {
            let s = &point.score;
            let in_use = (point.confirm_below - self.confirm_below).abs() < 1e-6
                && (point.confirmed_at - self.confirmed_at).abs() < 1e-6;
            let _ = writeln!(
                out,
                "{:>13.2} {:>12.2} {:>16} {:>22}{}",
                point.confirm_below,
                point.confirmed_at,
                percent(s.held_back_faces, s.face_photos),
                percent(s.false_hold_backs, s.noface_photos),
                if in_use { "  <- in use" } else { "" }
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_files_relative_to_itself_and_ignores_extra_columns() {
        let text = "# made by hand\nfile\tlabel\tcategory\tsource\na.jpg\tface\tportrait\tpkg\n\nb/c.png\tnoface\ttext\tx\n";
        let m = Manifest::parse(text, Path::new("/set")).unwrap();
        assert_eq!(m.photos.len(), 2);
        assert_eq!(m.photos[1].file, Path::new("/set/b/c.png"));
        assert_eq!(m.photos[0].label, Label::Face);
        assert_eq!(m.photos[1].category, "text");
    }

    #[test]
    fn a_wrong_manifest_line_is_named() {
        let err = Manifest::parse("file\tlabel\tcategory\na.jpg\tperson\tx\n", Path::new("")).unwrap_err();
        assert!(err.contains("line 2") && err.contains("person"), "{err}");
        let err = Manifest::parse("file\tcategory\n", Path::new("")).unwrap_err();
        assert!(err.contains("`label`"), "{err}");
    }

    #[test]
    fn recall_counts_face_photos_held_back_and_false_hold_backs_count_the_rest() {
        let mut s = Score::default();
        s.add(Label::Face, Some(true));
        s.add(Label::Face, Some(false));
        s.add(Label::Face, None);
        s.add(Label::Noface, Some(false));
        s.add(Label::Noface, Some(false));
        s.add(Label::Noface, Some(true));
        s.add(Label::Noface, Some(false));
        s.add(Label::Noface, None);
        assert_eq!(s.recall(), Some(0.5), "an unreadable face photo is not a face held back");
        assert_eq!(s.false_hold_back_rate(), Some(0.25));
        assert_eq!(s.errors, 2);
        assert_eq!(Score::default().recall(), None);
    }
}
