//! HEIC/HEIF photos, the format iPhones and many Android phones take pictures in, read through
//! libheif when the build found it (see `build.rs`); otherwise they are refused with an error
//! that says how to get them read.

/// Whether this build reads HEIC/HEIF photos (it was built with libheif).
pub const SUPPORTED: bool = cfg!(postsafe_heif);

/// The metadata blocks of an HEIF file, as they would sit in a JPEG: EXIF (TIFF data, with or
/// without its "Exif\0\0" prefix) and XMP packets.
#[derive(Default)]
pub(crate) struct MetadataBlocks {
    pub exif: Vec<Vec<u8>>,
    pub xmp: Vec<Vec<u8>>,
}

/// Whether `bytes` are an HEIF container (iPhone HEIC photos, AVIF), by the brand in its
/// `ftyp` box.
pub(crate) fn is_heif(bytes: &[u8]) -> bool {
    const BRANDS: [&[u8; 4]; 11] =
        [b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"avif", b"avis"];
    bytes.get(4..8) == Some(b"ftyp")
        && bytes.get(8..12).is_some_and(|brand| BRANDS.iter().any(|b| b == &brand))
}

/// Why this build cannot open HEIC photos, and what the teacher can do about it.
#[cfg(not(postsafe_heif))]
const NOT_BUILT_IN: &str = "HEIC/HEIF photos cannot be opened by this build of postsafe: it was \
     built without libheif. On the iPhone, choose Settings > Camera > Formats > Most Compatible, or \
     export the photo as JPEG, and run postsafe again; or install libheif (Debian/Ubuntu: `apt install \
     libheif-dev`, macOS: `brew install libheif`) and rebuild postsafe";

/// Decodes the primary picture of an HEIF file, upright (HEIF stores rotation and mirroring
/// as part of the picture, and libheif applies them), as 8-bit RGB or RGBA. `admit` is told
/// the width, height and whether there is alpha before anything is decoded, and decides
/// whether it may be (its `Ok` comes back with the picture); `Err` says in plain words why
/// it cannot be.
#[cfg(not(postsafe_heif))]
pub(crate) fn decode<T>(
    _bytes: &[u8],
    _admit: impl FnOnce(u32, u32, bool) -> Result<T, Refusal>,
) -> Result<(image::DynamicImage, T), Refusal> {
    Err(Refusal::Unreadable(NOT_BUILT_IN.into()))
}

/// The EXIF and XMP blocks of an HEIF file; `None` when they cannot be read.
#[cfg(not(postsafe_heif))]
pub(crate) fn metadata_blocks(_bytes: &[u8]) -> Option<MetadataBlocks> {
    None
}

/// Why an HEIF picture was not decoded.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The size it declares was refused by the caller, for this reason.
    // Only libheif's decoder reads a size to refuse; a build without it refuses every HEIF
    // as unreadable.
    #[cfg_attr(not(postsafe_heif), allow(dead_code))]
    NotAdmitted(crate::Error),
    /// Damaged, unsupported, or no libheif in this build.
    Unreadable(String),
}

#[cfg(postsafe_heif)]
pub(crate) use with_libheif::{decode, metadata_blocks};

#[cfg(postsafe_heif)]
mod with_libheif {
    use super::{MetadataBlocks, Refusal};
    use image::{DynamicImage, RgbImage, RgbaImage};
    use std::ffi::{c_char, c_int, CStr};
    use std::ptr;

    /// The part of libheif's C API (1.13+, `libheif/heif.h`) that postsafe calls.
    mod ffi {
        use std::ffi::{c_char, c_int, c_void};

        #[repr(C)]
        pub struct Context {
            _private: [u8; 0],
        }
        #[repr(C)]
        pub struct Handle {
            _private: [u8; 0],
        }
        #[repr(C)]
        pub struct Image {
            _private: [u8; 0],
        }
        #[repr(C)]
        pub struct Error {
            pub code: c_int,
            pub subcode: c_int,
            pub message: *const c_char,
        }
        pub const COLORSPACE_RGB: c_int = 1;
        pub const CHROMA_INTERLEAVED_RGB: c_int = 10;
        pub const CHROMA_INTERLEAVED_RGBA: c_int = 11;
        pub const CHANNEL_INTERLEAVED: c_int = 10;

