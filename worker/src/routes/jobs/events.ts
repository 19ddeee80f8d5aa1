// Live progress (docs/events.md): GET /jobs/{id}/events as a hibernatable WebSocket or as Server-Sent
// Events. The route authenticates; the JobCoordinator owns the listeners and pushes each change.
import { createRoute, z } from "@hono/zod-openapi";
import { EVENTS_SUBPROTOCOL } from "@s3/contract";
import { EVENTS_USER_HEADER } from "../../durable-objects/job-events";
import { authErrors, bearerAuth, errors, newRouter } from "../../lib/openapi";
import { requireUserOrSubprotocol } from "../../middleware/require-user-or-subprotocol";
import { jobCoordinator } from "../../lib/durable";
import { ApiError } from "../../lib/errors";
import { checkJobId } from "../../lib/ids";
import { jobIdParams } from "./params";

const eventsRoute = createRoute({
  security: bearerAuth,
  middleware: [requireUserOrSubprotocol],
  tags: ["jobs"],
  method: "get",
  path: "/jobs/{id}/events",
  summary: "Live progress: snapshot, progress per change, end (WebSocket or Server-Sent Events)",
  description:
    "With `Upgrade: websocket`, offer the subprotocols `s3.v1` and `bearer.<JWT>` (browsers cannot set headers); " +
    "the server answers `Sec-WebSocket-Protocol: s3.v1`. With `Accept: text/event-stream` and the usual " +
    "Authorization header, the same events arrive as Server-Sent Events. Each event is JSON: first `snapshot` " +
    "(the job without URLs, with `items`), then one `progress` per change ({type, job_id, status, progress, " +
    "item?:{idx, status}}), then `end` with the terminal status; the server then closes. See docs/events.md.",
  request: { params: jobIdParams },
  responses: {
    101: { description: "WebSocket accepted (subprotocol s3.v1); JSON text messages follow." },
    200: {
      description: "Server-Sent Events: `event: <type>` and `data: <JSON>` per event.",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errors(
      [400, "VALIDATION_ERROR: neither a WebSocket upgrade offering s3.v1 nor Accept: text/event-stream"],
      authErrors,
      [404, "JOB_NOT_FOUND"],
    ),
  },
});

export const jobEvents = newRouter().openapi(eventsRoute, async (c) => {
  const jobId = checkJobId(c.req.valid("param").id);
  const upgrade = c.req.header("Upgrade")?.toLowerCase() === "websocket";
  if (upgrade) {
    const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "").split(",").map((protocol) => protocol.trim());
    if (!offered.includes(EVENTS_SUBPROTOCOL)) {
      throw new ApiError("VALIDATION_ERROR", `Offer the WebSocket subprotocol "${EVENTS_SUBPROTOCOL}".`);
    }
  } else if (!/text\/event-stream/i.test(c.req.header("Accept") ?? "")) {
    throw new ApiError("VALIDATION_ERROR", "Ask for Upgrade: websocket or Accept: text/event-stream.");
  }
  const headers = new Headers(c.req.raw.headers);
  headers.set(EVENTS_USER_HEADER, c.get("userId"));
  const answer = await jobCoordinator(c.env, jobId).fetch(c.req.url, { headers });
  if (answer.status === 404) throw new ApiError("JOB_NOT_FOUND");
  // Rebuilt so the app's middleware may add its headers (a stub's response headers are immutable).
  return upgrade
    ? new Response(null, { status: 101, webSocket: answer.webSocket, headers: answer.headers })
    : new Response(answer.body, answer);
});
