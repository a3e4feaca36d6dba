//! The pipeline: a batch of photos in parallel, each analysed ([`crate::analyse`]), published
//! under the school's rule ([`crate::publish`]), written ([`crate::write`]) and reported
//! ([`crate::report`]); and the filter that looks at pictures for them.

use crate::analyse::Analysis;
use crate::decide::Outcome;
use crate::detect::depiction::{self, Traits};
use crate::detect::{Detector, Face, FacesFound, Rule, Search};
use crate::error::{Error, Result};
use crate::options::{FaceAction, Options};
use crate::publish::Decision;
use crate::read::{self, Found};
use crate::report::{PhotoReport, Report};
use crate::text::{Reader, TextBox};
use crate::{resize, write};
use image::{DynamicImage, GenericImageView, ImageFormat};
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

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
    /// A photo was analysed, before its copy is made: what a front end that lets a person
    /// decide keeps, so a decision later needs no second analysis
    /// ([`Analysis::without_picture`] keeps it small).
    fn analysed(&self, _input: &Path, _analysis: &Analysis) {}
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
    detector: Arc<Detector>,
    /// The text models, loaded on the first photo that needs reading: a run without a class
    /// list never pays for them.
    reader: Arc<OnceLock<std::result::Result<Reader, String>>>,
    pool: Option<Arc<rayon::ThreadPool>>,
}

impl Filter {
    /// Loads the model named in `options` (or the built-in one).
    pub fn new(options: Options) -> Result<Filter> {
        Filter::checked(&options)?;
        let pool = Filter::pool_for(&options)?;
        let detector = Arc::new(Detector::load(options.model.as_deref())?);
        Ok(Filter { options, detector, reader: Arc::default(), pool })
    }

    /// A filter with other `options` sharing this one's loaded models (and its threads, when
    /// it asks for as many), as an app does for each batch a person starts with their own
    /// class list and face action.
    pub fn with_options(&self, options: Options) -> Result<Filter> {
        Filter::checked(&options)?;
        let pool = match options.threads == self.options.threads {
            true => self.pool.clone(),
            false => Filter::pool_for(&options)?,
        };
        let detector = match options.model == self.options.model {
            true => self.detector.clone(),
            false => Arc::new(Detector::load(options.model.as_deref())?),
        };
        Ok(Filter { options, detector, reader: self.reader.clone(), pool })
    }

