//! Formats postsafe cannot open, recognised so that the message names them and says what
//! to do; and files that hold more pictures than the one postsafe checks.

use crate::container::Container;

/// Advice for a picture that an editor can save in a common format.
const EXPORT_AS_JPEG: &str =
    "Open it in a photo editor and save or export a copy as JPEG (or PNG), then check that copy.";

/// Advice for a picture in a format that phones, photo apps and browsers can save as JPEG.
const SAVE_AS_JPEG: &str =
    "Save or export a copy as JPEG (photo apps and web browsers can), then check that copy.";

/// Whether `bytes` are an AVIF picture, which only some builds of libheif can open.
pub(super) fn is_avif(bytes: &[u8]) -> bool {
    bytes.get(4..8) == Some(b"ftyp") && matches!(bytes.get(8..12), Some(b"avif" | b"avis"))
}

/// The error for an AVIF picture this build cannot open.
pub(super) fn avif_error(path: &std::path::Path) -> crate::Error {
    crate::Error::Unsupported { path: path.to_path_buf(), format: "AVIF", what_to_do: SAVE_AS_JPEG }
}

/// A kind of file postsafe cannot open, as people call it, with what to do.
pub(super) struct Unsupported {
    pub format: &'static str,
    pub what_to_do: &'static str,
    /// A picture someone may have meant to post (an error when it cannot be checked), not a
    /// document or a video that merely sits among the photos (passed over).
    pub picture: bool,
}

/// The formats people meet among photos that postsafe cannot open, recognised by their first
/// bytes: a message that called them damaged would send a teacher back to the camera for
/// nothing.
pub(super) fn unsupported(bytes: &[u8]) -> Option<Unsupported> {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let brand = bytes.get(4..8).filter(|b| b == b"ftyp").and(bytes.get(8..12));
    let text_start = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    let (format, what_to_do) = if starts(&[0, 0, 1, 0]) || starts(&[0, 0, 2, 0]) && bytes.len() > 6 {
        (
            "Windows icon (ICO)",
            "An icon is not a photo; if it shows one, save the picture itself as JPEG or PNG and check that.",
        )
    } else if is_avif(bytes) && !crate::heif::SUPPORTED {
        ("AVIF", SAVE_AS_JPEG)
    } else if starts(b"\0\0\0\x0CjP  \r\n\x87\n") || starts(&[0xFF, 0x4F, 0xFF, 0x51]) {
        ("JPEG 2000", EXPORT_AS_JPEG)
    } else if starts(b"\0\0\0\x0CJXL \r\n\x87\n") || starts(&[0xFF, 0x0A]) {
        ("JPEG XL", EXPORT_AS_JPEG)
    } else if starts(b"8BPS") {
        (
            "Photoshop document (PSD)",
            "In Photoshop, use File > Export > Export As… and choose JPEG, then check that copy.",
        )
    } else if starts(b"%PDF-") {
        (
            "PDF document",
            "If it holds a photo, save the photo itself as JPEG and check that; a PDF cannot be checked.",
        )
    } else if starts(b"%!PS") || starts(&[0xC5, 0xD0, 0xD3, 0xC6]) {
        ("PostScript (EPS)", EXPORT_AS_JPEG)
    } else if text_start.starts_with("<svg") || text_start.starts_with("<?xml") && text_start.contains("<svg")
    {
        ("SVG drawing", "Export the drawing as PNG and check that.")
    } else if starts(b"gimp xcf") {
        ("GIMP image (XCF)", "In GIMP, use File > Export As… and choose JPEG or PNG, then check that copy.")
    } else if brand.is_some_and(|b| b == b"crx ")
        || starts(b"FUJIFILMCCD-RAW")
        || starts(b"IIRO")
        || starts(b"IIU\0")
        || starts(b"II*\0") && bytes.get(8..10) == Some(b"CR")
    {
        ("camera RAW", "Set the camera to save JPEG, or export the photo as JPEG from the camera's software, then check that.")
    } else if brand
        .is_some_and(|b| [b"isom", b"iso2", b"mp41", b"mp42", b"qt  ", b"M4V "].iter().any(|v| b == *v))
    {
        ("video", "postsafe checks photos only. Take a still picture from the video as JPEG if you want to post one.")
    } else {
        return None;
    };
    let picture = !matches!(format, "PDF document" | "video");
    Some(Unsupported { format, what_to_do, picture })
}

/// What is left out of a file that holds more than one picture, when only the first is
/// analysed and posted (a GIF's frames are each checked), in words for the report.
pub(super) fn pictures_left_out(
    format: image::ImageFormat,
    bytes: &[u8],
    container: &Container,
) -> Option<&'static str> {
    use image::ImageFormat::{Png, Tiff, WebP};
    let animated_png =
        || matches!(container, Container::Png(png) if png.chunks.iter().any(|c| &c.kind == b"acTL"));
    // The VP8X header's flags byte; 0x02 says the file is an animation.
    let animated_webp =
        || bytes.get(12..16) == Some(b"VP8X") && bytes.get(20).is_some_and(|flags| flags & 0x02 != 0);
    match format {
        Png if animated_png() => Some(
            "an animated PNG: only its first frame was checked, so only that frame is posted, as a still picture",
        ),
        WebP if animated_webp() => Some(
            "an animated WebP: only its first frame was checked, so only that frame is posted, as a still picture",
        ),
        Tiff if tiff_has_more_pages(bytes) => Some(
            "a TIFF of several pages: only its first page was checked, so only that page is posted",
        ),
        _ => None,
    }
}

/// Whether a TIFF's first page points to another.
fn tiff_has_more_pages(bytes: &[u8]) -> bool {
    let little = bytes.starts_with(b"II");
    let u16_at = |at: usize| {
        bytes.get(at..at + 2).map(|b| {
            if little {
                u16::from_le_bytes([b[0], b[1]])
            } else {
                u16::from_be_bytes([b[0], b[1]])
            }
        })
    };
    let u32_at = |at: usize| {
        bytes.get(at..at + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        })
    };
    let next = u32_at(4).and_then(|first| {
        let first = usize::try_from(first).ok()?;
        let entries = usize::from(u16_at(first)?);
        u32_at(first + 2 + 12 * entries)
    });
    next.is_some_and(|next| next != 0)
}
