// R2 object keys (docs/storage.md). Every service builds keys here and nowhere else.
import { KEY_ID_PATTERN } from "./ids";
import { DEFAULT_OUTPUT_FORMAT, OUTPUT_FORMAT_EXT, type OutputExt, type OutputFormat } from "./output-format";

/** A SHA-256 as the mask cache names it: 64 lowercase hex digits. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** A segmenter and model version as a key segment (`sam3@2025-11-19`, `cpu-stand-in@3`): never `/`, never only dots. */
export const SEGMENTER_VERSION_PATTERN = /^(?!\.+$)[A-Za-z0-9._@+-]{1,100}$/;
/** The name of one object inside a cache folder (the GPU worker's choice, docs/storage.md): no `/`, never only dots. */
export const CACHE_NAME_PATTERN = /^(?!\.+$)[A-Za-z0-9._@+-]{1,200}$/;

function checked(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new Error(`not a ${what}: ${JSON.stringify(value)}`);
  return value;
}

export const storageKeys = {
  input: (userId: string, jobId: string, idx: number) => `inputs/${userId}/${jobId}/${idx}.jpg`,
  /** The result, its extension the job's output format's (png by default). */
  output: (userId: string, jobId: string, idx: number, format: OutputFormat = DEFAULT_OUTPUT_FORMAT) =>
    `outputs/${userId}/${jobId}/${idx}_result.${OUTPUT_FORMAT_EXT[format]}`,
  preview: (userId: string, jobId: string, idx: number) => `previews/${userId}/${jobId}/${idx}_thumb.jpg`,
  mask: (userId: string, jobId: string, idx: number, concept: string) =>
    `masks/${userId}/${jobId}/${idx}_${concept}.png`,
  instances: (userId: string, jobId: string, idx: number) => `masks/${userId}/${jobId}/${idx}_instances.json`,
  /** One file of a photo's output set (docs/sets.md): `part` matches SET_PART_PATTERN. */
  set: (userId: string, jobId: string, idx: number, slug: string, part: string, ext: OutputExt) =>
    `sets/${userId}/${jobId}/${idx}_${slug}_${part}.${ext}`,
  /** Every object of a job lies under one of these prefixes (retention deletes them). */
  jobPrefixes: (userId: string, jobId: string) =>
    ["inputs", "outputs", "previews", "masks", "sets"].map((root) => `${root}/${userId}/${jobId}/`),
  /**
   * The mask cache (docs/storage.md, Mask cache): per user, per input's SHA-256, per segmenter version.
   * Without a version, every version's folder for that input: what the Worker deletes with the user's
   * last job over those bytes.
   */
  cachePrefix: (userId: string, sha256: string, segmenterVersion?: string) =>
    `cache/${checked(userId, KEY_ID_PATTERN.user, "user id")}/${checked(sha256, SHA256_PATTERN, "SHA-256")}/` +
    (segmenterVersion === undefined
      ? ""
      : `${checked(segmenterVersion, SEGMENTER_VERSION_PATTERN, "segmenter version")}/`),
  /** One object of the mask cache: `name` is the GPU worker's (a concept's prompt and hints, hashed). */
  cacheObject: (userId: string, sha256: string, segmenterVersion: string, name: string) =>
    storageKeys.cachePrefix(userId, sha256, segmenterVersion) + checked(name, CACHE_NAME_PATTERN, "cache object name"),
  /** Every cache object of one user (account-wide purges). */
  cacheUserPrefix: (userId: string) => `cache/${checked(userId, KEY_ID_PATTERN.user, "user id")}/`,
};

/** The item keys a message or a callback may name: exactly those storageKeys builds for the job's item. */
export interface ItemKeys {
  input_key: string;
  output_key: string;
  preview_key: string;
}

/**
 * The first of `keys` that is not the one storageKeys builds for this user, job and item, or null
 * when all are. Exact equality, not a prefix: `..` segments and other users' keys never pass.
 */
export function foreignItemKey(
  keys: Partial<ItemKeys>,
  userId: string,
  jobId: string,
  idx: number,
  format: OutputFormat = DEFAULT_OUTPUT_FORMAT,
): string | null {
  if (!KEY_ID_PATTERN.user.test(userId) || !KEY_ID_PATTERN.job.test(jobId)) return `${userId}/${jobId}`;
  const own: ItemKeys = {
    input_key: storageKeys.input(userId, jobId, idx),
    output_key: storageKeys.output(userId, jobId, idx, format),
    preview_key: storageKeys.preview(userId, jobId, idx),
  };
  for (const name of ["input_key", "output_key", "preview_key"] as const) {
    const key = keys[name];
    if (key !== undefined && key !== own[name]) return key;
  }
  return null;
}
