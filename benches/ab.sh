#!/usr/bin/env bash
# Two ways of running postsafe on the same photos, alternating, in one run: what does an option
# (or a change, built into a second binary) cost? See benches/README.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: benches/ab.sh [--runs R] [--threads T] [--photos N] [--batch-dir DIR]
                     [--a-bin PATH] [--b-bin PATH] [--a "ARGS"] [--b "ARGS"] [--manifest FILE]

Runs A and B R times each on the same photos, alternating which goes first, and prints each
run's wall seconds, the medians and the ratio B / A. A is `postsafe BATCH -o OUT -q -j T ARGS_A`
with --a-bin (default: POSTSAFE_BIN, or a fresh release build), B the same with --b-bin
(default: A's binary) and ARGS_B. The batch: the first N (default all 40) of the camera-sized
JPEGs benches/compare.sh makes. With --manifest, each run is instead `postsafe eval -q -j T
MANIFEST` (a set of photos of every kind, e.g. .cache/eval/manifest.tsv).

Examples:
  benches/ab.sh --photos 10 --b "--turned"                 # what --turned costs
  benches/ab.sh --b-bin /tmp/postsafe-other --manifest M    # a change, on an evaluation set
USAGE
}

# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"

runs=3 threads="$(nproc)" photos=40 batch="$ROOT/.cache/compare-batch"
a_bin="" b_bin="" a_args="" b_args="" manifest=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --runs) runs="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --photos) photos="$2"; shift 2 ;;
        --batch-dir) batch="$2"; shift 2 ;;
        --a-bin) a_bin="$2"; shift 2 ;;
        --b-bin) b_bin="$2"; shift 2 ;;
        --a) a_args="$2"; shift 2 ;;
        --b) b_args="$2"; shift 2 ;;
        --manifest) manifest="$2"; shift 2 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

if [[ -z "$a_bin" ]]; then
    peer_postsafe
    a_bin="$POSTSAFE"
fi
b_bin="${b_bin:-$a_bin}"
for bin in "$a_bin" "$b_bin"; do
    [[ -x "$bin" ]] || die "$bin is not an executable"
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -z "$manifest" ]]; then
    peer_venv
    mkdir -p "$batch"
    "$PY" "$PEER/make_batch.py" --photos 40 --dir "$batch" --photo-cache "${POSTSAFE_TEST_CACHE:-$ROOT/.cache/test-photos}"
    mkdir "$work/in"
    tail -n +2 "$batch/manifest.tsv" | cut -f1 | head -n "$photos" | while read -r name; do
        cp "$batch/$name" "$work/in/$name"
    done
    what="$(find "$work/in" -name '*.jpg' | wc -l) photos of $batch"
else
    [[ -f "$manifest" ]] || die "no manifest $manifest"
    what="postsafe eval on $manifest"
fi

# One run of variant $1 (a or b); prints its wall seconds.
run() {
    local bin args out="$work/out-$1" started
    if [[ $1 == a ]]; then bin="$a_bin" args="$a_args"; else bin="$b_bin" args="$b_args"; fi
    rm -rf "$out"
    started="$(date +%s.%N)"
    if [[ -z "$manifest" ]]; then
        # shellcheck disable=SC2086  # ARGS are words
        "$bin" "$work/in" -o "$out" -q -j "$threads" $args >/dev/null
    else
        # shellcheck disable=SC2086
        "$bin" eval -q -j "$threads" $args "$manifest" >/dev/null || [[ $? -eq 1 ]]
    fi
    echo "$(date +%s.%N) - $started" | bc
}

peer_machine
echo "A: $a_bin $a_args"
echo "B: $b_bin $b_args"
echo "On: $what, $threads threads, $runs runs each, alternating"
a_times=() b_times=()
for ((i = 0; i < runs; i++)); do
    if ((i % 2 == 0)); then order=(a b); else order=(b a); fi
    for v in "${order[@]}"; do
        t="$(run "$v")"
        printf 'run %d %s: %.1f s\n' "$((i + 1))" "$v" "$t"
        if [[ $v == a ]]; then a_times+=("$t"); else b_times+=("$t"); fi
    done
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ma="$(median "${a_times[@]}")" mb="$(median "${b_times[@]}")"
printf 'median A %.1f s, B %.1f s, B / A = %.2f\n' "$ma" "$mb" "$(echo "$mb / $ma" | bc -l)"
