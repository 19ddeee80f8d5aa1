// The Hono app, assembled: the middleware in order, the routers, the error shaper and the OpenAPI
// documents. Each piece lives in its own file (middleware/, routes/, lib/openapi-document.ts).
// Kept apart from index.ts because a Worker's main module may only export handlers and classes.
import { OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import type { AppEnv } from "./lib/openapi";
import { openApiDocument, registerSecuritySchemes } from "./lib/openapi-document";
import { limitBody } from "./middleware/body-limit";
import { corsForOrigins } from "./middleware/cors";
import { notFound, onError } from "./middleware/errors";
import { jsonBodyOnly } from "./middleware/json-body";
import { requestId } from "./middleware/request-id";
import { adminRouter } from "./routes/admin";
import { authRouter } from "./routes/auth";
import { healthRouter } from "./routes/health";
import { jobsRouter } from "./routes/jobs/router";
import { meRouter } from "./routes/me";
import { presetsRouter } from "./routes/presets";
import { rulesRouter } from "./routes/rules/router";

export const app = new OpenAPIHono<AppEnv>();

app.use("*", requestId);
app.use("*", corsForOrigins);
app.use("*", limitBody);
app.use("*", jsonBodyOnly);

for (const router of [healthRouter, authRouter, meRouter, presetsRouter, rulesRouter, jobsRouter, adminRouter]) {
  app.route("/", router);
}

registerSecuritySchemes(app.openAPIRegistry);
app.doc31("/openapi.json", (c) => openApiDocument(new URL(c.req.url).origin));

// Swagger UI's files come from the npm package, copied into the static assets by console/build.mjs: no CDN.
app.get("/docs", swaggerUI({ url: "/openapi.json", title: "S3 API", baseUrl: "/docs" }));

app.notFound(notFound);
app.onError(onError);
