// The preset and palette catalog (docs/architecture.md). Defined once: the Worker lists and validates
// with it, the GPU worker resolves palette values to pixels with it.
import { hexToRgb } from "./color";
import type { Action } from "./rules";
import type { Variant } from "./sets";
import type { TemplateSlug } from "./templates";

/** Named colours a `recolor` value may name; any `#RRGGBB` is accepted too. */
export const COLORS = {
  oak_a: "#b08050",
  oak_b: "#8a5a32",
  walnut_a: "#5b3a29",
  offwhite_a: "#f2efe6",
  offwhite_b: "#ece4d4",
  greige_a: "#bfb6a8",
  charcoal_a: "#3a3b3d",
  sage_a: "#9caf88",
  navy_a: "#24344d",
  terracotta_a: "#c8684a",
  brass_a: "#b5a642",
  matte_black: "#1e1e1e",
  chrome_a: "#c9ccd1",
  blush_a: "#e8b9b0",
  sky_a: "#8fb8de",
  red_a: "#c0392b",
  mint_a: "#98d8c8",
  lemon_a: "#f4e285",
} as const;
export type ColorId = keyof typeof COLORS;

export const TONES = ["warm", "cool", "bright", "dark", "matte", "vivid"] as const;
export type Tone = (typeof TONES)[number];

export const TEXTURES = ["wood", "marble", "concrete", "terrazzo", "linen", "brushed_metal"] as const;
export type Texture = (typeof TEXTURES)[number];

export interface ConceptPalette {
  recolor: readonly ColorId[];
  tone: readonly Tone[];
  texture: readonly Texture[];
}

export interface OutputTemplate {
  /** As the design named it (e.g. 전후비교); what execute's `output_template` names. */
  id: string;
  /** ASCII, for storage keys and file names. */
  slug: TemplateSlug;
  name: string;
  description: string;
  /** execute must name variants for it (option_board); three_options falls back to the preset's styles. */
  needs_variants: boolean;
}

export interface Preset {
  id: string;
  name: string;
  concepts: readonly string[];
  protect_defaults: readonly string[];
  output_templates: readonly OutputTemplate[];
  /** concept → the named values each action accepts for it */
  palette: Readonly<Record<string, ConceptPalette>>;
  /** Built-in looks over the palette: three_options' variants when execute names none. */
  styles: readonly Variant[];
}

const SURFACE: ConceptPalette = {
  recolor: ["offwhite_a", "offwhite_b", "greige_a", "charcoal_a", "sage_a", "navy_a", "terracotta_a", "sky_a"],
  tone: TONES,
  texture: ["concrete", "linen", "marble"],
};
const WOODEN: ConceptPalette = {
  recolor: ["oak_a", "oak_b", "walnut_a", "offwhite_a", "charcoal_a", "sage_a", "navy_a"],
  tone: TONES,
  texture: ["wood", "marble", "concrete", "terrazzo"],
};
const STONE: ConceptPalette = {
  recolor: ["offwhite_a", "greige_a", "charcoal_a", "terracotta_a", "sage_a"],
  tone: TONES,
  texture: ["marble", "concrete", "terrazzo"],
};
const METAL: ConceptPalette = {
  recolor: ["brass_a", "matte_black", "chrome_a", "charcoal_a"],
  tone: ["warm", "cool", "bright", "dark", "matte"],
  texture: ["brushed_metal"],
};
const PRODUCT: ConceptPalette = {
  recolor: ["red_a", "navy_a", "sky_a", "mint_a", "lemon_a", "blush_a", "charcoal_a", "offwhite_a", "matte_black"],
  tone: TONES,
  texture: ["linen", "brushed_metal", "marble"],
};

