#!/usr/bin/env bash
# Speed and memory of postsafe against deface 1.5.0 on a batch of camera-sized photos.
# See benches/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: benches/compare.sh [--photos N] [--runs R] [--threads T]

Makes (once) a batch of N 4000x3000 JPEGs from the project's pinned test photos, a quarter of
them with faces, in .cache/compare-batch/; then runs postsafe (--faces hold -q -j T) and deface
1.5.0 (in-process, onnxruntime on CPU with T intra-op threads, its CLI defaults) over the whole
batch, alternating which goes first, R times each. Each run is a fresh process, timed from
start to end (model load included), with its peak resident memory from GNU time. Prints
photos/s (median and range), peak RSS, recall on the face photos and false flags on the others
(flagged = at least one face found), and the ratios postsafe/deface.

  --photos N   photos in the batch (default 40, at least 4)
  --runs R     runs per tool (default 3)
  --threads T  threads for each tool (default: all cores, as nproc counts them)

Environment: POSTSAFE_BIN=path uses that postsafe binary instead of `cargo build --release`;
POSTSAFE_TEST_CACHE=dir is where the pinned test photos are (default .cache/test-photos; they
are fetched there if missing). Needs python3 with venv and pip, and GNU time.
Raw results of the last call are kept in .cache/compare-results/.
EOF
}

# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"

photos=40 runs=3 threads=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --photos) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; photos="$2"; shift 2 ;;
        --runs) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; runs="$2"; shift 2 ;;
        --threads|-j) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; threads="$2"; shift 2 ;;
        *) say "unknown argument $1"; usage >&2; exit 2 ;;
    esac
done
threads="${threads:-$(peer_threads)}"
for v in photos runs threads; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v takes a whole number of at least 1, not ${!v}"
done
[[ $photos -ge 4 ]] || die "--photos must be at least 4"
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"

peer_venv
peer_postsafe

batch="$ROOT/.cache/compare-batch"
"$PY" "$PEER/make_batch.py" --photos "$photos" --dir "$batch" \
    --photo-cache "${POSTSAFE_TEST_CACHE:-$ROOT/.cache/test-photos}"
manifest="$batch/manifest.tsv"
mapfile -t files < <(tail -n +2 "$manifest" | cut -f1 | sed "s|^|$batch/|")
[[ ${#files[@]} == "$photos" ]] || die "$manifest lists ${#files[@]} photos, expected $photos"

results="$ROOT/.cache/compare-results"
rm -rf "$results"
mkdir -p "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_postsafe() {
    local k="$1" status=0
    cat /proc/loadavg >"$results/$k-load-postsafe"
    /usr/bin/time -f '%e %M %U %S' -o "$results/$k-postsafe.time" \
        "$POSTSAFE" --faces hold -q -j "$threads" -o "$work/out-$k" -- "${files[@]}" \
        2>"$results/$k-postsafe.log" || status=$?
    [[ $status == 0 ]] || { cat "$results/$k-postsafe.log" >&2; die "postsafe exited with $status in run $k"; }
    mv "$work/out-$k/report.json" "$results/$k-postsafe-report.json"
    rm -rf "$work/out-$k"
    say "  run $k postsafe: $(cut -d' ' -f1 "$results/$k-postsafe.time") s"
}

run_deface() {
    local k="$1"
    cat /proc/loadavg >"$results/$k-load-deface"
    /usr/bin/time -f '%e %M %U %S' -o "$results/$k-deface.time" \
        "$PY" "$PEER/deface_run.py" --manifest "$manifest" --threads "$threads" \
        --out "$results/$k-deface.tsv" --stats "$results/$k-deface.json" 2>"$results/$k-deface.log" \
        || { cat "$results/$k-deface.log" >&2; die "deface failed in run $k"; }
    say "  run $k deface:   $(cut -d' ' -f1 "$results/$k-deface.time") s"
}

peer_machine >&2
say "Batch: $photos photos in $batch; $runs runs per tool; $threads thread(s) each"
# Both tools read the photos from the page cache, whichever goes first.
cat "${files[@]}" >/dev/null
started=$SECONDS
for ((k = 1; k <= runs; k++)); do
    if ((k % 2 == 1)); then
        echo "postsafe deface" >"$results/$k-order"
        run_postsafe "$k"
        run_deface "$k"
    else
        echo "deface postsafe" >"$results/$k-order"
        run_deface "$k"
        run_postsafe "$k"
    fi
done
say "All runs took $((SECONDS - started)) s."
echo

{
    peer_machine
    "$PY" "$PEER/compare_report.py" --manifest "$manifest" --runs "$runs" --threads "$threads" \
        --dir "$results" --postsafe-version "$("$POSTSAFE" --version)"
} | tee "$results/summary.md"
