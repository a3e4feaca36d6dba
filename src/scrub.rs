//! Scrubbing: metadata removed from a photo's file without touching its pixels.
//!
//! A photo that needs no resizing is copied rather than re-encoded, so a second lossy
//! compression never softens it. What is copied is an allow-list: only the parts a decoder needs
//! to draw and colour the image survive. Anything else — EXIF with GPS and camera serials, XMP,
//! IPTC captions naming a child, comments, maker notes, thumbnails of the unedited original,
//! images that phones append after the end — is left behind, including kinds nobody has
//! invented yet.

use crate::container::{Jpeg, Png, PNG_SIGNATURE, SOS};
use crate::icc::{self, Vetted};

/// JPEG start-of-image marker.
const SOI: u8 = 0xD8;
/// JPEG end-of-image marker.
const EOI: u8 = 0xD9;
/// JPEG APP0 marker, home of the JFIF header.
const APP0: u8 = 0xE0;
/// JPEG APP14 marker, home of Adobe's colour-transform flag.
const APP14: u8 = 0xEE;
/// The start of an APP0 segment that carries a JFIF header.
const JFIF_TAG: &[u8] = b"JFIF\0";
/// The start of an APP14 segment that carries Adobe's colour-transform flag.
const ADOBE_TAG: &[u8] = b"Adobe";
/// Length of an Adobe APP14 payload: tag, version, two flag words and the transform byte.
const ADOBE_LEN: usize = 12;

/// PNG chunks copied into a scrubbed PNG: those that decode the pixels and say how they are
/// meant to be shown. The colour profile (`iCCP`) is vetted and replaced ([`png`]). Chunks that
/// would make a viewer show the pixels otherwise than the analysis saw them go: primaries
/// (`cHRM`) and the HDR chunks (`cICP`, `mDCV`, `cLLI`), whose transfer curves remap every
/// tone; `gAMA` stays only when its curve passes a colour profile's checks
/// ([`icc::plausible_png_gamma`]). APNG animation chunks are not among them: only the still
/// picture is analysed for faces, so only the still picture may go out.
const PNG_KEPT: [&[u8; 4]; 6] = [b"IHDR", b"PLTE", b"IDAT", b"IEND", b"sRGB", b"pHYs"];

/// The JPEG `file` with every marker segment except those needed to decode and colour it
/// removed, and nothing after the end-of-image marker. With `orientation` other than 1 (EXIF
/// values 2–8), a minimal EXIF block holding only that Orientation tag is added, so the copy
/// displays the same way as the original. The colour profile is never copied: a profile
/// rebuilt from its colour tags alone ([`icc::vet`]) takes its place, and an sRGB one or one
/// that cannot be kept leaves none (the copy then shows as sRGB). `None` when it holds a part that is neither
/// metadata nor known to be needed (hierarchical or JPEG-LS markers, say): dropping it could
/// change the picture, and keeping it could keep something unvetted (the caller then
/// re-encodes from pixels).
///
/// The kept segments and the entropy-coded data of every scan are copied byte for byte, so the
/// copy decodes to exactly the original's pixels.
pub(crate) fn jpeg(file: &Jpeg, orientation: u16, profile: Option<&Vetted>) -> Option<Vec<u8>> {
    if !scans_add_up_once(file) || colours_read_two_ways(file) {
        return None;
    }
    let mut jfif = None;
    let mut image = Vec::with_capacity(file.parts.iter().map(|p| p.bytes.len()).sum());
    for part in &file.parts {
        let payload = part.payload;
        match part.marker {
            APP0 => {
                if jfif.is_none() {
                    jfif = jfif_without_thumbnail(payload);
                }
            }
            APP14 if payload.starts_with(ADOBE_TAG) => {
                // Only the fixed fields: bytes past them would be a place to hide data.
                image.extend_from_slice(&[0xFF, APP14, 0, ADOBE_LEN as u8 + 2]);
                image.extend_from_slice(payload.get(..ADOBE_LEN)?);
            }
            // DQT, DHT, DAC, DNL, DRI, the frame header (SOF0–SOF15) and the scans.
            0xDB | 0xC4 | 0xCC | 0xDC | 0xDD | 0xC0..=0xCF | SOS => image.extend_from_slice(part.bytes),
            // APP0–APP15 not kept above, and COM: metadata.
            0xE0..=0xEF | 0xFE => {}
            _ => return None,
        }
    }
    let mut out = Vec::with_capacity(image.len() + 64);
    out.extend_from_slice(&[0xFF, SOI]);
    if let Some(header) = jfif {
        out.extend_from_slice(&header);
    }
    if (2..=8).contains(&orientation) {
        out.extend_from_slice(&orientation_exif(orientation));
    }
    if let Some(Vetted::Rebuilt(rebuilt)) = profile {
        out.extend_from_slice(&icc::app2_segments(rebuilt));
    }
    out.extend_from_slice(&image);
    out.extend_from_slice(&[0xFF, EOI]);
    Some(out)
}

/// Whether `file`'s three channels are named 'R', 'G' and 'B'. The decoder the analysis uses
/// then reads them as red, green and blue, while libjpeg (behind most browsers) reads them as
/// brightness and colour when a JFIF or Adobe marker says so: the two would show different
/// pictures, so such a file is re-encoded from the one analysed.
fn colours_read_two_ways(file: &Jpeg) -> bool {
    file.frame.components == 3 && file.frame.ids == *b"RGB"
}

