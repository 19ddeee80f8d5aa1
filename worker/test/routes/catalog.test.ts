/// <reference types="vite/client" />
// Every code of the error catalog (docs/architecture.md) is reached by some route or middleware test: a code added to
// the catalog without a test that provokes it fails here.
import { expect, it } from "vitest";
import { ERROR_STATUS, type ErrorCode } from "@s3/contract";

const sources = import.meta.glob<string>(["./*.test.ts", "../middleware/*.test.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});
/** `expectError(response, 402, "CODE")`, with or without the trailing comma Prettier adds when it wraps the call. */
const EXPECT_ERROR = /expectError\([\s\S]*?,\s*(\d{3}),\s*"([A-Z_]+)",?\s*\)/g;

it("every error code in the catalog is asserted by a route test", () => {
  const asserted = new Set<string>();
  for (const source of Object.values(sources)) {
    for (const match of source.matchAll(EXPECT_ERROR)) asserted.add(match[2]!);
    // The 500 is asserted on a raw response (no envelope helper): count its explicit check.
    if (source.includes('toBe("INTERNAL_ERROR")')) asserted.add("INTERNAL_ERROR");
  }
  const missing = (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => !asserted.has(code));
  expect(missing).toEqual([]);
});
