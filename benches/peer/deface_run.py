"""Runs deface 1.5.0 over a manifest of photos, in one process, the way its CLI handles an image.

    deface_run.py --manifest M --threads N --out results.tsv --stats stats.json [--scale WxH] [--save-dir DIR]

Per photo this does exactly what `deface PHOTO` does in deface/deface.py `image_detect`, at the
CLI's defaults: `imageio.v2.imread(path)`, then `CenterFace(in_shape=None)(frame, threshold=0.2)`
(no --scale: the network sees the full photo, each side rounded up to a multiple of 32). The CLI
would then blur the faces and write `<name>_anonymized.<ext>` beside the photo; here that only
happens with --save-dir, because postsafe's decision (hold back) needs no picture written, and the
write would time the encoder rather than the detector. The CenterFace instance is made once, as
the CLI makes it once for all its inputs.

With --scale WxH it does what `deface --scale WxH PHOTO` does instead: the CLI splits the value at
"x" into `in_shape = int(W), int(H)` and makes `CenterFace(in_shape=(W, H))`, which resizes every
photo to W and H each rounded up to a multiple of 32 (cv2.dnn.blobFromImage, bilinear) before the
network, whatever the photo's aspect ratio (a photo of another shape is stretched), and scales the
boxes back per axis. Nothing else changes (threshold 0.2, same decoding).

Fairness settings, checked before any photo is timed:
- backend onnxruntime (deface falls back to OpenCV DNN silently if onnx or onnxruntime is
  missing): refused otherwise;
- execution provider CPUExecutionProvider, as `deface --ep CPUExecutionProvider`. Without it
  deface passes every available provider, and onnxruntime 1.32's PyPI wheel lists
  AzureExecutionProvider first, so deface would print "Running on AzureExecutionProvider" while
  the convolutions run on the CPU provider anyway;
- onnxruntime intra-op threads = N (deface sets none; onnxruntime would pick one per physical
  core), inter-op threads 1, and OpenCV (which resizes in blobFromImage) limited to N threads.

Writes one row per photo (file, label, category, faces, flagged, seconds = read + detect) and a
JSON file with the load time, versions and settings (including `scale`, `in_shape`, and
`network_inputs`: how many photos the network saw at each input size, and `max_stretch`: the
largest ratio between the horizontal and vertical resize factors, 1.0 when no photo was stretched).
Times exclude nothing but the final write.
"""

import argparse
import contextlib
import json
import os
import sys
import time

T_START = time.perf_counter()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import Fail, Result, main_guard, read_manifest, write_results  # noqa: E402

DEFACE_THRESHOLD = 0.2  # deface/deface.py: --thresh default


def parse_scale(value):
    """`--scale WxH` as deface/deface.py's main() reads it: `w, h = value.split('x')`, `(int(w), int(h))`."""
    try:
        w, h = value.split("x")
        in_shape = int(w), int(h)
    except ValueError:
        raise Fail(f"--scale takes WxH, e.g. 640x480, not {value!r}")
    if min(in_shape) < 1:
        raise Fail(f"--scale needs sides of at least 1 pixel, not {value!r}")
    return in_shape


