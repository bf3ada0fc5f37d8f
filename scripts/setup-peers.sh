#!/bin/sh
# Installs the reference tools that perry-stack's conformance tests compare
# against: docker-compose 1.29 (the Debian package), which reads and prints
# compose files without a daemon.
#
# Idempotent and non-interactive: does nothing when docker-compose is on PATH.
# Runs as root, or through sudo when sudo is installed.
set -eu

if command -v docker-compose >/dev/null 2>&1; then
    exit 0
fi

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
