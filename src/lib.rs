//! postsafe keeps children's faces off a school's public social-media account.
//!
//! It reads a batch of photos, finds faces with the CenterFace detector (run by
//! [tract](https://github.com/sonos/tract), the model built in), and writes only the photos
//! that show no face — hands, work, artwork, backs of heads — to a ready-to-post folder,
//! scaled to at most 2048 pixels and stripped of all metadata (no GPS, no timestamps, no
//! names). Photos with a face are held back, or with [`FaceAction::Blur`] have every face
//! covered. Anything that cannot be read or analysed is never published.
//!
//! The pipeline runs one way, one module per stage: `read` → `detect` → `decide` →
//! `redact` → `write` → `report`; `filter` drives a photo, or a batch, through them.
//!
//! ```no_run
//! use postsafe::{Filter, Options, Outcome};
//!
//! let filter = Filter::new(Options::default())?;
//!
//! // One picture already in memory, e.g. in a newsletter builder:
//! let picture = image::open("artwork.jpg").expect("a picture");
//! let verdict = filter.check(&picture)?;
//! if verdict.outcome == Outcome::Ready {
//!     verdict.publishable.expect("ready pictures are publishable").save("safe.jpg").ok();
//! }
//!
//! // A whole folder: safe copies land in `out/ready/`, the report in `out/report.json`.
//! let report = filter.run(&["photos/"], "out".as_ref(), &())?;
//! println!("{} held back", report.summary.held_back);
//! # Ok::<(), postsafe::Error>(())
//! ```

mod decide;
mod detect;
mod error;
mod filter;
mod options;
mod read;
mod redact;
mod report;
mod resize;
mod write;

pub use decide::Outcome;
pub use detect::Face;
pub use error::{Error, Result};
pub use filter::{Filter, Progress, Verdict};
pub use options::{FaceAction, Options};
pub use read::MAX_SIDE;
pub use report::{PhotoReport, Report, Summary, REPORT_FILE, REPORT_VERSION};
pub use write::READY_DIR;
