//! Shared by the integration tests: pinned real photos, pictures painted in code, and small
//! pictures made on the spot.
#![allow(dead_code)] // each test binary uses its own share of these helpers

pub mod bad_input;
pub mod browser;
pub mod lettering;
pub mod painted;
pub mod photos;

use image::{ImageFormat, RgbImage};
use std::io::Cursor;

/// `image` as a JPEG whose EXIF says how to turn it (`orientation`, 1–8) and, with `gps`,
/// where it was taken, as a phone writes it.
pub fn jpeg_with_exif(image: &RgbImage, orientation: u16, gps: bool) -> Vec<u8> {
    let mut plain = Vec::new();
    image.write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg).expect("encode");
    let exif = exif_block(orientation, gps);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// A little-endian EXIF block: IFD0 with Orientation (and a GPS IFD pointer), and a GPS IFD
/// holding a position (51°30'N) and the date stamp "2026:11:23".
fn exif_block(orientation: u16, gps: bool) -> Vec<u8> {
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        tiff.extend_from_slice(&tag.to_le_bytes());
        tiff.extend_from_slice(&kind.to_le_bytes());
        tiff.extend_from_slice(&count.to_le_bytes());
        tiff.extend_from_slice(&value.to_le_bytes());
    };
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    let entries: u16 = if gps { 2 } else { 1 };
    tiff.extend_from_slice(&entries.to_le_bytes());
    entry(&mut tiff, 0x0112, 3, 1, u32::from(orientation));
    let gps_ifd = 8 + 2 + 12 * u32::from(entries) + 4;
    if gps {
        entry(&mut tiff, 0x8825, 4, 1, gps_ifd);
    }
    tiff.extend_from_slice(&0u32.to_le_bytes());
    if gps {
        let latitude_at = gps_ifd + 2 + 3 * 12 + 4;
        let date_at = latitude_at + 24;
        tiff.extend_from_slice(&3u16.to_le_bytes());
        entry(&mut tiff, 0x0001, 2, 2, u32::from(b'N'));
        entry(&mut tiff, 0x0002, 5, 3, latitude_at);
        entry(&mut tiff, 0x001D, 2, 11, date_at);
        tiff.extend_from_slice(&0u32.to_le_bytes());
        for (num, den) in [(51u32, 1u32), (30, 1), (0, 1)] {
            tiff.extend_from_slice(&num.to_le_bytes());
            tiff.extend_from_slice(&den.to_le_bytes());
        }
        tiff.extend_from_slice(b"2026:11:23\0");
    }
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&tiff);
    block
}

/// Whether `bytes` carry any metadata block postsafe promises to remove. An EXIF block holding
/// nothing but the Orientation tag is allowed: it is what keeps a lossless copy upright.
pub fn has_metadata(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    let exif_beyond_orientation = bytes.windows(6).position(|w| w == b"Exif\0\0").is_some_and(|at| {
        let tiff = &bytes[at + 6..];
        let u16_at = |i: usize| {
            let pair = [tiff[i], tiff[i + 1]];
            if tiff.starts_with(b"II") {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        };
        // IFD0 follows the 8-byte header in both this module's blocks and postsafe's.
        !(u16_at(8) == 1 && u16_at(10) == 0x0112)
    });
    exif_beyond_orientation
        || has(b"http://ns.adobe.com/xap")
        || has(b"Photoshop 3.0")
        || has(b"2026:11:23")
        || has(b"tEXt")
        || has(b"iTXt")
}

/// `bytes` decoded and turned upright by their EXIF orientation, as a viewer shows them.
pub fn decode_upright(bytes: &[u8]) -> image::DynamicImage {
    use image::ImageDecoder;
    let reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().expect("readable");
    let mut decoder = reader.into_decoder().expect("a picture");
    let orientation = decoder.orientation().expect("orientation readable");
    let mut image = image::DynamicImage::from_decoder(decoder).expect("decodes");
    image.apply_orientation(orientation);
    image
}

/// A face-free test card: colour gradients and stripes, `w` × `h`.
pub fn test_card(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let stripe = if (x / 40 + y / 40) % 2 == 0 { 40 } else { 0 };
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 120 + stripe])
    })
}

/// `jpeg` with a JPEG comment segment holding `text` and an XMP packet naming `person` in
/// an IPTC "person in image" tag, as photo-library software writes them.
pub fn with_comment_and_person_tag(jpeg: &[u8], text: &str, person: &str) -> Vec<u8> {
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
         xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
         xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\"><Iptc4xmpExt:PersonInImage>\
         <rdf:Bag><rdf:li>{person}</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage></rdf:Description>\
         </rdf:RDF></x:xmpmeta>"
    );
    let segment = |marker: u8, body: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(body);
        s
    };
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xFE, text.as_bytes()));
    out.extend(segment(0xE1, xmp.as_bytes()));
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A GIF animation of `frames`, all shown on a canvas the size of the first.
pub fn animation(frames: &[image::RgbaImage]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut out);
        let frames = frames.iter().map(|f| image::Frame::new(f.clone()));
        encoder.encode_frames(frames).expect("encode GIF");
    }
    out
}

/// The largest resident memory of any child process waited for so far, in MB.
#[cfg(unix)]
pub fn peak_child_memory_mb() -> u64 {
    // SAFETY: getrusage writes only into the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage
    };
    u64::try_from(usage.ru_maxrss).unwrap() / 1024
}
