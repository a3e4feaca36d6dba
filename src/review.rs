//! The review page: one self-contained HTML file that lets a member of staff see at a glance
//! what is ready to post, what was held back and why, and what went wrong.
//!
//! Pictures on the page are [`Thumbnail`]s made while each photo was analysed, embedded as
//! data URIs, so the page works offline, can be moved with its folder, and never holds a
//! photo of a child at a size worth copying. It runs no script and loads nothing.

use crate::decide::Outcome;
use crate::detect::Face;
use crate::report::{PhotoReport, Report, NOT_CHECKED};
use base64::Engine;
use image::DynamicImage;
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

/// File name of the review page inside the output folder, next to the report.
pub const REVIEW_FILE: &str = "review.html";
/// Long side, in pixels, of a thumbnail: enough to recognise the scene and judge a face box,
/// too small to be of use as a copy of the photo.
pub const THUMBNAIL_SIDE: u32 = 160;
/// JPEG quality of thumbnails; they are looked at once, on screen.
const THUMBNAIL_QUALITY: u8 = 80;
/// Colours of the face boxes, in turn; each face's score on the page has its box's colour,
/// since text drawn into a thumbnail this small could not be read.
const BOX_COLOURS: [[u8; 3]; 6] =
    [[255, 0, 64], [0, 200, 255], [255, 220, 0], [0, 255, 100], [255, 120, 0], [220, 80, 255]];

/// The colour of the box around the `index`-th face or name of a photo's [`Thumbnail`], as
/// red, green and blue: a page listing the scores shows each in its box's colour.
pub fn box_colour(index: usize) -> [u8; 3] {
    BOX_COLOURS[index % BOX_COLOURS.len()]
}

/// A small picture of a photo for the review page: a JPEG whose long side is at most
/// [`THUMBNAIL_SIDE`], with a box drawn around every face found.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for Thumbnail {
    // The bytes would flood any debug print of a report.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Thumbnail({}×{}, {} bytes)", self.width, self.height, self.jpeg.len())
    }
}

impl Thumbnail {
    /// `picture` scaled down, with `faces` (in pixels of the upright original, `original_width`
    /// wide, which `picture` may be a scaled copy of) boxed in [`BOX_COLOURS`]. Transparent
    /// areas are shown over white, as a viewer shows them.
    pub(crate) fn new(picture: &DynamicImage, faces: &[Face], original_width: u32) -> Thumbnail {
        let small = crate::resize::fit_within(picture, THUMBNAIL_SIDE);
        let mut rgb = crate::read::over_white(small);
        let scale = rgb.width() as f32 / original_width.max(1) as f32;
        for (i, face) in faces.iter().enumerate() {
            let colour = image::Rgb(box_colour(i));
            let at = |v: u32| (v as f32 * scale).round() as i32;
            // Two pixels thick, and never smaller than the line, so a tiny face still shows.
            let (w, h) = ((at(face.w) as u32).max(4), (at(face.h) as u32).max(4));
            for inset in 0..2 {
                let rect = imageproc::rect::Rect::at(at(face.x) + inset, at(face.y) + inset)
                    .of_size((w - 2 * inset as u32).max(1), (h - 2 * inset as u32).max(1));
                imageproc::drawing::draw_hollow_rect_mut(&mut rgb, rect, colour);
            }
        }
        let mut jpeg = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, THUMBNAIL_QUALITY);
        rgb.write_with_encoder(encoder).expect("a small RGB picture always encodes as JPEG in memory");
        Thumbnail { jpeg, width: rgb.width(), height: rgb.height() }
    }

    /// The thumbnail as a JPEG file's bytes.
    pub fn jpeg(&self) -> &[u8] {
        &self.jpeg
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
}

