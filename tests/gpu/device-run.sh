#!/usr/bin/env bash
# The GPU session in one command, on a machine that has a GPU but no Node and no registry (the
# project's lent device). Beforehand, here: `bash tests/gpu/pack.sh` (→ .device/gpu-pack/pack.tar.xz)
# and the Vulkan loader's Debian packages in .gl/ (the device tool's README: `apt-get download
# libvulkan1 …` into .gl). Then, carrying .gl and .device/gpu-pack, on the device:
#   bash tests/gpu/device-run.sh "$OUT"
# It writes, under the output folder: gpu.txt (nvidia-smi -L), profile-<preset>.md (where a webgpu
# training step goes: dispatches, their cost, GPU time per kernel), gpu-check.md and its log. Each
# step has its own time limit (8 minutes in all, inside the device's 10-minute call) so that one hang
# cannot spend the session; extra gpu:check flags can be passed in GPU_CHECK_ARGS.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-${OUT:-/tmp/facekit-gpu}}")
mkdir -p "$out" .device/gpu
if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
tar -C .device/gpu -xJf .device/gpu-pack/pack.tar.xz
export FACEKIT_TFJS_WASM_DIR=$PWD/.device/gpu/wasm
node=.device/gpu/node
(nvidia-smi -L || echo 'no nvidia-smi') >"$out/gpu.txt" 2>&1
for preset in shared-deep shared-flat seed; do
  timeout 60 "$node" .device/gpu/kernel-profile.js --backend webgpu --preset "$preset" --batches 8 \
    >"$out/profile-$preset.md" 2>&1 || echo "kernel-profile $preset: exit $?" >>"$out/gpu.txt"
done
# shellcheck disable=SC2086 # GPU_CHECK_ARGS is a list of flags
timeout 300 "$node" .device/gpu/gpu-check.js --data .device/gpu/faces.csv --out "$out/gpu-check.md" \
  ${GPU_CHECK_ARGS:-} >"$out/gpu-check.log" 2>&1 || echo "gpu-check: exit $?" >>"$out/gpu.txt"
cat "$out/gpu.txt"
