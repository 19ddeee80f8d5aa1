// GET /presets and GET /presets/{id}: the catalog (docs/architecture.md), open to everyone.
import { describe, expect, it } from "vitest";
import { COLORS, PRESETS } from "@s3/contract";
import { call, expectError, expectOk } from "./helpers";

describe("presets", () => {
  it("GET /presets lists interior and seller with their concept counts, without a token", async () => {
    expect(expectOk(await call("GET", "/presets"))).toEqual([
      { id: "interior", name: "건축/인테리어 (architecture/interior)", concept_count: 12 },
      { id: "seller", name: "쇼핑/셀러 (shopping/seller)", concept_count: 6 },
    ]);
  });

  it("GET /presets/interior has concepts, protect defaults, templates and the palette with its colours", async () => {
    const preset = expectOk(await call("GET", "/presets/interior"));
    const source = PRESETS[0]!;
    expect(preset.concepts).toEqual(source.concepts);
    expect(preset.protect_defaults).toEqual(["Grout", "Frame_Molding", "Glass_highlight"]);
    expect(preset.output_templates.map((template: { id: string }) => template.id)).toEqual([
      "시안3안팩",
      "전후비교",
      "고객공유카드",
    ]);
    expect(preset.palette.concepts.Floor.recolor).toContain("oak_a");
    expect(preset.palette.colors.oak_a).toBe(COLORS.oak_a);
    expect(preset.palette.actions).toEqual(["recolor", "tone", "texture"]);
    // Every colour a concept offers is resolvable from the same answer.
    for (const concept of Object.values(preset.palette.concepts) as { recolor: string[] }[]) {
      for (const color of concept.recolor) expect(preset.palette.colors[color]).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it("GET /presets/{id} names every concept, palette value, style and template in Korean and English", async () => {
    const preset = expectOk(await call("GET", "/presets/interior"));
    expect(preset.labels.preset).toEqual({ ko: "건축/인테리어", en: "Architecture & interior" });
    expect(preset.labels.colors.oak_a).toEqual({ ko: "밝은 오크", en: "Light oak" });
    expect(preset.labels.concepts.Frame_Molding).toEqual({ ko: "몰딩", en: "Moulding" });
    expect(preset.labels.concepts.Glass_highlight.en).toBe("Glass highlight");
    expect(preset.labels.output_templates["전후비교"].en).toBe("Before & after");
    expect(Object.keys(preset.labels.colors).sort()).toEqual(Object.keys(preset.palette.colors).sort());
    expect(Object.keys(preset.labels.tones).sort()).toEqual([...preset.palette.tones].sort());
    expect(Object.keys(preset.labels.styles)).toEqual(["modern", "natural", "hotel"]);
  });

  it("an unknown preset answers 404 NOT_FOUND", async () => {
    expectError(await call("GET", "/presets/profile"), 404, "NOT_FOUND");
  });

  it("a preset id over 64 characters is VALIDATION_ERROR", async () => {
    expectError(await call("GET", `/presets/${"x".repeat(65)}`), 400, "VALIDATION_ERROR");
  });
});
