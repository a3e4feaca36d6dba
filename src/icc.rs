//! Colour profiles in posted copies: kept only when they are a colour profile and nothing else.
//!
//! A photo's ICC profile used to travel into safe copies untouched, because it decides the colours
//! a viewer shows. But a profile is a container: its tags can carry any bytes (a whole JPEG of a
//! child's face in a private tag, a child's name in the description or copyright), and its tone
//! curves can make a colour-managed viewer show what the face detector, which reads the raw pixel
//! values, never saw (a picture hidden in the darkest values, lifted to mid-grey). So no profile is
//! ever copied. An sRGB profile becomes no profile at all, since untagged pictures are shown as
//! sRGB anyway; a plain matrix-and-curves profile is written anew from its numbers alone, once those
//! numbers are shown unable to reveal hidden detail; anything else is dropped, and the copy then
//! shows as sRGB, a little off in colour at worst. Every text the profile holds is handed back, so
//! that a child's name in it is caught like a name anywhere else in the photo's metadata.

use moxcms::{ColorProfile, DataColorSpace, Matrix3d, ProfileClass, ProfileText, RenderingIntent};
use moxcms::{ToneReprCurve, Xyzd};
use sha2::{Digest, Sha256};

/// Largest profile accepted. Matrix-and-curves profiles, the only kind kept, are a few KB (three
/// 4096-entry curves are 24 KB); real camera and editor profiles are at most a few hundred KB, and
/// display profiles that carry a lookup table beside their matrix (DisplayCAL's, up to a few hundred
/// KB) can still be rebuilt from the matrix. Profiles of several MB are printer or LUT profiles,
/// dropped anyway. 4 MiB keeps all of those while bounding what an iCCP chunk may inflate to.
pub(crate) const MAX_PROFILE_BYTES: usize = 4 << 20;

/// What a photo's colour profile may become in a posted copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Vetted {
    /// sRGB (recognised by hashing the whole profile against known sRGB profiles, or by its colour
    /// tags matching sRGB within a small tolerance): the copy needs no profile (a PNG gets an `sRGB`
    /// chunk with `intent`, the profile header's rendering intent 0–3).
    Srgb {
        /// The rendering intent from the profile header, 0–3.
        intent: u8,
    },
    /// A plain RGB (or grey) matrix-and-curves display profile, rebuilt from its colour tags alone
    /// (colorants, white point, chromatic adaptation, tone curves) with a neutral description and
    /// no other text: these bytes.
    Rebuilt(Vec<u8>),
    /// Not kept, with why in plain words for a teacher's report.
    Dropped(&'static str),
}

/// A photo's colour profile, vetted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profile {
    /// What the posted copy may carry instead of the profile.
    pub vetted: Vetted,
    /// Every text the profile holds (descriptions, copyright, device maker and model, any other
    /// text tag, and runs of letters in private tags and in bytes outside any tag), capped at
    /// [`MAX_TEXTS`] texts and [`MAX_TEXT_BYTES`] bytes, for checking against the class list.
    pub texts: Vec<String>,
}

/// Most texts returned from one profile: real profiles hold five or fewer, and a profile stuffed
/// with thousands must not flood the class-list check.
pub(crate) const MAX_TEXTS: usize = 64;
/// Most bytes of text returned from one profile, for the same reason.
pub(crate) const MAX_TEXT_BYTES: usize = 32 * 1024;

const TOO_LARGE: &str = "too large";
const DAMAGED: &str = "damaged";
const NOT_PLAIN: &str = "not a plain colour profile";
const ODD_COLOURS: &str = "its colours are not those of a real screen";
const CHANGES_PICTURE: &str = "its tone curves would change the picture too much";
const SHOWS_DARK: &str = "its tone curves would show detail hidden in the darkest pixels";
const SHOWS_MID: &str = "its tone curves would show detail hidden in the mid-tones";
const SHOWS_BRIGHT: &str = "its tone curves would show detail hidden in the brightest pixels";

/// Vets a photo's ICC profile (the bytes reassembled from JPEG APP2 segments, or from
/// [`from_iccp`]). Never panics, whatever the bytes.
pub(crate) fn vet(profile: &[u8]) -> Profile {
    Profile { vetted: vetted(profile).unwrap_or_else(Vetted::Dropped), texts: texts(profile) }
}

/// The profile inside a PNG iCCP chunk's data (name, NUL, method 0, zlib data), inflated to at
/// most [`MAX_PROFILE_BYTES`]; `None` when the chunk is malformed or inflates past that.
pub(crate) fn from_iccp(data: &[u8]) -> Option<Vec<u8>> {
    let nul = data.iter().position(|&b| b == 0)?;
    // PNG allows names of 1–79 bytes; anything else is not an iCCP chunk a decoder would read.
    if !(1..=79).contains(&nul) {
        return None;
    }
    let (&method, zlib) = data.get(nul + 1..)?.split_first()?;
    if method != 0 {
        return None;
    }
    inflate_capped(zlib, MAX_PROFILE_BYTES)
}

/// Inflates a zlib stream into a buffer grown by hand, never past `cap`: miniz_oxide's own
/// `decompress_to_vec_zlib_with_limit` lets `Vec` growth reserve up to twice the limit, and a
/// 1 MB chunk can inflate to 1 GiB.
fn inflate_capped(zlib: &[u8], cap: usize) -> Option<Vec<u8>> {
    use miniz_oxide::inflate::core::inflate_flags::{
        TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    };
    use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;

    let flags = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut inflater = Box::<DecompressorOxide>::default();
    let mut out: Vec<u8> = Vec::new();
    let mut size = zlib.len().saturating_mul(4).max(4096).min(cap);
    let (mut input, mut filled) = (zlib, 0);
    loop {
        out.reserve_exact(size - out.len());
        out.resize(size, 0);
        let (status, read, written) = decompress(&mut inflater, input, &mut out, filled, flags);
        filled += written;
        match status {
            TINFLStatus::Done => {
                out.truncate(filled);
                return Some(out);
            }
            TINFLStatus::HasMoreOutput if size < cap => {
                input = input.get(read..)?;
                size = size.saturating_mul(2).min(cap);
            }
            _ => return None,
        }
    }
}

/// The name written into iCCP chunks: PNG requires one, and the profile's own name is text from
/// the original photo.
const ICCP_NAME: &[u8] = b"ICC profile";

/// A whole PNG iCCP chunk (length, type, data, CRC) for `profile`, named "ICC profile".
pub(crate) fn iccp_chunk(profile: &[u8]) -> Vec<u8> {
    let mut body = b"iCCP".to_vec();
    body.extend_from_slice(ICCP_NAME);
    body.extend_from_slice(&[0, 0]);
    body.extend(miniz_oxide::deflate::compress_to_vec_zlib(profile, 9));
    // Profiles reaching here are at most MAX_PROFILE_BYTES, far below PNG's 2^31 chunk limit.
    let length = u32::try_from(body.len() - 4).unwrap_or(u32::MAX);
    let mut chunk = length.to_be_bytes().to_vec();
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    chunk
}

/// The start of an APP2 payload that carries (part of) an ICC profile.
const ICC_APP2_TAG: &[u8] = b"ICC_PROFILE\0";
/// Most profile bytes in one APP2 segment: 65,535 less the length field, the tag and the two
/// numbering bytes, as the ICC specification (annex B.4) says.
pub(crate) const ICC_PART_MAX: usize = 65_535 - 2 - ICC_APP2_TAG.len() - 2;

/// The JPEG APP2 segments (markers included) that carry `profile`, split into numbered
/// ICC_PROFILE parts of at most [`ICC_PART_MAX`] bytes. Empty when `profile` is empty or needs
/// more than the 255 parts a JPEG can number (16 MB; [`MAX_PROFILE_BYTES`] is far below).
pub(crate) fn app2_segments(profile: &[u8]) -> Vec<u8> {
    let Ok(count) = u8::try_from(profile.len().div_ceil(ICC_PART_MAX)) else {
        return Vec::new();
    };
    let mut segments = Vec::with_capacity(profile.len() + usize::from(count) * 18);
    for (number, part) in (1..=count).zip(profile.chunks(ICC_PART_MAX)) {
        let length = 2 + ICC_APP2_TAG.len() + 2 + part.len();
        // At most 65,535 by ICC_PART_MAX.
        segments.extend_from_slice(&[0xFF, 0xE2]);
        segments.extend_from_slice(&u16::try_from(length).unwrap_or(u16::MAX).to_be_bytes());
        segments.extend_from_slice(ICC_APP2_TAG);
        segments.extend_from_slice(&[number, count]);
        segments.extend_from_slice(part);
    }
    segments
}

// ---------------------------------------------------------------------------------------------
// Reading the profile. Everything is read through `get`, so a hostile offset or length gives
// `None`, never a panic; and nothing is allocated from a size the file claims, only from bytes
// that are really there.

