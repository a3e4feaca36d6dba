//! The pipeline's stages one at a time, for timing where a batch's time goes (`cargo bench
//! --bench stages`) and for tools that want one step without the rest. [`Filter::run`] is
//! these stages in order, plus the decisions and the report.
//!
//! [`Filter::run`]: crate::Filter::run

use crate::error::Result;
use image::DynamicImage;
use std::path::Path;

/// A photo file's bytes decoded upright (EXIF orientation applied). A JPEG at least twice
/// `fit` on its long side is decoded at 1/2, 1/4 or 1/8 scale, as a batch does when it will
/// post the photo at `fit` pixels at most.
pub fn decode(bytes: &[u8], fit: u32) -> Result<DynamicImage> {
    Ok(crate::read::decode(Path::new("photo"), bytes, &crate::container::parse(bytes), fit)?.image)
}

/// `picture` scaled down so its long side is at most `max_side`, as it is posted.
pub fn fit_within(picture: &DynamicImage, max_side: u32) -> DynamicImage {
    crate::resize::fit_within(picture, max_side)
}

/// A JPEG's bytes with every metadata segment removed and the picture data copied unchanged,
/// as a face-free JPEG that needs no scaling is posted; `None` when it cannot be copied
/// safely that way.
pub fn scrub_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    match crate::container::parse(bytes) {
        crate::container::Container::Jpeg(jpeg) => {
            let profile = jpeg.profile.as_deref().map(|p| crate::icc::vet(p).vetted);
            crate::scrub::jpeg(&jpeg, 1, profile.as_ref())
        }
        _ => None,
    }
}

/// `picture` encoded as the ready folder's copy is when it has to be re-encoded (scaled or
/// covered): a JPEG within [`MAX_STILL_BYTES`](crate::MAX_STILL_BYTES), no metadata.
pub fn encode_ready(picture: &DynamicImage) -> Result<Vec<u8>> {
    let container = crate::container::Container::Other;
    let original = crate::write::Original {
        container: &container,
        size: 0,
        profile: None,
        format: None,
        orientation: 1,
        see_through: false,
    };
    Ok(crate::write::prepare(&original, picture, false, "re-encoded")?.bytes)
}