def load_deface(threads, in_shape):
    """Imports deface as its CLI does and makes the CenterFace detector the CLI would make."""
    with contextlib.redirect_stdout(sys.stderr):  # deface prints "Running on ..."
        import cv2
        import onnxruntime

        import deface
        import deface.deface  # noqa: F401  (the CLI module: the same imports its users wait for)
        from deface.centerface import CenterFace

        cv2.setNumThreads(threads)
        # deface makes its InferenceSession without session options; give it some, unchanged otherwise.
        original = onnxruntime.InferenceSession

        def with_threads(*args, **kwargs):
            options = kwargs.get("sess_options") or onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            kwargs["sess_options"] = options
            return original(*args, **kwargs)

        onnxruntime.InferenceSession = with_threads
        try:
            t = time.perf_counter()
            centerface = CenterFace(in_shape=in_shape, backend="auto",
                                    override_execution_provider="CPUExecutionProvider")
            load_seconds = time.perf_counter() - t
        finally:
            onnxruntime.InferenceSession = original

    if centerface.backend != "onnxrt":
        raise Fail(f"deface chose the {centerface.backend!r} backend, not onnxruntime: is onnx installed?")
    providers = centerface.sess.get_providers()
    if providers != ["CPUExecutionProvider"]:
        raise Fail(f"deface's onnxruntime session uses {providers}, expected CPUExecutionProvider only")
    options = centerface.sess.get_session_options()
    if options.intra_op_num_threads != threads:
        raise Fail(f"onnxruntime has {options.intra_op_num_threads} intra-op threads, asked for {threads}")
    info = {
        "deface": deface.__version__,
        "onnxruntime": onnxruntime.__version__,
        "opencv": cv2.__version__,
        "providers": providers,
        "intra_op_threads": options.intra_op_num_threads,
        "inter_op_threads": options.inter_op_num_threads,
        "opencv_threads": cv2.getNumThreads(),
        "threshold": DEFACE_THRESHOLD,
        "scale": None if in_shape is None else f"{in_shape[0]}x{in_shape[1]}",
        "in_shape": None if in_shape is None else list(in_shape),
        "resize": ("none (full resolution, sides rounded up to multiples of 32)" if in_shape is None else
                   "to in_shape, each side rounded up to a multiple of 32, aspect ratio not kept"),
        "load_seconds": load_seconds,
    }
    return centerface, info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--out", required=True, help="per-photo results (TSV)")
    ap.add_argument("--stats", required=True, help="load time, versions, settings (JSON)")
    ap.add_argument("--scale", metavar="WxH", help="as `deface --scale WxH`: the network sees every photo at this size")
    ap.add_argument("--save-dir", help="also blur and write each photo as the CLI does, into this folder")
    args = ap.parse_args()
    if args.threads < 1:
        raise Fail("--threads must be at least 1")
    in_shape = parse_scale(args.scale) if args.scale is not None else None
    entries = read_manifest(args.manifest)

    import imageio.v2 as iio
    import numpy as np

    t_imported = time.perf_counter()
    centerface, info = load_deface(args.threads, in_shape)
    info["import_seconds"] = t_imported - T_START

    if args.save_dir:
        import imageio
        from deface.deface import anonymize_frame

        os.makedirs(args.save_dir, exist_ok=True)

    results = []
    network_inputs = {}
    max_stretch = 1.0
    t_photos = time.perf_counter()
    for i, e in enumerate(entries):
        t = time.perf_counter()
        try:
            frame = iio.imread(e.path)
            dets, _ = centerface(frame, threshold=DEFACE_THRESHOLD)
            seconds = time.perf_counter() - t
            faces = len(dets)
            best = float(np.max(dets[:, 4])) if faces else None
            results.append(Result(e.file, e.label, e.category, faces, faces >= 1, seconds, best))
            # What CenterFace.__call__ resized this photo to (outside the timed part; cached by deface).
            h_orig, w_orig = frame.shape[:2]
            w_new, h_new, scale_w, scale_h = centerface.shape_transform(
                (w_orig, h_orig) if in_shape is None else in_shape, (h_orig, w_orig))
            network_inputs[f"{w_new}x{h_new}"] = network_inputs.get(f"{w_new}x{h_new}", 0) + 1
            max_stretch = max(max_stretch, scale_w / scale_h, scale_h / scale_w)
            if args.save_dir:
                # The rest of deface's image_detect at CLI defaults: blur ellipses, mask scale 1.3.
                anonymize_frame(dets, frame, mask_scale=1.3, replacewith="blur", ellipse=True,
                                draw_scores=False, replaceimg=None, mosaicsize=20)
                root, ext = os.path.splitext(os.path.basename(e.path))
                imageio.imsave(os.path.join(args.save_dir, f"{i:05d}-{root}_anonymized{ext}"), frame)
        except Exception as err:  # one unreadable photo must not end the run; it is reported
            results.append(Result(e.file, e.label, e.category, 0, False, time.perf_counter() - t, None,
                                  f"{type(err).__name__}: {err}"))
    info["photos_seconds"] = time.perf_counter() - t_photos
    info["total_seconds_in_python"] = time.perf_counter() - T_START
    info["photos"] = len(results)
    info["writes"] = bool(args.save_dir)
    info["network_inputs"] = network_inputs
    info["max_stretch"] = max_stretch

    write_results(args.out, results)
    with open(args.stats, "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
    return 0


if __name__ == "__main__":
    main_guard(main)
