#!/usr/bin/env bash
# Install the Debian packages the tests need: headless Chromium for the browser tests,
# podman + buildah + debootstrap for the container check (tests/test_container.py via
# scripts/check_container.sh), fonts so screenshots render text (CJK titles too), curl.
#
# Idempotent and quick: does nothing (no apt-get update) when everything is installed.
# As root with apt-get it installs what is missing; otherwise it prints exactly which
# packages are missing and exits 1 if a required one is (an optional one only warns).
set -euo pipefail

REQUIRED=(
    chromium                 # headless browser driven by Playwright (/usr/bin/chromium)
    fonts-dejavu-core        # basic fonts for screenshots
    curl                     # health polling in check_container.sh
    podman                   # image storage, import of the stand-in base
    buildah                  # builds and runs the image (--isolation chroot)
    debootstrap              # makes the stand-in python:3.11-slim base image
    debian-archive-keyring   # lets debootstrap verify the Debian archive
    fuse-overlayfs           # container storage where the kernel overlay is not usable
    uidmap                   # newuidmap/newgidmap for podman/buildah
    slirp4netns              # user-mode networking for podman
)
OPTIONAL=(
    fonts-noto-cjk           # CJK movie titles in screenshots (large; skipped if unavailable)
    fonts-noto-color-emoji   # the app's emoji icons in screenshots
)

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing_required=()
missing_optional=()
for pkg in "${REQUIRED[@]}"; do installed "$pkg" || missing_required+=("$pkg"); done
for pkg in "${OPTIONAL[@]}"; do installed "$pkg" || missing_optional+=("$pkg"); done

if [ "${#missing_required[@]}" -eq 0 ] && [ "${#missing_optional[@]}" -eq 0 ]; then
    echo "[install_system_deps] all present: ${REQUIRED[*]} ${OPTIONAL[*]}"
    exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    why="not root"; [ "$(id -u)" -eq 0 ] && why="no apt-get"
    if [ "${#missing_optional[@]}" -gt 0 ]; then
        echo "[install_system_deps] optional, missing: ${missing_optional[*]}" >&2
    fi
    if [ "${#missing_required[@]}" -gt 0 ]; then
        echo "[install_system_deps] missing ($why, cannot install): ${missing_required[*]}" >&2
        echo "[install_system_deps] install them with: sudo apt-get install -y ${missing_required[*]}" >&2
        exit 1
    fi
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "[install_system_deps] apt-get update"
apt-get update -q >/dev/null

want=("${missing_required[@]}")
for pkg in "${missing_optional[@]}"; do
    candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')"
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
        want+=("$pkg")
    else
        echo "[install_system_deps] optional $pkg is not available from apt here: skipped"
    fi
done

if [ "${#want[@]}" -gt 0 ]; then
    echo "[install_system_deps] installing: ${want[*]}"
    apt-get install -y -q "${want[@]}" >/dev/null
fi

still=()
for pkg in "${missing_required[@]}"; do installed "$pkg" || still+=("$pkg"); done
if [ "${#still[@]}" -gt 0 ]; then
    echo "[install_system_deps] still missing after apt-get install: ${still[*]}" >&2
    exit 1
fi
echo "[install_system_deps] done"
