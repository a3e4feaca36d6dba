#!/usr/bin/env bash
# The same labelled photo set through deface 1.5.0 and through postsafe, same decision rule, both
# reported side by side. See benches/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: benches/deface_eval.sh MANIFEST [--threads N] [--out DIR] [--no-postsafe] [--deface-save]

Runs deface 1.5.0 (its CenterFace model on onnxruntime, CPU, at the deface CLI's defaults:
threshold 0.2, no downscaling) over every photo in MANIFEST, then postsafe (its defaults, hold
mode) over the same photos, and prints recall and false flag rate for both, overall and per
category, the files each got wrong, and throughput. A photo counts as flagged when the tool
finds at least one face in it.

  MANIFEST       TSV with a header naming the columns file, label, category (others ignored);
                 file is relative to the manifest's folder, label is face or noface.
                 The project's evaluation set is .cache/eval/manifest.tsv.
  --threads N    threads for each tool: postsafe -j N, onnxruntime intra-op threads N
                 (default: all cores, as nproc counts them)
  --out DIR      where the per-file results go (default .cache/deface-eval/<manifest folder name>)
  --no-postsafe  deface only
  --deface-save  also let deface blur and write each photo as its CLI does (slower; into DIR)

Environment: POSTSAFE_BIN=path uses that postsafe binary instead of `cargo build --release`.
Needs python3 with venv and pip (deface is installed into .cache/deface-venv) and GNU time.

Writes DIR/deface.tsv and DIR/postsafe.tsv (file, label, category, faces, flagged, seconds,
best_score, error), DIR/postsafe-report.json, and DIR/summary.md (what is printed).
EOF
}

# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"

manifest="" threads="" out="" with_postsafe=1 deface_save=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --threads|-j) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; threads="$2"; shift 2 ;;
        --out|-o) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; out="$2"; shift 2 ;;
        --no-postsafe) with_postsafe=0; shift ;;
        --deface-save) deface_save=1; shift ;;
        -*) say "unknown option $1"; usage >&2; exit 2 ;;
        *) [[ -z "$manifest" ]] || { say "only one MANIFEST, please"; usage >&2; exit 2; }; manifest="$1"; shift ;;
    esac
done
[[ -n "$manifest" ]] || { usage >&2; exit 2; }
[[ -f "$manifest" ]] || die "no manifest at $manifest"
threads="${threads:-$(peer_threads)}"
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads takes a whole number of at least 1, not $threads"
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"
manifest="$(realpath "$manifest")"
out="${out:-$ROOT/.cache/deface-eval/$(basename "$(dirname "$manifest")")}"
mkdir -p "$out"
out="$(realpath "$out")"

peer_venv

# The photos, resolved as the manifest reader resolves them (this also checks the manifest).
files_list="$(mktemp)"
"$PY" -c '
import sys; sys.path.insert(0, sys.argv[1])
from peer_common import main_guard, read_manifest
def main():
    for e in read_manifest(sys.argv[2]): print(e.path)
main_guard(main)' "$PEER" "$manifest" >"$files_list" || { rm -f "$files_list"; exit 2; }
mapfile -t files <"$files_list"
rm -f "$files_list"

if [[ $with_postsafe == 1 ]]; then peer_postsafe; fi
machine="$(peer_machine)"
say "$machine"
say "Manifest: $manifest"
say "Results:  $out"
say ""

# deface, in one Python process, timed as a whole (Python start, imports, model load, photos).
save_args=()
if [[ $deface_save == 1 ]]; then
    rm -rf "$out/deface-anonymized"
    save_args=(--save-dir "$out/deface-anonymized")
fi
say "deface: ${#files[@]} photos, $threads thread(s)..."
/usr/bin/time -f '%e %M %U %S' -o "$out/deface-time.txt" \
    "$PY" "$PEER/deface_run.py" --manifest "$manifest" --threads "$threads" \
    --out "$out/deface.tsv" --stats "$out/deface-stats.json" "${save_args[@]}" 2>"$out/deface.log" \
    || { cat "$out/deface.log" >&2; die "deface failed (log: $out/deface.log)"; }

score_args=()
if [[ $with_postsafe == 1 ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    say "postsafe: ${#files[@]} photos, -j $threads..."
    status=0
    /usr/bin/time -f '%e %M %U %S' -o "$out/postsafe-time.txt" \
        "$POSTSAFE" --faces hold --json -q -j "$threads" -o "$work/out" -- "${files[@]}" \
        >"$out/postsafe-report.json" 2>"$out/postsafe.log" || status=$?
    # Exit 1 means some photo could not be read: that is a result (listed as an error), not a failure.
    [[ $status == 0 || $status == 1 ]] || { cat "$out/postsafe.log" >&2; die "postsafe exited with $status (log: $out/postsafe.log)"; }
    score_args=(--postsafe-report "$out/postsafe-report.json" --postsafe-time "$out/postsafe-time.txt"
                --postsafe-version "$("$POSTSAFE" --version)")
fi

say ""
"$PY" "$PEER/score.py" --manifest "$manifest" --deface "$out/deface.tsv" \
    --deface-stats "$out/deface-stats.json" --deface-time "$out/deface-time.txt" \
    --threads "$threads" --out-dir "$out" --machine "$machine" "${score_args[@]}"
