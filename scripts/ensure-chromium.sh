#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the browser test (e2e/browser), installing it
# with apt-get when this machine allows it (root on Debian), as ensure-docker.sh does for Docker.
# fonts-nanum: the presets' Korean names (docs/architecture.md, Presets) render in screenshots instead of empty boxes.
# Exit 0: chromium runs. Exit 1: it does not, with the reason on stderr. Prints nothing when present.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
say() { echo "[ensure-chromium] $*" >&2; }
fail() { echo "[ensure-chromium] chromium is unavailable: $*" >&2; exit 1; }

if [ -x "$CHROMIUM" ] && "$CHROMIUM" --version >/dev/null 2>&1; then exit 0; fi

[ "$(id -u)" = "0" ] || fail "$CHROMIUM is missing and this user is not root; install Debian's chromium and retry."
if [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  fail "$CHROMIUM is missing and this is not Debian; set CHROMIUM_PATH to a Chromium binary."
fi

say "installing chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || fail "apt-get update failed"
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-nanum >/dev/null ||
  fail "apt-get install chromium failed"
"$CHROMIUM" --version >/dev/null 2>&1 || fail "$CHROMIUM does not run after installing it"
say "$("$CHROMIUM" --version)"
