// The OpenAPI document's frame: its security schemes and its info, which lists the error catalog.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ERROR_STATUS } from "@s3/contract";

type Registry = OpenAPIHono["openAPIRegistry"];

export function registerSecuritySchemes(registry: Registry): void {
  registry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  registry.registerComponent("securitySchemes", "GpuSecret", {
    type: "http",
    scheme: "bearer",
    description: "The shared GPU_CALLBACK_SECRET (not a JWT).",
  });
  registry.registerComponent("securitySchemes", "AdminSecret", {
    type: "http",
    scheme: "bearer",
    description: "The ADMIN_SECRET (operations only).",
  });
}

/** /openapi.json's top level, served from `origin`. */
export function openApiDocument(origin: string) {
  return {
    openapi: "3.1.0" as const,
    info: {
      title: "S3 API",
      version: "1.0.0",
      description:
        "Every response is the envelope {success, data, error, meta}. Errors carry a code from the catalog: " +
        Object.entries(ERROR_STATUS)
          .map(([code, status]) => `${code} (${status})`)
          .join(", ") +
        ".",
    },
    servers: [{ url: origin }],
  };
}
