// Security headers on every Worker answer (docs/trust.md, "Headers"): a Content-Security-Policy with
// no inline script and no framing, nosniff, no Referer, and JSON never kept by a cache. The static
// assets (console, Swagger UI's files) get the same from the _headers file console/build.mjs writes.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../lib/openapi";
import policy from "./security-headers.json";

export type CspDirectives = Record<string, readonly string[]>;

/** The policy as a header value, with `extra` sources added to (or directives added beside) the base. */
export function contentSecurityPolicy(extra: CspDirectives = {}): string {
  const directives: Record<string, string[]> = {};
  for (const [name, sources] of Object.entries(policy.csp)) directives[name] = [...sources];
  for (const [name, sources] of Object.entries(extra)) directives[name] = [...(directives[name] ?? []), ...sources];
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

const BASE_POLICY = contentSecurityPolicy();

/** A route that serves a page with its own needs (Swagger UI's inline script) sets its own CSP first. */
export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  for (const [name, value] of Object.entries(policy.headers)) headers.set(name, value);
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", BASE_POLICY);
  if (/^application\/([\w.-]+\+)?json/i.test(headers.get("Content-Type") ?? "")) {
    headers.set("Cache-Control", "no-store");
  }
});
