//! A corpus of bad inputs, made here from pictures painted in code: files cut short at many
//! points, bytes flipped, empty files, wrong names, decompression bombs, an animation of
//! thousands of frames, deep folders, link loops, unreadable files, pipes, and names that are
//! not UTF-8. Each case says what postsafe must make of it.

use image::{DynamicImage, ImageFormat, RgbImage};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// What a case must end as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `error` or `skipped`, with a message, and nothing in `ready/`.
    Refused,
    /// Refused, or, when the damage left a picture that decodes whole, analysed like any
    /// other photo. Flipped bytes in compressed picture data are undetectable in formats
    /// with no checksum (JPEG, GIF, lossless WebP): the file is a different, valid picture.
    RefusedOrAnalysed,
    /// A real picture in an odd place or under an odd name: analysed by its content like any
    /// other photo (ready or held back), proving the oddity did not stop it.
    Analysed,
    /// A file a computer makes beside photos (`Thumbs.db`, `._` files): left out of the
    /// report, as a teacher neither put it there nor can do anything about it.
    PassedOver,
}

/// One bad input.
pub struct Case {
    /// Where it is, inside the corpus folder.
    pub path: PathBuf,
    /// The group it belongs to in the README's table, e.g. `truncated PNG`.
    pub group: &'static str,
    /// What it must end as.
    pub expect: Expect,
}

/// Cut points per format: enough to land in every part of a small file (header, tables,
/// picture data, trailer).
const CUTS: usize = 40;
/// Flipped-byte variants per format.
const FLIPS: usize = 40;
/// Frames of the long animation: above the limit of frames postsafe analyses.
pub const LONG_ANIMATION_FRAMES: usize = 3000;
/// Depth of the nested folders.
pub const NESTING: usize = 60;

/// A 256×192 face-free picture with enough detail that every part of the file matters.
fn card() -> RgbImage {
    RgbImage::from_fn(256, 192, |x, y| {
        let ring = ((x as i32 - 128).pow(2) + (y as i32 - 96).pow(2)) as u32 / 300;
        image::Rgb([(x ^ y) as u8, (ring * 40) as u8, (x * 2 + y) as u8])
    })
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).expect("encode");
    out
}

/// The whole pictures the damaged ones are made from, with their file extension and group
/// name.
fn originals() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let card = DynamicImage::ImageRgb8(card());
    let frames: Vec<image::RgbaImage> = (0..3u8)
        .map(|n| {
            image::RgbaImage::from_fn(96, 64, |x, y| image::Rgba([(x * 2) as u8, (y * 3) as u8, n * 80, 255]))
        })
        .collect();
    vec![
        ("jpg", "JPEG", encoded(&card, ImageFormat::Jpeg)),
        ("png", "PNG", encoded(&card, ImageFormat::Png)),
        ("webp", "WebP", encoded(&card, ImageFormat::WebP)),
        ("gif", "GIF", super::animation(&frames)),
    ]
}

/// Writes the corpus into `dir` and returns its cases.
pub fn write_corpus(dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut put = |rel: PathBuf, bytes: &[u8], group: &'static str, expect: Expect| {
        let path = dir.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        cases.push(Case { path: rel, group, expect });
    };
    for (ext, format, whole) in originals() {
        let group_cut: &'static str = Box::leak(format!("truncated {format}").into_boxed_str());
        let group_flip: &'static str = Box::leak(format!("flipped bytes, {format}").into_boxed_str());
        // Cut points spread over the whole file, the last just one byte short.
        for n in 0..CUTS {
            let cut = (whole.len() - 1) * n / (CUTS - 1);
            put(format!("cut/{ext}/at-{cut}.{ext}").into(), &whole[..cut], group_cut, Expect::Refused);
        }
        // Flips in the header and in the picture data: a deterministic spread of positions.
        for n in 0..FLIPS {
            let at = if n < 12 { n * 3 } else { (n * 7919) % whole.len() };
            let mut flipped = whole.clone();
            flipped[at] ^= 0xFF;
            put(format!("flip/{ext}/at-{at}.{ext}").into(), &flipped, group_flip, Expect::RefusedOrAnalysed);
        }
    }
    let card_png = encoded(&DynamicImage::ImageRgb8(card()), ImageFormat::Png);
    for name in ["empty.jpg", "empty.png", "empty.gif", "empty"] {
        put(format!("empty/{name}").into(), b"", "zero-byte files", Expect::Refused);
    }
    put(
        "names/notes.txt".into(),
        b"Trip on Friday: bring a packed lunch.\n",
        "wrong extension",
        Expect::Refused,
    );
    put("names/letter.jpg".into(), b"Dear parents,\n", "wrong extension", Expect::Refused);
    put("names/page.png".into(), b"<!doctype html><p>not a picture</p>", "wrong extension", Expect::Refused);
    put("names/Thumbs.db".into(), &[0u8; 512], "files computers make", Expect::PassedOver);
    put(
        "names/._class photo.jpg".into(),
        b"\0\x05\x16\x07\0\x02\0\0Mac OS X",
        "files computers make",
        Expect::PassedOver,
    );
    put("names/png-called.jpg".into(), &card_png, "wrong extension, real picture", Expect::Analysed);
    put("names/png-without-extension".into(), &card_png, "wrong extension, real picture", Expect::Analysed);
    put(
        "bombs/100000x100000.png".into(),
        &png_declaring(100_000, 100_000),
        "decompression bombs",
        Expect::Refused,
    );
    put(
        "bombs/65000x65000.jpg".into(),
        &jpeg_declaring(65_000, 65_000),
        "decompression bombs",
        Expect::Refused,
    );
    put(
        "bombs/65535x65535.gif".into(),
        &gif_declaring(65_535, 65_535),
        "decompression bombs",
        Expect::Refused,
    );
    put("bombs/long-animation.gif".into(), &long_animation(), "animation of 3000 frames", Expect::Refused);
    let deep: PathBuf = (0..NESTING).map(|n| format!("d{n}")).collect();
    put(deep.join("deep.png"), &card_png, "deeply nested folder", Expect::Analysed);
    put("spaced name/class photo 1.png".into(), &card_png, "spaces in names", Expect::Analysed);
    cases.extend(unix_cases(dir, &card_png));
    cases
}

