// Hints (docs/messages.md, Hints): boxes and points a person draws on a photo so the segmenter finds a
// concept it missed. Photo pixel coordinates, x rightwards and y downwards from the top-left corner of
// the photo as decoded (EXIF orientation applied). Per item they travel in the queue message; the
// request bodies name them per item index.
import { z } from "zod";
import { conceptNameSchema } from "./rules";

export const HINT_BOXES_MAX = 8;
export const HINT_POINTS_MAX = 16;
/** The largest coordinate any photo can have (the GPU worker's pixel cap is far below 100 000²). */
export const HINT_COORD_MAX = 100_000;
/** The largest hints object, as JSON, one job may carry: the queue message stays under 128 KB. */
export const HINTS_MAX_BYTES = 32_768;

const coord = z.number().finite().min(0).max(HINT_COORD_MAX);

// Arrays, not tuples, in the types: they cross Durable Object RPC, whose types flatten tuples.
/** `[x0, y0, x1, y1]`, the top-left corner strictly before the bottom-right one. */
export const hintBoxSchema = z
  .array(coord)
  .length(4, "a box is [x0, y0, x1, y1]")
  .refine(([x0, y0, x1, y1]) => x0! < x1! && y0! < y1!, "a box is [x0, y0, x1, y1] with x0 < x1 and y0 < y1");
export type HintBox = z.infer<typeof hintBoxSchema>;

/** `[x, y, label]`: label 1 includes the pixel in the concept, 0 excludes it. */
export const hintPointSchema = z
  .array(coord)
  .length(3, "a point is [x, y, 1 | 0]")
  .refine(([, , label]) => label === 0 || label === 1, "a point's label is 1 (include) or 0 (exclude)");
export type HintPoint = z.infer<typeof hintPointSchema>;

export const conceptHintSchema = z
  .strictObject({
    boxes: z.array(hintBoxSchema).min(1).max(HINT_BOXES_MAX).optional(),
    points: z.array(hintPointSchema).min(1).max(HINT_POINTS_MAX).optional(),
  })
  .refine((hint) => hint.boxes !== undefined || hint.points !== undefined, "a hint has boxes, points or both");
export type ConceptHint = z.infer<typeof conceptHintSchema>;

/** One photo's hints: concept → its boxes and points. */
export const itemHintsSchema = z
  .record(conceptNameSchema, conceptHintSchema)
  .refine((hints) => Object.keys(hints).length >= 1, "an item's hints name at least one concept");
export type ItemHints = z.infer<typeof itemHintsSchema>;

/** An item index as a JSON object key: a decimal without leading zeros. */
const ITEM_INDEX_KEY = /^(0|[1-9][0-9]{0,3})$/;

/** A request's hints: item index → concept → hint. Whether indices and concepts are the job's: hintProblem. */
export const hintsSchema = z
  .record(z.string().regex(ITEM_INDEX_KEY, "an item index"), itemHintsSchema)
  .refine((hints) => JSON.stringify(hints).length <= HINTS_MAX_BYTES, `at most ${HINTS_MAX_BYTES} bytes of hints`);
export type Hints = z.infer<typeof hintsSchema>;

/** A photo's pixel size, where a scan or a run has measured it. */
export interface PhotoSize {
  width: number;
  height: number;
}

export interface HintProblem {
  /** Dotted path into the request body (`hints.3.Wall.boxes.0`), as VALIDATION_ERROR's `details.field`. */
  field: string;
  message: string;
}

/**
 * The first thing in `hints` the job cannot take, or null: an index outside the job's items, a
 * concept outside `concepts`, a coordinate outside the photo where its size is known (x ≤ width,
 * y ≤ height: a box may end on the photo's edge).
 */
export function hintProblem(
  hints: Hints,
  job: { itemCount: number; concepts: readonly string[]; photoSize: (idx: number) => PhotoSize | null },
): HintProblem | null {
  for (const [key, itemHints] of Object.entries(hints)) {
    const idx = Number(key);
    if (idx >= job.itemCount) return { field: `hints.${key}`, message: `item ${key} is not one of the job's items` };
    const size = job.photoSize(idx);
    for (const [concept, hint] of Object.entries(itemHints)) {
      const at = `hints.${key}.${concept}`;
      if (!job.concepts.includes(concept)) return { field: at, message: `${concept} is not a concept of this job` };
      if (size === null) continue;
      const outside = (x: number, y: number) => x > size.width || y > size.height;
      const box = (hint.boxes ?? []).findIndex(([x0, y0, x1, y1]) => outside(x0!, y0!) || outside(x1!, y1!));
      if (box >= 0)
        return { field: `${at}.boxes.${box}`, message: `the box is outside the ${size.width}×${size.height} photo` };
      const point = (hint.points ?? []).findIndex(([x, y]) => outside(x!, y!));
      if (point >= 0)
        return {
          field: `${at}.points.${point}`,
          message: `the point is outside the ${size.width}×${size.height} photo`,
        };
    }
  }
  return null;
}

/** One item's hints out of a request's, or undefined when it has none. */
export function hintsOf(hints: Hints | undefined, idx: number): ItemHints | undefined {
  return hints?.[String(idx)];
}
