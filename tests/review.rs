//! The review page a member of staff looks at after a run: every input once, in the right
//! section, faces boxed on small thumbnails, and a page a real browser renders.

mod support;

use postsafe::{Filter, Options, Report, Roster, THUMBNAIL_SIDE};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::painted;

fn filter() -> &'static Filter {
    static FILTER: OnceLock<Filter> = OnceLock::new();
    FILTER.get_or_init(|| {
        let roster = Roster::parse(painted::SAMPLE_ROSTER);
        Filter::new(Options { roster, ..Options::default() }).expect("the built-in model loads")
    })
}

/// A file name a browser would take for markup if the page did not escape it.
const MARKUP_NAME: &str = "<b>Tom & \"Jo\"<i>'s.jpg";

/// The painted sample batch, plus a painting under [`MARKUP_NAME`], run into `out/`.
fn sample_run() -> (tempfile::TempDir, Vec<PathBuf>, PathBuf, Report) {
    let root = tempfile::tempdir().expect("temp dir");
    let photos = root.path().join("photos");
    let mut inputs = painted::sample_batch(&photos);
    let marked = photos.join("Art week").join(MARKUP_NAME);
    fs::write(&marked, support::jpeg_with_exif(&painted::painting(30), 1, false)).unwrap();
    inputs.push(marked);
    let out = root.path().join("out");
    let report = filter().run(&[&photos], &out, &()).expect("the run completes");
    (root, inputs, out, report)
}

/// Each entry on the page, as (section id, the input it is for), with the page's images.
struct Page {
    entries: Vec<(String, String)>,
    images: Vec<image::DynamicImage>,
}

/// Reads the page with an XML parser: it is well-formed, so anything a browser could
/// misread (an unescaped `<` or `&` in a file name) makes this fail.
fn parse(html: &str) -> Page {
    let mut reader = quick_xml::Reader::from_str(html);
    let (mut section, mut entries, mut images) = (String::new(), Vec::new(), Vec::new());
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("the page is not well-formed: {e}")) {
            Event::Eof => break,
            Event::Start(tag) | Event::Empty(tag) => {
                let attr = |name: &str| {
                    tag.try_get_attribute(name).expect("attributes parse").map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .expect("attribute unescapes")
                            .into_owned()
                    })
                };
                match tag.name().as_ref() {
                    "section" => section = attr("id").expect("sections have ids"),
                    "li" => {
                        if let Some(input) = attr("data-input") {
                            entries.push((section.clone(), input));
                        }
                    }
                    "img" => {
                        let src = attr("src").expect("images have a source");
                        let data = src.strip_prefix("data:image/jpeg;base64,").expect("embedded JPEG");
                        let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data)
                            .expect("base64");
                        images.push(image::load_from_memory(&bytes).expect("the thumbnail decodes"));
                    }
                    "script" | "iframe" | "link" => panic!("the page loads or runs nothing"),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Page { entries, images }
}

#[test]
fn the_review_page_lists_every_input_once() {
    let (_root, inputs, out, report) = sample_run();
    let html = fs::read_to_string(out.join(postsafe::REVIEW_FILE)).expect("the run writes review.html");
    let page = parse(&html);
    let mut seen: HashMap<&str, Vec<&str>> = HashMap::new();
    for (section, input) in &page.entries {
        seen.entry(input.as_str()).or_default().push(section.as_str());
    }
    assert_eq!(page.entries.len(), inputs.len(), "{:?}", page.entries);
    let section_of = |name: &str| {
        let input = inputs.iter().find(|p| p.ends_with(name)).unwrap().display().to_string();
        match seen.get(input.as_str()).map(Vec::as_slice) {
            Some([section]) => *section,
            other => panic!("{name} should be listed once, is in {other:?}"),
        }
    };
    assert_eq!(section_of("Art week/painting 1.jpg"), "ready");
    assert_eq!(section_of("Art week/painting 2.png"), "ready");
    assert_eq!(section_of(MARKUP_NAME), "ready");
    assert_eq!(section_of("Class 4B/reading corner.jpg"), "held", "{}", report.to_json());
    assert_eq!(section_of("Class 4B/IMG_2031.jpg"), "held");
    assert_eq!(section_of("Class 4B/IMG_2032.jpg"), "problems");
    assert_eq!(section_of("Class 4B/letter to parents.docx"), "problems");
    assert!(!html.contains("<b>Tom"), "file names are shown as text, never as markup");
    assert!(!html.contains("http://") && !html.contains("https://"), "nothing is loaded from the network");
    assert!(html.contains("names a child: person-in-image tag"), "held back for a name, and why");
    assert!(!html.contains("Sam Taylor"), "the name itself is never shown");
    assert!(html.contains("Copy it again from the camera or phone."), "problems say what to do");
}

#[test]
fn held_back_thumbnails_are_small_and_show_every_face_with_its_score() {
    let (_root, _inputs, out, report) = sample_run();
    let html = fs::read_to_string(out.join(postsafe::REVIEW_FILE)).unwrap();
    let page = parse(&html);
    // Every picture that decodes is shown, the one held back for its caption too: a person
    // deciding about it must be able to see it.
    assert_eq!(page.images.len(), 5, "{}", report.to_json());
    for picture in &page.images {
        assert!(
            picture.width().max(picture.height()) <= THUMBNAIL_SIDE,
            "{}×{}",
            picture.width(),
            picture.height()
        );
    }
    let classroom = report.photos.iter().find(|p| p.input.ends_with("reading corner.jpg")).unwrap();
    assert_eq!(classroom.faces.len(), 2, "{}", report.to_json());
    let thumb = image::load_from_memory(classroom.thumbnail.as_ref().unwrap().jpeg()).unwrap().to_rgb8();
    let scale = thumb.width() as f32 / 640.0;
    for face in &classroom.faces {
        // The box's top edge, half way along: one of the bright box colours, nothing painted.
        let (x, y) = (((face.x + face.w / 2) as f32 * scale) as u32, (face.y as f32 * scale).round() as u32);
        let px = thumb.get_pixel(x, y);
        let spread = px.0.iter().max().unwrap() - px.0.iter().min().unwrap();
        assert!(spread > 150, "a saturated box edge at ({x}, {y}), found {px:?}");
        assert!(html.contains(&format!("score {:.2}", face.score)), "score {} on the page", face.score);
    }
}

#[test]
fn the_review_page_renders_in_a_real_browser() {
    let (root, _inputs, out, _report) = sample_run();
    let png = root.path().join("screenshot.png");
    let (width, height) = (1200, 1600);
    support::browser::screenshot(&out.join(postsafe::REVIEW_FILE), &png, width, height)
        .unwrap_or_else(|e| panic!("{e}"));
    let shot = image::open(&png).expect("the screenshot is a PNG").to_rgb8();
    assert_eq!(shot.dimensions(), (width, height));
    let colours: std::collections::HashSet<[u8; 3]> = shot.pixels().map(|p| p.0).collect();
    // Text alone gives a few hundred shades; the painted thumbnails give thousands.
    assert!(colours.len() > 2000, "only {} colours: the thumbnails did not render", colours.len());
    let background = shot.pixels().filter(|p| p.0 == [0xf6, 0xf6, 0xf4]).count();
    let share = background as f64 / f64::from(width * height);
    assert!((0.2..0.95).contains(&share), "page background covers {share:.2} of the window");
    assert!(Path::new(&png).metadata().unwrap().len() > 10_000);
}
