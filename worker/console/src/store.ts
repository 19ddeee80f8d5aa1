// The album's photos kept in this browser (IndexedDB), by job: the original file names and bytes, so a
// job opened from the history shows its "before" and its photos' names, and a re-run's job inherits
// them. The API keeps inputs only as pinned objects with no read URL (docs/trust.md).
const DB = "s3-console";
const STORE = "albums";

export interface KeptPhoto {
  name: string;
  blob: Blob;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB refused"));
  });
}
async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  return new Promise((resolve, reject) => {
    const request = act(db.transaction(STORE, mode).objectStore(STORE));
    request.onsuccess = () => resolve(request.result as T);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB refused"));
  });
}

/** Kept quietly: a browser without storage (private mode) still runs jobs, only without the history's "before". */
export async function keepAlbum(jobId: string, photos: KeptPhoto[]): Promise<void> {
  await run("readwrite", (store) => store.put(photos, jobId)).catch(() => undefined);
}
export async function keptAlbum(jobId: string): Promise<KeptPhoto[] | null> {
  return (await run<KeptPhoto[] | undefined>("readonly", (store) => store.get(jobId)).catch(() => undefined)) ?? null;
}
/** A re-run or retry job's photos are its source's (those of `items`, in order, when a subset). */
export async function inheritAlbum(from: string, to: string, items?: number[]): Promise<void> {
  const source = await keptAlbum(from);
  if (!source) return;
  await keepAlbum(to, items ? items.flatMap((idx) => (source[idx] ? [source[idx]] : [])) : source);
}
export async function forgetAlbum(jobId: string): Promise<void> {
  await run("readwrite", (store) => store.delete(jobId)).catch(() => undefined);
}
