#!/usr/bin/env bash
# Packs what scripts/device-check.sh needs on a bare GPU machine (no node, no network) into
# gpu-worker/.device/ (kept out of git via .git/info/exclude), under the 64 MiB carry limit:
#   pack.tar.xz  node (stripped) + onnxruntime-node (linux/x64 only) with its CUDA execution
#                provider + onnxruntime-common + sharp with its linux-x64 libvips
#   check.mjs    scripts/device-check.ts bundled (zod and our code inlined), segmenter.thread.mjs
#                the segmenter thread bundled the same way
#   models/      the tiny SAM 3 stand-in at input size 1008, with its model.json
#   models-ppocr/  PP-OCRv4 text detection (real weights) with its model.json
# The CUDA provider (libonnxruntime_providers_cuda.so + _shared.so) comes from, in order:
# ORT_CUDA_PROVIDER_DIR (e.g. runtimes/linux-x64/native of the Microsoft.ML.OnnxRuntime.Gpu.Linux
# NuGet package of onnxruntime-node's version), this checkout's onnxruntime-node when it was
# installed with ONNXRUNTIME_NODE_INSTALL=cuda12, or onnxruntime-node's own postinstall run into
# the staging copy (needs NuGet). Without one the pack stops: a CPU-only pack could only show the
# worker refusing to start. --cpu-only packs without it, on purpose.
# Usage (from anywhere): gpu-worker/scripts/device-pack.sh [--cpu-only]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"   # gpu-worker/
repo="$(cd "$here/.." && pwd)"
nm="$repo/node_modules"
out="$here/.device"
limit_mib=60
cpu_only=false
[ "${1:-}" = "--cpu-only" ] && cpu_only=true

exclude="$repo/.git/info/exclude"
if [ -f "$exclude" ] && ! grep -qx 'gpu-worker/.device/' "$exclude"; then echo 'gpu-worker/.device/' >>"$exclude"; fi

rm -rf "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage/pack/bin" "$stage/pack/node_modules"

cp "$nm/node/bin/node" "$stage/pack/bin/node"
strip "$stage/pack/bin/node" 2>/dev/null || echo "strip unavailable: node is packed with its debug info"

copy_pkg() { mkdir -p "$stage/pack/node_modules/$(dirname "$1")"; cp -r "$nm/$1" "$stage/pack/node_modules/$1"; }
copy_pkg onnxruntime-common
mkdir -p "$stage/pack/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r "$nm/onnxruntime-node/package.json" "$nm/onnxruntime-node/dist" "$stage/pack/node_modules/onnxruntime-node/"
# Only linux/x64, then the CUDA provider beside the CPU binaries (the TensorRT one is never used).
ort_bin="$stage/pack/node_modules/onnxruntime-node/bin/napi-v6/linux/x64"
cp -r "$nm/onnxruntime-node/bin/napi-v6/linux/x64" "$stage/pack/node_modules/onnxruntime-node/bin/napi-v6/linux/"
rm -f "$ort_bin/libonnxruntime_providers_tensorrt.so"
providers=(libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so)
has_providers() { for lib in "${providers[@]}"; do [ -s "$1/$lib" ] || return 1; done; }
if [ -n "${ORT_CUDA_PROVIDER_DIR:-}" ]; then
  has_providers "$ORT_CUDA_PROVIDER_DIR" || { echo "ORT_CUDA_PROVIDER_DIR lacks ${providers[*]}" >&2; exit 1; }
  for lib in "${providers[@]}"; do cp "$ORT_CUDA_PROVIDER_DIR/$lib" "$ort_bin/"; done
elif ! has_providers "$ort_bin" && [ "$cpu_only" = false ]; then
  echo "fetching the CUDA provider with onnxruntime-node's postinstall (ONNXRUNTIME_NODE_INSTALL=cuda12)"
  cp -r "$nm/onnxruntime-node/script" "$stage/pack/node_modules/onnxruntime-node/"
  (cd "$stage/pack/node_modules/onnxruntime-node" && NODE_PATH="$nm" ONNXRUNTIME_NODE_INSTALL=cuda12 \
    "$nm/.bin/node" script/install.js) || true
  rm -rf "$stage/pack/node_modules/onnxruntime-node/script"
  rm -f "$ort_bin/libonnxruntime_providers_tensorrt.so"
fi
if has_providers "$ort_bin"; then
  echo "CUDA provider packed: $(cd "$ort_bin" && du -ch "${providers[@]}" | tail -n 1 | cut -f1)"
elif [ "$cpu_only" = true ]; then
  echo "--cpu-only: no CUDA provider packed; ONNX_PROVIDER=cuda will stop with the reason on the device"
else
  echo "no CUDA provider to pack (${providers[*]}): set ORT_CUDA_PROVIDER_DIR, install onnxruntime-node" \
    "with ONNXRUNTIME_NODE_INSTALL=cuda12, or pass --cpu-only" >&2
  exit 1
fi
for pkg in sharp @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 detect-libc semver; do
  copy_pkg "$pkg"
done

"$nm/.bin/esbuild" "$here/scripts/device-check.ts" --bundle --platform=node --format=esm --target=node22 \
  --external:onnxruntime-node --external:sharp --log-level=warning --outfile="$out/check.mjs"
# The segmenter thread's entry, beside check.mjs where thread-client.ts looks for it (no TypeScript there).
"$nm/.bin/esbuild" "$here/src/engine/segmenter/thread.ts" --bundle --platform=node --format=esm --target=node22 \
  --external:onnxruntime-node --external:sharp --log-level=warning --outfile="$out/segmenter.thread.mjs"
(cd "$here" && "$nm/.bin/node" --import tsx scripts/device-models.ts "$out/models" "$out/models-ppocr")

tar -C "$stage/pack" -cf - . | xz -T0 -6 >"$out/pack.tar.xz"
size_mib=$(( $(du -sk "$out" | cut -f1) / 1024 ))
echo "packed $out: ${size_mib} MiB"
ls -la "$out" "$out/models" "$out/models-ppocr"
if [ "$size_mib" -gt "$limit_mib" ]; then echo "pack is over ${limit_mib} MiB" >&2; exit 1; fi
