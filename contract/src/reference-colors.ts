// The pact between the generated scenes (scenes.ts) and the GPU worker's cpu segmenter: each concept is
// painted in, and found by, its reference colour.

/**
 * The concept-to-region heuristic: each concept is the region painted in its reference
 * colour. Names starting with "_" are clusters that are no concept (a product backdrop)
 * and are never reported.
 */
export const CONCEPT_REFERENCE_COLORS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  interior: {
    Ceiling: "#f4f4f4",
    Wall: "#d6bf98",
    Floor: "#9c6b3f",
    Frame_Molding: "#aab4c8",
    Door: "#6b2a1e",
    Handle: "#c9a13b",
    Window: "#5a8fd8",
    Glass_highlight: "#a8f4ff",
    Tile: "#2f9a86",
    Grout: "#3c3c3c",
    Cabinet: "#1f5a3a",
    Countertop: "#7e7e78",
    Light: "#ffe680",
  },
  seller: {
    Body: "#2f6db5",
    Label_Text: "#151515",
    Logo: "#d42a2a",
    Gloss: "#fbfbfb",
    Parts: "#8c8c8c",
    Accessories: "#e0a800",
    _backdrop: "#d2bde6",
  },
};
