// What the render step is handed per concept; shared by the owner map, the edit compiler and applyRule.
import type { Action, Bbox } from "@s3/contract";

export interface ConceptEdit {
  concept: string;
  action: Action;
  value: string;
  /** Union of the concept's instances: width × height bytes, non-zero inside. */
  mask: Uint8Array;
  /** [x, y, width, height] around the mask, when known: only that box is scanned. */
  bbox?: Bbox | null;
}