/// Length of the profile header.
const HEADER_LEN: usize = 128;
/// Length of one tag-table entry: signature, offset, size.
const TAG_ENTRY_LEN: usize = 12;
/// Most tags accepted. Real profiles have about 10–40; a table of thousands is a way to make
/// every look-up slow.
const MAX_TAGS: usize = 200;

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(*bytes.get(at..)?.first_chunk()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(*bytes.get(at..)?.first_chunk()?))
}

fn index(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(be32(bytes, at)?).ok()
}

fn signature(bytes: &[u8], at: usize) -> Option<[u8; 4]> {
    bytes.get(at..)?.first_chunk().copied()
}

/// An s15Fixed16Number, the ICC's number format for colour values.
fn s15(bytes: &[u8], at: usize) -> Option<f64> {
    Some(f64::from(i32::from_be_bytes(*bytes.get(at..)?.first_chunk()?)) / 65536.0)
}

/// `bytes[start..start + len]`, if all of it is there.
fn span(bytes: &[u8], start: usize, len: usize) -> Option<&[u8]> {
    bytes.get(start..start.checked_add(len)?)
}

/// One entry of the tag table: its signature and where its data lies in the profile.
#[derive(Clone, Copy)]
struct Entry {
    sig: [u8; 4],
    start: usize,
    len: usize,
}

/// The tag table of `profile`, and where it ends; `None` when it is cut short or too long.
fn tag_table(profile: &[u8]) -> Option<(Vec<Entry>, usize)> {
    let count = index(profile, HEADER_LEN)?;
    if count > MAX_TAGS {
        return None;
    }
    let end = HEADER_LEN + 4 + count * TAG_ENTRY_LEN;
    let table = profile.get(HEADER_LEN + 4..end)?;
    let entries = table
        .chunks_exact(TAG_ENTRY_LEN)
        .map(|e| Some(Entry { sig: signature(e, 0)?, start: index(e, 4)?, len: index(e, 8)? }))
        .collect::<Option<_>>()?;
    Some((entries, end))
}

/// A parsed profile: the header fields that matter and the tags, each with its data.
struct Parsed<'a> {
    class: [u8; 4],
    space: [u8; 4],
    pcs: [u8; 4],
    intent: u8,
    tags: Vec<([u8; 4], &'a [u8])>,
}

impl<'a> Parsed<'a> {
    /// Reads the header and tag table strictly: anything out of place makes the profile damaged,
    /// since CMMs disagree on how to read a broken profile, and what they would show is unknown.
    fn new(profile: &'a [u8]) -> Result<Self, &'static str> {
        let declared = index(profile, 0).ok_or(DAMAGED)?;
        // Bytes past the declared size are ignored by viewers (and never copied).
        let body = profile.get(..declared).ok_or(DAMAGED)?;
        if body.get(36..40) != Some(b"acsp") {
            return Err(DAMAGED);
        }
        // Versions 2 and 4 (and the rare 3) share the tags read here; 5 is iccMAX, a different format.
        if !matches!(body.get(8), Some(2..=4)) {
            return Err(NOT_PLAIN);
        }
        let intent = be32(body, 64).and_then(|i| u8::try_from(i).ok()).filter(|i| *i <= 3).ok_or(DAMAGED)?;
        let (entries, table_end) = tag_table(body).ok_or(DAMAGED)?;
        let mut tags: Vec<([u8; 4], &[u8])> = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.start < table_end || tags.iter().any(|(sig, _)| *sig == entry.sig) {
                return Err(DAMAGED);
            }
            tags.push((entry.sig, span(body, entry.start, entry.len).ok_or(DAMAGED)?));
        }
        let field = |at| signature(body, at).ok_or(DAMAGED);
        Ok(Self { class: field(12)?, space: field(16)?, pcs: field(20)?, intent, tags })
    }

    fn tag(&self, sig: &[u8; 4]) -> Option<&'a [u8]> {
        self.tags.iter().find(|(s, _)| s == sig).map(|(_, data)| *data)
    }
}

/// The colour tags of an RGB or grey matrix-and-curves profile: all that a rebuilt profile holds.
struct Colour {
    /// Red, green and blue colorants (XYZ, D50); `None` for grey.
    colorants: Option<[[f64; 3]; 3]>,
    /// Red, green and blue tone curves, or the grey one.
    curves: Vec<Curve>,
    white: Option<[f64; 3]>,
    adaptation: Option<[[f64; 3]; 3]>,
}

/// Tags that give a profile a way to colour other than matrix and curves.
const LUT_TAGS: [&[u8; 4]; 6] = [b"A2B0", b"A2B1", b"A2B2", b"D2B0", b"D2B1", b"D2B2"];

impl Colour {
    /// The colour tags of `parsed`, which must describe a plain display, input or colour-space
    /// profile of RGB or grey. A lookup-table profile without a matrix is not plain: whether its
    /// table could reveal hidden detail would need the whole table checked, and no phone or
    /// camera writes one for a photo. With both, the matrix is used, as simple CMMs do.
    fn new(parsed: &Parsed) -> Result<Self, &'static str> {
        let plain_class = matches!(&parsed.class, b"mntr" | b"scnr" | b"spac");
        if !plain_class || &parsed.pcs != b"XYZ " {
            return Err(NOT_PLAIN);
        }
        let (colorant_tags, curve_tags): (&[&[u8; 4]], &[&[u8; 4]]) = match &parsed.space {
            b"RGB " => (&[b"rXYZ", b"gXYZ", b"bXYZ"], &[b"rTRC", b"gTRC", b"bTRC"]),
            b"GRAY" => (&[], &[b"kTRC"]),
            _ => return Err(NOT_PLAIN),
        };
        let present = |sigs: &[&[u8; 4]]| sigs.iter().all(|sig| parsed.tag(sig).is_some());
        if !present(colorant_tags) || !present(curve_tags) {
            return Err(if LUT_TAGS.iter().any(|sig| parsed.tag(sig).is_some()) {
                NOT_PLAIN
            } else {
                DAMAGED
            });
        }
        let read = |sig| parsed.tag(sig).ok_or(DAMAGED);
        let colorants = match colorant_tags {
            [r, g, b] => Some([xyz(read(r)?)?, xyz(read(g)?)?, xyz(read(b)?)?]),
            _ => None,
        };
        let curves = curve_tags.iter().map(|sig| Curve::read(read(sig)?)).collect::<Result<_, _>>()?;
        let white = parsed.tag(b"wtpt").map(xyz).transpose()?;
        let adaptation = parsed.tag(b"chad").map(sf32_matrix).transpose()?;
        Ok(Self { colorants, curves, white, adaptation })
    }
}

/// An XYZType tag's one value.
fn xyz(data: &[u8]) -> Result<[f64; 3], &'static str> {
    if data.get(..4) != Some(b"XYZ ") {
        return Err(DAMAGED);
    }
    Ok([s15(data, 8).ok_or(DAMAGED)?, s15(data, 12).ok_or(DAMAGED)?, s15(data, 16).ok_or(DAMAGED)?])
}

/// A chromatic-adaptation tag: an s15Fixed16ArrayType of exactly nine numbers.
fn sf32_matrix(data: &[u8]) -> Result<[[f64; 3]; 3], &'static str> {
    if data.get(..4) != Some(b"sf32") || data.len() != 8 + 9 * 4 {
        return Err(DAMAGED);
    }
    let n = |i: usize| s15(data, 8 + 4 * i).ok_or(DAMAGED);
    Ok([[n(0)?, n(1)?, n(2)?], [n(3)?, n(4)?, n(5)?], [n(6)?, n(7)?, n(8)?]])
}

/// Most entries kept in a sampled tone curve. Real ones have 1024–4096; longer ones are resampled
/// to this many, still finer than a 12-bit image needs, so that a rebuilt curve stays small.
const MAX_CURVE_POINTS: usize = 4096;

/// A tone curve, as written: sampled ('curv': none is the identity, one is a gamma in u8Fixed8,
/// more are samples in 0–65535) or parametric ('para': 1, 3, 4, 5 or 7 parameters).
#[derive(Debug, Clone, PartialEq)]
enum Curve {
    Sampled(Vec<u16>),
    Parametric(Vec<f32>),
}

