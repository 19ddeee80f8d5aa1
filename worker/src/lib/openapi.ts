// The Hono environment every router shares, and the router factory whose defaultHook
// turns any zod failure (body, params, query) into 400 VALIDATION_ERROR.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { ApiError } from "./errors";
import { failureSchema, successSchema } from "./envelope";

export type AppEnv = {
  Bindings: Env;
  Variables: { requestId: string; userId: string; idToCreate?: string };
};

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const { issues } = result.error;
        throw new ApiError("VALIDATION_ERROR", describeIssues(issues), undefined, {}, { field: fieldOf(issues[0]!) });
      }
    },
  });
}

/** The offending field as a dotted path (`concepts.Floor.value`); an unknown key names the key itself. */
export function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  return path.length ? path.map(String).join(".") : "body";
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${fieldOf(issue)}: ${issue.message}`)
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
