//! The `postsafe` command: a thin shell over the library that turns flags into [`Options`],
//! shows progress, and prints the outcome.

mod app;
mod desktop;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use postsafe::{FaceAction, Filter, Options, Outcome, PhotoReport, Progress};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

// tract's large activation buffers are page-faulted afresh on every run under the system
// allocator; mimalloc keeps them, which made CenterFace nearly twice as fast here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (the same in mimalloc 2 and 3; the Rust bindings do
/// not name it): how many milliseconds freed memory is kept before it goes back to the system.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc's default of 1 s kept every thread's freed buffers of the multi-scale search around
/// long enough that `-j 4` over camera photos peaked at 521 MB; 300 ms brought that to 445 MB
/// at the same speed (0 ms: 334 MB, but a third slower in system time). With two threads it
/// saved little (12 camera photos, 5 runs each: 301–339 MB against 314–346 MB) and cost
/// 3.5–6.5% in speed, so it applies from [`PURGE_FROM_THREADS`] threads up.
const PURGE_DELAY_MS: std::ffi::c_long = 300;
/// The fewest photos analysed at once for which [`PURGE_DELAY_MS`] pays.
const PURGE_FROM_THREADS: usize = 3;
/// A single pass at `--detect-side` has buffers small enough to keep them all (-1: never give
/// freed memory back): at 640 px over the compare batch, 3.3% faster than mimalloc's default
/// in 8 runs out of 8, 288 MB peak against 267.
const DETECT_SIDE_PURGE_DELAY_MS: std::ffi::c_long = -1;

/// Checks photos before they go on the school's social-media account: every photo that shows
/// a face is held back (or blurred), and the rest are copied, without GPS, dates or names,
/// into a ready-to-post folder.
#[derive(Parser, Debug)]
#[command(version, long_version = LONG_VERSION, after_help = AFTER_HELP, max_term_width = 100)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    /// Photos and folders to check (folders are searched, including subfolders). With none,
    /// postsafe opens its app in the web browser, as it does when double-clicked.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Where to put the ready folder, the review page and the report [default: a folder
    /// beside the first input, named after it: "Trip (postsafe)"]
    #[arg(short, long, value_name = "DIR", help_heading = "Output")]
    out: Option<PathBuf>,

    /// Open the review page in the web browser when done.
    #[arg(long, help_heading = "Output")]
    open: bool,

    #[command(flatten)]
    shown: Shown,

    /// Class list, one name per line: photos whose file name, folder or metadata (caption,
    /// keywords, people tags…) name anyone on it are held back, and so are photos with a name
    /// on it written in the picture (with --faces blur that name is covered instead).
    #[arg(long, value_name = "FILE", help_heading = "Names")]
    names: Option<PathBuf>,

    /// What to do with a photo that shows a face.
    #[arg(long, value_enum, default_value_t = Faces::Hold, value_name = "WHAT", help_heading = "Faces")]
    faces: Faces,

    #[command(flatten)]
    detection: Detection,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open postsafe's app: a page in the web browser to drop photos on, review them and
    /// decide about each one. It runs on this computer only; nothing is sent anywhere.
    App(AppArgs),
    /// Check a whole post before it goes out: its words, its photos and its time.
    ///
    /// The photos get the same checks as always; the words are checked for names on the class
    /// list, praise or criticism of one child, and where children will be at a given time on a
    /// trip; the time must be a weekday from 8am to 6pm unless the post is an event or urgent
    /// news. Only a post that passes is written, to OUT/post/ (post.txt and the photos,
    /// numbered in order).
    #[command(after_help = POST_HELP)]
    Post(PostArgs),
    /// Measure recall and false hold-backs on labelled photos.
    ///
    /// MANIFEST is a tab-separated file whose header names at least the columns file, label
    /// (face or noface) and category; files are relative to the manifest's folder. Nothing is
    /// written. `cargo run --release --example eval_set` builds the project's own set.
    #[command(after_help = EVAL_EXIT_CODES)]
    Eval {
        /// The labelled photos.
        manifest: PathBuf,

        #[command(flatten)]
        shown: Shown,

        #[command(flatten)]
        detection: Detection,
    },
}

#[derive(Args, Debug)]
struct AppArgs {
    /// Open nothing; print the page's address (with its secret) as the first line.
    #[arg(long)]
    no_browser: bool,

