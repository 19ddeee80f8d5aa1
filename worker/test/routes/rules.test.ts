// Saved rules (docs/architecture.md, Endpoints): validation against the preset, slots, ownership.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, expectError, expectOk, FLOOR_OAK, makePro, newUser, ruleBody } from "./helpers";

describe("rules: happy path", () => {
  it("POST /rules saves a rule, GET /rules lists it, PUT updates it, DELETE frees its slot", async () => {
    const user = await newUser();
    const rule = expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody() }));
    expect(rule).toMatchObject({ name: "Oak floors", preset_id: "interior", concepts: FLOOR_OAK, protect: ["Grout"] });
    expect(rule.id).toMatch(/^rule_[a-z2-7]{26}$/);
    expect(expectOk(await call("GET", "/me", { token: user.token })).rule_slots).toEqual({ used: 1, max: 2 });

    // The list carries concepts and protect, so a client shows or edits a rule without a second request.
    expect(expectOk(await call("GET", "/rules", { token: user.token }))).toEqual([
      {
        id: rule.id,
        name: "Oak floors",
        preset_id: "interior",
        concepts: FLOOR_OAK,
        protect: ["Grout"],
        created_at: rule.created_at,
        updated_at: rule.updated_at,
      },
    ]);
    expect(expectOk(await call("GET", `/rules/${rule.id}`, { token: user.token }))).toEqual(rule);

    const updated = expectOk(
      await call("PUT", `/rules/${rule.id}`, {
        token: user.token,
        json: { name: "Walnut", concepts: { Floor: { action: "recolor", value: "walnut_a" } } },
      }),
    );
    expect(updated).toMatchObject({
      id: rule.id,
      name: "Walnut",
      concepts: { Floor: { action: "recolor", value: "walnut_a" } },
      protect: ["Grout"],
    });
    expect(expectOk(await call("GET", `/rules/${rule.id}`, { token: user.token }))).toEqual(updated);

    expect(expectOk(await call("DELETE", `/rules/${rule.id}`, { token: user.token }))).toEqual({ id: rule.id });
    expect(expectOk(await call("GET", "/rules", { token: user.token }))).toEqual([]);
    expect(expectOk(await call("GET", "/me", { token: user.token })).rule_slots).toEqual({ used: 0, max: 2 });
    expectError(await call("GET", `/rules/${rule.id}`, { token: user.token }), 404, "RULE_NOT_FOUND");
  });

  it("accepts any #RRGGBB for a recolor and protect defaults that are not palette concepts", async () => {
    const user = await newUser();
    const rule = expectOk(
      await call("POST", "/rules", {
        token: user.token,
        json: ruleBody({ concepts: { Wall: { action: "recolor", value: "#A1B2C3" } }, protect: ["Glass_highlight"] }),
      }),
    );
    expect(rule.protect).toEqual(["Glass_highlight"]);
  });
});

describe("rules: validation", () => {
  it.each([
    ["an unknown preset", ruleBody({ preset_id: "profile" })],
    [
      "a concept outside the preset's palette",
      ruleBody({ concepts: { Logo: { action: "recolor", value: "matte_black" } } }),
    ],
    ["a value the concept does not accept", ruleBody({ concepts: { Floor: { action: "recolor", value: "red_a" } } })],
    ["a protect name outside the preset", ruleBody({ protect: ["Logo"] })],
    ["a concept both edited and protected", ruleBody({ concepts: FLOOR_OAK, protect: ["Floor"] })],
    ["no concept at all", ruleBody({ concepts: {} })],
    ["a name over 100 characters", ruleBody({ name: "n".repeat(101) })],
    ["an empty name", ruleBody({ name: "  " })],
    ["a value over 64 characters", ruleBody({ concepts: { Floor: { action: "recolor", value: "v".repeat(65) } } })],
  ])("refuses %s with VALIDATION_ERROR and takes no slot", async (_, json) => {
    const user = await newUser();
    expectError(await call("POST", "/rules", { token: user.token, json }), 400, "VALIDATION_ERROR");
    expect(expectOk(await call("GET", "/me", { token: user.token })).rule_slots.used).toBe(0);
  });

  it("PUT validates the merged rule: protecting an edited concept is refused", async () => {
    const user = await newUser();
    const rule = expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody() }));
    expectError(
      await call("PUT", `/rules/${rule.id}`, { token: user.token, json: { protect: ["Floor"] } }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(await call("PUT", `/rules/${rule.id}`, { token: user.token, json: {} }), 400, "VALIDATION_ERROR");
    expect(expectOk(await call("GET", `/rules/${rule.id}`, { token: user.token }))).toEqual(rule);
  });

  it("without a token is AUTH_REQUIRED", async () => {
    expectError(await call("POST", "/rules", { json: ruleBody() }), 401, "AUTH_REQUIRED");
  });
});

describe("rules: slots", () => {
  it("third rule for a free user is refused with RULE_SLOT_FULL", async () => {
    const user = await newUser();
    expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody({ name: "one" }) }));
    expectOk(await call("POST", "/rules", { token: user.token, json: ruleBody({ name: "two" }) }));
    expectError(
      await call("POST", "/rules", { token: user.token, json: ruleBody({ name: "three" }) }),
      403,
      "RULE_SLOT_FULL",
    );
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM rules WHERE user_id = ?")
      .bind(user.user_id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(2);
  });

  it("6 parallel POST /rules from a free user save exactly 2", async () => {
    const user = await newUser();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call("POST", "/rules", { token: user.token, json: ruleBody({ name: `r${i}` }) }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(2);
    for (const refused of answers.filter((answer) => answer.status !== 200))
      expectError(refused, 403, "RULE_SLOT_FULL");
    expect(expectOk(await call("GET", "/rules", { token: user.token }))).toHaveLength(2);
    expect(expectOk(await call("GET", "/me", { token: user.token })).rule_slots).toEqual({ used: 2, max: 2 });
  });

  it("a pro user has 20 slots", async () => {
    const user = await newUser();
    await makePro(user.user_id);
    expect(expectOk(await call("GET", "/me", { token: user.token })).rule_slots).toEqual({ used: 0, max: 20 });
  });
});

describe("rules: ownership", () => {
  it("another user's rule answers RULE_NOT_FOUND to GET, PUT and DELETE and stays untouched", async () => {
    const [owner, stranger] = await Promise.all([newUser(), newUser()]);
    const rule = expectOk(await call("POST", "/rules", { token: owner.token, json: ruleBody() }));
    expectError(await call("GET", `/rules/${rule.id}`, { token: stranger.token }), 404, "RULE_NOT_FOUND");
    expectError(
      await call("PUT", `/rules/${rule.id}`, { token: stranger.token, json: { name: "mine now" } }),
      404,
      "RULE_NOT_FOUND",
    );
    expectError(await call("DELETE", `/rules/${rule.id}`, { token: stranger.token }), 404, "RULE_NOT_FOUND");
    expect(expectOk(await call("GET", "/rules", { token: stranger.token }))).toEqual([]);
    expect(expectOk(await call("GET", `/rules/${rule.id}`, { token: owner.token }))).toEqual(rule);
    expect(expectOk(await call("GET", "/me", { token: owner.token })).rule_slots.used).toBe(1);
  });

  it("a rule id that was never issued answers RULE_NOT_FOUND", async () => {
    const user = await newUser();
    expectError(await call("DELETE", "/rules/rule_doesnotexist", { token: user.token }), 404, "RULE_NOT_FOUND");
  });
});
