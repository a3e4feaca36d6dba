//! A photo file's structure, walked once: a JPEG's marker segments and scans, a PNG's chunks.
//! Every later step reads these parts instead of the bytes: the metadata reader looks at the
//! segments and chunks that hold text, the decoder learns the frame's kind and size, and the
//! lossless copy is assembled from the parts it keeps. A file whose structure does not hold
//! together to its end marker is not a whole picture and goes no further.
//!
//! Written here rather than taken from a decoder crate because the decoders read leniently
//! (they stop at the end marker and ignore what follows, skip junk between segments, accept a
//! second frame) and hide the parts, while postsafe must know exactly which bytes a copy
//! carries. Every length is checked against the data before it is used and nothing is
//! allocated from a size the file states.

/// JPEG start-of-image marker.
const SOI: u8 = 0xD8;
/// JPEG end-of-image marker.
const EOI: u8 = 0xD9;
/// JPEG start-of-scan marker.
pub(crate) const SOS: u8 = 0xDA;
/// The eight bytes every PNG file starts with.
pub(crate) const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The largest chunk length PNG allows.
const PNG_MAX_CHUNK: u32 = 0x7FFF_FFFF;

/// A file's structure, when it is a JPEG or a PNG.
pub(crate) enum Container<'a> {
    /// A JPEG whose segments and scans run whole from its start to its end marker.
    Jpeg(Jpeg<'a>),
    /// A PNG whose chunks are whole, with correct checksums, from IHDR to IEND.
    Png(Png<'a>),
    /// A JPEG or PNG whose structure is broken or cut short, and why.
    Broken(&'static str),
    /// Another format, whose decoder checks it.
    Other,
}

/// Walks `bytes` once if they are a JPEG or a PNG.
pub(crate) fn parse(bytes: &[u8]) -> Container<'_> {
    if bytes.starts_with(&[0xFF, SOI]) {
        match jpeg(bytes) {
            Ok(jpeg) => Container::Jpeg(jpeg),
            Err(why) => Container::Broken(why),
        }
    } else if bytes.starts_with(&PNG_SIGNATURE) {
        match png(bytes) {
            Ok(png) => Container::Png(png),
            Err(why) => Container::Broken(why),
        }
    } else {
        Container::Other
    }
}

/// A JPEG file's parts in file order.
pub(crate) struct Jpeg<'a> {
    /// Every marker segment and scan between the start and end markers.
    pub parts: Vec<Part<'a>>,
    /// The frame header.
    pub frame: Frame,
    /// Whatever follows the end marker (phones put depth maps and second pictures there).
    pub trailer: &'a [u8],
    /// The ICC colour profile, joined from its numbered APP2 parts.
    pub profile: Option<Vec<u8>>,
}

/// One marker segment of a JPEG, or one scan with its entropy-coded data.
pub(crate) struct Part<'a> {
    /// The marker (0xC0–0xFE).
    pub marker: u8,
    /// The segment's contents after its length field.
    pub payload: &'a [u8],
    /// The whole part from its marker on, without fill bytes before it; for a scan, its header
    /// and all its entropy-coded data with the restart markers in it.
    pub bytes: &'a [u8],
}

/// What a JPEG's frame header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    /// Its marker, SOF0–SOF15: baseline, extended, progressive, lossless, hierarchical,
    /// arithmetic-coded.
    pub marker: u8,
    /// Bits per sample.
    pub precision: u8,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels (0: given later by a DNL marker).
    pub height: u16,
    /// How many colour components (channels) it has.
    pub components: u8,
    /// The ids of its first three components (0 past the last): cameras number them 1, 2, 3;
    /// some encoders name RGB ones 'R', 'G', 'B'.
    pub ids: [u8; 3],
}

