//! Reporting: what happened to every input, as JSON for tools and as a summary for people.

use crate::analyse::Analysis;
use crate::decide::Outcome;
use crate::detect::Face;
use crate::error::Result;
use crate::publish::Published;
use crate::review::Thumbnail;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the report's JSON layout; raised whenever a field changes meaning.
pub const REPORT_VERSION: u32 = 1;
/// Photos one post on the school's account can carry.
const POST_PHOTOS: usize = 4;
/// File name of the report inside the output folder.
pub const REPORT_FILE: &str = "report.json";
/// Why a photo has no result when the run was stopped before it, with what to do.
pub(crate) const NOT_CHECKED: &str =
    "not checked: the run was stopped before this file was reached. Run postsafe again on the same photos to check it.";

/// The whole run: one entry per input file, in the order they were found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// How many inputs ended each way.
    pub summary: Summary,
    /// Every input, in the order found.
    pub photos: Vec<PhotoReport>,
    /// Whether the run was stopped (see [`Progress::cancelled`](crate::Progress::cancelled))
    /// before every photo was checked; those not checked are [`Outcome::Skipped`] and say
    /// so. Only in the JSON when true, so a complete run's report keeps its first layout.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped_early: bool,
}

/// Counts of outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Copied to the ready folder, no face found.
    pub ready: usize,
    /// Not copied: a face was found.
    pub held_back: usize,
    /// Copied with faces covered.
    pub blurred: usize,
    /// Could not be read or analysed.
    pub error: usize,
    /// Not pictures.
    pub skipped: usize,
}

/// What happened to one input.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PhotoReport {
    /// The input's path, as given or as found in a folder.
    pub input: String,
    /// What happened to it.
    pub outcome: Outcome,
    /// The copy in the ready folder, if one was written.
    pub output: Option<String>,
    /// Width of the upright original, when it could be decoded.
    pub width: Option<u32>,
    /// Height of the upright original, when it could be decoded.
    pub height: Option<u32>,
    /// Faces found, in pixels of the upright original.
    pub faces: Vec<Face>,
    /// Where a child's name on the class list is written in the picture (held back, or
    /// covered with `--faces blur`), in pixels of the upright original; never what it says.
    /// Only in the JSON when a name was found, so reports without one keep their first layout
    /// and older reports still parse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_boxes: Vec<crate::TextBox>,
    /// Why the photo is an error or was skipped, in plain words.
    pub error: Option<String>,
    /// How the copy in the ready folder was made: losslessly or re-encoded, and why.
    pub copy: Option<crate::write::CopyMethod>,
    /// Why the photo was held back, in plain words (a face, a child's name); never the name.
    pub reason: Option<String>,
    /// What the original carried that could identify or locate a child and the copy does not.
    pub removed: Vec<Removed>,
    /// Things a person should know even though the photo went through.
    pub warnings: Vec<String>,
    /// Why a person should look at this photo before trusting the decision, when it is not a
    /// sure one ([`crate::Analysis::uncertainty`]). Only in the JSON when there is a doubt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<String>,
    /// Who decided otherwise than the school's rule, what and when: a person, in the app.
    /// Only in the JSON when there is such a decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionRecord>,
    /// A small picture of the photo for the review page, faces boxed, made while it was
    /// analysed: the posted copy for a ready or blurred photo, the original for one held
    /// back for a face. `None` when the picture was never decoded (errors, skipped files,
    /// photos held back for a name). Not part of the JSON report.
    #[serde(skip)]
    pub thumbnail: Option<Thumbnail>,
}

/// A person's decision about a photo, as the report records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// Always `person`: the rule's own decisions are the photo's outcome and reason.
    pub decided_by: String,
    /// What was decided (`"action"`, and the `"areas"` drawn to cover).
    #[serde(flatten)]
    pub decision: crate::Decision,
    /// When, in local time with its offset (RFC 3339).
    pub at: String,
}

impl DecisionRecord {
    /// `decision`, made by a person now.
    pub fn by_a_person(decision: crate::Decision) -> DecisionRecord {
        let at = jiff::ZonedDateTime::now().strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        DecisionRecord { decided_by: "person".into(), decision, at }
    }
}

/// Something in a photo's file that could identify or locate a child, left out of its copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Removed {
    /// Where the photo was taken.
    GpsPosition,
    /// When it was taken.
    CaptureTime,
    /// The camera's or lens's serial number.
    CameraSerial,
    /// The camera owner's, author's or copyright holder's name.
    OwnerName,
    /// Tags naming the people in the picture.
    PeopleTags,
    /// A small preview of the original picture.
    Thumbnail,
    /// Data after the end of the picture (phones put depth maps and second pictures there).
    AppendedData,
    /// Captions, titles, keywords and comments.
    Captions,
}

