//! Publishing: an analysed photo made into the bytes to post, under a decision — the school's
//! rule, or a person's after looking at it — or kept back. Every decision goes the same way:
//! the picture as analysed, covered where asked and checked again by the detector, then
//! scrubbed or re-encoded ([`crate::write::prepare`]). Nothing here writes a file; the caller
//! puts the copy in place ([`crate::write`]).

use crate::analyse::Analysis;
use crate::decide::{rule, Outcome, Ruling};
use crate::detect::Face;
use crate::error::Result;
use crate::filter::Filter;
use crate::text::TextBox;
use crate::write::{self, CopyMethod};
use crate::{read, redact};
use image::{DynamicImage, GenericImageView};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What is to happen to an analysed photo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// What the school's rule says, with the filter's [`FaceAction`](crate::FaceAction): post
    /// it when nothing was found; otherwise hold it back, or cover what was found.
    Rule,
    /// A person chose to cover the faces and names found (searching the whole picture again
    /// if the rule's search stopped at the first face) and post it, checked again.
    CoverFaces,
    /// A person looked at the photo and sees no child's face in it: post it as it is (still
    /// scrubbed, re-encoded or copied like any other).
    PostAnyway,
    /// A person drew areas to cover (a face the detector missed, a name badge, a whiteboard):
    /// covered like faces, and the result checked again.
    CoverAreas {
        /// The areas, in pixels of the upright original.
        areas: Vec<Area>,
    },
    /// A person chose to keep it out of the ready folder.
    Hold,
}

/// A rectangle on a photo, in pixels of the upright original.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// What a decision made of a photo.
#[derive(Clone, Debug)]
pub struct Published {
    /// [`Outcome::Ready`] (posted as it is), [`Outcome::Blurred`] (posted with areas covered)
    /// or [`Outcome::HeldBack`].
    pub outcome: Outcome,
    /// Why it is held back, in plain words; `None` when it goes out.
    pub reason: Option<String>,
    /// The file to post, when it goes out.
    pub copy: Option<SafeCopy>,
    /// The picture posted, covered, for previews; `None` when it went out as analysed or not
    /// at all.
    pub covered: Option<DynamicImage>,
}

/// A photo's safe copy: the bytes to post, with no metadata.
#[derive(Clone, Debug)]
pub struct SafeCopy {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its file name ending: `jpg`, `png` or `gif`.
    pub extension: &'static str,
    /// How it was made: copied losslessly or re-encoded, and why.
    pub method: CopyMethod,
}

/// Why a photo whose covered areas still show a face or name is not posted.
const STILL_FOUND: &str =
    "a face or name could still be found after covering; cover a larger area, or keep it back";

impl Filter {
    /// Makes `analysis` (of the file whose bytes are `bytes`) into what `decision` asks for:
    /// the bytes to post, or the reason it is held back. Covering re-runs the detector (and
    /// the text reader, with a class list) over the covered picture, and what still shows a
    /// face is covered solid or not posted. `Err` only when the file cannot be decoded or the
    /// copy encoded again.
    pub fn publish(&self, analysis: &Analysis, bytes: &[u8], decision: &Decision) -> Result<Published> {
        let held = |reason: String| Published {
            outcome: Outcome::HeldBack,
            reason: Some(reason),
            copy: None,
            covered: None,
        };
        let cover = |areas: Vec<Face>, why: &str| -> Result<Published> {
            let picture = Arc::unwrap_or_clone(self.posted_picture(analysis, bytes)?);
            match self.cover_and_check(picture, &areas)? {
                Some(covered) => {
                    let copy = self.copy_of(analysis, bytes, &covered, Some(why))?;
                    Ok(Published {
                        outcome: Outcome::Blurred,
                        reason: None,
                        copy: Some(copy),
                        covered: Some(covered),
                    })
                }
                None => Ok(held(STILL_FOUND.into())),
            }
        };
        let cover_found = || {
            let why = match (analysis.faces.is_empty(), analysis.text_boxes.is_empty()) {
                (false, true) => "faces covered",
                (true, false) => "names written in it covered",
                _ => "faces and names written in it covered",
            };
            cover(self.found_in(analysis, bytes)?, why)
        };
        match decision {
            Decision::Rule => match rule(analysis, self.options().faces) {
                Ruling::Post => self.post(analysis, bytes),
                Ruling::HoldBack(reason) => Ok(held(reason)),
                Ruling::Cover => cover_found(),
            },
            Decision::CoverFaces => cover_found(),
            Decision::PostAnyway => self.post(analysis, bytes),
            Decision::CoverAreas { areas } => {
                let scale = self.posted_scale(analysis);
                let (width, height) = (analysis.width, analysis.height);
                let areas = areas
                    .iter()
                    .filter_map(|a| a.within(width, height))
                    .map(|a| a.scaled(scale, u32::MAX, u32::MAX));
                cover(areas.collect(), "areas a person drew covered")
            }
            Decision::Hold => Ok(held("kept back by a person".into())),
        }
    }

