// The noun phrase SAM 3 is given for each palette concept, per preset (docs/gpu-worker.md,
// "Prompts"). SAM 3 segments what a short noun phrase names, as people caption photos; a palette
// name is ours, not a caption: "Body" reads as a human body, "Light" as lighting, "Gloss" as
// nothing at all. Each phrase names the thing as it is seen in the photo, in the words of
// everyday captions, the most common shape first. The onnx segmenter reads this table; an
// export's model.json `prompts` override it, phrase by phrase.
import { PRESETS } from "./presets";

type PromptTable = Readonly<Record<string, string>>;

export const PROMPTS: Readonly<Record<string, PromptTable>> = {
  interior: {
    // "wall" alone is right: SAM 3 knows it well; "painted wall" would skip tiled and papered ones.
    Wall: "wall",
    Floor: "floor",
    Ceiling: "ceiling",
    Window: "window",
    Door: "door",
    // Door and window casings, skirting, crown: "molding" alone reads as mould; "trim" names the strip.
    Frame_Molding: "trim molding",
    // Tiles are counted one by one; the phrase asks for the tiled surface the rule recolours.
    Tile: "tiled surface",
    // The lines between tiles; "grout" is rare in captions, the pair is what annotators write.
    Grout: "tile grout lines",
    Cabinet: "cabinet",
    Countertop: "countertop",
    // "Light" alone finds lit areas and lamps' glow; the rule edits the fixture.
    Light: "ceiling light fixture",
    // Door and drawer handles, knobs and pulls, not hands.
    Handle: "door handle",
    // Protected reflections on glass: the bright specular patch, not the pane.
    Glass_highlight: "reflection on glass",
  },
  seller: {
    // "Body" would find people; the product itself is what the photo is of.
    Body: "product body",
    // Printed words on the product or its label, not the whole label sticker.
    Label_Text: "printed text",
    Logo: "brand logo",
    // Gloss is the shiny highlight on the product's surface.
    Gloss: "glossy highlight",
    // Buttons, caps, lids and other attached pieces.
    Parts: "product part",
    // What comes beside the product in the shot: cables, straps, boxes.
    Accessories: "product accessory",
  },
};

/** Concept → phrase over every preset; a concept name means the same in every preset that has it. */
const BY_CONCEPT: ReadonlyMap<string, string> = new Map(Object.values(PROMPTS).flatMap((t) => Object.entries(t)));

/** Presets whose concepts or protect defaults have no phrase (the contract's tests keep this empty). */
export function presetsMissingPrompts(): string[] {
  return PRESETS.flatMap((preset) =>
    [...preset.concepts, ...preset.protect_defaults]
      .filter((concept) => PROMPTS[preset.id]?.[concept] === undefined)
      .map((concept) => `${preset.id}.${concept}`),
  );
}

/**
 * The phrase for a concept: the table's, else the name made readable ("Frame_Molding" →
 * "frame molding") for a concept the table has not met.
 */
export function conceptPhrase(concept: string): string {
  return BY_CONCEPT.get(concept) ?? concept.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim().toLowerCase();
}