impl Curve {
    fn read(data: &[u8]) -> Result<Self, &'static str> {
        match data.get(..4) {
            Some(b"curv") => {
                let count = index(data, 8).ok_or(DAMAGED)?;
                let samples = span(data, 12, count.checked_mul(2).ok_or(DAMAGED)?).ok_or(DAMAGED)?;
                let curve = Self::Sampled(
                    samples.chunks_exact(2).map(|s| u16::from_be_bytes([s[0], s[1]])).collect(),
                );
                Ok(if count > MAX_CURVE_POINTS { curve.resampled() } else { curve })
            }
            Some(b"para") => {
                let count = match be16(data, 8) {
                    Some(0) => 1,
                    Some(1) => 3,
                    Some(2) => 4,
                    Some(3) => 5,
                    Some(4) => 7,
                    _ => return Err(DAMAGED),
                };
                // f32 is what moxcms writes from; checking the f32 values checks what is written.
                let params =
                    (0..count).map(|i| s15(data, 12 + 4 * i).map(|p| p as f32)).collect::<Option<_>>();
                Ok(Self::Parametric(params.ok_or(DAMAGED)?))
            }
            _ => Err(DAMAGED),
        }
    }

    fn resampled(&self) -> Self {
        let last = (MAX_CURVE_POINTS - 1) as f64;
        Self::Sampled(
            (0..MAX_CURVE_POINTS).map(|i| (self.eval(i as f64 / last) * 65535.0).round() as u16).collect(),
        )
    }

    /// The curve's value at `x` in 0–1, clamped to 0–1 as CMMs do, following the ICC's
    /// definitions (linear interpolation between samples; the five parametric functions).
    fn eval(&self, x: f64) -> f64 {
        let y = match self {
            Self::Sampled(samples) => match samples.as_slice() {
                [] => x,
                [gamma] => x.powf(f64::from(*gamma) / 256.0),
                samples => {
                    let last = samples.len() - 1;
                    let at = x.clamp(0.0, 1.0) * last as f64;
                    let i = (at as usize).min(last - 1);
                    let w = at - i as f64;
                    (f64::from(samples[i]) * (1.0 - w) + f64::from(samples[i + 1]) * w) / 65535.0
                }
            },
            Self::Parametric(params) => {
                let [g, a, b, c, d, e, f] = segments(params);
                let power = |base: f64| if base > 0.0 { base.powf(g) } else { 0.0 };
                if x >= d {
                    power(a * x + b) + e
                } else {
                    c * x + f
                }
            }
        };
        if y.is_nan() {
            0.0
        } else {
            y.clamp(0.0, 1.0)
        }
    }

    /// Where the curve may jump or bend sharply: between samples, and at a parametric curve's
    /// switch from its linear part to its power part (and just before it).
    fn breakpoints(&self) -> Vec<f64> {
        match self {
            Self::Sampled(samples) if samples.len() > 1 => {
                let last = (samples.len() - 1) as f64;
                (0..samples.len()).map(|i| i as f64 / last).collect()
            }
            Self::Sampled(_) => Vec::new(),
            Self::Parametric(params) => {
                let d = segments(params)[4];
                if d > 0.0 && d < 1.0 {
                    vec![d - 1e-9, d]
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn to_moxcms(&self) -> ToneReprCurve {
        match self {
            Self::Sampled(samples) => ToneReprCurve::Lut(samples.clone()),
            Self::Parametric(params) => ToneReprCurve::Parametric(params.clone()),
        }
    }
}

/// A parametric curve's parameters as the general form `[g, a, b, c, d, e, f]`: y = (a·x + b)^g + e
/// for x ≥ d, else c·x + f. A zero `a` gives an infinite or NaN `d`, which `eval` handles.
fn segments(params: &[f32]) -> [f64; 7] {
    let p = |i: usize| params.get(i).map_or(0.0, |v| f64::from(*v));
    let (g, a, b) = (p(0), p(1), p(2));
    match params.len() {
        3 => [g, a, b, 0.0, -b / a, 0.0, 0.0],
        4 => [g, a, b, 0.0, -b / a, p(3), p(3)],
        5 => [g, a, b, p(3), p(4), 0.0, 0.0],
        7 => [g, a, b, p(3), p(4), p(5), p(6)],
        _ => [g, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    }
}

// ---------------------------------------------------------------------------------------------
// The checks. The face detector sees raw pixel values, which an unmanaged viewer shows as sRGB;
// a colour-managed viewer shows the value the profile's curve gives, encoded for an sRGB screen.
// A curve can only reveal what the detector missed by making some range of raw values steeper on
// screen than it was, so the steepness of that mapping is what is bounded.

/// The PCS white, D50, to which a matrix profile's colorants add up.
const D50: [f64; 3] = [0.9642, 1.0, 0.8249];
/// How far the colorants' sum may stray from D50, per X, Y and Z. The 89 RGB matrix profiles
/// tried here are within 0.02% (rounding); D65 colorants never adapted to D50 are off by 32% in Z.
const WHITE_TOLERANCE: f64 = 0.02;
/// Most negative colorant component allowed. Real primaries are real colours, but adapting them
/// to D50 (Bradford) pushes the Z of deep reds just below zero: Display P3's red is -0.0011,
/// Rec. 2020's -0.0019. Larger negatives would let the matrix amplify differences between channels.
const MIN_COMPONENT: f64 = -0.01;
/// Least X + Y + Z of one colorant: a channel that adds (almost) no colour is no real screen's;
/// real ones add 0.6 or more (sRGB's red 0.67).
const MIN_COLORANT: f64 = 0.05;
/// Largest entry of a chromatic-adaptation matrix: Bradford from illuminant A, the farthest
/// white in use, needs 2.4.
const MAX_ADAPTATION: f64 = 4.0;

/// Points, spaced evenly over 0–1, at which every curve is checked (besides its breakpoints): 16
/// per 8-bit step, so a jump between two 8-bit values cannot hide between points.
const GRID: usize = 4096;
/// How much steeper than the raw values a curve may make any range of values on screen. sRGB's
/// curve is 1; gamma 2.2 (Adobe RGB) 1.2, L* (eciRGB v2) 1.46, gamma 1.8 (ProPhoto, ROMM) 1.76,
/// HLG 2.86, and Rec. 709's (Rec. 2020 profiles use it) 2.87, the steepest in common use, near
/// black. Beyond: SMPTE 240M 3.23, PQ 4.2 (at the bright end), and linear 12.9 (raw value 3 shown
/// as 28): with 3, a picture hidden in values 0–3 shows in 0–9 at most, still black to the eye.
const MAX_GAIN: f64 = 3.0;
/// Rounding allowed in the steepness and order checks: half an 8-bit step on screen.
const SLACK: f64 = 0.5 / 255.0;
/// Darkest gamma a curve may be anywhere (compared as shown on screen, to within SLACK), with
/// [`LIGHTEST_GAMMA`] a bound on how different from the raw values the picture may look at all.
/// Every real curve kept lies within (DCI's gamma 2.6 is the darkest, ProPhoto's 1.8 the
/// lightest); HLG and PQ fall below by 45–83 steps, Artifex's e-sRGB below by 59 and above by 12,
/// Cineon log curves above by 9–34.
const DARKEST_GAMMA: f64 = 3.2;
/// Lightest gamma a curve may be anywhere; see [`DARKEST_GAMMA`].
const LIGHTEST_GAMMA: f64 = 0.8;
/// Highest black, and lowest white, a curve may show (on screen, 0–1): two 8-bit steps off.
const END_TOLERANCE: f64 = 2.0 / 255.0;

/// The sRGB encoding of linear `y`: what an sRGB screen's value is for that light.
fn srgb_encode(y: f64) -> f64 {
    if y <= 0.003_130_8 {
        12.92 * y
    } else {
        1.055 * y.powf(1.0 / 2.4) - 0.055
    }
}

fn check_colorants(colorants: &[[f64; 3]; 3]) -> Result<(), &'static str> {
    let real = colorants
        .iter()
        .all(|c| c.iter().all(|v| *v >= MIN_COMPONENT) && c.iter().sum::<f64>() >= MIN_COLORANT);
    let white = (0..3).all(|k| {
        let sum: f64 = colorants.iter().map(|c| c[k]).sum();
        (sum - D50[k]).abs() <= WHITE_TOLERANCE * D50[k]
    });
    if real && white {
        Ok(())
    } else {
        Err(ODD_COLOURS)
    }
}

fn check_white(white: &[f64; 3]) -> Result<(), &'static str> {
    if white.iter().all(|v| *v > 0.0 && *v <= 2.0) && white[1] >= 0.5 {
        Ok(())
    } else {
        Err(ODD_COLOURS)
    }
}

fn check_adaptation(matrix: &[[f64; 3]; 3]) -> Result<(), &'static str> {
    if matrix.iter().flatten().all(|v| v.abs() <= MAX_ADAPTATION) {
        Ok(())
    } else {
        Err(ODD_COLOURS)
    }
}

/// Every point a curve is checked at, in order.
fn check_points(curve: &Curve) -> Vec<f64> {
    let mut points: Vec<f64> = (0..=GRID).map(|i| i as f64 / GRID as f64).collect();
    points.extend(curve.breakpoints());
    points.sort_by(f64::total_cmp);
    points.dedup();
    points
}

/// Checks that a curve, as shown on an sRGB screen, keeps black black and white white, never
/// turns darker values lighter than brighter ones, stays between gammas [`DARKEST_GAMMA`] and
/// [`LIGHTEST_GAMMA`], and never makes any range of raw values more than [`MAX_GAIN`] times
/// steeper: for all x < y, shown(y) − shown(x) ≤ MAX_GAIN·(y − x) + SLACK. The last bounds how much
/// a picture hidden in a narrow range of values (the darkest, say) can gain in contrast, wherever
/// the range is and however the curve is shaped; the gamma band alone would not (a linear curve
/// lies within it, and a staircase inside it can make eight grey levels fill half the range).
fn check_curve(curve: &Curve) -> Result<(), &'static str> {
    let shown = |x: f64| srgb_encode(curve.eval(x));
    if shown(0.0) > END_TOLERANCE || shown(1.0) < 1.0 - END_TOLERANCE {
        return Err(CHANGES_PICTURE);
    }
    let mut highest = f64::NEG_INFINITY;
    // The least of shown(x) − MAX_GAIN·x so far, and where: the bound holds for every pair
    // exactly when no later point rises more than SLACK above it.
    let (mut least, mut least_at) = (f64::INFINITY, 0.0);
    for x in check_points(curve) {
        let y = shown(x);
        if y < highest - SLACK {
            return Err(CHANGES_PICTURE);
        }
        highest = highest.max(y);
        let excess = y - MAX_GAIN * x;
        if excess - least > SLACK {
            let middle = (least_at + x) / 2.0;
            return Err(if middle < 1.0 / 3.0 {
                SHOWS_DARK
            } else if middle > 2.0 / 3.0 {
                SHOWS_BRIGHT
            } else {
                SHOWS_MID
            });
        }
        if excess < least {
            (least, least_at) = (excess, x);
        }
        if y < srgb_encode(x.powf(DARKEST_GAMMA)) - SLACK || y > srgb_encode(x.powf(LIGHTEST_GAMMA)) + SLACK {
            return Err(CHANGES_PICTURE);
        }
    }
    Ok(())
}

