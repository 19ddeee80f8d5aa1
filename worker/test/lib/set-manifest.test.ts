// The set's list from the coordinator's state (docs/sets.md): done items only, result and preview first,
// then the reported files in order, ZIP names by role, part null where the role says it all.
import { describe, expect, it } from "vitest";
import { storageKeys } from "@s3/contract";
import type { ItemSetFile, JobView } from "../../src/rpc";
import { setEntries } from "../../src/lib/set-manifest";
import { photoStems } from "../../src/lib/set-names";

const [U, J] = ["u_test", "job_test"];
const item = (idx: number, status: "done" | "failed" | "pending") => ({
  idx,
  status,
  input_key: storageKeys.input(U, J, idx),
  output_key: storageKeys.output(U, J, idx),
  preview_key: storageKeys.preview(U, J, idx),
  error: status === "failed" ? "SEGMENT_FAILED" : null,
  report: null,
  scan_report: null,
  input: null,
  pin: null,
  hints: null,
});
const file = (idx: number, role: ItemSetFile["role"], part: string): ItemSetFile => ({
  idx,
  role,
  part,
  variant: role === "variant" ? part.toUpperCase() : null,
  key: storageKeys.set(U, J, idx, "three_options", part, role === "variant" ? "png" : "jpg"),
  width: 10,
  height: 20,
  bytes: 30,
  content_type: role === "variant" ? "image/png" : "image/jpeg",
});

describe("setEntries", () => {
  it("lists each done item's result, preview and reported files; failed and pending items have none", () => {
    const job: Pick<JobView, "items"> = { items: [item(0, "failed"), item(1, "done"), item(2, "pending")] };
    const files = [file(1, "variant", "modern"), file(1, "options", "options"), file(0, "options", "options")];
    expect(
      setEntries(job, files).map(({ idx, role, part, variant, name, bytes }) => ({
        idx,
        role,
        part,
        variant,
        name,
        bytes,
      })),
    ).toEqual([
      { idx: 1, role: "result", part: null, variant: null, name: "result/photo-2_result.png", bytes: null },
      { idx: 1, role: "preview", part: null, variant: null, name: "preview/photo-2_preview.jpg", bytes: null },
      {
        idx: 1,
        role: "variant",
        part: "modern",
        variant: "MODERN",
        name: "variant/photo-2_modern.png",
        bytes: 30,
      },
      { idx: 1, role: "options", part: null, variant: null, name: "options/photo-2_options.jpg", bytes: 30 },
    ]);
  });

  it("names each photo's files after its file name, safe for a ZIP and never twice the same", () => {
    const job: Pick<JobView, "items"> = { items: [item(0, "done"), item(1, "done")] };
    const names = setEntries(job, [file(1, "variant", "modern")], ["C:\\shots\\Living Room.JPG", "living-room.png"]);
    expect(names.map((entry) => entry.name)).toEqual([
      "result/Living-Room_result.png",
      "preview/Living-Room_preview.jpg",
      "result/living-room-2_result.png",
      "preview/living-room-2_preview.jpg",
      "variant/living-room-2_modern.png",
    ]);
    expect(
      photoStems(["../../etc/passwd", 'a<b>:"c|?*.jpg', ".hidden", "거실 사진.heic", "tab\there.jpg", undefined], 7),
    ).toEqual(["passwd", "a-b-c", "hidden", "거실-사진", "tab-here", "photo-6", "photo-7"]);
  });
});
