//! The pipeline: one photo through read → detect → decide → redact → write, and a batch of
//! them in parallel.

use crate::decide::{decide, Outcome};
use crate::detect::{Detector, Face, Search};
use crate::error::{Error, Result};
use crate::metadata::{self, Field};
use crate::options::Options;
use crate::read::{self, Found};
use crate::report::{PhotoReport, Removed, Report};
use crate::review::Thumbnail;
use crate::text::{Reader, TextBox};
use crate::{redact, resize, write};
use image::{DynamicImage, GenericImageView, ImageFormat};
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// What [`Filter::check`] found in one picture.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// [`Outcome::Ready`], [`Outcome::HeldBack`] or [`Outcome::Blurred`].
    pub outcome: Outcome,
    /// Faces found, in pixels of the picture that was checked.
    pub faces: Vec<Face>,
    /// Where a name on the class list is written, in pixels of the picture that was checked
    /// (empty without a roster; a photo held back for a face is not read in hold mode).
    pub text_boxes: Vec<TextBox>,
    /// The picture as it may be posted (scaled to the size limit, faces and names covered
    /// when blurred); `None` when it is held back.
    pub publishable: Option<DynamicImage>,
}

/// Told about a batch's progress, from any of its worker threads.
pub trait Progress: Sync {
    /// The batch holds `total` files.
    fn started(&self, _total: usize) {}
    /// Work on one file begins: a photo can take seconds, and a person watching wants to see
    /// something move before the first is done.
    fn began(&self, _input: &Path) {}
    /// One file is finished.
    fn finished(&self, _photo: &PhotoReport) {}
    /// Whether to stop: asked before each photo is started. Once it says yes, the photos in
    /// progress are finished, the rest are reported as not checked, and the report and review
    /// page are written as usual, marked [`Report::stopped_early`]. Outputs are written
    /// whole or not at all, so stopping leaves no half-written file.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress nobody watches.
impl Progress for () {}

/// A face filter with its model loaded, ready to check pictures. Building one takes a
/// moment (the model is parsed); reuse it for many pictures, from any number of threads.
pub struct Filter {
    options: Options,
    detector: Detector,
    /// The text models, loaded on the first photo that needs reading: a run without a class
    /// list never pays for them.
    reader: OnceLock<std::result::Result<Reader, String>>,
    pool: Option<rayon::ThreadPool>,
}

impl Filter {
    /// Loads the model named in `options` (or the built-in one).
    pub fn new(options: Options) -> Result<Filter> {
        if !(0.0..1.0).contains(&options.threshold) {
            return Err(Error::Options(format!(
                "--threshold must be between 0 and 1, not {}",
                options.threshold
            )));
        }
        if options.max_side < 32 {
            return Err(Error::Options(format!(
                "the size limit must be at least 32 pixels, not {}",
                options.max_side
            )));
        }
        if let Some(side) = options.detect_side.filter(|s| !(32..=4096).contains(s)) {
            return Err(Error::Options(format!(
                "--detect-side must be between 32 and 4096 pixels, not {side}"
            )));
        }
        let smallest = crate::detect::smallest_findable_face(options.max_side);
        if options.min_face < smallest {
            return Err(Error::Options(format!(
                "--min-face must be at least {smallest}: smaller faces cannot be searched for reliably"
            )));
        }
        if options.min_face > options.max_side {
            return Err(Error::Options(format!(
                "--min-face must be at most {}, the long side of a posted photo: no face is wider than the photo it is in",
                options.max_side
            )));
        }
        let pool = match options.threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| Error::Options(format!("cannot start {n} threads: {e}")))?,
            ),
            None => None,
        };
        let detector = Detector::load(options.model.as_deref())?;
        Ok(Filter { options, detector, reader: OnceLock::new(), pool })
    }

    /// The options this filter runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Checks one upright picture already in memory, as it shows over white: a picture with
    /// transparency is analysed, and made publishable, laid over white, so what may be posted
    /// is exactly what was analysed. With [`FaceAction::Hold`] the search
    /// stops after the first scale that finds a face, so the `faces` of a held-back picture
    /// may leave out faces much smaller than those listed. With a class list
    /// ([`Options::roster`]) the text in the picture is read too, and a name on the list is
    /// treated as a face is: held back, or covered with [`crate::FaceAction::Blur`].
    ///
    /// [`FaceAction::Hold`]: crate::FaceAction::Hold
    pub fn check(&self, image: &DynamicImage) -> Result<Verdict> {
        let shown = DynamicImage::ImageRgb8(read::over_white(image.clone()));
        self.check_posted(resize::fit_within(&shown, self.options.max_side), image.dimensions())
    }

    /// [`Filter::check`] for a picture it may consume, so a large original is freed before
    /// the detector's memory is taken; `full_size` is the whole picture's, which `image` may
    /// be a reduced-scale decode of.
    fn check_owned(&self, image: DynamicImage, full_size: (u32, u32)) -> Result<Verdict> {
        let posted = resize::scaled_to_fit(&image, self.options.max_side).unwrap_or(image);
        self.check_posted(posted, full_size)
    }

    /// Checks `posted` (a picture of `width` × `height` scaled to the size limit).
    fn check_posted(&self, posted: DynamicImage, (width, height): (u32, u32)) -> Result<Verdict> {
        let hold = self.options.faces == crate::FaceAction::Hold;
        let faces_posted = self.faces_in(&posted, self.options.threshold, hold)?;
        let back_to_input = f64::from(width) / f64::from(posted.width());
        let faces = faces_posted.iter().map(|f| f.scaled(back_to_input, width, height)).collect();
        let outcome = decide(faces_posted.len(), self.options.faces);
        let publishable = match outcome {
            Outcome::Ready => Some(posted),
            Outcome::Blurred => self.covered(posted, &faces_posted)?,
            _ => None,
        };
        // Only a picture that could still go out needs reading: one held back for a face
        // stays held back whatever is written in it.
        let (publishable, names_posted) = match publishable {
            Some(picture) if !self.options.roster.is_empty() => self.without_names(picture, hold)?,
            other => (other, Vec::new()),
        };
        let text_boxes = names_posted.iter().map(|b| b.scaled(back_to_input, width, height)).collect();
        let outcome = decide(faces_posted.len() + names_posted.len(), self.options.faces);
        let outcome = if publishable.is_some() { outcome } else { Outcome::HeldBack };
        Ok(Verdict { outcome, faces, text_boxes, publishable })
    }

    /// `picture` and where names on the roster are written in it: with `hold`, `None` when
    /// there is any; otherwise the picture with them covered, checked again (as faces are) and
    /// `None` when a name can still be read after covering with flat colour.
    fn without_names(
        &self,
        mut picture: DynamicImage,
        hold: bool,
    ) -> Result<(Option<DynamicImage>, Vec<TextBox>)> {
        let found = self.names_written(&picture)?;
        if found.is_empty() {
            return Ok((Some(picture), found));
        }
        if hold {
            return Ok((None, found));
        }
        let areas: Vec<Face> = found.iter().map(TextBox::as_area).collect();
        redact::cover(&mut picture, &areas, false);
        let left = self.names_written(&picture)?;
        if left.is_empty() {
            return Ok((Some(picture), found));
        }
        let areas: Vec<Face> = left.iter().map(TextBox::as_area).collect();
        redact::cover(&mut picture, &areas, true);
        let still = self.names_written(&picture)?.is_empty();
        Ok((still.then_some(picture), found))
    }

    /// Where in `picture` a line of text names someone on the roster.
    fn names_written(&self, picture: &DynamicImage) -> Result<Vec<TextBox>> {
        let reader = self
            .reader
            .get_or_init(|| Reader::load().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|reason| Error::Text { reason: reason.clone() })?;
        let lines = reader.read(picture.as_rgb8().expect("pictures are analysed as RGB"))?;
        Ok(lines
            .into_iter()
            .filter(|line| self.options.roster.written_in(&line.text))
            .map(|line| line.area)
            .collect())
    }

    /// One pass of the detector over exactly `picture` (padded to multiples of 32): no
    /// pyramid, no tiles, no size limit. What the stage benchmarks time; [`Filter::check`] is
    /// what finds faces.
    pub fn detect_once(&self, picture: &image::RgbImage) -> Result<Vec<Face>> {
        self.detector.run_whole(picture, self.options.threshold)
    }

    /// Faces scoring at least `threshold` in `picture`. `stop_when_found` stops after the first
    /// scale that finds one.
    fn faces_in(&self, picture: &DynamicImage, threshold: f32, stop_when_found: bool) -> Result<Vec<Face>> {
        self.detector.faces(picture, self.search(threshold, stop_when_found))
    }

    fn search(&self, threshold: f32, stop_when_found: bool) -> Search {
        Search {
            min_face: self.options.min_face,
            threshold,
            stop_when_found,
            one_level: self.options.detect_side,
        }
    }

    /// The best face score, at least `floor`, in the photo at `path` as [`Filter::run`] would
    /// analyse it (every frame of an animation); `None` when nothing scores `floor`.
    pub(crate) fn best_score(&self, path: &Path, floor: f32) -> Result<Option<f32>> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let decoded = read::decode(path, &bytes, &crate::container::parse(&bytes), self.options.max_side)?;
        let best_in = |picture: &DynamicImage| -> Result<Option<f32>> {
            let posted = resize::fit_within(picture, self.options.max_side);
            Ok(self.faces_in(&posted, floor, false)?.iter().map(|f| f.score).reduce(f32::max))
        };
        let mut best = best_in(&decoded.image)?;
        if decoded.format == Some(ImageFormat::Gif) {
            for frame in read::gif_frames(path, &bytes)?.skip(1) {
                let score = best_in(&read::frame_picture(frame?))?;
                best = best.into_iter().chain(score).reduce(f32::max);
            }
        }
        Ok(best)
    }

    /// Runs `work` on this filter's threads.
    pub(crate) fn in_pool<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    /// `posted` with its faces covered, checked again by the detector; `None` (hold back)
    /// when a face is still found even after covering with flat colour.
    fn covered(&self, mut posted: DynamicImage, faces: &[Face]) -> Result<Option<DynamicImage>> {
        redact::cover(&mut posted, faces, false);
        let left = self.faces_in(&posted, self.options.threshold, false)?;
        if left.is_empty() {
            return Ok(Some(posted));
        }
        redact::cover(&mut posted, &left, true);
        Ok(self.faces_in(&posted, self.options.threshold, true)?.is_empty().then_some(posted))
    }

    /// Runs the whole job: every picture under `inputs` is checked, safe copies go to
    /// `out_dir/ready/`, `out_dir/report.json` records what happened to each input, and
    /// `out_dir/review.html` shows it with pictures ([`Report::to_html`]). `progress` hears
    /// of each photo and can stop the run ([`Progress::cancelled`]).
    /// Originals are only ever read. Errors in single photos are in the report; the `Err`
    /// case is for a run that cannot happen at all (the output folder cannot be made).
    pub fn run<P: AsRef<Path>>(
        &self,
        inputs: &[P],
        out_dir: &Path,
        progress: &dyn Progress,
    ) -> Result<Report> {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_path_buf()).collect();
        read::check_places(&inputs, out_dir)?;
        let out = write::OutputFolder::claim(out_dir)?;
        let found = read::discover(&inputs, out_dir);
        progress.started(found.len());
        let stopped = AtomicBool::new(false);
        let work = || {
            found
                .into_par_iter()
                .map(|entry| {
                    let report = match entry {
                        Found::Picture(path, _) if progress.cancelled() => {
                            stopped.store(true, Ordering::Relaxed);
                            PhotoReport::not_checked(&path)
                        }
                        entry => {
                            if let Found::Picture(path, _) = &entry {
                                progress.began(path);
                            }
                            self.process(entry, &out)
                        }
                    };
                    progress.finished(&report);
                    report
                })
                .collect::<Vec<_>>()
        };
        let photos = self.in_pool(work);
        let report = Report { stopped_early: stopped.into_inner(), ..Report::new(photos) };
        report.write_into(out.root())?;
        Ok(report)
    }

    /// One input to its report entry. A panic inside is caught and reported as an error
    /// for that photo alone, so one bad file never stops the batch.
    fn process(&self, entry: Found, out: &write::OutputFolder) -> PhotoReport {
        let (path, folders) = match entry {
            Found::Picture(path, folders) => (path, folders),
            Found::NotPicture(path, why) => {
                return PhotoReport::without_picture(&path, Outcome::Skipped, why)
            }
            Found::Unreadable(path, err) => {
                return PhotoReport::without_picture(&path, Outcome::Error, err.to_string())
            }
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| self.process_picture(&path, &folders, out)))
            .unwrap_or_else(|panic| {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown failure".into());
                Err(Error::Crashed { path: path.clone(), reason })
            });
        outcome.unwrap_or_else(|err| PhotoReport::without_picture(&path, Outcome::Error, err.to_string()))
    }

    fn process_picture(
        &self,
        path: &Path,
        folders: &[String],
        out: &write::OutputFolder,
    ) -> Result<PhotoReport> {
        #[cfg(test)]
        tests::fault_injected_for(path);
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let stem = write::output_stem(&bytes);
        let written = self.analyse_and_write(path, folders, &bytes, &stem, out);
        // An earlier run may have found this photo safe when this one did not, or written it
        // in another form.
        let kept = written.as_ref().ok().and_then(|r| r.output.as_deref()).map(Path::new);
        out.withdraw(&stem, kept)?;
        written
    }

    fn analyse_and_write(
        &self,
        path: &Path,
        folders: &[String],
        bytes: &[u8],
        stem: &str,
        out: &write::OutputFolder,
    ) -> Result<PhotoReport> {
        let container = crate::container::parse(bytes);
        let meta = metadata::read(bytes, &container);
        let mut report = PhotoReport::new(path, Outcome::HeldBack);
        if let Some(reason) = self.names_a_child(path, folders, &meta) {
            // No need to look at the pixels: the photo cannot go out whatever they show.
            report.reason = Some(reason);
            return Ok(report);
        }
        if meta.person_tags && self.options.roster.is_empty() {
            report.warnings.push(
                "its metadata tags people by name (left out of the copy); give a class list with --names to hold such photos back".into(),
            );
        }
        let read::Decoded { image, format, orientation, full_size, see_through, memory: _memory, left_out } =
            read::decode(path, bytes, &container, self.options.max_side)?;
        let (width, height) = full_size;
        // Made before the analysis takes the picture, which frees it before the detector runs.
        let preview = resize::fit_within(&image, crate::review::THUMBNAIL_SIDE);
        let mut verdict = self.check_owned(image, full_size)?;
        let mut frames = 1;
        let mut held_frame = None;
        if format == Some(ImageFormat::Gif) && verdict.publishable.is_some() {
            // One face or written name in any frame holds the whole animation back: only the
            // first frame could be posted covered, as a still.
            for frame in read::gif_frames(path, bytes)?.skip(1) {
                frames += 1;
                let frame = read::frame_picture(frame?);
                let seen = self.check(&frame)?;
                if seen.outcome != Outcome::Ready {
                    let what =
                        if seen.faces.is_empty() { "name written in the photo" } else { "shows a face" };
                    report.reason = Some(format!("{what} (frame {frames} of the animation)"));
                    verdict = Verdict { outcome: Outcome::HeldBack, publishable: None, ..seen };
                    held_frame = Some(frame);
                    break;
                }
            }
        }
        // The review page shows what was posted, or else the picture what held it back is in.
        // A ready photo's preview shows what is posted, so only a covered one is scaled again.
        let covered = verdict.publishable.as_ref().filter(|_| verdict.outcome == Outcome::Blurred);
        let shown = covered.or(held_frame.as_ref()).unwrap_or(&preview);
        // Names written in the picture are boxed like faces, so a person can see what was found.
        let boxed: Vec<Face> =
            verdict.faces.iter().cloned().chain(verdict.text_boxes.iter().map(TextBox::as_area)).collect();
        report.thumbnail = Some(Thumbnail::new(shown, &boxed, width));
        let (output, copy) = match &verdict.publishable {
            Some(picture) => {
                let original = write::Original {
                    container: &container,
                    size: bytes.len(),
                    profile: meta.colour_profile.as_ref(),
                    format,
                    orientation,
                    see_through,
                };
                let untouched = verdict.outcome == Outcome::Ready && picture.dimensions() == (width, height);
                let why = if verdict.outcome == Outcome::Blurred {
                    match (verdict.faces.is_empty(), verdict.text_boxes.is_empty()) {
                        (false, true) => "faces covered",
                        (true, false) => "names written in it covered",
                        _ => "faces and names written in it covered",
                    }
                    .to_string()
                } else {
                    format!("scaled down to {} px on the long side", picture.width().max(picture.height()))
                };
                let animation = if frames > 1 && verdict.outcome == Outcome::Ready {
                    write::animation(|| read::gif_frames(path, bytes), width, height)?
                } else {
                    None
                };
                let prepared = match animation {
                    Some(animation) => animation,
                    None => {
                        let mut still = write::prepare(&original, picture, untouched, &why)?;
                        if frames > 1 {
                            let because = match verdict.outcome {
                                Outcome::Blurred => "faces can be covered only in a still",
                                _ => "too large to post as an animation",
                            };
                            still.copy.why = format!(
                                "animated GIF: all {frames} frames checked; {because}, so posted as a \
                                 still of its first frame ({})",
                                still.copy.why
                            );
                        }
                        still
                    }
                };
                let name = format!("{stem}.{}", prepared.ext);
                let written = out.write_ready(&name, &prepared.bytes)?;
                (Some(written.display().to_string()), Some(prepared.copy))
            }
            None => (None, None),
        };
        if verdict.outcome == Outcome::HeldBack && report.reason.is_none() {
            let reason = if verdict.faces.is_empty() && !verdict.text_boxes.is_empty() {
                "name written in the photo"
            } else {
                "shows a face"
            };
            report.reason = Some(reason.into());
        }
        if output.is_some() {
            report.removed = Removed::found_in(&meta);
            report.warnings.extend(left_out.map(String::from));
        }
        Ok(PhotoReport {
            outcome: verdict.outcome,
            output,
            width: Some(width),
            height: Some(height),
            faces: verdict.faces,
            text_boxes: verdict.text_boxes,
            copy,
            ..report
        })
    }

    /// Where, if anywhere, the photo's file name, folders or metadata name someone on the
    /// roster, as the reason to hold it back. The name itself is never repeated.
    fn names_a_child(&self, path: &Path, folders: &[String], meta: &metadata::Metadata) -> Option<String> {
        let roster = &self.options.roster;
        if roster.is_empty() {
            return None;
        }
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let texts = std::iter::once((Field::FileName, file_name.as_str()))
            .chain(folders.iter().map(|f| (Field::FolderName, f.as_str())))
            .chain(meta.texts.iter().map(|(field, text)| (*field, text.as_str())));
        for (field, text) in texts {
            if roster.names_in(text) {
                return Some(format!("names a child: {field}"));
            }
        }
        meta.unreadable
            .then(|| "names a child: cannot be ruled out, part of its metadata is unreadable".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Photos whose names start with this crash their analysis, as a bug in a decoder would.
    const CRASHES: &str = "crashes-";

    pub(super) fn fault_injected_for(path: &Path) {
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(CRASHES)) {
            panic!("injected fault");
        }
    }

    #[test]
    fn a_crash_in_one_photo_is_that_photos_error_and_the_batch_goes_on() {
        let photos = tempfile::tempdir().unwrap();
        let card = |shade: u8| {
            image::RgbImage::from_fn(320, 240, move |x, y| image::Rgb([(x / 2) as u8, (y / 2) as u8, shade]))
        };
        for (name, shade) in [("a.png", 10), ("crashes-b.png", 90), ("c.png", 170), ("d.png", 250)] {
            card(shade).save(photos.path().join(name)).unwrap();
        }
        let out = photos.path().join("out");
        let filter = Filter::new(Options { threads: Some(2), ..Options::default() }).unwrap();
        let report = filter.run(&[photos.path()], &out, &()).unwrap();
        assert_eq!((report.summary.ready, report.summary.error), (3, 1), "{report:#?}");
        let crashed = report.photos.iter().find(|p| p.input.contains(CRASHES)).unwrap();
        assert_eq!(crashed.outcome, Outcome::Error);
        assert!(crashed.error.as_deref().unwrap().contains("failed unexpectedly"), "{crashed:?}");
        let written = std::fs::read_dir(out.join(write::READY_DIR)).unwrap().count();
        assert_eq!(written, 3, "every other photo's copy is written");
        assert!(out.join(crate::REPORT_FILE).exists());
    }

    #[test]
    fn settings_that_cannot_be_searched_are_refused_naming_the_flag() {
        for (options, flag) in [
            (Options { threshold: 1.5, ..Options::default() }, "--threshold"),
            (Options { min_face: 4, ..Options::default() }, "--min-face"),
            (Options { min_face: 4000, ..Options::default() }, "--min-face"),
            (Options { detect_side: Some(16), ..Options::default() }, "--detect-side"),
            (Options { detect_side: Some(10_000), ..Options::default() }, "--detect-side"),
        ] {
            let refused = Filter::new(options).err().expect("refused before any model is loaded");
            assert!(refused.to_string().contains(flag), "{refused}");
        }
    }
}
