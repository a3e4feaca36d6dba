//! `postsafe app`: the same checks as the command line, on a page in the browser the computer
//! already has. A small web server on this computer's loopback address serves the page, takes
//! the photos dropped on it, runs them through [`Filter::run`] as the command line does, and
//! lets a person decide about each one through [`Filter::publish`]. Nothing leaves the
//! computer: the server listens on 127.0.0.1 only and answers only its own page.

mod batch;
mod http;

use postsafe::Filter;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the server waits after the page was last heard from before it stops. Browsers
/// slow the timers of hidden tabs to about once a minute, so this leaves room for that.
const IDLE_EXIT: Duration = Duration::from_secs(300);

/// How the app was started.
pub struct Settings {
    /// Open the page in the default browser.
    pub open_browser: bool,
    /// Where each batch's results folder is made.
    pub out: PathBuf,
    /// How long without hearing from the page before stopping.
    pub idle_exit: Duration,
}

impl Settings {
    /// Settings for a person who double-clicked the program: results in their Pictures
    /// folder, the browser opened.
    pub fn for_a_person(open_browser: bool, out: Option<PathBuf>, idle_exit: Option<Duration>) -> Settings {
        let out = out.unwrap_or_else(default_results);
        Settings { open_browser, out, idle_exit: idle_exit.unwrap_or(IDLE_EXIT) }
    }
}

/// Results go where photos live: a "postsafe" folder in the user's Pictures folder, or their
/// home folder when there is none.
fn default_results() -> PathBuf {
    let home = std::env::home_dir().unwrap_or_else(|| PathBuf::from("."));
    let pictures = home.join("Pictures");
    match pictures.is_dir() {
        true => pictures.join("postsafe"),
        false => home.join("postsafe"),
    }
}

/// What the server holds for as long as it runs.
pub(crate) struct App {
    /// The secret every request must carry.
    token: String,
    /// The loopback port the server listens on.
    port: u16,
    /// The filter with the model loaded, which each batch's filter shares.
    filter: Filter,
    /// Where batches' results folders are made.
    out: PathBuf,
    /// Where dropped photos are kept while they are checked; removed when the app ends.
    uploads: tempfile::TempDir,
    /// Every batch started, in order.
    batches: Mutex<Vec<Arc<batch::Batch>>>,
    /// When the page was last heard from.
    heard: Mutex<Instant>,
    /// Set once the app is stopping: batches in progress finish the photos they have begun.
    stopping: AtomicBool,
}

impl App {
    fn heard_from(&self) {
        *self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.heard.lock().unwrap_or_else(std::sync::PoisonError::into_inner).elapsed()
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Whether a batch is being checked, so the app must not stop for want of a page.
    fn busy(&self) -> bool {
        self.batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().any(|b| b.running())
    }

    /// The page's address, with the token that opens it.
    fn address(&self) -> String {
        format!("http://127.0.0.1:{}/?t={}", self.port, self.token)
    }
}

/// Runs the app until it is stopped (Ctrl-C, or the page gone for [`Settings::idle_exit`]).
/// The page's address is the first line printed on standard output.
pub fn run(filter: Filter, settings: Settings, stop: &'static AtomicBool) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the app's server: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot listen on this computer's loopback address: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let uploads = tempfile::Builder::new()
            .prefix("postsafe-app-")
            .tempdir()
            .map_err(|e| format!("cannot make a private folder for the photos: {e}"))?;
        let app = Arc::new(App {
            token: new_token()?,
            port,
            filter,
            out: settings.out,
            uploads,
            batches: Mutex::new(Vec::new()),
            heard: Mutex::new(Instant::now()),
            stopping: AtomicBool::new(false),
        });
        // Whoever started the app may read the first line and go: nothing printed afterwards
        // may fail the app.
        let mut out = std::io::stdout();
        let where_ = match settings.open_browser {
            true => "postsafe is open in your web browser.",
            false => "Open the address above in a web browser.",
        };
        let _ = writeln!(
            out,
            "{}\n{where_}\nKeep this window open while you use it; close it (or press Ctrl-C) to stop.",
            app.address()
        );
        let _ = out.flush();
        if settings.open_browser {
            if let Err(why) = crate::desktop::open(app.address().as_ref()) {
                eprintln!(
                    "postsafe: could not open the web browser ({why}). Open this address in it: {}",
                    app.address()
                );
            }
        }
        let idle_exit = settings.idle_exit;
        let watched = app.clone();
        let stopped = async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let idle = watched.idle_for() > idle_exit && !watched.busy();
                if stop.load(Ordering::SeqCst) || idle {
                    watched.stopping.store(true, Ordering::SeqCst);
                    return;
                }
            }
        };
        axum::serve(listener, http::router(app.clone()))
            .with_graceful_shutdown(stopped)
            .await
            .map_err(|e| format!("the app's server stopped: {e}"))?;
        // Batches in progress finish the photos they have begun, then write their reports.
        while app.busy() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    })
}

/// A fresh secret for the page's address: 128 bits from the operating system's generator.
fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot make a secret for the page: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
