//! Scaling pictures, with SIMD through `fast_image_resize` (the `image` crate's own resize is
//! several times slower on 12-megapixel photos).

use fast_image_resize as fr;
use image::DynamicImage;

/// `image` scaled to exactly `width` × `height` (each at least 1).
pub(crate) fn to_size(image: &DynamicImage, width: u32, height: u32, filter: fr::FilterType) -> DynamicImage {
    let (width, height) = (width.max(1), height.max(1));
    if (width, height) == (image.width(), image.height()) {
        return image.clone();
    }
    let mut out = DynamicImage::new(width, height, image.color());
    fr::Resizer::new()
        .resize(image, &mut out, &fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(filter)))
        .expect("source and destination share a pixel type supported by fast_image_resize");
    out
}

/// The part `[left, top, width, height]` of `image` (in its pixels) scaled to exactly
/// `width` × `height`.
pub(crate) fn region_to_size(
    image: &DynamicImage,
    [left, top, w, h]: [f64; 4],
    width: u32,
    height: u32,
    filter: fr::FilterType,
) -> DynamicImage {
    let mut out = DynamicImage::new(width.max(1), height.max(1), image.color());
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(filter)).crop(left, top, w, h);
    fr::Resizer::new()
        .resize(image, &mut out, &options)
        .expect("source and destination share a pixel type supported by fast_image_resize");
    out
}

/// `image` scaled down so its long side is at most `max_side`; unchanged when it already fits.
pub(crate) fn fit_within(image: &DynamicImage, max_side: u32) -> DynamicImage {
    scaled_to_fit(image, max_side).unwrap_or_else(|| image.clone())
}

/// `image` scaled down so its long side is at most `max_side`; `None` when it already fits.
pub(crate) fn scaled_to_fit(image: &DynamicImage, max_side: u32) -> Option<DynamicImage> {
    let long = image.width().max(image.height());
    if long <= max_side {
        return None;
    }
    let scale = f64::from(max_side) / f64::from(long);
    let w = (f64::from(image.width()) * scale).round() as u32;
    let h = (f64::from(image.height()) * scale).round() as u32;
    Some(to_size(image, w, h, fr::FilterType::Lanczos3))
}
