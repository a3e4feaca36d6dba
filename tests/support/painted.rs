//! Pictures painted in code, for tests and for the sample review page in `docs/`: nobody's
//! photo, so they can be shown anywhere.
#![allow(dead_code)] // each user takes its own share of these

use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_circle_mut, draw_filled_ellipse_mut, draw_filled_rect_mut};
use imageproc::rect::Rect;

/// Width of a painted child's face, in pixels of a 640×480 scene: CenterFace finds cartoon
/// faces about this size (scores near 0.75), while much larger ones score under the threshold.
pub const FACE_WIDTH: i32 = 60;

/// A 640×480 classroom (wall, window, table) with a painted child whose face, [`FACE_WIDTH`]
/// wide, is centred at each of `faces`.
pub fn classroom(faces: &[(i32, i32)]) -> RgbImage {
    let mut img = RgbImage::from_fn(640, 480, |x, y| {
        if y > 360 {
            Rgb([150 - (y / 8) as u8, 110, 80]) // floor
        } else {
            Rgb([(200 + x / 20) as u8, (205 + y / 30) as u8, 180]) // wall
        }
    });
    draw_filled_rect_mut(&mut img, Rect::at(470, 40).of_size(130, 110), Rgb([140, 190, 235]));
    draw_filled_rect_mut(&mut img, Rect::at(532, 40).of_size(6, 110), Rgb([250, 250, 250]));
    for &(cx, cy) in faces {
        child(&mut img, cx, cy, FACE_WIDTH);
    }
    draw_filled_rect_mut(&mut img, Rect::at(40, 330).of_size(560, 26), Rgb([160, 110, 60]));
    img
}

/// A child with shoulders, neck, hair and a shaded face `w` wide centred at (`cx`, `cy`).
fn child(img: &mut RgbImage, cx: i32, cy: i32, w: i32) {
    let h = w * 13 / 10;
    draw_filled_ellipse_mut(img, (cx, cy + h * 3 / 2), w, h / 2, Rgb([40, 70, 140]));
    let neck = Rect::at(cx - w / 5, cy + h / 3).of_size((w * 2 / 5) as u32, (h * 3 / 4) as u32);
    draw_filled_rect_mut(img, neck, Rgb([200, 150, 120]));
    draw_filled_ellipse_mut(img, (cx, cy - h / 8), w * 6 / 10, h * 6 / 10, Rgb([60, 40, 25]));
    // Rings of skin, lighter towards the middle, round the face the way light does.
    for ring in (1..=10).rev() {
        let shade = |base: i32| (base - ring * 6).clamp(0, 255) as u8;
        draw_filled_ellipse_mut(
            img,
            (cx, cy),
            w / 2 * ring / 10,
            h / 2 * ring / 10,
            Rgb([shade(235), shade(185), shade(150)]),
        );
    }
    let (ex, ey) = (w / 5, cy - h / 10);
    for side in [-1, 1] {
        draw_filled_ellipse_mut(img, (cx + side * ex, ey), w / 9, w / 16, Rgb([245, 245, 245]));
        draw_filled_circle_mut(img, (cx + side * ex, ey), w / 20, Rgb([50, 35, 25]));
        let brow =
            Rect::at(cx + side * ex - w / 8, ey - w / 7).of_size((w / 4) as u32, (w / 25).max(1) as u32);
        draw_filled_rect_mut(img, brow, Rgb([70, 45, 30]));
    }
    draw_filled_ellipse_mut(img, (cx, cy + h / 12), w / 14, w / 10, Rgb([200, 145, 115]));
    draw_filled_ellipse_mut(img, (cx, cy + h / 4), w / 7, w / 22, Rgb([170, 60, 60]));
}

/// A 640×480 child's painting: a sky, a sun, a house and flowers; `hue` (0–255) shifts the
/// colours so several paintings look different.
pub fn painting(hue: u8) -> RgbImage {
    let tint = |c: [u8; 3]| Rgb([c[0].wrapping_add(hue / 3), c[1], c[2].wrapping_add(hue / 2)]);
    let mut img = RgbImage::from_fn(640, 480, |x, y| {
        if y < 300 {
            Rgb([(120 + y / 4) as u8, (170 + y / 6) as u8, 240 - (x / 16) as u8])
        } else {
            Rgb([60, (150 + (x % 40)) as u8, 60])
        }
    });
    draw_filled_circle_mut(&mut img, (520, 90), 50, tint([250, 210, 40]));
    draw_filled_rect_mut(&mut img, Rect::at(120, 190).of_size(200, 150), tint([200, 70, 60]));
    for step in 0..80 {
        let roof = Rect::at(100 + step, 190 - step).of_size((240 - 2 * step) as u32, 1);
        draw_filled_rect_mut(&mut img, roof, tint([110, 60, 40]));
    }
    draw_filled_rect_mut(&mut img, Rect::at(195, 260).of_size(50, 80), tint([90, 50, 30]));
    for (i, x) in (380..620).step_by(45).enumerate() {
        let y = 360 + (i as i32 % 2) * 30;
        draw_filled_rect_mut(&mut img, Rect::at(x, y).of_size(4, 50), Rgb([30, 110, 30]));
        draw_filled_circle_mut(&mut img, (x + 2, y), 14, tint([230, 80 + (i as u8) * 30, 160]));
    }
    img
}

/// The class list [`sample_batch`] is checked against.
pub const SAMPLE_ROSTER: &str = "Sam Taylor\n";

/// Writes a small school batch of painted pictures into `folder` and returns their paths:
/// two paintings that can go out (one with a GPS position to remove), a classroom with two
/// children, a painting whose caption names a child on [`SAMPLE_ROSTER`], a photo cut short
/// in copying, and a letter to parents that is not a picture.
pub fn sample_batch(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(painting(120))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode PNG");
    let mut cut = super::jpeg_with_exif(&painting(200), 1, false);
    cut.truncate(cut.len() / 2);
    let files = [
        ("Art week/painting 1.jpg", super::jpeg_with_exif(&painting(0), 1, true)),
        ("Art week/painting 2.png", png),
        (
            "Class 4B/reading corner.jpg",
            super::jpeg_with_exif(&classroom(&[(190, 215), (440, 225)]), 1, false),
        ),
        (
            "Class 4B/IMG_2031.jpg",
            super::with_comment_and_person_tag(
                &super::jpeg_with_exif(&painting(60), 1, false),
                "Sports day",
                "Sam Taylor",
            ),
        ),
        ("Class 4B/IMG_2032.jpg", cut),
        ("Class 4B/letter to parents.docx", b"PK\x03\x04 not a picture".to_vec()),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().expect("in a folder")).expect("folder made");
            std::fs::write(&path, bytes).expect("file written");
            path
        })
        .collect()
}
