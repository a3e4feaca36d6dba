//! Reading text in pictures: PP-OCRv4 text detection and recognition run by tract, so names
//! children write on their work can be checked against the class list.
//!
//! Pre- and post-processing follow RapidOCR 1.4.4 (the wheel the models come from), constants
//! copied from its `config.yaml` and `ch_ppocr_det` / `ch_ppocr_rec` sources:
//! - detection (DB): the picture as BGR, `(x / 255 − 0.5) / 0.5`, resized so its short side is
//!   at least 736 and both sides are multiples of 32; the probability map is thresholded at
//!   0.3, dilated by 2×2, split into regions; each region's smallest rotated rectangle is kept
//!   when the mean probability inside it is at least 0.5, then grown by the "unclip" distance
//!   `area × 1.6 / perimeter` on every side;
//! - recognition (SVTR-LCNet with CTC): each region cut out along its rectangle, BGR, height
//!   48, width in proportion (at least 320, padded with zeros after normalising),
//!   `(x / 255 − 0.5) / 0.5`; greedy CTC decoding with index 0 the blank and the last index a
//!   space, the character list read from the model's own metadata (`character`); lines whose
//!   mean character confidence is under 0.5 are dropped.
//!
//! RapidOCR's direction classifier (0° or 180°) is not used: a region much taller than wide
//! (text turned 90°) is read both ways round instead, which covers names written up the side
//! of a page; upside-down text is not read.

use crate::detect::{Plan, PlanCache};
use crate::error::{Error, Result};
use image::RgbImage;
use ndarray::Array4;
use tract_onnx::prelude::*;

/// PP-OCRv4 text detection from the `rapidocr-onnxruntime` 1.4.4 wheel, put in place by `build.rs`.
static DET_MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ch_PP-OCRv4_det_infer.onnx"));
/// PP-OCRv4 text recognition from the same wheel.
static REC_MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ch_PP-OCRv4_rec_infer.onnx"));

/// Short side the detector input is enlarged to when smaller (RapidOCR's `limit_side_len`
/// with `limit_type: min`): small pictures are read at a scale the model was trained for.
const DET_MIN_SIDE: f32 = 736.0;
/// Long side the detector input is reduced to when larger (RapidOCR allows 2000). The
/// detector's cost grows faster than its input (measured, one thread, machine under load:
/// 1.0 / 1.6 / 2.6 / 5.3 s at 1024 / 1280 / 1536 / 2048 px long side) and so does its memory
/// (~300 MB at 2048×1536); at 1536 a posted 2048-px photo is read at three quarters of its
/// size, so text about 16 px high in it reaches the detector at 12 px.
const DET_MAX_SIDE: f32 = 1536.0;
/// Probability above which a pixel of the detector's map is text (RapidOCR's `thresh`).
const DET_THRESH: f32 = 0.3;
/// Mean probability inside a region's rectangle for it to be kept (`box_thresh`).
const BOX_THRESH: f32 = 0.5;
/// How far a region's rectangle grows: `area × UNCLIP / perimeter` on every side (`unclip_ratio`).
const UNCLIP: f32 = 1.6;
/// Text regions read in one picture at most. RapidOCR stops looking after 1000 blobs
/// (`max_candidates`, noise specks included), which would leave the rest of a busy picture
/// unread and let a name there through; postsafe looks at every blob and refuses a picture
/// with more regions than this to read.
const MAX_REGIONS: usize = 1000;
/// Shortest side, in detector pixels, of a region worth reading (`min_size`; after growing,
/// `min_size + 2`).
const MIN_SIZE: f32 = 3.0;
/// Height of the recogniser's input (`rec_img_shape`).
const REC_HEIGHT: u32 = 48;
/// Input widths the recogniser runs at: a line is scaled to height 48 and padded to the
/// first width it fits (RapidOCR pads to at least 320); wider lines are squeezed into the
/// last. A few fixed widths keep the number of tract plans (each ~10 MB) small.
const REC_WIDTHS: [u32; 4] = [320, 640, 960, 1280];
/// Mean confidence of a line's characters below which it is not taken as read (`text_score`).
const TEXT_SCORE: f32 = 0.5;
/// A region at least this many times taller than wide is text turned 90° (RapidOCR's rule).
const TALL: f32 = 1.5;
/// Plans kept per model at once; see [`crate::detect`] for why plans are per shape.
const MAX_PLANS: usize = 6;