/// Whether every scan of `file` adds to the picture only what no earlier scan gave: in a
/// sequential JPEG each component comes in one scan, in a progressive one no coefficient of a
/// component gets a first scan twice. Decoders differ over a scan that comes again: the one
/// the analysis uses stops once every component is decoded, others paint the later scan over
/// the first, so a second scan could show a picture the analysis never saw.
fn scans_add_up_once(file: &Jpeg) -> bool {
    let progressive = matches!(file.frame.marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
    // Per component id, the coefficients (bit k for coefficient k) a scan has given.
    let mut given: Vec<(u8, u64)> = Vec::new();
    for scan in file.parts.iter().filter(|p| p.marker == SOS) {
        let Some((&count, rest)) = scan.payload.split_first() else { return false };
        let count = usize::from(count);
        let (Some(selectors), Some(&[start, end, approximation])) =
            (rest.get(..2 * count), rest.get(2 * count..2 * count + 3))
        else {
            return false;
        };
        let band = match (progressive, start, end) {
            (false, _, _) => u64::MAX,
            (true, start @ 0..=63, end @ 0..=63) if start <= end => {
                (u64::MAX >> (63 - end)) & (u64::MAX << start)
            }
            _ => return false,
        };
        // A refinement scan (successive approximation high bit set) adds the next bit of
        // coefficients already given; only first scans can give them again.
        if progressive && approximation >> 4 != 0 {
            continue;
        }
        for id in selectors.iter().step_by(2) {
            match given.iter_mut().find(|(given_id, _)| given_id == id) {
                Some((_, mask)) if *mask & band != 0 => return false,
                Some((_, mask)) => *mask |= band,
                None => given.push((*id, band)),
            }
        }
    }
    true
}

/// Whether `file`'s image data is one zlib stream that ends where the IDAT data ends and
/// inflates to exactly the rows its header declares. Decoders stop at the picture's last row
/// and at the stream's end, so bytes past either would leave in a copy unread (a name, a
/// second picture) while the IDAT chunks are copied byte for byte.
fn image_data_is_exact(file: &Png) -> bool {
    let Some(&[w0, w1, w2, w3, h0, h1, h2, h3, depth, colour, _, _, interlace]) =
        file.chunks.first().and_then(|c| c.data.first_chunk::<13>())
    else {
        return false;
    };
    let (width, height) = (u32::from_be_bytes([w0, w1, w2, w3]), u32::from_be_bytes([h0, h1, h2, h3]));
    let channels = match colour {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        6 => 4,
        _ => return false,
    };
    // A row is its filter byte and its samples, packed to whole bytes.
    let rows = |w: u32, h: u32| {
        let bits = u64::from(w) * channels * u64::from(depth);
        if w == 0 {
            0
        } else {
            u64::from(h) * (1 + bits.div_ceil(8))
        }
    };
    let expected = match interlace {
        0 => rows(width, height),
        // Adam7: seven passes over every 8×8 block, each a smaller picture of its own rows.
        1 => {
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
                .iter()
                .map(|&(x0, y0, dx, dy)| {
                    let count = |len: u32, from: u32, step: u32| len.saturating_sub(from).div_ceil(step);
                    rows(count(width, x0, dx), count(height, y0, dy))
                })
                .sum()
        }
        _ => return false,
    };
    let data: Vec<u8> =
        file.chunks.iter().filter(|c| &c.kind == b"IDAT").flat_map(|c| c.data.iter().copied()).collect();
    inflated_length(&data, expected).is_some_and(|(length, whole)| length == expected && whole)
}

/// How many bytes the zlib stream `zlib` inflates to (counted through a small ring buffer, so
/// nothing of that size is held) and whether it ends exactly where `zlib` does; `None` when it
/// is damaged or inflates past `limit`.
fn inflated_length(zlib: &[u8], limit: u64) -> Option<(u64, bool)> {
    use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER;
    use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;

    // A power of two at least the 32 KiB window, as a wrapping output buffer needs.
    let mut ring = vec![0u8; 64 * 1024];
    let mut inflater = Box::<DecompressorOxide>::default();
    let (mut read, mut written) = (0usize, 0u64);
    loop {
        let at = (written % ring.len() as u64) as usize;
        let (status, used, made) =
            decompress(&mut inflater, zlib.get(read..)?, &mut ring, at, TINFL_FLAG_PARSE_ZLIB_HEADER);
        read += used;
        written += made as u64;
        if written > limit {
            return None;
        }
        match status {
            TINFLStatus::Done => return Some((written, read == zlib.len())),
            TINFLStatus::HasMoreOutput => {}
            _ => return None,
        }
    }
}

/// A PNG `sRGB` chunk with rendering intent `intent`: what a profile recognised as sRGB
/// becomes, as oxipng does, without the profile's own bytes.
fn srgb_chunk(intent: u8) -> Vec<u8> {
    let body = [b's', b'R', b'G', b'B', intent];
    [&1u32.to_be_bytes()[..], &body, &crc32fast::hash(&body).to_be_bytes()].concat()
}

/// The APP0 segment for a plain JFIF `payload`, rewritten with no thumbnail: a JFIF thumbnail
/// shows the original as it was before any editing. `None` for anything else in an APP0 (JFXX
/// extensions are thumbnails too).
fn jfif_without_thumbnail(payload: &[u8]) -> Option<[u8; 18]> {
    // Version, density units, horizontal and vertical density.
    let fields = payload.strip_prefix(JFIF_TAG)?.get(..7)?;
    let mut segment = [0xFF, APP0, 0, 16, b'J', b'F', b'I', b'F', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    segment[9..16].copy_from_slice(fields);
    Some(segment)
}

/// An APP1 segment whose EXIF holds nothing but `orientation`: viewers rotate by it, and the
/// pixels were stored unrotated.
fn orientation_exif(orientation: u16) -> [u8; 36] {
    let [low, high] = orientation.to_le_bytes();
    #[rustfmt::skip]
    let segment = [
        0xFF, 0xE1, 0, 34, b'E', b'x', b'i', b'f', 0, 0,
        // Little-endian TIFF header, IFD0 at offset 8.
        b'I', b'I', 42, 0, 8, 0, 0, 0,
        // One entry: tag 0x0112 (Orientation), type SHORT, count 1, the value.
        1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, low, high, 0, 0,
        // No next IFD, so no thumbnail.
        0, 0, 0, 0,
    ];
    segment
}

/// The PNG `file` with only the chunks in [`PNG_KEPT`] (and a plausible `gAMA`), in order:
/// text (tEXt, zTXt, iTXt), eXIf, tIME and every other ancillary or unknown chunk removed.
/// APNG animation chunks (acTL, fcTL, fdAT) go too, leaving the still picture a decoder
/// shows, which is the one that was checked for faces.
///
/// Kept chunks are copied byte for byte, so the pixels are the original's; nothing after IEND
/// is copied. `None` for a PNG of 16 bits a sample: the analysis saw it at 8 bits, and the low
/// bytes, invisible on screen, could carry a second picture.
pub(crate) fn png(file: &Png, profile: Option<&Vetted>) -> Option<Vec<u8>> {
    let bit_depth = *file.chunks.first()?.data.get(8)?;
    if bit_depth > 8 || !image_data_is_exact(file) {
        return None;
    }
    let has_srgb = file.chunks.iter().any(|c| &c.kind == b"sRGB");
    let mut out = Vec::with_capacity(file.chunks.iter().map(|c| c.bytes.len()).sum::<usize>() + 8);
    out.extend_from_slice(&PNG_SIGNATURE);
    for chunk in &file.chunks {
        let plausible_gamma = &chunk.kind == b"gAMA"
            && chunk.data.first_chunk().is_some_and(|g| icc::plausible_png_gamma(u32::from_be_bytes(*g)));
        if PNG_KEPT.contains(&&chunk.kind) || plausible_gamma {
            out.extend_from_slice(chunk.bytes);
        } else if &chunk.kind == b"iCCP" && !has_srgb {
            match profile {
                Some(Vetted::Srgb { intent }) => out.extend_from_slice(&srgb_chunk(*intent)),
                Some(Vetted::Rebuilt(rebuilt)) => out.extend_from_slice(&icc::iccp_chunk(rebuilt)),
                _ => {}
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::{parse, Container};

    fn vetted(profile: Option<&[u8]>) -> Option<Vetted> {
        profile.map(|p| icc::vet(p).vetted)
    }

    /// The copy postsafe makes of the JPEG `bytes`, walked as it walks a photo.
    fn jpeg(bytes: &[u8], orientation: u16) -> Option<Vec<u8>> {
        match parse(bytes) {
            Container::Jpeg(file) => {
                super::jpeg(&file, orientation, vetted(file.profile.as_deref()).as_ref())
            }
            _ => None,
        }
    }

    /// The copy postsafe makes of the PNG `bytes`, walked as it walks a photo.
    fn png(bytes: &[u8]) -> Option<Vec<u8>> {
        match parse(bytes) {
            Container::Png(file) => super::png(&file, vetted(file.profile.as_deref()).as_ref()),
            _ => None,
        }
    }
    use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
    use image::metadata::Orientation;
    use image::{DynamicImage, ImageDecoder, ImageFormat, RgbImage};
    use std::io::Cursor;

    /// A photo-like picture: smooth gradients with some edges, so every quantiser is exercised.
    fn picture(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x * 255 / width) as u8,
                (y * 255 / height) as u8,
                if (x / 7 + y / 5) % 2 == 0 { 40 } else { 210 },
            ])
        })
    }

    fn encode_jpeg(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90)).expect("encodes");
        out
    }

    fn decode(bytes: &[u8]) -> Vec<u8> {
        image::load_from_memory_with_format(bytes, ImageFormat::Jpeg).expect("decodes").into_bytes()
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let length = u16::try_from(payload.len() + 2).expect("fits a segment");
        [&[0xFF, marker][..], &length.to_be_bytes(), payload].concat()
    }

    /// `jpeg` with `segments` put right after its SOI and `trailer` after its EOI.
    fn with_segments(jpeg: &[u8], segments: &[Vec<u8>], trailer: &[u8]) -> Vec<u8> {
        [&jpeg[..2], &segments.concat(), &jpeg[2..], trailer].concat()
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack.windows(needle.len()).filter(|w| *w == needle).count()
    }

    /// The image data of a JPEG that `encode_jpeg` wrote: everything after its JFIF header.
    fn image_data(plain: &[u8]) -> &[u8] {
        assert_eq!(plain[2..6], [0xFF, 0xE0, 0, 16], "starts with a plain JFIF header");
        &plain[20..]
    }

    /// A big-endian TIFF structure as a camera writes it: IFD0 with the make, the orientation
    /// and a GPS IFD, then IFD1 pointing at an embedded JPEG `thumbnail`.
    fn camera_exif(orientation: u16, thumbnail: &[u8]) -> Vec<u8> {
        let mut t: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
        let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            t.extend_from_slice(
                &[&tag.to_be_bytes()[..], &kind.to_be_bytes(), &count.to_be_bytes(), &value].concat(),
            );
        };
        // IFD0 at 8: three entries, then the make's text at 50 and the GPS IFD at 60.
        t.extend_from_slice(&3u16.to_be_bytes());
        entry(&mut t, 0x010F, 2, 9, 50u32.to_be_bytes());
        let [high, low] = orientation.to_be_bytes();
        entry(&mut t, 0x0112, 3, 1, [high, low, 0, 0]);
        entry(&mut t, 0x8825, 4, 1, 60u32.to_be_bytes());
        t.extend_from_slice(&114u32.to_be_bytes());
        t.extend_from_slice(b"SpyPhone\0\0");
        // GPS IFD at 60: latitude reference and latitude, whose rationals follow at 90.
        t.extend_from_slice(&2u16.to_be_bytes());
        entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, 5, 3, 90u32.to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        for (numerator, denominator) in [(51u32, 1u32), (30, 1), (1234, 100)] {
            t.extend_from_slice(&[numerator.to_be_bytes(), denominator.to_be_bytes()].concat());
        }
        // IFD1 at 114: the thumbnail, stored at 144.
        t.extend_from_slice(&2u16.to_be_bytes());
        entry(&mut t, 0x0201, 4, 1, 144u32.to_be_bytes());
        entry(&mut t, 0x0202, 4, 1, u32::try_from(thumbnail.len()).expect("small").to_be_bytes());
        t.extend_from_slice(&0u32.to_be_bytes());
        assert_eq!(t.len(), 144);
        t.extend_from_slice(thumbnail);
        [b"Exif\0\0", &t[..]].concat()
    }

    /// Every kind of metadata a phone, a camera or an editor writes into a JPEG.
    fn metadata_segments(orientation: u16) -> Vec<Vec<u8>> {
        let thumbnail =
            [encode_jpeg(&DynamicImage::ImageRgb8(picture(16, 12))), b"THUMB-ORIGINAL".to_vec()].concat();
        let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF \
            xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description \
            xmlns:dc='http://purl.org/dc/elements/1.1/' dc:creator='Ms Jones'/></rdf:RDF></x:xmpmeta>";
        let extended_xmp = [
            &b"http://ns.adobe.com/xmp/extension/\0"[..],
            &[b'0'; 32],
            &[0, 0, 0, 9, 0, 0, 0, 0],
            b"EXT-XMP-1",
        ]
        .concat();
        let caption = b"Emma Smith, class 3B";
        let iptc = [&[0x1C, 2, 120, 0, caption.len() as u8][..], caption].concat();
        let photoshop = [
            &b"Photoshop 3.0\0"[..],
            b"8BIM",
            &[0x04, 0x04, 0, 0],
            &u32::try_from(iptc.len()).expect("small").to_be_bytes(),
            &iptc,
        ]
        .concat();
        vec![
            segment(0xE1, &camera_exif(orientation, &thumbnail)),
            segment(0xE1, xmp),
            segment(0xE1, &extended_xmp),
            segment(0xED, &photoshop),
            segment(0xE2, b"MPF\0II*\0MPF-INDEX"),
            segment(0xE2, b"FPXR\0FLASHPIX-STREAM"),
            segment(0xE0, &[&b"JFXX\0\x10"[..], &thumbnail].concat()),
            segment(0xEB, b"JP\0\0c2pa-CONTENT-CREDENTIALS"),
            segment(0xEF, b"APP15-VENDOR"),
            segment(0xFE, b"Emma at the school gate"),
        ]
    }

    /// What phones append after the EOI: MPF secondary images, depth maps, Samsung trailers.
    fn phone_trailer() -> Vec<u8> {
        [encode_jpeg(&DynamicImage::ImageRgb8(picture(8, 8))), b"SEFHDEPTH-MAP-TRAILER".to_vec()].concat()
    }

    #[test]
    fn a_scrubbed_jpeg_decodes_to_the_same_pixels() {
        let pictures = [
            DynamicImage::ImageRgb8(picture(64, 48)),
            DynamicImage::ImageRgb8(picture(37, 23)),
            DynamicImage::ImageLuma8(DynamicImage::ImageRgb8(picture(31, 17)).to_luma8()),
        ];
        for picture in pictures {
            let plain = encode_jpeg(&picture);
            let original = with_segments(&plain, &metadata_segments(1), &phone_trailer());
            let scrubbed = jpeg(&original, 1).expect("a well-formed JPEG");
            assert!(scrubbed.ends_with(image_data(&plain)), "image data copied byte for byte");
            assert_eq!(decode(&scrubbed), decode(&original));
        }
    }

    #[test]
    fn a_second_scan_of_the_same_components_is_never_copied() {
        // Two pictures of one size and quality share their tables: the second's scan, put
        // after the first's, is one the decoder the analysis uses never reads.
        let shown = encode_jpeg(&DynamicImage::ImageRgb8(picture(64, 48)));
        let hidden = encode_jpeg(&DynamicImage::ImageRgb8(RgbImage::from_fn(64, 48, |x, _| {
            image::Rgb([(x * 4) as u8, 200, 30])
        })));
        let scan = |bytes: &[u8]| match parse(bytes) {
            Container::Jpeg(file) => file.parts.iter().find(|p| p.marker == SOS).unwrap().bytes.to_vec(),
            _ => panic!("a JPEG"),
        };
        let end_of_scan = shown.len() - 2;
        let doubled = [&shown[..end_of_scan], &scan(&hidden), &shown[end_of_scan..]].concat();
        assert!(jpeg(&shown, 1).is_some());
        assert!(jpeg(&doubled, 1).is_none(), "re-encoded from the pixels analysed instead");
    }

    #[test]
    fn a_jpeg_whose_channels_are_named_rgb_is_never_copied() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(64, 48)));
        let marker_at = |marker: u8| plain.windows(2).position(|w| w == [0xFF, marker]).unwrap();
        let mut named = plain.clone();
        // The frame header's three component ids (after length, precision, size and count),
        // and the scan header's selectors for them.
        let (frame, scan) = (marker_at(0xC0) + 2 + 2 + 6, marker_at(SOS) + 2 + 2 + 1);
        for (i, id) in b"RGB".iter().enumerate() {
            named[frame + 3 * i] = *id;
            named[scan + 2 * i] = *id;
        }
        assert!(jpeg(&plain, 1).is_some());
        assert!(jpeg(&named, 1).is_none(), "re-encoded from the picture analysed");
    }

    #[test]
    fn a_photo_cut_short_with_another_run_into_it_is_not_well_formed() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(64, 48)));
        // The first picture's data stops midway and the second's starts after its SOI.
        let joined = [&plain[..plain.len() / 2], &plain[2..]].concat();
        assert!(jpeg(&joined, 1).is_none());
    }

    #[test]
    fn exif_gps_xmp_iptc_and_comments_are_gone() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(40, 30)));
        let original = with_segments(&plain, &metadata_segments(1), &phone_trailer());
        let traces: [&[u8]; 14] = [
            b"Exif\0\0",
            b"SpyPhone",
            b"THUMB-ORIGINAL",
            b"http://ns.adobe.com/xap/1.0/",
            b"http://ns.adobe.com/xmp/extension/",
            b"Ms Jones",
            b"Photoshop 3.0",
            b"Emma Smith",
            b"MPF\0",
            b"FPXR",
            b"JFXX",
            b"c2pa",
            b"Emma at the school gate",
            b"SEFHDEPTH-MAP-TRAILER",
        ];
        assert!(traces.iter().all(|trace| contains(&original, trace)), "the test photo carries every trace");
        let scrubbed = jpeg(&original, 1).expect("a well-formed JPEG");
        for trace in traces {
            assert!(!contains(&scrubbed, trace), "{:?} is left", String::from_utf8_lossy(trace));
        }
        assert!(!contains(&scrubbed, b"APP15-VENDOR"));
        assert_eq!(count(&scrubbed, &[0xFF, 0xD8]), 1, "no embedded or appended image");
        assert!(scrubbed.ends_with(&[0xFF, 0xD9]));
        let mut decoder = JpegDecoder::new(Cursor::new(&scrubbed)).expect("decodes");
        assert_eq!(decoder.exif_metadata().expect("reads"), None);
        assert_eq!(decoder.xmp_metadata().expect("reads"), None);
        assert_eq!(decoder.iptc_metadata().expect("reads"), None);
    }

    #[test]
    fn the_jfif_header_stays_but_its_thumbnail_goes() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(24, 24)));
        // Version 1.2, dots per inch, 300 × 300, with a 2 × 1 RGB thumbnail.
        let header = [&b"JFIF\0\x01\x02\x01\x01\x2c\x01\x2c\x02\x01"[..], b"THUMBS"].concat();
        // The header the encoder wrote is replaced, so the photo has one JFIF APP0.
        let original = [&plain[..2], &segment(0xE0, &header), &plain[20..]].concat();
        let scrubbed = jpeg(&original, 1).expect("a well-formed JPEG");
        let expected: &[u8] = b"\xff\xd8\xff\xe0\x00\x10JFIF\0\x01\x02\x01\x01\x2c\x01\x2c\0\0";
        assert!(scrubbed.starts_with(expected));
        assert!(!contains(&scrubbed, b"THUMBS"));
        assert_eq!(scrubbed.len(), original.len() - 6);
    }

    #[test]
    fn only_the_orientation_is_kept_when_asked() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(32, 16)));
        let original = with_segments(&plain, &metadata_segments(6), &phone_trailer());
        for value in 2..=8u16 {
            let scrubbed = jpeg(&original, value).expect("a well-formed JPEG");
            let exif = orientation_exif(value);
            assert_eq!(&scrubbed[20..20 + exif.len()], exif, "right after SOI and APP0");
            assert_eq!(count(&scrubbed, b"Exif\0\0"), 1);
            assert!(!contains(&scrubbed, b"SpyPhone") && !contains(&scrubbed, b"THUMB-ORIGINAL"));
            let mut decoder = JpegDecoder::new(Cursor::new(&scrubbed)).expect("decodes");
            assert_eq!(
                decoder.orientation().expect("reads"),
                Orientation::from_exif(value as u8).expect("valid")
            );
            assert_eq!(decode(&scrubbed), decode(&original));
        }
        for value in [0, 1, 9, 0x0106] {
            let scrubbed = jpeg(&original, value).expect("a well-formed JPEG");
            assert!(!contains(&scrubbed, b"Exif"), "orientation {value} adds no EXIF");
        }
    }

    /// Display P3 as moxcms writes it, described with a child's name, with a picture after it.
    fn p3_profile_carrying_a_name_and_a_picture() -> Vec<u8> {
        let mut p3 = moxcms::ColorProfile::new_display_p3();
        p3.description = Some(moxcms::ProfileText::PlainString("Chloe O'Neil's camera".into()));
        let hidden = [&[0xFF, 0xD8, 0xFF][..], &[b'F'; 70_000], b"HIDDEN-FACE", &[0xFF, 0xD9]].concat();
        [p3.encode().expect("moxcms writes Display P3"), hidden].concat()
    }

    #[test]
    fn a_colour_profile_is_rebuilt_from_its_colour_tags_and_nothing_else_of_it_leaves() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(32, 32)));
        let profile = p3_profile_carrying_a_name_and_a_picture();
        // A profile too big for one segment is split over several, each numbered.
        let (first, second) = profile.split_at(65_000);
        let icc =
            |number: u8, part: &[u8]| segment(0xE2, &[&b"ICC_PROFILE\0"[..], &[number, 2], part].concat());
        let adobe = segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01HIDDEN");
        let segments = [icc(1, first), icc(2, second), adobe, segment(0xE2, b"MPF\0MPF-INDEX")];
        let original = with_segments(&plain, &segments, b"");
        let scrubbed = jpeg(&original, 1).expect("a well-formed JPEG");
        let mut decoder = JpegDecoder::new(Cursor::new(&scrubbed)).expect("decodes");
        let kept = decoder.icc_profile().expect("reads").expect("a colour profile is kept");
        assert!(kept.len() < 2_000, "rebuilt, not copied: {} bytes", kept.len());
        let kept = moxcms::ColorProfile::new_from_slice(&kept).expect("a valid profile");
        let p3 = moxcms::ColorProfile::new_display_p3();
        assert!((kept.red_colorant.x - p3.red_colorant.x).abs() < 1e-3, "the same colours");
        for trace in [&b"Chloe"[..], b"O'Neil", b"HIDDEN", b"MPF", b"FFFFFFFF"] {
            assert!(!contains(&scrubbed, trace), "{:?} is left", String::from_utf8_lossy(trace));
        }
        assert!(contains(&scrubbed, &segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01")), "colour transform kept");
        assert_eq!(decode(&scrubbed), decode(&original));
    }

    #[test]
    fn an_srgb_profile_leaves_no_profile_in_a_jpeg_and_an_srgb_chunk_in_a_png() {
        let srgb = moxcms::ColorProfile::new_srgb().encode().expect("moxcms writes sRGB");
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(16, 16)));
        let tagged = with_segments(
            &plain,
            &[segment(0xE2, &[&b"ICC_PROFILE\0"[..], &[1, 1], &srgb[..]].concat())],
            b"",
        );
        let scrubbed = jpeg(&tagged, 1).expect("a well-formed JPEG");
        assert!(!contains(&scrubbed, b"ICC_PROFILE"));
        let iccp =
            [&b"sRGB built-in\0\0"[..], &miniz_oxide::deflate::compress_to_vec_zlib(&srgb, 6)].concat();
        let png_plain = png_of(&DynamicImage::ImageRgb8(picture(16, 16)));
        let scrubbed =
            png(&png_with(&png_plain, &[chunk(b"iCCP", &iccp)], &[], b"")).expect("a well-formed PNG");
        assert_eq!(chunk_kinds(&scrubbed).iter().filter(|k| *k == "sRGB").count(), 1);
        assert!(!chunk_kinds(&scrubbed).contains(&"iCCP".to_string()));
        assert!(!contains(&scrubbed, b"built-in"));
    }

    #[test]
    fn a_png_profile_is_rebuilt_and_a_16_bit_png_is_never_copied() {
        let profile = p3_profile_carrying_a_name_and_a_picture();
        let iccp = [&b"Chloe\0\0"[..], &miniz_oxide::deflate::compress_to_vec_zlib(&profile, 6)].concat();
        let plain = png_of(&DynamicImage::ImageRgb8(picture(16, 16)));
        let scrubbed = png(&png_with(&plain, &[chunk(b"iCCP", &iccp)], &[], b"")).expect("a well-formed PNG");
        let file = match parse(&scrubbed) {
            Container::Png(file) => file,
            _ => panic!("the copy is a whole PNG"),
        };
        let kept = file.profile.expect("a rebuilt profile");
        assert!(kept.len() < 2_000 && !contains(&kept, b"Chloe") && !contains(&kept, b"HIDDEN"));
        assert!(!contains(&scrubbed, b"Chloe"));
        let deep =
            png_of(&DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(8, 8, image::Rgb([1u16, 2, 3]))));
        assert_eq!(png(&deep), None, "its low bytes were never seen by the analysis");
    }

    #[test]
    fn a_gamma_that_would_lift_the_darkest_pixels_into_sight_is_not_kept() {
        let plain = png_of(&DynamicImage::ImageRgb8(picture(12, 12)));
        // 2.2 and ProPhoto's 1.8 are kept; linear, as from a raw converter, would show a picture
        // hidden in values 0–3 as grey up to 28, so it goes, as that curve in a profile does.
        for (gamma, kept) in [
            (45_455u32, true),
            (55_556, true),
            (100_000, false),
            (125_000, false),
            (10_000, false),
            (1_000_000, false),
        ] {
            let scrubbed = png(&png_with(&plain, &[chunk(b"gAMA", &gamma.to_be_bytes())], &[], b"")).unwrap();
            assert_eq!(chunk_kinds(&scrubbed).contains(&"gAMA".to_string()), kept, "gAMA {gamma}");
        }
    }

    /// A 32 × 16 progressive JPEG with 4:2:0 chroma, ten scans and a restart marker after every
    /// MCU, made by `jpegtran -progressive -restart 1B` (the `image` crate writes only baseline).
    const PROGRESSIVE: [&str; 16] = [
        "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912",
        "130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffdb0043010909",
        "090c0b0c180d0d1832211c21323232323232323232323232323232323232323232323232323232323232323232323232",
        "3232323232323232323232323232ffc20011080010002003012200021101031101ffc400170000030100000000000000",
        "00000000000003040506ffc400160101010100000000000000000000000000040203ffdd00040001ffda000c03010002",
        "100310000001cb3f70923fffd040971fc9ff00ffc40017100003010000000000000000000000000000010311ffda0008",
        "010100010502503fffd0503fffd150d3ffd2503fffd3503fffd4503fffd5503fffd650d3ffc400161101010100000000",
        "000000000000000000040011ffda0008010301013f013b76ffd03b72ffc4001c11000006030000000000000000000000",
        "000002041331f01472a1ffda0008010201013f0132ac7b03ffd032a7f6bcb23fffc40015100101000000000000000000",
        "00000000000061ffda0008010100063f027fffd07fffd18fffd27fffd37fffd47fffd57fffd68fffc400181000030101",
        "00000000000000000000000000114151d1ffda0008010100013f21543fffd0543fffd1cbd9ffd2543fffd3543fffd454",
        "3fffd5543fffd6cbd9ffda000c0301000200030000001013ffd0fbffc400151101010000000000000000000000000000",
        "2100ffda0008010301013f101b7fffd0125fffc4001c110001040301000000000000000000000011015181b1213141f0",
        "ffda0008010201013f107c4f8e498affd07e133ba4c83d5e7fffc4001910000301010100000000000000000000000021",
        "f001b131ffda0008010100013f10abc3ffd05ee1ffd15a9dc67fffd25ee1ffd35ee1ffd45ee1ffd55ee1ffd65a9dc67f",
        "ffd9",
    ];

    fn from_hex(lines: &[&str]) -> Vec<u8> {
        let hex = lines.concat();
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect()
    }

    #[test]
    fn a_progressive_jpeg_keeps_its_pixels() {
        let plain = from_hex(&PROGRESSIVE);
        assert_eq!(count(&plain, &[0xFF, 0xDA]), 10, "one SOS per scan");
        let original = with_segments(&plain, &metadata_segments(1), &phone_trailer());
        let scrubbed = jpeg(&original, 1).expect("a well-formed JPEG");
        assert_eq!(scrubbed, plain, "the fixture holds nothing that is not needed");
        assert_eq!(decode(&scrubbed), decode(&original));
    }

    #[test]
    fn fill_bytes_before_markers_are_tolerated() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(20, 20)));
        let data = image_data(&plain);
        let (scans, eoi) = data.split_at(data.len() - 2);
        let padded = [
            &plain[..2],
            &[0xFF, 0xFF],
            &segment(0xFE, b"note"),
            &[0xFF, 0xFF, 0xFF],
            scans,
            &[0xFF; 3],
            eoi,
        ]
        .concat();
        let scrubbed = jpeg(&padded, 1).expect("fill bytes are allowed");
        assert!(scrubbed.ends_with(data), "the fill bytes are dropped, the image data kept");
        assert_eq!(decode(&scrubbed), decode(&plain));
    }

    #[test]
    fn a_cut_short_jpeg_is_refused() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(24, 16)));
        let original = with_segments(&plain, &metadata_segments(6), b"");
        assert!(jpeg(&original, 6).is_some());
        for cut in 0..original.len() {
            assert_eq!(jpeg(&original[..cut], 6), None, "cut at {cut} of {}", original.len());
        }
        let progressive = from_hex(&PROGRESSIVE);
        for cut in 0..progressive.len() {
            assert_eq!(jpeg(&progressive[..cut], 1), None, "cut at {cut} of {}", progressive.len());
        }
    }

    #[test]
    fn what_is_not_a_plain_jpeg_is_refused() {
        let plain = encode_jpeg(&DynamicImage::ImageRgb8(picture(16, 16)));
        let data = image_data(&plain);
        let sof = data.windows(2).position(|w| w == [0xFF, 0xC0]).expect("baseline");
        let no_frame: Vec<u8> = [&plain[..2], &data[..sof], &data[sof + 2 + 17..]].concat();
        let cases: [(&str, Vec<u8>); 6] = [
            ("a PNG", png_of(&DynamicImage::ImageRgb8(picture(4, 4)))),
            ("no scan", [&plain[..2], &[0xFF, 0xD9][..]].concat()),
            ("no frame before the scan", no_frame),
            ("junk between segments", [&plain[..2], b"junk", &plain[2..]].concat()),
            ("a hierarchical marker", with_segments(&plain, &[segment(0xDE, &[0; 6])], b"")),
            (
                "a segment shorter than its length field",
                [&plain[..2], &[0xFF, 0xFE, 0, 1], &plain[2..]].concat(),
            ),
        ];
        for (what, bytes) in cases {
            assert_eq!(jpeg(&bytes, 1), None, "{what}");
        }
    }

    fn png_of(image: &DynamicImage) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).expect("encodes");
        out
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let checked = [&kind[..], data].concat();
        let length = u32::try_from(data.len()).expect("small").to_be_bytes();
        [&length[..], &checked, &crc32fast::hash(&checked).to_be_bytes()].concat()
    }

    /// The chunk types of a PNG, in order.
    fn chunk_kinds(png: &[u8]) -> Vec<String> {
        let mut kinds = Vec::new();
        let mut pos = 8;
        while pos + 8 <= png.len() {
            let length = u32::from_be_bytes(png[pos..pos + 4].try_into().expect("four bytes")) as usize;
            kinds.push(String::from_utf8_lossy(&png[pos + 4..pos + 8]).into_owned());
            pos += length + 12;
        }
        kinds
    }

    /// `png` with `before` put after its IHDR, `after` before its IEND, and `trailer` past it.
    fn png_with(png: &[u8], before: &[Vec<u8>], after: &[Vec<u8>], trailer: &[u8]) -> Vec<u8> {
        // The signature and the 25-byte IHDR chunk; the IEND chunk is the last 12 bytes.
        let (head, rest) = png.split_at(33);
        let (body, iend) = rest.split_at(rest.len() - 12);
        [head, &before.concat(), body, &after.concat(), iend, trailer].concat()
    }

    #[test]
    fn bytes_hidden_past_a_pngs_image_data_are_never_copied() {
        let plain = png_of(&DynamicImage::ImageRgb8(picture(30, 20)));
        let header = &plain[8..33];
        let image = picture(30, 20);
        let rows_of = |xs: Vec<u32>, ys: Vec<u32>| -> Vec<u8> {
            let mut rows = Vec::new();
            for &y in &ys {
                rows.push(0);
                rows.extend(xs.iter().flat_map(|&x| image.get_pixel(x, y).0));
            }
            if xs.is_empty() {
                Vec::new()
            } else {
                rows
            }
        };
        let rows = rows_of((0..30).collect(), (0..20).collect());
        let adam7: Vec<u8> = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ]
        .into_iter()
        .flat_map(|(x0, y0, dx, dy)| rows_of((x0..30).step_by(dx).collect(), (y0..20).step_by(dy).collect()))
        .collect();
        // The same header with its interlace byte (the last before the checksum) set to Adam7.
        let mut interlaced = header[..8 + 12].to_vec();
        interlaced.push(1);
        let interlaced_header = chunk(b"IHDR", &interlaced[8..]);
        let png_of_data = |header: &[u8], data: &[u8]| {
            [&PNG_SIGNATURE[..], header, &chunk(b"IDAT", data), &chunk(b"IEND", &[])].concat()
        };
        let stream = miniz_oxide::deflate::compress_to_vec_zlib(&rows, 6);
        assert!(png(&png_of_data(header, &stream)).is_some(), "the exact stream is copied");
        let adam7_stream = miniz_oxide::deflate::compress_to_vec_zlib(&adam7, 6);
        assert!(png(&png_of_data(&interlaced_header, &adam7_stream)).is_some(), "an interlaced one too");
        let after_the_stream = [&stream[..], b"Chloe Smith"].concat();
        let extra_rows = miniz_oxide::deflate::compress_to_vec_zlib(&[&rows[..], &[0; 91]].concat(), 6);
        for hidden in [after_the_stream, extra_rows] {
            assert_eq!(
                png(&png_of_data(header, &hidden)),
                None,
                "re-encoded from the pixels analysed instead"
            );
        }
    }

    #[test]
    fn png_text_chunks_are_removed_and_pixels_kept() {
        let picture = DynamicImage::ImageRgba8(DynamicImage::ImageRgb8(picture(30, 20)).to_rgba8());
        let plain = png_of(&picture);
        let colour = [
            chunk(b"gAMA", &45_455u32.to_be_bytes()),
            chunk(b"sRGB", &[0]),
            chunk(b"pHYs", &[0, 0, 11, 19, 0, 0, 11, 19, 1]),
        ];
        let before = [
            chunk(b"tEXt", b"Author\0Ms Jones"),
            colour[0].clone(),
            chunk(b"eXIf", b"MM\0\x2a\0\0\0\x08GPS-IN-EXIF"),
            colour[1].clone(),
            chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>Emma</x:xmpmeta>"),
            colour[2].clone(),
            chunk(b"zTXt", b"Comment\0\0x-not-really-deflate"),
            chunk(b"prVt", b"private-vendor-data"),
        ];
        let after = [chunk(b"tIME", &[7, 233, 6, 1, 12, 0, 0]), chunk(b"tEXt", b"Comment\0Emma at the gate")];
        let original = png_with(&plain, &before, &after, b"TRAILING-SECRET");
        let scrubbed = png(&original).expect("a well-formed PNG");
        assert_eq!(scrubbed, png_with(&plain, &colour, &[], b""), "only colour chunks added, in order");
        for trace in [&b"Ms Jones"[..], b"GPS-IN-EXIF", b"Emma", b"private-vendor", b"tIME", b"TRAILING"] {
            assert!(!contains(&scrubbed, trace), "{:?} is left", String::from_utf8_lossy(trace));
        }
        let decode =
            |bytes: &[u8]| image::load_from_memory_with_format(bytes, ImageFormat::Png).expect("decodes");
        assert_eq!(decode(&scrubbed).into_bytes(), picture.into_bytes());
    }

    #[test]
    fn apng_frames_that_were_never_analysed_do_not_go_out() {
        let plain = png_of(&DynamicImage::ImageRgb8(picture(8, 8)));
        let frame = [0u8; 26];
        let before = [chunk(b"acTL", &[0, 0, 0, 2, 0, 0, 0, 0]), chunk(b"tEXt", b"Title\0Sports day")];
        let after = [chunk(b"fcTL", &frame), chunk(b"fdAT", &[0, 0, 0, 2, 1, 2, 3])];
        let scrubbed = png(&png_with(&plain, &before, &after, b"")).expect("a well-formed PNG");
        let kinds = chunk_kinds(&scrubbed);
        let animation: Vec<&str> =
            kinds.iter().map(String::as_str).filter(|k| !k.starts_with("ID")).collect();
        assert_eq!(animation, ["IHDR", "IEND"]);
    }

    #[test]
    fn a_png_with_a_bad_crc_is_refused() {
        let plain = png_of(&DynamicImage::ImageRgb8(picture(12, 12)));
        let original = png_with(&plain, &[chunk(b"tEXt", b"Author\0Ms Jones")], &[], b"");
        assert!(png(&original).is_some());
        // A flipped bit anywhere in a chunk, kept or not, fails its CRC or runs past the end.
        for pos in 8..original.len() {
            let mut damaged = original.clone();
            damaged[pos] ^= 0x10;
            assert_eq!(png(&damaged), None, "flipped byte {pos}");
        }
    }

    #[test]
    fn a_cut_short_or_malformed_png_is_refused() {
        let plain = png_of(&DynamicImage::ImageRgb8(picture(12, 12)));
        for cut in 0..plain.len() {
            assert_eq!(png(&plain[..cut]), None, "cut at {cut} of {}", plain.len());
        }
        let (head, rest) = plain.split_at(33);
        let cases: [(&str, Vec<u8>); 5] = [
            ("a JPEG", encode_jpeg(&DynamicImage::ImageRgb8(picture(4, 4)))),
            ("a chunk before IHDR", [&plain[..8], &chunk(b"tEXt", b"a\0b"), &plain[8..]].concat()),
            ("no image data", [head, &chunk(b"IEND", b"")].concat()),
            ("a chunk type that is not letters", [head, &chunk(b"t3Xt", b"a\0b"), rest].concat()),
            ("a chunk longer than PNG allows", [head, &[0x80, 0, 0, 0], b"tEXt", rest].concat()),
        ];
        for (what, bytes) in cases {
            assert_eq!(png(&bytes), None, "{what}");
        }
    }
}
