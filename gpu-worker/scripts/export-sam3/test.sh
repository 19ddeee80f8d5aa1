#!/usr/bin/env bash
# The export's Python tests (tests/test_export.py): what runs without PyTorch. They need Debian's
# python3-numpy and python3-onnx; as root on Debian they are installed with apt-get when missing.
# Elsewhere a missing package fails under CI=true and skips loudly otherwise.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3 || true)"
have() { [ -n "$python" ] && "$python" -c 'import numpy, onnx' 2>/dev/null; }
if ! have; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "[export-sam3] installing python3-numpy python3-onnx (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends python3-numpy python3-onnx >/dev/null 2>&1 ||
      { apt-get update >/dev/null && apt-get install -y --no-install-recommends python3-numpy python3-onnx >/dev/null; }
    python=/usr/bin/python3
  elif [ "${CI:-}" = "true" ]; then
    echo "[export-sam3] FAILED: python3 with numpy and onnx is missing and cannot be installed here" >&2
    exit 1
  else
    echo "[export-sam3] SKIPPED: no python3 with numpy and onnx (apt-get install python3-numpy python3-onnx)" >&2
    exit 0
  fi
fi
"$python" -m unittest discover -s "$here/tests"
