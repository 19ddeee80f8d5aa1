// R2 object keys (docs/storage.md). Every service builds keys here and nowhere else.
import { KEY_ID_PATTERN } from "./ids";

export const storageKeys = {
  input: (userId: string, jobId: string, idx: number) => `inputs/${userId}/${jobId}/${idx}.jpg`,
  output: (userId: string, jobId: string, idx: number) => `outputs/${userId}/${jobId}/${idx}_result.png`,
  preview: (userId: string, jobId: string, idx: number) => `previews/${userId}/${jobId}/${idx}_thumb.jpg`,
  mask: (userId: string, jobId: string, idx: number, concept: string) =>
    `masks/${userId}/${jobId}/${idx}_${concept}.png`,
  instances: (userId: string, jobId: string, idx: number) => `masks/${userId}/${jobId}/${idx}_instances.json`,
  /** One file of a photo's output set (docs/sets.md): `part` matches SET_PART_PATTERN. */
  set: (userId: string, jobId: string, idx: number, slug: string, part: string, ext: "png" | "jpg") =>
    `sets/${userId}/${jobId}/${idx}_${slug}_${part}.${ext}`,
  /** Every object of a job lies under one of these prefixes (retention deletes them). */
  jobPrefixes: (userId: string, jobId: string) =>
    ["inputs", "outputs", "previews", "masks", "sets"].map((root) => `${root}/${userId}/${jobId}/`),
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
export function foreignItemKey(keys: Partial<ItemKeys>, userId: string, jobId: string, idx: number): string | null {
  if (!KEY_ID_PATTERN.user.test(userId) || !KEY_ID_PATTERN.job.test(jobId)) return `${userId}/${jobId}`;
  const own: ItemKeys = {
    input_key: storageKeys.input(userId, jobId, idx),
    output_key: storageKeys.output(userId, jobId, idx),
    preview_key: storageKeys.preview(userId, jobId, idx),
  };
  for (const name of ["input_key", "output_key", "preview_key"] as const) {
    const key = keys[name];
    if (key !== undefined && key !== own[name]) return key;
  }
  return null;
}