const STYLE: &str = "\
body{font:15px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#f6f6f4}\
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:10px 20px}\
h1{font-size:20px;margin:0 0 6px}h2{font-size:18px;margin:24px 0 4px}\
.bar{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}\
.bar a{display:block;padding:4px 12px;border-radius:4px;color:#fff;text-decoration:none;font-weight:600}\
.ready{background:#2e7d32}.held{background:#c62828}.problem{background:#e65100}.skipped{background:#546e7a}\
.none{background:#9e9e9e}.where{color:#555;margin:6px 0 0;font-size:13px;overflow-wrap:anywhere}\
.stopped{background:#fff3cd;border:2px solid #e65100;padding:6px 10px;margin:8px 0 0;font-weight:600}\
main{padding:0 20px 30px}.hint{color:#555;margin:0 0 10px}\
.grid{display:flex;flex-wrap:wrap;gap:12px;list-style:none;margin:0;padding:0}\
.grid>li{width:176px;background:#fff;border:1px solid #ddd;border-radius:4px;padding:8px;overflow-wrap:anywhere}\
.grid img{display:block;margin:0 auto 6px;max-width:160px;max-height:160px}\
.blank{height:100px;display:flex;align-items:center;justify-content:center;text-align:center;\
background:#eee;color:#555;font-size:13px;margin-bottom:6px}\
.input{font-weight:600;margin:0}.folder{font-weight:400;color:#555}.why{color:#b71c1c;margin:2px 0 0}.look{background:#fff3cd;color:#5c4400;padding:2px 4px;margin:4px 0 0;font-size:13px}.note{color:#555;font-size:13px;margin:2px 0 0}\
.faces{list-style:none;margin:2px 0 0;padding:0;font-size:13px}\
.swatch{display:inline-block;width:10px;height:10px;border:1px solid #333;margin-right:4px}\
.problems{list-style:none;margin:0;padding:0}\
.problems>li{background:#fff;border:1px solid #ddd;border-left:4px solid #e65100;padding:6px 10px;margin:0 0 8px;overflow-wrap:anywhere}\
.todo{margin:2px 0 0}";

/// The review page for `report`, as HTML (also well-formed XML, so any XML parser reads it).
/// Every input appears exactly once, in one of three sections: ready to post, held back,
/// and problems.
pub(crate) fn render(report: &Report) -> String {
    let s = &report.summary;
    let ready = sure_last(report.photos.iter().filter(|p| p.outcome.is_published()));
    let held = sure_last(report.photos.iter().filter(|p| p.outcome == Outcome::HeldBack));
    let problems: Vec<&PhotoReport> =
        report.photos.iter().filter(|p| matches!(p.outcome, Outcome::Error | Outcome::Skipped)).collect();
    let common = common_folder(report);
    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
    let _ = write!(
        page,
        "<title>postsafe: {} ready, {} held back, {} problems</title><style>{STYLE}</style></head><body>",
        ready.len(),
        held.len(),
        problems.len()
    );
    page.push_str("<header><h1>Photo check</h1><ul class=\"bar\">");
    let blurred = if s.blurred > 0 { format!(" ({} with faces covered)", s.blurred) } else { String::new() };
    let count = |page: &mut String, n: usize, class: &str, anchor: &str, words: &str| {
        let class = if n == 0 { "none" } else { class };
        let _ = write!(page, "<li><a class=\"{class}\" href=\"#{anchor}\">{n} {words}</a></li>");
    };
    count(&mut page, ready.len(), "ready", "ready", &format!("ready to post{blurred}"));
    count(&mut page, held.len(), "held", "held", "held back");
    count(&mut page, s.error, "problem", "problems", if s.error == 1 { "error" } else { "errors" });
    count(&mut page, s.skipped, "skipped", "problems", "skipped");
    page.push_str("</ul>");
    if !common.as_os_str().is_empty() {
        let _ = write!(page, "<p class=\"where\">Files in {}</p>", escape(&common.display().to_string()));
    }
    if report.stopped_early {
        let unchecked = problems.iter().filter(|p| p.error.as_deref() == Some(NOT_CHECKED)).count();
        let _ = write!(
            page,
            "<p class=\"stopped\">Stopped early: {unchecked} of {} files were not checked. \
             Run postsafe again on the same photos to check them.</p>",
            report.photos.len()
        );
    }
    page.push_str("</header><main>");

    page.push_str("<section id=\"ready\"><h2>Ready to post</h2>");
    if ready.is_empty() {
        page.push_str("<p class=\"hint\">No photo is ready to post.</p>");
    } else {
        page.push_str(
            "<p class=\"hint\">These copies are in the ready folder, without GPS, dates or names. \
             Look them over before posting: click one to see it full size.</p><ul class=\"grid\">",
        );
        for p in &ready {
            ready_entry(&mut page, p, &common);
        }
        page.push_str("</ul>");
    }
    page.push_str("</section><section id=\"held\"><h2>Held back</h2>");
    if held.is_empty() {
        page.push_str("<p class=\"hint\">Nothing was held back.</p>");
    } else {
        page.push_str(
            "<p class=\"hint\">Not copied; the originals are untouched. Each face found is boxed, \
             with the detector's score beside its colour (1 is certain).</p><ul class=\"grid\">",
        );
        for p in &held {
            held_entry(&mut page, p, &common);
        }
        page.push_str("</ul>");
    }
    page.push_str("</section><section id=\"problems\"><h2>Problems</h2>");
    if problems.is_empty() {
        page.push_str("<p class=\"hint\">No problems: every file was a photo and was checked.</p>");
    } else {
        page.push_str(
            "<p class=\"hint\">None of these was copied. What to do is under each one.</p>\
             <ul class=\"problems\">",
        );
        for p in &problems {
            problem_entry(&mut page, p, &common);
        }
        page.push_str("</ul>");
    }
    page.push_str("</section></main></body></html>\n");
    page
}

