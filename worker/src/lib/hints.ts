// Hints in a request (docs/messages.md, Hints): their shape is the contract's schema; here, that each
// names one of the job's photos and concepts and, where a scan or run measured the photo, lies on it.
import { hintProblem, type Hints, type ItemHints } from "@s3/contract";
import type { JobView } from "../rpc";
import { ApiError } from "./errors";

/** The hints, checked against the job (VALIDATION_ERROR naming the field otherwise); `{}` for none. */
export function checkHints(
  hints: Hints | undefined,
  job: Pick<JobView, "items">,
  concepts: readonly string[],
  field = "hints",
): Record<string, ItemHints> {
  if (hints === undefined) return {};
  const problem = hintProblem(hints, {
    itemCount: job.items.length,
    concepts,
    photoSize: (idx) => job.items[idx]?.input ?? null,
  });
  if (problem !== null) {
    const at = field + problem.field.slice("hints".length);
    throw new ApiError("VALIDATION_ERROR", `${at}: ${problem.message}.`, undefined, {}, { field: at });
  }
  return hints;
}
