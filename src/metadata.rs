//! Reading what a photo's metadata says: every text where a child's name could be written, and
//! whether the file carries a position, a time, a camera serial, an owner's name, people tags or
//! a preview picture.
//!
//! The containers (JPEG segments, PNG and WebP chunks, GIF blocks, TIFF directories, Photoshop
//! resources, IPTC datasets) are walked here rather than by a general-purpose library so that a
//! hostile file can only make the reader look at its own bytes: every length is checked against
//! the data before it is used, nothing is allocated from a size the file merely claims, and
//! decompression and collected text both have a budget. XMP, being XML, goes to `quick-xml`.

use crate::container::{Container, Jpeg, Png};
use crate::icc;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// A place in a photo's file or metadata where a child's name could be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The photo's own file name.
    FileName,
    /// The name of a folder the photo is in.
    FolderName,
    /// A caption or description.
    Description,
    /// A title, headline or object name.
    Title,
    /// Keywords or tags.
    Keywords,
    /// A tag naming someone shown in the photo.
    PersonInImage,
    /// The photographer, author or rights holder.
    Author,
    /// A free comment.
    Comment,
    /// The description, copyright or other text of the colour profile.
    ColourProfile,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::FileName => "file name",
            Field::FolderName => "folder name",
            Field::Description => "description",
            Field::Title => "title",
            Field::Keywords => "keywords",
            Field::PersonInImage => "person-in-image tag",
            Field::Author => "author",
            Field::Comment => "comment",
            Field::ColourProfile => "colour profile",
        })
    }
}

/// What a photo's embedded metadata holds that could identify or locate a child.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Metadata {
    /// Every text that could hold a name, with where it was found.
    pub texts: Vec<(Field, String)>,
    /// A GPS position (EXIF GPS latitude or longitude, or the XMP equivalents).
    pub gps: bool,
    /// A capture or modification time (EXIF, XMP, IPTC date tags, or a PNG `tIME` chunk).
    pub capture_time: bool,
    /// A camera body or lens serial number.
    pub camera_serial: bool,
    /// The name of the camera's owner, the photographer or the rights holder.
    pub owner_name: bool,
    /// People tagged in the photo: named people, or regions marked as faces.
    pub person_tags: bool,
    /// An embedded preview picture: an EXIF thumbnail (or a further TIFF page), a JFIF/JFXX
    /// thumbnail, a Photoshop thumbnail, or the extra images of a JPEG Multi-Picture file.
    pub thumbnail: bool,
    /// Data after the end of the picture, where phones put depth maps and second pictures.
    pub appended: bool,
    /// What the colour profile may become in a copy, when there is one.
    pub colour_profile: Option<icc::Vetted>,
    /// Some metadata block was present but could not be parsed (so names in it cannot be ruled
    /// out).
    pub unreadable: bool,
}

/// Reads everything in [`Metadata`] from a file's bytes (JPEG: APP1 Exif, APP1 XMP incl.
/// extended XMP, APP13 Photoshop/IPTC-IIM, COM; PNG: eXIf, tEXt/zTXt/iTXt incl. XMP in iTXt
/// "XML:com.adobe.xmp" and ImageMagick's raw profiles, tIME; WebP: RIFF EXIF and XMP chunks;
/// TIFF: the file itself is EXIF; GIF: comments and XMP; HEIF: EXIF and XMP items, through
/// libheif). Other formats give empty metadata.
/// Never panics, never fails: whatever cannot be parsed sets `unreadable`.
pub(crate) fn read(bytes: &[u8], container: &Container) -> Metadata {
    let mut scan = Scan::default();
    match container {
        Container::Jpeg(jpeg) => {
            scan.jpeg(jpeg);
            scan.colour_profile(jpeg.profile.as_deref());
            scan.meta.appended = !jpeg.trailer.is_empty();
        }
        Container::Png(png) => {
            scan.png(png);
            scan.colour_profile(png.profile.as_deref());
            scan.meta.appended = !png.trailer.is_empty();
        }
        // A broken JPEG or PNG is refused when it is decoded, with the reason; it is never
        // posted, so nothing in it needs reading.
        Container::Broken(_) => {}
        Container::Other => scan.other(bytes),
    }
    scan.meta
}

impl Scan {
    /// A colour profile's texts, and what a copy may carry of it ([`icc::vet`]).
    fn colour_profile(&mut self, profile: Option<&[u8]>) {
        let Some(profile) = profile else { return };
        let icc::Profile { vetted, texts } = icc::vet(profile);
        for text in &texts {
            self.say(Text(Field::ColourProfile), text);
        }
        self.meta.colour_profile = Some(vetted);
    }

    /// The formats [`crate::container`] does not walk.
    fn other(&mut self, bytes: &[u8]) {
        if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP".as_slice()) {
            self.webp(bytes);
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            self.exif(bytes);
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            self.gif(bytes);
        } else if crate::heif::is_heif(bytes) && crate::heif::SUPPORTED {
            // Without libheif the photo cannot be decoded either, and that error is the one to
            // show.
            self.heif(bytes);
        }
    }
}

/// Most texts one file may contribute; a file with more is flagged unreadable rather than
/// allowed to fill memory.
const MAX_TEXTS: usize = 10_000;
/// Most bytes of text one file may contribute, for the same reason.
const MAX_TEXT_BYTES: usize = 4 << 20;
/// Most bytes one compressed PNG text may inflate to.
const MAX_INFLATED_CHUNK: usize = 1 << 20;
/// Most bytes all of one file's compressed PNG texts may inflate to together.
const MAX_INFLATED_TOTAL: usize = 8 << 20;

/// How deep EXIF may be nested inside EXIF (through Photoshop resources); real files nest it
/// once at most.
const MAX_EXIF_NESTING: usize = 4;

/// What one metadata value tells, and so where it goes in [`Metadata`].
#[derive(Clone, Copy, Debug)]
enum Meaning {
    /// Free text that could hold a name.
    Text(Field),
    /// The photographer's, camera owner's or rights holder's name.
    Owner,
    /// The name of someone shown in the photo.
    Person,
    /// Someone shown in the photo, identified other than by name.
    PersonId,
    /// A tagged region's kind; "Face" means someone's face was marked.
    RegionKind,
    /// A GPS coordinate.
    Gps,
    /// A date or time of the photo.
    Time,
    /// A camera or lens serial number.
    Serial,
}

use Meaning::{Gps, Owner, Person, PersonId, RegionKind, Serial, Text, Time};

/// TIFF and EXIF tags that tell something, from IFD0, the EXIF IFD and IFD1 (their numbers do
/// not overlap, so one table serves all three).
const EXIF_TAGS: &[(u16, Meaning)] = &[
    (0x010D, Text(Field::Title)),       // DocumentName
    (0x010E, Text(Field::Description)), // ImageDescription
    (0x0132, Time),                     // DateTime
    (0x013B, Owner),                    // Artist
    (0x8298, Owner),                    // Copyright
    (0x9003, Time),                     // DateTimeOriginal
    (0x9004, Time),                     // DateTimeDigitized
    (0x9286, Text(Field::Comment)),     // UserComment
    (0x9C9B, Text(Field::Title)),       // XPTitle
    (0x9C9C, Text(Field::Comment)),     // XPComment
    (0x9C9D, Owner),                    // XPAuthor
    (0x9C9E, Text(Field::Keywords)),    // XPKeywords
    (0x9C9F, Text(Field::Description)), // XPSubject
    (0xA430, Owner),                    // CameraOwnerName
    (0xA431, Serial),                   // BodySerialNumber
    (0xA435, Serial),                   // LensSerialNumber
    (0xC62F, Serial),                   // CameraSerialNumber (DNG)
];
/// The Windows XP tags, which hold UTF-16LE whatever the file's byte order.
const XP_TAGS: std::ops::RangeInclusive<u16> = 0x9C9B..=0x9C9F;
const USER_COMMENT_TAG: u16 = 0x9286;
const EXIF_IFD_TAG: u16 = 0x8769;
const GPS_IFD_TAG: u16 = 0x8825;
const XMP_TAG: u16 = 0x02BC;
const IPTC_TAG: u16 = 0x83BB;
const PHOTOSHOP_TAG: u16 = 0x8649;
/// StripOffsets, TileOffsets and JPEGInterchangeFormat: where a picture's data is.
const PICTURE_DATA_TAGS: [u16; 3] = [0x0111, 0x0144, 0x0201];

/// GPS IFD tags that tell something.
const GPS_TAGS: &[(u16, Meaning)] = &[
    (0x0002, Gps),  // GPSLatitude
    (0x0004, Gps),  // GPSLongitude
    (0x001D, Time), // GPSDateStamp
];

/// IPTC-IIM datasets of record 2 (application) that tell something.
const IIM_DATASETS: &[(u8, Meaning)] = &[
    (5, Text(Field::Title)),         // Object Name
    (25, Text(Field::Keywords)),     // Keywords
    (40, Text(Field::Comment)),      // Special Instructions
    (55, Time),                      // Date Created
    (62, Time),                      // Digital Creation Date
    (80, Owner),                     // By-line
    (105, Text(Field::Title)),       // Headline
    (110, Text(Field::Author)),      // Credit
    (116, Owner),                    // Copyright Notice
    (120, Text(Field::Description)), // Caption/Abstract
    (122, Text(Field::Author)),      // Writer/Editor
];

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const XMP: &str = "http://ns.adobe.com/xap/1.0/";
const XMP_RIGHTS: &str = "http://ns.adobe.com/xap/1.0/rights/";
const PHOTOSHOP: &str = "http://ns.adobe.com/photoshop/1.0/";
const IPTC_CORE: &str = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
const IPTC_EXT: &str = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
const EXIF: &str = "http://ns.adobe.com/exif/1.0/";
const EXIF_EX: &str = "http://cipa.jp/exif/1.0/";
const TIFF: &str = "http://ns.adobe.com/tiff/1.0/";
const AUX: &str = "http://ns.adobe.com/exif/1.0/aux/";
const MWG_REGIONS: &str = "http://www.metadataworkinggroup.com/schemas/regions/";
const MS_REGION: &str = "http://ns.microsoft.com/photo/1.2/t/Region#";
const MS_PHOTO: &str = "http://ns.microsoft.com/photo/1.0/";
const LIGHTROOM: &str = "http://ns.adobe.com/lightroom/1.0/";
const DIGIKAM: &str = "http://www.digikam.org/ns/1.0/";
const MEDIAPRO: &str = "http://ns.iview-multimedia.com/mediapro/1.0/";
const PLUS: &str = "http://ns.useplus.org/ldf/xmp/1.0/";

