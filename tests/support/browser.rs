//! A real browser for the tests that look at the review page: Debian's chromium, run
//! headless. `.ci/run` installs it.
#![allow(dead_code)] // each user takes its own share of these

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a screenshot may take before the browser is given up on as hung.
const PATIENCE: Duration = Duration::from_secs(90);

/// Renders the local `page` in a `width`×`height` window and saves what it shows to `png`.
/// `Err` says what went wrong, and how to get chromium when it is missing.
pub fn screenshot(page: &Path, png: &Path, width: u32, height: u32) -> Result<(), String> {
    let browser = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
        .ok_or("chromium is not installed: run .ci/run, which installs it (or apt-get install chromium)")?;
    let page = page.canonicalize().map_err(|e| format!("{}: {e}", page.display()))?;
    let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
    // A file, not a pipe: the browser's chatter could fill a pipe nobody reads until it ends.
    let log = profile.path().join("stderr.txt");
    let stderr = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start {browser}: {e}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            return match status.success() && png.exists() {
                true => Ok(()),
                false => Err(format!("{browser} made no screenshot ({status}): {said}")),
            };
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            return Err(format!("{browser} took over {PATIENCE:?} to render {}", page.display()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
