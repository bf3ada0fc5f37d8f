#!/usr/bin/env bash
# Run every test of the workspace, the real-podman integration tests included.
# Sets up podman and the local test image first (scripts/setup-podman.sh is
# idempotent), so this works on a fresh Debian 12 machine.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/setup-podman.sh"
"$root/scripts/setup-peers.sh"

cargo test --workspace --locked --no-fail-fast
