//! Reporting: what happened to every input, as JSON for tools and as a summary for people.

use crate::decide::Outcome;
use crate::detect::Face;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the report's JSON layout; raised whenever a field changes meaning.
pub const REPORT_VERSION: u32 = 1;
/// Photos one post on the school's account can carry.
const POST_PHOTOS: usize = 4;
/// File name of the report inside the output folder.
pub const REPORT_FILE: &str = "report.json";

/// The whole run: one entry per input file, in the order they were found.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// How many inputs ended each way.
    pub summary: Summary,
    /// Every input, in the order found.
    pub photos: Vec<PhotoReport>,
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
            (!meta.texts.is_empty(), Removed::Captions),
        ]
        .into_iter()
        .filter_map(|(present, what)| present.then_some(what))
        .collect()
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
            error: None,
            copy: None,
            reason: None,
            removed: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// An input that ended without any picture data being looked at, and why.
    pub(crate) fn without_picture(input: &Path, outcome: Outcome, why: String) -> PhotoReport {
        PhotoReport { error: Some(why), ..PhotoReport::new(input, outcome) }
    }
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
        Report { version: REPORT_VERSION, summary, photos }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// Writes `report.json` into `out_dir`, atomically.
    pub fn write_into(&self, out_dir: &Path) -> Result<()> {
        crate::write::write_atomically(out_dir, REPORT_FILE, self.to_json().as_bytes()).map(drop)
    }

    /// A few lines a person reads at a glance: counts, then each problem, then where the
    /// ready photos are.
    pub fn human_summary(&self, out_dir: &Path) -> String {
        let s = &self.summary;
        let mut lines = vec![format!(
            "{} ready to post, {} held back (faces), {} blurred, {} errors, {} skipped",
            s.ready, s.held_back, s.blurred, s.error, s.skipped
        )];
        if self.photos.is_empty() {
            lines.push("No files were found in the inputs you gave.".into());
        } else if s.ready + s.held_back + s.blurred + s.error == 0 {
            lines.push("None of the files given is a photo.".into());
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
            lines.push(format!("  error: {}", p.error.as_deref().unwrap_or("unknown problem")));
        }
        lines.push(format!("Ready to post: {}", out_dir.join(crate::write::READY_DIR).display()));
        lines.push(format!("Full report:   {}", out_dir.join(REPORT_FILE).display()));
        lines.join("\n")
    }
}
