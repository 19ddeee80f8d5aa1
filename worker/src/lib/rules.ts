// The caller's saved rule, as the rule endpoints and execute read it.
import { selectRule, type RuleView } from "../db/rules";
import { ApiError } from "./errors";
import { ID_PATTERN } from "./ids";

/** The caller's rule, or RULE_NOT_FOUND (also for another user's rule). */
export async function findOwnRule(env: Env, userId: string, ruleId: string): Promise<RuleView> {
  if (!ID_PATTERN.rule.test(ruleId)) throw new ApiError("RULE_NOT_FOUND");
  const rule = await selectRule(env.DB, userId, ruleId);
  if (!rule) throw new ApiError("RULE_NOT_FOUND");
  return rule;
}
