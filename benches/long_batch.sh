#!/usr/bin/env bash
# Peak memory over a long batch of camera photos. See benches/README.md.
#   bash benches/long_batch.sh [--copies N] [--threads T] [-- POSTSAFE_ARGS...]
# Copies the 40 photos of .cache/compare-batch (made by benches/compare.sh) N times (default
# 25: 1,000 photos) into .cache/batch-<40*N>/, each copy made a photo of its own by a JPEG
# comment naming it (so every copy is analysed and written; the pixels are the original's), then
# runs `postsafe --faces hold -q -j T` (default: 4 threads) over it, printing the resident set
# (VmRSS) and its peak so far (VmHWM) every 10 s, then GNU time's summary.
set -euo pipefail
# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"
copies=25 threads=4 extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --copies) copies="$2"; shift 2 ;;
        --threads|-j) threads="$2"; shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) die "unknown argument $1 (see the comment at the top of $0)" ;;
    esac
done
source_dir="$ROOT/.cache/compare-batch"
[[ -d "$source_dir" ]] || die "$source_dir is missing: run bash benches/compare.sh once to make it"
batch="$ROOT/.cache/batch-$((40 * copies))"
python3 - "$source_dir" "$batch" "$copies" <<'PY'
import os, struct, sys
source, batch, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(batch, exist_ok=True)
photos = sorted(f for f in os.listdir(source) if f.endswith(".jpg"))
for copy in range(copies):
    for name in photos:
        target = os.path.join(batch, f"{copy:02d}-{name}")
        if os.path.exists(target):
            continue
        data = open(os.path.join(source, name), "rb").read()
        text = f"copy {copy} of {name}".encode()
        comment = b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
        with open(target, "wb") as out:
            out.write(data[:2] + comment + data[2:])
PY
peer_postsafe
peer_machine
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
say "$(find "$batch" -name '*.jpg' | wc -l) photos in $batch; postsafe --faces hold -q -j $threads ${extra[*]}"
/usr/bin/time -v "$POSTSAFE" --faces hold -q -j "$threads" "${extra[@]}" "$batch" -o "$out/run" 2>"$out/time" &
started=$SECONDS
sleep 1
pid="$(pgrep -P $! || true)"
while kill -0 $! 2>/dev/null; do
    if [[ -n "$pid" && -r /proc/$pid/status ]]; then
        awk -v t=$((SECONDS - started)) -v done="$(find "$out/run/ready" -type f 2>/dev/null | wc -l)" \
            '/^VmRSS/ {rss=$2} /^VmHWM/ {hwm=$2} END {printf "%5d s  RSS %4.0f MB  peak %4.0f MB  ready %d\n", t, rss/1024, hwm/1024, done}' \
            "/proc/$pid/status" 2>/dev/null || true
    fi
    sleep 10
done
wait $! || true
grep -E "Elapsed|Maximum resident|Exit status" "$out/time"
