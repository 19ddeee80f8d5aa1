import { describe, expect, it } from "vitest";
import { findPreset, findTemplate, setPlanOf, TEMPLATE_VARIANTS, type Variant } from "../src";

const interior = findPreset("interior")!;
const seller = findPreset("seller")!;
const named: Variant[] = [
  { name: "one", concepts: { Wall: { action: "recolor", value: "sage_a" } } },
  { name: "two", concepts: { Wall: { action: "recolor", value: "navy_a" } } },
];

describe("setPlanOf", () => {
  it("plans no set without a template", () => {
    expect(setPlanOf(interior, null, named)).toBeNull();
  });

  it("renders the named variants, else the preset's styles, for a template that takes variants", () => {
    const threeOptions = findTemplate(interior, "three_options")!;
    expect(setPlanOf(interior, threeOptions, named)).toEqual({ slug: "three_options", variants: named });
    expect(setPlanOf(interior, threeOptions, undefined)?.variants).toBe(interior.styles);
    expect(setPlanOf(interior, threeOptions, [])?.variants).toBe(interior.styles);
    expect(interior.styles.length).toBeLessThanOrEqual(TEMPLATE_VARIANTS.three_options!.max);
  });

  it("renders no variants for a template that takes none, whatever was named", () => {
    expect(setPlanOf(interior, findTemplate(interior, "전후비교")!, named)).toEqual({
      slug: "before_after",
      variants: [],
    });
  });

  it("leaves option_board without variants empty, for the caller to refuse (the seller has no styles)", () => {
    const board = findTemplate(seller, "option_board")!;
    expect(setPlanOf(seller, board, undefined)?.variants).toEqual([]);
    expect(TEMPLATE_VARIANTS.option_board).toMatchObject({ min: 2, required: true });
  });
});