export const PRESETS: readonly Preset[] = [
  {
    id: "interior",
    name: "건축/인테리어 (architecture/interior)",
    concepts: [
      "Wall",
      "Floor",
      "Ceiling",
      "Window",
      "Door",
      "Frame_Molding",
      "Tile",
      "Grout",
      "Cabinet",
      "Countertop",
      "Light",
      "Handle",
    ],
    protect_defaults: ["Grout", "Frame_Molding", "Glass_highlight"],
    output_templates: [
      {
        id: "시안3안팩",
        slug: "three_options",
        name: "시안3안팩 (three-option pack)",
        description: "Three alternative treatments of the same room side by side.",
        needs_variants: false,
      },
      {
        id: "전후비교",
        slug: "before_after",
        name: "전후비교 (before/after)",
        description: "Each photo before and after the rule.",
        needs_variants: false,
      },
      {
        id: "고객공유카드",
        slug: "share_card",
        name: "고객공유카드 (client share card)",
        description: "A card for sharing the result with a client: before, after and the palette used.",
        needs_variants: false,
      },
    ],
    styles: [
      {
        name: "modern",
        concepts: {
          Wall: { action: "recolor", value: "offwhite_a" },
          Floor: { action: "texture", value: "concrete" },
          Cabinet: { action: "recolor", value: "charcoal_a" },
          Countertop: { action: "recolor", value: "offwhite_a" },
          Handle: { action: "recolor", value: "matte_black" },
        },
      },
      {
        name: "natural",
        concepts: {
          Wall: { action: "recolor", value: "sage_a" },
          Floor: { action: "texture", value: "wood" },
          Cabinet: { action: "recolor", value: "oak_a" },
          Countertop: { action: "texture", value: "terrazzo" },
          Handle: { action: "recolor", value: "brass_a" },
        },
      },
      {
        name: "hotel",
        concepts: {
          Wall: { action: "recolor", value: "navy_a" },
          Floor: { action: "recolor", value: "walnut_a" },
          Cabinet: { action: "recolor", value: "walnut_a" },
          Countertop: { action: "texture", value: "marble" },
          Handle: { action: "recolor", value: "brass_a" },
        },
      },
    ],
    palette: {
      Wall: SURFACE,
      Floor: WOODEN,
      Ceiling: SURFACE,
      Window: METAL,
      Door: WOODEN,
      Frame_Molding: SURFACE,
      Tile: STONE,
      Grout: { recolor: ["offwhite_a", "greige_a", "charcoal_a"], tone: TONES, texture: [] },
      Cabinet: WOODEN,
      Countertop: STONE,
      Light: METAL,
      Handle: METAL,
    },
  },
  {
    id: "seller",
    name: "쇼핑/셀러 (shopping/seller)",
    concepts: ["Body", "Label_Text", "Logo", "Gloss", "Parts", "Accessories"],
    protect_defaults: ["Label_Text", "Logo", "Gloss"],
    output_templates: [
      {
        id: "상품팩",
        slug: "product_pack",
        name: "상품팩 (product pack)",
        description: "The product photos as one consistent pack of white squares, named by position.",
        needs_variants: false,
      },
      {
        id: "옵션보드",
        slug: "option_board",
        name: "옵션보드 (option board)",
        description: "One board showing every colour option (2–8 variants).",
        needs_variants: true,
      },
      {
        id: "썸네일8종",
        slug: "thumbnails",
        name: "썸네일8종 (8 thumbnails)",
        description: "Eight marketplace thumbnail crops centred on the edited product.",
        needs_variants: false,
      },
    ],
    styles: [],
    palette: {
      Body: PRODUCT,
      Label_Text: { recolor: ["matte_black", "offwhite_a", "charcoal_a"], tone: TONES, texture: [] },
      Logo: { recolor: ["matte_black", "offwhite_a", "brass_a", "chrome_a"], tone: TONES, texture: [] },
      Gloss: { recolor: [], tone: ["bright", "matte"], texture: [] },
      Parts: PRODUCT,
      Accessories: PRODUCT,
    },
  },
];

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((preset) => preset.id === id);
}

/** Every name a rule may mention for this preset: its concepts and its protect defaults. */
export function knownConceptNames(preset: Preset): Set<string> {
  return new Set([...preset.concepts, ...preset.protect_defaults]);
}

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * Why a `{action, value}` is not valid for a concept of a preset, or null when it is.
 * A recolor accepts a palette colour of that concept or any #RRGGBB.
 */
export function ruleValueProblem(preset: Preset, concept: string, action: Action, value: string): string | null {
  const palette = preset.palette[concept];
  if (!palette) return `concept "${concept}" is not in the ${preset.id} palette`;
  if (action === "recolor" && HEX_COLOR.test(value)) return null;
  const allowed: readonly string[] = palette[action];
  if (allowed.includes(value)) return null;
  return (
    `"${value}" is not a ${action} value for ${concept} ` +
    `(allowed: ${[...allowed, ...(action === "recolor" ? ["#RRGGBB"] : [])].join(", ") || "none"})`
  );
}

/** A recolor value as an RGB triple: a palette id or #RRGGBB. */
export function resolveColor(value: string): [number, number, number] {
  const hex = HEX_COLOR.test(value) ? value : (COLORS as Record<string, string>)[value];
  if (!hex) throw new Error(`unknown colour "${value}"`);
  return hexToRgb(hex);
}

/** A preset's template by id (what execute names) or by slug. */
export function findTemplate(preset: Preset, idOrSlug: string): OutputTemplate | undefined {
  return preset.output_templates.find((template) => template.id === idOrSlug || template.slug === idOrSlug);
}
