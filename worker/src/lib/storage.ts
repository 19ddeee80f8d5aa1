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

export async function presign(config: Config, key: string, method: "GET" | "PUT", ttlSec: number): Promise<string> {
  const url = new URL(objectUrl(config, key));
  url.searchParams.set("X-Amz-Expires", String(ttlSec));
  const signed = await clientFor(config).sign(url.toString(), {
    method,
    aws: { signQuery: true, service: "s3", region: "auto" },
  });
  return signed.url;
}

export const presignUpload = (config: Config, key: string) =>
  presign(config, key, "PUT", config.storage.uploadUrlTtlSec);
export const presignDownload = (config: Config, key: string) =>
  presign(config, key, "GET", config.storage.downloadUrlTtlSec);
