#!/usr/bin/env bash
# Run every test of the workspace, the real-podman integration tests included.
# Sets up podman and the local test image first (scripts/setup-podman.sh is
# idempotent), and installs Node.js and npm when either is missing, because
# the tsc test installs TypeScript from types/package-lock.json with `npm ci`.
# So this works on a fresh Debian 12 machine with no input.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/setup-podman.sh"
"$root/scripts/setup-peers.sh"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "test.sh: node or npm is missing; install them as root (apt-get install nodejs npm)" >&2
        exit 1
    fi
    echo "test.sh: installing nodejs and npm with apt-get"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
fi

# --all-features also runs the Docker Engine API backend against podman's socket.
cargo test --workspace --locked --no-fail-fast --all-features
