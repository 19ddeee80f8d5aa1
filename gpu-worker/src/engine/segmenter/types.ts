// The segmenter's interface: an image and concept names in, instance masks out.
// Implementations: cpu.ts (classical stand-in for SAM 3), onnx/ (SAM 3 ONNX export), sim.ts (benchmark).
import type { Bbox, ConceptHint as ContractConceptHint, ItemHints, RgbImage } from "@s3/contract";

/** One found instance of a concept; its mask is cropped to its box (masks.ts). */
export interface Instance {
  concept: string;
  /** 0-based, unique per concept within one photo. */
  id: number;
  /** `bbox[2] * bbox[3]` bytes, the box's rows top to bottom: 255 inside the instance, 0 outside. */
  mask: Uint8Array;
  /** [x, y, width, height] in photo pixels; the mask's window. */
  bbox: Bbox;
  /** Pixels inside the mask. */
  area: number;
  /** Confidence in [0, 1]. */
  score: number;
}

/** concept name → its instances (an empty list when the concept was not found). */
export type ConceptMasks = Map<string, Instance[]>;

/** Segments the photos of one job for a fixed set of concepts (text work is done once per job). */
export interface JobSegmenter {
  /** `hints`: geometric prompts for some of the job's concepts on this photo (SAM 3 boxes and points). */
  segment(image: RgbImage, hints?: PhotoHints): Promise<ConceptMasks>;
}

export interface SegmenterReport {
  /** e.g. "sam3@<model version>", "cpu-stand-in@1". */
  segmenter: string;
  scores: boolean;
}

/** What GET /health says of the segmenter. */
export interface SegmenterHealth {
  segmenter: string;
  /** The execution provider in use ("cuda", "cpu"; "js" for the cpu stand-in, "sim" for the sim). */
  provider: string;
  /** model.json's modelVersion; null for the stand-ins, which load no model. */
  model_version: string | null;
}

export interface Segmenter {
  /** Shown in logs and /health, e.g. "cpu (classical stand-in for SAM 3)". */
  readonly name: string;
  /** How each item's report names this segmenter (docs/reports.md), and whether its scores are
   *  confidences: a segmenter that does not score reports 1 and never flags low_confidence. */
  readonly report: SegmenterReport;
  /** Absent on test doubles; start.ts reports the name alone then. */
  readonly health?: SegmenterHealth;
  forJob(concepts: readonly string[]): Promise<JobSegmenter>;
  /** The text the segmenter is given for a concept, part of its mask cache key; the name itself when absent. */
  prompt?(concept: string): string;
  close(): Promise<void>;
}

/** A person's hint for one concept on one photo, and one photo's hints (docs/messages.md, Hints). */
export type ConceptHint = ContractConceptHint;
export type PhotoHints = ItemHints;
