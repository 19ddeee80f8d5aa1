import { describe, expect, it } from "vitest";
import { foreignItemKey, ID_PATTERN, KEY_ID_PATTERN, storageKeys } from "../src";

describe("id patterns", () => {
  it("accept the ids the API issues and nothing near them", () => {
    const body = "a".repeat(22) + "2345";
    expect(ID_PATTERN.u.test(`u_${body}`)).toBe(true);
    expect(ID_PATTERN.rule.test(`rule_${body}`)).toBe(true);
    expect(ID_PATTERN.job.test(`job_${body}`)).toBe(true);
    for (const id of [`job_${body}x`, `job_${body.slice(1)}`, `job_${body.toUpperCase()}`, `rule_${body}`, "job_"]) {
      expect(ID_PATTERN.job.test(id), id).toBe(false);
    }
  });

  it("let a key hold only ids without a slash or a dot", () => {
    expect(KEY_ID_PATTERN.user.test("u_test")).toBe(true);
    expect(KEY_ID_PATTERN.job.test("job_Other-team_1")).toBe(true);
    for (const id of ["job_../x", "job_a/b", "job_a.b", "u_x"]) expect(KEY_ID_PATTERN.job.test(id), id).toBe(false);
  });

  it("make any key but the item's own foreign, and every key of a malformed id", () => {
    const own = { input_key: storageKeys.input("u_a", "job_b", 2), output_key: storageKeys.output("u_a", "job_b", 2) };
    expect(foreignItemKey(own, "u_a", "job_b", 2)).toBeNull();
    expect(foreignItemKey({ ...own, preview_key: "previews/u_a/job_b/../x" }, "u_a", "job_b", 2)).toBe(
      "previews/u_a/job_b/../x",
    );
    expect(foreignItemKey(own, "u_a", "job_b", 3)).toBe(own.input_key);
    expect(foreignItemKey({}, "u_a/..", "job_b", 0)).toBe("u_a/../job_b");
  });
});
