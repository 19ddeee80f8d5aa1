// The Hono environment every router shares, and the router factory whose defaultHook
// turns any zod failure (body, params, query) into 400 VALIDATION_ERROR.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "./errors";
import { failureSchema, successSchema } from "./envelope";

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; userId: string };
};

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ApiError("VALIDATION_ERROR", describeIssues(result.error.issues));
    },
  });
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

/** A 2xx response documented as the envelope around `data`. */
export const ok = <T extends z.ZodType>(data: T, description: string) => json(successSchema(data), description);

/** Error responses documented as the Error envelope; each description names the codes. */
export const errors = (...entries: [status: number, description: string][]) =>
  Object.fromEntries(entries.map(([status, description]) => [status, json(failureSchema, description)]));

/** A required JSON request body. */
export const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const bearerAuth = [{ Bearer: [] }];
/** The 401 of every route behind requireUser. */
export const authErrors: [number, string] = [401, "AUTH_REQUIRED, TOKEN_EXPIRED or TOKEN_INVALID"];