/// Walks a JPEG from its start marker to its end marker: every segment's length must lie
/// within the file, the frame header must come once and before any scan, and at least one
/// scan must reach the end marker.
fn jpeg(bytes: &[u8]) -> Result<Jpeg<'_>, &'static str> {
    const CUT: &str = "the file is cut short (the end of the picture data is missing)";
    let mut parts = Vec::new();
    let mut frame = None;
    let mut pos = 2;
    loop {
        if *bytes.get(pos).ok_or(CUT)? != 0xFF {
            return Err("the picture data is damaged (something stands between its parts)");
        }
        // A marker may be padded with any number of 0xFF fill bytes; they carry nothing.
        while *bytes.get(pos).ok_or(CUT)? == 0xFF {
            pos += 1;
        }
        let marker = *bytes.get(pos).ok_or(CUT)?;
        pos += 1;
        if marker == EOI {
            if !parts.iter().any(|p: &Part| p.marker == SOS) {
                return Err("the file holds no picture data");
            }
            let frame = frame.ok_or("the file holds no picture data")?;
            let profile = icc_profile(&parts);
            return Ok(Jpeg { parts, frame, trailer: &bytes[pos..], profile });
        }
        if marker == 0 || marker == SOI || (0xD0..=0xD7).contains(&marker) {
            return Err("the picture data is damaged (a marker stands where no marker belongs)");
        }
        let length =
            usize::from(u16::from_be_bytes(*bytes.get(pos..).and_then(<[u8]>::first_chunk).ok_or(CUT)?));
        if length < 2 {
            return Err("the picture data is damaged (a part states an impossible length)");
        }
        let end = pos + length;
        let payload = bytes.get(pos + 2..end).ok_or(CUT)?;
        // `pos - 2` is the last 0xFF before the marker, so fill bytes are not part of it.
        let start = pos - 2;
        match marker {
            // SOF0–SOF15; 0xC4, 0xC8 and 0xCC are DHT, a reserved marker and DAC.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                // A picture has one frame. A second frame header is a second picture run into
                // the first (a photo cut short with another after it, found by fuzzing).
                if frame.is_some() {
                    return Err("the file holds two pictures run into each other");
                }
                let [precision, h0, h1, w0, w1, ..] = *payload else {
                    return Err("the picture data is damaged (its frame header is too short)");
                };
                frame = Some(Frame {
                    marker,
                    precision,
                    width: u16::from_be_bytes([w0, w1]),
                    height: u16::from_be_bytes([h0, h1]),
                    components: payload.get(5).copied().unwrap_or(0),
                    // Each component is an id, its sampling factors and its table.
                    ids: std::array::from_fn(|i| payload.get(6 + 3 * i).copied().unwrap_or(0)),
                });
            }
            SOS => {
                if frame.is_none() {
                    return Err("the picture data is damaged (a scan comes before the frame header)");
                }
                let data_end = entropy_coded_end(bytes, end).ok_or(CUT)?;
                parts.push(Part { marker, payload, bytes: &bytes[start..data_end] });
                pos = data_end;
                continue;
            }
            _ => {}
        }
        parts.push(Part { marker, payload, bytes: &bytes[start..end] });
        pos = end;
    }
}

/// The ICC profile carried by a JPEG's APP2 `ICC_PROFILE` segments, joined in the order of
/// their part numbers.
fn icc_profile(parts: &[Part]) -> Option<Vec<u8>> {
    let mut numbered: Vec<(u8, &[u8])> = parts
        .iter()
        .filter(|p| p.marker == 0xE2)
        .filter_map(|p| p.payload.strip_prefix(b"ICC_PROFILE\0"))
        .filter_map(|rest| Some((*rest.first()?, rest.get(2..)?)))
        .collect();
    numbered.sort_by_key(|&(number, _)| number);
    (!numbered.is_empty()).then(|| numbered.iter().flat_map(|(_, part)| part.iter().copied()).collect())
}

/// Where the entropy-coded data that starts at `start` ends: at the first marker that is
/// neither a stuffed 0xFF00 nor a restart marker, before its fill bytes. `None` when the file
/// ends first.
fn entropy_coded_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    loop {
        let ff = pos + bytes.get(pos..)?.iter().position(|&b| b == 0xFF)?;
        let mut next = ff + 1;
        while *bytes.get(next)? == 0xFF {
            next += 1;
        }
        match *bytes.get(next)? {
            0x00 | 0xD0..=0xD7 => pos = next + 1,
            _ => return Some(ff),
        }
    }
}

impl Jpeg<'_> {
    /// The segments with `marker` whose contents start with `tag`, contents after the tag.
    pub(crate) fn segments<'s>(&'s self, marker: u8, tag: &'s [u8]) -> impl Iterator<Item = &'s [u8]> + 's {
        self.parts.iter().filter(move |p| p.marker == marker).filter_map(move |p| p.payload.strip_prefix(tag))
    }
}

/// A PNG file's chunks in file order.
pub(crate) struct Png<'a> {
    /// Every chunk from IHDR to IEND.
    pub chunks: Vec<Chunk<'a>>,
    /// Whatever follows IEND.
    pub trailer: &'a [u8],
    /// The ICC colour profile, unpacked from the iCCP chunk.
    pub profile: Option<Vec<u8>>,
}

