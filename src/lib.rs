//! postsafe keeps children's faces off a school's public social-media account.
//!
//! It reads a batch of photos, finds faces with the CenterFace detector and asks a second
//! one, YuNet, about the weaker spots (both run by [tract](https://github.com/sonos/tract),
//! the models built in), and writes only the photos that show no face — hands, work,
//! artwork, backs of heads — to a ready-to-post folder, scaled to at most 2048 pixels and
//! stripped of all metadata (no GPS, no timestamps, no names). Photos with a face are held
//! back, or with [`FaceAction::Blur`] have every face covered. Given a class list
//! ([`Options::roster`]), it also reads the text in each photo and treats a child's name
//! written in it (on a painting, a badge, a coat peg) the same way. Anything that cannot be
//! read or analysed is never published.
//!
//! The pipeline runs one way, one module per stage: `read` (the file walked once by
//! `container`, decoded within a memory budget) → `detect` (and `text`) → `decide` → `redact`
//! and `scrub` → `write` → `report` → `review`. [`Filter::analyse`] runs the first stages over
//! one photo into an [`Analysis`]; [`Filter::publish`] makes that into the bytes to post under
//! a [`Decision`] — the school's rule, or a person's after looking — without analysing again;
//! [`Filter::run`] does both for a batch, as the command line and the app do. [`post`] checks a
//! whole draft post — its words, its photos and when it goes out — against the rest of the
//! policy.
//!
//! ```
//! use postsafe::{Decision, Filter, Options, Outcome};
//!
//! let filter = Filter::new(Options::default())?;
//!
//! // One photo file's bytes, e.g. in a newsletter builder: a plain painted card.
//! let card = image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([(x / 4) as u8, (y / 3) as u8, 160]));
//! let mut bytes = Vec::new();
//! card.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).expect("encodes");
//! let analysis = filter.analyse("card.png".as_ref(), &[], &bytes)?;
//! let published = filter.publish(&analysis, &bytes, &Decision::Rule)?;
//! assert_eq!(published.outcome, Outcome::Ready);
//! let safe = published.copy.expect("ready photos have a copy to post"); // no metadata in it
//!
//! // A whole folder: safe copies land in `out/ready/`, the report in `out/report.json` and
//! // a page to look it over in `out/review.html`.
//! let photos = std::env::temp_dir().join("postsafe-doc-example");
//! std::fs::create_dir_all(&photos).expect("temp folder");
//! std::fs::write(photos.join(format!("card.{}", safe.extension)), &safe.bytes).expect("saved");
//! let report = filter.run(&[&photos], &photos.join("out"), &())?;
//! assert_eq!(report.summary.ready, 1);
//! # Ok::<(), postsafe::Error>(())
//! ```

mod analyse;
mod container;
mod decide;
mod detect;
mod error;
mod eval;
mod filter;
mod heif;
mod icc;
mod metadata;
mod names;
mod options;
pub mod post;
mod publish;
mod read;
mod redact;
mod report;
mod resize;
mod review;
mod scrub;
pub mod stages;
mod text;
mod write;

pub use analyse::Analysis;
pub use decide::Outcome;
pub use detect::depiction::Traits;
pub use detect::Face;
pub use error::{Error, Result};
pub use eval::{
    CurvePoint, Evaluation, Judged, Label, Labelled, Manifest, RulePoint, Score, Spot, CURVE_FLOOR,
};
pub use filter::{Filter, Progress, Verdict};
pub use heif::SUPPORTED as HEIC_SUPPORTED;
pub use metadata::Field;
pub use names::Roster;
pub use options::{FaceAction, Options};
pub use publish::{Area, Decision, Published, SafeCopy};
pub use read::{made_by_a_computer, MAX_DECODED_BYTES, MAX_SIDE};
pub use report::{
    printable, DecisionRecord, PhotoReport, Removed, Report, Summary, REPORT_FILE, REPORT_VERSION,
};
pub use review::{box_colour, Thumbnail, REVIEW_FILE, THUMBNAIL_SIDE};
pub use text::TextBox;
pub use write::{CopyMethod, Results, MAX_STILL_BYTES, READY_DIR};
