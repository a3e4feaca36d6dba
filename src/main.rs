//! The `postsafe` command: a thin shell over the library that turns flags into [`Options`],
//! shows progress, and prints the outcome.

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

/// Checks photos before they go on the school's social-media account: every photo that shows
/// a face is held back (or blurred), and the rest are copied, without GPS, dates or names,
/// into a ready-to-post folder.
#[derive(Parser, Debug)]
#[command(version, after_help = AFTER_HELP, max_term_width = 100)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct Cli {
    /// Photos and folders to check (folders are searched, including subfolders).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// Where to put the ready folder, the review page and the report [default: a folder
    /// "postsafe" beside the first input]
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
#[derive(Args, Debug)]
struct Detection {
    /// Smallest face to find, as its width in pixels in the posted photo (long side 2048).
    #[arg(long, value_name = "PX", default_value_t = Options::default().min_face, help_heading = "Faces")]
    min_face: u32,

    /// Detector score, 0 to 1, above which something counts as a face. Lower finds more.
    #[arg(long, value_name = "F", default_value_t = Options::DEFAULT_THRESHOLD, help_heading = "Faces")]
    threshold: f32,

    /// Look for faces in one pass at this long side instead of at several scales. Faster,
    /// but small faces are missed: for comparing with other tools, not for posting.
    #[arg(long, value_name = "PX", help_heading = "Faces")]
    detect_side: Option<u32>,

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

const AFTER_HELP: &str = "\
Results, in the output folder: ready/ (the photos safe to post), review.html (a page showing what
is ready, what was held back and why, and any problems) and report.json (the same for programs).
Ctrl-C stops after the photos in progress, and still writes the page and the report.

Examples:
  postsafe \"Trip photos\"                      results in a folder \"postsafe\" beside \"Trip photos\"
  postsafe IMG_0412.jpg IMG_0413.jpg -o out   two photos, results in out/
  postsafe photos --names class.txt --open    also hold back photos naming a child; open the page

Exit status: 0 when every photo was processed (holding photos back is a normal result), 1 when any
photo could not be read or analysed, 2 when the command itself is wrong, 130 when stopped with
Ctrl-C before every photo was checked.";

/// Set by the first Ctrl-C; the batch starts no photo after it.
static STOP: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = run(&cli);
    if started_by_drop() {
        eprintln!("\nPress Enter to close this window.");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    code
}

fn run(cli: &Cli) -> ExitCode {
    if let Some(Command::Eval { manifest, shown, detection }) = &cli.command {
        return evaluate(manifest, shown, detection);
    }
    let Some(inputs) = inputs(&cli.inputs) else {
        return ExitCode::from(2);
    };
    let roster = match &cli.names {
        None => postsafe::Roster::default(),
        Some(path) => match postsafe::Roster::from_file(path) {
            Ok(r) if !r.is_empty() => r,
            Ok(_) => {
                eprintln!(
                    "postsafe: {}: the class list has no names in it. Put one name per line.",
                    path.display()
                );
                return ExitCode::from(2);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "postsafe: {}: there is no such class list. Check the path is spelled right.",
                    path.display()
                );
                return ExitCode::from(2);
            }
            Err(e) => {
                eprintln!(
                    "postsafe: {}: cannot read the class list ({e}). Save it as plain text (UTF-8), one name per line.",
                    path.display()
                );
                return ExitCode::from(2);
            }
        },
    };
    let faces = match cli.faces {
        Faces::Hold => FaceAction::Hold,
        Faces::Blur => FaceAction::Blur,
    };
    let Some(filter) = filter(Options { faces, ..cli.detection.options(roster) }) else {
        return ExitCode::from(2);
    };
    let out = cli.out.clone().unwrap_or_else(|| default_out(&inputs[0]));
    let bar = Bar::new(cli.shown.quiet);
    stop_on_ctrl_c(bar.0.clone());
    let report = match filter.run(&inputs, &out, &bar) {
        Ok(r) => r,
        Err(e) => {
            bar.0.finish_and_clear();
            eprintln!("postsafe: {e}");
            return ExitCode::from(2);
        }
    };
    bar.0.finish_and_clear();
    cli.shown.print(|| report.to_json(), || report.human_summary(&out));
    if cli.open {
        open_in_browser(&out.join(postsafe::REVIEW_FILE));
    }
    if report.stopped_early {
        ExitCode::from(130)
    } else if report.summary.error > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

