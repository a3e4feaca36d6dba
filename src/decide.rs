//! Deciding: what the school's rules say should happen to a photo, given what was found.

use crate::analyse::Analysis;
use crate::options::FaceAction;

/// What happened to one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Nothing the school's rule keeps off the account was found, or a person looked and
    /// posted it anyway: a clean copy is in the ready folder.
    Ready,
    /// A face or a child's name was found, or a person kept it back: nothing was copied, the
    /// original is untouched.
    HeldBack,
    /// What was found (faces, names written in it) or a person marked was covered: the covered
    /// copy is in the ready folder.
    Blurred,
    /// The photo could not be read or analysed, so it was not copied.
    Error,
    /// Not a picture (a document, `Thumbs.db`, `.DS_Store`): passed over.
    Skipped,
}

impl Outcome {
    /// Whether a copy of the photo goes to the ready folder.
    pub fn is_published(self) -> bool {
        matches!(self, Outcome::Ready | Outcome::Blurred)
    }
}

/// What the school's rule says about an analysed photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ruling {
    /// Nothing was found: it may go out.
    Post,
    /// Held back, for this reason.
    HoldBack(String),
    /// Faces or written names were found and the run covers them.
    Cover,
}

/// The policy in one place: nothing found, post it; a face or a written name, hold it back,
/// or cover it when the run asks for faces to be covered; a name in the file's name, folders
/// or metadata (which covering cannot take away), or a face in a later frame of an animation
/// (which only a still of the first frame could leave out), hold it back.
pub(crate) fn rule(analysis: &Analysis, action: FaceAction) -> Ruling {
    let reason = match (&analysis.held_for, analysis.faces.is_empty(), analysis.text_boxes.is_empty()) {
        (Some(reason), _, _) => return Ruling::HoldBack(reason.clone()),
        (None, true, true) => return Ruling::Post,
        (None, true, false) => "name written in the photo",
        (None, false, _) => "shows a face",
    };
    match action {
        FaceAction::Hold => Ruling::HoldBack(reason.into()),
        FaceAction::Blur => Ruling::Cover,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ready_and_covered_photos_are_published() {
        assert!(!Outcome::HeldBack.is_published() && !Outcome::Error.is_published());
        assert!(Outcome::Ready.is_published() && Outcome::Blurred.is_published());
    }
}
