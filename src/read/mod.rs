//! Reading: finding the photos among the inputs ([`discover`]) and decoding each one upright,
//! within a memory budget ([`memory`]).

mod discover;
mod formats;
mod memory;

pub use discover::made_by_a_computer;
pub(crate) use discover::{check_places, discover, Found};
pub use memory::MAX_DECODED_BYTES;

use crate::container::{Container, Jpeg};
use crate::error::{Error, Result};
use crate::heif::Refusal;
use formats::Unsupported;
use image::metadata::Orientation;
use image::{ColorType, DynamicImage, GenericImageView, ImageDecoder, ImageFormat, ImageReader, Limits};
use memory::{in_words, reserve, Reservation};
use std::io::Cursor;
use std::path::Path;

/// Longest side, in pixels, of a picture postsafe agrees to decode.
pub const MAX_SIDE: u32 = 20_000;

/// A photo decoded and turned upright.
pub(crate) struct Decoded {
    /// The pixels, upright, as 8-bit RGB, any transparency laid over white ([`over_white`]).
    pub image: DynamicImage,
    /// Whether the file has an alpha channel, so its own bytes carry more than `image` shows.
    pub see_through: bool,
    /// The file format the bytes are in; `None` for HEIF, which the `image` crate does not know.
    pub format: Option<ImageFormat>,
    /// The EXIF orientation (1–8) that was applied to make `image` upright (1 for HEIF, which
    /// stores its rotation as part of the picture).
    pub orientation: u8,
    /// Width and height of the whole upright picture; larger than `image` when a JPEG was
    /// decoded at reduced scale.
    pub full_size: (u32, u32),
    /// The memory this picture's decoding and analysis may take, held until this is dropped.
    pub memory: Reservation,
    /// For a file of several pictures other than a GIF (animated PNG or WebP, a TIFF of many
    /// pages), what is left out, in words for the report: only the first picture is analysed
    /// and posted.
    pub left_out: Option<&'static str>,
}

/// How far below the size asked for a reduced-scale JPEG decode may come out: a 4032×3024
/// phone photo decodes at half size to 2016 px, which is posted instead of being decoded whole
/// and scaled to 2048 (four times the pixels to decode for 1.6% more width).
const SCALED_DECODE_SLACK: f64 = 0.9;

/// Decodes `bytes` (the file at `path`, whose structure `container` holds), applying its
/// EXIF orientation, refusing pictures whose data ends early or that would take more memory
/// than [`MAX_DECODED_BYTES`]. A JPEG at least twice `fit` on its long side is decoded at 1/2,
/// 1/4 or 1/8 scale, whichever still leaves a long side of about `fit`.
pub(crate) fn decode(path: &Path, bytes: &[u8], container: &Container, fit: u32) -> Result<Decoded> {
    let bad = |reason: &str| Error::Decode { path: path.to_path_buf(), reason: reason.into() };
    if bytes.is_empty() {
        return Err(bad("the file is empty (0 bytes)"));
    }
    if let Some(Unsupported { format, what_to_do, .. }) = formats::unsupported(bytes) {
        return Err(Error::Unsupported { path: path.to_path_buf(), format, what_to_do });
    }
    if crate::heif::is_heif(bytes) {
        return decode_heif(path, bytes);
    }
    match container {
        Container::Broken(why) => Err(bad(why)),
        Container::Jpeg(jpeg) => decode_jpeg(path, bytes, jpeg, fit),
        Container::Png(_) => decode_with_image(path, bytes, container, ImageFormat::Png),
        Container::Other => {
            let format = image::guess_format(bytes)
                .map_err(|_| bad("it is not in a picture format postsafe knows"))?;
            if !is_complete(format, bytes) {
                return Err(bad("the file is damaged or cut short (the end of the picture data is missing)"));
            }
            decode_with_image(path, bytes, container, format)
        }
    }
}

/// The memory a `width` × `height` picture takes at `bytes_per_pixel`, refused past
/// [`MAX_SIDE`] or [`MAX_DECODED_BYTES`], and otherwise held from the budget.
fn admit(path: &Path, (width, height): (u32, u32), bytes_per_pixel: u64) -> Result<Reservation> {
    let too_large = |reason: String| Error::TooLarge { path: path.to_path_buf(), reason };
    if width.max(height) > MAX_SIDE {
        return Err(too_large(format!(
            "{width} × {height} pixels; postsafe opens pictures of up to {MAX_SIDE} pixels a side"
        )));
    }
    let need = u64::from(width) * u64::from(height) * bytes_per_pixel;
    if need > MAX_DECODED_BYTES {
        return Err(too_large(format!(
            "{width} × {height} pixels would take {} of memory to open, and postsafe opens pictures that take up to {}",
            in_words(need),
            in_words(MAX_DECODED_BYTES)
        )));
    }
    Ok(reserve(need))
}

