//! What the command and the app ask of the computer they run on: opening a page, a folder or a
//! file with the program the system chooses for it, and knowing whether a console window was
//! made just for this program.

use std::ffi::OsStr;

/// Opens `target` (a web address, a folder or a file) with the program the system uses for
/// it: the default browser, the file manager. `Err` says why it could not be, for a warning.
pub fn open(target: &OsStr) -> Result<(), String> {
    #[cfg(windows)]
    let mut command = {
        // `explorer` opens folders and addresses alike, without `start`'s quoting rules.
        let mut c = std::process::Command::new("explorer");
        c.arg(target);
        c
    };
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = std::process::Command::new("open");
        c.arg(target);
        c
    };
    #[cfg(not(any(windows, target_os = "macos")))]
    let mut command = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(target);
        c
    };
    let opened = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match opened {
        // explorer answers 1 even when it opened the window.
        Ok(status) if status.success() || cfg!(windows) => Ok(()),
        Ok(status) => Err(format!("{:?} failed ({status})", command.get_program())),
        Err(e) => Err(format!("cannot run {:?} ({e})", command.get_program())),
    }
}

/// Whether Windows made a console just for this program, as it does when files are dropped
/// on the .exe; then the window would vanish before the summary could be read.
#[cfg(windows)]
pub fn started_by_drop() -> bool {
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
pub fn started_by_drop() -> bool {
    false
}
