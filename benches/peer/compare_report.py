"""The tables for benches/compare.sh, from the files its runs left in one folder.

    compare_report.py --manifest M --runs R --threads T --modes default,640 --dir DIR --postsafe-version V

A mode is `default` (postsafe's multi-scale search against deface at its CLI defaults),
`min-face-N` (that search told to find faces from N px, against deface at its defaults) or a long
side S in pixels (postsafe --detect-side S against deface --scale, recorded in deface's stats).
For run k (1..R), mode M and tool (postsafe or deface) DIR holds: k-M-tool.time ("<wall s> <peak
RSS KiB> <user s> <system s>" from GNU time around the whole process), k-M-tool.load
(/proc/loadavg just before it), k-M-postsafe-report.json (postsafe's report), k-M-deface.tsv and
k-M-deface.json (from deface_run.py), and k-order (the processes of run k in the order they ran,
as "M-tool" words).
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import Counts, Fail, main_guard, markdown_table, read_manifest, read_results  # noqa: E402
from score import postsafe_results, read_time  # noqa: E402

TOOLS = ("postsafe", "deface")


def counts(results):
    c = Counts()
    for r in results:
        c.add(r)
    return c


def spread(xs, fmt):
    return f"{fmt(statistics.median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})" if len(xs) > 1 else fmt(xs[0])


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Fail(f"cannot read {path}: {e}")


def read_words(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().split()
    except OSError as e:
        raise Fail(f"cannot read {path}: {e}")


def network_inputs(stats):
    inputs = stats.get("network_inputs") or {}
    return ", ".join(f"{size}" + (f" ({n} photos)" if len(inputs) > 1 else "") for size, n in inputs.items())


def settings(mode, threads, stats):
    """(postsafe's, deface's) settings in a mode, as words for the header."""
    whole_photo = "its CLI defaults (`CenterFace(in_shape=None)`: the whole photo, no downscaling"
    if mode == "default":
        postsafe = f"`postsafe --faces hold -q -j {threads}` (its multi-scale search)"
        deface = whole_photo
    elif mode.startswith("min-face-"):
        face = mode.removeprefix("min-face-")
        postsafe = (f"`postsafe --faces hold -q -j {threads} --min-face {face}` (its multi-scale search "
                    f"for faces from {face} px wide in the posted photo, not its default 16)")
        deface = whole_photo
    else:
        postsafe = f"`postsafe --faces hold -q -j {threads} --detect-side {mode}` (one pass at {mode} px long side)"
        deface = f"`deface --scale {stats['scale']}` (`CenterFace(in_shape={tuple(stats['in_shape'])})`"
    deface += f"; network input {network_inputs(stats) or '?'}"
    stretch = stats.get("max_stretch", 1.0)
    if stretch > 1.0005:
        deface += f", aspect ratio changed up to ×{stretch:.3f}"
    if stats.get("writes"):
        deface += "; then blurs and writes every photo at full size, as its CLI does"
    else:
        deface += "; detection only: nothing blurred or written, unlike its CLI"
    return postsafe, deface + ")"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--modes", default="default", help="comma-separated, as given to compare.sh")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--postsafe-version", default="postsafe")
    args = ap.parse_args()
    modes = args.modes.split(",")
    entries = read_manifest(args.manifest)
    n = len(entries)
    at = lambda k, mode, name: os.path.join(args.dir, f"{k}-{mode}-{name}")

    data = {}  # mode -> tool -> {wall, rss, cpu, counts, load}; plus "deface_stats"
    for mode in modes:
        tools = {t: {"wall": [], "rss": [], "cpu": [], "counts": [], "load": []} for t in TOOLS}
        deface_stats = []
        for k in range(1, args.runs + 1):
            for tool in TOOLS:
                wall, rss, cpu = read_time(at(k, mode, f"{tool}.time"))
                tools[tool]["wall"].append(wall)
                tools[tool]["rss"].append(rss)
                tools[tool]["cpu"].append(cpu)
                tools[tool]["load"].append(read_words(at(k, mode, f"{tool}.load"))[0])
            tools["postsafe"]["counts"].append(counts(postsafe_results(entries, at(k, mode, "postsafe-report.json"))))
            tools["deface"]["counts"].append(counts(read_results(at(k, mode, "deface.tsv"))))
            deface_stats.append(read_json(at(k, mode, "deface.json")))
        data[mode] = (tools, deface_stats)

    d0 = data[modes[0]][1][0]
    faces = data[modes[0]][0]["postsafe"]["counts"][0].faces
    print(f"{n} photos of 4000x3000 ({faces} with faces), {args.runs} runs per tool and mode, alternating, "
          f"{args.threads} thread(s) each: {args.postsafe_version}; deface {d0['deface']} in-process on "
          f"onnxruntime {d0['onnxruntime']} {', '.join(d0['providers'])}, {d0['intra_op_threads']} intra-op "
          f"threads, threshold {d0['threshold']}.")
    print("Times are whole processes: start-up and model load included. Medians, (min–max) over runs.")

    summary = []
    med = lambda tools, tool, key: statistics.median(tools[tool][key])
    for mode in modes:
        tools, deface_stats = data[mode]
        postsafe_setting, deface_setting = settings(mode, args.threads, deface_stats[0])
        print()
        print(f"## Mode {mode}")
        print()
        print(f"postsafe: {postsafe_setting}; deface: {deface_setting}.")
        print()
        rows = []
        decisions = {}
        for tool, t in tools.items():
            rates = [n / w for w in t["wall"]]
            recall = {c.recall() for c in t["counts"]}
            false = {c.false_flags() for c in t["counts"]}
            errors = max(c.errors for c in t["counts"])
            decisions[tool] = (" / ".join(sorted(recall)),
                               " / ".join(sorted(false)) + (f", {errors} errors" if errors else ""))
            rows.append([tool, spread(rates, lambda x: f"{x:.3f}"), spread(t["wall"], lambda x: f"{x:.1f}"),
                         spread(t["cpu"], lambda x: f"{x:.1f}"),
                         spread([r / 1024 for r in t["rss"]], lambda x: f"{x:.0f}")] + list(decisions[tool]))
            if len(recall) > 1 or len(false) > 1:
                print(f"warning: {tool}'s decisions differed between runs in mode {mode}", file=sys.stderr)
        print(markdown_table(["tool", "photos/s", "wall s", "CPU s", "peak RSS MB", "recall", "false flags"], rows))
        print()
        speed = med(tools, "deface", "wall") / med(tools, "postsafe", "wall")
        memory = med(tools, "postsafe", "rss") / med(tools, "deface", "rss")
        cpu = med(tools, "postsafe", "cpu") / med(tools, "deface", "cpu")
        print(f"postsafe/deface in mode {mode}: throughput x{speed:.2f}, peak memory x{memory:.2f}, "
              f"CPU time x{cpu:.2f} (below 1: postsafe needs less)")
        load = [s["import_seconds"] + s["load_seconds"] for s in deface_stats]
        detect = [n / s["photos_seconds"] for s in deface_stats]
        per_photo = [r.seconds for k in range(1, args.runs + 1) for r in read_results(at(k, mode, "deface.tsv"))]
        print(f"deface without start-up: imports + model load {spread(load, lambda x: f'{x:.1f}')} s; "
              f"photos alone {spread(detect, lambda x: f'{x:.3f}')} photos/s; "
              f"read+detect per photo median {statistics.median(per_photo):.2f} s")
        summary.append([mode, f"x{speed:.2f}", f"x{memory:.2f}", f"x{cpu:.2f}",
                        decisions["postsafe"][0], decisions["deface"][0],
                        decisions["postsafe"][1], decisions["deface"][1]])

    print()
    print("## All modes")
    print()
    print("postsafe/deface ratios of the medians (throughput above 1: postsafe faster; memory and CPU below 1: "
          "postsafe needs less); recall and false flags as in each mode's table.")
    print()
    print(markdown_table(["mode", "throughput", "peak memory", "CPU time", "postsafe recall", "deface recall",
                         "postsafe false flags", "deface false flags"], summary))
    print()
    print("Wall seconds of each process, with the 1-minute load average just before it:")
    print()
    columns = [(mode, tool) for mode in modes for tool in TOOLS]
    per_run = []
    for k in range(1, args.runs + 1):
        order = [w.rsplit("-", 1) for w in read_words(os.path.join(args.dir, f"{k}-order"))]
        grouped = []
        for mode, tool in order:
            if grouped and grouped[-1][0] == mode:
                grouped[-1][1].append(tool)
            else:
                grouped.append((mode, [tool]))
        row = [k, "; ".join(f"{mode}: {' then '.join(tools)}" for mode, tools in grouped)]
        for mode, tool in columns:
            t = data[mode][0][tool]
            row.append(f"{t['wall'][k - 1]:.1f} s (load {t['load'][k - 1]})")
        per_run.append(row)
    print(markdown_table(["run", "order"] + [f"{mode} {tool}" for mode, tool in columns], per_run))
    return 0


if __name__ == "__main__":
    main_guard(main)