/// Where text was found in a picture: the smallest upright rectangle around a line of text, in
/// that picture's pixels. Only where; what it says is never kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextBox {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl TextBox {
    /// The same box in a picture `factor` times as large.
    pub(crate) fn scaled(&self, factor: f64, width: u32, height: u32) -> TextBox {
        let crate::Face { x, y, w, h, .. } = self.as_area().scaled(factor, width, height);
        TextBox { x, y, w, h }
    }

    /// The box as a [`crate::Face`], the shape [`crate::redact::cover`] covers.
    pub(crate) fn as_area(&self) -> crate::Face {
        crate::Face::area(self.x, self.y, self.w, self.h)
    }
}

/// One line of text read from a picture.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    /// Where it is.
    pub area: TextBox,
    /// What it says, as read: for one region turned 90°, both readings, one per line.
    pub text: String,
}

/// A rotated rectangle: centre, unit vector along its first side, half lengths along that
/// side and the one perpendicular to it (`v = (-u.y, u.x)`, downwards when `u` points right).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Quad {
    cx: f32,
    cy: f32,
    ux: f32,
    uy: f32,
    half_u: f32,
    half_v: f32,
}

impl Quad {
    fn corners(&self) -> [(f32, f32); 4] {
        let (vx, vy) = (-self.uy, self.ux);
        [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)].map(|(su, sv)| {
            (
                self.cx + su * self.half_u * self.ux + sv * self.half_v * vx,
                self.cy + su * self.half_u * self.uy + sv * self.half_v * vy,
            )
        })
    }

    /// The upright rectangle around it, clipped to a `width` × `height` picture.
    fn bounds(&self, width: u32, height: u32) -> TextBox {
        let corners = self.corners();
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in corners {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        let clip = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
        let (x0, y0) = (clip(x0, width), clip(y0, height));
        let (x1, y1) = (clip(x1, width), clip(y1, height));
        TextBox { x: x0, y: y0, w: (x1 - x0).max(1), h: (y1 - y0).max(1) }
    }

    /// Grown by `by` on every side.
    fn grown(self, by: f32) -> Quad {
        Quad { half_u: self.half_u + by, half_v: self.half_v + by, ..self }
    }

    /// Its sides as reading directions: `(along, across)` unit vectors with lengths, for each
    /// way the text in it may run. A wide region reads left to right; a tall one (text
    /// turned 90°) reads down and up, both tried.
    fn readings(&self) -> Vec<((f32, f32), f32, f32)> {
        let (u, v) = ((self.ux, self.uy), (-self.uy, self.ux));
        let (lu, lv) = (2.0 * self.half_u, 2.0 * self.half_v);
        if lv >= TALL * lu {
            vec![(v, lv, lu), ((-v.0, -v.1), lv, lu)]
        } else {
            vec![(u, lu, lv)]
        }
    }
}

/// Plans of one model, per input shape, built on first use and shared by every thread.
struct Plans {
    model: InferenceModel,
    cache: PlanCache,
}

impl Plans {
    fn new(model: InferenceModel) -> Plans {
        Plans { model, cache: PlanCache::new(MAX_PLANS) }
    }

    /// The plan for a `[1, 3, height, width]` input.
    fn get(&self, width: usize, height: usize) -> Result<Plan> {
        let build = || {
            self.model
                .clone()
                .with_input_fact(0, f32::fact([1, 3, height, width]).into())?
                .into_optimized()?
                .into_runnable()
        };
        self.cache.get(width, height, build).map_err(|reason| Error::Text { reason })
    }
}

