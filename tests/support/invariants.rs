//! What postsafe promises for any file whatever its bytes, checked after one file went through
//! [`Filter::run`]. Shared, through `#[path]`, by the fuzz target (`fuzz/fuzz_targets/photo.rs`),
//! which checks every input it tries, and by `tests/fuzz_regressions.rs`, which checks the
//! inputs the fuzzer found: the test crate cannot depend on the fuzz crate, and the promises
//! must be the same in both places.
//!
//! Uses nothing but `postsafe` and `image`, which both crates have.
#![allow(dead_code)] // each user takes its own share

use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use postsafe::{Filter, Outcome, Report, READY_DIR};
use std::io::Cursor;
use std::path::Path;

/// The longest side and the memory the independent decode may take: postsafe's own limits
/// (`read.rs`), so a picture postsafe may decode is one this check may decode too.
const MAX_SIDE: u32 = postsafe::MAX_SIDE;
const MAX_ALLOC: u64 = postsafe::MAX_DECODED_BYTES;

/// The names a fuzz input is saved under, picked by its length ([`file_name`]). Known
/// picture endings make postsafe treat the file as a photo whatever it holds (a damaged photo
/// must be an error, never skipped); the last, no ending at all, makes it sniff the first
/// bytes instead.
pub const NAMES: [&str; 7] =
    ["photo.jpg", "photo.png", "photo.gif", "photo.webp", "photo.bmp", "photo.tif", "photo"];

/// The file name `input` is saved under. By length, not by a leading byte that every file of
/// one format shares, so a real picture also gets a wrong ending or none (and is sniffed);
/// seven names against [`blurs`]' two parities, so every name meets both face actions.
pub fn file_name(input: &[u8]) -> &'static str {
    NAMES[input.len() % NAMES.len()]
}

/// Whether `input` is run with faces covered (`FaceAction::Blur`) rather than held back: odd
/// lengths are, so a mutation that only grows or shrinks the file switches between the two.
pub fn blurs(input: &[u8]) -> bool {
    input.len() % 2 == 1
}

/// What `Error::Crashed` says: a panic inside one photo's processing, caught by postsafe.
/// Caught or not, a panic is a bug, so it counts as a finding.
const CRASHED: &str = "failed unexpectedly";

/// Checks the report and the output folder `out_dir` of a run over one file holding `input`.
/// `Err` says which promise was broken.
pub fn check(filter: &Filter, input: &[u8], report: &Report, out_dir: &Path) -> Result<(), String> {
    let [photo] = report.photos.as_slice() else {
        return Err(format!("one file in, {} photos in the report", report.photos.len()));
    };
    if let Some(error) = photo.error.as_deref().filter(|e| e.contains(CRASHED)) {
        return Err(format!("postsafe panicked: {error}"));
    }
    let in_ready = files_in(&out_dir.join(READY_DIR))?;
    if !photo.outcome.is_published() {
        return match (in_ready.is_empty(), &photo.output) {
            (true, None) => Ok(()),
            _ => {
                Err(format!("{:?}, yet ready/ holds {in_ready:?} (output {:?})", photo.outcome, photo.output))
            }
        };
    }
    // Published: the input must be a picture decoders read whole, not one postsafe made sense
    // of by itself.
    decodes_fully(input).map_err(|why| {
        format!("{:?} output for an input `image` cannot decode fully: {why}", photo.outcome)
    })?;
    let output = photo.output.as_deref().ok_or(format!("{:?} with no output named", photo.outcome))?;
    let name = Path::new(output).file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if in_ready != [name] {
        return Err(format!("ready/ should hold just {name}, holds {in_ready:?}"));
    }
    let written = std::fs::read(output).map_err(|e| format!("{output}: {e}"))?;
    let format = image::guess_format(&written).map_err(|e| format!("{output}: not a picture: {e}"))?;
    match format {
        ImageFormat::Jpeg => jpeg_has_no_metadata(&written),
        ImageFormat::Png => png_has_no_metadata(&written),
        ImageFormat::Gif => gif_has_no_metadata(&written),
        other => Err(format!("posted as {other:?}, which postsafe never writes")),
    }
    .map_err(|why| format!("{output}: {why}"))?;
    let posted = decode_upright(&written).map_err(|why| format!("{output} does not decode: {why}"))?;
    if format == ImageFormat::Gif {
        decodes_fully(&written).map_err(|why| format!("{output}: {why}"))?;
    }
    if photo.outcome == Outcome::Ready {
        let verdict = filter.check(&posted).map_err(|e| format!("{output} cannot be checked again: {e}"))?;
        if !verdict.faces.is_empty() {
            return Err(format!("posted as ready, yet its copy shows faces: {:?}", verdict.faces));
        }
    }
    Ok(())
}