    fn pool_for(options: &Options) -> Result<Option<Arc<rayon::ThreadPool>>> {
        options
            .threads
            .map(|n| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build();
                pool.map(Arc::new).map_err(|e| Error::Options(format!("cannot start {n} threads: {e}")))
            })
            .transpose()
    }

    /// Refuses options that cannot be searched, naming the flag.
    fn checked(options: &Options) -> Result<()> {
        if !(0.0..1.0).contains(&options.threshold) {
            return Err(Error::Options(format!(
                "--threshold must be at least 0 and below 1, not {}",
                options.threshold
            )));
        }
        // A bar above 1, or not a number, is never reached: faces would quietly go unfound.
        for (field, bar) in [("confirm_below", options.confirm_below), ("confirmed_at", options.confirmed_at)]
        {
            if !(0.0..=1.0).contains(&bar) {
                return Err(Error::Options(format!("Options::{field} must be from 0 to 1, not {bar}")));
            }
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
        Ok(())
    }

    /// The options this filter runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Checks one upright picture already in memory, as it shows over white: a picture with
    /// transparency is analysed, and made publishable, laid over white, so what may be posted
    /// is exactly what was analysed. With [`FaceAction::Hold`] the search stops after the first
    /// scale that finds a face, so the `faces` of a held-back picture may leave out faces much
    /// smaller than those listed. With a class list ([`Options::roster`]) the text in the
    /// picture is read too, and a name on the list is treated as a face is: held back, or
    /// covered with [`FaceAction::Blur`]. For a photo file, [`Filter::analyse`] and
    /// [`Filter::publish`] also read its metadata and make the file to post.
    pub fn check(&self, image: &DynamicImage) -> Result<Verdict> {
        let shown = DynamicImage::ImageRgb8(read::over_white(image.clone()));
        let posted = resize::fit_within(&shown, self.options.max_side);
        let seen = self.look_at(&posted, image.dimensions())?;
        if seen.faces.is_empty() && seen.text_boxes.is_empty() {
            return Ok(Verdict {
                outcome: Outcome::Ready,
                faces: seen.faces,
                text_boxes: seen.text_boxes,
                publishable: Some(posted),
            });
        }
        let covered = match self.options.faces {
            FaceAction::Hold => None,
            FaceAction::Blur => {
                let back = f64::from(posted.width()) / f64::from(image.width().max(1));
                let areas: Vec<Face> = crate::analyse::areas(&seen.faces, &seen.text_boxes)
                    .iter()
                    .map(|area| area.scaled(back, posted.width(), posted.height()))
                    .collect();
                self.cover_and_check(posted, &areas)?
            }
        };
        let outcome = if covered.is_some() { Outcome::Blurred } else { Outcome::HeldBack };
        Ok(Verdict { outcome, faces: seen.faces, text_boxes: seen.text_boxes, publishable: covered })
    }

    /// The faces and written names in `posted` (a picture of `width` × `height` scaled to the
    /// size limit), in pixels of the `width` × `height` picture. When faces are held back, the
    /// search stops at the first scale that finds one, and a picture with a face is not read:
    /// it stays held back whatever is written in it.
    pub(crate) fn look_at(&self, posted: &DynamicImage, (width, height): (u32, u32)) -> Result<Seen> {
        let hold = self.options.faces == FaceAction::Hold;
        let back = f64::from(width) / f64::from(posted.width().max(1));
        let found = self.faces_in(posted, hold)?;
        let to_input =
            |faces: Vec<Face>| -> Vec<Face> { faces.iter().map(|f| f.scaled(back, width, height)).collect() };
        let (faces, dismissed) = (to_input(found.faces), to_input(found.dismissed));
        let whole = !hold || faces.is_empty();
        let text_boxes = match whole && !self.options.roster.is_empty() {
            true => self.names_written(posted)?.iter().map(|b| b.scaled(back, width, height)).collect(),
            false => Vec::new(),
        };
        Ok(Seen { faces, dismissed, text_boxes, whole })
    }

    /// Where in `picture` a line of text names someone on the roster.
    pub(crate) fn names_written(&self, picture: &DynamicImage) -> Result<Vec<TextBox>> {
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

    /// The faces in `picture` under the options' rule, and the weaker spots the second opinion
    /// dismissed. `stop_when_found` stops after the first scale that finds a face.
    pub(crate) fn faces_in(&self, picture: &DynamicImage, stop_when_found: bool) -> Result<FacesFound> {
        self.detector.faces(picture, self.search(stop_when_found))
    }

    /// The options' rule for which spots are faces.
    pub(crate) fn rule(&self) -> Rule {
        let o = &self.options;
        Rule { threshold: o.threshold, confirm_below: o.confirm_below, confirmed_at: o.confirmed_at }
    }

    /// The search the options ask for.
    fn search(&self, stop_when_found: bool) -> Search {
        let o = &self.options;
        Search {
            min_face: o.min_face,
            rule: self.rule(),
            second_from: o.threshold,
            stop_when_found,
            one_level: o.detect_side,
            turned: o.turned,
            turned_from: o.confirm_below,
        }
    }

    /// Every face-like spot CenterFace scores from `floor` up in the photo at `path`, as
    /// [`Filter::run`] would analyse it (every frame of an animation), each from the threshold
    /// up with the second opinion's score: enough to tell what CenterFace alone would decide
    /// at any threshold from `floor` up, and any rule with the second opinion at this threshold.
    pub(crate) fn spots(&self, path: &Path, floor: f32) -> Result<Vec<(Face, Option<Traits>)>> {
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let decoded = read::decode(path, &bytes, &crate::container::parse(&bytes), self.options.max_side)?;
        // Every spot from the floor up is kept as a face, a spot seen only turned too (it needs
        // the second opinion, here at 0); the caller applies the rules.
        let search = Search {
            rule: Rule { threshold: floor, confirm_below: floor, confirmed_at: 0.0 },
            ..self.search(false)
        };
        let spots_in = |picture: &DynamicImage| -> Result<Vec<(Face, Option<Traits>)>> {
            let posted = resize::fit_within(picture, self.options.max_side);
            let faces = self.detector.faces(&posted, search)?.faces;
            let rgb = posted.as_rgb8().expect("pictures are analysed as 8-bit RGB");
            Ok(faces
                .into_iter()
                .map(|f| {
                    let traits = depiction::traits(
                        rgb,
                        [f.x as f32, f.y as f32, (f.x + f.w) as f32, (f.y + f.h) as f32],
                    );
                    (f, traits)
                })
                .collect())
        };
        let mut spots = spots_in(&decoded.image)?;
        if decoded.format == Some(ImageFormat::Gif) {
            for frame in read::gif_frames(path, &bytes)?.skip(1) {
                spots.extend(spots_in(&read::frame_picture(frame?))?);
            }
        }
        Ok(spots)
    }

    /// Runs `work` on this filter's threads.
    pub(crate) fn in_pool<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
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
        let out = write::Results::claim(out_dir)?;
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
                            self.process(entry, &out, progress)
                        }
                    };
                    progress.finished(&report);
                    report
                })
                .collect::<Vec<_>>()
        };
        let photos = self.in_pool(work);
        let report = Report { stopped_early: stopped.into_inner(), ..Report::new(photos) };
        out.write_report(&report)?;
        Ok(report)
    }

    /// One input to its report entry. A panic inside is caught and reported as an error
    /// for that photo alone, so one bad file never stops the batch.
    fn process(&self, entry: Found, out: &write::Results, progress: &dyn Progress) -> PhotoReport {
        let (path, folders) = match entry {
            Found::Picture(path, folders) => (path, folders),
            Found::NotPicture(path, why) => {
                return PhotoReport::without_picture(&path, Outcome::Skipped, why)
            }
            Found::Unreadable(path, err) => {
                return PhotoReport::without_picture(&path, Outcome::Error, err.to_string())
            }
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| self.process_picture(&path, &folders, out, progress)))
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
        out: &write::Results,
        progress: &dyn Progress,
    ) -> Result<PhotoReport> {
        #[cfg(test)]
        tests::fault_injected_for(path);
        let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let written = self.analyse(path, folders, &bytes).and_then(|analysis| {
            progress.analysed(path, &analysis);
            let published = self.publish(&analysis, &bytes, &Decision::Rule)?;
            let output = published.copy.as_ref().map(|copy| out.put(&bytes, copy)).transpose()?;
            Ok(PhotoReport::of(&analysis, &published, output.as_deref()))
        });
        if written.as_ref().map_or(true, |r| r.output.is_none()) {
            // An earlier run may have found this photo safe when this one did not.
            out.withdraw(&bytes)?;
        }
        written
    }
}