/// The text detector and recogniser, ready to read pictures from any number of threads.
pub(crate) struct Reader {
    det: Plans,
    rec: Plans,
    /// The recogniser's classes: blank, the model's characters, space.
    charset: Vec<String>,
}

impl Reader {
    /// Loads the built-in models.
    pub(crate) fn load() -> Result<Reader> {
        let failed = |what: &str, e: TractError| Error::Text { reason: format!("{what}: {e:#}") };
        let det = tract_onnx::onnx()
            .model_for_read(&mut &DET_MODEL[..])
            .map_err(|e| failed("loading the text detector", e))?;
        // The recogniser's value-info declares shapes tract cannot reconcile; it runs without them.
        let rec = tract_onnx::onnx()
            .with_ignore_value_info(true)
            .model_for_read(&mut &REC_MODEL[..])
            .map_err(|e| failed("loading the text recogniser", e))?;
        let characters = rec
            .properties
            .get("onnx.metadata_props.character")
            .and_then(|t| t.to_plain_array_view::<String>().ok().and_then(|a| a.iter().next().cloned()))
            .ok_or_else(|| Error::Text { reason: "the text recogniser carries no character list".into() })?;
        let charset = charset(&characters);
        Ok(Reader { det: Plans::new(det), rec: Plans::new(rec), charset })
    }

    /// Every line of text read in `image`, top to bottom.
    pub(crate) fn read(&self, image: &RgbImage) -> Result<Vec<Line>> {
        let (width, height) = image.dimensions();
        let mut lines = Vec::new();
        for quad in self.detect(image)? {
            let mut texts = Vec::new();
            for (along, length, across) in quad.readings() {
                let crop = cut_out(image, &quad, along, length, across);
                if let Some(text) = self.recognise(&crop)? {
                    texts.push(text);
                }
            }
            if !texts.is_empty() {
                lines.push(Line { area: quad.bounds(width, height), text: texts.join("\n") });
            }
        }
        Ok(lines)
    }

    /// Text regions in `image`, in its pixels.
    fn detect(&self, image: &RgbImage) -> Result<Vec<Quad>> {
        let (width, height) = image.dimensions();
        let (dw, dh) = detector_size(width, height);
        let resized =
            image::imageops::resize(image, dw as u32, dh as u32, image::imageops::FilterType::Triangle);
        let mut input = Array4::<f32>::zeros((1, 3, dh, dw));
        for (x, y, px) in resized.enumerate_pixels() {
            // BGR, as OpenCV reads the pictures PaddleOCR trained on.
            for (c, value) in [px[2], px[1], px[0]].into_iter().enumerate() {
                input[[0, c, y as usize, x as usize]] = normalised(value);
            }
        }
        let plan = self.det.get(dw, dh)?;
        let failed = |e: TractError| Error::Text { reason: format!("text detection on {dw}x{dh}: {e:#}") };
        let outputs = plan.run(tvec![Tensor::from(input).into()]).map_err(failed)?;
        let map = outputs[0].to_plain_array_view::<f32>().map_err(failed)?;
        let map = map
            .into_shape_with_order((dh, dw))
            .map_err(|e| Error::Text { reason: format!("text detector output: {e}") })?;
        let probability = |x: usize, y: usize| map[[y, x]];
        let quads = regions(dw, dh, probability);
        if quads.len() > MAX_REGIONS {
            return Err(Error::Text {
                reason: format!(
                    "it holds {} separate pieces of text, more than the {MAX_REGIONS} postsafe reads in one picture, so not all of it could be checked",
                    quads.len()
                ),
            });
        }
        let (sx, sy) = (width as f32 / dw as f32, height as f32 / dh as f32);
        Ok(quads.into_iter().map(|q| scale_quad(q, sx, sy)).collect())
    }

