// The two albums the set benchmarks render (bench/sets.ts times them, bench/set-samples.ts writes
// them out to look at): a rule, protect concepts, variants and templates per preset.
import type { QueueMessage, TemplateSlug, Variant } from "@s3/contract";

export type Rule = QueueMessage["concepts"];
const recolor = (value: string) => ({ action: "recolor" as const, value });
export const SET_ALBUMS = {
  interior: {
    rule: {
      Wall: recolor("sage_a"),
      Floor: { action: "texture", value: "wood" },
      Door: { action: "tone", value: "warm" },
    },
    protect: ["Grout", "Frame_Molding"],
    variants: [
      { name: "modern", concepts: { Wall: recolor("greige_a"), Floor: { action: "texture", value: "concrete" } } },
      { name: "natural", concepts: { Wall: recolor("sage_a"), Floor: { action: "texture", value: "wood" } } },
      { name: "hotel", concepts: { Wall: recolor("navy_a"), Floor: { action: "texture", value: "marble" } } },
    ],
    templates: ["three_options", "before_after", "share_card"],
  },
  seller: {
    rule: { Body: recolor("red_a"), Accessories: { action: "tone", value: "cool" } },
    protect: ["Label_Text", "Logo", "Gloss"],
    variants: ["red_a", "navy_a", "sky_a", "mint_a"].map((value) => ({
      name: value,
      concepts: { Body: recolor(value) },
    })),
    templates: ["product_pack", "option_board", "thumbnails"],
  },
} satisfies Record<string, { rule: Rule; protect: string[]; variants: Variant[]; templates: TemplateSlug[] }>;