/// `photos` with those whose decision is not a sure one first, in their order, then the rest:
/// the ones a person should look at come first in each section.
fn sure_last<'a>(photos: impl Iterator<Item = &'a PhotoReport>) -> Vec<&'a PhotoReport> {
    let mut photos: Vec<&PhotoReport> = photos.collect();
    photos.sort_by_key(|p| p.uncertainty.is_none());
    photos
}

fn ready_entry(page: &mut String, p: &PhotoReport, common: &Path) {
    entry_start(page, p);
    let file = p.output.as_deref().and_then(|o| Path::new(o).file_name()).map(|f| f.to_string_lossy());
    match (&p.thumbnail, file) {
        // Outputs have neutral names, so the link needs no escaping beyond the usual.
        (Some(thumb), Some(file)) => {
            let _ = write!(page, "<a href=\"{}/{}\">", crate::write::READY_DIR, escape(&file));
            image_tag(page, thumb);
            page.push_str("</a>");
        }
        (Some(thumb), None) => image_tag(page, thumb),
        (None, _) => page.push_str("<div class=\"blank\">no picture</div>"),
    }
    input_line(page, p, common);
    look_closely(page, p);
    if p.outcome == Outcome::Blurred {
        let _ = write!(page, "<p class=\"why\">{} covered</p>", faces_word(p.faces.len()));
    }
    if !p.removed.is_empty() {
        let removed: Vec<String> = p.removed.iter().map(|r| r.singular().to_string()).collect();
        let _ = write!(page, "<p class=\"note\">removed: {}</p>", escape(&removed.join(", ")));
    }
    for warning in &p.warnings {
        let _ = write!(page, "<p class=\"note\">note: {}</p>", escape(warning));
    }
    page.push_str("</li>");
}

fn held_entry(page: &mut String, p: &PhotoReport, common: &Path) {
    entry_start(page, p);
    match &p.thumbnail {
        Some(thumb) => image_tag(page, thumb),
        // A report read back from its JSON, which does not carry pictures.
        None => page.push_str("<div class=\"blank\">no picture in this report</div>"),
    }
    input_line(page, p, common);
    look_closely(page, p);
    let _ = write!(page, "<p class=\"why\">{}</p>", escape(p.reason.as_deref().unwrap_or("held back")));
    if !p.faces.is_empty() {
        page.push_str("<ul class=\"faces\">");
        for (i, face) in p.faces.iter().enumerate() {
            let [r, g, b] = box_colour(i);
            let _ = write!(
                page,
                "<li><span class=\"swatch\" style=\"background:rgb({r},{g},{b})\"></span>face, score {:.2}</li>",
                face.score
            );
        }
        page.push_str("</ul>");
    }
    page.push_str("</li>");
}

/// Why a person should look at this photo, when its decision is not a sure one.
fn look_closely(page: &mut String, p: &PhotoReport) {
    if let Some(why) = &p.uncertainty {
        let _ = write!(page, "<p class=\"look\"><strong>Look closely:</strong> {}</p>", escape(why));
    }
}