        #[link(name = "heif")]
        extern "C" {
            pub fn heif_init(params: *const c_void) -> Error;
            pub fn heif_context_alloc() -> *mut Context;
            pub fn heif_context_free(ctx: *mut Context);
            pub fn heif_context_read_from_memory_without_copy(
                ctx: *mut Context,
                mem: *const c_void,
                size: usize,
                options: *const c_void,
            ) -> Error;
            pub fn heif_context_get_primary_image_handle(
                ctx: *mut Context,
                handle: *mut *mut Handle,
            ) -> Error;
            pub fn heif_image_handle_release(handle: *const Handle);
            pub fn heif_image_handle_get_width(handle: *const Handle) -> c_int;
            pub fn heif_image_handle_get_height(handle: *const Handle) -> c_int;
            pub fn heif_image_handle_has_alpha_channel(handle: *const Handle) -> c_int;
            pub fn heif_image_handle_get_number_of_metadata_blocks(
                handle: *const Handle,
                type_filter: *const c_char,
            ) -> c_int;
            pub fn heif_image_handle_get_list_of_metadata_block_IDs(
                handle: *const Handle,
                type_filter: *const c_char,
                ids: *mut u32,
                count: c_int,
            ) -> c_int;
            pub fn heif_image_handle_get_metadata_content_type(
                handle: *const Handle,
                id: u32,
            ) -> *const c_char;
            pub fn heif_image_handle_get_metadata_size(handle: *const Handle, id: u32) -> usize;
            pub fn heif_image_handle_get_metadata(handle: *const Handle, id: u32, out: *mut c_void) -> Error;
            pub fn heif_decode_image(
                handle: *const Handle,
                image: *mut *mut Image,
                colorspace: c_int,
                chroma: c_int,
                options: *const c_void,
            ) -> Error;
            pub fn heif_image_get_width(image: *const Image, channel: c_int) -> c_int;
            pub fn heif_image_get_height(image: *const Image, channel: c_int) -> c_int;
            pub fn heif_image_get_plane_readonly(
                image: *const Image,
                channel: c_int,
                stride: *mut c_int,
            ) -> *const u8;
            pub fn heif_image_release(image: *const Image);
        }
    }