/// XMP properties (namespace, local name) that tell something. Properties are matched however
/// they are written: as attributes, as elements, or as the items of an array or structure.
const XMP_PROPERTIES: &[(&str, &str, Meaning)] = &[
    (DC, "description", Text(Field::Description)),
    (DC, "title", Text(Field::Title)),
    (DC, "subject", Text(Field::Keywords)),
    (DC, "creator", Owner),
    (DC, "rights", Owner),
    (DC, "contributor", Text(Field::Author)),
    (XMP, "CreateDate", Time),
    (XMP, "ModifyDate", Time),
    (XMP_RIGHTS, "Owner", Owner),
    (PHOTOSHOP, "Headline", Text(Field::Title)),
    (PHOTOSHOP, "CaptionWriter", Text(Field::Author)),
    (PHOTOSHOP, "Credit", Text(Field::Author)),
    (PHOTOSHOP, "Source", Text(Field::Comment)),
    (PHOTOSHOP, "Instructions", Text(Field::Comment)),
    (PHOTOSHOP, "SupplementalCategories", Text(Field::Keywords)),
    (PHOTOSHOP, "DateCreated", Time),
    (IPTC_CORE, "AltTextAccessibility", Text(Field::Description)),
    (IPTC_CORE, "ExtDescrAccessibility", Text(Field::Description)),
    (IPTC_EXT, "PersonInImage", Person),
    (IPTC_EXT, "PersonName", Person),
    (IPTC_EXT, "PersonId", PersonId),
    (IPTC_EXT, "Event", Text(Field::Description)),
    // Artwork shown in the photo: in a school, often a child's, signed with their name.
    (IPTC_EXT, "AOTitle", Text(Field::Title)),
    (IPTC_EXT, "AOCreator", Text(Field::Author)),
    (EXIF, "UserComment", Text(Field::Comment)),
    (EXIF, "GPSLatitude", Gps),
    (EXIF, "GPSLongitude", Gps),
    (EXIF, "DateTimeOriginal", Time),
    (EXIF, "DateTimeDigitized", Time),
    (EXIF_EX, "CameraOwnerName", Owner),
    (EXIF_EX, "BodySerialNumber", Serial),
    (EXIF_EX, "LensSerialNumber", Serial),
    (TIFF, "ImageDescription", Text(Field::Description)),
    (TIFF, "Artist", Owner),
    (TIFF, "Copyright", Owner),
    (TIFF, "DateTime", Time),
    (AUX, "SerialNumber", Serial),
    (AUX, "LensSerialNumber", Serial),
    (AUX, "OwnerName", Owner),
    (MWG_REGIONS, "Name", Person),
    (MWG_REGIONS, "Type", RegionKind),
    (MWG_REGIONS, "Description", Text(Field::Description)),
    (MS_REGION, "PersonDisplayName", Person),
    (MS_REGION, "PersonEmailDigest", PersonId),
    (MS_REGION, "PersonLiveIdCID", PersonId),
    // Windows Photo Gallery, Lightroom and digiKam keep people tags as keyword paths
    // ("People/Zoë Hart").
    (MS_PHOTO, "LastKeywordXMP", Text(Field::Keywords)),
    (MS_PHOTO, "LastKeywordIPTC", Text(Field::Keywords)),
    (LIGHTROOM, "hierarchicalSubject", Text(Field::Keywords)),
    (DIGIKAM, "TagsList", Text(Field::Keywords)),
    (MEDIAPRO, "People", Person),
    (PLUS, "ImageCreatorName", Owner),
    (PLUS, "CopyrightOwnerName", Owner),
];

/// The prefixes the namespaces above are written with, for XMP whose writer forgot to declare
/// a prefix: the property is still read rather than the packet rejected.
const USUAL_PREFIXES: &[(&str, &str)] = &[
    ("rdf", RDF),
    ("dc", DC),
    ("xmp", XMP),
    ("xmpRights", XMP_RIGHTS),
    ("photoshop", PHOTOSHOP),
    ("Iptc4xmpCore", IPTC_CORE),
    ("Iptc4xmpExt", IPTC_EXT),
    ("exif", EXIF),
    ("exifEX", EXIF_EX),
    ("tiff", TIFF),
    ("aux", AUX),
    ("mwg-rs", MWG_REGIONS),
    ("MPReg", MS_REGION),
    ("MicrosoftPhoto", MS_PHOTO),
    ("lr", LIGHTROOM),
    ("digiKam", DIGIKAM),
    ("mediapro", MEDIAPRO),
    ("plus", PLUS),
];

const XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const EXTENDED_XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// What has been found so far in one file, and what it may still allocate.
struct Scan {
    meta: Metadata,
    /// The texts already in `meta.texts`, so the same caption in EXIF, XMP and IPTC is kept once.
    seen: HashSet<(Field, String)>,
    text_bytes: usize,
    inflate_left: usize,
    /// How many EXIF structures the one being read is inside.
    exif_depth: usize,
}

impl Default for Scan {
    fn default() -> Self {
        Scan {
            meta: Metadata::default(),
            seen: HashSet::new(),
            text_bytes: 0,
            inflate_left: MAX_INFLATED_TOTAL,
            exif_depth: 0,
        }
    }
}

impl Scan {
    /// Records what `value` tells. Values may hold several NUL-separated strings (EXIF
    /// Copyright holds the photographer's and the editor's); blank ones, and placeholders
    /// such as "0000:00:00 00:00:00", tell nothing.
    fn say(&mut self, meaning: Meaning, value: &str) {
        let parts = value.split('\0').map(str::trim);
        for part in parts.filter(|part| part.chars().any(|c| c.is_alphanumeric() && c != '0')) {
            match meaning {
                Text(field) => self.text(field, part),
                Owner => {
                    self.meta.owner_name = true;
                    self.text(Field::Author, part);
                }
                Person => {
                    self.meta.person_tags = true;
                    self.text(Field::PersonInImage, part);
                }
                PersonId => self.meta.person_tags = true,
                RegionKind => self.meta.person_tags |= part.eq_ignore_ascii_case("face"),
                Gps => self.meta.gps = true,
                Time => self.meta.capture_time = true,
                Serial => self.meta.camera_serial = true,
            }
        }
    }

    fn text(&mut self, field: Field, text: &str) {
        let key = (field, text.to_owned());
        if self.seen.contains(&key) {
            return;
        }
        if self.meta.texts.len() >= MAX_TEXTS || self.text_bytes + text.len() > MAX_TEXT_BYTES {
            self.meta.unreadable = true;
            return;
        }
        self.text_bytes += text.len();
        self.meta.texts.push(key.clone());
        self.seen.insert(key);
    }

    fn jpeg(&mut self, file: &Jpeg) {
        let mut photoshop = Vec::new();
        let mut extended_xmp = Vec::new();
        for part in &file.parts {
            let segment = part.payload;
            match part.marker {
                0xE0 => self.app0(segment),
                0xE1 => match segment.strip_prefix(EXTENDED_XMP_SIGNATURE) {
                    Some(chunk) => extended_xmp.push(chunk),
                    None => self.app1(segment),
                },
                0xE2 if segment.starts_with(b"MPF\0") => self.meta.thumbnail = true,
                // Photoshop splits its resources over as many APP13 segments as they need.
                0xED => {
                    if let Some(resources) = segment.strip_prefix(b"Photoshop 3.0\0") {
                        photoshop.extend_from_slice(resources);
                    }
                }
                0xFE => self.say(Text(Field::Comment), &eight_bit(segment)),
                _ => {}
            }
        }
        self.irb(&photoshop);
        self.extended_xmp(extended_xmp);
    }

    fn app0(&mut self, segment: &[u8]) {
        if let Some(jfif) = segment.strip_prefix(b"JFIF\0") {
            // Version, units and densities come first, then the thumbnail's width and height.
            self.meta.thumbnail |= jfif.get(7..9).is_some_and(|size| size[0] > 0 && size[1] > 0);
        } else if segment.starts_with(b"JFXX\0") {
            self.meta.thumbnail = true;
        }
    }

    /// An APP1 payload, from a JPEG or from an ImageMagick "APP1" profile.
    fn app1(&mut self, segment: &[u8]) {
        if segment.starts_with(b"Exif\0") {
            self.exif(segment);
        } else if let Some(packet) = segment.strip_prefix(XMP_SIGNATURE) {
            self.xmp(packet);
        }
    }

