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

/// Largest still photo the social network accepts.
pub const MAX_STILL_BYTES: usize = 5 * 1024 * 1024;
/// JPEG qualities tried in turn when a photo is over [`MAX_STILL_BYTES`].
const FALLBACK_QUALITIES: [u8; 3] = [85, 75, 60];

/// How a safe copy was made, for the report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CopyMethod {
    /// Whether the picture data was copied byte for byte (only metadata removed).
    pub lossless: bool,
    /// Why it was copied that way, in plain words.
    pub why: String,
}

/// A safe copy ready to be written: its bytes, file extension and how it was made.
pub(crate) struct Prepared {
    pub bytes: Vec<u8>,
    pub ext: &'static str,
    pub copy: CopyMethod,
}

/// The original photo as it came from the file, for copying without re-encoding.
pub(crate) struct Original<'a> {
    pub bytes: &'a [u8],
    pub format: ImageFormat,
    /// EXIF orientation the original is displayed with.
    pub orientation: u8,
    pub has_alpha: bool,
}

/// The safe copy of `picture`. When `untouched` (the picture is the original's pixels, not
/// scaled or covered), a JPEG or opaque PNG is copied with only its metadata removed, so it
/// loses no quality; otherwise, or when that is not possible, it is re-encoded from pixels,
/// which carries no metadata at all. Either way it fits in [`MAX_STILL_BYTES`].
pub(crate) fn prepare(
    original: &Original,
    picture: &DynamicImage,
    untouched: bool,
    why_changed: &str,
) -> Result<Prepared> {
    let lossless = |bytes: Option<Vec<u8>>, ext| {
        bytes.filter(|b| b.len() <= MAX_STILL_BYTES).map(|bytes| Prepared {
            bytes,
            ext,
            copy: CopyMethod {
                lossless: true,
                why: "metadata removed, picture data copied unchanged".into(),
            },
        })
    };
    if untouched {
        let copied = match original.format {
            ImageFormat::Jpeg => {
                lossless(crate::scrub::jpeg(original.bytes, u16::from(original.orientation)), "jpg")
            }
            // Transparent pixels can hide colour; only re-encoding clears it.
            ImageFormat::Png if !original.has_alpha && original.orientation == 1 => {
                lossless(crate::scrub::png(original.bytes), "png")
            }
            _ => None,
        };
        if let Some(copied) = copied {
            return Ok(copied);
        }
    }
    let why = if !untouched {
        why_changed.to_string()
    } else if original.bytes.len() > MAX_STILL_BYTES {
        "the original is larger than the 5 MB the platform accepts".into()
    } else {
        match original.format {
            ImageFormat::Jpeg | ImageFormat::Png => "the file's structure could not be copied safely".into(),
            other => format!("{} is not a format to post; converted", format!("{other:?}").to_uppercase()),
        }
    };
    let (bytes, ext) = encode_within_limit(picture)?;
    Ok(Prepared { bytes, ext, copy: CopyMethod { lossless: false, why } })
}

/// Encodes `image` with no metadata at all: PNG when it has transparency, JPEG otherwise;
/// over [`MAX_STILL_BYTES`], a lower JPEG quality and then a smaller size are tried.
fn encode_within_limit(image: &DynamicImage) -> Result<(Vec<u8>, &'static str)> {
    let mut image = std::borrow::Cow::Borrowed(image);
    loop {
        let encoded = match image.as_ref() {
            DynamicImage::ImageRgba8(rgba) => (encode_png(rgba)?, "png"),
            opaque => {
                let mut best = encode_jpeg(opaque, JPEG_QUALITY)?;
                for quality in FALLBACK_QUALITIES {
                    if best.len() <= MAX_STILL_BYTES {
                        break;
                    }
                    best = encode_jpeg(opaque, quality)?;
                }
                (best, "jpg")
            }
        };
        if encoded.0.len() <= MAX_STILL_BYTES {
            return Ok(encoded);
        }
        let smaller = (image.width().max(image.height()) * 4 / 5).max(1);
        image = std::borrow::Cow::Owned(crate::resize::fit_within(&image, smaller));
    }
}

fn encode_png(rgba: &image::RgbaImage) -> Result<Vec<u8>> {
    // Fully transparent pixels still hold colour a viewer never shows; clear it so no
    // hidden picture leaves in the file.
    let mut rgba = rgba.clone();
    rgba.pixels_mut().filter(|p| p[3] == 0).for_each(|p| p.0 = [0; 4]);
    let mut out = Vec::new();
    rgba.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png).map_err(encode_failed)?;
    Ok(out)
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    image.to_rgb8().write_with_encoder(encoder).map_err(encode_failed)?;
    Ok(out)
}

fn encode_failed(e: image::ImageError) -> Error {
    Error::Encode { reason: e.to_string() }
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
