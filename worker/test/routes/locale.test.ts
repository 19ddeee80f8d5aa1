// execute's `locale` (docs/labels.md): the language of the set's captions, carried in the queue message.
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureQueue, call, expectError, expectOk, FLOOR_OAK, newUser, uploadedJob } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

async function executeWith(body: Record<string, unknown>, headers: Record<string, string> = {}, sent = captureQueue()) {
  const user = await newUser();
  const job = await uploadedJob(user, 1);
  const answer = await call("POST", `/jobs/${job.job_id}/execute`, {
    token: user.token,
    json: { concepts: FLOOR_OAK, output_template: "전후비교", ...body },
    headers,
  });
  return { answer, sent };
}

describe("the captions' language", () => {
  it("is the one execute names, whatever the browser asks", async () => {
    const { answer, sent } = await executeWith({ locale: "en" }, { "Accept-Language": "ko-KR,ko;q=0.9" });
    expectOk(answer);
    expect(sent.map((message) => message.locale)).toEqual(["en"]);
  });

  it("follows Accept-Language when execute names none", async () => {
    const { answer, sent } = await executeWith({}, { "Accept-Language": "fr-FR, en-GB;q=0.8, ko;q=0.5" });
    expectOk(answer);
    expect(sent.map((message) => message.locale)).toEqual(["en"]);
  });

  it("is Korean without a locale or a supported Accept-Language", async () => {
    const bare = await executeWith({});
    expectOk(bare.answer);
    expectOk((await executeWith({}, { "Accept-Language": "fr" }, bare.sent)).answer);
    expect(bare.sent.map((message) => message.locale)).toEqual(["ko", "ko"]);
  });

  it("refuses a language the sets do not speak with VALIDATION_ERROR", async () => {
    const { answer, sent } = await executeWith({ locale: "fr" });
    expectError(answer, 400, "VALIDATION_ERROR");
    expect(sent).toEqual([]);
  });
});
