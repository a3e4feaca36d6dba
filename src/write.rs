//! Writing: safe copies into the ready folder, under neutral names, never half-written.

use crate::container::Container;
use crate::error::{Error, Result};
use crate::publish::SafeCopy;
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

/// The neutral name stem of a photo's safe copy: the file name may carry a child's name, so
/// it is never reused. Derived from the content, so a re-run overwrites rather than
/// duplicates, and two runs over different photos never collide.
fn output_stem(bytes: &[u8]) -> String {
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
    /// The file's structure.
    pub container: &'a Container<'a>,
    /// The file's size in bytes.
    pub size: usize,
    /// What its colour profile may become in a copy.
    pub profile: Option<&'a crate::icc::Vetted>,
    /// `None` for HEIF, which the `image` crate does not know.
    pub format: Option<ImageFormat>,
    /// EXIF orientation the original is displayed with.
    pub orientation: u8,
    /// Whether the file has an alpha channel: its bytes then carry colour that the picture
    /// analysed (laid over white) does not show, so they are never copied.
    pub see_through: bool,
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
        let copied = match original.container {
            Container::Jpeg(jpeg) => {
                lossless(crate::scrub::jpeg(jpeg, u16::from(original.orientation), original.profile), "jpg")
            }
            Container::Png(png) if !original.see_through && original.orientation == 1 => {
                lossless(crate::scrub::png(png, original.profile), "png")
            }
            _ => None,
        };
        if let Some(copied) = copied {
            return Ok(copied);
        }
    }
    let why = if !untouched {
        why_changed.to_string()
    } else if original.size > MAX_STILL_BYTES {
        "the original is larger than the 5 MB the platform accepts".into()
    } else {
        match original.format {
            Some(ImageFormat::Jpeg | ImageFormat::Png) => {
                "the file's structure could not be copied safely".into()
            }
            Some(other) => {
                format!("{} is not a format to post; converted", format!("{other:?}").to_uppercase())
            }
            None => "HEIC is not a format to post; converted".into(),
        }
    };
    let profile = match original.profile {
        Some(crate::icc::Vetted::Rebuilt(profile)) => Some(profile.as_slice()),
        _ => None,
    };
    let bytes = encode_within_limit(picture, profile)?;
    Ok(Prepared { bytes, ext: "jpg", copy: CopyMethod { lossless: false, why } })
}

/// Encodes `image` as a JPEG with no metadata at all, only `profile` (a colour profile rebuilt
/// from the original's colour tags) when there is one; over [`MAX_STILL_BYTES`], a lower
/// quality and then a smaller size are tried.
fn encode_within_limit(image: &DynamicImage, profile: Option<&[u8]>) -> Result<Vec<u8>> {
    let mut image = std::borrow::Cow::Borrowed(image);
    loop {
        let mut best = encode_jpeg(&image, JPEG_QUALITY, profile)?;
        for quality in FALLBACK_QUALITIES {
            if best.len() <= MAX_STILL_BYTES {
                break;
            }
            best = encode_jpeg(&image, quality, profile)?;
        }
        if best.len() <= MAX_STILL_BYTES {
            return Ok(best);
        }
        let smaller = (image.width().max(image.height()) * 4 / 5).max(1);
        image = std::borrow::Cow::Owned(crate::resize::fit_within(&image, smaller));
    }
}

/// Largest animated GIF the social network accepts.
pub const MAX_ANIMATION_BYTES: usize = 15 * 1024 * 1024;
/// Largest frame of an animated GIF the social network accepts.
pub const MAX_ANIMATION_FRAME: (u32, u32) = (1280, 1080);
/// Below this long side an animation is no longer worth posting; its still is posted instead.
const MIN_ANIMATION_SIDE: u32 = 160;

