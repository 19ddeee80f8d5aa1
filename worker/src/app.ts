// The Hono app, assembled: the middleware in order, the routers, the error shaper and the OpenAPI
// documents. Each piece lives in its own file (middleware/, routes/, lib/openapi-document.ts).
// Kept apart from index.ts because a Worker's main module may only export handlers and classes.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./lib/openapi";
import { openApiDocument, registerSecuritySchemes } from "./lib/openapi-document";
import { finishDocument, registerPayloads } from "./lib/openapi-finish";
import { limitBody } from "./middleware/body-limit";
import { corsForOrigins } from "./middleware/cors";
import { notFound, onError } from "./middleware/errors";
import { jsonBodyOnly } from "./middleware/json-body";
import { internalSecretOnly } from "./middleware/internal-secret";
import { requestId } from "./middleware/request-id";
import { securityHeaders } from "./middleware/security-headers";
import { adminRouter } from "./routes/admin";
import { authRouter } from "./routes/auth";
import { docsRouter } from "./routes/docs";
import { healthRouter } from "./routes/health";
import { jobsRouter } from "./routes/jobs/router";
import { meRouter } from "./routes/me";
import { presetsRouter } from "./routes/presets";
import { rulesRouter } from "./routes/rules/router";
import { webhookSecretRouter } from "./routes/me/webhook-secret";

export const app = new OpenAPIHono<AppEnv>();

app.use("*", requestId);
app.use("*", securityHeaders);
app.use("*", corsForOrigins);
app.use("*", limitBody);
app.use("*", jsonBodyOnly);

for (const router of [
  healthRouter,
  authRouter,
  meRouter,
  webhookSecretRouter,
  presetsRouter,
  rulesRouter,
  jobsRouter,
  adminRouter,
]) {
  app.route("/", router);
}

registerSecuritySchemes(app.openAPIRegistry);
registerPayloads(app);
// Public and internal (docs/architecture.md, Endpoints): the second adds the GPU callback and operations routes.
const document = (origin: string, internal: boolean) =>
  finishDocument(app.getOpenAPI31Document(openApiDocument(origin)), internal);
app.get("/openapi.json", (c) => c.json(document(new URL(c.req.url).origin, false)));
app.get("/openapi.internal.json", internalSecretOnly, (c) => c.json(document(new URL(c.req.url).origin, true)));

app.route("/", docsRouter);

app.notFound(notFound);
app.onError(onError);
