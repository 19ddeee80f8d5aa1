// The Worker's configuration, parsed once per isolate from the bindings' string vars.
// A missing secret fails every request with INTERNAL_ERROR and a log line naming it.
import { z } from "zod";
import { intVar, type Env } from "../env";

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((value) => intVar(value, fallback));

const configSchema = z.object({
  JWT_SECRET: z.string().min(16, "JWT_SECRET must be set (at least 16 characters)"),
  GPU_CALLBACK_SECRET: z.string().min(8, "GPU_CALLBACK_SECRET must be set (at least 8 characters)"),
  STORAGE_ACCESS_KEY: z.string().min(1, "STORAGE_ACCESS_KEY must be set"),
  STORAGE_SECRET_KEY: z.string().min(1, "STORAGE_SECRET_KEY must be set"),
  STORAGE_S3_ENDPOINT: z.string().url("STORAGE_S3_ENDPOINT must be a URL"),
  STORAGE_BUCKET: z.string().min(1, "STORAGE_BUCKET must be set"),
  PUBLIC_BASE_URL: z.string().url("PUBLIC_BASE_URL must be a URL"),
  CORS_ORIGINS: z.string().optional().default(""),
  UPLOAD_URL_TTL_SEC: positiveInt(900),
  DOWNLOAD_URL_TTL_SEC: positiveInt(900),
  MAX_UPLOAD_BYTES: positiveInt(25 * 1024 * 1024),
  /** Optional: without it the ops route answers 404. */
  ADMIN_SECRET: z.string().optional(),
});
export type Config = z.output<typeof configSchema>;

const cache = new WeakMap<object, Config>();

export function configOf(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    const parsed = configSchema.safeParse(env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
      throw new Error(`Worker configuration is invalid: ${problems}`);
    }
    config = {
      ...parsed.data,
      STORAGE_S3_ENDPOINT: parsed.data.STORAGE_S3_ENDPOINT.replace(/\/+$/, ""),
      PUBLIC_BASE_URL: parsed.data.PUBLIC_BASE_URL.replace(/\/+$/, ""),
    };
    cache.set(env, config);
  }
  return config;
}

export function corsOrigins(config: Config): string[] {
  return config.CORS_ORIGINS.split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}