/// Every entry of `dir`, hidden ones included (a leftover `.name.part` is a broken promise).
fn files_in(dir: &Path) -> Result<Vec<String>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    names.sort();
    Ok(names)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// Decodes `bytes` with `image` alone, as any program would: every frame of a GIF, since
/// postsafe checks and posts every frame.
pub fn decodes_fully(bytes: &[u8]) -> Result<(), String> {
    if is_heif(bytes) && postsafe::HEIC_SUPPORTED {
        // Read by libheif, which `image` cannot stand in for; nothing to compare with.
        return Ok(());
    }
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    reader.limits(limits());
    if reader.format() == Some(ImageFormat::Gif) {
        let mut decoder =
            image::codecs::gif::GifDecoder::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        decoder.set_limits(limits()).map_err(|e| e.to_string())?;
        for frame in decoder.into_frames() {
            frame.map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    reader.decode().map(drop).map_err(|e| e.to_string())
}

/// `bytes` decoded and turned by its EXIF orientation, as a viewer shows it: what the detector
/// must find no face in.
fn decode_upright(bytes: &[u8]) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string())?;
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| e.to_string())?;
    let orientation = decoder.orientation().map_err(|e| e.to_string())?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| e.to_string())?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// postsafe's own test for an HEIF file (`heif.rs`): ISO-BMFF with an HEIF or AVIF brand.
fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 11] =
        [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"avif", b"avis"];
    bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| BRANDS.iter().any(|b| b == &brand))
}

/// The EXIF payload of an APP1 holding only an Orientation tag, less the value and padding:
/// the one APP1 a posted JPEG may carry (`scrub.rs`, `orientation_exif`).
const ORIENTATION_ONLY_EXIF: &[u8] = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0";

/// Walks a posted JPEG's segments: only those a decoder needs to draw and colour it may be
/// there (JFIF header without thumbnail, orientation-only EXIF, ICC profile, Adobe's
/// colour-transform flag), and nothing after the end-of-image marker.
pub fn jpeg_has_no_metadata(bytes: &[u8]) -> Result<(), String> {
    let cut = || "structure cut short".to_string();
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err("no start-of-image marker".into());
    }
    let mut pos = 2;
    loop {
        if *bytes.get(pos).ok_or_else(cut)? != 0xFF {
            return Err(format!("no marker at byte {pos}"));
        }
        while *bytes.get(pos).ok_or_else(cut)? == 0xFF {
            pos += 1;
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD9 if pos == bytes.len() => return Ok(()),
            0xD9 => return Err(format!("{} bytes after the end-of-image marker", bytes.len() - pos)),
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(pos).ok_or_else(cut)?,
            *bytes.get(pos + 1).ok_or_else(cut)?,
        ]));
        let payload = bytes.get(pos + 2..pos + length.max(2)).ok_or_else(cut)?;
        let allowed = match marker {
            0xE0 => payload.starts_with(b"JFIF\0") && payload.len() == 14,
            0xE1 => {
                payload.len() == 32
                    && payload.starts_with(ORIENTATION_ONLY_EXIF)
                    && (2..=8).contains(&payload[24])
                    && payload[25..].iter().all(|&b| b == 0)
            }
            0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
            0xEE => payload.starts_with(b"Adobe") && payload.len() == 12,
            0xE3..=0xED | 0xEF | 0xFE => false,
            _ => true,
        };
        if !allowed {
            let shown = String::from_utf8_lossy(&payload[..payload.len().min(16)]).into_owned();
            return Err(format!("carries marker 0x{marker:02X} segment {shown:?} ({} bytes)", payload.len()));
        }
        pos += length.max(2);
        if marker == 0xDA {
            // Entropy-coded data: runs to the first marker that is neither stuffing (0xFF00)
            // nor a restart, after any 0xFF fill bytes, as decoders and postsafe's scrubber read
            // it (a walker that took `FF FF 00` for a marker was the fuzzer's second finding).
            loop {
                let ff = pos + bytes[pos..].iter().position(|&b| b == 0xFF).ok_or_else(cut)?;
                let mut next = ff + 1;
                while *bytes.get(next).ok_or_else(cut)? == 0xFF {
                    next += 1;
                }
                match bytes[next] {
                    0x00 | 0xD0..=0xD7 => pos = next + 1,
                    _ => {
                        pos = ff;
                        break;
                    }
                }
            }
        }
    }
}

