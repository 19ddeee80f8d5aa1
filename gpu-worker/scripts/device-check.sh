#!/usr/bin/env bash
# Device check for the onnx segmenter, for a bare GPU machine (no node, no network).
# Prepare here: gpu-worker/scripts/device-pack.sh, then carry gpu-worker/.device and run
#   gpu-worker/scripts/device-check.sh
# It prints the GPU, the CUDA libraries the loader sees, then runs the segmenter on the
# tiny SAM 3 stand-in and on PP-OCRv4 text detection (real weights) with ONNX_PROVIDER=cuda
# (no fallback: a provider that does not load is the reason printed, exit 1; per-stage
# timings) and with ONNX_PROVIDER=cpu as the baseline.
# Logs go to stdout and, when $OUT is set, to $OUT/.
set -uo pipefail
gpu_worker="$(cd "$(dirname "$0")/.." && pwd)"
device="$gpu_worker/.device"
work="$(mktemp -d)"
out="${OUT:-$work/out}"
mkdir -p "$out"
trap 'rm -rf "$work"' EXIT

if [ ! -f "$device/pack.tar.xz" ]; then
  echo "missing $device/pack.tar.xz: run gpu-worker/scripts/device-pack.sh and carry gpu-worker/.device" >&2
  exit 2
fi

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv || echo "nvidia-smi failed"
nvidia-smi | head -n 4 | tail -n 2
echo "== CUDA / cuDNN libraries visible to the loader (the CUDA EP needs CUDA 12 runtime + cuDNN 9)"
ldconfig -p 2>/dev/null | grep -E 'libcudart\.so|libcublas\.so|libcudnn\.so' | head -n 8 || true
[ -n "$(ldconfig -p 2>/dev/null | grep -E 'libcudart\.so|libcudnn\.so')" ] || echo "(none)"

echo "== unpack"
t0=$(date +%s)
if command -v xz >/dev/null; then
  tar -C "$work" -xJf "$device/pack.tar.xz"
else
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' \
    "$device/pack.tar.xz" "$work"
fi
cp "$device/check.mjs" "$device/segmenter.thread.mjs" "$work/"
echo "unpacked in $(( $(date +%s) - t0 )) s; node $("$work/bin/node" --version)"
ls "$work/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"

status=0
for provider in cuda cpu; do
  echo "== ONNX_PROVIDER=$provider"
  (cd "$work" && MODEL_CACHE_DIR="$device/models" PPOCR_DIR="$device/models-ppocr" ONNX_PROVIDER="$provider" \
    timeout 180 ./bin/node check.mjs) \
    >"$out/check-$provider.log" 2>&1 || status=$?
  cat "$out/check-$provider.log"
done
exit "$status"
