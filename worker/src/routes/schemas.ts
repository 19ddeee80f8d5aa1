// Schemas that endpoints of different resources answer with: GET /me and the ops route both show a ledger.
import { z } from "@hono/zod-openapi";
import { PLAN_IDS } from "@s3/contract";
import type { UserState } from "../rpc";

export const meSchema = z
  .object({
    user_id: z.string(),
    plan: z.enum(PLAN_IDS),
    credits: z.number().int(),
    active_jobs: z.number().int(),
    rule_slots: z.object({ used: z.number().int(), max: z.number().int() }),
  })
  .openapi("Me");

/** The ledger fields GET /me shows (and the admin route answers with). */
export function meView({ user_id, plan, credits, active_jobs, rule_slots }: UserState): z.infer<typeof meSchema> {
  return { user_id, plan, credits, active_jobs, rule_slots };
}
