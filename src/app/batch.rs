//! One batch of the app: the photos a person dropped, kept in the app's private folder, checked
//! together by [`Filter::run`] exactly as the command line checks a folder, and then each one
//! open to a person's decision, which goes through [`Filter::publish`] and the results folder
//! like every copy postsafe writes.

use postsafe::{Analysis, Decision, DecisionRecord, Filter, Outcome, PhotoReport, Progress, Report, Results};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Most photos one batch takes.
pub(crate) const MAX_PHOTOS: usize = 2000;
/// Largest photo file taken; the largest phone and camera photos are a few tens of MB.
pub(crate) const MAX_PHOTO_BYTES: usize = 100 * 1024 * 1024;

/// Why a request about a batch or a photo cannot be done, as the page shows it.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The request is not one the page can make (HTTP 400).
    Bad(String),
    /// Not now, or not for this photo (HTTP 409).
    Conflict(String),
    /// The batch is full (HTTP 429).
    Full(String),
    /// Something failed on this computer (HTTP 500).
    Failed(String),
}

/// A batch of photos dropped on the page.
pub(crate) struct Batch {
    /// Its name in addresses.
    pub id: String,
    /// The filter with this batch's class list and face action.
    filter: Filter,
    /// Where its photos are kept while it lasts, inside the app's private folder.
    folder: PathBuf,
    /// Its results folder.
    pub out: PathBuf,
    state: Mutex<State>,
    running: AtomicBool,
}

#[derive(Default)]
struct State {
    photos: Vec<Photo>,
    started: bool,
}

/// One photo of a batch.
struct Photo {
    id: String,
    /// Its path as dropped, relative to what was dropped ("Trip/IMG_0412.jpg").
    name: String,
    /// Its copy in the batch's private folder.
    file: PathBuf,
    checking: bool,
    /// Its analysis, without the picture, once analysed: what a decision is published from.
    analysis: Option<Analysis>,
    /// Its entry in the report, once done.
    report: Option<PhotoReport>,
    /// Raised by every change, so the page asks for its pictures again.
    version: u32,
}

/// Gives every batch and photo of the app its own name.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