    /// Joins the chunks of extended XMP (a GUID, the full size, the chunk's offset, then data)
    /// by GUID and offset. The claimed full size is ignored so it cannot set an allocation.
    fn extended_xmp(&mut self, chunks: Vec<&[u8]>) {
        let mut parts = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            match chunk
                .split_at_checked(32)
                .and_then(|(guid, rest)| Some((guid, be32(rest.get(4..)?)?, rest.get(8..)?)))
            {
                Some(part) => parts.push(part),
                None => self.meta.unreadable = true,
            }
        }
        parts.sort_by_key(|&(guid, offset, _)| (guid, offset));
        for packet_parts in parts.chunk_by(|a, b| a.0 == b.0) {
            let mut packet = Vec::new();
            for &(_, offset, data) in packet_parts {
                self.meta.unreadable |= usize::try_from(offset).ok() != Some(packet.len());
                packet.extend_from_slice(data);
            }
            self.xmp(&packet);
        }
    }

    /// EXIF data: a TIFF structure, with or without the "Exif\0\0" that precedes it in JPEG.
    fn exif(&mut self, data: &[u8]) {
        // EXIF can hold Photoshop resources that hold EXIF again: a file nesting them thousands
        // deep must not exhaust the stack.
        if self.exif_depth == MAX_EXIF_NESTING {
            self.meta.unreadable = true;
            return;
        }
        self.exif_depth += 1;
        self.exif_ifds(data);
        self.exif_depth -= 1;
    }

    fn exif_ifds(&mut self, data: &[u8]) {
        let data = data.strip_prefix(b"Exif\0").map_or(data, |rest| rest.get(1..).unwrap_or_default());
        let Some(tiff) = Tiff::new(data) else {
            self.meta.unreadable = true;
            return;
        };
        let Some((ifd0, next)) = tiff.long_at(4).and_then(|at| tiff.ifd(at)) else {
            self.meta.unreadable = true;
            return;
        };
        for entry in &ifd0 {
            let table = match entry.tag {
                EXIF_IFD_TAG => EXIF_TAGS,
                GPS_IFD_TAG => GPS_TAGS,
                _ => {
                    self.tiff_entry(&tiff, entry, EXIF_TAGS);
                    continue;
                }
            };
            match entry.value.and_then(|value| tiff.pointer(value)).and_then(|at| tiff.ifd(at)) {
                Some((sub_ifd, _)) => sub_ifd.iter().for_each(|entry| self.tiff_entry(&tiff, entry, table)),
                None => self.meta.unreadable = true,
            }
        }
        // IFD1 is the thumbnail in EXIF and the next page in a TIFF file: a picture either way.
        // Some cameras write a bad offset to it; that hides a picture, not a name, so it is not
        // counted as unreadable.
        if let Some((ifd1, _)) = (next != 0).then(|| tiff.ifd(next)).flatten() {
            self.meta.thumbnail |= ifd1.iter().any(|entry| PICTURE_DATA_TAGS.contains(&entry.tag));
            ifd1.iter().for_each(|entry| self.tiff_entry(&tiff, entry, EXIF_TAGS));
        }
    }

    fn tiff_entry(&mut self, tiff: &Tiff<'_>, entry: &Entry<'_>, table: &[(u16, Meaning)]) {
        let embedded: Option<fn(&mut Self, &[u8])> = match entry.tag {
            XMP_TAG => Some(Self::xmp),
            IPTC_TAG => Some(Self::iim),
            PHOTOSHOP_TAG => Some(Self::irb),
            _ => None,
        };
        let meaning = table.iter().find(|(tag, _)| *tag == entry.tag).map(|&(_, meaning)| meaning);
        if embedded.is_none() && meaning.is_none() {
            return;
        }
        let Some(value) = entry.value else {
            self.meta.unreadable = true;
            return;
        };
        if let Some(read) = embedded {
            read(self, value);
        } else if let Some(Gps) = meaning {
            // Coordinates are numbers, not text: that they are there is what counts.
            self.meta.gps |= !value.is_empty();
        } else if let Some(meaning) = meaning {
            let text = match entry.tag {
                tag if XP_TAGS.contains(&tag) => Cow::Owned(utf16(value, true)),
                USER_COMMENT_TAG => user_comment(value, tiff.little_endian),
                _ => eight_bit(value),
            };
            self.say(meaning, &text);
        }
    }

    /// Photoshop image resources: a signature, an ID, a padded Pascal-string name, a size and
    /// the data, padded to an even size.
    fn irb(&mut self, data: &[u8]) {
        const SIGNATURES: [&[u8; 4]; 5] = [b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa"];
        let mut rest = data;
        while let [a, b, c, d, id_high, id_low, name_size, tail @ ..] = rest {
            if !SIGNATURES.contains(&&[*a, *b, *c, *d]) {
                break;
            }
            // The name and its size byte together take an even number of bytes.
            let name_size = usize::from(*name_size) + usize::from(name_size.is_multiple_of(2));
            let resource = tail.get(name_size..).and_then(|tail| {
                let size = usize::try_from(be32(tail)?).ok()?;
                let data = tail.get(4..)?.get(..size)?;
                Some((data, tail.get(4 + size + size % 2..).unwrap_or_default()))
            });
            let Some((data, after)) = resource else {
                self.meta.unreadable = true;
                return;
            };
            match u16::from_be_bytes([*id_high, *id_low]) {
                0x0404 => self.iim(data),
                0x0409 | 0x040C => self.meta.thumbnail = true,
                0x0422 => self.exif(data),
                0x0424 => self.xmp(data),
                _ => {}
            }
            rest = after;
        }
        self.meta.unreadable |= rest.iter().any(|&byte| byte != 0);
    }

    /// IPTC-IIM datasets: a 0x1C tag marker, record, dataset, size and data.
    fn iim(&mut self, data: &[u8]) {
        let mut rest = data;
        while let [0x1C, record, dataset, size_high, size_low, tail @ ..] = rest {
            let size = u16::from_be_bytes([*size_high, *size_low]);
            let sized = if size & 0x8000 == 0 {
                Some((usize::from(size), tail))
            } else {
                // An extended dataset: the low bits give how many bytes hold the size.
                let digits = usize::from(size & 0x7FFF);
                tail.split_at_checked(digits).filter(|_| digits <= 4).map(|(size, tail)| {
                    (size.iter().fold(0, |size, &byte| size << 8 | usize::from(byte)), tail)
                })
            };
            let Some((value, after)) = sized.and_then(|(size, tail)| tail.split_at_checked(size)) else {
                self.meta.unreadable = true;
                return;
            };
            if *record == 2 {
                if let Some(&(_, meaning)) = IIM_DATASETS.iter().find(|(id, _)| id == dataset) {
                    self.say(meaning, &eight_bit(value));
                }
            }
            rest = after;
        }
        self.meta.unreadable |= rest.iter().any(|&byte| byte != 0);
    }

    /// An XMP packet: RDF/XML, read with namespaces resolved so that any prefix works.
    fn xmp(&mut self, packet: &[u8]) {
        let text = String::from_utf8_lossy(packet);
        // Containers pad packets with NULs or spaces, and some put a BOM or junk before them.
        let Some(start) = text.find('<') else {
            self.meta.unreadable |= !text.trim_matches(|c: char| c == '\0' || c.is_whitespace()).is_empty();
            return;
        };
        let text = text[start..].trim_end_matches(|c: char| c == '\0' || c.is_whitespace());
        let mut reader = NsReader::from_str(text);
        // For each open element: what its text tells, or `None` for RDF syntax (Bag, li, ...),
        // whose text belongs to the nearest property around it.
        let mut open: Vec<Option<Option<Meaning>>> = Vec::new();
        let mut value = String::new();
        loop {
            let (namespace, event) = match reader.read_resolved_event() {
                Ok(read) => read,
                Err(_) => {
                    self.meta.unreadable = true;
                    return;
                }
            };
            let is_start = matches!(event, Event::Start(_));
            match event {
                Event::Start(element) | Event::Empty(element) => {
                    let node = match namespace_uri(&namespace) {
                        Some(RDF) => None,
                        uri => Some(uri.and_then(|uri| xmp_meaning(uri, element.local_name().as_ref()))),
                    };
                    for attribute in element.attributes() {
                        let Ok(attribute) = attribute else {
                            self.meta.unreadable = true;
                            continue;
                        };
                        if attribute.key.as_namespace_binding().is_some() {
                            continue;
                        }
                        let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
                        let Some(meaning) =
                            namespace_uri(&namespace).and_then(|uri| xmp_meaning(uri, local.as_ref()))
                        else {
                            continue;
                        };
                        match attribute.normalized_value(XmlVersion::Implicit1_0) {
                            Ok(text) => self.say(meaning, &text),
                            Err(_) => self.meta.unreadable = true,
                        }
                    }
                    if is_start {
                        open.push(node);
                        value.clear();
                    }
                }
                Event::End(_) => {
                    if let Some(meaning) = open.iter().rev().find_map(|node| *node).flatten() {
                        self.say(meaning, &value);
                    }
                    open.pop();
                    value.clear();
                }
                Event::Text(text) => value.push_str(&text.xml10_content()),
                Event::CData(text) => value.push_str(&text.xml10_content()),
                Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                    Ok(Some(c)) => value.push(c),
                    _ => match resolve_predefined_entity(&reference) {
                        Some(text) => value.push_str(text),
                        None => self.meta.unreadable = true,
                    },
                },
                Event::Eof => break,
                _ => {}
            }
        }
        // A packet cut short may have lost the very property that held a name.
        self.meta.unreadable |= !open.is_empty();
    }

    /// A PNG's chunks.
    fn png(&mut self, file: &Png) {
        for chunk in &file.chunks {
            let data = chunk.data;
            match &chunk.kind {
                b"eXIf" => self.exif(data),
                b"tEXt" => match split_at_nul(data) {
                    Some((key, text)) => self.png_text(key, text),
                    None => self.meta.unreadable = true,
                },
                b"zTXt" => match split_at_nul(data) {
                    Some((key, [0, compressed @ ..])) => {
                        if let Some(text) = self.inflate(compressed) {
                            self.png_text(key, &text);
                        }
                    }
                    _ => self.meta.unreadable = true,
                },
                b"iTXt" => self.itxt(data),
                b"tIME" => self.meta.capture_time = true,
                _ => {}
            }
        }
    }

    /// A PNG iTXt chunk: keyword, compression flag and method, language, translated keyword,
    /// then the UTF-8 text.
    fn itxt(&mut self, data: &[u8]) {
        let parsed = split_at_nul(data).and_then(|(key, rest)| {
            let [compressed, method, rest @ ..] = rest else { return None };
            let (_language, rest) = split_at_nul(rest)?;
            let (_translated_key, text) = split_at_nul(rest)?;
            Some((key, *compressed, *method, text))
        });
        match parsed {
            Some((key, 0, _, text)) => self.png_text(key, text),
            Some((key, 1, 0, compressed)) => {
                if let Some(text) = self.inflate(compressed) {
                    self.png_text(key, &text);
                }
            }
            _ => self.meta.unreadable = true,
        }
    }

    fn png_text(&mut self, key: &[u8], text: &[u8]) {
        let key = eight_bit(key).to_ascii_lowercase();
        let meaning = match key.as_str() {
            "xml:com.adobe.xmp" => return self.xmp(text),
            "title" => Text(Field::Title),
            "description" => Text(Field::Description),
            "author" | "copyright" => Owner,
            "keywords" => Text(Field::Keywords),
            "creation time" => Time,
            other => match other.strip_prefix("raw profile type ") {
                Some(profile) => return self.raw_profile(profile, text),
                None => Text(Field::Comment),
            },
        };
        self.say(meaning, &eight_bit(text));
    }

    /// ImageMagick keeps a source file's EXIF, XMP and IPTC in PNG text chunks named "Raw
    /// profile type NAME", as hex.
    fn raw_profile(&mut self, name: &str, text: &[u8]) {
        let Some(profile) = unhex_profile(text) else {
            self.meta.unreadable = true;
            return;
        };
        match name {
            "exif" => self.exif(&profile),
            "app1" => self.app1(&profile),
            "xmp" => self.xmp(&profile),
            "iptc" | "8bim" if profile.starts_with(b"8BIM") => self.irb(&profile),
            "iptc" => self.iim(&profile),
            _ => {}
        }
    }

    /// Inflates a zlib stream within this file's budget; `None` (and unreadable) past it.
    fn inflate(&mut self, compressed: &[u8]) -> Option<Vec<u8>> {
        let limit = MAX_INFLATED_CHUNK.min(self.inflate_left);
        match miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(compressed, limit) {
            Ok(text) => {
                self.inflate_left -= text.len();
                Some(text)
            }
            Err(_) => {
                self.meta.unreadable = true;
                None
            }
        }
    }

    /// WebP's RIFF chunks: a four-byte kind, a little-endian size, data padded to even.
    fn webp(&mut self, bytes: &[u8]) {
        let riff_end = bytes.get(4..8).map_or(0, |size| {
            usize::try_from(u32::from_le_bytes([size[0], size[1], size[2], size[3]]))
                .map_or(usize::MAX, |size| size.saturating_add(8))
        });
        let mut rest = bytes.get(12..riff_end.min(bytes.len())).unwrap_or_default();
        while !rest.is_empty() {
            let chunk = rest.get(4..8).and_then(|size| {
                let size = usize::try_from(u32::from_le_bytes([size[0], size[1], size[2], size[3]])).ok()?;
                Some((
                    &rest[..4],
                    rest.get(8..)?.get(..size)?,
                    rest.get(8 + size + size % 2..).unwrap_or_default(),
                ))
            });
            let Some((kind, data, after)) = chunk else {
                self.meta.unreadable = true;
                return;
            };
            match kind {
                b"EXIF" => self.exif(data),
                b"XMP " => self.xmp(data),
                _ => {}
            }
            rest = after;
        }
    }

    /// GIF blocks: comment extensions, and XMP in an application extension.
    fn heif(&mut self, bytes: &[u8]) {
        let Some(blocks) = crate::heif::metadata_blocks(bytes) else {
            self.meta.unreadable = true;
            return;
        };
        blocks.exif.iter().for_each(|exif| self.exif(exif));
        blocks.xmp.iter().for_each(|xmp| self.xmp(xmp));
    }

    fn gif(&mut self, bytes: &[u8]) {
        let color_table = |flags: u8| -> usize {
            if flags & 0x80 == 0 {
                0
            } else {
                3 << ((flags & 7) + 1)
            }
        };
        let Some(&flags) = bytes.get(10) else { return };
        let mut at = 13 + color_table(flags);
        loop {
            match bytes.get(at) {
                Some(0x21) => {
                    let Some((&label, end)) = bytes.get(at + 1).zip(sub_blocks_end(bytes, at + 2)) else {
                        self.meta.unreadable = true;
                        return;
                    };
                    self.gif_extension(label, &bytes[at + 2..end]);
                    at = end + 1;
                }
                Some(0x2C) => {
                    let Some(&flags) = bytes.get(at + 9) else { return };
                    // Descriptor, local color table, LZW code size, then the image's sub-blocks;
                    // image data cut short hides no metadata, so it is not unreadable.
                    let Some(end) = sub_blocks_end(bytes, at + 10 + color_table(flags) + 1) else { return };
                    at = end + 1;
                }
                Some(0x3B) | None => return,
                Some(_) => {
                    self.meta.unreadable = true;
                    return;
                }
            }
        }
    }

    /// One GIF extension; `blocks` are its sub-blocks, size bytes included.
    fn gif_extension(&mut self, label: u8, blocks: &[u8]) {
        match label {
            0xFE => {
                let mut comment = Vec::new();
                let mut rest = blocks;
                while let [size, tail @ ..] = rest {
                    let (data, after) = tail.split_at(usize::from(*size).min(tail.len()));
                    comment.extend_from_slice(data);
                    rest = after;
                }
                self.say(Text(Field::Comment), &eight_bit(&comment));
            }
            // XMP is stored raw, so that its own bytes read as sub-block sizes, and ends in a
            // "magic trailer" that steers any such reading onto the terminator.
            0xFF => {
                if let Some(raw) = blocks.strip_prefix(b"\x0BXMP DataXMP") {
                    self.xmp(raw.strip_suffix(&GIF_XMP_TRAILER).unwrap_or(raw));
                }
            }
            _ => {}
        }
    }
}

