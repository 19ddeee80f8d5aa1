// The mask cache (docs/gpu-worker.md, "Mask cache"): a photo's instances per concept, kept per user
// in R2 so another rule, template or format on the same album runs no segmentation. An entry is
// keyed by the input's SHA-256, the segmenter and model version, and the concept's prompt and hints:
//   cache/{userId}/{inputSha256}/{segmenterVersion}/{entry}.json       instance records (as masks/)
//   cache/{userId}/{inputSha256}/{segmenterVersion}/{entry}_{id}.png   each instance's cropped mask
// The JSON is written last, so an entry is whole once it can be read. Keys always start with the
// message's own user: one user's entries are never read for another.
import { createHash } from "node:crypto";
import sharp from "sharp";
import { encodeMaskPng } from "./image";
import { instanceRecords, type InstanceRecord } from "./outputs";
import { storageKeys } from "@s3/contract";
import type { ConceptMasks, Instance } from "./segmenter/types";
import type { Storage } from "./storage";

/** What one concept's entry depends on besides the photo and the segmenter. */
export interface CacheQuery {
  concept: string;
  /** The text the segmenter is given for the concept (its prompt table's phrase). */
  prompt: string;
  /** The concept's hints for this photo (docs/messages.md), or undefined. */
  hints?: unknown;
}

export interface PhotoCacheKey {
  userId: string;
  /** SHA-256 of the input's bytes, hex. */
  inputSha256: string;
  /** The report's segmenter name with its model version, e.g. "sam3@<version>". */
  segmenterVersion: string;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

export function inputSha256(bytes: Uint8Array): string {
  return sha256(bytes);
}

/**
 * A segmenter version as the cache folder names it (SEGMENTER_VERSION_PATTERN): the version itself when
 * it is key-safe, else a key-safe rewrite with a hash of the original, so no two versions collide.
 */
export function cacheSegmenterVersion(version: string): string {
  const safe = version.replace(/[^A-Za-z0-9._@+-]+/g, "_").slice(0, 80);
  return safe === version && !/^\.+$/.test(safe) ? safe : `${safe}-${sha256(version).slice(0, 12)}`;
}

/** One object of a photo's entries for one segmenter version (storageKeys.cacheObject checks every part). */
function cacheKey(key: PhotoCacheKey, name: string): string {
  return storageKeys.cacheObject(key.userId, key.inputSha256, cacheSegmenterVersion(key.segmenterVersion), name);
}

/** The entry's name: prompt and hints hashed together (hints are canonical JSON: keys in a fixed order). */
export function cacheEntry(query: Pick<CacheQuery, "prompt" | "hints">): string {
  return sha256(JSON.stringify([query.prompt, query.hints ?? null]));
}

interface CachedEntry {
  prompt: string;
  instances: InstanceRecord[];
}

async function decodeCroppedMask(png: Uint8Array, width: number, height: number): Promise<Uint8Array | null> {
  try {
    const { data, info } = await sharp(png).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== 1) return null;
    return new Uint8Array(data);
  } catch {
    return null;
  }
}

export interface MaskCache {
  /** The cached instances of each query's concept; a concept without a whole entry is absent (a miss). */
  read(key: PhotoCacheKey, queries: readonly CacheQuery[]): Promise<ConceptMasks>;
  /** Stores each query's concept's instances from `found`. */
  write(key: PhotoCacheKey, queries: readonly CacheQuery[], found: ConceptMasks): Promise<void>;
}

export function createMaskCache(storage: Storage): MaskCache {
  async function readOne(key: PhotoCacheKey, query: CacheQuery): Promise<Instance[] | null> {
    const entry = cacheEntry(query);
    const json = await storage.get(cacheKey(key, `${entry}.json`));
    if (!json) return null;
    let cached: CachedEntry;
    try {
      cached = JSON.parse(new TextDecoder().decode(json)) as CachedEntry;
    } catch {
      return null;
    }
    if (cached.prompt !== query.prompt || !Array.isArray(cached.instances)) return null;
    const instances = await Promise.all(
      cached.instances.map(async (record): Promise<Instance | null> => {
        const png = await storage.get(cacheKey(key, `${entry}_${record.instance_id}.png`));
        const [, , w, h] = record.bbox;
        const mask = png && (await decodeCroppedMask(png, w, h));
        if (!mask) return null;
        return {
          concept: query.concept,
          id: record.instance_id,
          mask,
          bbox: record.bbox,
          area: record.area,
          score: record.score,
        };
      }),
    );
    // A part missing or unreadable: the entry is not whole, the concept is segmented again.
    return instances.every((instance) => instance !== null) ? (instances as Instance[]) : null;
  }

  return {
    async read(key, queries) {
      const found: ConceptMasks = new Map();
      const entries = await Promise.all(queries.map((query) => readOne(key, query).catch(() => null)));
      queries.forEach((query, at) => {
        const instances = entries[at];
        if (instances) found.set(query.concept, instances);
      });
      return found;
    },
    async write(key, queries, found) {
      await Promise.all(
        queries.map(async (query) => {
          const instances = found.get(query.concept);
          if (!instances) return;
          const entry = cacheEntry(query);
          await Promise.all(
            instances.map(async (instance) =>
              storage.put(
                cacheKey(key, `${entry}_${instance.id}.png`),
                await encodeMaskPng(instance.bbox[2], instance.bbox[3], instance.mask),
                "image/png",
              ),
            ),
          );
          const body: CachedEntry = {
            prompt: query.prompt,
            instances: instanceRecords(new Map([[query.concept, instances]])),
          };
          await storage.put(
            cacheKey(key, `${entry}.json`),
            new TextEncoder().encode(JSON.stringify(body)),
            "application/json",
          );
        }),
      );
    },
  };
}
