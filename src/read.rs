//! Reading: finding the photos among the inputs and decoding each one upright.

use crate::error::{Error, Result};
use crate::heif::Refusal;
use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Longest side, in pixels, of a picture postsafe agrees to decode.
pub const MAX_SIDE: u32 = 20_000;
/// Memory one decoded picture may take; bounds a batch's memory however large its files are.
pub const MAX_DECODED_BYTES: u64 = 640 * 1024 * 1024;

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
    NotPicture(PathBuf, &'static str),
    /// An input or folder entry that could not be looked at.
    Unreadable(PathBuf, Error),
}

/// Every file under `inputs` (files and folders, folders walked recursively in name order),
/// each once, leaving out everything inside `exclude` (the output folder).
pub(crate) fn discover(inputs: &[PathBuf], exclude: &Path) -> Vec<Found> {
    let exclude = exclude.canonicalize().ok();
    let inside_exclude =
        |p: &Path| exclude.as_ref().is_some_and(|ex| p.canonicalize().is_ok_and(|c| c.starts_with(ex)));
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for input in inputs {
        // walkdir follows links and reports loops, so a link cycle ends the walk of that
        // branch instead of running for ever.
        for entry in walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                // Reading a pipe or a device could wait for ever or never end.
                Ok(entry) if !entry.file_type().is_file() => {
                    found.push(Found::NotPicture(entry.into_path(), "not a file (a pipe, socket or device)"));
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
                        "a link back into a folder already being checked; not followed",
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
    let mut head = [0u8; 32];
    let sniffed = std::fs::File::open(&path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .is_ok_and(|n| image::guess_format(&head[..n]).is_ok());
    if sniffed {
        let folders = folder_names(&path, input);
        Found::Picture(path, folders)
    } else {
        Found::NotPicture(path, "not a picture")
    }
}

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

/// A photo decoded and turned upright.
pub(crate) struct Decoded {
    /// The pixels, upright, as 8-bit RGB or RGBA.
    pub image: DynamicImage,
    /// The file format the bytes are in; `None` for HEIF, which the `image` crate does not know.
    pub format: Option<ImageFormat>,
    /// The EXIF orientation (1–8) that was applied to make `image` upright (1 for HEIF, which
    /// stores its rotation as part of the picture).
    pub orientation: u8,
    /// Width and height of the whole upright picture; larger than `image` when a JPEG was
    /// decoded at reduced scale.
    pub full_size: (u32, u32),
}

/// How far below the size asked for a reduced-scale JPEG decode may come out: a 4032×3024
/// phone photo decodes at half size to 2016 px, which is posted instead of being decoded whole
/// and scaled to 2048 (four times the pixels to decode for 1.6% more width).
const SCALED_DECODE_SLACK: f64 = 0.9;

/// Decodes `bytes` (the file at `path`), applying its EXIF orientation, refusing pictures
/// whose data ends early. A JPEG at least twice `fit` on its long side is decoded at 1/2, 1/4
/// or 1/8 scale, whichever still leaves a long side of about `fit`.
pub(crate) fn decode(path: &Path, bytes: &[u8], fit: u32) -> Result<Decoded> {
    let bad = |reason: String| Error::Decode { path: path.to_path_buf(), reason };
    if bytes.is_empty() {
        return Err(bad("the file is empty (0 bytes)".into()));
    }
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| bad(e.to_string()))?;
    if crate::heif::is_heif(bytes) {
        let image =
            crate::heif::decode(bytes, MAX_SIDE, MAX_DECODED_BYTES).map_err(|refusal| match refusal {
                Refusal::TooLarge(reason) => Error::TooLarge { path: path.to_path_buf(), reason },
                Refusal::Unreadable(reason) => bad(reason),
            })?;
        let full_size = image.dimensions();
        return Ok(Decoded { image, format: None, orientation: 1, full_size });
    }
    let format = reader.format().ok_or_else(|| bad("it is not in a picture format postsafe knows".into()))?;
    if !is_complete(format, bytes) {
        return Err(bad("the file is damaged or cut short (the end of the picture data is missing)".into()));
    }
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(|e| describe(path, e))?;
    let orientation = decoder.orientation().map_err(|e| describe(path, e))?;
    let (width, height) = decoder.dimensions();
    let scaled = match format {
        ImageFormat::Jpeg => jpeg_at_scale(bytes, (width, height), fit).map_err(bad)?,
        _ => None,
    };
    let mut image = match scaled {
        Some(image) => image,
        None => {
            let image = DynamicImage::from_decoder(decoder).map_err(|e| describe(path, e))?;
            if format == ImageFormat::Jpeg {
                jpeg_scan_is_whole(bytes, (width, height)).map_err(|e| {
                    bad(format!("the picture data is damaged ({e}); the photo cannot be checked"))
                })?;
            }
            image
        }
    };
    image.apply_orientation(orientation);
    let full_size = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    let orientation = orientation.to_exif();
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok(Decoded { image, format: Some(format), orientation, full_size })
}

/// The JPEG in `bytes` (`width` × `height`) decoded at the smallest DCT scale that leaves its
/// long side at least [`SCALED_DECODE_SLACK`] × `fit`; `None` when that is full size or the
/// pixels are in a layout (CMYK, 16-bit) left to the full decoder.
fn jpeg_at_scale(
    bytes: &[u8],
    (width, height): (u32, u32),
    fit: u32,
) -> std::result::Result<Option<DynamicImage>, String> {
    let wanted = (f64::from(fit) * SCALED_DECODE_SLACK).ceil() as u32;
    if width.max(height) / 2 < wanted || wanted > u32::from(u16::MAX) {
        return Ok(None);
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(MAX_DECODED_BYTES as usize);
    let (w, h) = decoder.scale(wanted as u16, wanted as u16).map_err(|e| e.to_string())?;
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let layout = decoder.info().map(|i| i.pixel_format);
    let (w, h) = (u32::from(w), u32::from(h));
    Ok(match layout {
        Some(jpeg_decoder::PixelFormat::RGB24) => {
            image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8)
        }
        Some(jpeg_decoder::PixelFormat::L8) => {
            image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => None,
    })
}

/// Whether the JPEG in `bytes` (`width` × `height`, already decoded by `image` within its
/// limits) decodes without an error in zune-jpeg's strict mode. `image` runs zune-jpeg leniently,
/// which at a broken Huffman code or a stray marker stops, fills the rest with grey and reports
/// success: the detector would then pass a picture that viewers, which carry on at the next
/// restart marker, show with a face in it, and its data would be copied out unchanged.
fn jpeg_scan_is_whole(bytes: &[u8], (width, height): (u32, u32)) -> std::result::Result<(), String> {
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(width as usize)
        .set_max_height(height as usize);
    zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options)
        .decode()
        .map(drop)
        .map_err(|e| e.to_string())
}

/// What the `image` decoders may take: a photo past these is refused as too large instead of
/// exhausting a classroom laptop's memory.
fn decode_limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    limits
}

fn describe(path: &Path, err: image::ImageError) -> Error {
    let path = path.to_path_buf();
    match err {
        image::ImageError::Limits(l) => Error::TooLarge { path, reason: l.to_string() },
        image::ImageError::Unsupported(u) => {
            Error::Decode { path, reason: format!("this kind of picture is not supported ({u})") }
        }
        other => Error::Decode { path, reason: other.to_string() },
    }
}

/// Most frames of an animated GIF that are analysed; longer animations are refused rather than
/// checked for minutes.
pub const MAX_FRAMES: usize = 1000;

/// Every frame of a GIF animation, each as the full picture a viewer shows at that moment with
/// how long it shows, decoded one at a time so memory stays bounded however long the
/// animation is. The first is the picture [`decode`] returns.
pub(crate) fn gif_frames<'a>(
    path: &'a Path,
    bytes: &'a [u8],
) -> Result<impl Iterator<Item = Result<image::Frame>> + 'a> {
    use image::AnimationDecoder;
    let mut decoder =
        image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(|e| describe(path, e))?;
    decoder.set_limits(decode_limits()).map_err(|e| describe(path, e))?;
    Ok(decoder.into_frames().enumerate().map(move |(n, frame)| {
        if n >= MAX_FRAMES {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                reason: format!("more than {MAX_FRAMES} frames"),
            });
        }
        frame.map_err(|e| describe(path, e))
    }))
}

