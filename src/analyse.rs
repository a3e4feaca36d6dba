//! Analysing: one photo's file read, decoded and looked at — its metadata, the faces in it
//! and the names written in it — once, into an [`Analysis`] that any decision about the photo
//! is then published from ([`crate::publish`]) without looking at it again.

use crate::detect::{depiction, Face};
use crate::error::Result;
use crate::filter::Filter;
use crate::icc::Vetted;
use crate::metadata::{self, Field, Metadata};
use crate::publish::Published;
use crate::read;
use crate::report::{DecisionRecord, PhotoReport, Removed};
use crate::review::Thumbnail;
use crate::text::TextBox;
use image::{DynamicImage, ImageFormat};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What postsafe found in one photo: enough to decide about it, and to publish it under any
/// decision ([`Filter::publish`]) without analysing it again.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The photo, as given.
    pub input: PathBuf,
    /// Width of the upright original, in pixels.
    pub width: u32,
    /// Height of the upright original, in pixels.
    pub height: u32,
    /// Faces found, in pixels of the upright original. When faces are held back, the search
    /// stops at the first scale that finds one, so smaller faces may be missing from the list
    /// ([`Analysis::searched_whole`]).
    pub faces: Vec<Face>,
    /// Where a name on the class list is written in the picture, in pixels of the upright
    /// original; never what it says.
    pub text_boxes: Vec<TextBox>,
    /// Weaker face-like spots the second opinion did not confirm, in pixels of the upright
    /// original: not faces under the rule, but worth a person's look.
    pub dismissed: Vec<Face>,
    /// Why the photo must not go out whatever its pixels show (its file name, a folder or its
    /// metadata names a child), or what held an animation back in a later frame.
    pub held_for: Option<String>,
    /// What the original carries that could identify or locate a child and a copy leaves out.
    pub removed: Vec<Removed>,
    /// Things a person should know about the photo.
    pub warnings: Vec<String>,
    /// How sure the decision is, when it is not: why a person should look at this photo before
    /// trusting it (a face-like shape the second opinion dismissed, faces that look drawn, a
    /// face one detector alone sees, a small one). The rule decides; this only tells the
    /// person where to look.
    pub uncertainty: Option<String>,
    /// Whether the whole search for faces ran (and the text was read, with a class list), so
    /// that [`Analysis::faces`] lists every face found rather than the first scale's.
    pub searched_whole: bool,
    /// How many frames were looked at: a GIF's frame count (1 for a still), or, when a later
    /// frame held the animation back, up to that frame.
    pub frames: usize,
    /// Whether a later frame held the animation back before the frames after it were read: a
    /// copy then goes out only as a still of the first frame, the one known to be clean.
    pub(crate) frames_unread: bool,
    pub(crate) format: Option<ImageFormat>,
    pub(crate) orientation: u8,
    pub(crate) see_through: bool,
    pub(crate) profile: Option<Vetted>,
    pub(crate) left_out: Option<&'static str>,
    /// The picture as it is posted (long side within the size limit) and as it was analysed;
    /// kept until [`Analysis::forget_picture`], so that publishing right after analysing does
    /// not decode the file again.
    pub(crate) picture: Option<Arc<DynamicImage>>,
    /// A small picture for review pages: the photo, or the animation frame that held it back,
    /// with what was found boxed.
    pub(crate) thumbnail: Thumbnail,
}

impl Analysis {
    /// Whether anything was found that the school's rule does not post: a face, a name written
    /// in the picture, or a name in the file's name, folders or metadata.
    pub fn found_anything(&self) -> bool {
        !self.faces.is_empty() || !self.text_boxes.is_empty() || self.held_for.is_some()
    }

    /// This analysis without the decoded picture it holds (up to 12 MB), to keep for a
    /// decision later: publishing then decodes the file again.
    pub fn without_picture(&self) -> Analysis {
        Analysis { picture: None, ..self.clone() }
    }

    /// The report entry for this photo as `published`, with its copy at `output` when it
    /// went out, recording who decided.
    pub fn report(
        &self,
        published: &Published,
        output: Option<&Path>,
        decision: Option<DecisionRecord>,
    ) -> PhotoReport {
        PhotoReport { decision, ..PhotoReport::of(self, published, output) }
    }

    /// The small picture review pages show.
    pub fn thumbnail(&self) -> &Thumbnail {
        &self.thumbnail
    }
}