/// Decodes a JPEG with the decoders that read it strictly: zune-jpeg in strict mode, or
/// jpeg-decoder at reduced scale. (`image` runs zune-jpeg leniently, which at a broken Huffman
/// code or a stray marker fills the rest of the picture with grey and reports success, while
/// viewers carry on at the next restart marker and may show a face there.)
fn decode_jpeg(path: &Path, bytes: &[u8], jpeg: &Jpeg, fit: u32) -> Result<Decoded> {
    let frame = jpeg.frame;
    let kind = match (frame.marker, frame.precision) {
        (0xC0..=0xC2, 8) => None,
        (0xC0..=0xC2, _) => Some("12-bit JPEG"),
        (0xC3, _) => Some("lossless JPEG"),
        (0xC5..=0xC7 | 0xCD..=0xCF, _) => Some("hierarchical JPEG"),
        _ => Some("arithmetic-coded JPEG"),
    };
    let kind = kind.or((frame.height == 0).then_some("JPEG whose height is given after its picture data"));
    if let Some(format) = kind {
        let what_to_do =
            "Open it in a photo editor and save a copy as an ordinary JPEG, then check that copy.";
        return Err(Error::Unsupported { path: path.to_path_buf(), format, what_to_do });
    }
    let (width, height) = (u32::from(frame.width), u32::from(frame.height));
    let orientation = jpeg
        .segments(0xE1, b"Exif\0\0")
        .next()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let broken = |e: String| Error::Decode {
        path: path.to_path_buf(),
        reason: format!("the picture data is damaged ({e}); the photo cannot be checked"),
    };
    let wanted = (f64::from(fit) * SCALED_DECODE_SLACK).ceil() as u32;
    let scale_down = width.max(height) / 2 >= wanted && wanted <= u32::from(u16::MAX);
    // Scaled decoding keeps every coefficient of a progressive file at full size.
    let memory = admit(path, (width, height), if scale_down { 2 } else { 4 })?;
    let scaled = if scale_down { jpeg_at_scale(bytes, wanted).map_err(broken)? } else { None };
    let image = match scaled {
        Some(image) => image,
        None => jpeg_whole(bytes, (width, height)).map_err(broken)?,
    };
    Ok(upright(image, (width, height), orientation, Some(ImageFormat::Jpeg), memory))
}

/// The JPEG in `bytes` decoded whole by zune-jpeg in strict mode, as 8-bit RGB or grey
/// (CMYK and YCCK converted to RGB, as `image` does).
fn jpeg_whole(bytes: &[u8], (width, height): (u32, u32)) -> std::result::Result<DynamicImage, String> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(width as usize)
        .set_max_height(height as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(Cursor::new(bytes), options);
    decoder.decode_headers().map_err(|e| e.to_string())?;
    let grey = decoder.input_colorspace().is_some_and(|c| matches!(c, ColorSpace::Luma | ColorSpace::LumaA));
    let out = if grey { ColorSpace::Luma } else { ColorSpace::RGB };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let made = match grey {
        true => image::GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        false => image::RgbImage::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8),
    };
    made.ok_or_else(|| "the decoder returned fewer pixels than the picture has".into())
}

/// The JPEG in `bytes` decoded at the smallest DCT scale that leaves its long side at least
/// `wanted`; `None` when the pixels are in a layout (CMYK) left to the whole decode.
fn jpeg_at_scale(bytes: &[u8], wanted: u32) -> std::result::Result<Option<DynamicImage>, String> {
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

/// Decodes a PNG, GIF, WebP, TIFF or BMP with `image`, once the size its header declares is
/// known to fit the memory budget.
fn decode_with_image(
    path: &Path,
    bytes: &[u8],
    container: &Container,
    format: ImageFormat,
) -> Result<Decoded> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decode_limits());
    let mut decoder = reader.into_decoder().map_err(|e| describe(path, e))?;
    let orientation = decoder.orientation().map_err(|e| describe(path, e))?;
    let (width, height) = decoder.dimensions();
    let colour = decoder.color_type();
    // The decoder's own buffer, then the 8-bit copy analysed; a GIF decoder also keeps the
    // canvas that frames are drawn on.
    let native = u64::from(colour.bytes_per_pixel());
    let converted = match colour {
        ColorType::Rgb8 => 0,
        c if c.has_alpha() => 4 + 3,
        _ => 3,
    };
    let canvas = if format == ImageFormat::Gif { 4 } else { 0 };
    let memory = admit(path, (width, height), native + converted + canvas)?;
    let image = DynamicImage::from_decoder(decoder).map_err(|e| describe(path, e))?;
    let decoded = upright(image, (width, height), orientation, Some(format), memory);
    Ok(Decoded { left_out: formats::pictures_left_out(format, bytes, container), ..decoded })
}