/// Whether a PNG `gAMA` of `value` (the file's encoding gamma × 100,000) shows the pixels as the
/// analysis saw them: viewers decode with its inverse exponent, which must pass the checks a
/// profile's tone curve does ([`check_curve`]); a linear one (100,000) would show a picture
/// hidden in the darkest values.
pub(crate) fn plausible_png_gamma(value: u32) -> bool {
    value > 0 && check_curve(&Curve::Parametric(vec![(100_000.0 / f64::from(value)) as f32])).is_ok()
}

/// The sRGB colorants adapted to D50, as the common "sRGB IEC61966-2.1" profile stores them
/// (red, green, blue; X, Y, Z).
const SRGB_COLORANTS: [[f64; 3]; 3] = [
    [0x6FA2 as f64 / 65536.0, 0x38F5 as f64 / 65536.0, 0x0390 as f64 / 65536.0],
    [0x6299 as f64 / 65536.0, 0xB785 as f64 / 65536.0, 0x18DA as f64 / 65536.0],
    [0x24A0 as f64 / 65536.0, 0x0F84 as f64 / 65536.0, 0xB6CF as f64 / 65536.0],
];
/// How far a colorant component may be from sRGB's and still count as sRGB. The sRGB profiles of
/// seven makers differ from these by at most 0.0003 (rounding); the nearest other primaries, PAL's
/// and SMPTE-C's, by 0.019. (Rec. 709 has sRGB's primaries, but not its curve.)
const SRGB_COLORANT_TOLERANCE: f64 = 0.003;
/// How far, on screen, a curve may be from sRGB's and still count as sRGB: one 8-bit step. The
/// sampled curves of sRGB profiles are within 0.03 steps; gamma 2.2 differs by 8.5, Rec. 709 by 16.
const SRGB_CURVE_TOLERANCE: f64 = 1.0 / 255.0;

fn is_srgb(colour: &Colour) -> bool {
    let colorants = colour.colorants.is_none_or(|colorants| {
        colorants
            .iter()
            .flatten()
            .zip(SRGB_COLORANTS.iter().flatten())
            .all(|(a, b)| (a - b).abs() <= SRGB_COLORANT_TOLERANCE)
    });
    let curves = colour.curves.iter().all(|curve| {
        check_points(curve)
            .into_iter()
            .all(|x| (srgb_encode(curve.eval(x)) - x).abs() <= SRGB_CURVE_TOLERANCE)
    });
    colorants && curves
}

/// SHA-256 of whole sRGB profiles in common use, recognised without reading their tags. Each one
/// is also recognised by its colour tags; the list is the quick path, and the place for sRGB
/// profiles whose tags alone would not pass (the ICC's v4 sRGB colours through lookup tables).
/// Each comment says where the file was found; no profile is copied here.
const KNOWN_SRGB: [[u8; 32]; 7] = [
    // "sRGB IEC61966-2.1", 3,144 bytes, Hewlett-Packard 1998: the one cameras and Windows embed.
    // Debian bookworm libmagickcore-6.q16-6, coders/magick.so (in its logo, a GIF ICC extension).
    hex("2b3aa1645779a9e634744faf9b01e9102b0c9b88fd6deced7934df86b949af7e"),
    // "sRGB2014", 3,024 bytes, the ICC's v2 sRGB. PyPI fpdf2 2.8.9 (fpdf/data/color_profiles/
    // sRGB2014.icc) and weasyprint 70.0 (weasyprint/pdf/sRGB2014.icc).
    hex("384b832de3412066743b52a75ee906b6fb9fb8d9e09e936fc2c43223815c6e0a"),
    // "sRGB", 6,922 bytes, written by Little CMS. Debian icc-profiles-free (/usr/share/color/icc/
    // sRGB.icc) and PyPI ocrmypdf 17.13.0 (ocrmypdf/data/sRGB.icc).
    hex("2a92d4bae450b76d8b0aa42193df974d75f62738ecebf74f01c5e75b12a95796"),
    // "sRGB", 20,420 bytes, v4. Debian colord-data, /usr/share/color/icc/colord/sRGB.icc.
    hex("c87e049275a6729f0fb5afd533d35e4baf7e73bac68d780cfb7690bfa37ea451"),
    // "Artifex Software sRGB ICC Profile", 2,576 bytes. Debian libgs-common,
    // /usr/share/color/icc/ghostscript/srgb.icc (and default_rgb.icc, the same bytes).
    hex("eddaf344b5edea13269e0d20055f335610e5e0b6e33e6e536f2701bc18c5f7d5"),
    // "sRGB IEC61966-2.1 (Equivalent to www.srgb.com 1998 HP profile)", 3,268 bytes, ArgyllCMS.
    // Debian argyll-ref, /usr/share/color/argyll/ref/sRGB.icm.
    hex("12a3bb4cbc91c48d1267aaa3342fa35e16aa862969dc93ec034b9b6e3c338ba5"),
    // "sRGB-elle-V2-srgbtrc.icc", 9,080 bytes, Elle Stone's, as Krita ships it. Debian krita-data,
    // /usr/share/color/icc/krita/sRGB-elle-V2-srgbtrc.icc.
    hex("5991c8d8fcb628dad5d052d9341df8a32bd3c7a794c913a8ede8eae4b34b4545"),
];

/// A SHA-256 written in hex, decoded at compile time.
const fn hex(text: &str) -> [u8; 32] {
    let text = text.as_bytes();
    assert!(text.len() == 64, "a SHA-256 is 64 hex digits");
    let mut hash = [0; 32];
    let mut i = 0;
    while i < 64 {
        let digit = match text[i] {
            b'0'..=b'9' => text[i] - b'0',
            b'a'..=b'f' => text[i] - b'a' + 10,
            _ => panic!("lower-case hex digits only"),
        };
        hash[i / 2] = hash[i / 2] << 4 | digit;
        i += 1;
    }
    hash
}

fn vetted(profile: &[u8]) -> Result<Vetted, &'static str> {
    if profile.len() > MAX_PROFILE_BYTES {
        return Err(TOO_LARGE);
    }
    let parsed = Parsed::new(profile)?;
    let hash: [u8; 32] = Sha256::digest(profile).into();
    if KNOWN_SRGB.contains(&hash) {
        return Ok(Vetted::Srgb { intent: parsed.intent });
    }
    let colour = Colour::new(&parsed)?;
    if let Some(colorants) = &colour.colorants {
        check_colorants(colorants)?;
    }
    colour.white.as_ref().map_or(Ok(()), check_white)?;
    colour.adaptation.as_ref().map_or(Ok(()), check_adaptation)?;
    colour.curves.iter().try_for_each(check_curve)?;
    if is_srgb(&colour) {
        return Ok(Vetted::Srgb { intent: parsed.intent });
    }
    rebuild(&parsed, &colour).map(Vetted::Rebuilt)
}

// ---------------------------------------------------------------------------------------------
// Rebuilding. moxcms writes the profile (ICC v4.4: curv and para both keep their meaning there),
// from a ColorProfile that holds only numbers taken from the colour tags, so no byte of the
// original's text, private tags or padding can reach it. Its `cicp` tag is not carried: viewers
// that understand it use its transfer function instead of the checked curves.

/// The creation date written into every rebuilt profile (2000-01-01 00:00:00): moxcms writes the
/// time of writing, which would make two runs over one photo differ and date the processing.
const REBUILT_DATE: [u8; 12] = [0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0];

