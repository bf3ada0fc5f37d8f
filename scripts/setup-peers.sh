#!/bin/sh
# Installs the reference tools that perry-stack's conformance tests and
# benchmarks compare against: docker-compose 1.29 (the Debian package), which
# reads and prints compose files without a daemon and drives podman through
# its Docker API socket, and podman-compose (from PyPI) in a virtual
# environment inside the repository at .peers/venv.
#
# Idempotent and non-interactive: skips each tool that is already installed.
# Runs as root, or through sudo when sudo is installed.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v docker-compose >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "setup-peers: run this script as root, or install sudo" >&2
        exit 1
    fi
    echo "setup-peers: installing docker-compose with apt-get"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose ||
        { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
          $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose; }
    docker-compose version
fi

# podman-compose only for the podman benchmark; a failure here leaves the
# conformance tests working, so it warns instead of stopping the script.
venv="$root/.peers/venv"
if [ ! -x "$venv/bin/podman-compose" ]; then
    echo "setup-peers: installing podman-compose into $venv"
    if python3 -m venv "$venv" && "$venv/bin/pip" install -q 'podman-compose==1.6.0'; then
        "$venv/bin/podman-compose" version
    else
        echo "setup-peers: could not install podman-compose; the podman benchmark will skip it" >&2
    fi
fi