fn next_id(kind: char) -> String {
    format!("{kind}{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

impl Batch {
    /// A new batch checked by `filter`, its photos kept under `uploads`, its results in a new
    /// folder under `results` named after the time.
    pub(crate) fn new(filter: Filter, uploads: &Path, results: &Path) -> Result<Batch, Refusal> {
        let id = next_id('b');
        let folder = uploads.join(&id).join("photos");
        std::fs::create_dir_all(&folder)
            .map_err(|e| Refusal::Failed(format!("cannot keep the photos: {e}")))?;
        let now = jiff::ZonedDateTime::now().strftime("%Y-%m-%d %H.%M.%S").to_string();
        let cannot = |e: std::io::Error| Refusal::Failed(format!("cannot make the results folder: {e}"));
        std::fs::create_dir_all(results).map_err(cannot)?;
        // Made here, not by the run: two batches started in the same second must not share it.
        let mut out = results.join(&now);
        for n in 2.. {
            match std::fs::create_dir(&out) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    out = results.join(format!("{now} ({n})"))
                }
                Err(e) => return Err(cannot(e)),
            }
        }
        Ok(Batch { id, filter, folder, out, state: Mutex::default(), running: AtomicBool::new(false) })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether its photos are being checked.
    pub(crate) fn running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Keeps a dropped photo, `name` being its path as dropped. `Ok(None)` for a file that
    /// computers make beside photos (`Thumbs.db`, `._` files), which is passed over.
    pub(crate) fn add(&self, name: &str, bytes: &[u8]) -> Result<Option<String>, Refusal> {
        let parts = path_parts(name).ok_or_else(|| Refusal::Bad(format!("{name:?} is not a file name")))?;
        if parts.iter().any(|p| postsafe::made_by_a_computer(p.as_ref())) {
            return Ok(None);
        }
        let mut state = self.state();
        if state.started {
            return Err(Refusal::Conflict(
                "these photos are being checked already; drop more on a new check".into(),
            ));
        }
        if state.photos.len() >= MAX_PHOTOS {
            return Err(Refusal::Full(format!(
                "one check takes at most {MAX_PHOTOS} photos; check the rest separately"
            )));
        }
        let relative: PathBuf = parts.iter().collect();
        let mut file = self.folder.join(&relative);
        for n in 2.. {
            if !file.exists() && !state.photos.iter().any(|p| p.file == file) {
                break;
            }
            let stem = relative.file_stem().unwrap_or_default().to_string_lossy();
            let ext = relative.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
            file = self.folder.join(relative.with_file_name(format!("{stem} ({n}){ext}")));
        }
        let saved =
            file.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&file, bytes));
        saved.map_err(|e| Refusal::Failed(format!("cannot keep {name}: {e}")))?;
        let id = next_id('p');
        let photo = Photo {
            id: id.clone(),
            name: parts.join("/"),
            file,
            checking: false,
            analysis: None,
            report: None,
            version: 0,
        };
        state.photos.push(photo);
        Ok(Some(id))
    }

    /// Checks the batch's photos on a thread of their own, as the command line would: every
    /// photo read, analysed and, under the school's rule, copied or held back, into the
    /// batch's results folder. The app stopping stops it after the photos in progress.
    pub(crate) fn start(self: &Arc<Self>, app: Arc<super::App>) -> Result<(), Refusal> {
        {
            let mut state = self.state();
            if state.started {
                return Err(Refusal::Conflict("these photos are being checked already".into()));
            }
            state.started = true;
        }
        self.running.store(true, Ordering::SeqCst);
        let batch = self.clone();
        std::thread::spawn(move || {
            let progress = Watch { batch: &batch, app: &app };
            let ran = batch.filter.run(&[&batch.folder], &batch.out, &progress);
            let mut state = batch.state();
            for photo in state.photos.iter_mut() {
                photo.checking = false;
                if photo.report.is_none() {
                    let why = match &ran {
                        Ok(_) => {
                            "passed over: it is in a folder of an earlier postsafe run's results".to_string()
                        }
                        Err(e) => e.to_string(),
                    };
                    let entry = PhotoReport::without_picture(Path::new(&photo.name), Outcome::Skipped, why);
                    photo.report = Some(entry);
                }
            }
            // The report as the command line writes it names the app's private copies; the
            // results folder keeps the names the photos were dropped with.
            let written =
                Results::claim(&batch.out).and_then(|results| results.write_report(&state.report()));
            if let Err(e) = written {
                eprintln!("postsafe: {e}");
            }
            drop(state);
            batch.running.store(false, Ordering::SeqCst);
        });
        Ok(())
    }

    /// Publishes photo `id` as `decision` asks, a person having decided it: the copy written
    /// to (or withdrawn from) the ready folder, and the report and review page written again.
    pub(crate) fn decide(&self, id: &str, decision: Decision) -> Result<Option<PhotoJson>, Refusal> {
        let (analysis, file) = {
            let state = self.state();
            let Some(photo) = state.photos.iter().find(|p| p.id == id) else { return Ok(None) };
            if self.running() {
                return Err(Refusal::Conflict("wait until every photo is checked, then decide".into()));
            }
            let Some(analysis) = photo.analysis.clone() else {
                return Err(Refusal::Conflict(
                    "this photo could not be read, so there is nothing to decide about it".into(),
                ));
            };
            (analysis, photo.file.clone())
        };
        let failed = |e: postsafe::Error| Refusal::Failed(e.to_string());
        let bytes =
            std::fs::read(&file).map_err(|e| Refusal::Failed(format!("cannot read the photo again: {e}")))?;
        let published = self.filter.publish(&analysis, &bytes, &decision).map_err(failed)?;
        let results = Results::claim(&self.out).map_err(failed)?;
        let output = match &published.copy {
            Some(copy) => Some(results.put(&bytes, copy).map_err(failed)?),
            None => {
                results.withdraw(&bytes).map_err(failed)?;
                None
            }
        };
        let record = DecisionRecord::by_a_person(decision);
        let mut state = self.state();
        let photo = state.photos.iter_mut().find(|p| p.id == id).expect("photos are never removed");
        let mut entry = analysis.report(&published, output.as_deref(), Some(record));
        entry.input.clone_from(&photo.name);
        photo.report = Some(entry);
        photo.version += 1;
        let json = photo.json();
        results.write_report(&state.report()).map_err(failed)?;
        Ok(Some(json))
    }

    /// The batch as the page shows it.
    pub(crate) fn json(&self) -> BatchJson {
        let state = self.state();
        let photos: Vec<PhotoJson> = state.photos.iter().map(Photo::json).collect();
        BatchJson {
            id: self.id.clone(),
            out: self.out.display().to_string(),
            running: self.running(),
            photos,
        }
    }

    /// Whether photo `id` is in this batch.
    pub(crate) fn has(&self, id: &str) -> bool {
        self.state().photos.iter().any(|p| p.id == id)
    }

    /// Photo `id`'s thumbnail, with what was found boxed.
    pub(crate) fn thumbnail(&self, id: &str) -> Option<Vec<u8>> {
        let state = self.state();
        let photo = state.photos.iter().find(|p| p.id == id)?;
        Some(photo.report.as_ref()?.thumbnail.as_ref()?.jpeg().to_vec())
    }

    /// The file to show photo `id` from at a larger size: its copy in the ready folder when
    /// it has one (covered areas and all), or else the photo as dropped.
    pub(crate) fn shown_file(&self, id: &str) -> Option<PathBuf> {
        let state = self.state();
        let photo = state.photos.iter().find(|p| p.id == id)?;
        let output = photo.report.as_ref().and_then(|r| r.output.as_ref()).map(PathBuf::from);
        Some(output.unwrap_or_else(|| photo.file.clone()))
    }

    /// The ready folder's copies: name and path.
    pub(crate) fn ready_files(&self) -> Vec<PathBuf> {
        let state = self.state();
        let mut files: Vec<PathBuf> = state
            .photos
            .iter()
            .filter_map(|p| p.report.as_ref()?.output.as_ref().map(PathBuf::from))
            .collect();
        files.sort();
        files
    }
}

