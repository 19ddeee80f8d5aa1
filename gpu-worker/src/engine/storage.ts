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

/** How an input is read: pinned to the ETag confirmed at upload, and never past a byte cap. */
export interface ReadLimits {
  /** Sent as If-Match: a replaced object answers 412 (ObjectChangedError). */
  etag?: string;
  /** More bytes than this, announced or streamed, abort the read (ObjectTooLargeError). */
  maxBytes: number;
}

export interface Storage {
  /** The object's bytes, or null when it does not exist. */
  get(key: string, limits?: ReadLimits): Promise<Uint8Array | null>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

export class StorageError extends Error {
  override name = "StorageError";
}
export class ObjectChangedError extends StorageError {
  override name = "ObjectChangedError";
}
export class ObjectTooLargeError extends StorageError {
  override name = "ObjectTooLargeError";
}

/** The body, read chunk by chunk and abandoned as soon as it passes `maxBytes`: memory stays bounded. */
async function readCapped(response: Response, key: string, maxBytes: number): Promise<Uint8Array> {
  const announced = Number(response.headers.get("Content-Length") ?? Number.NaN);
  if (announced > maxBytes) {
    await response.body?.cancel();
    throw new ObjectTooLargeError(`GET ${key}: ${announced} bytes, over the ${maxBytes}-byte cap`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ObjectTooLargeError(`GET ${key}: over the ${maxBytes}-byte cap`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
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
    async get(key, limits) {
      const response = await request("GET", key, limits?.etag ? { headers: { "If-Match": limits.etag } } : {});
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status === 412) {
        await response.body?.cancel();
        throw new ObjectChangedError(`GET ${key}: the object no longer has ETag ${limits?.etag}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new StorageError(`GET ${key}: storage answered ${response.status}`);
      }
      if (limits) return readCapped(response, key, limits.maxBytes);
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
