// The two OpenAPI documents (docs/architecture.md, Endpoints): /openapi.json for clients, and
// /openapi.internal.json (GPU callback and operations routes too) behind the GPU or admin secret.
// Both come from the routes' own schemas; this module adds what a generated client needs and the
// routes do not say each: an operationId, `security: []` on public routes, the common error answers
// and headers, and the event (docs/events.md) and webhook (docs/webhooks.md) payloads.
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import { JOB_STATUSES, WEBHOOK_TYPES, type EndEvent, type ProgressEvent, type SnapshotEvent } from "@s3/contract";
import { itemViewSchema, scanStateSchema } from "./item-view-schema";
import type { AppEnv } from "./openapi";

/** Security schemes whose routes belong to the internal document only. */
const INTERNAL_SCHEMES = ["GpuSecret", "AdminSecret"];

/** One name per operation, for generated clients; a route missing here fails the documents test. */
export const OPERATION_IDS: Record<string, string> = {
  "GET /health": "health",
  "POST /auth/anon": "createAnonymousUser",
  "GET /me": "getMe",
  "GET /me/webhook-secret": "getWebhookSecret",
  "POST /me/webhook-secret": "rotateWebhookSecret",
  "GET /presets": "listPresets",
  "GET /presets/{id}": "getPreset",
  "POST /rules": "createRule",
  "GET /rules": "listRules",
  "GET /rules/{id}": "getRule",
  "PUT /rules/{id}": "updateRule",
  "DELETE /rules/{id}": "deleteRule",
  "POST /jobs": "createJob",
  "GET /jobs": "listJobs",
  "GET /jobs/{id}": "getJob",
  "DELETE /jobs/{id}": "deleteJob",
  "POST /jobs/{id}/confirm-upload": "confirmUpload",
  "POST /jobs/{id}/scan": "scanJob",
  "POST /jobs/{id}/execute": "executeJob",
  "POST /jobs/{id}/retry": "retryJob",
  "POST /jobs/{id}/cancel": "cancelJob",
  "GET /jobs/{id}/events": "streamJobEvents",
  "GET /jobs/{id}/set": "getJobSet",
  "GET /jobs/{id}/set.zip": "downloadJobSet",
  "GET /jobs/{id}/webhooks": "listJobWebhooks",
  "POST /jobs/{id}/webhooks/{webhook_id}/replay": "replayJobWebhook",
  "POST /jobs/{id}/callback": "reportItem",
  "POST /admin/users/{id}/plan": "setUserPlan",
};

const progressSchema = z.object({
  done: z.number().int(),
  failed: z.number().int(),
  total: z.number().int(),
  needs_review: z.number().int(),
});
const itemSchema = itemViewSchema;
const changedItemSchema = itemViewSchema.omit({ error: true });

const snapshotEventSchema = z
  .object({
    type: z.literal("snapshot"),
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    preset: z.string(),
    output_template: z.string().nullable(),
    progress: progressSchema,
    scan: scanStateSchema.optional(),
    items: z.array(itemSchema),
  })
  .openapi("SnapshotEvent") satisfies z.ZodType<SnapshotEvent>;
const progressEventSchema = z
  .object({
    type: z.literal("progress"),
    job_id: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: progressSchema,
    scan: scanStateSchema.optional(),
    item: changedItemSchema.optional(),
  })
  .openapi("ProgressEvent") satisfies z.ZodType<ProgressEvent>;
const endEventSchema = z
  .object({
    type: z.literal("end"),
    job_id: z.string(),
    status: z.enum(["done", "failed", "canceled"]),
    progress: progressSchema,
  })
  .openapi("EndEvent") satisfies z.ZodType<EndEvent>;

/** A webhook's body (docs/webhooks.md); `data` is GET /jobs/{id}'s data without URLs. */
const webhookPayloadSchema = z
  .object({
    type: z.enum(Object.values(WEBHOOK_TYPES) as [string, ...string[]]),
    timestamp: z.string(),
    data: z.object({
      job_id: z.string(),
      status: z.enum(JOB_STATUSES),
      preset: z.string(),
      progress: progressSchema,
      items: z.array(itemSchema).optional().openapi({ description: "Left out where the body would pass 20 kB." }),
      item: itemSchema.optional().openapi({ description: "job.item only: the item that changed." }),
    }),
  })
  .openapi("WebhookPayload");

