//! Writes the fuzz target's seed corpus: small pictures painted in code (nobody's photo) in
//! every format postsafe reads, with the structures its code treats specially (EXIF
//! orientation, comments, text chunks, transparency, progressive scans, animation, a face).
//!
//! ```text
//! cargo run --release --example fuzz_seeds -- fuzz/corpus/photo
//! ```
//!
//! It prints what postsafe makes of each, so a seed meant to reach the face path is seen to.

#[path = "../tests/support/mod.rs"]
mod support;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, RgbaImage};
use postsafe::{Filter, Options};
use std::io::Cursor;
use std::path::PathBuf;
use support::painted;

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus/photo".into()));
    std::fs::create_dir_all(&dir).expect("corpus folder");

    // Small, so each run is quick and mutations land in the structure rather than in pixels.
    let card = support::test_card(64, 48);
    let painting = small(&painted::painting(40), 64, 48);
    // The painted child of the tests, cut out at full size rather than scaled: CenterFace finds
    // the painted face at about the size it is painted (60 px), not much smaller.
    let face =
        DynamicImage::ImageRgb8(painted::classroom(&[(320, 200)])).crop_imm(200, 80, 240, 200).into_rgb8();
    let translucent =
        RgbaImage::from_fn(48, 32, |x, y| image::Rgba([(x * 5) as u8, (y * 7) as u8, 90, (x * 5) as u8]));

    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("card.jpg", encode(&card, ImageFormat::Jpeg)),
        (
            "exif-rotated-comment.jpg",
            with_comment(&support::jpeg_with_exif(&painting, 6, true), b"Sports day"),
        ),
        (
            "xmp-person.jpg",
            support::with_comment_and_person_tag(&encode(&card, ImageFormat::Jpeg), "Trip", "Sam"),
        ),
        ("progressive.jpg", progressive_jpeg(&painting)),
        ("grey.jpg", encode_dynamic(&DynamicImage::ImageRgb8(card.clone()).grayscale(), ImageFormat::Jpeg)),
        ("face.jpg", encode(&face, ImageFormat::Jpeg)),
        ("card.png", encode(&card, ImageFormat::Png)),
        ("translucent.png", encode_dynamic(&DynamicImage::ImageRgba8(translucent.clone()), ImageFormat::Png)),
        ("text-chunk.png", with_text_chunk(&encode(&painting, ImageFormat::Png), "Author", "Sam Taylor")),
        ("still.gif", encode(&painting, ImageFormat::Gif)),
        ("animated.gif", support::animation(&frames(&card, 3))),
        (
            "face-in-frame-2.gif",
            support::animation(&[rgba(&small(&card, 120, 100)), rgba(&small(&face, 120, 100))]),
        ),
        ("card.webp", encode(&card, ImageFormat::WebP)),
        ("translucent.webp", encode_dynamic(&DynamicImage::ImageRgba8(translucent), ImageFormat::WebP)),
        ("card.bmp", encode(&small(&card, 32, 24), ImageFormat::Bmp)),
        ("card.tif", encode(&small(&card, 32, 24), ImageFormat::Tiff)),
    ];

    let filter = Filter::new(Options::default()).expect("model loads");
    for (name, bytes) in seeds {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).expect("seed written");
        let report =
            filter.run(&[&path], &std::env::temp_dir().join("postsafe-fuzz-seeds"), &()).expect("run");
        let photo = &report.photos[0];
        println!(
            "{name:28} {:6} bytes  {:?} {}",
            bytes.len(),
            photo.outcome,
            photo.error.as_deref().unwrap_or("")
        );
    }
}

fn small(image: &RgbImage, w: u32, h: u32) -> RgbImage {
    image::imageops::resize(image, w, h, image::imageops::FilterType::Triangle)
}

fn rgba(image: &RgbImage) -> RgbaImage {
    DynamicImage::ImageRgb8(image.clone()).into_rgba8()
}

/// `image` shifted in colour three ways, as frames of an animation.
fn frames(image: &RgbImage, n: u8) -> Vec<RgbaImage> {
    (0..n)
        .map(|i| {
            let shifted = RgbImage::from_fn(image.width(), image.height(), |x, y| {
                let Rgb([r, g, b]) = *image.get_pixel(x, y);
                Rgb([r.wrapping_add(i * 40), g, b])
            });
            rgba(&shifted)
        })
        .collect()
}

fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
    encode_dynamic(&DynamicImage::ImageRgb8(image.clone()), format)
}

fn encode_dynamic(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).expect("encode");
    out
}

fn progressive_jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_progressive(true);
    let (w, h) = (image.width() as u16, image.height() as u16);
    encoder.encode(image.as_raw(), w, h, jpeg_encoder::ColorType::Rgb).expect("encode progressive");
    out
}

/// `jpeg` with a COM segment holding `text` right after its start-of-image marker.
fn with_comment(jpeg: &[u8], text: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(text);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// `png` with a tEXt chunk `keyword`: `text` right after its IHDR chunk.
fn with_text_chunk(png: &[u8], keyword: &str, text: &str) -> Vec<u8> {
    let body = [b"tEXt".as_slice(), keyword.as_bytes(), b"\0", text.as_bytes()].concat();
    let mut chunk = ((body.len() - 4) as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    let after_ihdr = 8 + 25;
    [&png[..after_ihdr], &chunk, &png[after_ihdr..]].concat()
}
