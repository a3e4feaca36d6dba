# shellcheck shell=bash
# Shared by benches/deface_eval.sh and benches/compare.sh (sourced, not run).
#
# Sets ROOT (the repository) and PEER (this folder), and provides:
#   peer_venv        make sure .cache/deface-venv holds exactly benches/peer/requirements.txt;
#                    sets PY to its python
#   peer_postsafe    sets POSTSAFE to the binary under test: $POSTSAFE_BIN, or a fresh
#                    `cargo build --release`
#   peer_machine     prints the CPU model, the core count and the memory
#   peer_threads     the default thread count (all cores)

export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in benches/peer/
PEER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$PEER/../.." && pwd)"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

peer_threads() { nproc; }

peer_venv() {
    local venv="$ROOT/.cache/deface-venv"
    local req="$PEER/requirements.txt"
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.requirements-sha256" 2>/dev/null)" != "$want" ]]; then
        say "Setting up the deface venv in $venv (pinned in benches/peer/requirements.txt)..."
        command -v python3 >/dev/null || die "python3 is needed to make the deface venv"
        rm -rf "$venv"
        mkdir -p "$ROOT/.cache"
        python3 -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: -r "$req" \
            || die "pip could not install $req"
        echo "$want" >"$venv/.requirements-sha256"
    fi
    # shellcheck disable=SC2034  # PY is for the scripts that source this file
    PY="$venv/bin/python"
}

peer_postsafe() {
    if [[ -n "${POSTSAFE_BIN:-}" ]]; then
        [[ -x "$POSTSAFE_BIN" ]] || die "POSTSAFE_BIN=$POSTSAFE_BIN is not an executable"
        POSTSAFE="$POSTSAFE_BIN"
    else
        say "Building postsafe (cargo build --release; set POSTSAFE_BIN to skip)..."
        (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
        POSTSAFE="${CARGO_TARGET_DIR:-$ROOT/target}/release/postsafe"
        [[ -x "$POSTSAFE" ]] || die "the build left no $POSTSAFE"
    fi
}

peer_machine() {
    local cpu mem
    cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    mem="$(awk '/^MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)"
    printf 'Machine: %s, %s cores (nproc), %s GiB memory, %s\n' "${cpu:-unknown CPU}" "$(nproc)" "$mem" "$(uname -sr)"
}
