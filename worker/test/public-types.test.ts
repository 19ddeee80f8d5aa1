// The OpenAPI schemas the routes answer with, checked against the contract's types that the console,
// the scripts and the GPU worker read those answers through: a field renamed, retyped, added or
// dropped on one side fails `npm run typecheck` here (the assertions are types; the run only lists them).
import type { z } from "@hono/zod-openapi";
import type {
  AnonUser,
  CallbackAnswer,
  CanceledJob,
  CreatedJob,
  DeletedJob,
  FailureEnvelope,
  Job,
  JobPage,
  JobStatusAnswer,
  Me,
  PresetDetail,
  PresetSummary,
  SavedRule,
  SetManifest,
} from "@s3/contract";
import { describe, expectTypeOf, it } from "vitest";
import { failureSchema } from "../src/lib/envelope";
import { anonUserSchema } from "../src/routes/auth";
import { callbackResultSchema } from "../src/routes/jobs/callback";
import { deletedJobSchema } from "../src/routes/jobs/delete";
import { jobPageSchema } from "../src/routes/jobs/list";
import {
  canceledJobSchema,
  createdJobSchema,
  jobSchema,
  jobStatusSchema,
  setManifestSchema,
} from "../src/routes/jobs/schemas";
import { meSchema } from "../src/routes/schemas";
import { presetSchema, presetSummarySchema } from "../src/routes/presets";
import { ruleSchema } from "../src/routes/rules/schemas";

type Answer<T extends z.ZodType> = z.infer<T>;

describe("the API's answers have the contract's shapes", () => {
  it("envelope and error", () => {
    expectTypeOf<Answer<typeof failureSchema>>().toEqualTypeOf<FailureEnvelope>();
  });

  it("account and catalog", () => {
    expectTypeOf<Answer<typeof anonUserSchema>>().toEqualTypeOf<AnonUser>();
    expectTypeOf<Answer<typeof meSchema>>().toEqualTypeOf<Me>();
    expectTypeOf<Answer<typeof presetSummarySchema>>().toEqualTypeOf<PresetSummary>();
    expectTypeOf<Answer<typeof presetSchema>>().toEqualTypeOf<PresetDetail>();
    expectTypeOf<Answer<typeof ruleSchema>>().toEqualTypeOf<SavedRule>();
  });

  it("jobs, their items, the history and the set", () => {
    expectTypeOf<Answer<typeof createdJobSchema>>().toEqualTypeOf<CreatedJob>();
    expectTypeOf<Answer<typeof jobStatusSchema>>().toEqualTypeOf<JobStatusAnswer>();
    expectTypeOf<Answer<typeof canceledJobSchema>>().toEqualTypeOf<CanceledJob>();
    expectTypeOf<Answer<typeof jobSchema>>().toEqualTypeOf<Job>();
    expectTypeOf<Answer<typeof jobPageSchema>>().toEqualTypeOf<JobPage>();
    expectTypeOf<Answer<typeof deletedJobSchema>>().toEqualTypeOf<DeletedJob>();
    expectTypeOf<Answer<typeof setManifestSchema>>().toEqualTypeOf<SetManifest>();
  });

  it("the callback's answer to the GPU worker", () => {
    expectTypeOf<Answer<typeof callbackResultSchema>>().toEqualTypeOf<CallbackAnswer>();
  });
});
