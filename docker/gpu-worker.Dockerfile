# GPU worker image. Build from the repository root:
#   docker build -f docker/gpu-worker.Dockerfile --target cpu  -t s3-gpu-worker:cpu  .
#   docker build -f docker/gpu-worker.Dockerfile --target cuda -t s3-gpu-worker:cuda .
# `cpu`: the CPU segmenter, for local stacks and tests; FROM node:22-bookworm-slim, which
#   scripts/docker/build-base-image.sh provides offline when no registry answers.
# `cuda`: onnxruntime-node with its CUDA 12 execution provider on an NVIDIA CUDA 12.8 + cuDNN 9
#   runtime base, for Runpod or any GPU host (docs/deploy.md). Its base comes only from a
#   registry and the provider from NuGet (onnxruntime-node's postinstall): not buildable offline.
# Stages run in file order under the classic builder, so every `cuda` stage comes after `cpu`.
# Model weights are never in the image: mount them at /models (MODEL_CACHE_DIR).
# Secrets (storage keys, GPU_CALLBACK_SECRET, QUEUE_TOKEN) come from the environment at run time.

ARG NODE_IMAGE=node:22-bookworm-slim
# onnxruntime 1.30's CUDA 12 build is made with CUDA 12.8 and cuDNN 9.8, the first with Blackwell
# (sm_120) kernels; this base carries both (cuDNN 9.8+). It asks the host for a driver >= 570.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
# npm ci checks the lock against every workspace's manifest, so all three are needed.
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY worker/package.json worker/
COPY gpu-worker/package.json gpu-worker/
# tsx runs the TypeScript as the dev command does. It is a root devDependency, so it gets a
# prefix of its own at the locked version instead of the whole dev tree.
RUN node -p "require('./package-lock.json').packages['node_modules/tsx'].version" > /tmp/tsx-version \
 && npm install --prefix /opt/tsx --no-save --no-audit --no-fund "tsx@$(cat /tmp/tsx-version)" \
 && rm -rf /root/.npm

FROM manifests AS deps-cpu
# The npm package already carries the CPU binaries; skip fetching the CUDA ones.
# onnxruntime-node ships every platform's binaries; the image keeps only linux/x64. The caption
# fonts (engine/sets/font.ts) keep only the one weight drawn: Inter and Noto Sans KR SemiBold.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --omit=dev --workspace gpu-worker --include-workspace-root=false --no-audit --no-fund \
 && rm -rf /root/.npm \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin/napi-v6/linux -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} + \
 && find node_modules/@expo-google-fonts/inter node_modules/@expo-google-fonts/noto-sans-kr \
      -mindepth 1 -maxdepth 1 -type d ! -name 600SemiBold -exec rm -rf {} +

FROM ${NODE_IMAGE} AS cpu
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=20 \
    SEGMENTER=cpu \
    PORT=8080 \
    MODEL_CACHE_DIR=/models
WORKDIR /app
COPY --from=deps-cpu /opt/tsx /opt/tsx
COPY --from=deps-cpu /app/node_modules ./node_modules
# Only what the GPU worker runs: its own source, the shared contract, the tsconfig chain.
COPY package.json tsconfig.base.json ./
COPY contract/package.json contract/
COPY contract/src contract/src
COPY gpu-worker/package.json gpu-worker/tsconfig.json gpu-worker/
COPY gpu-worker/src gpu-worker/src
COPY docker/healthcheck.mjs docker/loopback-forward.mjs /usr/local/lib/s3/
COPY docker/with-secrets.sh /usr/local/bin/with-secrets
RUN mkdir -p /models && chown node:node /models
VOLUME /models
USER node
WORKDIR /app/gpu-worker
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=6s --start-period=20s --retries=3 \
  CMD ["node", "/usr/local/lib/s3/healthcheck.mjs"]
# One process (no tsx CLI wrapper), so SIGTERM reaches the worker's graceful shutdown.
# loopback-forward.mjs is inert unless LOOPBACK_FORWARD is set (compose sets it; see there).
ENTRYPOINT ["/usr/local/bin/with-secrets"]
CMD ["node", "--import", "/usr/local/lib/s3/loopback-forward.mjs", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "src/main.ts"]

