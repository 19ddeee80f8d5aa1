// Limits both services' configs and the queue message share (docs/trust.md): one number each, here.

/** Shared secrets that authorize something (JWT, callback, queue, admin) are at least this long. */
export const SECRET_MIN_LENGTH = 32;

/** Items of one job processed at once: BATCH_CONCURRENCY of both services and a message's batch_concurrency. */
export const BATCH_CONCURRENCY = { min: 1, max: 64, default: 4 } as const;

/** MAX_UPLOAD_BYTES by default in both services: what confirm-upload accepts and the GPU worker reads. */
export const UPLOAD_BYTES_DEFAULT = 25 * 1024 * 1024;
