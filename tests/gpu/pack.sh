#!/usr/bin/env bash
# Packs `pnpm gpu:check` (and the training kernel profile) for a GPU machine that has no node_modules and cannot install any: one esbuild
# bundle (plus the data-parallel training worker and the server's inference thread), tfjs-backend-wasm's .wasm files, the `webgpu`
# package's Linux x64 Dawn build, onnxruntime-node's Linux x64 binaries, this machine's node binary and
# optionally the first N rows of the data — one tar.xz. Unpack it inside a checkout (it finds models/
# through pnpm-workspace.yaml above it) and run:
#   tar -C .device/gpu -xJf pack.tar.xz && FACEKIT_TFJS_WASM_DIR=$PWD/.device/gpu/wasm \
#     .device/gpu/node .device/gpu/gpu-check.js --data .device/gpu/faces.csv
# and, to see where a webgpu training step goes (dispatches, their cost, GPU time per kernel):
#   .device/gpu/node .device/gpu/kernel-profile.js --backend webgpu --preset shared-deep
# Usage: tests/gpu/pack.sh [out-dir] [data-rows]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$(realpath -m "${1:-.device/gpu-pack}")
rows=${2:-4000}
esbuild=$(ls "$root"/node_modules/.pnpm/@esbuild+linux-x64@*/node_modules/@esbuild/linux-x64/bin/esbuild | head -1)
wasm_dist=$(dirname "$(cd packages/train && node -e "console.log(require.resolve('@tensorflow/tfjs-backend-wasm'))")")
webgpu=$(realpath packages/core/node_modules/webgpu)
ort=$(realpath packages/serve/node_modules/onnxruntime-node)
pack=$(mktemp -d)
trap 'rm -rf "$pack"' EXIT
mkdir -p "$pack/wasm" "$pack/node_modules/webgpu/dist" "$pack/node_modules/onnxruntime-node/bin/napi-v6/linux"
"$esbuild" tests/gpu/gpu-check.ts packages/train/bench/kernel-profile.ts packages/train/src/backends/data-parallel-worker.ts \
  packages/serve/src/inference-worker.ts \
  --bundle --platform=node --format=esm --target=node20 --outdir="$pack" --entry-names='[name]' --log-level=warning \
  --external:webgpu --external:onnxruntime-node --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
echo '{ "type": "module" }' >"$pack/package.json"
cp "$wasm_dist"/*.wasm "$pack/wasm/"
cp "$webgpu/package.json" "$webgpu/index.js" "$pack/node_modules/webgpu/"
cp -r "$webgpu/dist/linux-x64" "$pack/node_modules/webgpu/dist/"
cp "$ort/package.json" "$pack/node_modules/onnxruntime-node/"
cp -r "$ort/dist" "$pack/node_modules/onnxruntime-node/"
cp -r "$ort/bin/napi-v6/linux/x64" "$pack/node_modules/onnxruntime-node/bin/napi-v6/linux/"
ort_common=$(realpath "$ort/../onnxruntime-common")
mkdir -p "$pack/node_modules/onnxruntime-common" && cp -r "$ort_common/package.json" "$ort_common/dist" "$pack/node_modules/onnxruntime-common/"
cp "$(command -v node)" "$pack/node"
data=${FACEKIT_DATA:-../shared/data/utkface48.csv}
[ "$rows" -gt 0 ] && [ -f "$data" ] && head -n $((rows + 1)) "$data" >"$pack/faces.csv"
rm -rf "$out" && mkdir -p "$out"
tar -C "$pack" -cf - . | xz -T2 -6 >"$out/pack.tar.xz"
du -sh "$out/pack.tar.xz"
