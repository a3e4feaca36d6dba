//! Reporting: what happened to every input, as JSON for tools and as a summary for people.

use crate::decide::Outcome;
use crate::detect::Face;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the report's JSON layout; raised whenever a field changes meaning.
pub const REPORT_VERSION: u32 = 1;
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
}

impl PhotoReport {
    /// An input that ended without any picture data being looked at.
    pub(crate) fn without_picture(input: &Path, outcome: Outcome, why: String) -> PhotoReport {
        PhotoReport {
            input: input.display().to_string(),
            outcome,
            output: None,
            width: None,
            height: None,
            faces: Vec::new(),
            error: Some(why),
            copy: None,
        }
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
        for p in self.photos.iter().filter(|p| p.outcome == Outcome::Error) {
            lines.push(format!("  error: {}", p.error.as_deref().unwrap_or("unknown problem")));
        }
        lines.push(format!("Ready to post: {}", out_dir.join(crate::write::READY_DIR).display()));
        lines.push(format!("Full report:   {}", out_dir.join(REPORT_FILE).display()));
        lines.join("\n")
    }
}
