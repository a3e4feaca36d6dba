//! One error type for everything postsafe can fail at, worded for the person who must fix it.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong, each message naming the file involved and, where there is
/// one, what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input named on the command line does not exist or cannot be listed.
    #[error("{path}: cannot open it ({source}). Check the path is spelled right and that you may read it.")]
    Input {
        /// The input as given.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A photo's file could not be read from disk.
    #[error("{path}: cannot read the file ({source}). Check that it is not open in another program and that you may read it.")]
    Read {
        /// The photo.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A photo's bytes are damaged, incomplete or not the picture format they claim to be.
    #[error("{path}: the picture cannot be opened: {reason}. Copy it again from the camera or phone.")]
    Decode {
        /// The photo.
        path: PathBuf,
        /// What is wrong with it, in plain words.
        reason: String,
    },
    /// A photo is in a picture format postsafe cannot open.
    #[error("{path}: postsafe cannot open {format} files. {what_to_do}")]
    Unsupported {
        /// The photo.
        path: PathBuf,
        /// The format, as people call it ("a Photoshop document (PSD)").
        format: &'static str,
        /// How to get a picture postsafe can check.
        what_to_do: &'static str,
    },
    /// A photo is larger than postsafe will decode, to protect the computer's memory.
    #[error("{path}: the picture is too large to open safely: {reason}. Save a smaller copy (6,000 pixels on its long side is plenty to post) and check that.")]
    TooLarge {
        /// The photo.
        path: PathBuf,
        /// Which limit it broke.
        reason: String,
    },
    /// A face-detection model could not be loaded or prepared.
    #[error("the face-detection model {origin} cannot be used: {reason}. {}", if *built_in {
        "The models built into postsafe always load on a sound copy with memory to spare: close other programs and try again, or download postsafe again."
    } else {
        "Use the built-in model (leave out --model) or a CenterFace ONNX file."
    })]
    Model {
        /// Where the model came from (`built-in`, `YuNet (built-in)` or a path).
        origin: String,
        /// Whether it is one built into postsafe rather than a file given with `--model`.
        built_in: bool,
        /// What went wrong.
        reason: String,
    },
    /// Face detection failed while analysing a photo.
    #[error("face detection failed on the detector's {width}x{height} input: {reason}. The photo was not copied; please report this with the photo if you can share it.")]
    Detect {
        /// Width of the detector input.
        width: usize,
        /// Height of the detector input.
        height: usize,
        /// What tract reported.
        reason: String,
    },
    /// Reading text in a photo (to look for children's names) failed, or its models could not
    /// be loaded.
    #[error("reading the text in the photo failed: {reason}. The photo was not copied; please report this with the photo if you can share it.")]
    Text {
        /// What went wrong.
        reason: String,
    },
    /// An output file or folder could not be written.
    #[error("{path}: cannot write ({source}). Check there is free disk space and that you may write to this folder, or pick another with -o.")]
    Write {
        /// The file or folder postsafe tried to write.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// Another run is writing to the same output folder.
    #[error("{path}: another postsafe run is writing to this folder. Wait for it to finish, or pick another output folder with -o.")]
    Busy {
        /// The output folder.
        path: PathBuf,
    },
    /// A picture could not be encoded for output.
    #[error("cannot encode the safe copy: {reason}. The photo was not copied; run postsafe again, and report this if it happens again.")]
    Encode {
        /// What the encoder reported.
        reason: String,
    },
    /// Analysing a photo crashed; the photo is treated as unsafe.
    #[error("{path}: analysing this photo failed unexpectedly ({reason}); it was not copied. Please report this with the photo if you can share it.")]
    Crashed {
        /// The photo.
        path: PathBuf,
        /// The panic message.
        reason: String,
    },
    /// An evaluation manifest is not in the expected form.
    #[error("{path}: not a usable manifest: {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, and on which line.
        reason: String,
    },
    /// The output folder is, or holds, a folder of photos being checked.
    #[error("{out}: the results cannot go into the folder of photos being checked ({input}). Choose another folder with -o, for example one beside it.")]
    OutputHoldsInput {
        /// The output folder.
        out: PathBuf,
        /// The input inside it.
        input: PathBuf,
    },
    /// An input is a folder postsafe wrote its results to, not photos to check.
    #[error("{path}: this folder holds the results of an earlier postsafe run, not photos to check. Give the folder of the original photos.")]
    InputIsOutput {
        /// The input.
        path: PathBuf,
    },
    /// The options are inconsistent.
    #[error("{0}")]
    Options(String),
}

/// `Result` with postsafe's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