fn rebuild(parsed: &Parsed, colour: &Colour) -> Result<Vec<u8>, &'static str> {
    let xyzd = |[x, y, z]: [f64; 3]| Xyzd { x, y, z };
    // Field by field: ColorProfile has a private field, so no struct literal.
    let mut profile = ColorProfile::default();
    profile.profile_class = match &parsed.class {
        b"scnr" => ProfileClass::InputDevice,
        b"spac" => ProfileClass::ColorSpace,
        _ => ProfileClass::DisplayDevice,
    };
    profile.pcs = DataColorSpace::Xyz;
    profile.rendering_intent = match parsed.intent {
        1 => RenderingIntent::RelativeColorimetric,
        2 => RenderingIntent::Saturation,
        3 => RenderingIntent::AbsoluteColorimetric,
        _ => RenderingIntent::Perceptual,
    };
    profile.white_point = xyzd(D50);
    profile.media_white_point = Some(xyzd(colour.white.unwrap_or(D50)));
    profile.chromatic_adaptation = colour.adaptation.map(|v| Matrix3d { v });
    match (&colour.colorants, colour.curves.as_slice()) {
        (Some([r, g, b]), [r_curve, g_curve, b_curve]) => {
            profile.color_space = DataColorSpace::Rgb;
            (profile.red_colorant, profile.green_colorant, profile.blue_colorant) =
                (xyzd(*r), xyzd(*g), xyzd(*b));
            profile.red_trc = Some(r_curve.to_moxcms());
            profile.green_trc = Some(g_curve.to_moxcms());
            profile.blue_trc = Some(b_curve.to_moxcms());
            profile.description = Some(ProfileText::PlainString("RGB colour profile".into()));
        }
        (None, [grey]) => {
            profile.color_space = DataColorSpace::Gray;
            profile.gray_trc = Some(grey.to_moxcms());
            profile.description = Some(ProfileText::PlainString("Grey colour profile".into()));
        }
        _ => return Err(DAMAGED),
    }
    // The profile ID (an MD5, optional) stays zero, as moxcms writes it.
    let mut bytes = profile.encode().map_err(|_| DAMAGED)?;
    bytes.get_mut(24..36).ok_or(DAMAGED)?.copy_from_slice(&REBUILT_DATE);
    // Only a profile a CMM reads back goes out.
    ColorProfile::new_from_slice(&bytes).map_err(|_| DAMAGED)?;
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------------
// Texts. Typed text tags are decoded; everything that is neither one nor a standard colour tag
// (private tags of any type, bytes between or after tags, the header's reserved bytes) is searched
// for runs of letters, since that is where a name would be put to hide it.

/// Shortest run of letters taken from untyped bytes: shorter runs turn up by chance in any binary
/// data and would bury the real texts.
const MIN_RUN: usize = 4;

/// Standard tags of numeric types: their bytes are colour data, and searching them for letters
/// would only find noise ('vcgt' and 'arts' are Apple's and ArgyllCMS's, in most display profiles).
const NUMERIC_TAGS: [&[u8; 4]; 33] = [
    b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC", b"kTRC", b"wtpt", b"bkpt", b"lumi", b"chad",
    b"chrm", b"meas", b"view", b"tech", b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"D2B0",
    b"D2B1", b"D2B2", b"B2D0", b"B2D1", b"B2D2", b"gamt", b"pre0", b"cicp", b"calt", b"vcgt", b"arts",
];

/// Texts found so far, within the caps.
#[derive(Default)]
struct Texts {
    found: Vec<String>,
    bytes: usize,
}

impl Texts {
    fn full(&self) -> bool {
        self.found.len() >= MAX_TEXTS || self.bytes >= MAX_TEXT_BYTES
    }

    /// Adds a decoded text, split at control characters: a C string may hide more text after its
    /// NUL, where a viewer shows nothing.
    fn add(&mut self, text: &str) {
        for piece in text.split(char::is_control) {
            self.push(piece, 1);
        }
    }

    fn push(&mut self, text: &str, min_chars: usize) {
        // Also the byte-order mark some mluc strings start with.
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if self.full() || text.chars().count() < min_chars || self.found.iter().any(|t| t == text) {
            return;
        }
        let room = MAX_TEXT_BYTES - self.bytes;
        let end = (0..=room.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        self.bytes += end;
        self.found.push(text[..end].to_owned());
    }

    /// Adds the runs of letters in untyped bytes: UTF-8 (so ASCII and accented names), and
    /// UTF-16BE of Latin-1 letters (how mluc and desc store Unicode).
    fn scan(&mut self, bytes: &[u8]) {
        let mut run = String::new();
        for chunk in bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() {
                    self.end_run(&mut run);
                } else if run.len() < MAX_TEXT_BYTES {
                    run.push(c);
                }
            }
            if !chunk.invalid().is_empty() {
                self.end_run(&mut run);
            }
            if self.full() {
                return;
            }
        }
        self.end_run(&mut run);
        for start in 0..2 {
            for pair in bytes.get(start..).unwrap_or_default().chunks_exact(2) {
                match pair {
                    [0, c @ (0x20..=0x7E | 0xA0..=0xFF)] if run.len() < MAX_TEXT_BYTES => {
                        run.push(char::from(*c))
                    }
                    _ => self.end_run(&mut run),
                }
            }
            self.end_run(&mut run);
        }
    }

    fn end_run(&mut self, run: &mut String) {
        self.push(run, MIN_RUN);
        run.clear();
    }
}