/// Walks a posted PNG's chunks: only those that decode, colour or size the pixels may be
/// there (postsafe's `PNG_KEPT`), so no text, EXIF or time stamp, and nothing after IEND.
pub fn png_has_no_metadata(bytes: &[u8]) -> Result<(), String> {
    const KEPT: [&[u8; 4]; 14] = [
        b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"cICP",
        b"mDCV", b"cLLI", b"pHYs",
    ];
    let mut pos = 8;
    loop {
        let head = bytes.get(pos..pos + 8).ok_or("structure cut short")?;
        let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = &head[4..8];
        if !KEPT.iter().any(|k| k.as_slice() == kind) {
            return Err(format!("carries a {:?} chunk", String::from_utf8_lossy(kind)));
        }
        pos += 12 + length;
        if kind == b"IEND" {
            return match bytes.len().checked_sub(pos) {
                Some(0) => Ok(()),
                Some(extra) => Err(format!("{extra} bytes after IEND")),
                None => Err("IEND cut short".into()),
            };
        }
    }
}

/// Walks a posted GIF's blocks: frames, their timing, and the looping extension only; no
/// comment, plain-text or other application extension, and nothing after the trailer.
pub fn gif_has_no_metadata(bytes: &[u8]) -> Result<(), String> {
    let cut = || "structure cut short".to_string();
    let byte = |at: usize| bytes.get(at).copied().ok_or_else(cut);
    // Skips data sub-blocks from `at`, returning where the one after the terminator starts.
    let sub_blocks = |mut at: usize| -> Result<usize, String> {
        loop {
            let size = usize::from(byte(at)?);
            at += 1 + size;
            if size == 0 {
                return Ok(at);
            }
        }
    };
    let table = |flags: u8| if flags & 0x80 != 0 { 3 << ((flags & 7) + 1) } else { 0 };
    let mut pos = 13 + table(byte(10)?);
    loop {
        match byte(pos)? {
            0x3B if pos + 1 == bytes.len() => return Ok(()),
            0x3B => return Err(format!("{} bytes after the trailer", bytes.len() - pos - 1)),
            0x2C => {
                pos += 10 + table(byte(pos + 9)?);
                pos = sub_blocks(pos + 1)?; // after the LZW minimum code size
            }
            0x21 => {
                let label = byte(pos + 1)?;
                let allowed = match label {
                    0xF9 => true,
                    0xFF => bytes.get(pos + 3..pos + 14) == Some(b"NETSCAPE2.0"),
                    _ => false,
                };
                if !allowed {
                    return Err(format!("carries extension block 0x{label:02X}"));
                }
                pos = sub_blocks(pos + 2)?;
            }
            other => return Err(format!("unknown block 0x{other:02X} at byte {pos}")),
        }
    }
}
