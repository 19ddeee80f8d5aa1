// Whether an execute repeats the one that already ran (docs/retries.md): the same rule, inline
// concepts, protect list, template and variants. Key order does not matter; anything else does.
import type { RuleAction, Variant } from "@s3/contract";
import type { ExecuteInput } from "../../rpc";

interface ExecutedRow {
  rule_id: string | null;
  concepts_json: string;
  protect_json: string;
  output_template: string | null;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sameExecution(job: ExecutedRow, variants: Variant[], input: ExecuteInput, format: string): boolean {
  const ran = {
    rule_id: job.rule_id,
    concepts: JSON.parse(job.concepts_json) as Record<string, RuleAction>,
    protect: JSON.parse(job.protect_json) as string[],
    output_template: job.output_template,
    variants,
    output_format: format,
  };
  const asked = {
    rule_id: input.rule_id,
    concepts: input.concepts,
    protect: input.protect,
    output_template: input.output_template,
    variants: input.variants ?? [],
    output_format: input.output_format ?? "png",
  };
  return canonical(ran) === canonical(asked);
}