    /// The text in one upright line picture, or `None` when nothing is read with confidence.
    fn recognise(&self, line: &RgbImage) -> Result<Option<String>> {
        let rec_width = REC_WIDTHS.iter().copied().find(|&w| line.width() <= w).unwrap_or(REC_WIDTHS[3]);
        let (w, h) = (line.width().min(rec_width) as usize, REC_HEIGHT as usize);
        let line = if line.width() > rec_width {
            image::imageops::resize(line, rec_width, REC_HEIGHT, image::imageops::FilterType::Triangle)
        } else {
            line.clone()
        };
        let mut input = Array4::<f32>::zeros((1, 3, h, rec_width as usize));
        for (x, y, px) in line.enumerate_pixels().filter(|(x, _, _)| (*x as usize) < w) {
            for (c, value) in [px[2], px[1], px[0]].into_iter().enumerate() {
                input[[0, c, y as usize, x as usize]] = normalised(value);
            }
        }
        let plan = self.rec.get(rec_width as usize, h)?;
        let failed = |e: TractError| Error::Text { reason: format!("text recognition: {e:#}") };
        let outputs = plan.run(tvec![Tensor::from(input).into()]).map_err(failed)?;
        let probs = outputs[0].to_plain_array_view::<f32>().map_err(failed)?;
        let shape = probs.shape().to_vec();
        if shape.len() != 3 || shape[2] != self.charset.len() {
            return Err(Error::Text {
                reason: format!(
                    "the recogniser's output {shape:?} does not fit its {} characters",
                    self.charset.len()
                ),
            });
        }
        let steps = probs
            .into_shape_with_order((shape[1], shape[2]))
            .map_err(|e| Error::Text { reason: format!("text recogniser output: {e}") })?;
        let best: Vec<(usize, f32)> = steps
            .outer_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold((0, f32::MIN), |best, (i, &p)| if p > best.1 { (i, p) } else { best })
            })
            .collect();
        Ok(ctc_greedy(&best, &self.charset))
    }
}

/// The recogniser's classes from the character list in its metadata: CTC blank first, the
/// listed characters (one per line), and a space last, as RapidOCR's `CTCLabelDecode` builds it.
fn charset(listed: &str) -> Vec<String> {
    std::iter::once(String::new())
        .chain(listed.lines().map(str::to_string))
        .chain([" ".to_string()])
        .collect()
}

/// Greedy CTC decoding of the best class and its probability at each step: repeats merged,
/// blanks dropped; `None` when nothing is left or the mean probability of the characters kept
/// is under [`TEXT_SCORE`].
fn ctc_greedy(best: &[(usize, f32)], charset: &[String]) -> Option<String> {
    let mut text = String::new();
    let mut confidence = Vec::new();
    let mut previous = None;
    for &(class, p) in best {
        if class != 0 && previous != Some(class) {
            text.push_str(&charset[class]);
            confidence.push(p);
        }
        previous = Some(class);
    }
    let mean = confidence.iter().sum::<f32>() / confidence.len().max(1) as f32;
    (!text.trim().is_empty() && mean >= TEXT_SCORE).then_some(text)
}

fn normalised(value: u8) -> f32 {
    (f32::from(value) / 255.0 - 0.5) / 0.5
}

/// The detector's input size for a `width` × `height` picture: short side raised to
/// [`DET_MIN_SIDE`], long side held to [`DET_MAX_SIDE`] (which wins), each rounded to a
/// multiple of 32.
fn detector_size(width: u32, height: u32) -> (usize, usize) {
    let (w, h) = (width as f32, height as f32);
    let mut ratio = if w.min(h) < DET_MIN_SIDE { DET_MIN_SIDE / w.min(h) } else { 1.0 };
    if w.max(h) * ratio > DET_MAX_SIDE {
        ratio = DET_MAX_SIDE / w.max(h);
    }
    let side = |v: f32| (((v * ratio) / 32.0).round() as usize * 32).max(32);
    (side(w), side(h))
}

