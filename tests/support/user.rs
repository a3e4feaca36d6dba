//! Running the command as an ordinary user would. Tests often run as root, for whom no file
//! is unreadable and no folder unwritable; then the command runs as `nobody` instead.

use std::fs;
use std::path::Path;
use std::process::Command;

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Lets every user list, read and write in `dir` (temporary folders are private to their
/// maker).
pub fn open_to_everyone(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
}

/// The postsafe command, run as an ordinary user; `workspace` (a temporary folder) is opened
/// to that user and, under root, given a link to the program so the user can reach it.
pub fn postsafe(workspace: &Path) -> Command {
    if !is_root() {
        return Command::new(env!("CARGO_BIN_EXE_postsafe"));
    }
    open_to_everyone(workspace);
    let program = workspace.join("postsafe");
    if !program.exists() {
        fs::hard_link(env!("CARGO_BIN_EXE_postsafe"), &program)
            .or_else(|_| fs::copy(env!("CARGO_BIN_EXE_postsafe"), &program).map(drop))
            .unwrap();
    }
    let mut command = Command::new("setpriv");
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]).arg(program);
    command
}