impl Removed {
    /// Everything of the above that `meta` says the original holds.
    pub(crate) fn found_in(meta: &crate::metadata::Metadata) -> Vec<Removed> {
        [
            (meta.gps, Removed::GpsPosition),
            (meta.capture_time, Removed::CaptureTime),
            (meta.camera_serial, Removed::CameraSerial),
            (meta.owner_name, Removed::OwnerName),
            (meta.person_tags, Removed::PeopleTags),
            (meta.thumbnail, Removed::Thumbnail),
            (meta.appended, Removed::AppendedData),
            (meta.texts.iter().any(|(field, _)| *field != crate::Field::ColourProfile), Removed::Captions),
        ]
        .into_iter()
        .filter_map(|(present, what)| present.then_some(what))
        .collect()
    }

    /// Singular words for one photo on a review page: "GPS position".
    pub fn singular(self) -> &'static str {
        match self {
            Removed::GpsPosition => "GPS position",
            Removed::CaptureTime => "capture time",
            Removed::CameraSerial => "camera serial number",
            Removed::OwnerName => "owner name",
            Removed::PeopleTags => "people tags",
            Removed::Thumbnail => "preview thumbnail",
            Removed::AppendedData => "data after the picture",
            Removed::Captions => "captions and comments",
        }
    }

    /// Plural words for the summary: "removed GPS positions from 14 photos".
    fn plural(self) -> &'static str {
        match self {
            Removed::GpsPosition => "GPS positions",
            Removed::CaptureTime => "capture times",
            Removed::CameraSerial => "camera serial numbers",
            Removed::OwnerName => "owner names",
            Removed::PeopleTags => "people tags",
            Removed::Thumbnail => "preview thumbnails",
            Removed::AppendedData => "data after the picture",
            Removed::Captions => "captions and comments",
        }
    }
}

impl PhotoReport {
    /// An entry for `input` with `outcome` and nothing else known yet.
    pub(crate) fn new(input: &Path, outcome: Outcome) -> PhotoReport {
        PhotoReport {
            input: input.display().to_string(),
            outcome,
            output: None,
            width: None,
            height: None,
            faces: Vec::new(),
            text_boxes: Vec::new(),
            error: None,
            copy: None,
            reason: None,
            removed: Vec::new(),
            warnings: Vec::new(),
            uncertainty: None,
            decision: None,
            thumbnail: None,
        }
    }

    /// The entry for a photo that was analysed and published, with the copy written to
    /// `output` when it goes out.
    pub(crate) fn of(analysis: &Analysis, published: &Published, output: Option<&Path>) -> PhotoReport {
        let posted = output.is_some();
        let mut warnings = analysis.warnings.clone();
        if posted {
            warnings.extend(analysis.left_out.map(String::from));
        }
        // A covered photo is shown as posted, with what was covered boxed.
        let thumbnail = match &published.covered {
            Some(covered) => Thumbnail::new(covered, &analysis.boxes(), analysis.width),
            None => analysis.thumbnail().clone(),
        };
        PhotoReport {
            input: analysis.input.display().to_string(),
            outcome: published.outcome,
            output: output.map(|o| o.display().to_string()),
            width: Some(analysis.width),
            height: Some(analysis.height),
            faces: analysis.faces.clone(),
            text_boxes: analysis.text_boxes.clone(),
            error: None,
            copy: published.copy.as_ref().map(|c| c.method.clone()),
            reason: published.reason.clone(),
            removed: if posted { analysis.removed.clone() } else { Vec::new() },
            warnings,
            uncertainty: analysis.uncertainty.clone(),
            decision: None,
            thumbnail: Some(thumbnail),
        }
    }

    /// An input that ended without any picture data being looked at, and why.
    pub fn without_picture(input: &Path, outcome: Outcome, why: String) -> PhotoReport {
        PhotoReport { error: Some(why), ..PhotoReport::new(input, outcome) }
    }

    /// A photo the run was stopped before.
    pub(crate) fn not_checked(input: &Path) -> PhotoReport {
        PhotoReport::without_picture(input, Outcome::Skipped, NOT_CHECKED.into())
    }
}

/// `text` safe to print on a terminal: control characters (which a file name may hold, and
/// which could move the cursor, recolour or clear the screen, or hide the rest of a line) and
/// the invisible marks that reverse the direction of text are written as escapes such as
/// `\u{1b}`.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(|c| hidden(c) && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if hidden(c) && c != '\n' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect()
}

