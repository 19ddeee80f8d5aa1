import { describe, expect, it } from "vitest";
import {
  callbackBodySchema,
  findPreset,
  foreignItemKey,
  hintProblem,
  hintsSchema,
  queueMessageSchema,
  scanTargets,
  setFileContentType,
  setFileKey,
  storageKeys,
} from "../src";
import { queueMessage } from "../src/testing";

const sha = "a".repeat(64);

describe("output formats", () => {
  it("name the result's key and a variant's by format, and leave the other set images JPEG", () => {
    expect(storageKeys.output("u_a", "job_b", 3)).toBe("outputs/u_a/job_b/3_result.png");
    expect(storageKeys.output("u_a", "job_b", 3, "jpeg")).toBe("outputs/u_a/job_b/3_result.jpg");
    expect(storageKeys.output("u_a", "job_b", 3, "webp")).toBe("outputs/u_a/job_b/3_result.webp");
    const ids = { user: "u_a", job: "job_b", idx: 0 };
    expect(setFileKey(ids, "option_board", "variant", "red", "webp")).toBe("sets/u_a/job_b/0_option_board_red.webp");
    expect(setFileKey(ids, "option_board", "board", "board", "webp")).toBe("sets/u_a/job_b/0_option_board_board.jpg");
    expect(setFileContentType("variant", "webp")).toBe("image/webp");
    expect(setFileContentType("board", "webp")).toBe("image/jpeg");
  });

  it("default to png in the queue message and refuse any other format", () => {
    const { output_format: _omitted, ...message } = queueMessage();
    expect(queueMessageSchema.parse(message).output_format).toBe("png");
    expect(queueMessageSchema.safeParse({ ...message, output_format: "gif" }).success).toBe(false);
  });

  it("make the item's own output key the one of the job's format", () => {
    const jpeg = storageKeys.output("u_a", "job_b", 0, "jpeg");
    expect(foreignItemKey({ output_key: jpeg }, "u_a", "job_b", 0, "jpeg")).toBeNull();
    expect(foreignItemKey({ output_key: jpeg }, "u_a", "job_b", 0)).toBe(jpeg);
  });
});

describe("the mask cache's keys", () => {
  it("lie under cache/{user}/{sha256}/{segmenter version}/", () => {
    expect(storageKeys.cachePrefix("u_a", sha, "sam3@2025-11")).toBe(`cache/u_a/${sha}/sam3@2025-11/`);
    expect(storageKeys.cachePrefix("u_a", sha)).toBe(`cache/u_a/${sha}/`);
    expect(storageKeys.cacheObject("u_a", sha, "cpu-stand-in@3", "wall.json")).toBe(
      `cache/u_a/${sha}/cpu-stand-in@3/wall.json`,
    );
  });

  it("refuse segments that could leave the user's folder", () => {
    expect(() => storageKeys.cachePrefix("u_a/../u_b", sha)).toThrow();
    expect(() => storageKeys.cachePrefix("u_a", "../" + sha.slice(3))).toThrow();
    expect(() => storageKeys.cachePrefix("u_a", sha, "..")).toThrow();
    expect(() => storageKeys.cacheObject("u_a", sha, "v1", "a/b")).toThrow();
  });
});

describe("hints", () => {
  const ok = {
    "0": {
      Wall: {
        boxes: [[10, 20, 300, 400]],
        points: [
          [50, 60, 1],
          [70, 80, 0],
        ],
      },
    },
  };

  it("take boxes and points in pixel coordinates", () => {
    expect(hintsSchema.safeParse(ok).success).toBe(true);
  });

  it.each([
    ["an inverted box", { "0": { Wall: { boxes: [[300, 20, 10, 400]] } } }],
    ["a box of three numbers", { "0": { Wall: { boxes: [[1, 2, 3]] } } }],
    ["a negative coordinate", { "0": { Wall: { points: [[-1, 2, 1]] } } }],
    ["a point labelled 2", { "0": { Wall: { points: [[1, 2, 2]] } } }],
    ["a hint with neither boxes nor points", { "0": { Wall: {} } }],
    ["an unknown field", { "0": { Wall: { boxes: [[1, 2, 3, 4]], masks: [] } } }],
    ["an index that is not a number", { first: { Wall: { boxes: [[1, 2, 3, 4]] } } }],
    ["an index with a leading zero", { "01": { Wall: { boxes: [[1, 2, 3, 4]] } } }],
  ])("refuse %s", (_name, hints) => {
    expect(hintsSchema.safeParse(hints).success).toBe(false);
  });

  it("name an index outside the job, a concept outside it and a point outside a known photo size", () => {
    const job = { itemCount: 2, concepts: ["Wall", "Floor"], photoSize: () => ({ width: 200, height: 500 }) };
    const parse = (hints: unknown) => hintsSchema.parse(hints);
    expect(hintProblem(parse({ "2": { Wall: { points: [[1, 1, 1]] } } }), job)?.field).toBe("hints.2");
    expect(hintProblem(parse({ "1": { Door: { points: [[1, 1, 1]] } } }), job)?.field).toBe("hints.1.Door");
    expect(hintProblem(parse(ok), job)?.field).toBe("hints.0.Wall.boxes.0");
    expect(hintProblem(parse({ "0": { Wall: { boxes: [[0, 0, 200, 500]] } } }), job)).toBeNull();
    expect(hintProblem(parse(ok), { ...job, photoSize: () => null })).toBeNull();
  });

  it("travel per item in the queue message", () => {
    const message = queueMessage();
    const items = message.items.map((item) => ({ ...item, hints: ok["0"] }));
    expect(queueMessageSchema.parse({ ...message, items }).items[0]?.hints).toEqual(ok["0"]);
  });
});

describe("a scan", () => {
  it("splits the preset's concepts from its protect defaults, all of them by default", () => {
    const interior = findPreset("interior")!;
    const all = scanTargets(interior);
    expect(all.protect).toEqual([...interior.protect_defaults]);
    expect(all.concepts).toContain("Wall");
    expect(all.concepts).not.toContain("Grout");
    expect(scanTargets(interior, ["Floor", "Grout"])).toEqual({ concepts: ["Floor"], protect: ["Grout"] });
  });

  it("is a queue message with scan set and no rule", () => {
    const message = queueMessage({ concepts: {}, scan: { id: 1, concepts: ["Wall"] } });
    expect(queueMessageSchema.safeParse(message).success).toBe(true);
    expect(queueMessageSchema.safeParse({ ...message, scan: { id: 0, concepts: [] } }).success).toBe(false);
  });

  it("reports per item with a scan report and no output keys", () => {
    const body = callbackBodySchema.parse({
      idx: 0,
      status: "done",
      scan_id: 2,
      report: {
        segmented: "model",
        segmenter: "cpu-stand-in@3",
        concepts: { Wall: { instances: 1, area_pct: 40, score: 1 } },
        protect: { Grout: { instances: 0, area_pct: 0 } },
        flags: [],
      },
      input: { sha256: sha, width: 4000, height: 3000, segmenter_version: "cpu-stand-in@3" },
    });
    expect(body.report?.concepts.Wall?.instances).toBe(1);
    expect(body.input?.sha256).toBe(sha);
    expect(callbackBodySchema.safeParse({ idx: 0, status: "done" }).success).toBe(false);
  });

  it("reads a malformed input description as absent, never refusing the callback", () => {
    const body = callbackBodySchema.parse({ idx: 0, status: "failed", input: { sha256: "not hex" } });
    expect(body.input).toBeUndefined();
  });
});
