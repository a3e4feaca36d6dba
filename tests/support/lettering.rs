//! Names written into pictures, for the tests of reading names in photos and for the
//! found-share table (`examples/names_found.rs`): text in a pinned font at any size, angle and
//! colour, on paper, on a painted-looking texture, on a name badge; and "shaky" text whose
//! letters wobble as a child's handwriting does.
#![allow(dead_code)] // each user takes its own share of these

use ab_glyph::{FontVec, PxScale};
use image::{GrayImage, Luma, Rgb, RgbImage};
use imageproc::drawing::{draw_filled_rect_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;
use std::path::Path;

/// The font in the file at `path` (one of `photos::FONTS`).
pub fn font(path: &Path) -> FontVec {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    FontVec::try_from_vec(bytes).unwrap_or_else(|e| panic!("{}: not a font: {e}", path.display()))
}

/// Where text was drawn: the upright rectangle around it, `(x, y, w, h)` in canvas pixels.
pub type Area = (i32, i32, i32, i32);

/// Draws `text` in `font` at `size` pixels (the font's em height, roughly a line's height)
/// turned `angle` degrees anticlockwise about `centre`, in `colour`, anti-aliased as a pen or
/// print would leave it. Returns the area it covers.
pub fn write(
    canvas: &mut RgbImage,
    text: &str,
    font: &FontVec,
    size: f32,
    angle: f32,
    colour: Rgb<u8>,
    centre: (f32, f32),
) -> Area {
    let mask = text_mask(text, font, size);
    stamp(canvas, &mask, angle, colour, centre)
}

/// Like [`write`], letter by letter, each letter moved up or down and turned a little (by a
/// fixed pseudo-random pattern seeded by `seed`), as an unsteady hand writes.
pub fn write_shaky(
    canvas: &mut RgbImage,
    text: &str,
    font: &FontVec,
    size: f32,
    colour: Rgb<u8>,
    centre: (f32, f32),
    seed: u32,
) -> Area {
    let widths: Vec<f32> =
        text.chars().map(|c| text_size(PxScale::from(size), font, &c.to_string()).0 as f32).collect();
    let total: f32 = widths.iter().sum::<f32>() * 1.08;
    let mut x = centre.0 - total / 2.0;
    let mut area: Option<Area> = None;
    for (i, (c, w)) in text.chars().zip(&widths).enumerate() {
        let wobble = |k: u32| {
            ((seed.wrapping_mul(2654435761).wrapping_add(k * 40503 + i as u32 * 9176) >> 7) % 1000) as f32
                / 1000.0
                - 0.5
        };
        let dy = wobble(1) * size * 0.25;
        let angle = wobble(2) * 16.0;
        let scale = 1.0 + wobble(3) * 0.2;
        let mask = text_mask(&c.to_string(), font, size * scale);
        let drawn = stamp(canvas, &mask, angle, colour, (x + w / 2.0, centre.1 + dy));
        area = Some(match area {
            None => drawn,
            Some(a) => union(a, drawn),
        });
        x += w * 1.08;
    }
    area.unwrap_or((centre.0 as i32, centre.1 as i32, 1, 1))
}

fn union(a: Area, b: Area) -> Area {
    let (x0, y0) = (a.0.min(b.0), a.1.min(b.1));
    let (x1, y1) = ((a.0 + a.2).max(b.0 + b.2), (a.1 + a.3).max(b.1 + b.3));
    (x0, y0, x1 - x0, y1 - y0)
}

/// `text` as coverage (0–255) on black, with a small margin.
fn text_mask(text: &str, font: &FontVec, size: f32) -> GrayImage {
    let scale = PxScale::from(size);
    let (w, h) = text_size(scale, font, text);
    let margin = (size / 4.0).ceil() as u32;
    let mut mask = GrayImage::new(w + 2 * margin, h + 2 * margin);
    draw_text_mut(&mut mask, Luma([255]), margin as i32, margin as i32, scale, font, text);
    mask
}

/// Blends `colour` into `canvas` through `mask` turned `angle` degrees anticlockwise with its
/// centre at `centre`; returns the area of the mask's inked pixels.
fn stamp(canvas: &mut RgbImage, mask: &GrayImage, angle: f32, colour: Rgb<u8>, centre: (f32, f32)) -> Area {
    let (sin, cos) = angle.to_radians().sin_cos();
    let (mw, mh) = (mask.width() as f32, mask.height() as f32);
    let reach = (mw * mw + mh * mh).sqrt() / 2.0 + 1.0;
    let (x0, x1) =
        ((centre.0 - reach).floor().max(0.0) as u32, ((centre.0 + reach).ceil() as u32).min(canvas.width()));
    let (y0, y1) =
        ((centre.1 - reach).floor().max(0.0) as u32, ((centre.1 + reach).ceil() as u32).min(canvas.height()));
    let coverage = |mx: f32, my: f32| -> f32 {
        if mx < 0.0 || my < 0.0 || mx > mw - 1.0 || my > mh - 1.0 {
            return 0.0;
        }
        let (ix, iy) = (mx.floor() as u32, my.floor() as u32);
        let (fx, fy) = (mx - ix as f32, my - iy as f32);
        let at =
            |x: u32, y: u32| f32::from(mask.get_pixel(x.min(mask.width() - 1), y.min(mask.height() - 1))[0]);
        let top = at(ix, iy) * (1.0 - fx) + at(ix + 1, iy) * fx;
        let bottom = at(ix, iy + 1) * (1.0 - fx) + at(ix + 1, iy + 1) * fx;
        (top * (1.0 - fy) + bottom * fy) / 255.0
    };
    let (mut ax0, mut ay0, mut ax1, mut ay1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for y in y0..y1 {
        for x in x0..x1 {
            let (cx, cy) = (x as f32 + 0.5 - centre.0, y as f32 + 0.5 - centre.1);
            // Canvas offset back to the mask: the inverse of turning anticlockwise on screen.
            let (mx, my) = (cx * cos - cy * sin + mw / 2.0 - 0.5, cx * sin + cy * cos + mh / 2.0 - 0.5);
            let a = coverage(mx, my);
            if a <= 0.0 {
                continue;
            }
            let px = canvas.get_pixel_mut(x, y);
            for c in 0..3 {
                px[c] = (f32::from(px[c]) * (1.0 - a) + f32::from(colour[c]) * a).round() as u8;
            }
            if a > 0.25 {
                (ax0, ay0, ax1, ay1) =
                    (ax0.min(x as i32), ay0.min(y as i32), ax1.max(x as i32), ay1.max(y as i32));
            }
        }
    }
    if ax0 > ax1 {
        return (centre.0 as i32, centre.1 as i32, 1, 1);
    }
    (ax0, ay0, ax1 - ax0 + 1, ay1 - ay0 + 1)
}

/// A small deterministic noise value in −1..1 for pixel (x, y).
fn noise(x: u32, y: u32, seed: u32) -> f32 {
    let mut h = x.wrapping_mul(374761393) ^ y.wrapping_mul(668265263) ^ seed.wrapping_mul(2246822519);
    h = (h ^ (h >> 13)).wrapping_mul(1274126177);
    ((h ^ (h >> 16)) & 0xffff) as f32 / 32768.0 - 1.0
}

/// Off-white drawing paper with a little grain and uneven light.
pub fn paper(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let light = 235.0 - 20.0 * (x as f32 / w as f32) + 6.0 * noise(x, y, 1);
        Rgb([light as u8, (light - 4.0) as u8, (light - 14.0) as u8])
    })
}