impl Report {
    /// A report over `photos`, with the counts filled in.
    pub fn new(photos: Vec<PhotoReport>) -> Report {
        let mut summary = Summary::default();
        for p in &photos {
            *match p.outcome {
                Outcome::Ready => &mut summary.ready,
                Outcome::HeldBack => &mut summary.held_back,
                Outcome::Blurred => &mut summary.blurred,
                Outcome::Error => &mut summary.error,
                Outcome::Skipped => &mut summary.skipped,
            } += 1;
        }
        Report { version: REPORT_VERSION, summary, photos, stopped_early: false }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// The review page: one self-contained HTML file (no script, nothing loaded from the
    /// network) with a bar of counts and three sections — ready to post, held back with each
    /// face boxed and scored and the reason, and problems with what to do. Every input is
    /// listed exactly once. Pictures are the entries' [`Thumbnail`]s, embedded; ready ones
    /// link to their copy in `ready/`, relative to the page, so the page belongs in the
    /// output folder. It is well-formed XML as well as HTML.
    pub fn to_html(&self) -> String {
        crate::review::render(self)
    }

    /// Writes `report.json` and the review page, `review.html` ([`Report::to_html`]), into
    /// `out_dir`, each atomically.
    pub fn write_into(&self, out_dir: &Path) -> Result<()> {
        crate::write::write_atomically(out_dir, REPORT_FILE, self.to_json().as_bytes())?;
        crate::write::write_atomically(out_dir, crate::review::REVIEW_FILE, self.to_html().as_bytes())
            .map(drop)
    }

    /// A few lines a person reads at a glance: counts, then each problem, then where the
    /// ready photos, the review page and the report are.
    pub fn human_summary(&self, out_dir: &Path) -> String {
        let s = &self.summary;
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut lines = vec![format!(
            "{} ready to post, {} held back, {} blurred, {}, {} skipped",
            s.ready,
            s.held_back,
            s.blurred,
            plural(s.error, "error", "errors"),
            s.skipped
        )];
        let unchecked = self.photos.iter().filter(|p| p.error.as_deref() == Some(NOT_CHECKED)).count();
        if self.stopped_early {
            lines.push(format!(
                "Stopped early: {} of {} checked, {unchecked} not checked. Run postsafe again on the \
                 same photos to check the rest (the ones done are simply done again).",
                self.photos.len() - unchecked,
                self.photos.len()
            ));
        }
        if self.photos.is_empty() {
            lines.push(
                "No photos found: the folders given are empty. Give the folder that holds the photos \
                 (its subfolders are searched too), or the photo files themselves."
                    .into(),
            );
        } else if s.ready + s.held_back + s.blurred + s.error == 0 && unchecked == 0 {
            lines.push(
                "No photos found: none of the files given is a picture postsafe reads (JPEG, PNG, \
                 WebP, GIF, TIFF, BMP, HEIC)."
                    .into(),
            );
        }
        let mut removed: Vec<(Removed, usize)> = Vec::new();
        for what in self.photos.iter().flat_map(|p| &p.removed) {
            match removed.iter_mut().find(|(w, _)| w == what) {
                Some((_, n)) => *n += 1,
                None => removed.push((*what, 1)),
            }
        }
        for (what, n) in removed {
            lines.push(format!("removed {} from {n} photo{}", what.plural(), if n == 1 { "" } else { "s" }));
        }
        let published = s.ready + s.blurred;
        if published > POST_PHOTOS {
            lines.push(format!(
                "{published} photos are ready, and one post takes at most {POST_PHOTOS}: choose, or spread them over several posts."
            ));
        }
        for p in self.photos.iter().filter(|p| !p.warnings.is_empty()) {
            lines.push(format!("  note: {}: {}", p.input, p.warnings.join("; ")));
        }
        for p in self.photos.iter().filter(|p| p.outcome == Outcome::Error) {
            let said = p.error.as_deref().unwrap_or("unknown problem");
            // Every error line names its file, even when the message itself does not.
            if said.starts_with(&p.input) {
                lines.push(format!("  error: {said}"));
            } else {
                lines.push(format!("  error: {}: {said}", p.input));
            }
        }
        lines.push(format!("Ready to post: {}", out_dir.join(crate::write::READY_DIR).display()));
        lines.push(format!("Review page:   {}", out_dir.join(crate::review::REVIEW_FILE).display()));
        lines.push(format!("Full report:   {}", out_dir.join(REPORT_FILE).display()));
        lines.iter().map(|line| printable(line)).collect::<Vec<_>>().join("\n")
    }
}
