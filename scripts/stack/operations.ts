// The operations route of the local stack (docs/trust.md): not in the public OpenAPI document, so not
// in @s3/client; a test or a benchmark uses it to make a user pro, with the ADMIN_SECRET of worker/.dev.vars.
import type { Plan } from "@s3/contract";
import { ensureDevVars } from "./dev-vars";

/** A secret from the environment, else from worker/.dev.vars (as `npm run dev` made it). */
export function devSecret(name: "ADMIN_SECRET" | "GPU_CALLBACK_SECRET"): string {
  const value = process.env[name] || ensureDevVars()[name];
  if (!value) throw new Error(`${name} is neither in the environment nor in worker/.dev.vars`);
  return value;
}

/** POST /admin/users/{id}/plan: the plan, and credits granted on top. */
export async function setPlan(apiUrl: string, userId: string, plan: Plan, grantCredits = 0): Promise<void> {
  const response = await fetch(`${apiUrl}/admin/users/${userId}/plan`, {
    method: "POST",
    headers: { authorization: `Bearer ${devSecret("ADMIN_SECRET")}`, "content-type": "application/json" },
    body: JSON.stringify({ plan, grant_credits: grantCredits }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok)
    throw new Error(`POST /admin/users/${userId}/plan answered ${response.status}: ${await response.text()}`);
}
