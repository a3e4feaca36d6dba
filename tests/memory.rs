//! Memory stays bounded whatever a file declares. A few bytes can declare a picture of
//! hundreds of megapixels, or a colour profile that unpacks to a gigabyte; large but real
//! pictures, several at once, must take turns rather than add up. The whole batch runs through
//! the command, as a teacher's would, and its peak memory is measured. (On its own in this
//! file: the peak is read from every child process this test program has waited for.)

#![cfg(unix)]

mod support;

use postsafe::{Outcome, Report};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use support::peak_child_memory_mb;

/// Most memory the command may take over this batch at `-j 4`: the decoded-picture budget
/// (640 MB), the detector's working memory for each photo in progress, and the program.
const BOUND_MB: u64 = 1000;
/// Longest the batch may take: the bombs are refused from their headers, in milliseconds.
const TIME_LIMIT: Duration = Duration::from_secs(240);

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let body = [kind, data].concat();
    [&(data.len() as u32).to_be_bytes()[..], &body, &crc32fast::hash(&body).to_be_bytes()].concat()
}

/// A GIF of a few bytes declaring a `side` × `side` canvas.
fn gif_canvas(side: u16) -> Vec<u8> {
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[side.to_le_bytes(), side.to_le_bytes()].concat());
    gif.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
    gif.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]);
    gif
}

/// A small PNG whose colour profile unpacks to `mebibytes` MiB of zeros.
fn png_with_profile_unpacking_to(mebibytes: usize) -> Vec<u8> {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(64, 48, image::Rgb([120, 80, 40]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..mebibytes {
        zlib.write_all(&zeros).unwrap();
    }
    let profile = [&b"icc\0\0"[..], &zlib.finish().unwrap()].concat();
    [&png[..33], &chunk(b"iCCP", &profile), &png[33..]].concat()
}

/// A `width` × `height` PNG, written a row at a time: 1-bit grey, or 8-bit RGB.
fn big_png(path: &Path, width: u32, height: u32, one_bit: bool) {
    let file = std::io::BufWriter::new(fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, width, height);
    let (colour, depth, row_bytes) = match one_bit {
        true => (png::ColorType::Grayscale, png::BitDepth::One, width.div_ceil(8) as usize),
        false => (png::ColorType::Rgb, png::BitDepth::Eight, width as usize * 3),
    };
    encoder.set_color(colour);
    encoder.set_depth(depth);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    for y in 0..height {
        let row: Vec<u8> = (0..row_bytes).map(|x| ((x as u32 / 97 + y / 89) % 7 * 30) as u8).collect();
        stream.write_all(&row).unwrap();
    }
    stream.finish().unwrap();
}

/// A lossless WebP whose header declares `side` × `side`, with a few bytes of picture data.
fn webp_declaring(side: u32) -> Vec<u8> {
    let bits = (side - 1) | ((side - 1) << 14);
    let vp8l = [&[0x2F][..], &bits.to_le_bytes(), &[0; 16]].concat();
    let body = [&b"WEBPVP8L"[..], &(vp8l.len() as u32).to_le_bytes(), &vp8l].concat();
    [&b"RIFF"[..], &(body.len() as u32).to_le_bytes(), &body].concat()
}

#[test]
fn pictures_declaring_more_than_memory_allows_are_refused_and_large_ones_take_turns() {
    let root = tempfile::tempdir().unwrap();
    let photos = root.path().join("photos");
    fs::create_dir_all(&photos).unwrap();
    let bombs: [(&str, Vec<u8>); 5] = [
        ("canvas-1.gif", gif_canvas(19_999)),
        ("canvas-2.gif", gif_canvas(19_999)),
        ("profile.png", png_with_profile_unpacking_to(1024)),
        ("declared.webp", webp_declaring(16_383)),
        ("nearly-max.gif", gif_canvas(12_000)),
    ];
    for (name, bytes) in &bombs {
        fs::write(photos.join(name), bytes).unwrap();
    }
    big_png(&photos.join("one-bit.png"), 19_999, 19_999, true);
    // Four legal pictures of 189 MB each decoded: two fit the budget at once, not four.
    let large: Vec<String> = (1..=4).map(|n| format!("large-{n}.png")).collect();
    for name in &large {
        big_png(&photos.join(name), 9_000, 7_000, false);
    }
    let out = root.path().join("out");
    let started = Instant::now();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_postsafe"))
        .args(["--json", "-q", "-j", "4", "-o"])
        .arg(&out)
        .arg(&photos)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let peak_mb = peak_child_memory_mb();
    let report: Report = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&run.stderr)));
    for name in bombs.iter().map(|(n, _)| *n).chain(["one-bit.png"]) {
        let photo = report.photos.iter().find(|p| p.input.ends_with(name)).unwrap();
        assert_eq!(photo.outcome, Outcome::Error, "{name}: {photo:#?}");
        let said = photo.error.as_deref().unwrap();
        assert!(
            said.contains("too large to open safely") || said.contains("colour profile"),
            "{name}: {said}"
        );
    }
    for name in &large {
        let photo = report.photos.iter().find(|p| p.input.ends_with(name.as_str())).unwrap();
        assert_eq!(photo.outcome, Outcome::Ready, "{name}: {photo:#?}");
    }
    println!("{} files in {:.1} s, peak memory {peak_mb} MB", report.photos.len(), elapsed.as_secs_f64());
    assert!(peak_mb < BOUND_MB, "peak memory {peak_mb} MB");
    assert!(elapsed < TIME_LIMIT, "took {elapsed:?}");
}
