//! Covering faces, for `--faces blur`.
//!
//! Pixelation into a few large blocks, not a Gaussian blur: a blur can be partly undone by
//! deconvolution, while averaging a face down to a handful of colours throws the detail
//! away for good.

use crate::detect::Face;
use image::{DynamicImage, GenericImage, GenericImageView, Pixel};

/// How much each side of a face box grows before covering, as a share of the box size, so
/// hair, ears and chin go too.
const MARGIN: f32 = 0.3;
/// Blocks across the longer side of a covered area.
const BLOCKS: u32 = 4;

/// Covers every face in `image` with coarse blocks. With `solid`, each area becomes one
/// flat colour instead (used when pixelation alone still leaves something face-like).
pub(crate) fn cover(image: &mut DynamicImage, faces: &[Face], solid: bool) {
    for face in faces {
        let (x0, y0, x1, y1) = grown(face, image.width(), image.height());
        let side = (x1 - x0).max(y1 - y0);
        let block = if solid { side } else { side.div_ceil(BLOCKS).max(1) };
        for by in (y0..y1).step_by(block as usize) {
            for bx in (x0..x1).step_by(block as usize) {
                let (bw, bh) = (block.min(x1 - bx), block.min(y1 - by));
                let mean = mean_colour(image, bx, by, bw, bh);
                for y in by..by + bh {
                    for x in bx..bx + bw {
                        image.put_pixel(x, y, mean);
                    }
                }
            }
        }
    }
}

/// The face box grown by [`MARGIN`] on every side, clipped to the picture, as (x0, y0, x1, y1).
fn grown(face: &Face, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let mx = (face.w as f32 * MARGIN).ceil() as u32;
    let my = (face.h as f32 * MARGIN).ceil() as u32;
    (
        face.x.saturating_sub(mx),
        face.y.saturating_sub(my),
        (face.x + face.w + mx).min(width),
        (face.y + face.h + my).min(height),
    )
}

fn mean_colour(image: &DynamicImage, x: u32, y: u32, w: u32, h: u32) -> image::Rgba<u8> {
    let mut sum = [0u64; 4];
    for (_, _, px) in image.view(x, y, w, h).pixels() {
        for (s, c) in sum.iter_mut().zip(px.channels()) {
            *s += u64::from(*c);
        }
    }
    let n = u64::from(w * h).max(1);
    image::Rgba(sum.map(|s| (s / n) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_covered_area_holds_only_a_few_colours_and_the_rest_is_untouched() {
        let mut img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(100, 100, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 2) as u8, 7])
        }));
        let before = img.clone();
        let face = Face::area(40, 40, 20, 20);
        cover(&mut img, &[face], false);
        let mut colours = std::collections::HashSet::new();
        for y in 34..66 {
            for x in 34..66 {
                colours.insert(img.get_pixel(x, y));
            }
        }
        assert!(colours.len() <= (BLOCKS * BLOCKS) as usize, "{} colours", colours.len());
        assert_eq!(img.get_pixel(5, 5), before.get_pixel(5, 5));
    }
}