/// Whether the file is whole. Decoders return a picture without complaint when some formats
/// stop short (grey fill in JPEG, a lost end chunk in PNG, missing frames in GIF, the last
/// bytes of WebP and BMP), so each format's end marker or declared length is checked here.
fn is_complete(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
        // Scrubbing walks every segment and scan to the end-of-image marker and refuses what
        // does not reach it; the same walk tells whether the file is whole.
        ImageFormat::Jpeg => crate::scrub::jpeg(bytes, 1).is_some(),
        // The IEND chunk with its fixed CRC.
        ImageFormat::Png => bytes.windows(8).any(|w| w == b"IEND\xAE\x42\x60\x82"),
        // The trailer byte: without it, frames of an animation may be missing unnoticed.
        ImageFormat::Gif => bytes.last() == Some(&0x3B),
        // RIFF and BMP headers state the file's length.
        ImageFormat::WebP => declared_length(bytes, 4).is_some_and(|n| bytes.len() >= n + 8),
        ImageFormat::Bmp => declared_length(bytes, 2).is_some_and(|n| bytes.len() >= n),
        _ => true,
    }
}

/// The little-endian 32-bit length stored at `at`.
fn declared_length(bytes: &[u8], at: usize) -> Option<usize> {
    let field = bytes.get(at..at + 4)?;
    usize::try_from(u32::from_le_bytes([field[0], field[1], field[2], field[3]])).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_jpeg() -> Vec<u8> {
        let mut out = Vec::new();
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]));
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).unwrap();
        out
    }

    #[test]
    fn a_large_jpeg_is_decoded_at_the_scale_it_is_posted_at_and_knows_its_full_size() {
        let img = image::RgbImage::from_fn(1600, 1200, |x, y| image::Rgb([(x / 7) as u8, (y / 5) as u8, 90]));
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg).unwrap();
        // 1600 / 2 = 800 is within the 10% slack of 840; 1600 / 4 = 400 is not.
        let half = decode(Path::new("big.jpg"), &jpeg, 840).unwrap();
        assert_eq!((half.image.dimensions(), half.full_size), ((800, 600), (1600, 1200)));
        let whole = decode(Path::new("big.jpg"), &jpeg, 1000).unwrap();
        assert_eq!((whole.image.dimensions(), whole.full_size), ((1600, 1200), (1600, 1200)));
        // The reduced decode shows the same picture: mean colour within a level or two.
        let mean = |i: &DynamicImage| {
            let rgb = i.to_rgb8();
            rgb.pixels().map(|p| f64::from(p[0]) + f64::from(p[1])).sum::<f64>()
                / f64::from(rgb.width() * rgb.height())
        };
        assert!((mean(&half.image) - mean(&whole.image)).abs() < 2.0);
    }

    #[test]
    fn a_picture_cut_short_is_never_decoded_in_any_format() {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 48, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
        }));
        for format in [
            ImageFormat::Jpeg,
            ImageFormat::Png,
            ImageFormat::Gif,
            ImageFormat::WebP,
            ImageFormat::Tiff,
            ImageFormat::Bmp,
        ] {
            let mut whole = Vec::new();
            img.write_to(&mut Cursor::new(&mut whole), format).unwrap();
            assert!(decode(Path::new("whole"), &whole, 2048).is_ok(), "{format:?} whole");
            for cut in [whole.len() / 10, whole.len() / 2, whole.len() * 9 / 10, whole.len() - 1] {
                assert!(
                    decode(Path::new("cut"), &whole[..cut], 2048).is_err(),
                    "{format:?} cut at {cut} of {}",
                    whole.len()
                );
            }
        }
    }

    #[test]
    fn a_damaged_heic_photo_is_an_error_that_says_what_to_do() {
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        let err = decode(Path::new("IMG_0001.HEIC"), &heic, 2048).err().expect("refused");
        let told = err.to_string();
        assert!(told.contains("IMG_0001.HEIC"), "{told}");
        if crate::heif::SUPPORTED {
            assert!(told.contains("libheif cannot read it"), "{told}");
        } else {
            assert!(told.contains("Most Compatible") && told.contains("libheif"), "{told}");
        }
    }

    /// `jpeg` with 64 bytes of its scan data, a third of the way in, replaced by stuffed 0xFF
    /// bytes: a run of one-bits no Huffman table assigns, which decoders meet as broken data.
    fn with_broken_scan(jpeg: &[u8]) -> Vec<u8> {
        let scan = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).expect("a scan") + 20;
        let at = scan + (jpeg.len() - scan) / 3;
        let mut broken = jpeg.to_vec();
        broken[at..at + 64].copy_from_slice(&[0xFF, 0x00].repeat(32));
        broken
    }

    #[test]
    fn a_jpeg_whose_scan_data_breaks_off_is_refused_at_any_size() {
        let card = |w: u32, h: u32| {
            let img = image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([(x * 7) as u8, (y * 5) as u8, (x ^ y) as u8])
            });
            let mut out = Vec::new();
            img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg).unwrap();
            out
        };
        // Posted as it is (its data would be copied unchanged), and decoded at half scale.
        for (w, h) in [(640, 480), (4000, 3000)] {
            let broken = with_broken_scan(&card(w, h));
            assert!(is_complete(ImageFormat::Jpeg, &broken), "still whole in structure");
            let err = decode(Path::new("broken.jpg"), &broken, 2048).err().expect("must be refused");
            assert!(matches!(err, Error::Decode { .. }) && err.to_string().contains("broken.jpg"), "{err}");
        }
    }

    #[test]
    fn a_cut_short_jpeg_is_a_decode_error() {
        let jpeg = tiny_jpeg();
        let err = decode(Path::new("cut.jpg"), &jpeg[..jpeg.len() / 2], 2048).err().expect("must fail");
        assert!(err.to_string().contains("cut short"), "{err}");
    }
}