FROM manifests AS deps-cuda
# onnxruntime-node's postinstall fetches the CUDA 12 execution provider libraries from NuGet
# (Microsoft.ML.OnnxRuntime.Gpu.Linux, the same version) into its bin folder; npm 11 runs a
# dependency's install script only when allowed (npm 10 ignores the flag and runs it). The build
# stops here when they did not arrive, rather than shipping an image that can only run on CPU.
# The TensorRT provider is dropped: the worker uses CUDA only, and TensorRT is not in the base.
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
ARG ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
RUN npm ci --omit=dev --workspace gpu-worker --include-workspace-root=false --no-audit --no-fund \
      --allow-scripts=onnxruntime-node \
 && test -s "$ORT_BIN/libonnxruntime_providers_cuda.so" && test -s "$ORT_BIN/libonnxruntime_providers_shared.so" \
 && rm -f "$ORT_BIN/libonnxruntime_providers_tensorrt.so" \
 && rm -rf /root/.npm \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin/napi-v6/linux -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} + \
 && find node_modules/@expo-google-fonts/inter node_modules/@expo-google-fonts/noto-sans-kr \
      -mindepth 1 -maxdepth 1 -type d ! -name 600SemiBold -exec rm -rf {} +

FROM ${CUDA_IMAGE} AS cuda
# Node 22: the binary of the official node:22 image (needs glibc 2.28+ and libstdc++ from
# GCC 10+; Ubuntu 24.04 has 2.39 and GCC 14). Only `node` runs here: no npm in this stage.
# The CUDA 12 runtime, cuBLAS and cuDNN 9 the onnxruntime CUDA provider loads come from the base.
# Ubuntu 24.04 images ship a user `ubuntu` with uid 1000; it makes way for `node`.
COPY --from=manifests /usr/local/bin/node /usr/local/bin/node
RUN (userdel --remove ubuntu 2>/dev/null || true) \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home --shell /bin/sh node
# ADAPTER=runpod is the production default (docs/deploy.md); other GPU hosts set ADAPTER=queue_pull
# or http. On Runpod serverless the network volume is mounted at /runpod-volume, so the endpoint
# sets MODEL_CACHE_DIR to the SAM 3 folder there; /models is the mount point everywhere else.
ENV NODE_ENV=production \
    UV_THREADPOOL_SIZE=20 \
    ADAPTER=runpod \
    SEGMENTER=onnx \
    ONNX_PROVIDER=cuda \
    ONNX_ALLOW_CPU_FALLBACK=false \
    PORT=8080 \
    MODEL_CACHE_DIR=/models
WORKDIR /app
COPY --from=deps-cuda /opt/tsx /opt/tsx
COPY --from=deps-cuda /app/node_modules ./node_modules
# The provider libraries from the onnxruntime-node install, and everything they link against
# resolved in this base (libcudart, libcublas, libcudnn): a missing one fails the build here,
# and at run time ONNX_PROVIDER=cuda without ONNX_ALLOW_CPU_FALLBACK stops the start with the reason.
RUN ort=/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64 \
 && test -s "$ort/libonnxruntime_providers_cuda.so" && test -s "$ort/libonnxruntime_providers_shared.so" \
 && missing="$(LD_LIBRARY_PATH="$ort" ldd "$ort/libonnxruntime_providers_cuda.so" | grep 'not found' || true)" \
 && if [ -n "$missing" ]; then echo "CUDA provider cannot load here: $missing" >&2; exit 1; fi
COPY package.json tsconfig.base.json ./
COPY contract/package.json contract/
COPY contract/src contract/src
COPY gpu-worker/package.json gpu-worker/tsconfig.json gpu-worker/
COPY gpu-worker/src gpu-worker/src
COPY docker/healthcheck.mjs docker/loopback-forward.mjs /usr/local/lib/s3/
COPY docker/with-secrets.sh /usr/local/bin/with-secrets
RUN mkdir -p /models && chown node:node /models
VOLUME /models
USER node
WORKDIR /app/gpu-worker
EXPOSE 8080
# start-period: the start checks every model file's SHA-256 (about 3.4 GB) and warms the model up.
HEALTHCHECK --interval=15s --timeout=6s --start-period=180s --retries=3 \
  CMD ["node", "/usr/local/lib/s3/healthcheck.mjs"]
ENTRYPOINT ["/usr/local/bin/with-secrets"]
CMD ["node", "--import", "/usr/local/lib/s3/loopback-forward.mjs", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "src/main.ts"]
