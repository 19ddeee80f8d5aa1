// GET /docs: Swagger UI. Its files come from the static assets (console/build.mjs copies them from the
// npm package: no CDN); its one inline script, which starts the UI, is allowed by its hash, so the
// page needs no 'unsafe-inline' (docs/trust.md, "Headers").
import { swaggerUI } from "@hono/swagger-ui";
import { Hono } from "hono";
import { contentSecurityPolicy } from "../middleware/security-headers";
import type { AppEnv } from "../lib/openapi";

const swagger = new Hono().get("/docs", swaggerUI({ url: "/openapi.json", title: "S3 API", baseUrl: "/docs" }));

function base64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** The CSP source (`'sha256-…'`) of each inline <script> of a page. */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
  const digests = await Promise.all(
    scripts.map((script) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(script))),
  );
  return digests.map((digest) => `'sha256-${base64(digest)}'`);
}

/** The page and its policy: the same for every request, so made once per isolate. */
let docsPage: Promise<{ page: string; policy: string }> | undefined;

async function renderDocs(): Promise<{ page: string; policy: string }> {
  const page = await (await swagger.request("/docs")).text();
  const policy = contentSecurityPolicy({
    "script-src": await inlineScriptHashes(page),
    // swagger-ui.css draws its icons as data: SVGs.
    "img-src": ["'self'", "data:"],
  });
  return { page, policy };
}

export const docsRouter = new Hono<AppEnv>().get("/docs", async (c) => {
  const { page, policy } = await (docsPage ??= renderDocs());
  return c.html(page, 200, { "Content-Security-Policy": policy });
});
