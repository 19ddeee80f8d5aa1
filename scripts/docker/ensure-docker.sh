#!/usr/bin/env bash
# Makes sure a Docker engine answers `docker info`, installing and starting one when this
# machine allows it (root on Debian). Quick and silent when Docker is already up.
# Exit 0: an engine answers. Exit 1: none, with the reason printed loudly on stderr.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
WAIT_SEC="${DOCKER_WAIT_SEC:-60}"

say() { echo "[ensure-docker] $*" >&2; }
fail() {
  echo "" >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  echo "!! Docker is unavailable: $*" >&2
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2
  exit 1
}
# A hung daemon socket must not hang the caller.
engine_answers() { command -v docker >/dev/null 2>&1 && timeout 15 docker info >/dev/null 2>&1; }

if engine_answers; then exit 0; fi

if [ "$(id -u)" != "0" ]; then
  fail "no engine answers 'docker info' and this user is not root, so one cannot be installed or started here." \
    "Start Docker yourself (or join the docker group) and retry."
fi
if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  fail "no engine answers 'docker info' and this is not a Debian machine, so it is not installed automatically." \
    "Install and start Docker, then retry."
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]} failed"
fi
command -v dockerd >/dev/null 2>&1 || fail "dockerd is still missing after installing docker.io"

# A dockerd already running (perhaps still starting) is waited for, never doubled: a second
# daemon on the same host fights the first over docker0 and /var/run/docker.sock.
if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # setsid: the daemon outlives this script and the shell that ran it.
  setsid dockerd >>"$DOCKERD_LOG" 2>&1 < /dev/null &
fi

for _ in $(seq 1 "$WAIT_SEC"); do
  if engine_answers; then say "Docker engine is up"; exit 0; fi
  pgrep -x dockerd >/dev/null 2>&1 \
    || fail "dockerd exited during start;" \
      "last lines of $DOCKERD_LOG: $(tail -n 5 "$DOCKERD_LOG" 2>/dev/null | tr '\n' ' ')"
  sleep 1
done
fail "dockerd did not answer within ${WAIT_SEC}s; see $DOCKERD_LOG"
