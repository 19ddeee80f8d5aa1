// The Hono app: middleware, routers, the single error shaper and the OpenAPI documents.
// Kept apart from index.ts because a Worker's main module may only export handlers and classes.
import { OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { ERROR_STATUS } from "@s3/contract";
import { configOf } from "./config";
import type { AppEnv } from "./lib/openapi";
import { failure } from "./lib/envelope";
import { ApiError } from "./lib/errors";
import { finishDocument, registerPayloads } from "./lib/openapi-documents";
import { requireInternalSecret } from "./middleware/internal-secret";
import { adminRouter } from "./routes/admin";
import { authRouter } from "./routes/auth";
import { callbackRouter } from "./routes/callback";
import { healthRouter } from "./routes/health";
import { jobDeleteRouter } from "./routes/job-delete";
import { jobEventsRouter } from "./routes/job-events";
import { jobListRouter } from "./routes/job-list";
import { jobsRouter } from "./routes/jobs";
import { meRouter } from "./routes/me";
import { presetsRouter } from "./routes/presets";
import { rulesRouter } from "./routes/rules";
import { setsRouter } from "./routes/sets";
import { jobWebhooksRouter } from "./routes/job-webhooks";
import { webhookSecretRouter } from "./routes/webhook-secret";

export const MAX_BODY_BYTES = 256 * 1024;

function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  return c.json(failure(c, error.code, error.message, error.details), error.status as 400, error.headers);
}

/** Every error becomes the envelope; nothing internal leaks into a 500's message. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 404) return new ApiError("NOT_FOUND");
    if (error.status === 413) return new ApiError("VALIDATION_ERROR", "The request body is over 256 KB.", 413);
    // Hono's own 4xx: malformed JSON, unreadable body.
    if (error.status < 500) return new ApiError("VALIDATION_ERROR", error.message || undefined);
  }
  console.error("unhandled error", error);
  return new ApiError("INTERNAL_ERROR");
}

const corsByOrigins = new Map<string, ReturnType<typeof cors>>();

export const app = new OpenAPIHono<AppEnv>();

app.use("*", async (c, next) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  await next();
  c.res.headers.set("X-Request-Id", requestId);
});

app.use("*", async (c, next) => {
  const allowed = configOf(c.env).corsOrigins;
  const key = allowed.join(",");
  let middleware = corsByOrigins.get(key);
  if (!middleware) {
    middleware = cors({
      origin: (origin) => (allowed.includes(origin) || allowed.includes("*") ? origin : null),
      allowHeaders: ["Authorization", "Content-Type", "If-None-Match", "Idempotency-Key"],
      exposeHeaders: ["ETag", "Retry-After", "X-Request-Id", "Idempotent-Replayed"],
      maxAge: 600,
    });
    corsByOrigins.set(key, middleware);
  }
  return middleware(c, next);
});

app.use(
  "*",
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError("VALIDATION_ERROR", "The request body is over 256 KB.", 413);
    },
  }),
);

// A body is JSON or nothing: a form or text body would otherwise reach the schema as {}.
app.use("*", async (c, next) => {
  const declaredLength = c.req.header("Content-Length");
  const hasBody =
    c.req.raw.body !== null &&
    (declaredLength === undefined ? c.req.header("Transfer-Encoding") !== undefined : declaredLength !== "0");
  if (hasBody && !/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(c.req.header("Content-Type") ?? "")) {
    throw new ApiError("VALIDATION_ERROR", "The request body must be JSON (Content-Type: application/json).");
  }
  await next();
});

for (const router of [
  healthRouter,
  authRouter,
  meRouter,
  presetsRouter,
  rulesRouter,
  jobsRouter,
  setsRouter,
  jobDeleteRouter,
  jobListRouter,
  jobEventsRouter,
  jobWebhooksRouter,
  webhookSecretRouter,
  callbackRouter,
  adminRouter,
]) {
  app.route("/", router);
}

app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
});
app.openAPIRegistry.registerComponent("securitySchemes", "GpuSecret", {
  type: "http",
  scheme: "bearer",
  description: "The shared GPU_CALLBACK_SECRET (not a JWT).",
});
app.openAPIRegistry.registerComponent("securitySchemes", "AdminSecret", {
  type: "http",
  scheme: "bearer",
  description: "The ADMIN_SECRET (operations only).",
});

registerPayloads(app);

const documentConfig = (c: Context<AppEnv>) => ({
  openapi: "3.1.0",
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
  servers: [{ url: new URL(c.req.url).origin }],
});
app.get("/openapi.json", (c) => c.json(finishDocument(app.getOpenAPI31Document(documentConfig(c)), false)));
app.get("/openapi.internal.json", requireInternalSecret, (c) =>
  c.json(finishDocument(app.getOpenAPI31Document(documentConfig(c)), true)),
);

// Swagger UI's files come from the npm package, copied into the static assets by console/build.mjs: no CDN.
app.get("/docs", swaggerUI({ url: "/openapi.json", title: "S3 API", baseUrl: "/docs" }));

app.notFound((c) =>
  errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`)),
);

app.onError((error, c) => errorResponse(c, toApiError(error)));