/// The 257 bytes that end raw XMP in a GIF (before the block terminator): 0x01, then 0xFF down
/// to 0x00.
const GIF_XMP_TRAILER: [u8; 257] = {
    let mut trailer = [0; 257];
    trailer[0] = 1;
    let mut i = 1;
    while i < 257 {
        trailer[i] = (256 - i) as u8;
        i += 1;
    }
    trailer
};

/// Where the zero-size block ending the GIF sub-blocks that start at `at` is.
fn sub_blocks_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        match *bytes.get(at)? {
            0 => return Some(at),
            size => at += 1 + usize::from(size),
        }
    }
}

/// A TIFF structure: a TIFF file, or the EXIF data inside another format.
struct Tiff<'a> {
    data: &'a [u8],
    little_endian: bool,
}

/// One IFD entry: its tag, and its value's bytes when its type is known and they lie within the
/// data.
struct Entry<'a> {
    tag: u16,
    value: Option<&'a [u8]>,
}

impl<'a> Tiff<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        let little_endian = match data.get(..4)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return None,
        };
        Some(Tiff { data, little_endian })
    }

    fn u16_of(&self, bytes: [u8; 2]) -> u16 {
        if self.little_endian {
            u16::from_le_bytes(bytes)
        } else {
            u16::from_be_bytes(bytes)
        }
    }

    /// A LONG (an offset or a count) in the file's byte order.
    fn long_of(&self, bytes: [u8; 4]) -> usize {
        let value = if self.little_endian { u32::from_le_bytes(bytes) } else { u32::from_be_bytes(bytes) };
        usize::try_from(value).unwrap_or(usize::MAX)
    }

    fn long_at(&self, at: usize) -> Option<usize> {
        self.pointer(self.data.get(at..at.checked_add(4)?)?)
    }

    /// The offset held in a pointer entry's four-byte value.
    fn pointer(&self, value: &[u8]) -> Option<usize> {
        Some(self.long_of(value.try_into().ok()?))
    }

    /// The entries of the IFD at `at`, and where the next IFD is (0: none). `None` when the
    /// entries do not all lie within the data.
    fn ifd(&self, at: usize) -> Option<(Vec<Entry<'a>>, usize)> {
        let count = self.data.get(at..at.checked_add(2)?)?;
        let count = usize::from(self.u16_of([count[0], count[1]]));
        let entries = self.data.get(at + 2..)?.get(..count * 12)?;
        // Some writers leave the final next-IFD offset out; nothing follows then.
        let next = self.long_at(at + 2 + count * 12).unwrap_or(0);
        Some((entries.chunks_exact(12).filter_map(|raw| self.entry(raw)).collect(), next))
    }

    fn entry(&self, raw: &'a [u8]) -> Option<Entry<'a>> {
        let &[t0, t1, k0, k1, c0, c1, c2, c3, v0, v1, v2, v3] = raw else { return None };
        let unit = match self.u16_of([k0, k1]) {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 | 13 => 4,
            5 | 10 | 12 => 8,
            _ => 0,
        };
        let size = self.long_of([c0, c1, c2, c3]).checked_mul(unit).filter(|_| unit > 0);
        let value = size.and_then(|size| {
            if size <= 4 {
                raw.get(8..8 + size)
            } else {
                let at = self.long_of([v0, v1, v2, v3]);
                self.data.get(at..at.checked_add(size)?)
            }
        });
        Some(Entry { tag: self.u16_of([t0, t1]), value })
    }
}

