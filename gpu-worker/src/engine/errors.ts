import type { ItemErrorCode } from "@s3/contract";

/** Why one item failed; the code goes into its callback. */
export class ItemError extends Error {
  constructor(
    readonly code: ItemErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ItemError";
  }
}

/** A failure worth trying again: a 5xx, 408/429, a timeout or a dropped connection. */
export class TransientError extends Error {
  override name = "TransientError";
}
