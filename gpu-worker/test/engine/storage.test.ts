import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createStorage } from "../../src/engine/storage";

// wrangler's local R2 S3 endpoint lives under a path prefix; keys must land under it, path-style.
const seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
let endpoint = "";
const server = createServer((request, response) => {
  seen.push({ method: request.method!, path: request.url!, headers: request.headers });
  request.resume();
  request.on("end", () => (request.method === "GET" ? response.writeHead(404).end() : response.writeHead(200).end()));
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cdn-cgi/local/r2/s3`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("storage", () => {
  it("signs path-style requests under the endpoint's own path (wrangler's local R2 S3)", async () => {
    const storage = createStorage({
      endpoint: `${endpoint}/`,
      accessKey: "AKLOCAL",
      secretKey: "secret",
      bucket: "s3-media",
    });
    await storage.put("outputs/u_1/job_1/0_result.png", new Uint8Array([1, 2, 3]), "image/png");
    expect(await storage.get("inputs/u_1/job_1/0.jpg")).toBeNull();
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /cdn-cgi/local/r2/s3/s3-media/outputs/u_1/job_1/0_result.png",
      "GET /cdn-cgi/local/r2/s3/s3-media/inputs/u_1/job_1/0.jpg",
    ]);
    for (const { headers } of seen) {
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKLOCAL\/\d{8}\/auto\/s3\/aws4_request, SignedHeaders=.*, Signature=[\da-f]{64}$/,
      );
    }
  });
});
