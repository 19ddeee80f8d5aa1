// Phase A for one photo through the mask cache (docs/gpu-worker.md, "Mask cache"): the cached concepts
// are read, only the others are segmented, and what was segmented is written back. A photo whose
// concepts are all cached runs no segmentation at all.
import type { ItemReport, RgbImage } from "@s3/contract";
import { ItemError } from "./errors";
import { inputSha256, type CacheQuery, type MaskCache } from "./mask-cache";
import { limitInstances } from "./segmenter/masks";
import type { ConceptMasks, JobSegmenter, PhotoHints, Segmenter } from "./segmenter/types";

/** What /health counts of phase A since start. */
export interface SegmentCounts {
  /** Photos the segmenter ran on (one call segments all of a photo's missing concepts). */
  segmenter_calls: number;
  /** Concepts of a photo read from the mask cache. */
  cache_hits: number;
  /** Concepts of a photo segmented because the cache had no entry. */
  cache_misses: number;
}

export interface SegmentedPhoto {
  instances: ConceptMasks;
  /** SHA-256 of the input's bytes: the cache folder's name, reported in the callback's `input`. */
  inputSha256: string;
  /** "cache" when every concept came from the cache, else "model". */
  segmented: ItemReport["segmented"];
}

/** One job's phase A: its concepts fixed, each photo read from the cache or segmented. */
export interface JobSegmentStep {
  segment(input: { userId: string; bytes: Uint8Array; image: RgbImage; hints?: PhotoHints }): Promise<SegmentedPhoto>;
}

export interface SegmentStep {
  readonly counts: SegmentCounts;
  forJob(concepts: readonly string[]): JobSegmentStep;
}

/** Canonical JSON for a hint, so the same hint always names the same cache entry. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

export function createSegmentStep(segmenter: Segmenter, cache: MaskCache | null): SegmentStep {
  const counts: SegmentCounts = { segmenter_calls: 0, cache_hits: 0, cache_misses: 0 };
  const prompt = (concept: string) => segmenter.prompt?.(concept) ?? concept;

  return {
    counts,
    forJob(concepts) {
      // One segmenter job per set of missing concepts: a job's photos mostly miss the same ones.
      const jobs = new Map<string, Promise<JobSegmenter>>();
      const jobFor = (missing: readonly string[]) => {
        const key = JSON.stringify(missing);
        let job = jobs.get(key);
        if (!job) {
          job = segmenter.forJob(missing).catch((error: unknown) => {
            jobs.delete(key);
            throw new ItemError("SEGMENT_FAILED", `segmenter could not prepare the job: ${String(error)}`);
          });
          jobs.set(key, job);
        }
        return job;
      };
      return {
        async segment({ userId, bytes, image, hints }) {
          const queries: CacheQuery[] = concepts.map((concept) => ({
            concept,
            prompt: prompt(concept),
            ...(hints?.[concept] ? { hints: canonical(hints[concept]) } : {}),
          }));
          const key = { userId, inputSha256: inputSha256(bytes), segmenterVersion: segmenter.report.segmenter };
          // An unreadable cache is a miss, never a failed item.
          const cached = cache ? await cache.read(key, queries).catch(() => new Map() as ConceptMasks) : new Map();
          const missing = queries.filter((query) => !cached.has(query.concept));
          counts.cache_hits += queries.length - missing.length;
          counts.cache_misses += missing.length;
          if (missing.length === 0) return { instances: cached, inputSha256: key.inputSha256, segmented: "cache" };
          const names = missing.map((query) => query.concept);
          const job = await jobFor(names);
          counts.segmenter_calls++;
          const found = await job
            .segment(image, hints && Object.fromEntries(names.filter((c) => hints[c]).map((c) => [c, hints[c]!])))
            .catch((error: unknown) => {
              throw new ItemError("SEGMENT_FAILED", String(error));
            });
          const fresh = limitInstances(found, image.width * image.height);
          for (const name of names) if (!fresh.has(name)) fresh.set(name, []);
          // A failed write costs a later segmentation, never this item.
          if (cache) await cache.write(key, missing, fresh).catch(() => {});
          const instances: ConceptMasks = new Map();
          for (const concept of concepts) instances.set(concept, cached.get(concept) ?? fresh.get(concept)!);
          return { instances, inputSha256: key.inputSha256, segmented: "model" };
        },
      };
    },
  };
}
