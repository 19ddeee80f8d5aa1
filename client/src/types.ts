// The public shapes by name, all taken from the generated types (src/generated/api.d.ts), so none is kept by hand.
import type { components, paths } from "./generated/api";

export type { components, paths };

type Schemas = components["schemas"];

/** The error envelope every refusal carries (docs/contract.md). */
export type ErrorEnvelope = Schemas["Error"];
export type ErrorCode = ErrorEnvelope["error"]["code"];
export type ErrorDetails = NonNullable<ErrorEnvelope["error"]["details"]>;

export type AnonUser = Schemas["AnonUser"];
export type Me = Schemas["Me"];
export type WebhookSecret = Schemas["WebhookSecret"];
export type Preset = Schemas["Preset"];
export type CreateJob = Schemas["CreateJob"];
export type CreatedJob = Schemas["CreatedJob"];
export type ExecuteJob = Schemas["ExecuteJob"];
export type Job = Schemas["Job"];
export type JobItem = Schemas["JobItem"];
export type JobStatus = Job["status"];
export type JobPage = Schemas["JobPage"];
export type CanceledJob = Schemas["CanceledJob"];
export type DeletedJob = Schemas["DeletedJob"];
export type SetManifest = Schemas["SetManifest"];
export type SetFile = Schemas["SetFile"];
export type Rule = Schemas["Rule"];
export type CreateRule = Schemas["CreateRule"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookPayload = Schemas["WebhookPayload"];

/** A rule's concepts: concept → {action, value}. */
export type RuleConcepts = NonNullable<ExecuteJob["concepts"]>;

/** One event of GET /jobs/{id}/events (docs/events.md). */
export type JobEvent = Schemas["SnapshotEvent"] | Schemas["ProgressEvent"] | Schemas["EndEvent"];
export type FinalJobStatus = Schemas["EndEvent"]["status"];

const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set<FinalJobStatus>(["done", "failed", "canceled"]);

/** done, failed and canceled: the job changes no more. */
export function isFinalStatus(status: JobStatus): status is FinalJobStatus {
  return FINAL_STATUSES.has(status);
}
