//! Finding the photos among the inputs: folders walked, each file once, the output folder
//! and the files computers make beside photos left out.

use super::formats::{unsupported, Unsupported};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// File name endings of pictures. A file with one of these that does not decode is an error,
/// not a skip: a damaged photo must never pass unnoticed.
const PICTURE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "apng", "gif", "webp", "tif", "tiff", "bmp", "dib", "heic", "heif",
    "avif",
];

/// One thing found among the inputs.
#[derive(Debug)]
pub(crate) enum Found {
    /// A file that is, or claims to be, a picture, with the names of the folders it was found
    /// in (from the folder given, or the file's own folder when a file was given).
    Picture(PathBuf, Vec<String>),
    /// A file that is not a picture, with why it was passed over.
    NotPicture(PathBuf, String),
    /// An input or folder entry that could not be looked at.
    Unreadable(PathBuf, Error),
}

/// Files and folders that computers make beside photos (macOS's `._` resource forks and
/// `.DS_Store`, Windows' thumbnail caches and recycle bins, the folders of USB sticks' search
/// indexes), passed over without a word: a teacher did not put them there and cannot act on
/// them.
pub fn made_by_a_computer(name: &std::ffi::OsStr) -> bool {
    const NAMES: [&str; 11] = [
        ".DS_Store",
        "Thumbs.db",
        "ehthumbs.db",
        "desktop.ini",
        "$RECYCLE.BIN",
        ".Trashes",
        ".Trash",
        ".Spotlight-V100",
        ".fseventsd",
        ".TemporaryItems",
        "System Volume Information",
    ];
    let name = name.to_string_lossy();
    name.starts_with("._") || NAMES.iter().any(|n| n.eq_ignore_ascii_case(&name))
}

/// Whether `folder` is the output folder of a postsafe run: its copies were checked already,
/// and taking them as new photos would post them twice.
fn written_by_postsafe(folder: &Path) -> bool {
    folder.join(crate::write::LOCK_FILE).is_file()
}

/// Refuses a run that cannot work: results written into a folder being checked (so the next
/// run takes them as photos, and this one may find none), or an earlier run's results given as
/// photos to check.
pub(crate) fn check_places(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let out_full = full_path(out);
    for input in inputs {
        let input_full = full_path(input);
        if input_full.starts_with(&out_full) {
            return Err(Error::OutputHoldsInput { out: out.to_path_buf(), input: input.clone() });
        }
        if input_full.ancestors().any(written_by_postsafe) {
            return Err(Error::InputIsOutput { path: input.clone() });
        }
    }
    Ok(())
}

/// `path` made absolute with links resolved as far as it exists, so two spellings of one
/// folder compare equal even when the last part is still to be made.
fn full_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut missing = Vec::new();
    let mut existing = absolute.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Every file under `inputs` (files and folders, folders walked recursively in name order),
/// each once, leaving out everything inside `exclude` (the output folder), any other folder
/// a postsafe run wrote, and the files computers make beside photos.
pub(crate) fn discover(inputs: &[PathBuf], exclude: &Path) -> Vec<Found> {
    let exclude = exclude.canonicalize().ok();
    let inside_exclude =
        |p: &Path| exclude.as_ref().is_some_and(|ex| p.canonicalize().is_ok_and(|c| c.starts_with(ex)));
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for input in inputs {
        // walkdir follows links and reports loops, so a link cycle ends the walk of that
        // branch instead of running for ever.
        let walk = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name().into_iter();
        let kept = walk.filter_entry(|entry| {
            entry.depth() == 0
                || !(made_by_a_computer(entry.file_name())
                    || entry.file_type().is_dir() && written_by_postsafe(entry.path()))
        });
        for entry in kept {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                // Reading a pipe or a device could wait for ever or never end.
                Ok(entry) if !entry.file_type().is_file() => {
                    found.push(Found::NotPicture(
                        entry.into_path(),
                        "not a file (a pipe, socket or device)".into(),
                    ));
                }
                Ok(entry) => {
                    let path = entry.into_path();
                    if inside_exclude(&path)
                        || !seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone()))
                    {
                        continue;
                    }
                    found.push(classify(path, input));
                }
                // The folder it leads back to is being checked already, so nothing is missed.
                Err(err) if err.loop_ancestor().is_some() => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    found.push(Found::NotPicture(
                        path,
                        "a link back into a folder already being checked; not followed".into(),
                    ));
                }
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    let source =
                        err.into_io_error().unwrap_or_else(|| std::io::Error::other("it cannot be listed"));
                    found.push(Found::Unreadable(path.clone(), Error::Input { path, source }));
                }
            }
        }
    }
    found
}

/// Decides from the name, or failing that the first bytes, whether `path` (found under
/// `input`) is a picture.
fn classify(path: PathBuf, input: &Path) -> Found {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if ext.as_deref().is_some_and(|e| PICTURE_EXTENSIONS.contains(&e)) {
        let folders = folder_names(&path, input);
        return Found::Picture(path, folders);
    }
    let mut head = Vec::with_capacity(HEAD);
    let read = std::fs::File::open(&path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, HEAD as u64), &mut head));
    if read.is_err() {
        return Found::NotPicture(path, "not a picture".into());
    }
    match unsupported(&head) {
        // Decoding it says what it is and what to do.
        Some(Unsupported { picture: true, .. }) => {}
        Some(Unsupported { format, what_to_do, .. }) => {
            return Found::NotPicture(path, format!("not a photo ({format}). {what_to_do}"))
        }
        None if image::guess_format(&head).is_ok() => {}
        None => return Found::NotPicture(path, "not a picture".into()),
    }
    let folders = folder_names(&path, input);
    Found::Picture(path, folders)
}

/// How much of a file without a picture's name is read to tell what it is.
const HEAD: usize = 1024;

/// The folders, between `input` (included when it is a folder) and the file at `path`, whose
/// names a teacher chose and which may therefore name a child.
fn folder_names(path: &Path, input: &Path) -> Vec<String> {
    let folder = path.parent().unwrap_or(Path::new(""));
    let base = if input.is_dir() { input.parent() } else { folder.parent() };
    let below = base.and_then(|b| folder.strip_prefix(b).ok()).unwrap_or(folder);
    below
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}
