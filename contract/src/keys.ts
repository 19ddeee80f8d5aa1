// R2 object keys (docs/storage.md). Every service builds keys here and nowhere else.
export const storageKeys = {
  input: (userId: string, jobId: string, idx: number) => `inputs/${userId}/${jobId}/${idx}.jpg`,
  output: (userId: string, jobId: string, idx: number) => `outputs/${userId}/${jobId}/${idx}_result.png`,
  preview: (userId: string, jobId: string, idx: number) => `previews/${userId}/${jobId}/${idx}_thumb.jpg`,
  mask: (userId: string, jobId: string, idx: number, concept: string) =>
    `masks/${userId}/${jobId}/${idx}_${concept}.png`,
  instances: (userId: string, jobId: string, idx: number) => `masks/${userId}/${jobId}/${idx}_instances.json`,
};

/** True when `key` lies under one of this job's own prefixes. */
export function isJobKey(key: string, userId: string, jobId: string): boolean {
  return ["inputs", "outputs", "previews", "masks"].some((root) => key.startsWith(`${root}/${userId}/${jobId}/`));
}
