// The local stack as a library (`@s3/scripts/stack`): `npm run dev`, the demo, the benchmarks
// and the e2e suite start and stop their services with it.
export {
  applyMigrations,
  apiVarsFor,
  localWranglerConfig,
  startApi,
  startStorageGateFor,
  storageEndpointFor,
  type ApiOptions,
} from "./api";
export { ensureDevVars } from "./dev-vars";
export { gpuWorkerEnv, startGpuWorker, type GpuWorkerOptions } from "./gpu-worker";
export { isApiUp, waitForHealth } from "./health";
export {
  API_HOST,
  API_PORT,
  API_URL,
  GPU_WORKER_DIR,
  GPU_WORKER_PORT,
  ROOT,
  WORKER_DIR,
  WRANGLER,
  WRANGLER_ENV,
} from "./paths";
export { devSecret, setPlan } from "./operations";
export { log, running, startService, stopAll, type Service } from "./services";
export { storageHeaders, storagePortFor } from "./storage-gate";
