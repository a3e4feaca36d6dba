"""Shared by the peer-comparison scripts: manifests, per-file result tables, and the figures.

A photo is *flagged* when a tool finds at least one face in it, each tool at its own defaults.
Recall is face photos flagged / face photos; the false flag rate is no-face photos flagged /
no-face photos. A photo a tool could not read counts as not flagged (and is listed as an error).
"""

import csv
import os
import statistics
import sys
from dataclasses import dataclass, field

LABELS = ("face", "noface")


class Fail(Exception):
    """A problem with the inputs, told to the user without a traceback."""


@dataclass
class Entry:
    file: str  # as written in the manifest, relative to the manifest's folder
    label: str  # "face" or "noface"
    category: str
    path: str  # absolute, symlinks resolved: how reports are matched to entries


def read_manifest(path):
    """Reads a TSV with a header naming at least `file`, `label` and `category` (extra columns ignored)."""
    base = os.path.dirname(os.path.abspath(path))
    entries = []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in ("file", "label", "category") if c not in (rows.fieldnames or [])]
            if missing:
                raise Fail(f"{path}: the header must name the columns file, label, category (missing: {', '.join(missing)})")
            for line, row in enumerate(rows, start=2):
                file, label, category = (row["file"] or "").strip(), (row["label"] or "").strip(), (row["category"] or "").strip()
                if not file:
                    continue
                if label not in LABELS:
                    raise Fail(f"{path}:{line}: label is {label!r}, expected face or noface")
                full = os.path.realpath(os.path.join(base, file))
                if not os.path.isfile(full):
                    raise Fail(f"{path}:{line}: no such file {full}")
                entries.append(Entry(file, label, category or "-", full))
    except OSError as e:
        raise Fail(f"cannot read the manifest {path}: {e}")
    if not entries:
        raise Fail(f"{path} lists no photos")
    seen = {}
    for e in entries:
        if e.path in seen:
            raise Fail(f"{path}: {e.file} is listed twice (also as {seen[e.path]})")
        seen[e.path] = e.file
    return entries


@dataclass
class Result:
    """What one tool made of one photo."""

    file: str
    label: str
    category: str
    faces: int
    flagged: bool
    seconds: float | None = None  # per photo, where the tool tells
    best_score: float | None = None
    error: str = ""


RESULT_COLUMNS = ["file", "label", "category", "faces", "flagged", "seconds", "best_score", "error"]


def write_results(path, results):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(RESULT_COLUMNS)
        for r in results:
            w.writerow([
                r.file, r.label, r.category, r.faces, int(r.flagged),
                "" if r.seconds is None else f"{r.seconds:.4f}",
                "" if r.best_score is None else f"{r.best_score:.4f}",
                " ".join(r.error.split()),
            ])


def read_results(path):
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            out.append(Result(
                row["file"], row["label"], row["category"], int(row["faces"]), row["flagged"] == "1",
                float(row["seconds"]) if row["seconds"] else None,
                float(row["best_score"]) if row["best_score"] else None,
                row["error"],
            ))
    return out


@dataclass
class Counts:
    n: int = 0
    faces: int = 0
    faces_flagged: int = 0
    nofaces: int = 0
    nofaces_flagged: int = 0
    errors: int = 0

    def add(self, r):
        self.n += 1
        self.errors += bool(r.error)
        if r.label == "face":
            self.faces += 1
            self.faces_flagged += r.flagged
        else:
            self.nofaces += 1
            self.nofaces_flagged += r.flagged

    def recall(self):
        return fraction(self.faces_flagged, self.faces)

    def false_flags(self):
        return fraction(self.nofaces_flagged, self.nofaces)


def fraction(num, den):
    """'93.3% (14/15)', or '–' when there is nothing to count."""
    if den == 0:
        return "–"
    return f"{100.0 * num / den:.1f}% ({num}/{den})"


def by_category(results):
    """{category: Counts}, categories sorted, plus 'all'."""
    cats = {}
    total = Counts()
    for r in results:
        cats.setdefault(r.category, Counts()).add(r)
        total.add(r)
    ordered = dict(sorted(cats.items()))
    ordered["all"] = total
    return ordered


def wrong(results):
    """Photos a tool got wrong: face photos not flagged, no-face photos flagged."""
    return [r for r in results if (r.label == "face") != r.flagged]


def markdown_table(header, rows):
    """A Markdown table padded so it also reads well as plain text."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"
    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main_guard(main):
    try:
        sys.exit(main())
    except Fail as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
