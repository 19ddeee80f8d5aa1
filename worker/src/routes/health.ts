// GET /health: 200 with the envelope once the Worker answers.
import { createRoute, z } from "@hono/zod-openapi";
import { newRouter, ok } from "../lib/openapi";
import { success } from "../lib/envelope";

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["health"],
  summary: "Liveness",
  responses: { 200: ok(z.object({ status: z.literal("ok") }), "The API is up.") },
});

export const healthRouter = newRouter().openapi(healthRoute, (c) => c.json(success(c, { status: "ok" as const }), 200));
