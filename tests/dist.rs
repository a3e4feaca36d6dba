//! The downloads a school runs, as `cargo xtask dist` makes them (README "Download"): both
//! archives hold everything the program needs, each program runs unpacked into an empty
//! folder, and the Windows program, run under Wine, judges real photos as the Linux one does.
//!
//! The downloads are built once per test run by the xtask itself, and every test here shares
//! them, so the Windows program is cross-built once. They need the MinGW-w64 and musl C
//! compilers, Rust's standard library for both targets, and Wine (`.ci/run` installs them).
//!
//! Debian 12's Wine 8.0 has no `bcryptprimitives.dll`, whose `ProcessPrng` Rust's standard
//! library calls on Windows since Rust 1.78 (every Windows Rust supports has it). These tests
//! put a stand-in, built from [`PROCESS_PRNG_STAND_IN`] with MinGW, into the test's own Wine
//! prefix, where Windows keeps its own copy: never beside the program, and never in the zip.

mod support;

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::photos;

const WINDOWS: &str = "x86_64-pc-windows-gnu";
const LINUX: &str = "x86_64-unknown-linux-musl";

/// Real photos with and without faces, for comparing the two programs.
const PHOTOS: [&str; 8] = [
    "grace_hopper.jpg",
    "astronaut.png",
    "camera.png",
    "faces.jpg",
    "chelsea.png",
    "coffee.png",
    "rocket.jpg",
    "text.png",
];

/// `ProcessPrng` for Wine, which lacks it: the same random bytes from `RtlGenRandom`
/// (`SystemFunction036` in advapi32), which Wine has.
const PROCESS_PRNG_STAND_IN: &str = r#"
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
"#;

/// What `cargo xtask dist` made.
struct Downloads {
    dir: PathBuf,
    version: String,
}

impl Downloads {
    fn archive(&self, triple: &str, extension: &str) -> PathBuf {
        self.dir.join(format!("postsafe-{}-{triple}.{extension}", self.version))
    }
}

/// The downloads, built by `cargo xtask dist` on first use.
fn downloads() -> &'static Downloads {
    static DOWNLOADS: OnceLock<Result<Downloads, String>> = OnceLock::new();
    let made = DOWNLOADS.get_or_init(|| {
        // The xtask builds in the target folder of this test run, so a later `cargo test`
        // finds the cross builds already done.
        let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target/tmp has a parent");
        let started = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(["xtask", "dist"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .map_err(|e| format!("cannot run cargo xtask dist: {e}"))?;
        eprintln!("cargo xtask dist: {:.0} s", started.elapsed().as_secs_f64());
        match status.success() {
            true => Ok(Downloads { dir: target_dir.join("dist"), version: env!("CARGO_PKG_VERSION").into() }),
            false => Err(format!("cargo xtask dist failed ({status}); its messages are above")),
        }
    });
    made.as_ref().unwrap_or_else(|why| panic!("{why}"))
}

/// Each program unpacked from its archive into a folder that was empty.
struct Unpacked {
    windows: PathBuf,
    linux: PathBuf,
    /// Every file each archive held, by path inside the archive.
    windows_files: BTreeMap<String, Vec<u8>>,
    linux_files: BTreeMap<String, Vec<u8>>,
}

fn unpacked() -> &'static Unpacked {
    static UNPACKED: OnceLock<Unpacked> = OnceLock::new();
    UNPACKED.get_or_init(|| {
        let downloads = downloads();
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dist-unpacked");
        let _ = fs::remove_dir_all(&root);
        let (windows_dir, linux_dir) = (root.join("windows"), root.join("linux"));
        let windows_files = unzip(&downloads.archive(WINDOWS, "zip"), &windows_dir);
        let linux_files = untar(&downloads.archive(LINUX, "tar.gz"), &linux_dir);
        let folder = format!("postsafe-{}-{LINUX}", downloads.version);
        Unpacked {
            windows: windows_dir.join("postsafe.exe"),
            linux: linux_dir.join(&folder).join("postsafe"),
            windows_files,
            linux_files: linux_files
                .into_iter()
                .map(|(path, bytes)| {
                    (path.strip_prefix(&format!("{folder}/")).unwrap_or(&path).to_owned(), bytes)
                })
                .collect(),
        }
    })
}