    /// Where each check's results folder goes [default: a folder "postsafe" in your Pictures
    /// folder]
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Stop after this many seconds without hearing from the page [default: 300].
    #[arg(long, value_name = "SECONDS", hide = true)]
    idle_exit: Option<u64>,

    #[command(flatten)]
    detection: Detection,
}

#[derive(Args, Debug)]
struct PostArgs {
    /// The photos, in the order they will appear (at most 4, or one GIF).
    #[arg(value_name = "PHOTO")]
    photos: Vec<PathBuf>,

    /// The post's words; "-" reads them from standard input.
    #[arg(long, value_name = "TEXT", required_unless_present = "text_file", conflicts_with = "text_file")]
    text: Option<String>,

    /// Read the post's words from this file (UTF-8).
    #[arg(long, value_name = "FILE")]
    text_file: Option<PathBuf>,

    /// When it is to go out, as "YYYY-MM-DD HH:MM" in local time [default: now].
    #[arg(long, value_name = "WHEN")]
    at: Option<String>,

    /// The post is about an event, so it may go out outside school hours.
    #[arg(long)]
    event: bool,

    /// The post is urgent news, so it may go out outside school hours.
    #[arg(long)]
    urgent: bool,

    /// Class list, one name per line: no name on it may appear in the words, the photos' file
    /// names or their metadata.
    #[arg(long, value_name = "FILE")]
    names: Option<PathBuf>,

    /// Where to put the checked photos, the review page, the report and the ready post
    /// [default: a folder "postsafe post" in the current folder]
    #[arg(short, long, value_name = "DIR", help_heading = "Output")]
    out: Option<PathBuf>,

    #[command(flatten)]
    shown: Shown,

    /// What to do with a photo that shows a face.
    #[arg(long, value_enum, default_value_t = Faces::Hold, value_name = "WHAT", help_heading = "Faces")]
    faces: Faces,

    #[command(flatten)]
    detection: Detection,
}

const POST_HELP: &str = "\
Examples:
  postsafe post --text \"Year 3's Roman shields!\" shield1.jpg shield2.jpg --names class.txt
  postsafe post --text-file news.txt --at \"2026-11-24 19:30\" --event concert.jpg

Exit status: 0 when the post may go out, 1 when it may not (the findings say why), 2 when the
command itself is wrong.";

/// What is printed.
#[derive(Args, Debug)]
struct Shown {
    /// Print the JSON report to standard output (and nothing else there).
    #[arg(long, help_heading = "Output")]
    json: bool,

    /// Show no progress bar and no summary.
    #[arg(short, long, help_heading = "Output")]
    quiet: bool,
}

/// How faces are searched for.
#[derive(Args, Debug, Clone)]
struct Detection {
    /// Smallest face to find, as its width in pixels in the posted photo (long side 2048).
    #[arg(long, value_name = "PX", default_value_t = Options::default().min_face, help_heading = "Faces")]
    min_face: u32,

    /// Detector score, 0 to 1, from which a spot may be a face: under 0.5 it counts only when
    /// a second detector confirms it. Lower finds more.
    #[arg(long, value_name = "F", default_value_t = Options::DEFAULT_THRESHOLD, help_heading = "Faces")]
    threshold: f32,

    /// Look for faces in one pass at this long side instead of at several scales. Faster,
    /// but small faces are missed: for comparing with other tools, not for posting.
    #[arg(long, value_name = "PX", help_heading = "Faces")]
    detect_side: Option<u32>,

    /// Search the whole photo turned, for small faces lying on their side or upside down (a
    /// class photographed from above, a photo whose orientation was lost) too faint for the
    /// default, which turns only where it sees a weak face-like spot. About three times slower.
    #[arg(long, help_heading = "Faces")]
    turned: bool,

    /// Use this CenterFace ONNX model instead of the built-in one.
    #[arg(long, value_name = "PATH", help_heading = "Faces")]
    model: Option<PathBuf>,

    /// Photos to analyse at once [default: one per processor core].
    #[arg(short = 'j', long, value_name = "N", help_heading = "Performance")]
    threads: Option<usize>,
}