fn problem_entry(page: &mut String, p: &PhotoReport, common: &Path) {
    entry_start(page, p);
    input_line(page, p, common);
    let said = p.error.as_deref().unwrap_or("unknown problem");
    // Messages start with the file's path, which the line above already shows.
    let said = said.strip_prefix(&format!("{}: ", p.input)).unwrap_or(said);
    let todo = match p.outcome {
        Outcome::Skipped if said == NOT_CHECKED => "",
        Outcome::Skipped => {
            "Nothing to do unless it is a photo: then save it as JPEG or PNG and run postsafe again."
        }
        // postsafe's error messages end with what to do.
        _ => "",
    };
    let _ = write!(page, "<p class=\"todo\">{}</p>", escape(said));
    if !todo.is_empty() {
        let _ = write!(page, "<p class=\"todo\">{todo}</p>");
    }
    page.push_str("</li>");
}

/// Opens an entry, carrying its input's full path for programs (and the tests) to find.
fn entry_start(page: &mut String, p: &PhotoReport) {
    let _ = write!(page, "<li data-input=\"{}\">", escape(&p.input));
}

/// The input's name in bold, after its folder below the folder common to all inputs (which
/// the header shows once), so long paths do not bury the names.
fn input_line(page: &mut String, p: &PhotoReport, common: &Path) {
    let path = Path::new(&p.input);
    let shown = path.strip_prefix(common).unwrap_or(path);
    let folder = shown.parent().map(|f| f.display().to_string()).filter(|f| !f.is_empty());
    let name = shown.file_name().map(|n| n.to_string_lossy()).unwrap_or_else(|| p.input.as_str().into());
    page.push_str("<p class=\"input\">");
    if let Some(folder) = folder {
        let _ =
            write!(page, "<span class=\"folder\">{}{}</span>", escape(&folder), std::path::MAIN_SEPARATOR);
    }
    let _ = write!(page, "{}</p>", escape(&name));
}

/// The deepest folder that holds every input.
fn common_folder(report: &Report) -> PathBuf {
    let mut common: Option<Vec<Component>> = None;
    for p in &report.photos {
        let folder = Path::new(&p.input).parent().unwrap_or(Path::new(""));
        common = Some(match common {
            None => folder.components().collect(),
            Some(so_far) => so_far
                .into_iter()
                .zip(folder.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    common.map(|c| c.into_iter().collect()).unwrap_or_default()
}

fn image_tag(page: &mut String, thumb: &Thumbnail) {
    let data = base64::engine::general_purpose::STANDARD.encode(&thumb.jpeg);
    let _ = write!(
        page,
        "<img width=\"{}\" height=\"{}\" alt=\"thumbnail\" src=\"data:image/jpeg;base64,{data}\"/>",
        thumb.width, thumb.height
    );
}

fn faces_word(n: usize) -> String {
    if n == 1 {
        "1 face".into()
    } else {
        format!("{n} faces")
    }
}

/// `text` safe inside an HTML element or a quoted attribute.
fn escape(text: &str) -> String {
    let text = crate::report::printable(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_file_name_is_shown_as_text() {
        assert_eq!(escape("<b>Tom & \"Zoë\"'s</b>"), "&lt;b&gt;Tom &amp; &quot;Zoë&quot;&#39;s&lt;/b&gt;");
    }

    #[test]
    fn a_thumbnail_is_small_and_boxes_the_face_in_colour() {
        let grey = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(2000, 1000, image::Rgb([128; 3])));
        let face = Face { score: 0.9, ..Face::area(1000, 400, 200, 250) };
        let thumb = Thumbnail::new(&grey, &[face], 2000);
        assert_eq!((thumb.width(), thumb.height()), (THUMBNAIL_SIDE, THUMBNAIL_SIDE / 2));
        let decoded = image::load_from_memory(thumb.jpeg()).unwrap().to_rgb8();
        // The box's left edge is at 1000 × 160 / 2000 = 80, from y = 32 to 52.
        let edge = decoded.get_pixel(80, 42);
        assert!(edge[0] > 200 && edge[1] < 90, "red box edge, found {edge:?}");
        let inside = decoded.get_pixel(88, 42);
        assert!(inside.0.iter().all(|&c| c.abs_diff(128) < 20), "inside untouched, found {inside:?}");
    }
}