/// Text regions in a `width` × `height` probability map, as RapidOCR's `DBPostProcess` finds
/// them (connected regions stand in for OpenCV's contours: both give each blob's points).
fn regions(width: usize, height: usize, probability: impl Fn(usize, usize) -> f32) -> Vec<Quad> {
    // Thresholded, then dilated by a 2×2 square (a pixel is set when it or its left, upper or
    // upper-left neighbour is), as `cv2.dilate` with RapidOCR's kernel does.
    let above: Vec<bool> =
        (0..width * height).map(|i| probability(i % width, i / width) > DET_THRESH).collect();
    let set = |x: usize, y: usize| {
        above[y * width + x]
            || (x > 0 && above[y * width + x - 1])
            || (y > 0 && above[(y - 1) * width + x])
            || (x > 0 && y > 0 && above[(y - 1) * width + x - 1])
    };
    let mask: Vec<bool> = (0..width * height).map(|i| set(i % width, i / width)).collect();
    let mut seen = vec![false; width * height];
    let mut quads = Vec::new();
    for start in 0..width * height {
        if !mask[start] || seen[start] {
            continue;
        }
        // Flood fill one 8-connected region, keeping the points on its edge.
        let mut stack = vec![start];
        seen[start] = true;
        let mut edge = Vec::new();
        while let Some(i) = stack.pop() {
            let (x, y) = ((i % width) as i64, (i / width) as i64);
            let mut inner = true;
            for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= width as i64 || ny >= height as i64 {
                    inner = false;
                    continue;
                }
                let n = ny as usize * width + nx as usize;
                if !mask[n] {
                    inner = false;
                } else if !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
            if !inner {
                edge.push((x as f32, y as f32));
            }
        }
        let Some(quad) = min_area_rect(&edge) else { continue };
        if 2.0 * quad.half_u.min(quad.half_v) < MIN_SIZE {
            continue;
        }
        if mean_inside(&quad, width, height, &probability) < BOX_THRESH {
            continue;
        }
        let (lu, lv) = (2.0 * quad.half_u, 2.0 * quad.half_v);
        let grown = quad.grown(lu * lv * UNCLIP / (2.0 * (lu + lv)));
        if 2.0 * grown.half_u.min(grown.half_v) < MIN_SIZE + 2.0 {
            continue;
        }
        quads.push(grown);
    }
    quads.sort_by(|a, b| (a.cy - a.half_v).total_cmp(&(b.cy - b.half_v)));
    quads
}