impl Detection {
    fn options(&self, roster: postsafe::Roster) -> Options {
        Options {
            min_face: self.min_face,
            threshold: self.threshold,
            detect_side: self.detect_side,
            turned: self.turned,
            model: self.model.clone(),
            threads: self.threads,
            roster,
            ..Options::default()
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Faces {
    /// Keep the photo out of the ready folder.
    Hold,
    /// Cover each face with large blocks and let the photo through.
    Blur,
}

impl From<Faces> for FaceAction {
    fn from(faces: Faces) -> FaceAction {
        match faces {
            Faces::Hold => FaceAction::Hold,
            Faces::Blur => FaceAction::Blur,
        }
    }
}

/// What `--version` says: the version, whether this build reads HEIC photos, and the
/// SHA-256 and source of each model built in, so a downloaded program can be checked (build.rs).
const LONG_VERSION: &str = include_str!(concat!(env!("OUT_DIR"), "/long_version.txt"));

const AFTER_HELP: &str = "\
Results, in the output folder: ready/ (the photos safe to post), review.html (a page showing what
is ready, what was held back and why, and any problems) and report.json (the same for programs).
Ctrl-C stops after the photos in progress, and still writes the page and the report.

Examples:
  postsafe \"Trip photos\"                      results in \"Trip photos (postsafe)\" beside it
  postsafe IMG_0412.jpg IMG_0413.jpg -o out   two photos, results in out/
  postsafe photos --names class.txt --open    also hold back photos naming a child; open the page

Exit status: 0 when every photo was processed (holding photos back is a normal result), 1 when any
photo could not be read or analysed, 2 when the command itself is wrong or the output folder cannot
be used (another run is writing to it, or it cannot be written), 130 when stopped with Ctrl-C
before every photo was checked.";

/// Set by the first Ctrl-C; the batch starts no photo after it.
static STOP: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = Cli::parse();
    // mimalloc's own environment variable wins, so the trade can be measured without a build.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        let threads = cli.detection.threads.unwrap_or_else(rayon::current_num_threads);
        let delay = match cli.detection.detect_side {
            Some(_) => Some(DETECT_SIDE_PURGE_DELAY_MS),
            None => (threads >= PURGE_FROM_THREADS).then_some(PURGE_DELAY_MS),
        };
        if let Some(delay) = delay {
            // SAFETY: sets one integer option, which mimalloc reads when it next decides
            // whether to return freed memory; no allocation depends on its value.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
        }
    }
    let code = run(&cli);
    if desktop::started_by_drop() {
        eprintln!("\nPress Enter to close this window.");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    code
}

fn run(cli: &Cli) -> ExitCode {
    match &cli.command {
        Some(Command::Eval { manifest, shown, detection }) => return evaluate(manifest, shown, detection),
        Some(Command::Post(args)) => return post(args),
        Some(Command::App(args)) => return app(args),
        // Double-clicked, or started with nothing to check: the app.
        None if cli.inputs.is_empty() => {
            let args =
                AppArgs { no_browser: false, out: None, idle_exit: None, detection: cli.detection.clone() };
            return app(&args);
        }
        None => {}
    }
    let Some(inputs) = inputs(&cli.inputs) else {
        return ExitCode::from(2);
    };
    let Some(roster) = roster(cli.names.as_deref()) else {
        return ExitCode::from(2);
    };
    let Some(filter) = filter(Options { faces: cli.faces.into(), ..cli.detection.options(roster) }) else {
        return ExitCode::from(2);
    };
    let out = cli.out.clone().unwrap_or_else(|| default_out(&inputs[0]));
    let bar = Bar::new(cli.shown.quiet);
    stop_on_ctrl_c(bar.0.clone());
    let report = match filter.run(&inputs, &out, &bar) {
        Ok(r) => r,
        Err(e) => {
            bar.0.finish_and_clear();
            complain(&e);
            return ExitCode::from(2);
        }
    };
    bar.0.finish_and_clear();
    cli.shown.print(|| report.to_json(), || report.human_summary(&out));
    if cli.open {
        let page = out.join(postsafe::REVIEW_FILE);
        if let Err(why) = desktop::open(page.as_os_str()) {
            complain(&format!(
                "warning: could not open the review page: {why}. Open {} in a web browser.",
                page.display()
            ));
        }
    }
    if report.stopped_early {
        ExitCode::from(130)
    } else if report.summary.error > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The class list at `path` (an empty one without a path), or `None` after saying what is
/// wrong with the file.
fn roster(path: Option<&Path>) -> Option<postsafe::Roster> {
    let Some(path) = path else {
        return Some(postsafe::Roster::default());
    };
    let why = match postsafe::Roster::from_file(path) {
        Ok(r) if !r.is_empty() => return Some(r),
        Ok(_) => "the class list has no names in it. Put one name per line.".to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "there is no such class list. Check the path is spelled right.".to_string()
        }
        Err(e) => {
            format!("cannot read the class list ({e}). Save it as plain text (UTF-8), one name per line.")
        }
    };
    complain(&format!("{}: {why}", path.display()));
    None
}

/// `postsafe post`: checks the draft and writes the post when it passes.
fn post(args: &PostArgs) -> ExitCode {
    let text = match (&args.text, &args.text_file) {
        (Some(dash), _) if dash == "-" => std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read the post's words from standard input ({e})")),
        (Some(text), _) => Ok(text.clone()),
        (None, Some(file)) => std::fs::read_to_string(file).map_err(|e| {
            format!(
                "{}: cannot read the post's words ({e}). Save them as plain text (UTF-8).",
                file.display()
            )
        }),
        (None, None) => unreachable!("clap requires --text or --text-file"),
    };
    let at = match &args.at {
        None => Ok(jiff::ZonedDateTime::now().datetime()),
        Some(when) => jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", when.trim()).map_err(|_| {
            format!("--at {when:?} is not a time postsafe understands. Write it as \"2026-11-24 19:30\".")
        }),
    };
    let (text, at) = match (text, at) {
        (Ok(text), Ok(at)) => (text, at),
        (Err(why), _) | (_, Err(why)) => {
            complain(&why);
            return ExitCode::from(2);
        }
    };
    let Some(photos) = inputs(&args.photos) else {
        return ExitCode::from(2);
    };
    let Some(roster) = roster(args.names.as_deref()) else {
        return ExitCode::from(2);
    };
    let Some(filter) = filter(Options { faces: args.faces.into(), ..args.detection.options(roster) }) else {
        return ExitCode::from(2);
    };
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("postsafe post"));
    let draft = postsafe::post::Draft { text, photos, at: Some(at), event: args.event, urgent: args.urgent };
    let bar = Bar::new(args.shown.quiet);
    let checked = filter.check_post(&draft, &out, &bar);
    bar.0.finish_and_clear();
    let report = match checked {
        Ok(report) => report,
        Err(e) => {
            complain(&e);
            return ExitCode::from(2);
        }
    };
    args.shown.print(|| report.to_json(), || report.human_summary(&out));
    if report.may_go_out {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

const EVAL_EXIT_CODES: &str = "Exit status: 0 when every face photo was held back, 1 when a face \
photo would have been posted or a photo could not be read, 2 when the command itself is wrong.";

fn evaluate(manifest: &Path, shown: &Shown, detection: &Detection) -> ExitCode {
    let manifest = match postsafe::Manifest::from_file(manifest) {
        Ok(m) => m,
        Err(e) => {
            complain(&e);
            return ExitCode::from(2);
        }
    };
    let Some(filter) = filter(detection.options(postsafe::Roster::default())) else {
        return ExitCode::from(2);
    };
    let bar = Bar::new(shown.quiet);
    let evaluation = filter.evaluate(&manifest, &bar);
    bar.0.finish_and_clear();
    shown.print(|| evaluation.to_json(), || evaluation.human_summary());
    let failed = evaluation.photos.iter().any(|p| p.error.is_some());
    if failed || evaluation.overall.held_back_faces < evaluation.overall.face_photos {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Says what went wrong on standard error, with any control characters in file names escaped.
fn complain(what: &dyn std::fmt::Display) {
    eprintln!("postsafe: {}", postsafe::printable(&what.to_string()));
}

/// `postsafe app`: serves the app's page until it is closed or Ctrl-C is pressed.
fn app(args: &AppArgs) -> ExitCode {
    let Some(filter) = filter(args.detection.options(postsafe::Roster::default())) else {
        return ExitCode::from(2);
    };
    let idle_exit = args.idle_exit.map(std::time::Duration::from_secs);
    let settings = app::Settings::for_a_person(!args.no_browser, args.out.clone(), idle_exit);
    if let Err(e) = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst)) {
        complain(&format!("warning: Ctrl-C will stop at once ({e})"));
    }
    match app::run(filter, settings, &STOP) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            complain(&why);
            ExitCode::from(2)
        }
    }
}

