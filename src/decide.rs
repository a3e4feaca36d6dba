//! Deciding: what the school's rules say should happen to a photo, given what was found.

use crate::options::FaceAction;

/// What happened to one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No face found: a clean copy is in the ready folder.
    Ready,
    /// A face was found: nothing was copied, the original is untouched.
    HeldBack,
    /// Faces were found and covered: the covered copy is in the ready folder.
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

/// The policy in one place: no face, ready; a face, held back unless the run asks for
/// faces to be covered.
pub(crate) fn decide(faces_found: usize, action: FaceAction) -> Outcome {
    match (faces_found, action) {
        (0, _) => Outcome::Ready,
        (_, FaceAction::Hold) => Outcome::HeldBack,
        (_, FaceAction::Blur) => Outcome::Blurred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_face_is_enough_to_hold_a_photo_back() {
        assert_eq!(decide(1, FaceAction::Hold), Outcome::HeldBack);
        assert_eq!(decide(0, FaceAction::Hold), Outcome::Ready);
        assert_eq!(decide(3, FaceAction::Blur), Outcome::Blurred);
        assert!(!Outcome::HeldBack.is_published() && !Outcome::Error.is_published());
    }
}
