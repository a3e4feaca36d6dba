//! `cargo xtask dist`: builds the downloads a school runs into `target/dist/`.
//!
//! For each platform, one archive holding the program (stripped, every model built in), a
//! plain-language `READ ME FIRST.txt` and the licences of postsafe, of each model and of each
//! Rust crate built in; beside them a CycloneDX bill of materials per archive and
//! `SHA256SUMS`. Both programs are built from this Linux machine by one `cargo build` with two
//! `--target`s, so the long compile of tract keeps both cores busy.

mod archive;
mod cargo;
mod licences;
mod sbom;
mod texts;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::{env, fs};

/// A platform postsafe is downloaded for.
pub struct Platform {
    /// Rust's name for it, which also names the archive.
    pub triple: &'static str,
    /// The program's file name.
    pub exe: &'static str,
    /// The tool that strips the program, and the Debian package that has it.
    strip: (&'static str, &'static str),
    /// The C compiler the build needs (tract and mimalloc hold C and assembly), and its package.
    cc: (&'static str, &'static str),
    /// How the archive is packed.
    pub format: Format,
}

/// How an archive is packed: what each platform opens without installing anything.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

/// The Windows download: most classroom laptops.
const WINDOWS: Platform = Platform {
    triple: "x86_64-pc-windows-gnu",
    exe: "postsafe.exe",
    strip: ("x86_64-w64-mingw32-strip", "binutils-mingw-w64-x86-64"),
    cc: ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
    format: Format::Zip,
};

/// The Linux download, linked statically against musl: it runs on any 64-bit Linux, whatever
/// its C library, and as fast as the glibc build (README, "Building the downloads").
const LINUX: Platform = Platform {
    triple: "x86_64-unknown-linux-musl",
    exe: "postsafe",
    strip: ("strip", "binutils"),
    cc: ("musl-gcc", "musl-tools"),
    format: Format::TarGz,
};

const PLATFORMS: [&Platform; 2] = [&WINDOWS, &LINUX];

const USAGE: &str = "\
Usage: cargo xtask dist [--target TRIPLE]...

Builds postsafe's downloads into target/dist/: for each platform an archive with the program,
READ ME FIRST.txt and the licences, a CycloneDX bill of materials (.cdx.json), and SHA256SUMS.
Platforms: x86_64-pc-windows-gnu, x86_64-unknown-linux-musl (both when none is given).";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let platforms = match args.split_first() {
        Some((command, rest)) if command == "dist" => platforms(rest),
        _ => Err(USAGE.to_string()),
    };
    match platforms.and_then(|p| dist(&p)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("xtask: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The platforms `--target` names, or all of them.
fn platforms(args: &[String]) -> Result<Vec<&'static Platform>, String> {
    let mut chosen = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let triple = match arg.as_str() {
            "--target" => args.next().ok_or(USAGE)?,
            _ => return Err(format!("unexpected argument {arg:?}\n\n{USAGE}")),
        };
        let platform = PLATFORMS
            .into_iter()
            .find(|p| p.triple == triple)
            .ok_or_else(|| format!("no download is made for {triple:?}\n\n{USAGE}"))?;
        chosen.push(platform);
    }
    Ok(if chosen.is_empty() { PLATFORMS.to_vec() } else { chosen })
}

/// Everything `cargo xtask dist` makes.
fn dist(platforms: &[&'static Platform]) -> Result<(), String> {
    for platform in platforms {
        check_tools(platform)?;
    }
    let workspace = cargo::Workspace::find()?;
    let built = cargo::build(&workspace.root, platforms)?;
    let out = workspace.target_dir.join("dist");
    if out.exists() {
        fs::remove_dir_all(&out).map_err(|e| format!("cannot empty {}: {e}", out.display()))?;
    }
    fs::create_dir_all(&out).map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let staging = workspace.target_dir.join("xtask");
    let mut written = Vec::new();
    for (platform, build) in platforms.iter().zip(&built) {
        let program = strip(platform, &build.exe, &staging)?;
        let models = licences::Model::read_manifest(&build.out_dir)?;
        let name = format!("postsafe-{}-{}", workspace.version, platform.triple);
        let crates = cargo::linked_crates(&workspace, platform.triple)?;
        let mut files = vec![
            archive::File::program(platform.exe, program.clone()),
            archive::File::text("READ ME FIRST.txt", &texts::read_me_first(platform, &workspace.version)),
        ];
        files.extend(licences::files(&workspace.root, &models, &build.out_dir, &staging, &crates)?);
        let archive = archive::write(&out, &name, platform.format, &files)?;
        let bom = sbom::document(&workspace, platform, &program, &models, &crates)?;
        let bom_path = out.join(format!("{name}.cdx.json"));
        let bom_text = serde_json::to_string_pretty(&bom).expect("a JSON value always serialises") + "\n";
        fs::write(&bom_path, bom_text).map_err(|e| format!("cannot write {}: {e}", bom_path.display()))?;
        written.extend([archive, bom_path]);
    }
    let sums = written
        .iter()
        .map(|path| {
            let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(format!("{}  {}\n", hex(&Sha256::digest(bytes)), file_name(path)))
        })
        .collect::<Result<String, String>>()?;
    let sums_path = out.join("SHA256SUMS");
    fs::write(&sums_path, sums).map_err(|e| format!("cannot write {}: {e}", sums_path.display()))?;
    written.push(sums_path);
    for path in &written {
        let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!("{:>12} bytes  {}", size, path.display());
    }
    Ok(())
}

/// Says which tool is missing before a long build rather than after it.
fn check_tools(platform: &Platform) -> Result<(), String> {
    for (tool, package) in [platform.cc, platform.strip] {
        if !on_path(tool) {
            return Err(format!(
                "{tool} is not installed, and the {} download needs it: apt-get install {package}",
                platform.triple
            ));
        }
    }
    let libdir = Command::new(env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "target-libdir", "--target", platform.triple])
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let libdir = PathBuf::from(String::from_utf8_lossy(&libdir.stdout).trim());
    let has_std = fs::read_dir(&libdir).is_ok_and(|entries| {
        entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    });
    if !has_std {
        return Err(format!(
            "Rust's standard library for {0} is not installed: rustup target add {0}",
            platform.triple
        ));
    }
    Ok(())
}

fn on_path(tool: &str) -> bool {
    env::var_os("PATH").is_some_and(|path| env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// The program without its symbols and line tables, which a school has no use for: a copy in
/// `staging`, read back.
fn strip(platform: &Platform, exe: &Path, staging: &Path) -> Result<Vec<u8>, String> {
    let dir = staging.join(platform.triple);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let stripped = dir.join(platform.exe);
    let (tool, package) = platform.strip;
    let status = Command::new(tool)
        .arg("-o")
        .arg(&stripped)
        .arg(exe)
        .status()
        .map_err(|e| format!("cannot run {tool} ({e}): apt-get install {package}"))?;
    if !status.success() {
        return Err(format!("{tool} {} failed ({status})", exe.display()));
    }
    fs::read(&stripped).map_err(|e| format!("cannot read {}: {e}", stripped.display()))
}

/// `bytes` as lower-case hexadecimal, as `sha256sum` prints a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The last part of `path`, for listings.
pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
