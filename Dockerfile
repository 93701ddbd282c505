# One image for every NeuroGrid part: `neurogrid head | worker | api | dispatcher | migrate`.
#   docker build -t neurogrid .                            CPU (and WebGPU's bundled Dawn, no loader)
#   docker build --build-arg VARIANT=gpu -t neurogrid:gpu .  GPU workers: onnxruntime's CUDA
#     provider, CUDA 12 runtime libraries, cuDNN 9 and the Vulkan loader (for WebGPU)
# A GPU container needs the NVIDIA Container Toolkit on the host (`--gpus all`, or compose's
# device reservation); the driver itself comes from the host. Check it inside with
#   docker run --rm --gpus all neurogrid:gpu worker --check-requirements --execution-provider cuda
ARG VARIANT=cpu

FROM node:20-bookworm-slim AS build
ARG VARIANT
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip TURBO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc turbo.json tsconfig.json ./
COPY schema/package.json schema/
COPY cluster/package.json cluster/
COPY contracts/package.json contracts/
COPY api/package.json api/
RUN npm ci --no-fund --no-audit
COPY . .
RUN npm run build && npm prune --omit=dev
# The CUDA provider binaries are too large for npm: onnxruntime-node's install script fetches
# them (from NuGet) when asked to, as its README documents for machines with internet access.
RUN if [ "$VARIANT" = gpu ]; then \
      ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node && \
      ls node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so; \
    fi

FROM node:20-bookworm-slim
ARG VARIANT
# CUDA 12 runtime, cuBLAS, cuFFT, cuRAND and cuDNN 9 (what the CUDA provider links) from NVIDIA's
# Debian 12 repository; the Vulkan loader and GL vendor libraries for WebGPU (Dawn over Vulkan).
RUN if [ "$VARIANT" = gpu ]; then \
      apt-get update && \
      apt-get install -y --no-install-recommends ca-certificates curl libvulkan1 libglvnd0 libegl1 && \
      curl -fsSL -o /tmp/cuda-keyring.deb \
        https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/cuda-keyring_1.1-1_all.deb && \
      dpkg -i /tmp/cuda-keyring.deb && rm /tmp/cuda-keyring.deb && \
      apt-get update && \
      apt-get install -y --no-install-recommends \
        cuda-cudart-12-8 libcublas-12-8 libcufft-12-8 libcurand-12-8 libcudnn9-cuda-12 && \
      apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*; \
    elif [ "$VARIANT" != cpu ]; then \
      echo "VARIANT must be cpu or gpu, not $VARIANT" >&2; exit 1; \
    fi
WORKDIR /app
ENV NODE_ENV=production \
    LD_LIBRARY_PATH=/usr/local/cuda-12.8/lib64 \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
COPY --from=build /app /app
USER node
ENTRYPOINT ["node", "api/dist/cli/main.js"]
CMD ["--help"]
