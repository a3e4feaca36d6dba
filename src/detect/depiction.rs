//! Whether a face is drawn, painted or printed as a cartoon, or photographed: measured on the
//! pixels inside its box. Face detectors score a mural's faces as high as a child's (both
//! CenterFace and YuNet do), so telling them apart needs what a drawing is made of: flat
//! areas of one colour, few colours in all, hard outlines, none of a camera's noise and none
//! of skin's fine texture.

use image::RgbImage;

/// What the pixels of a face's box are like.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Traits {
    /// Distinct colours, at 16 levels a channel.
    pub colours: f32,
    /// Share of pixels equal (within 2 levels, in every channel) to their right and lower
    /// neighbours: flat fill.
    pub flat: f32,
    /// Mean distance of a pixel's brightness from its neighbours' mean, away from edges: a
    /// camera's noise and skin's texture.
    pub noise: f32,
    /// Mean colour saturation, 0 to 1.
    pub saturation: f32,
    /// Share of pixels in the range of skin colours.
    pub skin: f32,
    /// Share of pixels on a dark, hard outline.
    pub outline: f32,
}

/// Boxes narrower than this many pixels hold too few to measure.
pub(crate) const SMALLEST: u32 = 24;

/// The traits of the face in `picture` within `[x1, y1, x2, y2]`, measured on the middle of
/// the box (its inner 70%, where the face is and the background is not); `None` for a box too
/// small to tell.
pub(crate) fn traits(picture: &RgbImage, [x1, y1, x2, y2]: [f32; 4]) -> Option<Traits> {
    let (w, h) = (x2 - x1, y2 - y1);
    if w < SMALLEST as f32 || h < SMALLEST as f32 {
        return None;
    }
    let inner = |from: f32, len: f32, max: u32| {
        let a = (from + len * 0.15).max(0.0) as u32;
        let b = ((from + len * 0.85) as u32).min(max);
        (a, b)
    };
    let (left, right) = inner(x1, w, picture.width());
    let (top, bottom) = inner(y1, h, picture.height());
    if right <= left + 2 || bottom <= top + 2 {
        return None;
    }
    let px = |x: u32, y: u32| picture.get_pixel(x, y).0.map(i32::from);
    let luma = |p: [i32; 3]| (p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000;
    let mut colours = std::collections::HashSet::new();
    let (mut flat, mut noise, mut smooth, mut saturation, mut skin, mut outline, mut n) =
        (0, 0i64, 0, 0f32, 0, 0, 0);
    for y in top + 1..bottom - 1 {
        for x in left + 1..right - 1 {
            let p = px(x, y);
            n += 1;
            colours.insert((p[0] >> 4, p[1] >> 4, p[2] >> 4));
            let (r, d) = (px(x + 1, y), px(x, y + 1));
            if (0..3).all(|c| (p[c] - r[c]).abs() <= 2 && (p[c] - d[c]).abs() <= 2) {
                flat += 1;
            }
            let neighbours = [px(x - 1, y), r, px(x, y - 1), d];
            let mean = neighbours.iter().map(|q| luma(*q)).sum::<i32>() / 4;
            let gradient = (luma(r) - luma(px(x - 1, y))).abs().max((luma(d) - luma(px(x, y - 1))).abs());
            if gradient < 20 {
                noise += i64::from((luma(p) - mean).abs());
                smooth += 1;
            }
            if luma(p) < 60 && gradient > 60 {
                outline += 1;
            }
            let (max, min) = (p.iter().max().copied().unwrap_or(0), p.iter().min().copied().unwrap_or(0));
            if max > 0 {
                saturation += (max - min) as f32 / max as f32;
            }
            // YCbCr skin range (Chai and Ngan).
            let cb = 128 + (-169 * p[0] - 331 * p[1] + 500 * p[2]) / 1000;
            let cr = 128 + (500 * p[0] - 419 * p[1] - 81 * p[2]) / 1000;
            if (77..=127).contains(&cb) && (133..=173).contains(&cr) {
                skin += 1;
            }
        }
    }
    let share = |k: i32| k as f32 / n.max(1) as f32;
    Some(Traits {
        colours: colours.len() as f32,
        flat: share(flat),
        noise: noise as f32 / smooth.max(1) as f32,
        saturation: saturation / n.max(1) as f32,
        skin: share(skin),
        outline: share(outline),
    })
}
