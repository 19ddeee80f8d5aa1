#!/usr/bin/env bash
# Packs what scripts/device-check.sh needs on a bare GPU machine (no node, no network) into
# gpu-worker/.device/ (kept out of git via .git/info/exclude), under the 64 MiB carry limit:
#   pack.tar.xz  node (stripped) + onnxruntime-node (linux/x64 only) + onnxruntime-common
#                + sharp with its linux-x64 libvips
#   check.mjs    scripts/device-check.ts bundled (zod and our code inlined)
#   models/      the tiny SAM 3 stand-in at input size 1008
# Usage (from anywhere): gpu-worker/scripts/device-pack.sh
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"   # gpu-worker/
repo="$(cd "$here/.." && pwd)"
nm="$repo/node_modules"
out="$here/.device"
limit_mib=60

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
# Only linux/x64; the CUDA EP libraries come along if this checkout was installed with them.
cp -r "$nm/onnxruntime-node/bin/napi-v6/linux/x64" "$stage/pack/node_modules/onnxruntime-node/bin/napi-v6/linux/"
for pkg in sharp @img/colour @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 detect-libc semver; do
  copy_pkg "$pkg"
done

"$nm/.bin/esbuild" "$here/scripts/device-check.ts" --bundle --platform=node --format=esm --target=node22 \
  --external:onnxruntime-node --external:sharp --log-level=warning --outfile="$out/check.mjs"
(cd "$here" && "$nm/.bin/node" --import tsx scripts/device-models.ts "$out/models")

tar -C "$stage/pack" -cf - . | xz -T0 -6 >"$out/pack.tar.xz"
size_mib=$(( $(du -sk "$out" | cut -f1) / 1024 ))
echo "packed $out: ${size_mib} MiB"
ls -la "$out" "$out/models"
if [ "$size_mib" -gt "$limit_mib" ]; then echo "pack is over ${limit_mib} MiB" >&2; exit 1; fi