/// Unpacks the zip at `archive` into the new, empty folder `into`; its files by path.
fn unzip(archive: &Path, into: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::create_dir_all(into).unwrap();
    assert_eq!(fs::read_dir(into).unwrap().count(), 0, "{} is not empty", into.display());
    let mut zip = zip::ZipArchive::new(fs::File::open(archive).expect("the zip was made")).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        let path = entry.enclosed_name().expect("a path inside the folder");
        let target = into.join(&path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, &bytes).unwrap();
        files.insert(entry.name().to_owned(), bytes);
    }
    files
}

/// Unpacks the tar.gz at `archive` into the new, empty folder `into`; its files by path.
fn untar(archive: &Path, into: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::create_dir_all(into).unwrap();
    assert_eq!(fs::read_dir(into).unwrap().count(), 0, "{} is not empty", into.display());
    let gz = flate2::read::GzDecoder::new(fs::File::open(archive).expect("the tar.gz was made"));
    tar::Archive::new(gz).unpack(into).expect("a tar.gz");
    let gz = flate2::read::GzDecoder::new(fs::File::open(archive).unwrap());
    let mut files = BTreeMap::new();
    for entry in tar::Archive::new(gz).entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_file() {
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            files.insert(path, bytes);
        }
    }
    files
}

/// A Wine prefix of this test run's own, with the `ProcessPrng` stand-in in its system folder.
struct Wine {
    prefix: PathBuf,
}

fn wine() -> &'static Wine {
    static WINE: OnceLock<Wine> = OnceLock::new();
    WINE.get_or_init(|| {
        let installed = Command::new("wine").arg("--version").output().is_ok_and(|o| o.status.success());
        assert!(installed, "wine is not installed: apt-get install wine");
        let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-prefix");
        let _ = fs::remove_dir_all(&prefix);
        let wine = Wine { prefix };
        let (status, _, stderr) = wine.run(Path::new("wineboot"), &["-i"], Path::new(env!("CARGO_TARGET_TMPDIR")));
        assert!(status.success(), "wineboot could not make a Wine prefix: {stderr}");
        let system32 = wine.prefix.join("drive_c/windows/system32");
        let source = wine.prefix.join("process_prng_stand_in.c");
        fs::write(&source, PROCESS_PRNG_STAND_IN).unwrap();
        let compiled = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-s", "-o"])
            .arg(system32.join("bcryptprimitives.dll"))
            .arg(&source)
            .arg("-ladvapi32")
            .status();
        assert!(
            compiled.is_ok_and(|s| s.success()),
            "x86_64-w64-mingw32-gcc could not build the ProcessPrng stand-in: apt-get install gcc-mingw-w64-x86-64"
        );
        wine
    })
}

impl Wine {
    fn command(&self, program: &Path, args: &[&str], cwd: &Path) -> Command {
        let mut command = Command::new("wine");
        command
            .arg(program)
            .args(args)
            .current_dir(cwd)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No offer to install Mono or Gecko, and no window: the tests run without a screen.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        command
    }

    /// Runs `program` under Wine to the end: its status, standard output and standard error.
    /// The outputs go through files: Wine's server, started by the first program, inherits
    /// pipes and would hold them open for seconds after the program is done.
    fn run(&self, program: &Path, args: &[&str], cwd: &Path) -> (ExitStatus, String, String) {
        let logs = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let (out, err) = (logs.path().join("stdout"), logs.path().join("stderr"));
        let status = self
            .command(program, args, cwd)
            .stdout(fs::File::create(&out).unwrap())
            .stderr(fs::File::create(&err).unwrap())
            .status()
            .expect("wine runs");
        let read = |path: &Path| String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
        (status, read(&out), read(&err))
    }
}

