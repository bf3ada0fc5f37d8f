#!/usr/bin/env bash
# Set up podman and the local test image, then run examples/quickstart: a
# three-service stack that comes up, answers an exec, and is removed again.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/setup-podman.sh"

cargo run --locked -p quickstart
