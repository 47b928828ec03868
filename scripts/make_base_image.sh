#!/usr/bin/env bash
# Make a local stand-in for the official `python:3.11-slim` image, for machines
# that cannot pull from any container registry (only Debian's apt mirror and PyPI
# are reachable). The stand-in is Debian 12 (bookworm) made with debootstrap from
# the mirror apt already uses, with python3.11 + venv + pip, laid out like the
# official image: `python`, `python3`, `pip`, `pip3` on PATH in /usr/local/bin,
# `pip install` as root allowed (no EXTERNALLY-MANAGED marker), LANG=C.UTF-8,
# empty apt lists, CMD ["python3"]. It is imported under the official name so
# that `FROM python:3.11-slim` resolves locally with --pull=never.
#
# Usage: scripts/make_base_image.sh            # no-op if the image exists
#        FORCE=1 scripts/make_base_image.sh    # rebuild it
# Env:   BASE_IMAGE     (default docker.io/library/python:3.11-slim)
#        DEBIAN_MIRROR  (default: the bookworm mirror in /etc/apt/sources.list*)
#        DEBIAN_SUITE   (default bookworm)
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-docker.io/library/python:3.11-slim}"
SUITE="${DEBIAN_SUITE:-bookworm}"
FORCE="${FORCE:-0}"

log() { printf '[make_base_image] %s\n' "$*" >&2; }
die() { printf '[make_base_image] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and podman's root storage need it)"
for tool in debootstrap podman tar flock; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found; run scripts/install_system_deps.sh"
done

# Two runs at once would both debootstrap: the second waits, then finds the image.
exec 9>>"/tmp/movie-explorer-make_base_image.lock"
flock 9

if [ "$FORCE" != "1" ] && podman image exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE already present: nothing to do (FORCE=1 to rebuild)"
    exit 0
fi

# The Debian mirror apt uses for $SUITE: one-line .list entries first, then deb822
# .sources stanzas. Security and other suites are not wanted here.
find_mirror() {
    local f uri
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri="$(awk -v suite="$SUITE" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
                if ($(i + 1) == suite) { print $i; exit }
            }' "$f")"
        if [ -n "$uri" ]; then printf '%s\n' "$uri"; return 0; fi
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri="$(awk -v suite="$SUITE" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && uris != "" && (" " suites " ") ~ (" " suite " ")) {
                    split(uris, u, " "); print u[1]; found = 1; exit
                }
                types = ""; uris = ""; suites = ""
            }
            /^[[:space:]]*$/ { flush(); next }
            /^[[:space:]]*#/ { next }
            tolower($1) == "types:"  { $1 = ""; types = $0 }
            tolower($1) == "uris:"   { $1 = ""; sub(/^ +/, ""); uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            END { if (!found) flush() }' "$f")"
        if [ -n "$uri" ]; then printf '%s\n' "$uri"; return 0; fi
    done
    return 1
}

MIRROR="${DEBIAN_MIRROR:-}"
if [ -z "$MIRROR" ]; then
    MIRROR="$(find_mirror || true)"
fi
if [ -z "$MIRROR" ]; then
    MIRROR="http://deb.debian.org/debian"
    log "no '$SUITE' entry found in /etc/apt/sources.list*; using $MIRROR"
fi

WORK="$(mktemp -d /var/tmp/python-slim-standin.XXXXXX)"
ROOTFS="$WORK/rootfs"
cleanup() {
    # debootstrap mounts proc/sys inside the target; never leave them behind.
    local m
    for m in "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev/pts"; do
        if mountpoint -q "$m" 2>/dev/null; then umount -l "$m" || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

KEYRING_ARGS=()
if [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    KEYRING_ARGS=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
fi

log "debootstrap $SUITE (minbase + python3, python3-venv, python3-pip) from $MIRROR"
start=$SECONDS
if ! debootstrap --variant=minbase --components=main \
        --include=ca-certificates,python3,python3-venv,python3-pip \
        "${KEYRING_ARGS[@]}" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 40 "$WORK/debootstrap.log" >&2 || true
    [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 40 "$ROOTFS/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (see above)"
fi
log "debootstrap done in $((SECONDS - start)) s"

# Lay it out like the official image.
PYVER="$(chroot "$ROOTFS" /usr/bin/python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
rm -f "$ROOTFS"/usr/lib/python3*/EXTERNALLY-MANAGED
mkdir -p "$ROOTFS/usr/local/bin"
ln -sf /usr/bin/python3 "$ROOTFS/usr/local/bin/python"
ln -sf /usr/bin/python3 "$ROOTFS/usr/local/bin/python3"
ln -sf /usr/bin/pip3 "$ROOTFS/usr/local/bin/pip"
ln -sf /usr/bin/pip3 "$ROOTFS/usr/local/bin/pip3"
chroot "$ROOTFS" /usr/local/bin/pip --version >/dev/null || die "pip does not run in the stand-in"
chroot "$ROOTFS" /usr/local/bin/python -m venv --help >/dev/null || die "venv missing in the stand-in"
# Slim: no package lists, no downloaded .debs, no docs (as the official image).
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/debootstrap
mkdir -p "$ROOTFS/var/lib/apt/lists/partial"

log "importing rootfs as $BASE_IMAGE (Python $PYVER)"
start=$SECONDS
tar --numeric-owner --xattrs -C "$ROOTFS" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . \
    | podman import -q \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change "ENV PYTHON_VERSION=$PYVER" \
        --change 'LABEL org.opencontainers.image.description="Local stand-in for python:3.11-slim made by scripts/make_base_image.sh (debootstrap)"' \
        --change 'LABEL movie-explorer.base-stand-in=true' \
        --change 'CMD ["python3"]' \
        - "$BASE_IMAGE" >/dev/null
log "imported in $((SECONDS - start)) s: $(podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$BASE_IMAGE")"