/// An animation re-encoded as a GIF from its decoded frames (so it carries no comments, XMP
/// or other metadata of the original), scaled to fit [`MAX_ANIMATION_FRAME`] and `max_side`
/// (the long side its frames were analysed at: a face too small to find there must not be
/// posted larger) and, by shrinking further, [`MAX_ANIMATION_BYTES`]. `frames` yields the
/// frames afresh on each call, so memory holds one frame at a time whatever the animation's
/// length. `None` when it cannot be made to fit.
pub(crate) fn animation<I>(
    frames: impl Fn() -> Result<I>,
    width: u32,
    height: u32,
    max_side: u32,
) -> Result<Option<Prepared>>
where
    I: Iterator<Item = Result<image::Frame>>,
{
    let (max_w, max_h) = MAX_ANIMATION_FRAME;
    let mut scale = (f64::from(max_w) / f64::from(width))
        .min(f64::from(max_h) / f64::from(height))
        .min(f64::from(max_side) / f64::from(width.max(height)))
        .min(1.0);
    loop {
        let size = |side: u32| ((f64::from(side) * scale).round() as u32).max(1);
        let (w, h) = (size(width), size(height));
        if w.max(h) < MIN_ANIMATION_SIDE.min(width.max(height)) {
            return Ok(None);
        }
        let mut out = Capped(Vec::new());
        let fitted = encode_gif(frames()?, w, h, &mut out)?;
        if fitted {
            let why = if (w, h) == (width, height) {
                "animated GIF: every frame checked; re-encoded without its metadata".to_string()
            } else {
                format!(
                    "animated GIF: every frame checked; re-encoded at {w}×{h} to fit the platform's limits"
                )
            };
            return Ok(Some(Prepared {
                bytes: out.0,
                ext: "gif",
                copy: CopyMethod { lossless: false, why },
            }));
        }
        scale *= 0.75;
    }
}

/// Encodes `frames` at `w`×`h` into `out`; `false` when it grew past [`MAX_ANIMATION_BYTES`].
fn encode_gif(
    frames: impl Iterator<Item = Result<image::Frame>>,
    w: u32,
    h: u32,
    out: &mut Capped,
) -> Result<bool> {
    use image::codecs::gif::{GifEncoder, Repeat};
    // Speed 10 of 30 quantises colours several times faster than the default and looks the
    // same on photos; the encoder is the slow part of a long animation.
    let mut encoder = GifEncoder::new_with_speed(&mut *out, 10);
    encoder.set_repeat(Repeat::Infinite).map_err(encode_failed)?;
    for frame in frames {
        let frame = frame?;
        let delay = frame.delay();
        let picture = DynamicImage::ImageRgba8(frame.into_buffer());
        let scaled = crate::resize::to_size(&picture, w, h, fast_image_resize::FilterType::Lanczos3);
        let frame = image::Frame::from_parts(scaled.into_rgba8(), 0, 0, delay);
        match encoder.encode_frame(frame) {
            Ok(()) => {}
            Err(image::ImageError::IoError(e)) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                return Ok(false)
            }
            Err(e) => return Err(encode_failed(e)),
        }
    }
    drop(encoder);
    Ok(out.0.len() <= MAX_ANIMATION_BYTES)
}

