// The Worker's bindings, vars and secrets (worker/wrangler.jsonc, worker/.dev.vars).
// Vars arrive as strings; each reader parses them with a default (see `intVar`).
import type { QueueMessage } from "@s3/contract";
import type { JobCoordinator } from "./durable-objects/job-coordinator";
import type { UserLimiter } from "./durable-objects/user-limiter";

export interface Env {
  DB: D1Database;
  BUCKET: R2Bucket;
  USER_LIMITER: DurableObjectNamespace<UserLimiter>;
  JOB_COORDINATOR: DurableObjectNamespace<JobCoordinator>;
  GPU_JOBS: Queue<QueueMessage>;

  CORS_ORIGINS: string;
  PUBLIC_BASE_URL: string;
  STORAGE_S3_ENDPOINT: string;
  STORAGE_BUCKET: string;
  UPLOAD_URL_TTL_SEC: string;
  DOWNLOAD_URL_TTL_SEC: string;
  MAX_UPLOAD_BYTES: string;
  JOB_TTL_SEC: string;
  JOB_LEASE_SEC: string;
  JOB_RETRY_BUDGET: string;
  BATCH_CONCURRENCY: string;
  GPU_DISPATCH: string;

  JWT_SECRET: string;
  GPU_CALLBACK_SECRET: string;
  STORAGE_ACCESS_KEY: string;
  STORAGE_SECRET_KEY: string;
  ADMIN_SECRET: string;

  /** GPU_DISPATCH=runpod: Runpod's API base URL (a var, default https://api.runpod.ai/v2) and two secrets. */
  RUNPOD_API_BASE?: string;
  RUNPOD_ENDPOINT_ID?: string;
  RUNPOD_API_KEY?: string;
}

/** A numeric var: its value when it is a positive integer, else the fallback. */
export function intVar(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

// `env` from "cloudflare:workers" / "cloudflare:test" is typed as Cloudflare.Env.
type WorkerEnv = Env;
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
