import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONCEPT_REFERENCE_COLORS,
  knownConceptNames,
  PRESETS,
  resolveColor,
  ruleValueProblem,
  TEMPLATE_SLUGS,
  TEMPLATE_VARIANTS,
} from "../src";

const interior = PRESETS.find((preset) => preset.id === "interior")!;

describe("the preset catalog", () => {
  it("accepts a palette value or any #RRGGBB for a recolor, and names what is allowed otherwise", () => {
    expect(ruleValueProblem(interior, "Wall", "recolor", "sage_a")).toBeNull();
    expect(ruleValueProblem(interior, "Wall", "recolor", "#A0b1C2")).toBeNull();
    expect(ruleValueProblem(interior, "Wall", "texture", "wood")).toMatch(/allowed: concrete, linen, marble/);
    expect(ruleValueProblem(interior, "Body", "tone", "warm")).toMatch(/not in the interior palette/);
    expect(resolveColor("#0a0B0c")).toEqual([10, 11, 12]);
    expect(() => resolveColor("mauve")).toThrow(/unknown colour/);
  });

  it("offers only known templates, whose needs_variants agrees with the variant limits", () => {
    for (const preset of PRESETS)
      for (const template of preset.output_templates) {
        expect(TEMPLATE_SLUGS).toContain(template.slug);
        expect(template.needs_variants).toBe(TEMPLATE_VARIANTS[template.slug]?.required ?? false);
      }
  });

  it("has a reference colour for every concept a rule may name (the cpu segmenter finds nothing else)", () => {
    for (const preset of PRESETS) {
      const colors = CONCEPT_REFERENCE_COLORS[preset.id]!;
      for (const name of knownConceptNames(preset)) expect(colors[name], `${preset.id} ${name}`).toMatch(/^#/);
    }
  });
});

describe("the contract's modules", () => {
  const src = path.join(import.meta.dirname, "../src");
  const imports = (file: string) =>
    [...readFileSync(path.join(src, file), "utf8").matchAll(/from "([^"]+)"/g)].map((match) => match[1]!);

  it("import no test support outside testing/ and nothing of ours outside the contract", () => {
    for (const file of readdirSync(src).filter((name) => name.endsWith(".ts"))) {
      for (const target of imports(file)) {
        expect(target.startsWith("./testing") || target.startsWith("@s3/"), `${file} → ${target}`).toBe(false);
        expect(target === "zod" || target.startsWith("./"), `${file} → ${target}`).toBe(true);
      }
    }
  });
});
