#!/bin/sh
# The GPU proof, one command: on a machine with an NVIDIA GPU (no network needed), after
# `npm run build`, runs a head and a worker, places every builtin model on the GPU with the CUDA
# provider and, separately, the WebGPU provider, checks their outputs against the CPU
# provider's within each model's tolerance, and prints one JSON line: the provider chosen, the
# speed-up over the CPU for each model at batch 1 and batch 64, the VRAM each GPU actor used
# (nvidia-smi), the GPU, driver and CUDA version (cluster/src/bench/gpu-proof-main.ts).
# Record that line in docs/gpu-results.md. Stops after PROOF_LIMIT_S seconds.
#   NEUROGRID_GPU_PROOF_PROVIDER=cpu   compare the CPU provider with itself (no GPU needed)
#   NEUROGRID_NVIDIA_SMI=FILE          the nvidia-smi to use (default: the one on PATH)
set -eu
PROOF_LIMIT_S=290
cd "$(dirname "$0")/.."
smi=${NEUROGRID_NVIDIA_SMI:-nvidia-smi}
if [ "${NEUROGRID_GPU_PROOF_PROVIDER:-}" != cpu ]; then
  if ! gpus=$("$smi" -L 2>&1) || [ -z "$gpus" ]; then
    echo "gpu-proof: no NVIDIA GPU found ($smi -L: ${gpus:-no output}). It needs a machine with an NVIDIA GPU and its driver; NEUROGRID_GPU_PROOF_PROVIDER=cpu runs only the CPU-against-CPU check." >&2
    exit 1
  fi
fi
if [ ! -f cluster/dist/bench/gpu-proof-main.js ]; then
  echo "gpu-proof: cluster/dist/bench/gpu-proof-main.js is missing: run npm run build first" >&2
  exit 1
fi
exec timeout --signal=TERM --kill-after=10 "$PROOF_LIMIT_S" node cluster/dist/bench/gpu-proof-main.js