/// `path` as a Windows program under Wine sees it: on drive Z:, Wine's view of `/`.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn run_linux(program: &Path, args: &[&str], cwd: &Path) -> (ExitStatus, String, String) {
    let output = Command::new(program)
        .args(args)
        .current_dir(cwd)
        // Nothing from this machine: no PATH (so no Python), no HOME.
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .expect("the unpacked program runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status, text(&output.stdout), text(&output.stderr))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The models' SHA-256s as `--version` lists them.
fn model_hashes(version: &str) -> BTreeSet<String> {
    version
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_download_has_its_checksum_and_a_bill_of_materials() {
    let downloads = downloads();
    let version = &downloads.version;
    let mut made: Vec<String> = fs::read_dir(&downloads.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    made.sort();
    let mut expected = vec![
        "SHA256SUMS".to_owned(),
        format!("postsafe-{version}-{LINUX}.cdx.json"),
        format!("postsafe-{version}-{LINUX}.tar.gz"),
        format!("postsafe-{version}-{WINDOWS}.cdx.json"),
        format!("postsafe-{version}-{WINDOWS}.zip"),
    ];
    expected.sort();
    assert_eq!(made, expected);

    let sums = fs::read_to_string(downloads.dir.join("SHA256SUMS")).unwrap();
    let listed: BTreeMap<&str, &str> = sums
        .lines()
        .map(|line| line.split_once("  ").map(|(sum, name)| (name, sum)).expect("sha256sum's format"))
        .collect();
    for name in expected.iter().filter(|n| *n != "SHA256SUMS") {
        let bytes = fs::read(downloads.dir.join(name)).unwrap();
        assert_eq!(listed.get(name.as_str()), Some(&sha256(&bytes).as_str()), "SHA256SUMS on {name}");
    }

    let unpacked = unpacked();
    let (status, linux_version, _) =
        run_linux(&unpacked.linux, &["--version"], unpacked.linux.parent().unwrap());
    assert!(status.success());
    let models = model_hashes(&linux_version);
    assert_eq!(models.len(), 4, "--version lists the four models:\n{linux_version}");
    for (triple, program) in
        [(WINDOWS, &unpacked.windows_files["postsafe.exe"]), (LINUX, &unpacked.linux_files["postsafe"])]
    {
        let path = downloads.dir.join(format!("postsafe-{version}-{triple}.cdx.json"));
        let bom: Value =
            serde_json::from_slice(&fs::read(&path).unwrap()).expect("the bill of materials is JSON");
        assert_eq!((&bom["bomFormat"], &bom["specVersion"]), (&"CycloneDX".into(), &"1.5".into()));
        let program_hash = &bom["metadata"]["component"]["hashes"][0]["content"];
        assert_eq!(
            program_hash.as_str(),
            Some(sha256(program).as_str()),
            "{triple}: the program it describes"
        );
        let components = bom["components"].as_array().expect("components");
        let by_name = |name: &str| components.iter().find(|c| c["name"] == name);
        let in_models: BTreeSet<String> = components
            .iter()
            .filter(|c| c["type"] == "machine-learning-model")
            .inspect(|c| assert!(c["purl"].as_str().unwrap().starts_with("pkg:pypi/"), "{c}"))
            .inspect(|c| assert!(c["licenses"][0]["expression"].is_string(), "{c}"))
            .map(|c| c["hashes"][0]["content"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(in_models, models, "{triple}: the models, as the program itself lists them");
        for krate in components.iter().filter(|c| c["type"] == "library") {
            assert!(krate["purl"].as_str().unwrap().starts_with("pkg:cargo/"), "{krate}");
            assert!(krate["licenses"][0]["expression"].is_string(), "{triple}: no licence for {krate}");
            assert_eq!(krate["hashes"][0]["content"].as_str().map(str::len), Some(64), "{krate}");
        }
        assert!(by_name("tract-onnx").is_some(), "{triple}: the ONNX runtime is built in");
        // Tests', build scripts' and the compiler's crates are not in the program.
        for absent in ["criterion", "cc", "serde_derive", "xtask"] {
            assert!(by_name(absent).is_none(), "{triple}: {absent} is not built into the program");
        }
        let windows_only = by_name("windows-sys").is_some();
        assert_eq!(windows_only, triple == WINDOWS, "{triple}: the Windows system crates");
    }
}

#[test]
fn each_download_runs_from_an_empty_folder_with_nothing_beside_it() {
    let unpacked = unpacked();
    let licences = [
        "licences/model-centerface.onnx.txt",
        "licences/model-ch_PP-OCRv4_det_infer.onnx.txt",
        "licences/model-ch_PP-OCRv4_rec_infer.onnx.txt",
        "licences/model-face_detection_yunet_2023mar.onnx.txt",
        "licences/postsafe-Apache-2.0.txt",
        "licences/postsafe-MIT.txt",
        "licences/rust-crates.txt",
    ];
    for (files, program) in [(&unpacked.windows_files, "postsafe.exe"), (&unpacked.linux_files, "postsafe")] {
        let expected: BTreeSet<&str> = [program, "READ ME FIRST.txt"].into_iter().chain(licences).collect();
        assert_eq!(files.keys().map(String::as_str).collect::<BTreeSet<_>>(), expected);
        let read_me = String::from_utf8_lossy(&files["READ ME FIRST.txt"]).into_owned();
        for promise in
            ["NOTHING LEAVES THIS COMPUTER", "WHERE THE PHOTOS GO", "HEIC", env!("CARGO_PKG_VERSION")]
        {
            assert!(read_me.contains(promise), "READ ME FIRST.txt says nothing of {promise:?}:\n{read_me}");
        }
        let crates = String::from_utf8_lossy(&files["licences/rust-crates.txt"]).into_owned();
        assert!(
            crates.contains("tract-onnx") && crates.contains("Permission is hereby granted"),
            "{crates:.400}"
        );
    }
    let windows_read_me = String::from_utf8_lossy(&unpacked.windows_files["READ ME FIRST.txt"]).into_owned();
    assert!(windows_read_me.contains("More info") && windows_read_me.contains("Run anyway"));

    // Statically linked: no program interpreter, so no library of this machine's is loaded.
    let linux = &unpacked.linux_files["postsafe"];
    assert!(!linux.windows(10).any(|w| w == b"ld-linux-x"), "the Linux program needs a dynamic loader");
    let (status, linux_says, _) =
        run_linux(&unpacked.linux, &["--version"], unpacked.linux.parent().unwrap());
    assert!(status.success());
    let wine = wine();
    let folder = unpacked.windows.parent().unwrap();
    let (status, windows_says, stderr) = wine.run(&unpacked.windows, &["--version"], folder);
    assert!(status.success(), "postsafe.exe --version under Wine: {status}\n{stderr}");
    for says in [&linux_says, &windows_says] {
        assert!(says.starts_with(&format!("postsafe {}", env!("CARGO_PKG_VERSION"))), "{says}");
        assert!(says.contains("HEIC photos: not read"), "{says}");
    }
    assert_eq!(model_hashes(&windows_says), model_hashes(&linux_says));
    // Nothing was added beside either program by running it.
    assert_eq!(fs::read_dir(folder).unwrap().count(), 3, "postsafe.exe, READ ME FIRST.txt, licences");
}

/// What a report says of each photo, by file name: its outcome and its faces' scores.
fn judged(report: &str) -> BTreeMap<String, (String, Vec<f64>)> {
    let report: Value =
        serde_json::from_str(report).unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{report}"));
    report["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .map(|photo| {
            let input = photo["input"].as_str().unwrap();
            let name = input.rsplit(['/', '\\']).next().unwrap().to_owned();
            let mut faces: Vec<&Value> = photo["faces"].as_array().into_iter().flatten().collect();
            faces.sort_by_key(|f| (f["x"].as_i64(), f["y"].as_i64()));
            let scores = faces.iter().map(|f| f["score"].as_f64().unwrap()).collect();
            (name, (photo["outcome"].as_str().unwrap().to_owned(), scores))
        })
        .collect()
}

#[test]
fn the_windows_program_finds_the_same_faces_as_the_linux_one() {
    let unpacked = unpacked();
    let wine = wine();
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let batch = work.path().join("photos");
    fs::create_dir_all(&batch).unwrap();
    for name in PHOTOS {
        fs::copy(photos::photo(name), batch.join(name)).unwrap();
    }
    let linux_out = work.path().join("linux");
    let started = Instant::now();
    let (status, linux_report, stderr) = run_linux(
        &unpacked.linux,
        &[batch.to_str().unwrap(), "-o", linux_out.to_str().unwrap(), "--json", "-q"],
        work.path(),
    );
    let linux_time = started.elapsed();
    assert!(status.success(), "the Linux program: {status}\n{stderr}");
    let windows_out = work.path().join("windows");
    let started = Instant::now();
    let (status, windows_report, stderr) = wine.run(
        &unpacked.windows,
        &[&windows_path(&batch), "-o", &windows_path(&windows_out), "--json", "-q"],
        work.path(),
    );
    let windows_time = started.elapsed();
    assert!(status.success(), "the Windows program under Wine: {status}\n{stderr}");
    let per_photo = |time: Duration| time.as_secs_f64() / PHOTOS.len() as f64;
    eprintln!(
        "{} photos, whole runs: Linux program {:.2} s per photo, Windows program under Wine {:.2} s per photo (×{:.2})",
        PHOTOS.len(),
        per_photo(linux_time),
        per_photo(windows_time),
        windows_time.as_secs_f64() / linux_time.as_secs_f64()
    );

    let (linux, windows) = (judged(&linux_report), judged(&windows_report));
    assert_eq!(linux.len(), PHOTOS.len(), "{linux_report}");
    assert!(linux.values().any(|(outcome, _)| outcome == "held_back"), "some photos show faces");
    assert!(linux.values().any(|(outcome, _)| outcome == "ready"), "some photos show none");
    for (name, (outcome, scores)) in &linux {
        let (windows_outcome, windows_scores) = &windows[name];
        assert_eq!(windows_outcome, outcome, "{name}");
        assert_eq!(windows_scores.len(), scores.len(), "{name}: faces found");
        for (w, l) in windows_scores.iter().zip(scores) {
            assert!((w - l).abs() <= 0.01, "{name}: a face scored {w} on Windows and {l} on Linux");
        }
    }
    for out in [&linux_out, &windows_out] {
        assert!(out.join("report.json").is_file() && out.join("review.html").is_file(), "{}", out.display());
    }
}

#[test]
fn the_windows_program_serves_its_app_and_stops_when_left_alone() {
    let unpacked = unpacked();
    let wine = wine();
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let said = work.path().join("stdout");
    let results = windows_path(&work.path().join("results"));
    let mut app: Child = wine
        .command(&unpacked.windows, &["app", "--no-browser", "--idle-exit", "5", "-o", &results], work.path())
        .stdout(fs::File::create(&said).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("wine runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    let address = loop {
        let text = fs::read_to_string(&said).unwrap_or_default();
        if let Some(line) = text.lines().next().filter(|_| text.contains('\n')) {
            break line.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "the app printed no address in 120 s");
        assert!(app.try_wait().unwrap().is_none(), "the app stopped before it printed its address");
        std::thread::sleep(Duration::from_millis(200));
    };
    let rest = address
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("not a loopback address: {address}"));
    let (port, path) = rest.split_once('/').expect("a port and a path");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    write!(stream, "GET /{path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page:.300}");
    assert!(page.contains("<html"), "{page:.300}");

    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = app.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = app.kill();
            panic!("the app was still running a minute after it was last used");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(status.success(), "the app stopped with {status}");
}
