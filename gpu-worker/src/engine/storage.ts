// R2 through its S3 API (SigV4 via aws4fetch), path-style, so the same code talks to
// Cloudflare R2 and to wrangler's local R2 S3 endpoint.
import { AwsClient } from "aws4fetch";
import { TransientError } from "./errors";
import { DEFAULT_RETRY, isTransientStatus, withRetry, type RetryPolicy } from "./retry";

export interface StorageOptions {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  retry?: RetryPolicy;
  requestTimeoutMs?: number;
}

export interface Storage {
  /** The object's bytes, or null when it does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

export class StorageError extends Error {
  override name = "StorageError";
}

export function createStorage(options: StorageOptions): Storage {
  // aws4fetch's own retry loop is off: ours also covers network errors and timeouts.
  const client = new AwsClient({
    accessKeyId: options.accessKey,
    secretAccessKey: options.secretKey,
    service: "s3",
    region: "auto",
    retries: 0,
  });
  const base = `${options.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(options.bucket)}`;
  const policy = options.retry ?? DEFAULT_RETRY;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const url = (key: string) => `${base}/${key.split("/").map(encodeURIComponent).join("/")}`;

  async function request(method: "GET" | "PUT", key: string, init: RequestInit = {}): Promise<Response> {
    return withRetry(policy, async () => {
      const response = await client.fetch(url(key), { ...init, method, signal: AbortSignal.timeout(timeoutMs) });
      if (isTransientStatus(response.status)) {
        await response.body?.cancel();
        throw new TransientError(`${method} ${key}: storage answered ${response.status}`);
      }
      return response;
    });
  }

  return {
    async get(key) {
      const response = await request("GET", key);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new StorageError(`GET ${key}: storage answered ${response.status}`);
      }
      return new Uint8Array(await response.arrayBuffer());
    },
    async put(key, body, contentType) {
      const response = await request("PUT", key, {
        body: body as Uint8Array<ArrayBuffer>,
        headers: { "Content-Type": contentType },
      });
      await response.body?.cancel();
      if (!response.ok) throw new StorageError(`PUT ${key}: storage answered ${response.status}`);
    },
  };
}