/// The cases only a Unix file system can hold: links, permissions, pipes, and names that are
/// not UTF-8.
#[cfg(unix)]
fn unix_cases(dir: &Path, card_png: &[u8]) -> Vec<Case> {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{symlink, PermissionsExt};
    let mut cases = Vec::new();
    let links = dir.join("links");
    std::fs::create_dir_all(links.join("inner")).unwrap();
    symlink("..", links.join("inner/back-up")).unwrap();
    cases.push(Case { path: "links/inner/back-up".into(), group: "link loops", expect: Expect::Refused });
    symlink("self.jpg", links.join("self.jpg")).unwrap();
    cases.push(Case { path: "links/self.jpg".into(), group: "link loops", expect: Expect::Refused });
    symlink("nowhere.jpg", links.join("gone.jpg")).unwrap();
    cases.push(Case { path: "links/gone.jpg".into(), group: "link loops", expect: Expect::Refused });
    let locked = dir.join("locked/locked.png");
    std::fs::create_dir_all(locked.parent().unwrap()).unwrap();
    std::fs::write(&locked, card_png).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    cases.push(Case { path: "locked/locked.png".into(), group: "unreadable files", expect: Expect::Refused });
    let pipe = dir.join("locked/pipe.jpg");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", pipe.display());
    cases.push(Case { path: "locked/pipe.jpg".into(), group: "unreadable files", expect: Expect::Refused });
    let odd = dir.join("odd names");
    std::fs::create_dir_all(&odd).unwrap();
    let latin1 = OsStr::from_bytes(b"caf\xe9 photo.png");
    std::fs::write(odd.join(latin1), card_png).unwrap();
    cases.push(Case {
        path: Path::new("odd names").join(latin1),
        group: "names not UTF-8",
        expect: Expect::Analysed,
    });
    let broken = OsStr::from_bytes(b"bad \xff\xfe name.jpg");
    std::fs::write(odd.join(broken), b"not a picture").unwrap();
    cases.push(Case {
        path: Path::new("odd names").join(broken),
        group: "names not UTF-8",
        expect: Expect::Refused,
    });
    cases
}

#[cfg(not(unix))]
fn unix_cases(_dir: &Path, _card_png: &[u8]) -> Vec<Case> {
    Vec::new()
}

/// A PNG whose header declares `w` × `h` and whose data is a few bytes: a decoder that
/// believed the header would ask for `w × h × 3` bytes of memory.
fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        let crc = crc32fast::hash(&c[4..]);
        c.extend_from_slice(&crc.to_be_bytes());
        c
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // A few thousand zero bytes: far less than the rows declared.
    out.extend(chunk(b"IDAT", &miniz_oxide::deflate::compress_to_vec_zlib(&[0; 4096], 6)));
    out.extend(chunk(b"IEND", b""));
    out
}

/// A whole small JPEG with its frame header rewritten to declare `w` × `h`.
fn jpeg_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut jpeg = encoded(&DynamicImage::ImageRgb8(card()), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|m| m == [0xFF, 0xC0]).expect("baseline frame header");
    jpeg[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    jpeg
}

/// A GIF whose screen and only frame declare `w` × `h`, with a few bytes of picture data.
fn gif_declaring(w: u16, h: u16) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&w.to_le_bytes());
    gif.extend_from_slice(&h.to_le_bytes());
    gif.extend_from_slice(&[0x80, 0, 0]); // a global palette of two colours
    gif.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    gif.push(0x2C); // the frame
    gif.extend_from_slice(&[0, 0, 0, 0]);
    gif.extend_from_slice(&w.to_le_bytes());
    gif.extend_from_slice(&h.to_le_bytes());
    gif.push(0);
    gif.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]); // LZW: clear, one pixel, end
    gif.push(0x3B);
    gif
}

/// An animation of [`LONG_ANIMATION_FRAMES`] tiny frames.
fn long_animation() -> Vec<u8> {
    let frames: Vec<image::RgbaImage> = (0..LONG_ANIMATION_FRAMES)
        .map(|n| image::RgbaImage::from_pixel(8, 8, image::Rgba([(n % 256) as u8, 90, 160, 255])))
        .collect();
    super::animation(&frames)
}