/// What [`Filter::look_at`] saw in a picture.
pub(crate) struct Seen {
    /// Faces found.
    pub faces: Vec<Face>,
    /// Weaker face-like spots the second opinion did not confirm.
    pub dismissed: Vec<Face>,
    /// Where names on the class list are written.
    pub text_boxes: Vec<TextBox>,
    /// Whether every scale was searched and the text read.
    pub whole: bool,
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
    fn an_identical_file_held_back_for_its_folders_name_leaves_the_others_copy() {
        let photos = tempfile::tempdir().unwrap();
        let card = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([(x / 2) as u8, (y / 2) as u8, 60]));
        // Found one after the other, the held one last.
        for folder in ["art", "zoe"] {
            std::fs::create_dir(photos.path().join(folder)).unwrap();
            card.save(photos.path().join(folder).join("card.png")).unwrap();
        }
        let out = photos.path().join("out");
        let roster = crate::Roster::parse("Zoe Hart\n");
        let filter = Filter::new(Options { threads: Some(1), roster, ..Options::default() }).unwrap();
        let report = filter.run(&[photos.path()], &out, &()).unwrap();
        assert_eq!((report.summary.ready, report.summary.held_back), (1, 1), "{report:#?}");
        let ready = report.photos.iter().find(|p| p.outcome == Outcome::Ready).unwrap();
        assert!(Path::new(ready.output.as_ref().unwrap()).exists(), "{ready:?}");
    }

    #[test]
    fn a_model_file_that_is_not_centerface_is_refused_naming_it_and_the_fix() {
        let folder = tempfile::tempdir().unwrap();
        let junk = folder.path().join("faces.onnx");
        std::fs::write(&junk, b"not a model").unwrap();
        for path in [junk, folder.path().join("missing.onnx")] {
            let options = Options { model: Some(path.clone()), ..Options::default() };
            let refused = Filter::new(options).err().expect("refused").to_string();
            assert!(refused.contains(&path.display().to_string()), "{refused}");
            assert!(refused.contains("leave out --model"), "{refused}");
        }
        let built_in =
            Error::Model { origin: "built-in".into(), built_in: true, reason: "out of memory".into() };
        assert!(!built_in.to_string().contains("--model"), "{built_in}");
    }

    #[test]
    fn settings_that_cannot_be_searched_are_refused_naming_the_setting() {
        for (options, flag) in [
            (Options { threshold: 1.5, ..Options::default() }, "--threshold"),
            (Options { threshold: f32::NAN, ..Options::default() }, "--threshold"),
            (Options { confirm_below: 1.5, ..Options::default() }, "confirm_below"),
            (Options { confirmed_at: f32::NAN, ..Options::default() }, "confirmed_at"),
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