/// Decodes an HEIF photo through libheif, which applies its rotation itself.
fn decode_heif(path: &Path, bytes: &[u8]) -> Result<Decoded> {
    let admitted = crate::heif::decode(bytes, |width, height, alpha| {
        // libheif's planes, the copy made of them, and the picture laid over white.
        let per_pixel = if alpha { 4 + 4 + 2 + 3 } else { 3 + 3 + 2 };
        admit(path, (width, height), per_pixel).map_err(Refusal::NotAdmitted)
    });
    let (image, memory) = admitted.map_err(|refusal| match refusal {
        Refusal::NotAdmitted(error) => error,
        // libheif reads AVIF only with an AV1 decoder beside it, which many systems lack.
        Refusal::Unreadable(_) if formats::is_avif(bytes) => formats::avif_error(path),
        Refusal::Unreadable(reason) => Error::Decode { path: path.to_path_buf(), reason },
    })?;
    let full_size = image.dimensions();
    Ok(upright(image, full_size, Orientation::NoTransforms, None, memory))
}

/// `image`, decoded from a `width` × `height` picture stored turned by `orientation`, put
/// upright and laid over white.
fn upright(
    mut image: DynamicImage,
    (width, height): (u32, u32),
    orientation: Orientation,
    format: Option<ImageFormat>,
    memory: Reservation,
) -> Decoded {
    image.apply_orientation(orientation);
    let full_size = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    let see_through = image.color().has_alpha();
    let image = DynamicImage::ImageRgb8(over_white(image));
    Decoded {
        image,
        see_through,
        format,
        orientation: orientation.to_exif(),
        full_size,
        memory,
        left_out: None,
    }
}

/// `picture` as 8-bit RGB, its see-through parts laid over white as a viewer shows them on a
/// light page. This is the picture postsafe analyses and the only one it posts: a file whose
/// alpha hides colour (a face stored under pixels 1% opaque, white writing on a transparent
/// background) shows something else wherever alpha is dropped or the page is dark, and none
/// of that may leave in the copy.
pub(crate) fn over_white(picture: DynamicImage) -> image::RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        out.0 = on_white(px.0);
    }
    rgb
}

/// A frame of an animation ([`gif_frames`]) as the picture it shows.
pub(crate) fn frame_picture(frame: image::Frame) -> DynamicImage {
    DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(frame.into_buffer()).into_rgb8())
}

/// One pixel laid over white.
fn on_white([r, g, b, a]: [u8; 4]) -> [u8; 3] {
    let a = u16::from(a);
    [r, g, b].map(|c| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8)
}

/// What the `image` decoders may allocate, as a second line behind [`admit`].
fn decode_limits() -> Limits {
    let mut limits = Limits::default();
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

/// Every frame of a GIF animation, each as the full picture a viewer shows at that moment
/// (laid over white, as still pictures are) with how long it shows, decoded one at a time so
/// memory stays bounded however long the animation is. The first is the picture [`decode`]
/// returns, which admitted its size.
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
        let mut frame = frame.map_err(|e| describe(path, e))?;
        for px in frame.buffer_mut().pixels_mut() {
            let [r, g, b] = on_white(px.0);
            px.0 = [r, g, b, 255];
        }
        Ok(frame)
    }))
}

/// Whether a GIF, WebP or BMP file is whole: their decoders return a picture without complaint
/// when the file stops short (missing frames in GIF, the last bytes of WebP and BMP), so each
/// format's end marker or declared length is checked here. (JPEG and PNG are walked whole by
/// [`crate::container`].)
fn is_complete(format: ImageFormat, bytes: &[u8]) -> bool {
    match format {
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

    /// `bytes` decoded as a batch decodes them, walked once first.
    fn decode(path: &Path, bytes: &[u8], fit: u32) -> Result<Decoded> {
        super::decode(path, bytes, &crate::container::parse(bytes), fit)
    }

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
