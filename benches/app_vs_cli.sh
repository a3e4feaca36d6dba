#!/usr/bin/env bash
# The app against the command line on the same photos, in one run: is a batch dropped on the
# page checked as fast as the command line checks it? See benches/README.md.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: benches/app_vs_cli.sh [--runs R] [--threads T] [--batch-dir DIR]

Makes (once, as benches/compare.sh does) the batch of 40 camera-sized JPEGs, then R times,
alternating which goes first: `postsafe BATCH -o OUT -q -j T` timed from start to end, and
`postsafe app -j T` with the same photos chosen in Debian's chromium (benches/app_speed.mjs),
timed from choosing them to the page saying every photo is checked (upload included), and
from the page telling the app to start to that moment (the check alone). Prints each run's
seconds and the ratios app / command line.

Needs what benches/compare.sh needs, plus chromium and Node with tests/app's packages
(`npm ci --prefix tests/app`). POSTSAFE_BIN=path uses that binary instead of building one.
USAGE
}

# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"

runs=3 threads="$(nproc)" batch="$ROOT/.cache/compare-batch"
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --runs) runs="$2"; shift 2 ;;
        --threads) threads="$2"; shift 2 ;;
        --batch-dir) batch="$2"; shift 2 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
command -v node >/dev/null || die "node is needed (apt-get install nodejs npm)"
[[ -d "$ROOT/tests/app/node_modules/playwright-core" ]] || npm ci --prefix "$ROOT/tests/app" --no-audit --no-fund

peer_venv
peer_postsafe
mkdir -p "$batch"
"$PY" "$PEER/make_batch.py" --photos 40 --dir "$batch" --photo-cache "${POSTSAFE_TEST_CACHE:-$ROOT/.cache/test-photos}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cli_runs=() app_runs=() check_runs=()
for ((k = 1; k <= runs; k++)); do
    order=(cli app)
    ((k % 2 == 0)) && order=(app cli)
    for tool in "${order[@]}"; do
        rm -rf "$work/out"
        if [[ $tool == cli ]]; then
            start=$(date +%s.%N)
            "$POSTSAFE" "$batch" -o "$work/out" -q -j "$threads" || [[ $? == 1 ]]
            cli_runs+=("$(echo "$(date +%s.%N) - $start" | bc)")
        else
            read -r _ total check < <(node "$ROOT/benches/app_speed.mjs" "$POSTSAFE" "$batch" "$work/out" "$threads")
            app_runs+=("$total") check_runs+=("$check")
        fi
    done
    say "run $k: command line ${cli_runs[-1]} s, app ${app_runs[-1]} s (check alone ${check_runs[-1]} s)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cli=$(median "${cli_runs[@]}") app=$(median "${app_runs[@]}") check=$(median "${check_runs[@]}")
echo "40 photos, -j $threads, $runs runs (median): command line $cli s, app $app s from choosing the photos, $check s from the start of the check"
echo "ratio app / command line: $(echo "scale=3; $app / $cli" | bc) (choosing to done), $(echo "scale=3; $check / $cli" | bc) (the check alone)"
