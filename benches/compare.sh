#!/usr/bin/env bash
# Speed and memory of postsafe against deface 1.5.0 on a batch of camera-sized photos, at each
# tool's defaults and with both told to detect at the same smaller size. See benches/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: benches/compare.sh [--photos N] [--runs R] [--threads T] [--modes LIST] [--batch-dir DIR]
                          [--deface-writes]

Makes (once) a batch of N 4000x3000 JPEGs from the project's pinned test photos, a quarter of
them with faces; then runs postsafe and deface 1.5.0 (in-process, onnxruntime on CPU with T
intra-op threads) over the whole batch in each mode of LIST, R times. Each run k runs every
mode's pair once, postsafe before deface in odd runs and the whole sequence reversed in even
runs (so deface goes first, and the modes swap places too). Each is a fresh process, timed from
start to end (model load included), with its peak resident memory from GNU time. Prints, per
mode, photos/s (median and range), wall and CPU seconds, peak RSS, recall on the face photos and
false flags on the others (flagged = at least one face found) and the ratios postsafe/deface;
then a summary across modes and the load average before every process.

Modes:
  default  postsafe --faces hold -q -j T (its multi-scale search) against deface at its CLI
           defaults (CenterFace(in_shape=None): the network sees the full 12 MP photo)
  S        a whole number, e.g. 640: postsafe --faces hold -q -j T --detect-side S (one pass at
           S px on the long side, aspect kept) against deface --scale Sx(S*3/4), the same size
           for these 4:3 photos (deface rounds both sides up to a multiple of 32 and does not
           keep the aspect ratio)
  min-face-N  e.g. min-face-32: postsafe's search told to find faces from N px wide in the
           posted photo (--min-face N; its default is 16) against deface at its CLI defaults:
           what a smaller promise would buy, to weigh against the recall it loses

  --photos N       photos in the batch (default 40, at least 4)
  --runs R         runs per tool and mode (default 3)
  --threads T      threads for each tool (default: all cores, as nproc counts them)
  --modes LIST     comma-separated modes, in the order run in odd runs (default: default,640)
  --batch-dir DIR  where the batch is made or reused (default .cache/compare-batch for 40
                   photos, .cache/compare-batch-N for another N, so each size is kept)
  --deface-writes  deface also does the rest of what its CLI does with every photo: blur the
                   faces found and write <name>_anonymized.jpg at full size (into a temporary
                   folder). Without it deface's timed work ends at detection, while postsafe
                   still writes a ready copy of every face-free photo

Environment: POSTSAFE_BIN=path uses that postsafe binary instead of `cargo build --release`;
POSTSAFE_TEST_CACHE=dir is where the pinned test photos are (default .cache/test-photos; they
are fetched there if missing). Needs python3 with venv and pip, and GNU time.
Raw results of the last call are kept in .cache/compare-results/: for run k, mode M and tool
(postsafe or deface), k-M-tool.time (GNU time: wall s, peak RSS KiB, user s, system s),
k-M-tool.load (/proc/loadavg just before), k-M-tool.log (stderr), k-M-postsafe-report.json,
k-M-deface.tsv and k-M-deface.json (deface_run.py's results and settings); k-order (the order
of the processes in run k), commands.txt (each mode's two command lines) and summary.md.
EOF
}

# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"

photos=40 runs=3 threads="" modes_arg="default,640" batch="" deface_writes=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --photos) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; photos="$2"; shift 2 ;;
        --runs) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; runs="$2"; shift 2 ;;
        --threads|-j) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; threads="$2"; shift 2 ;;
        --modes) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; modes_arg="$2"; shift 2 ;;
        --batch-dir) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; batch="$2"; shift 2 ;;
        --deface-writes) deface_writes=1; shift ;;
        *) say "unknown argument $1"; usage >&2; exit 2 ;;
    esac