/// UTF-16BE text, at most MAX_TEXT_BYTES of it (more could not be kept anyway).
fn utf16be(bytes: &[u8]) -> String {
    let bytes = bytes.get(..MAX_TEXT_BYTES).unwrap_or(bytes);
    char::decode_utf16(bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Bytes of text in an unknown 8-bit encoding: UTF-8 where valid, else Latin-1.
fn bytes_text(bytes: &[u8]) -> String {
    let bytes = bytes.get(..MAX_TEXT_BYTES).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_or_else(|_| bytes.iter().map(|&b| char::from(b)).collect(), str::to_owned)
}

/// A v2 textDescriptionType: an ASCII part, a Unicode part and a Macintosh ScriptCode part, each
/// with its own length. Whatever lengths do not fit is searched like untyped bytes.
fn description(data: &[u8], texts: &mut Texts) -> Option<()> {
    let ascii_len = index(data, 8)?;
    texts.add(&bytes_text(span(data, 12, ascii_len)?));
    let unicode = 12 + ascii_len;
    let unicode_len = index(data, unicode + 4)?.checked_mul(2)?;
    texts.add(&utf16be(span(data, unicode + 8, unicode_len)?));
    let script = unicode + 8 + unicode_len;
    let script_len = usize::from(*data.get(script + 2)?).min(67);
    texts.add(&bytes_text(span(data, script + 3, script_len)?));
    Some(())
}

/// A multiLocalizedUnicodeType: every record's UTF-16BE string.
fn mluc(data: &[u8], texts: &mut Texts) -> Option<()> {
    let count = index(data, 8)?;
    let record_len = index(data, 12)?;
    if record_len < 12 {
        return None;
    }
    for i in 0..count.min(MAX_TEXTS) {
        let record = 16 + i.checked_mul(record_len)?;
        texts.add(&utf16be(span(data, index(data, record + 8)?, index(data, record + 4)?)?));
    }
    Some(())
}

/// A dictType: each record's name and value (UTF-16BE), and display name and value (mluc).
fn dict(data: &[u8], texts: &mut Texts) -> Option<()> {
    let count = index(data, 8)?;
    let record_len = index(data, 12)?;
    if !matches!(record_len, 16 | 24 | 32) {
        return None;
    }
    for i in 0..count.min(MAX_TEXTS) {
        let record = 16 + i.checked_mul(record_len)?;
        for field in (0..record_len).step_by(8) {
            let part = span(data, index(data, record + field)?, index(data, record + field + 4)?)?;
            if field < 16 {
                texts.add(&utf16be(part));
            } else {
                mluc(part, texts);
            }
        }
    }
    Some(())
}

fn texts(profile: &[u8]) -> Vec<String> {
    let mut texts = Texts::default();
    let (entries, table_end) = tag_table(profile).unwrap_or((Vec::new(), HEADER_LEN.min(profile.len())));
    let mut read: Vec<(usize, usize)> = Vec::new();
    for entry in entries {
        let Some(data) = span(profile, entry.start, entry.len) else { continue };
        // Tags that share their data (a profile's three TRCs, say) are read once.
        let range = (entry.start, entry.start + entry.len);
        if read.contains(&range) {
            continue;
        }
        read.push(range);
        let typed = match data.get(..4) {
            Some(b"desc") => description(data, &mut texts),
            Some(b"mluc") => mluc(data, &mut texts),
            Some(b"dict") => dict(data, &mut texts),
            Some(b"text" | b"utf8") => {
                texts.add(&bytes_text(data.get(8..).unwrap_or_default()));
                Some(())
            }
            _ if NUMERIC_TAGS.contains(&&entry.sig) => Some(()),
            _ => None,
        };
        if typed.is_none() {
            texts.scan(data);
        }
    }
    texts.scan(profile.get(100..HEADER_LEN).unwrap_or_default());
    read.sort_unstable();
    let mut at = table_end;
    for (start, end) in read {
        texts.scan(profile.get(at..start).unwrap_or_default());
        at = at.max(end);
    }
    texts.scan(profile.get(at..).unwrap_or_default());
    texts.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    /// Records the largest single allocation each thread makes, so a test can show what a call
    /// allocated. Wraps the system allocator, which the library's tests use anyway.
    struct Largest;

    thread_local! {
        static LARGEST: Cell<usize> = const { Cell::new(0) };
    }

    fn note(size: usize) {
        // `try_with`: a thread being torn down may still allocate.
        let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(size)));
    }

    // SAFETY: every call is passed straight to the system allocator; only a size is noted.
    unsafe impl GlobalAlloc for Largest {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            // SAFETY: the caller upholds `alloc`'s contract, which is System's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            note(layout.size());
            // SAFETY: as for `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note(new_size);
            // SAFETY: as for `alloc`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as for `alloc`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Largest = Largest;

    fn encoded(profile: &ColorProfile) -> Vec<u8> {
        profile.encode().expect("moxcms writes its built-in profiles")
    }

    fn rebuilt(profile: &[u8]) -> Vec<u8> {
        match vet(profile).vetted {
            Vetted::Rebuilt(bytes) => bytes,
            other => panic!("expected a rebuilt profile, got {other:?}"),
        }
    }

    /// `base` with tags replaced, added (`Some`) or removed (`None`), laid out anew.
    fn with_tags(base: &[u8], changes: &[(&[u8; 4], Option<Vec<u8>>)]) -> Vec<u8> {
        let (entries, _) = tag_table(base).expect("a valid base profile");
        let mut tags: Vec<([u8; 4], Vec<u8>)> = entries
            .iter()
            .map(|e| (e.sig, span(base, e.start, e.len).expect("in bounds").to_vec()))
            .collect();
        for (sig, data) in changes {
            tags.retain(|(s, _)| s != *sig);
            if let Some(data) = data {
                tags.push((**sig, data.clone()));
            }
        }
        let mut table = (tags.len() as u32).to_be_bytes().to_vec();
        let mut data = Vec::new();
        let data_start = HEADER_LEN + 4 + tags.len() * TAG_ENTRY_LEN;
        for (sig, bytes) in &tags {
            table.extend_from_slice(sig);
            table.extend_from_slice(&((data_start + data.len()) as u32).to_be_bytes());
            table.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            data.extend_from_slice(bytes);
            data.resize(data.len().next_multiple_of(4), 0);
        }
        let mut profile = base[..HEADER_LEN].to_vec();
        profile.extend(table);
        profile.extend(data);
        let size = profile.len() as u32;
        profile[..4].copy_from_slice(&size.to_be_bytes());
        profile
    }

    fn with_header(base: &[u8], at: usize, field: &[u8]) -> Vec<u8> {
        let mut profile = base.to_vec();
        profile[at..at + field.len()].copy_from_slice(field);
        profile
    }

    fn xyz_tag([x, y, z]: [f64; 3]) -> Vec<u8> {
        let mut tag = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            tag.extend_from_slice(&((v * 65536.0).round() as i32).to_be_bytes());
        }
        tag
    }

    /// A sampled curve with 256 entries, one per 8-bit value, giving linear light `f(i / 255)`.
    fn curv_tag(f: impl Fn(f64) -> f64) -> Vec<u8> {
        let mut tag = b"curv\0\0\0\0".to_vec();
        tag.extend_from_slice(&256u32.to_be_bytes());
        for i in 0..256 {
            tag.extend_from_slice(&((f(f64::from(i) / 255.0) * 65535.0).round() as u16).to_be_bytes());
        }
        tag
    }

    /// A sampled curve that shows each 8-bit value `i` on screen as `shown(i / 255)`.
    fn shown_as(shown: impl Fn(f64) -> f64) -> Vec<u8> {
        curv_tag(|x| {
            let s = shown(x);
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        })
    }

    fn desc_v2(text: &str) -> Vec<u8> {
        let mut tag = b"desc\0\0\0\0".to_vec();
        tag.extend_from_slice(&(text.len() as u32 + 1).to_be_bytes());
        tag.extend_from_slice(text.as_bytes());
        tag.extend_from_slice(&[0; 9]);
        tag.extend_from_slice(&[0; 70]);
        tag
    }

    fn mluc_tag(text: &str) -> Vec<u8> {
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut tag = b"mluc\0\0\0\0\0\0\0\x01\0\0\0\x0cenGB".to_vec();
        tag.extend_from_slice(&(utf16.len() as u32).to_be_bytes());
        tag.extend_from_slice(&28u32.to_be_bytes());
        tag.extend(utf16);
        tag
    }

    /// Whether `text` appears in `bytes`, in ASCII or UTF-16BE.
    fn mentions(bytes: &[u8], text: &str) -> bool {
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        [text.as_bytes(), &utf16].iter().any(|needle| bytes.windows(needle.len()).any(|w| w == *needle))
    }

    /// A small but whole JPEG: start, a JFIF header, end.
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";

    #[test]
    fn an_srgb_profile_needs_no_profile_in_the_copy() {
        let mut srgb = ColorProfile::new_srgb();
        assert_eq!(vet(&encoded(&srgb)).vetted, Vetted::Srgb { intent: 0 });
        srgb.rendering_intent = RenderingIntent::RelativeColorimetric;
        assert_eq!(vet(&encoded(&srgb)).vetted, Vetted::Srgb { intent: 1 });
        // With a 1024-entry sampled curve, as most sRGB profiles in photos have, and v2-style.
        let sampled = ToneReprCurve::Lut(
            (0..1024)
                .map(|i| {
                    (Curve::Parametric(vec![2.4, 1. / 1.055, 0.055 / 1.055, 1. / 12.92, 0.04045])
                        .eval(f64::from(i) / 1023.0)
                        * 65535.0)
                        .round() as u16
                })
                .collect(),
        );
        let mut srgb = ColorProfile::new_srgb();
        (srgb.red_trc, srgb.green_trc, srgb.blue_trc) =
            (Some(sampled.clone()), Some(sampled.clone()), Some(sampled));
        assert_eq!(vet(&encoded(&srgb)).vetted, Vetted::Srgb { intent: 0 });
    }

    #[test]
    fn a_grey_profile_with_the_srgb_curve_needs_no_profile_either() {
        let mut grey = ColorProfile::new_gray_with_gamma(2.2);
        grey.gray_trc = ColorProfile::new_srgb().red_trc;
        assert_eq!(vet(&encoded(&grey)).vetted, Vetted::Srgb { intent: 0 });
    }

    #[test]
    fn a_display_p3_profile_is_rebuilt_from_its_colour_tags_alone() {
        let original = encoded(&ColorProfile::new_display_p3());
        let bytes = rebuilt(&original);
        let (before, after) =
            (ColorProfile::new_from_slice(&original).unwrap(), ColorProfile::new_from_slice(&bytes).unwrap());
        assert_eq!(
            [after.red_colorant, after.green_colorant, after.blue_colorant],
            [before.red_colorant, before.green_colorant, before.blue_colorant]
        );
        assert_eq!([&after.red_trc, &after.green_trc, &after.blue_trc], [&before.red_trc; 3]);
        assert_eq!(after.chromatic_adaptation, before.chromatic_adaptation);
        assert_eq!(after.media_white_point, before.media_white_point);
        assert_eq!(after.rendering_intent, before.rendering_intent);
        assert!(
            matches!(&after.description, Some(ProfileText::Localizable(l)) if l[0].value == "RGB colour profile")
        );
        // Nothing else: no copyright, no name, and no cicp, which would override the curves.
        assert!(after.copyright.is_none() && after.cicp.is_none());
        assert!(before.cicp.is_some());
        assert!(!mentions(&bytes, "Display P3") && !mentions(&bytes, "Public Domain"));
        // The same photo always gives the same bytes.
        assert_eq!(rebuilt(&original), bytes);
        assert_eq!(&bytes[24..36], &REBUILT_DATE);
    }

    #[test]
    fn common_wide_gamut_and_grey_profiles_are_rebuilt_with_their_curves() {
        let profiles = [
            ColorProfile::new_adobe_rgb(),
            ColorProfile::new_pro_photo_rgb(),
            ColorProfile::new_bt2020(),
            ColorProfile::new_dci_p3(),
            ColorProfile::new_gray_with_gamma(2.2),
            ColorProfile::new_gray_with_gamma(1.8),
        ];
        for profile in profiles {
            let original = encoded(&profile);
            // What moxcms wrote, rounded to the profile's number formats.
            let profile = ColorProfile::new_from_slice(&original).unwrap();
            let after = ColorProfile::new_from_slice(&rebuilt(&original)).unwrap();
            assert_eq!(
                [after.red_trc, after.green_trc, after.blue_trc, after.gray_trc],
                [profile.red_trc, profile.green_trc, profile.blue_trc, profile.gray_trc]
            );
            assert_eq!(after.red_colorant, profile.red_colorant);
        }
    }

    #[test]
    fn a_v2_profile_with_sampled_curves_is_rebuilt_to_the_same_samples() {
        let curve = curv_tag(|x| x.powf(2.2));
        let base = encoded(&ColorProfile::new_adobe_rgb());
        let v2 = with_tags(
            &with_header(&base, 8, &[2, 0x10, 0, 0]),
            &[(b"rTRC", Some(curve.clone())), (b"gTRC", Some(curve.clone())), (b"bTRC", Some(curve))],
        );
        let after = ColorProfile::new_from_slice(&rebuilt(&v2)).unwrap();
        let Some(ToneReprCurve::Lut(samples)) = after.red_trc else { panic!("a sampled curve") };
        assert_eq!(samples.len(), 256);
        assert_eq!(samples[128], ((128.0f64 / 255.0).powf(2.2) * 65535.0).round() as u16);
    }

    #[test]
    fn a_picture_hidden_in_a_private_tag_does_not_survive() {
        let changes = [
            (b"zzzz", Some(JPEG.to_vec())),
            (b"desc", Some(desc_v2("Chloe O'Neil"))),
            (b"cprt", Some(mluc_tag("Chloe O'Neil"))),
        ];
        let p3 = with_tags(&encoded(&ColorProfile::new_display_p3()), &changes);
        let bytes = rebuilt(&p3);
        assert!(!bytes.windows(3).any(|w| w == b"\xFF\xD8\xFF") && !mentions(&bytes, "JFIF"));
        assert!(!mentions(&bytes, "Chloe") && !mentions(&bytes, "O'Neil"));
        // A JPEG appended past the last tag, where no tag points, does not survive either.
        let mut appended = encoded(&ColorProfile::new_display_p3());
        appended.extend_from_slice(JPEG);
        let size = appended.len() as u32;
        appended[..4].copy_from_slice(&size.to_be_bytes());
        assert!(!rebuilt(&appended).windows(3).any(|w| w == b"\xFF\xD8\xFF"));
        // An sRGB profile carrying one becomes no profile at all.
        let srgb = with_tags(&encoded(&ColorProfile::new_srgb()), &changes);
        assert_eq!(vet(&srgb).vetted, Vetted::Srgb { intent: 0 });
    }

    #[test]
    fn a_childs_name_in_the_description_is_found_and_not_kept() {
        let name = "Chloe O'Neil";
        let base = encoded(&ColorProfile::new_display_p3());
        let places: [Vec<u8>; 8] = [
            with_tags(&base, &[(b"desc", Some(desc_v2(name)))]),
            with_tags(&base, &[(b"desc", Some(mluc_tag(name)))]),
            with_tags(&base, &[(b"cprt", Some([b"text\0\0\0\0", name.as_bytes(), b"\0"].concat()))]),
            with_tags(&base, &[(b"dmdd", Some(desc_v2(name)))]),
            // After the NUL that ends the description a viewer shows.
            with_tags(&base, &[(b"desc", Some(desc_v2(&format!("sRGB\0{name}"))))]),
            // In a private tag, raw, or as UTF-16.
            with_tags(&base, &[(b"zzzz", Some(name.as_bytes().to_vec()))]),
            with_tags(&base, &[(b"zzzz", Some(mluc_tag(name)[28..].to_vec()))]),
            // After the last tag.
            [&base, name.as_bytes()].concat(),
        ];
        for profile in places {
            let vetted = vet(&profile);
            assert!(vetted.texts.iter().any(|t| t == name), "{:?}", vetted.texts);
            let Vetted::Rebuilt(bytes) = vetted.vetted else { panic!("{:?}", vetted.vetted) };
            assert!(!mentions(&bytes, "Chloe"));
        }
    }

    #[test]
    fn the_texts_of_an_ordinary_profile_are_its_description_and_copyright() {
        let profile = vet(&encoded(&ColorProfile::new_display_p3()));
        assert_eq!(profile.texts, ["Display P3", "Public Domain"]);
    }

    #[test]
    fn texts_are_capped_in_number_and_size() {
        let base = encoded(&ColorProfile::new_display_p3());
        let many: Vec<u8> = (0..10_000).flat_map(|i| format!("name{i}\0").into_bytes()).collect();
        assert_eq!(vet(&with_tags(&base, &[(b"zzzz", Some(many))])).texts.len(), MAX_TEXTS);
        let long = with_tags(&base, &[(b"desc", Some(desc_v2(&"a".repeat(100_000))))]);
        assert_eq!(vet(&long).texts.iter().map(String::len).sum::<usize>(), MAX_TEXT_BYTES);
    }

    #[test]
    fn a_tone_curve_that_lifts_the_darkest_values_is_dropped() {
        // Values 0–3 of 255 spread over black to mid-grey, the rest flat, then up to white.
        let lifting = shown_as(|x| if x <= 3.0 / 255.0 { x * 255.0 / 6.0 } else { 0.5f64.max(x) });
        let base = encoded(&ColorProfile::new_display_p3());
        let profile = with_tags(&base, &[(b"gTRC", Some(lifting))]);
        assert_eq!(vet(&profile).vetted, Vetted::Dropped(SHOWS_DARK));
        // A linear curve lifts less, value 3 to 28, but still ten times over.
        let linear = with_tags(&base, &[(b"rTRC", Some(b"curv\0\0\0\0\0\0\0\0".to_vec()))]);
        assert_eq!(vet(&linear).vetted, Vetted::Dropped(SHOWS_DARK));
        let gamma_one = ColorProfile::new_gray_with_gamma(1.0);
        assert_eq!(vet(&encoded(&gamma_one)).vetted, Vetted::Dropped(SHOWS_DARK));
    }

    #[test]
    fn a_tone_curve_that_spreads_out_the_brightest_or_middle_values_is_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        // As dark as allowed up to 80%, as light as allowed from 82%: a picture in 204–209 made
        // nine times clearer.
        let bright = shown_as(|x| {
            let (dark, light) = (srgb_encode(0.8f64.powi(3)), srgb_encode(0.82f64.powf(0.85)));
            match x {
                ..0.8 => srgb_encode(x.powi(3)),
                0.8..0.82 => dark + (light - dark) * (x - 0.8) / 0.02,
                _ => srgb_encode(x.powf(0.85)),
            }
        });
        assert_eq!(vet(&with_tags(&base, &[(b"bTRC", Some(bright))])).vetted, Vetted::Dropped(SHOWS_BRIGHT));
        // Steps 120–127, flat on either side: a picture in eight grey levels made eight times clearer.
        let middle = shown_as(|x| {
            let (low, high) = (120.0 / 255.0, 127.0 / 255.0);
            0.45 * x.min(low) / low
                + 0.2 * ((x - low) / (high - low)).clamp(0.0, 1.0)
                + 0.35 * (x - high).max(0.0) / (1.0 - high)
        });
        assert_eq!(vet(&with_tags(&base, &[(b"rTRC", Some(middle))])).vetted, Vetted::Dropped(SHOWS_MID));
    }

    #[test]
    fn a_tone_curve_that_turns_values_around_darkens_everything_or_lifts_black_is_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        let inverted = shown_as(|x| 1.0 - x);
        assert_eq!(
            vet(&with_tags(&base, &[(b"rTRC", Some(inverted))])).vetted,
            Vetted::Dropped(CHANGES_PICTURE)
        );
        // Values 128–132 shown darker and darker, as if to hide a picture by turning it into a negative.
        let dip = shown_as(|x| if (0.5..0.52).contains(&x) { 1.0 - x } else { x });
        assert_eq!(vet(&with_tags(&base, &[(b"rTRC", Some(dip))])).vetted, Vetted::Dropped(CHANGES_PICTURE));
        let gamma_four = shown_as(|x| srgb_encode(x.powi(4)));
        assert_eq!(
            vet(&with_tags(&base, &[(b"rTRC", Some(gamma_four))])).vetted,
            Vetted::Dropped(CHANGES_PICTURE)
        );
        let grey_black = shown_as(|x| 0.1 + 0.9 * x);
        assert_eq!(
            vet(&with_tags(&base, &[(b"rTRC", Some(grey_black))])).vetted,
            Vetted::Dropped(CHANGES_PICTURE)
        );
    }

    #[test]
    fn a_parametric_curve_that_jumps_at_its_breakpoint_is_dropped() {
        // sRGB's curve, but its linear part ends at 0.2 instead of 0.04: a jump from 0.015 to 0.03.
        let mut para = b"para\0\0\0\0\0\x03\0\0".to_vec();
        for p in [2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.2] {
            para.extend_from_slice(&((p * 65536.0f64).round() as i32).to_be_bytes());
        }
        let base = encoded(&ColorProfile::new_display_p3());
        assert!(matches!(vet(&with_tags(&base, &[(b"gTRC", Some(para))])).vetted, Vetted::Dropped(_)));
    }

    #[test]
    fn a_lut_only_profile_is_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        let lut = b"mAB \0\0\0\0\x03\x03\0\0".iter().copied().chain([0; 20]).collect();
        let matrix_tags: [&[u8; 4]; 6] = [b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC"];
        let mut changes: Vec<(&[u8; 4], Option<Vec<u8>>)> =
            matrix_tags.iter().map(|sig| (*sig, None)).collect();
        changes.push((b"A2B0", Some(lut)));
        let lut_only = with_tags(&base, &changes);
        assert_eq!(vet(&lut_only).vetted, Vetted::Dropped(NOT_PLAIN));
        // With the matrix too, the matrix is what is kept.
        let both = with_tags(&base, &changes[6..]);
        let after = ColorProfile::new_from_slice(&rebuilt(&both)).unwrap();
        assert!(after.lut_a_to_b_perceptual.is_none() && after.red_trc.is_some());
    }

    #[test]
    fn profiles_for_printers_or_other_colour_spaces_are_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        for (at, field) in [(12, b"prtr"), (12, b"link"), (16, b"CMYK"), (16, b"Lab "), (20, b"Lab ")] {
            assert_eq!(vet(&with_header(&base, at, field)).vetted, Vetted::Dropped(NOT_PLAIN));
        }
        assert_eq!(vet(&with_header(&base, 8, &[5])).vetted, Vetted::Dropped(NOT_PLAIN));
    }

    #[test]
    fn colorants_no_screen_could_have_are_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        let odd = [
            // Not adding up to white: D65 colorants never adapted to D50.
            [(b"bXYZ", [0.1805, 0.0722, 0.9505])],
            // A negative component, balanced by the others.
            [(b"rXYZ", [-0.05, 0.2290, 0.0])],
        ];
        for [(sig, value)] in odd {
            assert_eq!(
                vet(&with_tags(&base, &[(sig, Some(xyz_tag(value)))])).vetted,
                Vetted::Dropped(ODD_COLOURS)
            );
        }
    }

    #[test]
    fn a_damaged_profile_is_dropped() {
        let base = encoded(&ColorProfile::new_display_p3());
        let mut past_end = base.clone();
        past_end[HEADER_LEN + 4 + 4..HEADER_LEN + 4 + 8].copy_from_slice(&u32::MAX.to_be_bytes());
        // A curve claiming 4,096 samples and holding none.
        let empty_curve = with_tags(&base, &[(b"rTRC", Some(b"curv\0\0\0\0\0\0\x10\0".to_vec()))]);
        let cases = [
            base[..base.len() - 1].to_vec(),
            base[..100].to_vec(),
            with_header(&base, 36, b"xxxx"),
            with_header(&base, 64, &[0, 0, 0, 7]),
            with_tags(&base, &[(b"rXYZ", Some(b"XYZ \0\0\0\0\0\0".to_vec()))]),
            past_end,
            empty_curve,
            Vec::new(),
        ];
        for profile in cases {
            assert_eq!(vet(&profile).vetted, Vetted::Dropped(DAMAGED));
        }
    }

    #[test]
    fn a_profile_past_the_cap_is_too_large() {
        let mut big = encoded(&ColorProfile::new_display_p3());
        big.resize(MAX_PROFILE_BYTES + 1, 0);
        let size = big.len() as u32;
        big[..4].copy_from_slice(&size.to_be_bytes());
        assert_eq!(vet(&big).vetted, Vetted::Dropped(TOO_LARGE));
    }

    /// Splits a PNG chunk into its type and data, checking its length and CRC.
    fn chunk_parts(chunk: &[u8]) -> (&[u8], &[u8]) {
        let length = u32::from_be_bytes(chunk[..4].try_into().unwrap()) as usize;
        assert_eq!(chunk.len(), 12 + length);
        let crc = u32::from_be_bytes(chunk[8 + length..].try_into().unwrap());
        assert_eq!(crc, crc32fast::hash(&chunk[4..8 + length]));
        (&chunk[4..8], &chunk[8..8 + length])
    }

    #[test]
    fn an_iccp_chunk_holds_the_profile_under_a_neutral_name() {
        let profile = rebuilt(&encoded(&ColorProfile::new_display_p3()));
        let chunk = iccp_chunk(&profile);
        let (kind, data) = chunk_parts(&chunk);
        assert_eq!(kind, b"iCCP");
        assert!(data.starts_with(b"ICC profile\0\0"));
        assert_eq!(from_iccp(data), Some(profile));
    }

    #[test]
    fn a_malformed_iccp_chunk_gives_no_profile() {
        let profile = encoded(&ColorProfile::new_display_p3());
        let good = iccp_chunk(&profile);
        let data = chunk_parts(&good).1;
        let mut wrong_method = data.to_vec();
        wrong_method[12] = 1;
        let truncated = &data[..data.len() - 10];
        let nameless = &data[11..];
        let long_name = [&[b'n'; 80][..], &data[11..]].concat();
        for bad in [&wrong_method[..], truncated, nameless, &long_name, b"", b"name\0"] {
            assert_eq!(from_iccp(bad), None);
        }
    }

    #[test]
    fn an_iccp_chunk_that_inflates_past_the_cap_is_refused_without_allocating_it() {
        use miniz_oxide::deflate::core::{
            compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush,
        };
        // 1 GiB of zeros: the compressed form of 1 MiB of zeros, once the window is full of
        // zeros, is the same every time, so it is repeated rather than compressing 1 GiB.
        let mut compressor = CompressorOxide::new(create_comp_flags_from_zip_params(9, 15, 0));
        let zeros = vec![0; 1 << 20];
        let mut next = || {
            let mut out = vec![0; 1 << 16];
            let (_, read, written) = compress(&mut compressor, &zeros, &mut out, TDEFLFlush::Sync);
            assert_eq!(read, zeros.len());
            out.truncate(written);
            out
        };
        let (first, second, third) = (next(), next(), next());
        assert_eq!(second, third);
        let mut data = b"bomb\0\0".to_vec();
        data.extend(first);
        (1..1024).for_each(|_| data.extend_from_slice(&second));
        assert!(data.len() < 1_400_000, "{}", data.len());

        LARGEST.with(|largest| largest.set(0));
        assert_eq!(from_iccp(&data), None);
        let largest = LARGEST.with(Cell::get);
        assert!(largest <= MAX_PROFILE_BYTES, "allocated {largest} bytes at once");
    }

    #[test]
    fn a_profile_is_split_into_numbered_app2_segments() {
        let profile: Vec<u8> = (0..150_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let segments = app2_segments(&profile);
        let mut parts = Vec::new();
        let mut at = 0;
        while at < segments.len() {
            assert_eq!(&segments[at..at + 2], &[0xFF, 0xE2]);
            let length = usize::from(u16::from_be_bytes([segments[at + 2], segments[at + 3]]));
            let payload = &segments[at + 4..at + 2 + length];
            assert!(payload.starts_with(ICC_APP2_TAG));
            parts.push((payload[12], payload[13], payload[14..].to_vec()));
            at += 2 + length;
        }
        assert_eq!(
            parts.iter().map(|p| (p.0, p.1, p.2.len())).collect::<Vec<_>>(),
            [(1, 3, 65_519), (2, 3, 65_519), (3, 3, 150_000 - 2 * 65_519)]
        );
        assert_eq!(parts.into_iter().flat_map(|p| p.2).collect::<Vec<_>>(), profile);
        assert_eq!(app2_segments(&profile[..ICC_PART_MAX]).len(), 4 + 14 + ICC_PART_MAX);
        assert!(app2_segments(&[]).is_empty());
    }

    #[test]
    fn hostile_profiles_never_make_vetting_panic() {
        let name_in_a_gap = [&encoded(&ColorProfile::new_display_p3())[..], b"Chloe O'Neil"].concat();
        let bases = [
            encoded(&ColorProfile::new_srgb()),
            encoded(&ColorProfile::new_display_p3()),
            encoded(&ColorProfile::new_gray_with_gamma(2.2)),
            encoded(&ColorProfile::new_bt2020_pq()),
            with_tags(
                &encoded(&ColorProfile::new_adobe_rgb()),
                &[
                    (b"desc", Some(desc_v2("Adobe"))),
                    (b"dmnd", Some(mluc_tag("Maker"))),
                    (b"zzzz", Some(JPEG.to_vec())),
                ],
            ),
            name_in_a_gap,
        ];
        // xorshift64: deterministic, so a failure can be replayed.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut random = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for round in 0..3000 {
            let mut profile = bases[round % bases.len()].clone();
            for _ in 0..1 + random(4) {
                let at = if random(2) == 0 {
                    random(HEADER_LEN + 4 + 12 * 12)
                } else {
                    random(profile.len().max(1))
                };
                match random(4) {
                    0 => profile.truncate(at),
                    1 => {
                        let value = [0, 1, u32::MAX, profile.len() as u32, random(1 << 16) as u32][random(5)];
                        if let Some(word) = profile.get_mut(at..at + 4) {
                            word.copy_from_slice(&value.to_be_bytes());
                        }
                    }
                    _ => {
                        if let Some(byte) = profile.get_mut(at) {
                            *byte ^= 1 << random(8);
                        }
                    }
                }
            }
            let vetted = vet(&profile);
            assert!(vetted.texts.len() <= MAX_TEXTS);
            if let Vetted::Rebuilt(bytes) = vetted.vetted {
                assert!(ColorProfile::new_from_slice(&bytes).is_ok());
            }
            let _ = from_iccp(&[b"x\0\0".as_slice(), &profile[..profile.len().min(200)]].concat());
        }
    }
}
