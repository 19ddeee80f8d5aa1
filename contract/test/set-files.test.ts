import { describe, expect, it } from "vitest";
import {
  packPart,
  SET_PART_PATTERN,
  SET_ROLES,
  setFileContentType,
  setFileExt,
  setFileKey,
  setFileSchema,
  storageKeys,
  variantParts,
} from "../src";

const ids = { user: "u_a", job: "job_b", idx: 3 };

describe("set-file naming", () => {
  it("stores results and variants as png, every other set image as jpg", () => {
    const exts = Object.fromEntries(SET_ROLES.map((role) => [role, setFileExt(role)]));
    expect(exts).toEqual({
      result: "png",
      preview: "jpg",
      variant: "png",
      options: "jpg",
      before_after: "jpg",
      share_card: "jpg",
      pack: "jpg",
      board: "jpg",
      thumbnail: "jpg",
    });
    for (const role of SET_ROLES) {
      expect(setFileContentType(role)).toBe(setFileExt(role) === "png" ? "image/png" : "image/jpeg");
    }
  });

  it("keys a set file by template slug, photo, part and the role's extension", () => {
    expect(setFileKey(ids, "three_options", "variant", "modern")).toBe("sets/u_a/job_b/3_three_options_modern.png");
    expect(setFileKey(ids, "thumbnails", "thumbnail", "1080x1350")).toBe(
      storageKeys.set("u_a", "job_b", 3, "thumbnails", "1080x1350", "jpg"),
    );
  });

  it("names the product pack's squares by position", () => {
    expect([0, 1, 4, 5, 6, 7, 9].map(packPart)).toEqual([
      "main",
      "detail_1",
      "detail_4",
      "wearing",
      "package",
      "extra_1",
      "extra_3",
    ]);
  });

  it("gives variants ASCII parts, falling back to variant_N where a name is empty or repeated", () => {
    expect(variantParts(["Warm Oak", "회색", "Navy!", "navy"])).toEqual([
      "warm_oak",
      "variant_2",
      "variant_3",
      "variant_4",
    ]);
    for (const part of variantParts(["A".repeat(40), "b"])) expect(part).toMatch(SET_PART_PATTERN);
  });

  it("refuses a reported file whose part could leave its key's folder", () => {
    const file = {
      role: "variant",
      part: "modern",
      variant: "modern",
      key: "k",
      width: 1,
      height: 1,
      bytes: 0,
      content_type: "image/png",
    };
    expect(setFileSchema.safeParse(file).success).toBe(true);
    expect(setFileSchema.safeParse({ ...file, part: "../x" }).success).toBe(false);
  });
});