done
threads="${threads:-$(peer_threads)}"
for v in photos runs threads; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v takes a whole number of at least 1, not ${!v}"
done
[[ $photos -ge 4 ]] || die "--photos must be at least 4"
IFS=, read -ra modes <<<"$modes_arg"
[[ ${#modes[@]} -ge 1 ]] || die "--modes needs at least one mode"
declare -A seen=()
for mode in "${modes[@]}"; do
    if [[ $mode =~ ^min-face-([0-9]+)$ ]]; then
        ((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= 2048)) || die "mode $mode: the face width must be between 1 and 2048 pixels"
    elif [[ $mode != default ]]; then
        [[ "$mode" =~ ^[1-9][0-9]*$ ]] || die "unknown mode '$mode' in --modes: default, a side in pixels (e.g. 640) or min-face-N"
        ((mode >= 32 && mode <= 4096)) || die "mode $mode: the side must be between 32 and 4096 pixels"
    fi
    [[ -z "${seen[$mode]:-}" ]] || die "mode $mode is listed twice in --modes"
    seen[$mode]=1
done
[[ -x /usr/bin/time ]] || die "GNU time is needed at /usr/bin/time (apt-get install time)"

peer_venv
peer_postsafe

# make_batch.py remakes a folder whose batch has another size, so each size gets its own.
if [[ -z "$batch" ]]; then
    batch="$ROOT/.cache/compare-batch"
    [[ $photos == 40 ]] || batch="$batch-$photos"
fi
mkdir -p "$batch"
batch="$(cd "$batch" && pwd)"
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

# The extra arguments each tool gets in a mode (the batch is 4000x3000, so S px long side is
# Sx(S*3/4) rounded; deface rounds both up to multiples of 32 itself, as postsafe pads).
postsafe_args() {
    case "$1" in
        default) ;;
        min-face-*) printf '%s\n' --min-face "${1#min-face-}" ;;
        *) printf '%s\n' --detect-side "$1" ;;
    esac
}
deface_args() { [[ $1 == default || $1 == min-face-* ]] || printf '%s\n' --scale "${1}x$(((3 * $1 + 2) / 4))"; }
# deface_run.py stops after detection unless told where to write, as the CLI does.
deface_writes_args() { [[ -z $deface_writes ]] || printf '%s\n' --save-dir "$1"; }

run_postsafe() {
    local k="$1" mode="$2" status=0 extra
    local at="$results/$k-$mode-postsafe"
    mapfile -t extra < <(postsafe_args "$mode")
    cat /proc/loadavg >"$at.load"
    /usr/bin/time -f '%e %M %U %S' -o "$at.time" \
        "$POSTSAFE" --faces hold -q -j "$threads" "${extra[@]}" -o "$work/out-$k-$mode" -- "${files[@]}" \
        2>"$at.log" || status=$?
    [[ $status == 0 ]] || { cat "$at.log" >&2; die "postsafe exited with $status in run $k, mode $mode"; }
    mv "$work/out-$k-$mode/report.json" "$at-report.json"
    rm -rf "$work/out-$k-$mode"
    say "  run $k $mode postsafe: $(cut -d' ' -f1 "$at.time") s"
}

run_deface() {
    local k="$1" mode="$2" extra
    local at="$results/$k-$mode-deface"
    mapfile -t extra < <(deface_args "$mode"; deface_writes_args "$work/deface-out")
    cat /proc/loadavg >"$at.load"
    /usr/bin/time -f '%e %M %U %S' -o "$at.time" \
        "$PY" "$PEER/deface_run.py" --manifest "$manifest" --threads "$threads" "${extra[@]}" \
        --out "$at.tsv" --stats "$at.json" 2>"$at.log" \
        || { cat "$at.log" >&2; die "deface failed in run $k, mode $mode"; }
    rm -rf "$work/deface-out"
    say "  run $k $mode deface:   $(cut -d' ' -f1 "$at.time") s"
}

for mode in "${modes[@]}"; do
    mapfile -t p < <(postsafe_args "$mode")
    mapfile -t d < <(deface_args "$mode")
    printf '%s\tpostsafe\t%s\n' "$mode" "postsafe --faces hold -q -j $threads${p[*]:+ ${p[*]}}"
    mapfile -t w < <(deface_writes_args DIR)
    unlike_cli=" but without the CLI's blur and write"
    [[ -z $deface_writes ]] || unlike_cli=""
    printf '%s\tdeface\t%s\n' "$mode" \
        "deface_run.py --threads $threads${d[*]:+ ${d[*]}}${w[*]:+ ${w[*]}} (= deface --ep CPUExecutionProvider${d[*]:+ ${d[*]}}$unlike_cli)"
done >"$results/commands.txt"

sequence=()
for mode in "${modes[@]}"; do
    sequence+=("$mode-postsafe" "$mode-deface")
done

peer_machine >&2
say "Batch: $photos photos in $batch; modes ${modes[*]}; $runs runs per tool and mode; $threads thread(s) each"
# Every process reads the photos from the page cache, whichever goes first.
cat "${files[@]}" >/dev/null
started=$SECONDS
for ((k = 1; k <= runs; k++)); do
    order=("${sequence[@]}")
    if ((k % 2 == 0)); then
        order=()
        for ((i = ${#sequence[@]} - 1; i >= 0; i--)); do
            order+=("${sequence[i]}")
        done
    fi
    echo "${order[*]}" >"$results/$k-order"
    for step in "${order[@]}"; do
        "run_${step##*-}" "$k" "${step%-*}"
    done
done
say "All runs took $((SECONDS - started)) s."
echo

{
    peer_machine
    "$PY" "$PEER/compare_report.py" --manifest "$manifest" --runs "$runs" --threads "$threads" \
        --modes "$(IFS=,; echo "${modes[*]}")" --dir "$results" --postsafe-version "$("$POSTSAFE" --version)"
} | tee "$results/summary.md"