/// What an XMP property in namespace `uri` named `local` tells, if anything.
fn xmp_meaning(uri: &str, local: &str) -> Option<Meaning> {
    XMP_PROPERTIES.iter().find(|(ns, name, _)| *ns == uri && *name == local).map(|&(_, _, meaning)| meaning)
}

/// The namespace a name resolved to, falling back on the usual meaning of an undeclared prefix.
fn namespace_uri<'a>(resolved: &'a ResolveResult<'_>) -> Option<&'a str> {
    match resolved {
        ResolveResult::Bound(namespace) => Some(namespace.0),
        ResolveResult::Unknown(prefix) => {
            USUAL_PREFIXES.iter().find(|(usual, _)| usual == prefix).map(|&(_, uri)| uri)
        }
        ResolveResult::Unbound => None,
    }
}

/// Text from 8-bit bytes: UTF-8 when it is valid UTF-8 (as most software writes, whatever the
/// format says), Latin-1 otherwise.
fn eight_bit(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&byte| char::from(byte)).collect()),
    }
}

fn utf16(bytes: &[u8], little_endian: bool) -> String {
    let unit = if little_endian { u16::from_le_bytes } else { u16::from_be_bytes };
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]])).collect();
    String::from_utf16_lossy(&units)
}

/// EXIF UserComment: an 8-byte character code, then the text. Some writers leave the code out,
/// so a value without a known one is read whole.
fn user_comment(value: &[u8], little_endian: bool) -> Cow<'_, str> {
    match value.split_at_checked(8) {
        Some((b"UNICODE\0", text)) => {
            // The standard says the file's byte order, but writers disagree; the zero high
            // bytes of Latin letters tell which it is.
            let zeros = |skip| text.iter().skip(skip).step_by(2).filter(|&&byte| byte == 0).count();
            let (even, odd) = (zeros(0), zeros(1));
            Cow::Owned(utf16(text, if even == odd { little_endian } else { odd > even }))
        }
        Some((b"ASCII\0\0\0" | b"JIS\0\0\0\0\0" | b"\0\0\0\0\0\0\0\0", text)) => eight_bit(text),
        _ => eight_bit(value),
    }
}

fn be32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?))
}

fn split_at_nul(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let nul = bytes.iter().position(|&byte| byte == 0)?;
    Some((&bytes[..nul], &bytes[nul + 1..]))
}

