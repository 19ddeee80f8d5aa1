// The OpenAPI documents (docs/architecture.md, Endpoints): complete enough for a generated client, the
// internal routes in their own document behind a secret. worker/openapi.json is this document as
// checked in (`npx vitest run test/routes/openapi.test.ts -u` rewrites it); `npm run lint` lints it
// with Redocly's recommended rules.
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, call, expectError } from "./helpers";

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
  webhooks: Record<string, unknown>;
}

const documentOf = async (path: string, token?: string) =>
  (await (
    await SELF.fetch(`${BASE}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  ).json()) as Document;
const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
  );

describe("the public document", () => {
  it("has a unique operationId per operation, security on each, and no internal route", async () => {
    const document = await documentOf("/openapi.json");
    const all = operations(document);
    expect(all.filter(({ operation }) => !operation.operationId).map(({ key }) => key)).toEqual([]);
    expect(new Set(all.map(({ operation }) => operation.operationId)).size).toBe(all.length);
    expect(all.filter(({ operation }) => operation.security === undefined).map(({ key }) => key)).toEqual([]);
    const publicOnes = all.filter(({ operation }) => operation.security!.length === 0).map(({ key }) => key);
    expect(publicOnes).toEqual(
      expect.arrayContaining(["GET /health", "POST /auth/anon", "GET /presets", "GET /presets/{id}"]),
    );
    expect(all.map(({ key }) => key)).not.toContain("POST /jobs/{id}/callback");
    expect(all.map(({ key }) => key)).not.toContain("POST /admin/users/{id}/plan");
  });

  it("declares X-Request-Id, 500 and 413 where they apply, Idempotency-Key and Idempotent-Replayed", async () => {
    const document = await documentOf("/openapi.json");
    for (const { key, operation } of operations(document)) {
      expect(operation.responses["500"], key).toBeDefined();
      for (const response of Object.values(operation.responses))
        expect(response.headers, key).toHaveProperty("X-Request-Id");
      if (key.startsWith("POST ") || key.startsWith("PUT ")) expect(operation.responses["413"], key).toBeDefined();
    }
    for (const key of [
      "POST /jobs",
      "POST /jobs/{id}/confirm-upload",
      "POST /jobs/{id}/execute",
      "POST /jobs/{id}/cancel",
    ]) {
      const [method, path] = key.split(" ") as [string, string];
      const operation = document.paths[path]![method.toLowerCase()]!;
      expect(
        operation.parameters?.map(({ name }) => name.toLowerCase()),
        key,
      ).toContain("idempotency-key");
      expect(operation.responses["200"]!.headers, key).toHaveProperty("Idempotent-Replayed");
    }
    expect(document.paths["/jobs"]!.post!.responses["429"]!.headers).toHaveProperty("Retry-After");
  });

  it("carries the event and webhook payloads as schemas", async () => {
    const document = await documentOf("/openapi.json");
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["SnapshotEvent", "ProgressEvent", "EndEvent", "WebhookPayload", "WebhookDelivery"]),
    );
    expect(Object.keys(document.webhooks)).toEqual(["job.item", "job.end"]);
  });

  it("is the checked-in worker/openapi.json", async () => {
    const document = await documentOf("/openapi.json");
    await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot("../../openapi.json");
  });
});

describe("the internal document", () => {
  it("needs the GPU or admin secret and adds the callback and operations routes", async () => {
    expectError(await call("GET", "/openapi.internal.json"), 401, "AUTH_REQUIRED");
    expectError(await call("GET", "/openapi.internal.json", { token: "not-the-secret" }), 401, "TOKEN_INVALID");
    for (const secret of [env.GPU_CALLBACK_SECRET, env.ADMIN_SECRET]) {
      const keys = operations(await documentOf("/openapi.internal.json", secret)).map(({ key }) => key);
      expect(keys).toEqual(expect.arrayContaining(["POST /jobs/{id}/callback", "POST /admin/users/{id}/plan"]));
    }
  });
});