    /// The file's primary picture, parsed but not yet decoded. The context borrows `bytes`
    /// (libheif reads them without copying), so it must not outlive them.
    struct Primary<'a> {
        context: *mut ffi::Context,
        handle: *mut ffi::Handle,
        _bytes: &'a [u8],
    }

    impl Drop for Primary<'_> {
        fn drop(&mut self) {
            // SAFETY: both were made by libheif in `Primary::open` and are released once.
            unsafe {
                if !self.handle.is_null() {
                    ffi::heif_image_handle_release(self.handle);
                }
                ffi::heif_context_free(self.context);
            }
        }
    }

    fn check(err: ffi::Error) -> Result<(), String> {
        if err.code == 0 {
            return Ok(());
        }
        // SAFETY: libheif documents `message` as always set to a static NUL-terminated string.
        let message = unsafe { text(err.message) }.unwrap_or_default();
        Err(format!("libheif cannot read it ({})", message.trim()))
    }

    /// # Safety
    /// `p` is null or points to a NUL-terminated string that lives long enough.
    unsafe fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    impl<'a> Primary<'a> {
        fn open(bytes: &'a [u8]) -> Result<Self, String> {
            static INIT: std::sync::Once = std::sync::Once::new();
            // SAFETY: initialises libheif's plugins once per process; it is reference counted
            // and never undone, which libheif allows.
            // A failure shows again, with its message, in the calls that follow.
            INIT.call_once(|| {
                let _ = unsafe { ffi::heif_init(ptr::null()) };
            });
            // SAFETY: a fresh context, freed by `Drop` even when reading fails.
            let context = unsafe { ffi::heif_context_alloc() };
            if context.is_null() {
                return Err("libheif is out of memory".into());
            }
            let mut primary = Primary { context, handle: ptr::null_mut(), _bytes: bytes };
            // SAFETY: `bytes` outlives the context (the lifetime on `Primary`).
            check(unsafe {
                ffi::heif_context_read_from_memory_without_copy(
                    context,
                    bytes.as_ptr().cast(),
                    bytes.len(),
                    ptr::null(),
                )
            })?;
            // SAFETY: the context was read successfully; the handle is released by `Drop`.
            check(unsafe { ffi::heif_context_get_primary_image_handle(context, &mut primary.handle) })?;
            Ok(primary)
        }

        fn blocks(&self, kind: &CStr) -> Vec<(u32, Option<String>)> {
            // SAFETY: the handle is valid while `self` lives; `ids` has room for `count` IDs.
            unsafe {
                let count = ffi::heif_image_handle_get_number_of_metadata_blocks(self.handle, kind.as_ptr());
                let mut ids = vec![0u32; usize::try_from(count).unwrap_or(0)];
                let got = ffi::heif_image_handle_get_list_of_metadata_block_IDs(
                    self.handle,
                    kind.as_ptr(),
                    ids.as_mut_ptr(),
                    count.max(0),
                );
                ids.truncate(usize::try_from(got).unwrap_or(0));
                ids.into_iter()
                    .map(|id| (id, text(ffi::heif_image_handle_get_metadata_content_type(self.handle, id))))
                    .collect()
            }
        }

        fn block(&self, id: u32) -> Option<Vec<u8>> {
            // SAFETY: `out` has exactly the size libheif reports for this block.
            unsafe {
                let size = ffi::heif_image_handle_get_metadata_size(self.handle, id);
                let mut out = vec![0u8; size];
                check(ffi::heif_image_handle_get_metadata(self.handle, id, out.as_mut_ptr().cast())).ok()?;
                Some(out)
            }
        }
    }

    pub(crate) fn metadata_blocks(bytes: &[u8]) -> Option<MetadataBlocks> {
        let primary = Primary::open(bytes).ok()?;
        let mut found = MetadataBlocks::default();
        for (id, _) in primary.blocks(c"Exif") {
            let block = primary.block(id)?;
            // HEIF puts the offset of the TIFF header in front of the EXIF data.
            let skip = block.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))?;
            let tiff = block.get(4 + usize::try_from(skip).ok()?..)?;
            found.exif.push(tiff.to_vec());
        }
        for (id, content_type) in primary.blocks(c"mime") {
            if content_type.as_deref() == Some("application/rdf+xml") {
                found.xmp.push(primary.block(id)?);
            }
        }
        Some(found)
    }

    pub(crate) fn decode<T>(
        bytes: &[u8],
        admit: impl FnOnce(u32, u32, bool) -> Result<T, Refusal>,
    ) -> Result<(DynamicImage, T), Refusal> {
        let primary = Primary::open(bytes).map_err(Refusal::Unreadable)?;
        // SAFETY: the handle is valid while `primary` lives.
        let (width, height, alpha) = unsafe {
            (
                ffi::heif_image_handle_get_width(primary.handle),
                ffi::heif_image_handle_get_height(primary.handle),
                ffi::heif_image_handle_has_alpha_channel(primary.handle) != 0,
            )
        };
        let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) else {
            return Err(Refusal::Unreadable("it states no picture size".into()));
        };
        let channels: u32 = if alpha { 4 } else { 3 };
        let admitted = admit(width, height, alpha)?;
        let chroma = if alpha { ffi::CHROMA_INTERLEAVED_RGBA } else { ffi::CHROMA_INTERLEAVED_RGB };
        let mut image: *mut ffi::Image = ptr::null_mut();
        // SAFETY: the decoded image is released below on every path.
        check(unsafe {
            ffi::heif_decode_image(primary.handle, &mut image, ffi::COLORSPACE_RGB, chroma, ptr::null())
        })
        .map_err(Refusal::Unreadable)?;
        let copied = copy_pixels(image, channels);
        // SAFETY: made by `heif_decode_image` above, released once.
        unsafe { ffi::heif_image_release(image) };
        let image = copied.ok_or_else(|| Refusal::Unreadable("libheif returned no pixels".into()))?;
        Ok((image, admitted))
    }

    /// The interleaved 8-bit plane of a decoded image, copied row by row (libheif pads rows).
    fn copy_pixels(image: *const ffi::Image, channels: u32) -> Option<DynamicImage> {
        let mut stride: c_int = 0;
        // SAFETY: `image` is a live decoded image; the plane has `height` rows of `stride` bytes.
        let (width, height, plane) = unsafe {
            (
                ffi::heif_image_get_width(image, ffi::CHANNEL_INTERLEAVED),
                ffi::heif_image_get_height(image, ffi::CHANNEL_INTERLEAVED),
                ffi::heif_image_get_plane_readonly(image, ffi::CHANNEL_INTERLEAVED, &mut stride),
            )
        };
        let (width, height, stride) =
            (u32::try_from(width).ok()?, u32::try_from(height).ok()?, usize::try_from(stride).ok()?);
        let row = usize::try_from(width * channels).ok()?;
        if plane.is_null() || stride < row {
            return None;
        }
        // SAFETY: see above; the slice covers exactly the plane's rows.
        let plane: &[u8] =
            unsafe { std::slice::from_raw_parts(plane, stride * usize::try_from(height).ok()?) };
        let pixels: Vec<u8> = plane.chunks(stride).flat_map(|r| &r[..row]).copied().collect();
        Some(if channels == 4 {
            DynamicImage::ImageRgba8(RgbaImage::from_raw(width, height, pixels)?)
        } else {
            DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, pixels)?)
        })
    }
}