    /// The photo as it is, scrubbed: copied without re-encoding when the file allows it, an
    /// animation re-encoded from its checked frames.
    fn post(&self, analysis: &Analysis, bytes: &[u8]) -> Result<Published> {
        let picture = self.posted_picture(analysis, bytes)?;
        let copy = self.copy_of(analysis, bytes, &picture, None)?;
        Ok(Published { outcome: Outcome::Ready, reason: None, copy: Some(copy), covered: None })
    }

    /// What was found in the analysed photo, in pixels of the posted picture: when the rule's
    /// search stopped at the first face, the whole search runs now, so that covering misses
    /// none.
    fn found_in(&self, analysis: &Analysis, bytes: &[u8]) -> Result<Vec<Face>> {
        if analysis.searched_whole {
            let scale = self.posted_scale(analysis);
            return Ok(analysis.boxes().iter().map(|b| b.scaled(scale, u32::MAX, u32::MAX)).collect());
        }
        let picture = self.posted_picture(analysis, bytes)?;
        self.left_in(&picture)
    }

    /// Pixels of the posted picture per pixel of the original.
    pub(crate) fn posted_scale(&self, analysis: &Analysis) -> f64 {
        let long = analysis.width.max(analysis.height);
        f64::from(long.min(self.options().max_side)) / f64::from(long.max(1))
    }

    /// The picture as analysed and posted: kept by the analysis, or decoded again from
    /// `bytes`.
    pub fn posted_picture(&self, analysis: &Analysis, bytes: &[u8]) -> Result<Arc<DynamicImage>> {
        if let Some(picture) = &analysis.picture {
            return Ok(picture.clone());
        }
        let container = crate::container::parse(bytes);
        let decoded = read::decode(&analysis.input, bytes, &container, self.options().max_side)?;
        let posted =
            crate::resize::scaled_to_fit(&decoded.image, self.options().max_side).unwrap_or(decoded.image);
        Ok(Arc::new(posted))
    }

    /// `picture` with `areas` covered, checked again: what still shows a face or a name is
    /// covered in flat colour and checked once more; `None` when something is still found.
    pub(crate) fn cover_and_check(
        &self,
        mut picture: DynamicImage,
        areas: &[Face],
    ) -> Result<Option<DynamicImage>> {
        redact::cover(&mut picture, areas, false);
        let left = self.left_in(&picture)?;
        if left.is_empty() {
            return Ok(Some(picture));
        }
        redact::cover(&mut picture, &left, true);
        Ok(self.left_in(&picture)?.is_empty().then_some(picture))
    }

    /// Every face in `picture`, searched at every scale, and every name on the class list
    /// written in it, as areas.
    fn left_in(&self, picture: &DynamicImage) -> Result<Vec<Face>> {
        let mut found = self.faces_in(picture, false)?.faces;
        if !self.options().roster.is_empty() {
            found.extend(self.names_written(picture)?.iter().map(TextBox::as_area));
        }
        Ok(found)
    }

    /// The safe copy of `picture`, the analysed photo as posted, or with areas covered (and
    /// `covered` saying which, for the report).
    fn copy_of(
        &self,
        analysis: &Analysis,
        bytes: &[u8],
        picture: &DynamicImage,
        covered: Option<&str>,
    ) -> Result<SafeCopy> {
        let (width, height) = (analysis.width, analysis.height);
        if analysis.frames > 1 && covered.is_none() && !analysis.frames_unread {
            let frames = || read::gif_frames(&analysis.input, bytes);
            if let Some(animation) = write::animation(frames, width, height, self.options().max_side)? {
                return Ok(animation.into());
            }
        }
        let container = crate::container::parse(bytes);
        let original = write::Original {
            container: &container,
            size: bytes.len(),
            profile: analysis.profile.as_ref(),
            format: analysis.format,
            orientation: analysis.orientation,
            see_through: analysis.see_through,
        };
        let why = match covered {
            Some(what) => what.to_string(),
            None => format!("scaled down to {} px on the long side", picture.width().max(picture.height())),
        };
        let untouched = covered.is_none() && picture.dimensions() == (width, height);
        let mut still = write::prepare(&original, picture, untouched, &why)?;
        if analysis.frames > 1 {
            let checked = match analysis.frames_unread {
                true => {
                    format!("frame {} held it back and the frames after it were not read", analysis.frames)
                }
                false => format!("all {} frames checked", analysis.frames),
            };
            let because = match (covered, analysis.frames_unread) {
                (Some(_), _) => "; faces can be covered only in a still",
                (None, true) => "",
                (None, false) => "; too large to post as an animation",
            };
            still.copy.why = format!(
                "animated GIF: {checked}{because}, so posted as a still of its first frame ({})",
                still.copy.why
            );
        }
        Ok(still.into())
    }
}

impl Area {
    /// The part of this area inside a `width` × `height` picture, as a face to cover; `None`
    /// when none of it is.
    fn within(&self, width: u32, height: u32) -> Option<Face> {
        let (x, y) = (self.x.min(width), self.y.min(height));
        let (w, h) = (self.w.min(width - x), self.h.min(height - y));
        (w > 0 && h > 0).then_some(Face::area(x, y, w, h))
    }
}

impl From<write::Prepared> for SafeCopy {
    fn from(prepared: write::Prepared) -> SafeCopy {
        SafeCopy { bytes: prepared.bytes, extension: prepared.ext, method: prepared.copy }
    }
}