/// One PNG chunk.
pub(crate) struct Chunk<'a> {
    /// Its type, four letters.
    pub kind: [u8; 4],
    /// Its contents.
    pub data: &'a [u8],
    /// The whole chunk: length, type, contents and checksum.
    pub bytes: &'a [u8],
}

/// Walks a PNG from its signature to IEND: every chunk's type must be letters and its checksum
/// right, IHDR first, and picture data (IDAT) before the end.
fn png(bytes: &[u8]) -> Result<Png<'_>, &'static str> {
    const CUT: &str = "the file is damaged or cut short (the end of the picture data is missing)";
    let mut chunks = Vec::new();
    let mut pos = PNG_SIGNATURE.len();
    loop {
        let length = u32::from_be_bytes(*bytes.get(pos..).and_then(<[u8]>::first_chunk).ok_or(CUT)?);
        if length > PNG_MAX_CHUNK {
            return Err("the picture data is damaged (a part states an impossible length)");
        }
        let whole = usize::try_from(length).map_err(|_| CUT)? + 12;
        let chunk = bytes.get(pos..pos.checked_add(whole).ok_or(CUT)?).ok_or(CUT)?;
        let (checked, crc) = chunk[4..].split_last_chunk::<4>().ok_or(CUT)?;
        let kind = *checked.first_chunk::<4>().ok_or(CUT)?;
        if !kind.iter().all(u8::is_ascii_alphabetic) || crc32fast::hash(checked) != u32::from_be_bytes(*crc) {
            return Err("the picture data is damaged (a part fails its checksum)");
        }
        if chunks.is_empty() != (&kind == b"IHDR") {
            return Err("the picture data is damaged (its header is not where it belongs)");
        }
        chunks.push(Chunk { kind, data: &checked[4..], bytes: chunk });
        pos += whole;
        if &kind == b"IEND" {
            if !chunks.iter().any(|c| &c.kind == b"IDAT") {
                return Err("the file holds no picture data");
            }
            // Decoders unpack the profile whole before the picture, whatever it unpacks to.
            let profile = match chunks.iter().find(|c| &c.kind == b"iCCP") {
                Some(iccp) => Some(crate::icc::from_iccp(iccp.data).ok_or(
                    "its colour profile is damaged, or unpacks to more than any real one (4 MB), as files made \
                     to exhaust a computer's memory do",
                )?),
                None => None,
            };
            return Ok(Png { chunks, trailer: &bytes[pos..], profile });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_file() -> Vec<u8> {
        let picture =
            image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([(x * 9) as u8, (y * 13) as u8, 70]));
        let mut out = Vec::new();
        picture.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
        out
    }

    #[test]
    fn a_jpeg_is_walked_into_its_parts_and_what_follows_its_end() {
        let whole = [jpeg_file(), b"DEPTH-MAP".to_vec()].concat();
        let Container::Jpeg(file) = parse(&whole) else { panic!("a whole JPEG") };
        assert_eq!((file.frame.width, file.frame.height, file.frame.precision), (24, 16, 8));
        assert_eq!((file.frame.components, file.frame.ids), (3, [1, 2, 3]));
        assert_eq!(file.trailer, b"DEPTH-MAP");
        assert_eq!(file.parts.iter().filter(|p| p.marker == SOS).count(), 1);
        let rebuilt: Vec<u8> = file.parts.iter().flat_map(|p| p.bytes.iter().copied()).collect();
        assert_eq!([&whole[..2], &rebuilt, &[0xFF, EOI]].concat(), whole[..whole.len() - 9]);
    }

    #[test]
    fn anything_between_a_jpegs_segments_breaks_it_even_zeros() {
        let plain = jpeg_file();
        for filler in [&b"\0\0\0"[..], b"junk"] {
            let padded = [&plain[..2], filler, &plain[2..]].concat();
            assert!(matches!(parse(&padded), Container::Broken(_)), "{filler:?}");
        }
    }

    #[test]
    fn a_png_is_walked_into_its_chunks_and_what_follows_its_end() {
        let picture = image::RgbImage::from_pixel(8, 8, image::Rgb([1, 2, 3]));
        let mut png = Vec::new();
        picture.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
        let whole = [png.clone(), b"SECRET".to_vec()].concat();
        let Container::Png(file) = parse(&whole) else { panic!("a whole PNG") };
        assert_eq!(file.chunks.first().map(|c| &c.kind), Some(b"IHDR"));
        assert_eq!(file.trailer, b"SECRET");
        let mut long = png;
        long[33..37].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(parse(&long), Container::Broken(_)));
    }
}