/// The smallest-area rectangle around `points` (rotating calipers over the convex hull),
/// with its first side the one nearer horizontal, pointing right.
fn min_area_rect(points: &[(f32, f32)]) -> Option<Quad> {
    let hull = convex_hull(points);
    if hull.is_empty() {
        return None;
    }
    let mut best: Option<(f32, Quad)> = None;
    let edges = hull.len().max(2);
    for i in 0..edges {
        let (a, b) = (hull[i % hull.len()], hull[(i + 1) % hull.len()]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = if len > 0.0 { (dx / len, dy / len) } else { (1.0, 0.0) };
        let (mut u0, mut u1, mut v0, mut v1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for &(x, y) in &hull {
            let (pu, pv) = (x * ux + y * uy, -x * uy + y * ux);
            (u0, u1, v0, v1) = (u0.min(pu), u1.max(pu), v0.min(pv), v1.max(pv));
        }
        let area = (u1 - u0) * (v1 - v0);
        if best.is_none_or(|(a, _)| area < a) {
            let (cu, cv) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
            let quad = Quad {
                cx: cu * ux - cv * uy,
                cy: cu * uy + cv * ux,
                ux,
                uy,
                half_u: (u1 - u0) / 2.0,
                half_v: (v1 - v0) / 2.0,
            };
            best = Some((area, quad));
        }
    }
    best.map(|(_, quad)| upright(quad))
}

/// The same rectangle described with its first side the one nearer horizontal, pointing right.
fn upright(q: Quad) -> Quad {
    let q = if q.ux.abs() < q.uy.abs() {
        // Turn the axes a quarter: the old v = (-uy, ux) becomes u.
        Quad { ux: -q.uy, uy: q.ux, half_u: q.half_v, half_v: q.half_u, ..q }
    } else {
        q
    };
    if q.ux < 0.0 {
        Quad { ux: -q.ux, uy: -q.uy, ..q }
    } else {
        q
    }
}

/// Convex hull (Andrew's monotone chain), counter-clockwise, without repeated points.
fn convex_hull(points: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut pts = points.to_vec();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    if pts.len() < 3 {
        return pts;
    }
    let cross =
        |o: (f32, f32), a: (f32, f32), b: (f32, f32)| (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
    let mut hull: Vec<(f32, f32)> = Vec::with_capacity(pts.len() * 2);
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> =
            if pass == 0 { Box::new(pts.iter()) } else { Box::new(pts.iter().rev()) };
        for &p in iter {
            while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    hull
}

/// Mean of the map inside `quad` (RapidOCR's `box_score_fast`).
fn mean_inside(quad: &Quad, width: usize, height: usize, probability: &impl Fn(usize, usize) -> f32) -> f32 {
    let b = quad.bounds(width as u32 - 1, height as u32 - 1);
    let (vx, vy) = (-quad.uy, quad.ux);
    let (mut sum, mut n) = (0.0, 0u32);
    for y in b.y..=(b.y + b.h).min(height as u32 - 1) {
        for x in b.x..=(b.x + b.w).min(width as u32 - 1) {
            let (dx, dy) = (x as f32 - quad.cx, y as f32 - quad.cy);
            let (pu, pv) = (dx * quad.ux + dy * quad.uy, dx * vx + dy * vy);
            if pu.abs() <= quad.half_u + 0.5 && pv.abs() <= quad.half_v + 0.5 {
                sum += probability(x as usize, y as usize);
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// `q` from detector pixels to picture pixels, `sx` and `sy` picture pixels per detector pixel
/// (nearly equal: only rounding to multiples of 32 makes them differ).
fn scale_quad(q: Quad, sx: f32, sy: f32) -> Quad {
    let (ux, uy) = (q.ux * sx, q.uy * sy);
    let lu = (ux * ux + uy * uy).sqrt();
    let (vx, vy) = (-q.uy * sx, q.ux * sy);
    let lv = (vx * vx + vy * vy).sqrt();
    Quad {
        cx: (q.cx + 0.5) * sx - 0.5,
        cy: (q.cy + 0.5) * sy - 0.5,
        ux: ux / lu,
        uy: uy / lu,
        half_u: q.half_u * lu,
        half_v: q.half_v * lv,
    }
}

/// The line of text in `quad` cut out of `image` and turned upright, scaled to the
/// recogniser's height: `along` is the reading direction (unit vector, `length` pixels long),
/// the text's downwards direction is `along` turned a quarter clockwise (`across` pixels).
/// Pixels outside the picture repeat its edge (OpenCV's `BORDER_REPLICATE`, as RapidOCR crops).
fn cut_out(image: &RgbImage, quad: &Quad, along: (f32, f32), length: f32, across: f32) -> RgbImage {
    let down = (-along.1, along.0);
    let scale = across / REC_HEIGHT as f32; // picture pixels per output pixel
    let out_w = ((length / scale).ceil() as u32).clamp(1, 4 * REC_WIDTHS[3]);
    let origin = (
        quad.cx - along.0 * length / 2.0 - down.0 * across / 2.0,
        quad.cy - along.1 * length / 2.0 - down.1 * across / 2.0,
    );
    // Several samples per output pixel when shrinking, so thin strokes are averaged, not skipped.
    let samples = scale.ceil().clamp(1.0, 4.0) as u32;
    let (w, h) = (image.width() as f32, image.height() as f32);
    let pixel = |x: f32, y: f32| {
        let (x, y) = (x.clamp(0.0, w - 1.0), y.clamp(0.0, h - 1.0));
        let (x0, y0) = (x.floor() as u32, y.floor() as u32);
        let (x1, y1) = ((x0 + 1).min(image.width() - 1), (y0 + 1).min(image.height() - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let (a, b, c, d) = (
            image.get_pixel(x0, y0),
            image.get_pixel(x1, y0),
            image.get_pixel(x0, y1),
            image.get_pixel(x1, y1),
        );
        std::array::from_fn::<f32, 3, _>(|k| {
            let top = f32::from(a[k]) * (1.0 - fx) + f32::from(b[k]) * fx;
            let bottom = f32::from(c[k]) * (1.0 - fx) + f32::from(d[k]) * fx;
            top * (1.0 - fy) + bottom * fy
        })
    };
    RgbImage::from_fn(out_w, REC_HEIGHT, |ox, oy| {
        let mut sum = [0.0f32; 3];
        for sy in 0..samples {
            for sx in 0..samples {
                let s = (ox as f32 + (sx as f32 + 0.5) / samples as f32) * scale;
                let t = (oy as f32 + (sy as f32 + 0.5) / samples as f32) * scale;
                let px = pixel(
                    origin.0 + along.0 * s + down.0 * t - 0.5,
                    origin.1 + along.1 * s + down.1 * t - 0.5,
                );
                for k in 0..3 {
                    sum[k] += px[k];
                }
            }
        }
        let n = (samples * samples) as f32;
        image::Rgb(sum.map(|v| (v / n).round().clamp(0.0, 255.0) as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctc_merges_repeats_drops_blanks_and_needs_confidence() {
        let charset = charset("a\nb\nc");
        assert_eq!(charset.len(), 5);
        assert_eq!(charset[4], " ");
        let steps = [(1, 0.9), (1, 0.9), (0, 0.9), (1, 0.8), (2, 0.9), (4, 0.9), (3, 0.7)];
        assert_eq!(ctc_greedy(&steps, &charset).as_deref(), Some("aab c"));
        assert_eq!(ctc_greedy(&[(1, 0.2), (2, 0.3)], &charset), None);
        assert_eq!(ctc_greedy(&[(0, 0.99), (4, 0.9)], &charset), None);
    }

    #[test]
    fn a_tilted_block_gives_a_rectangle_of_its_size_and_angle() {
        // A 60 × 10 bar turned 30°.
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let (w, h) = (200, 200);
        let inside = |x: usize, y: usize| {
            let (dx, dy) = (x as f32 - 100.0, y as f32 - 100.0);
            ((dx * c + dy * s).abs() <= 30.0 && (-dx * s + dy * c).abs() <= 5.0) as u8 as f32
        };
        let quads = regions(w, h, inside);
        assert_eq!(quads.len(), 1, "{quads:?}");
        let q = quads[0];
        let angle = q.uy.atan2(q.ux).to_degrees();
        assert!((angle - 30.0).abs() < 3.0, "{q:?}");
        assert!((q.cx - 100.0).abs() < 2.0 && (q.cy - 100.0).abs() < 2.0, "{q:?}");
        // 60 × 10 grown by 60·10·1.6/140 ≈ 6.9 on each side.
        assert!((2.0 * q.half_u - 74.0).abs() < 4.0 && (2.0 * q.half_v - 24.0).abs() < 4.0, "{q:?}");
    }

    #[test]
    fn weak_or_tiny_regions_are_dropped() {
        let faint =
            |x: usize, y: usize| if (10..40).contains(&x) && (10..20).contains(&y) { 0.4 } else { 0.0 };
        assert!(regions(64, 32, faint).is_empty());
        let speck = |x: usize, y: usize| if x == 5 && y == 5 { 0.9 } else { 0.0 };
        assert!(regions(64, 32, speck).is_empty());
    }

    #[test]
    fn every_region_is_looked_at_however_many_specks_come_first() {
        // 1,200 specks of noise in the top rows (each a blob of its own, too small to read),
        // then a line of text at the bottom.
        let map = |x: usize, y: usize| {
            let speck = y < 120 && x.is_multiple_of(4) && y.is_multiple_of(4);
            let line = (20..120).contains(&x) && (150..162).contains(&y);
            if speck || line {
                0.9
            } else {
                0.0
            }
        };
        let found = regions(160, 180, map);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((found[0].cy - 155.5).abs() < 2.0, "{:?}", found[0]);
    }

    #[test]
    fn the_detector_input_is_a_multiple_of_32_within_the_limits() {
        assert_eq!(detector_size(640, 480), (992, 736));
        assert_eq!(detector_size(1024, 768), (1024, 768));
        assert_eq!(detector_size(2048, 1536), (1536, 1152));
        assert_eq!(detector_size(4000, 100), (1536, 32));
    }

    #[test]
    fn a_tall_region_is_read_both_ways_and_a_wide_one_left_to_right() {
        let wide = Quad { cx: 50.0, cy: 50.0, ux: 1.0, uy: 0.0, half_u: 40.0, half_v: 10.0 };
        assert_eq!(wide.readings().len(), 1);
        let tall = Quad { half_u: 10.0, half_v: 40.0, ..wide };
        let readings = tall.readings();
        assert_eq!(readings.len(), 2);
        assert_eq!(readings[0].0, (0.0, 1.0));
        assert_eq!((readings[0].1, readings[0].2), (80.0, 20.0));
    }

    #[test]
    fn cutting_out_a_region_scales_it_to_the_recogniser_height() {
        let image = RgbImage::from_fn(200, 100, |x, _| image::Rgb([if x < 100 { 0 } else { 255 }; 3]));
        let quad = Quad { cx: 100.0, cy: 50.0, ux: 1.0, uy: 0.0, half_u: 96.0, half_v: 24.0 };
        let crop = cut_out(&image, &quad, (1.0, 0.0), 192.0, 48.0);
        assert_eq!(crop.dimensions(), (192, 48));
        assert_eq!(crop.get_pixel(10, 24)[0], 0);
        assert_eq!(crop.get_pixel(180, 24)[0], 255);
    }
}

#[cfg(test)]
mod reading {
    use super::*;

    /// Prints what is read in the pictures named by `POSTSAFE_READ` (paths separated by ':'),
    /// with the time taken: for looking at the reader's output by hand.
    #[test]
    #[ignore = "a tool: POSTSAFE_READ=a.png:b.jpg cargo test --release --lib reading -- --ignored --nocapture"]
    fn print_what_is_read() {
        let reader = Reader::load().unwrap();
        for path in std::env::var("POSTSAFE_READ").unwrap_or_default().split(':').filter(|p| !p.is_empty()) {
            let image = image::open(path).unwrap().to_rgb8();
            if std::env::var_os("POSTSAFE_READ_SIDES").is_some() {
                for side in [1024u32, 1280, 1536, 2048] {
                    let scale = side as f32 / image.width().max(image.height()) as f32;
                    let (w, h) =
                        ((image.width() as f32 * scale) as u32, (image.height() as f32 * scale) as u32);
                    let smaller =
                        image::imageops::resize(&image, w, h, image::imageops::FilterType::Triangle);
                    let mut best = std::time::Duration::MAX;
                    for _ in 0..3 {
                        let start = std::time::Instant::now();
                        reader.detect(&smaller).unwrap();
                        best = best.min(start.elapsed());
                    }
                    println!("  detector at {:?}: {best:?}", detector_size(w, h));
                }
                continue;
            }
            for round in 0..2 {
                let start = std::time::Instant::now();
                let quads = reader.detect(&image).unwrap();
                let detected = start.elapsed();
                for quad in &quads {
                    let t = std::time::Instant::now();
                    for (along, length, across) in quad.readings() {
                        let crop = cut_out(&image, quad, along, length, across);
                        let cut = t.elapsed();
                        let text = reader.recognise(&crop).unwrap();
                        println!(
                            "    crop {:?} cut {cut:?} read {:?} {text:?}",
                            crop.dimensions(),
                            t.elapsed()
                        );
                    }
                }
                println!("  detect {:?} on {:?}", detected, detector_size(image.width(), image.height()));
                let start = std::time::Instant::now();
                let lines = reader.read(&image).unwrap();
                println!(
                    "{path} {:?}: {} lines in {:?} (round {round})",
                    image.dimensions(),
                    lines.len(),
                    start.elapsed()
                );
                if round == 1 {
                    for line in lines {
                        println!("  {:?} {:?}", line.area, line.text);
                    }
                }
            }
        }
    }
}