/// An in-memory file that refuses to grow past [`MAX_ANIMATION_BYTES`], so an animation that
/// cannot fit is abandoned as soon as that is clear rather than encoded to the end.
struct Capped(Vec<u8>);

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_ANIMATION_BYTES {
            return Err(std::io::ErrorKind::FileTooLarge.into());
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `image` as a baseline JPEG, by `jpeg-encoder`: with AVX2 it took half the time of the
/// `image` crate's encoder on a 2048×1536 photo, and every ready photo that is not copied
/// losslessly passes through here.
fn encode_jpeg(image: &DynamicImage, quality: u8, profile: Option<&[u8]>) -> Result<Vec<u8>> {
    let rgb = match image {
        DynamicImage::ImageRgb8(rgb) => std::borrow::Cow::Borrowed(rgb),
        other => std::borrow::Cow::Owned(other.to_rgb8()),
    };
    let side = |v: u32| {
        u16::try_from(v).map_err(|_| Error::Encode { reason: format!("{v} px is too large for JPEG") })
    };
    let (width, height) = (side(rgb.width())?, side(rgb.height())?);
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    // Colour at half resolution (4:2:0), as phone cameras store it and as the network
    // re-encodes it anyway; jpeg-encoder would keep it whole at this quality. Measured: 62 →
    // 36 ms for a 2048×1536 photo; 27 ready copies of camera photos 17% smaller, 45 dB (median)
    // from their full-colour versions.
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    if let Some(profile) = profile {
        encoder.add_icc_profile(profile).map_err(|e| Error::Encode { reason: e.to_string() })?;
    }
    encoder
        .encode(rgb.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| Error::Encode { reason: e.to_string() })?;
    Ok(out)
}

fn encode_failed(e: image::ImageError) -> Error {
    Error::Encode { reason: e.to_string() }
}

/// Name of the lock file in the output folder: held for the whole of a run, so a second run
/// into the same folder is refused instead of overwriting the first one's files. It stays
/// afterwards, marking the folder as postsafe's, so no later run takes its copies as photos.
pub(crate) const LOCK_FILE: &str = ".postsafe.lock";
/// Ending of the temporary files outputs are written to before they are renamed into place.
const PART_SUFFIX: &str = ".part";

/// A results folder: safe copies in its `ready/` folder, the report and the review page beside
/// it. Held by one writer at a time for as long as this lives: a run, or one decision in the
/// app. Safe copies' temporary files are written beside `ready/`, never in it, so even a run
/// killed mid-write leaves nothing in `ready/` but whole photos.
pub struct Results {
    root: PathBuf,
    ready: PathBuf,
    /// The copies this holder has put, by name: identical files in one run share one copy.
    put: std::sync::Mutex<std::collections::HashSet<String>>,
    // Kept open: the operating system releases the lock when the run ends, however it ends.
    _lock: fs::File,
}

impl Results {
    /// Makes `root` and its `ready/` folder, takes its lock ([`Error::Busy`] while another
    /// writer holds it), and clears temporary files that an earlier run, killed mid-write,
    /// left behind.
    pub fn claim(root: &Path) -> Result<Results> {
        let ready = root.join(READY_DIR);
        fs::create_dir_all(&ready).map_err(|source| Error::Write { path: ready.clone(), source })?;
        let lock_path = root.join(LOCK_FILE);
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| Error::Write { path: lock_path.clone(), source })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(Error::Busy { path: root.to_path_buf() }),
            // Some network shares cannot lock; a run there is as safe as before locks existed.
            Err(fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {}
            Err(fs::TryLockError::Error(source)) => return Err(Error::Write { path: lock_path, source }),
        }
        // Holding the lock, no other run can be writing any of these.
        for dir in [root, ready.as_path()] {
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(PART_SUFFIX) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(Results { root: root.to_path_buf(), ready, put: Default::default(), _lock: lock })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of safe copies.
    pub fn ready(&self) -> &Path {
        &self.ready
    }

    /// Puts `copy` of the photo whose file holds `original` in `ready/`, under the photo's
    /// neutral name ([`output_stem`]), whole or not at all, and removes any earlier copy of it
    /// in another form. Returns where it is.
    pub fn put(&self, original: &[u8], copy: &SafeCopy) -> Result<PathBuf> {
        let stem = output_stem(original);
        self.put_stems().insert(stem.clone());
        let written =
            write_via(&self.root, &self.ready.join(format!("{stem}.{}", copy.extension)), &copy.bytes)?;
        self.withdraw_but(&stem, Some(&written))?;
        Ok(written)
    }

    /// Removes every copy of the photo whose file holds `original` from `ready/`, unless this
    /// holder has put one: an identical file elsewhere in the run (held back for its folder's
    /// name, say) must not take away the copy of one found safe.
    pub fn withdraw(&self, original: &[u8]) -> Result<()> {
        let stem = output_stem(original);
        // Held while removing, so that a copy put meanwhile is not removed.
        let put = self.put_stems();
        if put.contains(&stem) {
            return Ok(());
        }
        self.withdraw_but(&stem, None)
    }

    fn put_stems(&self) -> std::sync::MutexGuard<'_, std::collections::HashSet<String>> {
        self.put.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `report` as `report.json` and the review page beside `ready/`.
    pub fn write_report(&self, report: &crate::Report) -> Result<()> {
        report.write_into(&self.root)
    }

    /// Removes earlier copies of a photo but `keep`, so the ready folder never keeps a copy
    /// the current settings hold back or would have changed: a PNG copied out unchanged by a
    /// run without a class list stays beside the JPEG with the name covered that the next run
    /// writes, unless it is removed.
    fn withdraw_but(&self, stem: &str, keep: Option<&Path>) -> Result<()> {
        for ext in ["jpg", "png", "gif"] {
            let path = self.ready.join(format!("{stem}.{ext}"));
            if keep == Some(path.as_path()) {
                continue;
            }
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Write { path, source: e })
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to `dir/name` so that the file is either absent or complete.
pub(crate) fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    write_via(dir, &dir.join(name), bytes)
}

/// Writes `bytes` to `target` through a hidden temporary file in `staging` (on the same disk),
/// flushed to disk and then renamed, so `target` is either absent or complete. A failed write
/// (a full disk, say) removes the temporary file.
fn write_via(staging: &Path, target: &Path, bytes: &[u8]) -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = staging.join(format!(
        ".{name}.{}-{}{PART_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let attempt = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, target)
    })();
    attempt.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        Error::Write { path: target.to_path_buf(), source }
    })?;
    Ok(target.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_animation_goes_out_no_larger_than_its_frames_were_analysed() {
        let frames: Vec<image::Frame> = (0..3u8)
            .map(|i| {
                image::Frame::new(image::RgbaImage::from_pixel(1000, 800, image::Rgba([i * 80, 90, 40, 255])))
            })
            .collect();
        let prepared = animation(|| Ok(frames.clone().into_iter().map(Ok)), 1000, 800, 640).unwrap().unwrap();
        let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&prepared.bytes)).unwrap();
        let decoded = image::AnimationDecoder::into_frames(decoder).collect_frames().unwrap();
        assert_eq!(decoded[0].buffer().dimensions(), (640, 512));
    }

    #[test]
    fn an_animation_too_big_for_the_platform_is_scaled_until_it_fits() {
        // Noise does not compress: 12 such frames at 1280×960 are well over 15 MB as a GIF.
        let mut seed = 1u32;
        let frame = |seed: &mut u32| {
            let noise = image::RgbaImage::from_fn(1600, 1200, |_, _| {
                *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let [r, g, b, _] = seed.to_le_bytes();
                image::Rgba([r, g, b, 255])
            });
            image::Frame::new(noise)
        };
        let frames: Vec<image::Frame> = (0..12).map(|_| frame(&mut seed)).collect();
        let prepared =
            animation(|| Ok(frames.clone().into_iter().map(Ok)), 1600, 1200, 2048).unwrap().unwrap();
        assert!(prepared.bytes.len() <= MAX_ANIMATION_BYTES, "{}", prepared.bytes.len());
        let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(&prepared.bytes)).unwrap();
        let decoded = image::AnimationDecoder::into_frames(decoder).collect_frames().unwrap();
        assert_eq!(decoded.len(), 12);
        let (w, h) = decoded[0].buffer().dimensions();
        assert!(w <= 1280 && h <= 1080 && w < 1280, "{w}×{h}: scaled below the frame limit to fit 15 MB");
        assert!(prepared.copy.why.contains("to fit"), "{}", prepared.copy.why);
    }

    #[test]
    fn a_re_encoded_photo_keeps_colour_at_half_resolution_like_a_camera() {
        let gradient =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 128]));
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(gradient.clone()), JPEG_QUALITY, None).unwrap();
        // The baseline frame header: length, precision, height, width, 3 components, then each
        // component's id and its sampling factors (horizontal << 4 | vertical).
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame header");
        let factors: Vec<u8> = (0..3).map(|c| jpeg[sof + 11 + 3 * c]).collect();
        assert_eq!(factors, [0x22, 0x11, 0x11], "luma at full resolution, both chroma planes at half");
        let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), gradient.dimensions());
    }

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

    #[test]
    fn a_second_run_into_the_same_folder_is_refused_while_the_first_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = Results::claim(dir.path()).unwrap();
        let refused = Results::claim(dir.path()).err().expect("the folder is taken");
        assert!(refused.to_string().contains("another postsafe run"), "{refused}");
        drop(first);
        Results::claim(dir.path()).expect("free again once the first run is over");
    }

    #[test]
    fn a_killed_runs_temporary_files_are_cleared_and_never_in_the_ready_folder() {
        let dir = tempfile::tempdir().unwrap();
        let left_behind = dir.path().join(".photo-1.jpg.99-0.part");
        fs::write(&left_behind, b"half a photo").unwrap();
        let out = Results::claim(dir.path()).unwrap();
        assert!(!left_behind.exists());
        let copy = SafeCopy {
            bytes: b"whole".to_vec(),
            extension: "jpg",
            method: CopyMethod { lossless: true, why: String::new() },
        };
        let written = out.put(b"photo", &copy).unwrap();
        let in_ready: Vec<_> =
            fs::read_dir(dir.path().join(READY_DIR)).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(in_ready, [written.file_name().unwrap()]);
    }
}