impl State {
    /// The report of every photo done, under the names they were dropped with.
    fn report(&self) -> Report {
        Report::new(self.photos.iter().filter_map(|p| p.report.clone()).collect())
    }
}

/// Hears of the batch's run and keeps what the page and the decisions need.
struct Watch<'a> {
    batch: &'a Batch,
    app: &'a super::App,
}

impl Watch<'_> {
    fn with_photo(&self, file: &Path, change: impl FnOnce(&mut Photo)) {
        let mut state = self.batch.state();
        if let Some(photo) = state.photos.iter_mut().find(|p| p.file == file) {
            change(photo);
        }
    }
}

impl Progress for Watch<'_> {
    fn began(&self, input: &Path) {
        self.with_photo(input, |photo| photo.checking = true);
    }

    fn analysed(&self, input: &Path, analysis: &Analysis) {
        self.with_photo(input, |photo| photo.analysis = Some(analysis.without_picture()));
    }

    fn finished(&self, report: &PhotoReport) {
        self.with_photo(Path::new(&report.input), |photo| {
            let mut entry = report.clone();
            entry.input.clone_from(&photo.name);
            photo.report = Some(entry);
            photo.checking = false;
            photo.version += 1;
        });
    }

    fn cancelled(&self) -> bool {
        self.app.stopping()
    }
}