impl Filter {
    /// Reads and analyses one photo file's `bytes` (the file at `input`, found in `folders`,
    /// whose names a class list is checked against): its metadata, then its picture, decoded
    /// upright within the memory budget, searched for faces and, with a class list, for
    /// written names; every frame of an animation. `Err` when it cannot be read or analysed,
    /// which is never published.
    pub fn analyse(&self, input: &Path, folders: &[String], bytes: &[u8]) -> Result<Analysis> {
        let container = crate::container::parse(bytes);
        let meta = metadata::read(bytes, &container);
        let mut warnings = Vec::new();
        if meta.person_tags && self.options().roster.is_empty() {
            warnings.push(
                "its metadata tags people by name (left out of the copy); give a class list with --names to hold such photos back".into(),
            );
        }
        let read::Decoded { image, see_through, format, orientation, full_size, memory, left_out } =
            read::decode(input, bytes, &container, self.options().max_side)?;
        let (width, height) = full_size;
        // Made before the analysis takes the picture, which frees a large one before the
        // detector runs.
        let preview = crate::resize::fit_within(&image, crate::review::THUMBNAIL_SIDE);
        let posted = crate::resize::scaled_to_fit(&image, self.options().max_side).unwrap_or(image);
        let seen = self.look_at(&posted, (width, height))?;
        let mut analysis = Analysis {
            input: input.to_path_buf(),
            width,
            height,
            faces: seen.faces,
            text_boxes: seen.text_boxes,
            dismissed: seen.dismissed,
            held_for: self.names_a_child(input, folders, &meta),
            removed: Removed::found_in(&meta),
            warnings,
            uncertainty: None,
            searched_whole: seen.whole,
            frames: 1,
            frames_unread: false,
            format,
            orientation,
            see_through,
            profile: meta.colour_profile.clone(),
            left_out,
            picture: Some(Arc::new(posted)),
            thumbnail: Thumbnail::new(&preview, &[], width),
        };
        let mut shown = preview;
        if format == Some(ImageFormat::Gif) && !analysis.found_anything() {
            // One face or written name in any frame holds the whole animation back.
            for frame in read::gif_frames(input, bytes)?.skip(1) {
                analysis.frames += 1;
                let frame = read::frame_picture(frame?);
                let seen = self
                    .look_at(&crate::resize::fit_within(&frame, self.options().max_side), (width, height))?;
                if !seen.faces.is_empty() || !seen.text_boxes.is_empty() {
                    let what =
                        if seen.faces.is_empty() { "name written in the photo" } else { "shows a face" };
                    analysis.held_for = Some(format!("{what} (frame {} of the animation)", analysis.frames));
                    (analysis.faces, analysis.text_boxes) = (seen.faces, seen.text_boxes);
                    analysis.frames_unread = true;
                    shown = frame;
                    break;
                }
            }
        }
        analysis.thumbnail = Thumbnail::new(&shown, &analysis.boxes(), width);
        analysis.uncertainty = analysis.doubt(self.posted_scale(&analysis));
        // The budget is held until every frame has been looked at: a GIF's canvas is as large
        // as its first picture.
        drop(memory);
        Ok(analysis)
    }

    /// Where, if anywhere, the photo's file name, folders or metadata name someone on the
    /// roster, as the reason to hold it back. The name itself is never repeated.
    fn names_a_child(&self, path: &Path, folders: &[String], meta: &Metadata) -> Option<String> {
        let roster = &self.options().roster;
        if roster.is_empty() {
            return None;
        }
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let texts = std::iter::once((Field::FileName, file_name.as_str()))
            .chain(folders.iter().map(|f| (Field::FolderName, f.as_str())))
            .chain(meta.texts.iter().map(|(field, text)| (*field, text.as_str())));
        for (field, text) in texts {
            if roster.names_in(text) {
                return Some(format!("names a child: {field}"));
            }
        }
        meta.unreadable
            .then(|| "names a child: cannot be ruled out, part of its metadata is unreadable".into())
    }
}

/// A face narrower than this many pixels, in the photo as posted, is small enough that the
/// detector's call on it deserves a person's look.
const SMALL_FACE: f64 = 32.0;
/// A second-opinion score under this means the second detector sees nothing there.
const UNSEEN: f32 = 0.3;

impl Analysis {
    /// Why a person should look at this photo before trusting the decision, when it is not a
    /// sure one; `posted` is how many pixels of the posted photo a pixel of the original is.
    fn doubt(&self, posted: f64) -> Option<String> {
        if self.held_for.is_some() || !self.text_boxes.is_empty() {
            return None;
        }
        match self.faces.as_slice() {
            [] => self.dismissed.iter().max_by(|a, b| a.score.total_cmp(&b.score)).map(|shape| {
                let what = match shape.turned {
                    true => "a face-like shape seen only with the photo turned",
                    false => "a weak face-like shape",
                };
                format!(
                    "{what} (score {:.2}) was dismissed by the second opinion: look for a face the check missed",
                    shape.score
                )
            }),
            _ if self.faces_look_drawn(posted) => Some(
                "the faces look drawn in a few flat colours, as in a cartoon or an infographic: post it if none is a photograph of a person".into(),
            ),
            faces if faces.iter().all(|f| f.second_opinion.is_some_and(|s| s < UNSEEN)) => Some(
                "seen by one detector only: it may be a drawing, a pattern or a face in a picture".into(),
            ),
            [only] if f64::from(only.w) * posted < SMALL_FACE => Some(format!(
                "the only face found is small ({} px wide as posted): look whether it is one",
                (f64::from(only.w) * posted).round()
            )),
            _ => None,
        }
    }

    /// Whether every face found looks drawn in flat colours ([`depiction::look_drawn`]) in
    /// the picture as posted, `posted` of its pixels to one of the original's.
    fn faces_look_drawn(&self, posted: f64) -> bool {
        let Some(picture) = self.picture.as_deref().and_then(DynamicImage::as_rgb8) else { return false };
        let boxes: Vec<[f32; 4]> = self
            .faces
            .iter()
            .map(|f| [f.x, f.y, f.x + f.w, f.y + f.h].map(|v| (f64::from(v) * posted) as f32))
            .collect();
        depiction::look_drawn(picture, &boxes)
    }

    /// What was found, as areas to box or cover: faces, then names written in the picture.
    pub(crate) fn boxes(&self) -> Vec<Face> {
        areas(&self.faces, &self.text_boxes)
    }
}

/// `faces` and `text_boxes`, as areas to box or cover.
pub(crate) fn areas(faces: &[Face], text_boxes: &[TextBox]) -> Vec<Face> {
    faces.iter().cloned().chain(text_boxes.iter().map(TextBox::as_area)).collect()
}