const EVAL_EXIT_CODES: &str = "Exit status: 0 when every face photo was held back, 1 when a face \
photo would have been posted or a photo could not be read, 2 when the command itself is wrong.";

fn evaluate(manifest: &Path, shown: &Shown, detection: &Detection) -> ExitCode {
    let manifest = match postsafe::Manifest::from_file(manifest) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("postsafe: {e}");
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

/// The filter for `options`, or `None` after saying why it cannot be made.
fn filter(options: Options) -> Option<Filter> {
    Filter::new(options).map_err(|e| eprintln!("postsafe: {e}")).ok()
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
                eprintln!(
                    "postsafe: {}: there is no such file or folder. Check the path is spelled right \
                     (put it in quotes if it has spaces), or drag the folder onto this window.",
                    path.display()
                );
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

/// Opens `page` in the default web browser. Failing to is only worth a warning: the page is
/// written either way.
fn open_in_browser(page: &Path) {
    #[cfg(windows)]
    let mut command = {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]).arg(page);
        c
    };
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = std::process::Command::new("open");
        c.arg(page);
        c
    };
    #[cfg(not(any(windows, target_os = "macos")))]
    let mut command = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(page);
        c
    };
    let opened = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let why = match opened {
        Ok(status) if status.success() => return,
        Ok(status) => format!("{:?} failed ({status})", command.get_program()),
        Err(e) => format!("cannot run {:?} ({e})", command.get_program()),
    };
    eprintln!(
        "postsafe: warning: could not open the review page: {why}. Open {} in a web browser.",
        page.display()
    );
}

/// A folder called `postsafe` beside the first input: next to a dropped folder, or inside
/// the folder of a dropped photo.
fn default_out(first: &Path) -> PathBuf {
    let first = std::path::absolute(first).unwrap_or_else(|_| first.to_path_buf());
    first.parent().unwrap_or(Path::new(".")).join("postsafe")
}

/// A progress bar on standard error; indicatif hides it by itself when that is not a
/// terminal. It also carries Ctrl-C to the batch.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Bar {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(0) };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {pos}/{len} photos [{bar:30}] {elapsed} (about {eta} left) {msg}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn started(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn finished(&self, photo: &PhotoReport) {
        if photo.outcome == Outcome::HeldBack {
            self.0.set_message(format!("held back: {}", photo.reason.as_deref().unwrap_or("a face")));
        }
        self.0.inc(1);
    }

    fn cancelled(&self) -> bool {
        STOP.load(Ordering::SeqCst)
    }
}

/// Whether Windows made a console just for this program, as it does when files are dropped
/// on the .exe; then the window would vanish before the summary could be read.
#[cfg(windows)]
fn started_by_drop() -> bool {
    #[link(name = "kernel32")]
    extern "system" {
        fn GetConsoleProcessList(list: *mut u32, count: u32) -> u32;
    }
    let mut ids = [0u32; 2];
    // SAFETY: the buffer holds the two entries the call is told it may write.
    let attached = unsafe { GetConsoleProcessList(ids.as_mut_ptr(), 2) };
    attached == 1 && std::io::IsTerminal::is_terminal(&std::io::stdin())
}

/// Elsewhere a dropped-on program runs with no console at all, and from a shell it must
/// never wait.
#[cfg(not(windows))]
fn started_by_drop() -> bool {
    false
}
