// Presigned S3 (SigV4) URLs for R2 (docs/storage.md): each valid for one key and one method.
import { AwsClient } from "aws4fetch";
import type { Config } from "../config";

const clients = new Map<string, AwsClient>();

function clientFor({ storage }: Config): AwsClient {
  const cacheKey = `${storage.accessKey}\u0000${storage.secretKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new AwsClient({
      accessKeyId: storage.accessKey,
      secretAccessKey: storage.secretKey,
      service: "s3",
      region: "auto",
    });
    clients.set(cacheKey, client);
  }
  return client;
}

/** Path-style object URL: `${endpoint}/${bucket}/${key}`, each key segment encoded. */
export function objectUrl(config: Config, key: string): string {
  const path = key.split("/").map(encodeURIComponent).join("/");
  return `${config.storage.endpoint}/${encodeURIComponent(config.storage.bucket)}/${path}`;
}

/** `headers` are signed too (SignedHeaders), so a request that sends other values is refused by R2. */
export async function presign(
  config: Config,
  key: string,
  method: "GET" | "PUT",
  ttlSec: number,
  headers: Record<string, string> = {},
): Promise<string> {
  const url = new URL(objectUrl(config, key));
  url.searchParams.set("X-Amz-Expires", String(ttlSec));
  const signed = await clientFor(config).sign(url.toString(), {
    method,
    headers,
    // aws4fetch leaves content-length out of the signature unless told to sign every header given.
    aws: { signQuery: true, service: "s3", region: "auto", allHeaders: Object.keys(headers).length > 0 },
  });
  return signed.url;
}

/** With `size`, the URL signs `content-length`: R2 refuses a PUT of any other length (docs/trust.md). */
export const presignUpload = (config: Config, key: string, size?: number) =>
  presign(
    config,
    key,
    "PUT",
    config.storage.uploadUrlTtlSec,
    size === undefined ? {} : { "content-length": String(size) },
  );
export const presignDownload = (config: Config, key: string) =>
  presign(config, key, "GET", config.storage.downloadUrlTtlSec);