/// A painted-looking texture: broad wavy brush strokes of mixed colour, with bristle streaks.
pub fn painted(w: u32, h: u32, seed: u32) -> RgbImage {
    let s = seed as f32;
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let stroke =
            ((fx * 0.013 + (fy * 0.021 + s).sin() * 2.0).sin() + (fy * 0.009 - fx * 0.004 + s).cos()) / 2.0;
        let bristle = noise(x / 9, y, seed) * 0.5 + noise(x, y, seed + 1) * 0.25;
        let base = [
            150.0 + 80.0 * stroke + 20.0 * bristle,
            120.0 + 60.0 * (stroke * 2.3 + s).sin() + 20.0 * bristle,
            90.0 + 70.0 * (stroke * 1.7 - s).cos() + 20.0 * bristle,
        ];
        Rgb(base.map(|v| v.clamp(0.0, 255.0) as u8))
    })
}

/// A 640×480 photo of a name badge pinned on a blue jumper: a white card with a red band
/// reading "HELLO my name is" in `font`, and room below for the name. Returns the picture and
/// the centre of the space where the name goes.
pub fn badge(font: &FontVec) -> (RgbImage, (f32, f32)) {
    let mut img = RgbImage::from_fn(640, 480, |x, y| {
        let knit = 8.0 * noise(x / 3, y / 2, 7) + 6.0 * ((x as f32 * 0.8).sin() * (y as f32 * 0.5).sin());
        Rgb([(40.0 + knit) as u8, (70.0 + knit) as u8, (150.0 + knit) as u8])
    });
    let (x, y, w, h) = (150, 140, 340, 200);
    draw_filled_rect_mut(&mut img, Rect::at(x + 6, y + 8).of_size(w, h), Rgb([20, 35, 80])); // shadow
    draw_filled_rect_mut(&mut img, Rect::at(x, y).of_size(w, h), Rgb([248, 248, 244]));
    draw_filled_rect_mut(&mut img, Rect::at(x, y).of_size(w, 62), Rgb([200, 30, 40]));
    write(
        &mut img,
        "HELLO",
        font,
        30.0,
        0.0,
        Rgb([255, 255, 255]),
        ((x + w as i32 / 2) as f32, (y + 22) as f32),
    );
    write(
        &mut img,
        "my name is",
        font,
        18.0,
        0.0,
        Rgb([255, 255, 255]),
        ((x + w as i32 / 2) as f32, (y + 48) as f32),
    );
    (img, ((x + w as i32 / 2) as f32, (y + 62 + (h as i32 - 62) / 2) as f32))
}

/// Whether `area` (where a name was drawn) lies mostly inside `boxes` (where postsafe found
/// a name): at least half of it covered by one box.
pub fn found(area: Area, boxes: &[postsafe::TextBox]) -> bool {
    boxes.iter().any(|b| {
        let ix = (area.0 + area.2).min((b.x + b.w) as i32) - area.0.max(b.x as i32);
        let iy = (area.1 + area.3).min((b.y + b.h) as i32) - area.1.max(b.y as i32);
        ix > 0 && iy > 0 && (ix * iy) as f32 >= 0.5 * (area.2 * area.3) as f32
    })
}