/// `name`'s folder and file names, with nothing that could lead outside the batch's folder
/// (`..`, a drive, a root); `None` when none is left.
fn path_parts(name: &str) -> Option<Vec<String>> {
    let parts: Vec<String> = name
        .split(['/', '\\'])
        .flat_map(|part| Path::new(part).components())
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .filter(|p| !p.contains('\0'))
        .collect();
    (!parts.is_empty()).then_some(parts)
}

/// A batch, for the page.
#[derive(Serialize)]
pub(crate) struct BatchJson {
    id: String,
    out: String,
    running: bool,
    photos: Vec<PhotoJson>,
}

/// One photo, for the page.
#[derive(Serialize)]
pub(crate) struct PhotoJson {
    id: String,
    name: String,
    state: &'static str,
    outcome: Option<Outcome>,
    reason: Option<String>,
    error: Option<String>,
    faces: Vec<FaceJson>,
    text_boxes: Vec<postsafe::TextBox>,
    width: Option<u32>,
    height: Option<u32>,
    removed: Vec<&'static str>,
    warnings: Vec<String>,
    uncertainty: Option<String>,
    copy: Option<postsafe::CopyMethod>,
    decision: Option<DecisionRecord>,
    output: Option<String>,
    thumb: Option<String>,
    view: Option<String>,
}

/// A face found, with the colour of its box in the thumbnail.
#[derive(Serialize)]
struct FaceJson {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    score: f32,
    colour: String,
}

impl Photo {
    fn json(&self) -> PhotoJson {
        let report = self.report.as_ref();
        let state = match (report, self.checking) {
            (Some(_), _) => "done",
            (None, true) => "checking",
            (None, false) => "queued",
        };
        let faces = report.map_or(&[][..], |r| &r.faces).iter().enumerate().map(|(i, face)| {
            let [r, g, b] = postsafe::box_colour(i);
            FaceJson {
                x: face.x,
                y: face.y,
                w: face.w,
                h: face.h,
                score: face.score,
                colour: format!("#{r:02x}{g:02x}{b:02x}"),
            }
        });
        let pictured = report.is_some_and(|r| r.thumbnail.is_some());
        PhotoJson {
            id: self.id.clone(),
            name: self.name.clone(),
            state,
            outcome: report.map(|r| r.outcome),
            reason: report.and_then(|r| r.reason.clone()),
            error: report.and_then(|r| r.error.clone()),
            faces: faces.collect(),
            text_boxes: report.map(|r| r.text_boxes.clone()).unwrap_or_default(),
            width: report.and_then(|r| r.width),
            height: report.and_then(|r| r.height),
            removed: report.map(|r| r.removed.iter().map(|w| w.singular()).collect()).unwrap_or_default(),
            warnings: report.map(|r| r.warnings.clone()).unwrap_or_default(),
            uncertainty: report.and_then(|r| r.uncertainty.clone()),
            copy: report.and_then(|r| r.copy.clone()),
            decision: report.and_then(|r| r.decision.clone()),
            output: report.and_then(|r| r.output.clone()),
            thumb: pictured.then(|| format!("/api/photos/{}/thumb?v={}", self.id, self.version)),
            view: pictured.then(|| format!("/api/photos/{}/view?v={}", self.id, self.version)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_started_in_the_same_second_get_results_folders_of_their_own() {
        let root = tempfile::tempdir().unwrap();
        let (uploads, results) = (root.path().join("uploads"), root.path().join("results"));
        let new =
            || Batch::new(Filter::new(postsafe::Options::default()).unwrap(), &uploads, &results).unwrap();
        let outs: Vec<PathBuf> = (0..3).map(|_| new().out).collect();
        assert!(outs.iter().all(|out| out.is_dir()), "{outs:?}");
        assert!(outs[0] != outs[1] && outs[1] != outs[2] && outs[0] != outs[2], "{outs:?}");
    }
}
