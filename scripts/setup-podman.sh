#!/bin/sh
# Sets up podman for perry-stack's integration tests and examples.
#
# Idempotent and non-interactive: installs podman, runc and busybox-static with
# apt-get when podman is missing, writes /etc/containers/containers.conf only
# when that file does not exist, builds localhost/perry-busybox:latest from the
# host's /bin/busybox when the image is missing, and runs one container as a
# smoke check. Runs as root, or through sudo when sudo is installed.
#
# Two defaults of podman 4.3 on Debian 12 VMs fail: crun rejects hybrid
# cgroups, and the default container rlimits exceed the VM's hard limits. The
# config written here selects runc and lowers nofile and nproc. When a
# containers.conf already exists it is left as it is; the script then prints
# the flags that give the same settings (`--runtime runc --ulimit ...`).
set -eu

IMAGE=localhost/perry-busybox:latest
CONF=/etc/containers/containers.conf

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    echo "setup-podman: run this script as root, or install sudo" >&2
    exit 1
fi

installed=already
if ! command -v podman >/dev/null 2>&1; then
    echo "setup-podman: installing podman, runc and busybox-static with apt-get"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc busybox-static
    installed=now
fi
if [ ! -x /bin/busybox ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static
fi

config=kept
if [ ! -e "$CONF" ]; then
    $SUDO mkdir -p /etc/containers
    $SUDO tee "$CONF" >/dev/null <<'CONF'
# Written by perry-stack's scripts/setup-podman.sh.
# crun fails with "cgroups in hybrid mode not supported" on these VMs, and the
# default rlimits exceed what a VM without CAP_SYS_RESOURCE may set.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
    config=written
else
    if ! grep -Eq '^[[:space:]]*runtime[[:space:]]*=[[:space:]]*"runc"' "$CONF"; then
        echo "setup-podman: $CONF exists and does not select runc; kept as it is."
        echo "  If containers fail with 'cgroups in hybrid mode not supported', pass --runtime runc"
    fi
    if ! grep -Eq 'nofile=' "$CONF"; then
        echo "setup-podman: $CONF sets no default nofile ulimit; kept as it is."
        echo "  If containers fail with 'setrlimit RLIMIT_NOFILE', pass --ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
    fi
fi

image=present
if ! $SUDO podman image exists "$IMAGE"; then
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/rootfs/bin" "$root/rootfs/tmp" "$root/rootfs/etc"
    chmod 1777 "$root/rootfs/tmp"
    cp /bin/busybox "$root/rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        # A link named busybox would replace the binary with a link to itself.
        [ "$applet" = busybox ] && continue
        ln -s busybox "$root/rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' >"$root/rootfs/etc/passwd"
    echo 'root:x:0:' >"$root/rootfs/etc/group"
    tar -C "$root/rootfs" -cf "$root/image.tar" .
    $SUDO podman import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' \
        "$root/image.tar" "$IMAGE" >/dev/null
    image=built
fi

if ! $SUDO podman run --rm "$IMAGE" true; then
    echo "setup-podman: smoke check failed: podman run --rm $IMAGE true" >&2
    exit 1
fi

echo "setup-podman: ok: podman $(podman version --format '{{.Client.Version}}') (installed $installed), $CONF $config, image $IMAGE $image, smoke check passed"
