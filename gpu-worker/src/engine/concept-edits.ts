// A rule over one photo's instance masks, as the apply step takes it: per concept, the union of its
// instances (one full-size mask) and its box, built once and shared by every edit of that concept.
import type { Bbox, RuleAction } from "@s3/contract";
import type { ConceptEdit } from "./apply";
import { copyInstance, paintInstance } from "./segmenter/masks";
import type { ConceptMasks } from "./segmenter/types";

/** A full-size mask, non-zero inside, and the box around it (null when empty). */
export interface Union {
  mask: Uint8Array;
  bbox: Bbox | null;
}

/**
 * The union of the instances of `concepts` as a full-size mask, with its bounding box. Each
 * instance's cropped mask (segmenter/masks.ts) is painted inside its box only.
 */
export function unionOf(
  instances: ConceptMasks,
  concepts: string | readonly string[],
  width: number,
  height: number,
): Union {
  const list = (typeof concepts === "string" ? [concepts] : concepts).flatMap(
    (concept) => instances.get(concept) ?? [],
  );
  const bbox = list.reduce<Bbox | null>((box, instance) => mergeBbox(box, instance.bbox), null);
  const union = new Uint8Array(width * height);
  // The first instance is copied row by row (the union is still empty there); the rest are ORed in.
  list.forEach((instance, at) => (at === 0 ? copyInstance : paintInstance)(union, width, instance));
  return { mask: union, bbox };
}

function mergeBbox(a: Bbox | null, b: Bbox): Bbox {
  if (!a) return b;
  const x0 = Math.min(a[0], b[0]),
    y0 = Math.min(a[1], b[1]);
  const x1 = Math.max(a[0] + a[2], b[0] + b[2]),
    y1 = Math.max(a[1] + a[3], b[1] + b[3]);
  return [x0, y0, x1 - x0, y1 - y0];
}

/** One photo's concept unions, each built on first use; a result and its variants share them. */
export interface ConceptUnions {
  /** The concept's union. */
  of(concept: string): Union;
  /** A rule's concepts as the apply step's edits, in rule order. */
  edits(concepts: Readonly<Record<string, RuleAction>>): ConceptEdit[];
  /** The union of every protect concept, or null when there is none. */
  protect(concepts: readonly string[]): Union | null;
  /** concept → union, in the order first asked for. */
  readonly built: ReadonlyMap<string, Union>;
}

export function conceptUnions(instances: ConceptMasks, width: number, height: number): ConceptUnions {
  const built = new Map<string, Union>();
  const of = (concept: string) => {
    let found = built.get(concept);
    if (!found) built.set(concept, (found = unionOf(instances, concept, width, height)));
    return found;
  };
  return {
    of,
    edits: (concepts) => Object.entries(concepts).map(([concept, rule]) => ({ concept, ...rule, ...of(concept) })),
    protect: (concepts) => (concepts.length > 0 ? unionOf(instances, concepts, width, height) : null),
    built,
  };
}
