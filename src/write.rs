//! Writing: safe copies into the ready folder, under neutral names, never half-written.

use crate::error::{Error, Result};
use image::{DynamicImage, ImageFormat};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the folder, inside the output folder, that holds photos safe to post.
pub const READY_DIR: &str = "ready";
/// JPEG quality of re-encoded photos: high enough that a second compression by the social
/// network does not show.
const JPEG_QUALITY: u8 = 92;

/// The neutral name stem of a photo's output: the file name may carry a child's name, so it
/// is never reused. Derived from the content, so a re-run overwrites rather than duplicates,
/// and two runs over different photos never collide.
pub(crate) fn output_stem(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("photo-{hex}")
}

/// Encodes `image` with no metadata at all: PNG when it has transparency, JPEG otherwise.
/// Returns the bytes and the file extension.
pub(crate) fn encode(image: &DynamicImage) -> Result<(Vec<u8>, &'static str)> {
    let mut out = Vec::new();
    let fail = |e: image::ImageError| Error::Encode { reason: e.to_string() };
    if let DynamicImage::ImageRgba8(rgba) = image {
        // Fully transparent pixels still hold colour a viewer never shows; clear it so no
        // hidden picture leaves in the file.
        let mut rgba = rgba.clone();
        rgba.pixels_mut().filter(|p| p[3] == 0).for_each(|p| p.0 = [0; 4]);
        rgba.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png).map_err(fail)?;
        Ok((out, "png"))
    } else {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
        image.to_rgb8().write_with_encoder(encoder).map_err(fail)?;
        Ok((out, "jpg"))
    }
}

/// Writes `bytes` to `dir/name` so that the file is either absent or complete: the data goes
/// to a hidden temporary file in the same folder, is flushed to disk, then renamed.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let target = dir.join(name);
    let tmp =
        dir.join(format!(".{name}.{}-{}.part", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let attempt = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    attempt.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        Error::Write { path: target.clone(), source }
    })?;
    Ok(target)
}

/// Removes an earlier run's copy of a photo that this run did not find safe, so the ready
/// folder never keeps a photo the current settings hold back.
pub(crate) fn withdraw(ready: &Path, stem: &str) -> Result<()> {
    for ext in ["jpg", "png"] {
        let path = ready.join(format!("{stem}.{ext}"));
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::Write { path, source: e })
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_photo_always_gets_the_same_neutral_name() {
        assert_eq!(output_stem(b"abc"), output_stem(b"abc"));
        assert_ne!(output_stem(b"abc"), output_stem(b"abd"));
        assert!(output_stem(b"abc").starts_with("photo-"));
    }

    #[test]
    fn a_failed_write_leaves_no_file_behind() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("not-there");
        assert!(write_atomically(&missing, "a.jpg", b"data").is_err());
        let written = write_atomically(dir.path(), "a.jpg", b"data").unwrap();
        assert_eq!(fs::read(written).unwrap(), b"data");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the finished file");
    }
}