/// The filter for `options`, or `None` after saying why it cannot be made.
fn filter(options: Options) -> Option<Filter> {
    Filter::new(options).map_err(|e| complain(&e)).ok()
}

impl Shown {
    /// JSON on standard output when asked for, and the summary for people on standard output,
    /// or on standard error when standard output carries the JSON.
    fn print(&self, json: impl FnOnce() -> String, summary: impl FnOnce() -> String) {
        if self.json {
            println!("{}", json());
        }
        if !self.quiet {
            if self.json {
                eprintln!("{}", summary());
            } else {
                println!("{}", summary());
            }
        }
    }
}

/// The inputs as paths that exist, or `None` after naming each one that does not. A path
/// typed with Windows separators (`photos\trip`) or pasted with its quotes is taken as
/// meant when only that reading exists.
fn inputs(given: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut missing = false;
    for path in given {
        let text = path.to_string_lossy();
        let unquoted = text.trim_matches(|c| c == '"' || c == '\'');
        let readings = [path.clone(), PathBuf::from(unquoted), PathBuf::from(unquoted.replace('\\', "/"))];
        match readings.into_iter().find(|p| p.exists()) {
            Some(p) => found.push(p),
            None => {
                complain(&format!(
                    "{}: there is no such file or folder. Check the path is spelled right \
                     (put it in quotes if it has spaces), or drag the folder onto this window.",
                    path.display()
                ));
                missing = true;
            }
        }
    }
    (!missing).then_some(found)
}