const webhookHeaders = z.object({
  "webhook-id": z.string().openapi({ description: "One per event; the receiver's idempotency key." }),
  "webhook-timestamp": z.string().openapi({ description: "Unix seconds of this attempt." }),
  "webhook-signature": z.string().openapi({
    description: 'v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">, space-separated during a rotation.',
  }),
});

/** Registers the event and webhook payloads; call once, after the routers. */
export function registerPayloads(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  for (const [name, schema] of [
    ["SnapshotEvent", snapshotEventSchema],
    ["ProgressEvent", progressEventSchema],
    ["EndEvent", endEventSchema],
  ] as const) {
    registry.register(name, schema);
  }
  for (const [name, operationId, description] of [
    [
      "job.item",
      "jobItemWebhook",
      "An item of a job executed with `webhook.events` containing item is done or failed.",
    ],
    ["job.end", "jobEndWebhook", "A job executed with a webhook is done, failed or canceled."],
  ] as const) {
    registry.registerWebhook({
      method: "post",
      path: name,
      operationId,
      // Signed with the user's secret (webhook-signature), not called with one.
      security: [],
      summary: description,
      request: {
        headers: webhookHeaders,
        body: { required: true, content: { "application/json": { schema: webhookPayloadSchema } } },
      },
      responses: {
        200: { description: "Any 2xx within 15 s is a delivery; 410 stops deliveries for the job." },
      },
    });
  }
}

type Operation = {
  security?: Record<string, string[]>[];
  operationId?: string;
  responses?: Record<string, { headers?: Record<string, unknown>; content?: unknown } & Record<string, unknown>>;
};
type Document = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** The document as served: `internal` keeps the GPU callback and operations routes. */
export function finishDocument(document: Document, internal: boolean): Document {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods as Record<string, Operation>)) {
      const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
      if (!internal && schemes.some((scheme) => INTERNAL_SCHEMES.includes(scheme))) continue;
      const responses = { ...operation.responses };
      responses["500"] ??= errorResponse("INTERNAL_ERROR");
      if (method === "post" || method === "put") {
        responses["413"] ??= errorResponse("VALIDATION_ERROR: body over 256 KB");
      }
      for (const [status, response] of Object.entries(responses)) {
        responses[status] = {
          ...response,
          headers: {
            "X-Request-Id": { description: "The envelope's meta.request_id.", schema: { type: "string" } },
            ...response.headers,
          },
        };
      }
      if (responses["429"]) {
        responses["429"].headers = {
          ...responses["429"].headers,
          "Retry-After": {
            description: "RATE_LIMITED only; CONCURRENCY_LIMIT never carries it.",
            schema: { type: "integer" },
          },
        };
      }
      (paths[path] ??= {})[method] = {
        ...operation,
        operationId: operation.operationId ?? OPERATION_IDS[`${method.toUpperCase()} ${path}`],
        security: operation.security ?? [],
        responses,
      };
    }
  }
  const events = paths["/jobs/{id}/events"]?.get?.responses?.["200"];
  if (events) {
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    events.content = {
      "text/event-stream": {
        schema: { oneOf: [ref("SnapshotEvent"), ref("ProgressEvent"), ref("EndEvent")] },
      },
    };
  }
  const finished = { ...document, paths } as Document;
  return internal ? finished : withoutUnused(finished);
}

/** Drops the components only the internal routes used, so the public document names nothing it lacks. */
function withoutUnused(document: Document): Document {
  const schemas = { ...document.components?.schemas };
  const schemes = { ...document.components?.securitySchemes };
  const { components: _components, ...rest } = document;
  const used = new Set<string>();
  let pending = JSON.stringify(rest);
  while (pending) {
    const found = [...pending.matchAll(/#\/components\/schemas\/([\w.-]+)/g)].map((match) => match[1]!);
    pending = found
      .filter((name) => !used.has(name) && (used.add(name), true))
      .map((name) => JSON.stringify(schemas[name] ?? {}))
      .join("");
  }
  const schemesUsed = new Set(
    Object.values(document.paths ?? {}).flatMap((methods) =>
      Object.values(methods as Record<string, Operation>).flatMap((operation) =>
        (operation.security ?? []).flatMap((requirement) => Object.keys(requirement)),
      ),
    ),
  );
  return {
    ...document,
    components: {
      ...document.components,
      schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))),
      securitySchemes: Object.fromEntries(Object.entries(schemes).filter(([name]) => schemesUsed.has(name))),
    },
  };
}
