#!/usr/bin/env bash
# Packs the training-backend checks as a self-contained folder for a machine that has no
# node_modules and cannot install any (the GPU box reached through the device tool): one esbuild
# bundle per entry (train-bench, backend-check, and the data-parallel worker that train-bench starts),
# tfjs-backend-wasm's .wasm files, the `webgpu` package's Linux x64 Dawn build, and this machine's
# node binary in case the target has none — all in one pack.tar.xz (about 40 MB). Run there:
#   mkdir p && tar -C p -xJf pack.tar.xz && cd p && export FACEKIT_TFJS_WASM_DIR=$PWD/wasm
#   ./node backend-check.js && ./node train-bench.js --threads 1,2,4
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-../../.device/train-backends}")
root=$(realpath ../..)
esbuild=$(ls "$root"/node_modules/.pnpm/@esbuild+linux-x64@*/node_modules/@esbuild/linux-x64/bin/esbuild | head -1)
wasm_dist=$(dirname "$(node -e "console.log(require.resolve('@tensorflow/tfjs-backend-wasm'))")")
webgpu=$(realpath "$root/packages/core/node_modules/webgpu")
pack=$(mktemp -d)
trap 'rm -rf "$pack"' EXIT
mkdir -p "$pack/wasm" "$pack/node_modules/webgpu/dist"
"$esbuild" bench/train-bench.ts bench/backend-check.ts src/backends/data-parallel-worker.ts \
  --bundle --platform=node --format=esm --target=node20 --outdir="$pack" --entry-names='[name]' --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
echo '{ "type": "module" }' >"$pack/package.json"
cp "$wasm_dist"/*.wasm "$pack/wasm/"
cp "$webgpu/package.json" "$webgpu/index.js" "$pack/node_modules/webgpu/"
cp -r "$webgpu/dist/linux-x64" "$pack/node_modules/webgpu/dist/"
cp "$(command -v node)" "$pack/node"
rm -rf "$out" && mkdir -p "$out"
tar -C "$pack" -cf - . | xz -T2 -6 >"$out/pack.tar.xz"
du -sh "$out/pack.tar.xz"