/// An ImageMagick raw profile: its name, its size in bytes, then the bytes in hex.
fn unhex_profile(text: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(text).ok()?;
    let mut words = text.split_ascii_whitespace();
    let _name = words.next()?;
    let size: usize = words.next()?.parse().ok()?;
    let mut digits = words.flat_map(str::chars).map(|c| c.to_digit(16));
    // The claimed size is capped by the hex actually there, so it cannot set the allocation.
    let mut profile = Vec::with_capacity(size.min(text.len() / 2));
    while profile.len() < size {
        let (high, low) = (digits.next()??, digits.next()??);
        profile.push(u8::try_from(high << 4 | low).ok()?);
    }
    Some(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What postsafe reads from `bytes`, walked once as it walks a photo.
    fn read(bytes: &[u8]) -> Metadata {
        super::read(bytes, &crate::container::parse(bytes))
    }

    /// A value of an IFD entry in the test TIFF builder.
    #[derive(Clone)]
    enum Value {
        Ascii(&'static str),
        /// Raw bytes of the given TIFF type (1 BYTE, 7 UNDEFINED, ...).
        Raw(u16, Vec<u8>),
        Rationals(Vec<(u32, u32)>),
        Long(u32),
    }

    /// A TIFF structure with IFD0, an optional EXIF IFD, GPS IFD and IFD1, built byte by byte.
    #[derive(Default)]
    struct TiffBuilder {
        big_endian: bool,
        ifd0: Vec<(u16, Value)>,
        exif: Vec<(u16, Value)>,
        gps: Vec<(u16, Value)>,
        ifd1: Vec<(u16, Value)>,
    }

    impl TiffBuilder {
        fn build(&self) -> Vec<u8> {
            let be = self.big_endian;
            let u16b = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
            let u32b = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
            let size =
                |entries: &[(u16, Value)]| if entries.is_empty() { 0 } else { 2 + 12 * entries.len() + 4 };
            let mut ifd0 = self.ifd0.clone();
            let pointers = usize::from(!self.exif.is_empty()) + usize::from(!self.gps.is_empty());
            let at_exif = 8 + 2 + 12 * (ifd0.len() + pointers) + 4;
            let at_gps = at_exif + size(&self.exif);
            let at_ifd1 = at_gps + size(&self.gps);
            let data_at = at_ifd1 + size(&self.ifd1);
            if !self.exif.is_empty() {
                ifd0.push((EXIF_IFD_TAG, Value::Long(at_exif as u32)));
            }
            if !self.gps.is_empty() {
                ifd0.push((GPS_IFD_TAG, Value::Long(at_gps as u32)));
            }
            let mut out: Vec<u8> = if be { b"MM\0*".to_vec() } else { b"II*\0".to_vec() };
            out.extend(u32b(8));
            let mut data = Vec::new();
            let next0 = if self.ifd1.is_empty() { 0 } else { at_ifd1 as u32 };
            for (entries, next) in [(&ifd0, next0), (&self.exif, 0), (&self.gps, 0), (&self.ifd1, 0)] {
                if entries.is_empty() {
                    continue;
                }
                let mut entries = entries.clone();
                entries.sort_by_key(|(tag, _)| *tag);
                out.extend(u16b(entries.len() as u16));
                for (tag, value) in entries {
                    let (kind, count, bytes) = match value {
                        Value::Ascii(text) => (2, text.len() + 1, [text.as_bytes(), b"\0"].concat()),
                        Value::Raw(kind, mut bytes) => {
                            let unit = if kind == 4 { 4 } else { 1 };
                            bytes.resize(bytes.len().next_multiple_of(unit), 0);
                            (kind, bytes.len() / unit, bytes)
                        }
                        Value::Rationals(values) => (
                            5,
                            values.len(),
                            values.iter().flat_map(|&(n, d)| [u32b(n), u32b(d)]).flatten().collect(),
                        ),
                        Value::Long(value) => (4, 1, u32b(value).to_vec()),
                    };
                    out.extend(u16b(tag));
                    out.extend(u16b(kind));
                    out.extend(u32b(count as u32));
                    if bytes.len() <= 4 {
                        let mut inline = bytes.clone();
                        inline.resize(4, 0);
                        out.extend(inline);
                    } else {
                        out.extend(u32b((data_at + data.len()) as u32));
                        data.extend(&bytes);
                        if data.len() % 2 == 1 {
                            data.push(0);
                        }
                    }
                }
                out.extend(u32b(next));
            }
            assert_eq!(out.len(), data_at);
            out.extend(data);
            out
        }
    }

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().chain([0]).flat_map(u16::to_le_bytes).collect()
    }

    fn with_marker(marker: u8, payload: &[u8]) -> (u8, Vec<u8>) {
        (marker, payload.to_vec())
    }

    fn exif_segment(tiff: &TiffBuilder) -> (u8, Vec<u8>) {
        (0xE1, [b"Exif\0\0".as_slice(), &tiff.build()].concat())
    }

    fn xmp_segment(xmp: &str) -> (u8, Vec<u8>) {
        (0xE1, [XMP_SIGNATURE, xmp.as_bytes()].concat())
    }

    fn picture() -> image::DynamicImage {
        image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(24, 16, |x, y| {
            image::Rgb([(x * 10) as u8, (y * 15) as u8, 128])
        }))
    }

    fn encoded(format: image::ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        picture().write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A real JPEG from the `image` crate with `segments` inserted right after its SOI.
    fn jpeg_with(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let plain = encoded(image::ImageFormat::Jpeg);
        let mut out = plain[..2].to_vec();
        for (marker, payload) in segments {
            out.extend([0xFF, *marker]);
            out.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
            out.extend(payload);
        }
        out.extend(&plain[2..]);
        out
    }

    /// A real PNG from the `image` crate with `chunks` inserted right after its IHDR.
    fn png_with(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let plain = encoded(image::ImageFormat::Png);
        let after_ihdr = 8 + 8 + 13 + 4;
        let mut out = plain[..after_ihdr].to_vec();
        for (kind, data) in chunks {
            out.extend((data.len() as u32).to_be_bytes());
            out.extend(*kind);
            out.extend(data);
            out.extend(crc32fast::hash(&[kind.as_slice(), data].concat()).to_be_bytes());
        }
        out.extend(&plain[after_ihdr..]);
        out
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
    }

    /// IPTC-IIM record 2 datasets, after a record 1 dataset declaring UTF-8.
    fn iim(datasets: &[(u8, &str)]) -> Vec<u8> {
        let mut out = vec![0x1C, 1, 90, 0, 3, 0x1B, b'%', b'G'];
        for (dataset, text) in datasets {
            out.extend([0x1C, 2, *dataset]);
            out.extend((text.len() as u16).to_be_bytes());
            out.extend(text.as_bytes());
        }
        out
    }

    /// Photoshop image resources with empty names.
    fn irb(resources: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, data) in resources {
            out.extend(b"8BIM");
            out.extend(id.to_be_bytes());
            out.extend([0, 0]);
            out.extend((data.len() as u32).to_be_bytes());
            out.extend(data);
            if data.len() % 2 == 1 {
                out.push(0);
            }
        }
        out
    }

    fn xmp_doc(body: &str) -> String {
        format!(
            r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
{body}
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"#,
            bom = '\u{FEFF}'
        )
    }

    fn texts(meta: &Metadata) -> Vec<(Field, &str)> {
        meta.texts.iter().map(|(field, text)| (*field, text.as_str())).collect()
    }

    fn gps_and_time_exif(big_endian: bool) -> TiffBuilder {
        TiffBuilder {
            big_endian,
            ifd0: vec![(0x010F, Value::Ascii("Canon")), (0x0132, Value::Ascii("2024:05:17 10:12:00"))],
            exif: vec![(0x9003, Value::Ascii("2024:05:17 10:11:59"))],
            gps: vec![
                (0x0001, Value::Ascii("N")),
                (0x0002, Value::Rationals(vec![(51, 1), (30, 1), (1234, 100)])),
                (0x0003, Value::Ascii("W")),
                (0x0004, Value::Rationals(vec![(0, 1), (7, 1), (3900, 100)])),
            ],
            ..TiffBuilder::default()
        }
    }

    #[test]
    fn a_plain_photo_has_no_metadata() {
        for format in [image::ImageFormat::Jpeg, image::ImageFormat::Png, image::ImageFormat::Gif] {
            assert_eq!(read(&encoded(format)), Metadata::default(), "{format:?}");
        }
        assert_eq!(read(b""), Metadata::default());
        assert_eq!(read(b"BM not a photo we read"), Metadata::default());
    }

    #[test]
    fn gps_and_capture_time_are_found_in_exif() {
        let meta = read(&jpeg_with(&[exif_segment(&gps_and_time_exif(false))]));
        assert!(meta.gps);
        assert!(meta.capture_time);
        assert!(!meta.unreadable);
        assert!(!meta.thumbnail && !meta.owner_name && !meta.camera_serial && !meta.person_tags);
        assert!(meta.texts.is_empty(), "{:?}", meta.texts);
    }

    #[test]
    fn big_endian_exif_is_read_too() {
        let mut exif = gps_and_time_exif(true);
        exif.ifd0.push((0x010E, Value::Ascii("Zoë at sports day")));
        let meta = read(&jpeg_with(&[exif_segment(&exif)]));
        assert!(meta.gps && meta.capture_time && !meta.unreadable);
        assert_eq!(texts(&meta), [(Field::Description, "Zoë at sports day")]);
    }

    #[test]
    fn a_blank_capture_time_is_no_capture_time() {
        let exif = TiffBuilder {
            exif: vec![
                (0x9003, Value::Ascii("0000:00:00 00:00:00")),
                (0x9004, Value::Ascii("    :  :     :  :  ")),
            ],
            ..TiffBuilder::default()
        };
        let meta = read(&jpeg_with(&[exif_segment(&exif)]));
        assert!(!meta.capture_time && !meta.unreadable);
    }

    #[test]
    fn exif_texts_are_read_with_their_fields() {
        let unicode_comment = [b"UNICODE\0".as_slice(), &utf16le("Sophie's first painting")].concat();
        let exif = TiffBuilder {
            ifd0: vec![
                (0x010D, Value::Ascii("Class 3B scans")),
                (0x010E, Value::Ascii("Max on the climbing frame")),
                (0x013B, Value::Ascii("Mrs Patel")),
                (0x8298, Value::Raw(2, b"School photographer\0Editor Ann\0".to_vec())),
                (0x9C9B, Value::Raw(1, utf16le("Zoë's birthday"))),
                (0x9C9C, Value::Raw(1, utf16le("with Łukasz"))),
                (0x9C9D, Value::Raw(1, utf16le("Mr Brown"))),
                (0x9C9E, Value::Raw(1, utf16le("Priya;Tom"))),
                (0x9C9F, Value::Raw(1, utf16le("Jamal reading"))),
            ],
            exif: vec![(0x9286, Value::Raw(7, unicode_comment)), (0xA430, Value::Ascii("Owen Hart"))],
            ..TiffBuilder::default()
        };
        let meta = read(&jpeg_with(&[exif_segment(&exif)]));
        assert_eq!(
            texts(&meta),
            [
                (Field::Title, "Class 3B scans"),
                (Field::Description, "Max on the climbing frame"),
                (Field::Author, "Mrs Patel"),
                (Field::Author, "School photographer"),
                (Field::Author, "Editor Ann"),
                // The EXIF IFD's pointer (0x8769) comes before the XP tags (0x9C9B...).
                (Field::Comment, "Sophie's first painting"),
                (Field::Author, "Owen Hart"),
                (Field::Title, "Zoë's birthday"),
                (Field::Comment, "with Łukasz"),
                (Field::Author, "Mr Brown"),
                (Field::Keywords, "Priya;Tom"),
                (Field::Description, "Jamal reading"),
            ]
        );
        assert!(meta.owner_name);
        assert!(!meta.unreadable && !meta.gps && !meta.capture_time);
    }

    #[test]
    fn a_user_comment_is_read_whatever_its_character_code() {
        let big_endian_unicode: Vec<u8> =
            [b"UNICODE\0".as_slice(), &"Ava".encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<_>>()]
                .concat();
        for (value, expected) in [
            (big_endian_unicode, "Ava"),
            (b"ASCII\0\0\0Noah".to_vec(), "Noah"),
            (b"\0\0\0\0\0\0\0\0Mia   ".to_vec(), "Mia"),
            (b"Leo with no code".to_vec(), "Leo with no code"),
        ] {
            let exif = TiffBuilder { exif: vec![(0x9286, Value::Raw(7, value))], ..TiffBuilder::default() };
            assert_eq!(texts(&read(&jpeg_with(&[exif_segment(&exif)]))), [(Field::Comment, expected)]);
        }
    }

    #[test]
    fn camera_serial_numbers_are_noticed() {
        for tag in [0xA431, 0xA435] {
            let exif =
                TiffBuilder { exif: vec![(tag, Value::Ascii("0123456789"))], ..TiffBuilder::default() };
            let meta = read(&jpeg_with(&[exif_segment(&exif)]));
            assert!(meta.camera_serial && meta.texts.is_empty());
        }
    }

    #[test]
    fn an_exif_thumbnail_is_noticed() {
        let exif = TiffBuilder {
            ifd0: vec![(0x010F, Value::Ascii("Canon"))],
            ifd1: vec![
                (0x0103, Value::Raw(3, vec![6, 0])),
                (0x0201, Value::Long(400)),
                (0x0202, Value::Long(1200)),
            ],
            ..TiffBuilder::default()
        };
        let meta = read(&jpeg_with(&[exif_segment(&exif)]));
        assert!(meta.thumbnail && !meta.unreadable);
        assert!(!read(&jpeg_with(&[exif_segment(&gps_and_time_exif(false))])).thumbnail);
    }

    #[test]
    fn other_embedded_previews_are_noticed() {
        let jfif_thumbnail = [b"JFIF\0\x01\x01\x00\x00\x48\x00\x48\x01\x01".as_slice(), &[0, 0, 0]].concat();
        let previews = [
            with_marker(0xE0, &jfif_thumbnail),
            with_marker(0xE0, b"JFXX\0\x10\xFF\xD8\xFF\xD9"),
            with_marker(0xE2, b"MPF\0II*\0"),
            (0xED, [b"Photoshop 3.0\0".as_slice(), &irb(&[(0x040C, vec![1, 2, 3])])].concat()),
        ];
        for preview in previews {
            let meta = read(&jpeg_with(std::slice::from_ref(&preview)));
            assert!(meta.thumbnail && !meta.unreadable, "{:?}", &preview.1[..4]);
        }
    }

    #[test]
    fn person_in_image_is_read_from_xmp() {
        let xmp = xmp_doc(
            r#"<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
  <Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Zoë Hart</rdf:li><rdf:li>Tom &amp; Ava</rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImage>
  <Iptc4xmpExt:PersonInImageWDetails><rdf:Bag><rdf:li rdf:parseType="Resource">
    <Iptc4xmpExt:PersonName><rdf:Alt><rdf:li xml:lang="x-default">Priya Shah</rdf:li></rdf:Alt></Iptc4xmpExt:PersonName>
  </rdf:li></rdf:Bag></Iptc4xmpExt:PersonInImageWDetails>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&xmp)]));
        assert!(meta.person_tags && !meta.unreadable);
        assert_eq!(
            texts(&meta),
            [
                (Field::PersonInImage, "Zoë Hart"),
                (Field::PersonInImage, "Tom & Ava"),
                (Field::PersonInImage, "Priya Shah"),
            ]
        );
    }

    #[test]
    fn face_regions_and_their_names_are_read_from_xmp() {
        let mwg = xmp_doc(
            r#"<rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
  <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag>
    <rdf:li><rdf:Description mwg-rs:Name="Jamal" mwg-rs:Type="Face"><mwg-rs:Area stArea:x="0.5" stArea:y="0.4"/></rdf:Description></rdf:li>
  </rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&mwg)]));
        assert!(meta.person_tags && !meta.unreadable);
        assert_eq!(texts(&meta), [(Field::PersonInImage, "Jamal")]);

        let unnamed_face = xmp_doc(
            r#"<rdf:Description xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/">
  <mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource">
    <mwg-rs:Type>Face</mwg-rs:Type>
  </rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&unnamed_face)]));
        assert!(meta.person_tags && meta.texts.is_empty());

        let focus_only = unnamed_face.replace(">Face<", ">Focus<");
        assert!(!read(&jpeg_with(&[xmp_segment(&focus_only)])).person_tags);

        let microsoft = xmp_doc(
            r#"<rdf:Description xmlns:MP="http://ns.microsoft.com/photo/1.2/"
    xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
    xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">
  <MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>
    <rdf:li MPReg:Rectangle="0.1, 0.2, 0.3, 0.3" MPReg:PersonDisplayName="Noah Kim"/>
  </rdf:Bag></MPRI:Regions></MP:RegionInfo>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&microsoft)]));
        assert!(meta.person_tags);
        assert_eq!(texts(&meta), [(Field::PersonInImage, "Noah Kim")]);
    }

    #[test]
    fn xmp_descriptions_titles_keywords_creators_and_flags_are_read() {
        let xmp = xmp_doc(
            r#"<rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmp:CreateDate="2024-05-17T10:11:59" exif:GPSLatitude="51,30.2N" aux:SerialNumber="4200123"
    photoshop:Headline="Sports day">
  <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Relay &#x2014; Mia</rdf:li></rdf:Alt></dc:title>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default"><![CDATA[Leo <3 & friends]]></rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>sports</rdf:li><rdf:li>Oscar</rdf:li></rdf:Bag></dc:subject>
  <dc:creator><rdf:Seq><rdf:li>Ms Okafor</rdf:li></rdf:Seq></dc:creator>
  <lr:hierarchicalSubject><rdf:Bag><rdf:li>People|Ella Rose</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  <exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">ask Freya's mum</rdf:li></rdf:Alt></exif:UserComment>
  <xmp:CreatorTool>Photo Editor 9</xmp:CreatorTool>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&xmp)]));
        assert_eq!(
            texts(&meta),
            [
                (Field::Title, "Sports day"),
                (Field::Title, "Relay — Mia"),
                (Field::Description, "Leo <3 & friends"),
                (Field::Keywords, "sports"),
                (Field::Keywords, "Oscar"),
                (Field::Author, "Ms Okafor"),
                (Field::Keywords, "People|Ella Rose"),
                (Field::Comment, "ask Freya's mum"),
            ]
        );
        assert!(meta.capture_time && meta.gps && meta.camera_serial && meta.owner_name);
        assert!(!meta.person_tags && !meta.unreadable);
    }

    #[test]
    fn xmp_properties_are_found_by_namespace_whatever_their_prefix() {
        let xmp = xmp_doc(
            r#"<rdf:Description xmlns:d="http://purl.org/dc/elements/1.1/" d:title="Nora's kite">
  <d:description>Hugo</d:description>
  <dc:subject>undeclared prefix, usual meaning</dc:subject>
  <fake:title xmlns:fake="http://example.com/not-dc/">not a title</fake:title>
</rdf:Description>"#,
        );
        let meta = read(&jpeg_with(&[xmp_segment(&xmp)]));
        assert_eq!(
            texts(&meta),
            [
                (Field::Title, "Nora's kite"),
                (Field::Description, "Hugo"),
                (Field::Keywords, "undeclared prefix, usual meaning")
            ]
        );
    }

    #[test]
    fn extended_xmp_split_across_segments_is_joined() {
        let extended = xmp_doc(
            r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>Evie and Arlo</dc:description></rdf:Description>"#,
        );
        let guid = b"0123456789ABCDEF0123456789ABCDEF";
        let (first, second) = extended.as_bytes().split_at(70);
        let chunk = |offset: usize, data: &[u8]| {
            let full = extended.len() as u32;
            (
                0xE1,
                [EXTENDED_XMP_SIGNATURE, guid, &full.to_be_bytes(), &(offset as u32).to_be_bytes(), data]
                    .concat(),
            )
        };
        // Out of order on purpose: readers must join by offset.
        let jpeg = jpeg_with(&[chunk(70, second), xmp_segment(&xmp_doc("")), chunk(0, first)]);
        let meta = read(&jpeg);
        assert_eq!(texts(&meta), [(Field::Description, "Evie and Arlo")]);
        assert!(!meta.unreadable);

        let missing_part = jpeg_with(&[chunk(70, second)]);
        assert!(read(&missing_part).unreadable);
    }

    #[test]
    fn iptc_keywords_are_read() {
        let datasets = iim(&[
            (5, "Sports day"),
            (25, "Ruby"),
            (25, "relay"),
            (80, "Mr Brown"),
            (105, "Winners"),
            (120, "Ruby and Kai cross the line"),
            (55, "20240517"),
        ]);
        // Photoshop splits resources over segments; the IIM here is cut across two.
        let resources = irb(&[(0x03ED, vec![0; 16]), (0x0404, datasets)]);
        let (first, second) = resources.split_at(40);
        let jpeg = jpeg_with(&[
            (0xED, [b"Photoshop 3.0\0".as_slice(), first].concat()),
            (0xED, [b"Photoshop 3.0\0".as_slice(), second].concat()),
        ]);
        let meta = read(&jpeg);
        assert_eq!(
            texts(&meta),
            [
                (Field::Title, "Sports day"),
                (Field::Keywords, "Ruby"),
                (Field::Keywords, "relay"),
                (Field::Author, "Mr Brown"),
                (Field::Title, "Winners"),
                (Field::Description, "Ruby and Kai cross the line"),
            ]
        );
        assert!(meta.capture_time && meta.owner_name && !meta.unreadable);
    }

    #[test]
    fn the_same_text_in_exif_xmp_and_iptc_is_kept_once() {
        let exif = TiffBuilder { ifd0: vec![(0x010E, Value::Ascii("Ruby"))], ..TiffBuilder::default() };
        let xmp = xmp_doc(
            r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:description="Ruby"/>"#,
        );
        let iptc = (0xED, [b"Photoshop 3.0\0".as_slice(), &irb(&[(0x0404, iim(&[(120, "Ruby")]))])].concat());
        let meta = read(&jpeg_with(&[exif_segment(&exif), xmp_segment(&xmp), iptc]));
        assert_eq!(texts(&meta), [(Field::Description, "Ruby")]);
    }

    #[test]
    fn a_jpeg_comment_is_read() {
        let meta = read(&jpeg_with(&[with_marker(0xFE, b"Zo\xEB's class")]));
        assert_eq!(texts(&meta), [(Field::Comment, "Zoë's class")]);
    }

    #[test]
    fn metadata_after_the_first_scan_of_a_progressive_jpeg_is_read() {
        let mut jpeg = jpeg_with(&[]);
        let eoi = jpeg.len() - 2;
        assert_eq!(&jpeg[eoi..], [0xFF, 0xD9]);
        jpeg.splice(eoi..eoi, [0xFF, 0xFE, 0, 6, b'A', b'l', b'f', b'i']);
        assert_eq!(texts(&read(&jpeg)), [(Field::Comment, "Alfi")]);
    }

    #[test]
    fn png_text_chunks_are_read() {
        let itxt = |key: &str, compressed: bool, text: &str| {
            let text = if compressed { zlib(text.as_bytes()) } else { text.as_bytes().to_vec() };
            [key.as_bytes(), &[0, u8::from(compressed), 0], b"en\0Titel\0", &text].concat()
        };
        let png = png_with(&[
            (b"tEXt", b"Title\0Zo\xEB painting".to_vec()),
            (b"zTXt", [b"Description\0\0".as_slice(), &zlib(b"Max and Sam")].concat()),
            (b"tEXt", b"Author\0Mrs Patel".to_vec()),
            (b"iTXt", itxt("Comment", false, "Łukasz")),
            (b"iTXt", itxt("Keywords", true, "Ivy")),
            (b"tEXt", b"Software\0Paint Studio".to_vec()),
            (b"tIME", vec![0x07, 0xE8, 5, 17, 10, 11, 59]),
        ]);
        let meta = read(&png);
        assert_eq!(
            texts(&meta),
            [
                (Field::Title, "Zoë painting"),
                (Field::Description, "Max and Sam"),
                (Field::Author, "Mrs Patel"),
                (Field::Comment, "Łukasz"),
                (Field::Keywords, "Ivy"),
                (Field::Comment, "Paint Studio"),
            ]
        );
        assert!(meta.capture_time && meta.owner_name && !meta.unreadable);
    }

    #[test]
    fn png_exif_and_xmp_are_read() {
        let xmp = xmp_doc(
            r#"<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:PersonInImage="Arlo"/>"#,
        );
        let png = png_with(&[
            (b"eXIf", gps_and_time_exif(false).build()),
            (b"iTXt", [b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), xmp.as_bytes()].concat()),
        ]);
        let meta = read(&png);
        assert!(meta.gps && meta.capture_time && meta.person_tags && !meta.unreadable);
        assert_eq!(texts(&meta), [(Field::PersonInImage, "Arlo")]);
    }

    #[test]
    fn imagemagick_raw_profiles_in_png_are_read() {
        let exif = [b"Exif\0\0".as_slice(), &gps_and_time_exif(false).build()].concat();
        let hex: String = exif.iter().map(|byte| format!("{byte:02x}")).collect();
        let lines: Vec<&str> =
            hex.as_bytes().chunks(72).map(|line| std::str::from_utf8(line).unwrap()).collect();
        let profile = format!("\nexif\n{:8}\n{}\n", exif.len(), lines.join("\n"));
        let iptc = iim(&[(25, "Theo")]);
        let iptc_hex: String = iptc.iter().map(|byte| format!("{byte:02x}")).collect();
        let png = png_with(&[
            (b"zTXt", [b"Raw profile type exif\0\0".as_slice(), &zlib(profile.as_bytes())].concat()),
            (b"tEXt", format!("Raw profile type iptc\0\niptc\n{}\n{iptc_hex}\n", iptc.len()).into_bytes()),
        ]);
        let meta = read(&png);
        assert!(meta.gps && meta.capture_time && !meta.unreadable);
        assert_eq!(texts(&meta), [(Field::Keywords, "Theo")]);
    }

    #[test]
    fn webp_exif_and_xmp_chunks_are_read() {
        let xmp =
            xmp_doc(r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="Grace"/>"#);
        let mut webp = encoded(image::ImageFormat::WebP);
        for (kind, data) in [(b"EXIF", gps_and_time_exif(false).build()), (b"XMP ", xmp.into_bytes())] {
            webp.extend(kind);
            webp.extend((data.len() as u32).to_le_bytes());
            webp.extend(&data);
            if data.len() % 2 == 1 {
                webp.push(0);
            }
        }
        let riff_size = (webp.len() - 8) as u32;
        webp[4..8].copy_from_slice(&riff_size.to_le_bytes());
        let meta = read(&webp);
        assert!(meta.gps && meta.capture_time && !meta.unreadable);
        assert_eq!(texts(&meta), [(Field::Title, "Grace")]);
    }

    #[test]
    fn a_tiff_file_is_its_own_exif() {
        let xmp =
            xmp_doc(r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:subject="Ella"/>"#);
        let tiff = TiffBuilder {
            big_endian: true,
            ifd0: vec![
                (0x010E, Value::Ascii("Harvey's model")),
                (XMP_TAG, Value::Raw(1, xmp.into_bytes())),
                // IPTC in TIFF is often typed LONG; its bytes are the same stream.
                (IPTC_TAG, Value::Raw(4, iim(&[(80, "Mr Brown")]))),
            ],
            ifd1: vec![(0x0111, Value::Long(8))],
            ..TiffBuilder::default()
        };
        let meta = read(&tiff.build());
        assert_eq!(
            texts(&meta),
            [(Field::Description, "Harvey's model"), (Field::Keywords, "Ella"), (Field::Author, "Mr Brown")]
        );
        assert!(meta.thumbnail && meta.owner_name && !meta.unreadable);
    }

    #[test]
    fn gif_comments_and_xmp_are_read() {
        let mut gif = encoded(image::ImageFormat::Gif);
        assert_eq!(gif.pop(), Some(0x3B));
        gif.extend([0x21, 0xFE, 11]);
        gif.extend(b"Harper's go");
        gif.extend([0]);
        let xmp =
            xmp_doc(r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="Finn"/>"#);
        gif.extend([0x21, 0xFF, 11]);
        gif.extend(b"XMP DataXMP");
        gif.extend(xmp.as_bytes());
        gif.extend(GIF_XMP_TRAILER);
        gif.extend([0, 0x3B]);
        assert!(image::load_from_memory(&gif).is_ok());
        let meta = read(&gif);
        assert_eq!(texts(&meta), [(Field::Comment, "Harper's go"), (Field::Title, "Finn")]);
        assert!(!meta.unreadable);
    }

    #[test]
    fn garbage_metadata_is_unreadable_not_a_panic() {
        let ps = |data: &[u8]| (0xED, [b"Photoshop 3.0\0".as_slice(), data].concat());
        let bad_jpegs = [
            jpeg_with(&[(0xE1, b"Exif\0\0not a tiff at all".to_vec())]),
            jpeg_with(&[(0xE1, b"Exif\0\0II*\0\xFF\xFF\xFF\x7F".to_vec())]),
            jpeg_with(&[xmp_segment("<x:xmpmeta><rdf:RDF><rdf:Description>")]),
            jpeg_with(&[xmp_segment("<a><b></a></b>")]),
            jpeg_with(&[xmp_segment("no xml here")]),
            jpeg_with(&[xmp_segment(&xmp_doc(
                "<dc:title xmlns:dc=\"http://purl.org/dc/elements/1.1/\">&bogus;</dc:title>",
            ))]),
            jpeg_with(&[ps(b"8BIM\x04\x04\0\0\xFF\xFF\xFF\xFF")]),
            jpeg_with(&[ps(b"garbage!")]),
            jpeg_with(&[ps(&irb(&[(0x0404, b"\x1C\x02\x19\xFF\xFF".to_vec())]))]),
            jpeg_with(&[ps(&irb(&[(0x0404, b"\x1C\x02\x19\x80\x09".to_vec())]))]),
        ];
        for (i, jpeg) in bad_jpegs.iter().enumerate() {
            assert!(read(jpeg).unreadable, "case {i}");
        }
        assert!(read(&png_with(&[(b"zTXt", b"Title\0\0not zlib".to_vec())])).unreadable);
        assert!(read(&png_with(&[(b"iTXt", b"Title".to_vec())])).unreadable);
        assert!(read(&png_with(&[(b"tEXt", b"Raw profile type exif\0\nexif\n 99\nzz".to_vec())])).unreadable);
    }

    #[test]
    fn a_hostile_file_cannot_make_the_reader_allocate_much() {
        // Inflates to 2 MB, past what one text may take.
        let bomb = png_with(&[(b"zTXt", [b"Comment\0\0".as_slice(), &zlib(&vec![b'a'; 2 << 20])].concat())]);
        let meta = read(&bomb);
        assert!(meta.unreadable && meta.texts.is_empty());

        // An entry claiming four billion bytes, and an IFD claiming more entries than fit.
        let mut exif =
            TiffBuilder { ifd0: vec![(0x010E, Value::Ascii("Ada Lovelace"))], ..TiffBuilder::default() }
                .build();
        exif[14..18].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(read(&exif).unreadable);
        exif[8..10].copy_from_slice(&u16::MAX.to_le_bytes());
        assert!(read(&exif).unreadable);

        // A raw profile claiming a huge size but holding little.
        let meta = read(&png_with(&[(b"tEXt", b"Raw profile type xmp\0\nxmp\n 4000000000\n3c61".to_vec())]));
        assert!(meta.unreadable);

        // More texts than any photo has.
        let items: String = (0..MAX_TEXTS + 5).map(|i| format!("<rdf:li>k{i}</rdf:li>")).collect();
        let xmp = xmp_doc(&format!(
            r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject></rdf:Description>"#
        ));
        let meta = read(&png_with(&[(
            b"iTXt",
            [b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), xmp.as_bytes()].concat(),
        )]));
        assert!(meta.unreadable);
        assert_eq!(meta.texts.len(), MAX_TEXTS);
    }

    #[test]
    fn exif_directories_that_point_back_do_not_loop() {
        let mut tiff = TiffBuilder {
            ifd0: vec![(0x010E, Value::Ascii("Ada"))],
            exif: vec![(0x9003, Value::Ascii("2024:05:17 10:11:59"))],
            ..TiffBuilder::default()
        }
        .build();
        // Point the EXIF IFD back at IFD0 and IFD0's next IFD at itself.
        let exif_pointer_value = 8 + 2 + 12 + 8;
        tiff[exif_pointer_value..exif_pointer_value + 4].copy_from_slice(&8u32.to_le_bytes());
        tiff[8 + 2 + 24..8 + 2 + 28].copy_from_slice(&8u32.to_le_bytes());
        let meta = read(&tiff);
        assert_eq!(texts(&meta), [(Field::Description, "Ada")]);
    }

    #[test]
    fn exif_nested_in_photoshop_resources_is_read_but_not_without_end() {
        let nest = |levels: usize| {
            let mut tiff =
                TiffBuilder { ifd0: vec![(0x010E, Value::Ascii("Daisy"))], ..TiffBuilder::default() }.build();
            for _ in 0..levels {
                let resources = irb(&[(0x0422, tiff)]);
                tiff = TiffBuilder {
                    ifd0: vec![(PHOTOSHOP_TAG, Value::Raw(1, resources))],
                    ..TiffBuilder::default()
                }
                .build();
            }
            tiff
        };
        let once = read(&nest(1));
        assert_eq!(texts(&once), [(Field::Description, "Daisy")]);
        assert!(!once.unreadable);
        let deep = read(&nest(5_000));
        assert!(deep.unreadable && deep.texts.is_empty());
    }

    #[test]
    fn cut_or_corrupted_files_never_panic() {
        let everything = jpeg_with(&[
            exif_segment(&TiffBuilder { ifd1: vec![(0x0201, Value::Long(8))], ..gps_and_time_exif(false) }),
            xmp_segment(&xmp_doc(
                r#"<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:title="Ada"/>"#,
            )),
            (0xED, [b"Photoshop 3.0\0".as_slice(), &irb(&[(0x0404, iim(&[(25, "Ada")]))])].concat()),
            with_marker(0xFE, b"Ada"),
        ]);
        let png = png_with(&[
            (b"eXIf", gps_and_time_exif(true).build()),
            (b"zTXt", [b"Description\0\0".as_slice(), &zlib(b"Ada")].concat()),
        ]);
        let mut gif = encoded(image::ImageFormat::Gif);
        gif.splice(gif.len() - 1.., [0x21, 0xFE, 3, b'A', b'd', b'a', 0, 0x3B]);
        let files =
            [everything, png, gif, encoded(image::ImageFormat::WebP), gps_and_time_exif(true).build()];
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        for file in &files {
            for cut in 0..file.len() {
                read(&file[..cut]);
            }
            for _ in 0..300 {
                let mut damaged = file.clone();
                for _ in 0..4 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let at = (seed % damaged.len() as u64) as usize;
                    damaged[at] = (seed >> 32) as u8;
                }
                read(&damaged);
            }
        }
    }

    #[test]
    fn fields_are_named_plainly_for_a_teacher() {
        assert_eq!(Field::PersonInImage.to_string(), "person-in-image tag");
        assert_eq!(Field::FileName.to_string(), "file name");
        assert_eq!(serde_json::to_string(&Field::PersonInImage).unwrap(), "\"person_in_image\"");
        assert_eq!(serde_json::from_str::<Field>("\"folder_name\"").unwrap(), Field::FolderName);
    }
}
