//! What cargo knows: where the workspace is, the build of each program, and which crates are
//! built into it.

use crate::Platform;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::{env, fs};

/// The workspace the downloads are built from.
pub struct Workspace {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    /// postsafe's version, which names the archives.
    pub version: String,
}

impl Workspace {
    /// The workspace cargo finds from the current folder.
    pub fn find() -> Result<Workspace, String> {
        let metadata = json(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
        let text = |key: &str| {
            metadata[key].as_str().map(str::to_owned).ok_or(format!("cargo metadata has no {key}"))
        };
        let version = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == "postsafe")
            .and_then(|p| p["version"].as_str())
            .ok_or("cargo metadata does not list the postsafe package")?
            .to_owned();
        Ok(Workspace {
            root: PathBuf::from(text("workspace_root")?),
            target_dir: PathBuf::from(text("target_directory")?),
            version,
        })
    }
}

/// One program built for a platform.
pub struct Built {
    pub exe: PathBuf,
    /// The `OUT_DIR` of postsafe's build script, which holds the models, their wheels and
    /// `models.json` (build.rs).
    pub out_dir: PathBuf,
}

/// Builds postsafe for every platform in one `cargo build`, so that one target's long,
/// one-crate stretches of tract overlap the other's; the results in the order given.
pub fn build(root: &Path, platforms: &[&Platform]) -> Result<Vec<Built>, String> {
    let mut command = cargo();
    command.current_dir(root).args(["build", "--release", "--package", "postsafe", "--bin", "postsafe"]);
    for platform in platforms {
        command.args(["--target", platform.triple]);
    }
    // cargo's progress and diagnostics go on to the person waiting; its messages come back.
    command.arg("--message-format=json-render-diagnostics").stdout(Stdio::piped()).stderr(Stdio::inherit());
    let output = command.output().map_err(|e| format!("cannot run cargo build: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo build failed ({}); its messages are above", output.status));
    }
    let (mut exes, mut out_dirs) = (HashMap::new(), HashMap::new());
    let triple_of = |path: &Path| {
        platforms.iter().map(|p| p.triple).find(|t| path.components().any(|c| c.as_os_str() == *t))
    };
    for message in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(message) else { continue };
        match message["reason"].as_str() {
            Some("compiler-artifact") if message["target"]["name"] == "postsafe" => {
                if let Some(exe) = message["executable"].as_str().map(PathBuf::from) {
                    triple_of(&exe).map(|t| exes.insert(t, exe));
                }
            }
            Some("build-script-executed") if message["package_id"].as_str().is_some_and(is_postsafe) => {
                if let Some(dir) = message["out_dir"].as_str().map(PathBuf::from) {
                    triple_of(&dir).map(|t| out_dirs.insert(t, dir));
                }
            }
            _ => {}
        }
    }
    platforms
        .iter()
        .map(|p| match (exes.remove(p.triple), out_dirs.remove(p.triple)) {
            (Some(exe), Some(out_dir)) => Ok(Built { exe, out_dir }),
            _ => Err(format!("cargo build did not say where it put postsafe for {}", p.triple)),
        })
        .collect()
}

/// Whether a cargo package id (`path+file:///…#postsafe@0.1.0`) is postsafe's own.
fn is_postsafe(id: &str) -> bool {
    id.starts_with("path+") && id.contains("#postsafe@")
}

/// A crate built into the program.
pub struct Crate {
    pub name: String,
    pub version: String,
    /// Its SPDX licence expression, as its `Cargo.toml` gives it.
    pub licence: Option<String>,
    /// Where cargo got it (`registry+https://…`, `git+https://…`); `None` for postsafe itself.
    pub source: Option<String>,
    pub repository: Option<String>,
    /// The SHA-256 of its `.crate` archive, from `Cargo.lock`.
    pub checksum: Option<String>,
    /// Its unpacked source, where its licence files are.
    pub dir: PathBuf,
    /// The crates it uses, as `name@version`.
    pub uses: BTreeSet<String>,
}

/// The crates linked into postsafe for `triple`, postsafe first: what `cargo tree` resolves
/// for a plain `cargo build` there, leaving out build scripts' and tests' dependencies and
/// procedural macros (which run in the compiler and leave nothing in the program).
pub fn linked_crates(workspace: &Workspace, triple: &str) -> Result<Vec<Crate>, String> {
    let tree = cargo()
        .current_dir(&workspace.root)
        .args(["tree", "--package", "postsafe", "--target", triple, "--edges", "normal,no-proc-macro"])
        .args(["--prefix", "depth", "--format", "{p}", "--charset", "ascii"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !tree.status.success() {
        return Err(format!("cargo tree failed: {}", String::from_utf8_lossy(&tree.stderr)));
    }
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The crate on the path from postsafe at each depth; a line's parent is the one above it.
    let mut path: Vec<String> = Vec::new();
    for line in String::from_utf8_lossy(&tree.stdout).lines() {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let (Ok(depth), mut words) = (line[..digits].parse::<usize>(), line[digits..].split_whitespace())
        else {
            continue;
        };
        let (Some(name), Some(version)) = (words.next(), words.next()) else { continue };
        let key = format!("{name}@{}", version.trim_start_matches('v'));
        path.truncate(depth);
        if let Some(parent) = path.last() {
            uses.entry(parent.clone()).or_default().insert(key.clone());
        }
        uses.entry(key.clone()).or_default();
        path.push(key);
    }
    let metadata = json(cargo().current_dir(&workspace.root).args(["metadata", "--format-version", "1"]))?;
    let checksums = lock_checksums(&workspace.root.join("Cargo.lock"))?;
    let mut crates = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let text = |key: &str| package[key].as_str().map(str::to_owned);
        let (Some(name), Some(version)) = (text("name"), text("version")) else { continue };
        let key = format!("{name}@{version}");
        let Some(used) = uses.remove(&key) else { continue };
        let manifest = PathBuf::from(text("manifest_path").unwrap_or_default());
        crates.push(Crate {
            licence: text("license"),
            source: text("source"),
            repository: text("repository"),
            checksum: checksums.get(&key).cloned(),
            dir: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
            uses: used,
            name,
            version,
        });
    }
    if let Some(missing) = uses.keys().next() {
        return Err(format!("cargo tree names {missing}, which cargo metadata does not list"));
    }
    crates.sort_by_key(|c| (c.name != "postsafe" || c.source.is_some(), c.name.clone(), c.version.clone()));
    Ok(crates)
}

/// The SHA-256 of each crate archive `Cargo.lock` pins, by `name@version`.
fn lock_checksums(lock: &Path) -> Result<HashMap<String, String>, String> {
    let text = fs::read_to_string(lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    let mut sums = HashMap::new();
    let (mut name, mut version) = (None, None);
    for line in text.lines() {
        let value = |key: &str| {
            line.strip_prefix(key)
                .and_then(|rest| rest.trim().strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_owned())
        };
        if line == "[[package]]" {
            (name, version) = (None, None);
        } else if let Some(n) = value("name") {
            name = Some(n);
        } else if let Some(v) = value("version") {
            version = Some(v);
        } else if let (Some(sum), Some(n), Some(v)) = (value("checksum"), &name, &version) {
            sums.insert(format!("{n}@{v}"), sum);
        }
    }
    Ok(sums)
}

/// cargo, the one that runs this xtask when there is one.
fn cargo() -> Command {
    Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The JSON `command` prints.
fn json(command: &mut Command) -> Result<Value, String> {
    let output = command.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("{command:?} failed ({})", output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{command:?} printed no JSON: {e}"))
}