/// Makes Ctrl-C stop the run gently: no new photo is started, the ones in progress are
/// finished, and the report and review page are still written. Pressing it again does not
/// cut that short, since only the finish leaves no half-done work behind.
fn stop_on_ctrl_c(bar: ProgressBar) {
    let said = move |message: &str| {
        if bar.is_hidden() {
            eprintln!("{message}");
        } else {
            bar.println(message);
        }
    };
    let handler = move || {
        if STOP.swap(true, Ordering::SeqCst) {
            said("Still finishing the photos in progress; the report follows.");
        } else {
            said("Stopping: finishing the photos in progress, then writing the report and review page…");
        }
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        eprintln!("postsafe: warning: Ctrl-C will stop at once, without a report ({e})");
    }
}

/// A folder beside the first input, named after it: "Trip photos (postsafe)" next to a
/// dropped folder "Trip photos", "IMG_0412 (postsafe)" next to a dropped photo. Each batch gets
/// its own, so two batches from one folder never mix their ready photos.
fn default_out(first: &Path) -> PathBuf {
    let first = first.canonicalize().unwrap_or_else(|_| first.to_path_buf());
    let name = match first.is_dir() {
        true => first.file_name(),
        false => first.file_stem(),
    };
    let folder = match name {
        Some(name) => format!("{} (postsafe)", name.to_string_lossy()),
        None => "postsafe".into(),
    };
    first.parent().unwrap_or(Path::new(".")).join(folder)
}

/// A progress bar on standard error; indicatif hides it by itself when that is not a
/// terminal. It also carries Ctrl-C to the batch.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Bar {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(0) };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos}/{len} photos [{bar:30}] {elapsed}{left} {msg}")
                .expect("the template is valid")
                // Until a photo is done there is nothing to estimate from.
                .with_key("left", |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                    if state.pos() > 0 {
                        let _ = write!(out, " (about {} left)", indicatif::HumanDuration(state.eta()));
                    }
                })
                .progress_chars("=> "),
        );
        // The first photos can take many seconds; the spinner and the clock show it is working.
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(bar)
    }
}

impl Progress for Bar {
    fn started(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn began(&self, input: &Path) {
        if self.0.position() == 0 {
            let name = input.file_name().unwrap_or(input.as_os_str()).to_string_lossy();
            self.0.set_message(format!("checking {}", postsafe::printable(&name)));
        }
    }

    fn finished(&self, photo: &PhotoReport) {
        if photo.outcome == Outcome::HeldBack {
            self.0.set_message(format!("held back: {}", photo.reason.as_deref().unwrap_or("a face")));
        } else if self.0.position() == 0 {
            self.0.set_message("");
        }
        self.0.inc(1);
    }

    fn cancelled(&self) -> bool {
        STOP.load(Ordering::SeqCst)
    }
}
