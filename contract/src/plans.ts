// The plan table of docs/architecture.md, in one place.
export const PLANS = {
  free: { maxConcurrentJobs: 1, ruleSlots: 2, maxItemsPerJob: 10, watermark: true },
  pro: { maxConcurrentJobs: 3, ruleSlots: 20, maxItemsPerJob: 200, watermark: false },
} as const;
export type Plan = keyof typeof PLANS;
/** A non-empty tuple, as z.enum and drizzle's text enums take it. */
export const PLAN_IDS = Object.keys(PLANS) as [Plan, ...Plan[]];
/** The most items any plan allows in one job. */
export const MAX_ITEMS_PER_JOB = Math.max(...Object.values(PLANS).map((plan) => plan.maxItemsPerJob));

export const NEW_USER = { plan: "free" as Plan, credits: 10 };
