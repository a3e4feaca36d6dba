"""Figures for benches/deface_eval.sh: deface's, postsafe's, and both side by side.

    score.py --manifest M --deface deface.tsv --deface-stats stats.json --deface-time time.txt
             [--postsafe-report report.json --postsafe-time time.txt --postsafe-version V]
             --threads N --out-dir DIR

deface.tsv comes from deface_run.py. postsafe's per-photo results are read from its ordinary
`--json` report (photos matched to manifest entries by their resolved path) and written to
DIR/postsafe.tsv in the same columns. A *time.txt* holds "<wall s> <peak RSS KiB> <user s> <system s>"
from GNU time around the whole process, so throughput includes start-up and model load.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (  # noqa: E402
    Fail, Result, by_category, main_guard, markdown_table, median, read_manifest, read_results, wrong,
    write_results,
)


def read_time(path):
    """(wall seconds, peak RSS KiB, CPU seconds user+system) from GNU time's '%e %M %U %S'."""
    # When the command fails, GNU time writes "Command exited with non-zero status N" first.
    last = [line for line in open(path, encoding="utf-8").read().splitlines() if line.strip()][-1]
    wall, rss_kib, user, system = last.split()[:4]
    return float(wall), int(rss_kib), float(user) + float(system)


def postsafe_results(entries, report_path):
    """One Result per manifest entry from postsafe's JSON report: flagged = at least one face."""
    try:
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise Fail(f"cannot read postsafe's report {report_path}: {e}")
    by_path = {}
    for photo in report.get("photos", []):
        by_path[os.path.realpath(photo["input"])] = photo
    results = []
    for e in entries:
        photo = by_path.get(e.path)
        if photo is None:
            results.append(Result(e.file, e.label, e.category, 0, False, error="not in postsafe's report"))
            continue
        faces = photo.get("faces") or []
        scores = [f["score"] for f in faces if "score" in f]
        error = ""
        if photo.get("outcome") == "error":
            error = photo.get("error") or "error"
        elif photo.get("outcome") == "skipped":
            error = f"skipped: {photo.get('reason') or ''}".strip()
        results.append(Result(e.file, e.label, e.category, len(faces), len(faces) >= 1, None,
                              max(scores) if scores else None, error))
    return results


def describe(r):
    if r.error:
        return f"error: {r.error}"
    if r.label == "face":
        return "missed (no face found)"
    best = f", best score {r.best_score:.2f}" if r.best_score is not None else ""
    return f"false flag ({r.faces} face{'s' if r.faces != 1 else ''}{best})"


def one_tool(name, results):
    cats = by_category(results)
    total = cats["all"]
    lines = [f"{name}: {total.n} photos",
             f"  recall       {total.recall()}   (face photos flagged)",
             f"  false flags  {total.false_flags()}   (no-face photos flagged)"]
    if total.errors:
        lines.append(f"  errors       {total.errors} (counted as not flagged)")
    rows = [[c, k.n, k.recall(), k.false_flags()] for c, k in cats.items() if c != "all"]
    lines += ["", markdown_table(["category", "n", "recall", "false flags"], rows)]
    bad = wrong(results) + [r for r in results if r.error and (r.label == "face") == r.flagged]
    lines.append("")
    if bad:
        lines.append(f"Files {name} got wrong or could not read ({len(bad)}):")
        width = max(len(r.file) for r in bad)
        for r in sorted(bad, key=lambda r: (r.category, r.file)):
            lines.append(f"  {r.file.ljust(width)}  {r.label:6}  {r.category}  {describe(r)}")
    else:
        lines.append(f"{name} got every file right.")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--deface", required=True)
    ap.add_argument("--deface-stats", required=True)
    ap.add_argument("--deface-time", required=True)
    ap.add_argument("--postsafe-report")
    ap.add_argument("--postsafe-time")
    ap.add_argument("--postsafe-version", default="postsafe")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--machine", default="", help="a line saying what machine this ran on")
    args = ap.parse_args()

    entries = read_manifest(args.manifest)
    deface = read_results(args.deface)
    stats = json.load(open(args.deface_stats, encoding="utf-8"))
    d_wall, d_rss, d_cpu = read_time(args.deface_time)
    n = len(entries)
    out = [args.machine, ""] if args.machine else []

    per_photo = [r.seconds for r in deface if r.seconds is not None]
    out.append(f"deface {stats['deface']} (onnxruntime {stats['onnxruntime']}, {', '.join(stats['providers'])}, "
               f"{stats['intra_op_threads']} intra-op threads, threshold {stats['threshold']}, no --scale)")
    out.append(one_tool("deface", deface))
    out.append("")
    out.append(f"deface time: {d_wall:.1f} s wall for {n} photos = {n / d_wall:.2f} photos/s "
               f"(includes Python start, imports {stats['import_seconds']:.1f} s and model load "
               f"{stats['load_seconds']:.1f} s); per photo read+detect median {median(per_photo):.3f} s; "
               f"CPU {d_cpu:.1f} s; peak RSS {d_rss / 1024:.0f} MB")

    if args.postsafe_report:
        postsafe = postsafe_results(entries, args.postsafe_report)
        write_results(os.path.join(args.out_dir, "postsafe.tsv"), postsafe)
        p_wall, p_rss, p_cpu = read_time(args.postsafe_time)
        out += ["", "=" * 78, "", one_tool("postsafe", postsafe), ""]

        pc, dc = by_category(postsafe), by_category(deface)
        rows = [[c, pc[c].n, pc[c].recall(), dc[c].recall(), pc[c].false_flags(), dc[c].false_flags()]
                for c in pc]
        rows[-1][0] = "**all**"
        out.append(f"Side by side: {args.postsafe_version} vs deface {stats['deface']}, same {n} photos, "
                   f"{args.threads} thread(s) each; flagged = at least one face, each tool at its defaults")
        out.append("")
        out.append(markdown_table(
            ["category", "n", "postsafe recall", "deface recall", "postsafe false", "deface false"], rows))
        out.append("")
        both = [[name, f"{n / wall:.2f}", f"{wall:.1f}", f"{cpu:.1f}", f"{rss / 1024:.0f}"]
                for name, wall, rss, cpu in (("postsafe", p_wall, p_rss, p_cpu), ("deface", d_wall, d_rss, d_cpu))]
        out.append(markdown_table(
            ["tool", "photos/s", "wall s (incl. start-up, model load)", "CPU s (user+sys)", "peak RSS MB"], both))
        out.append("")
        out.append(f"postsafe/deface: throughput x{(n / p_wall) / (n / d_wall):.2f}, memory x{p_rss / d_rss:.2f}")
        disagree = [(p, d) for p, d in zip(postsafe, deface) if p.flagged != d.flagged]
        if disagree:
            out.append("")
            out.append(f"Photos the two tools decided differently ({len(disagree)}):")
            width = max(len(p.file) for p, _ in disagree)
            for p, d in disagree:
                who = "postsafe" if p.flagged else "deface"
                out.append(f"  {p.file.ljust(width)}  {p.label:6}  {p.category}  only {who} flagged it")

    text = "\n".join(out)
    print(text)
    with open(os.path.join(args.out_dir, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return 0


if __name__ == "__main__":
    main_guard(main)
