import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSession, tokensFile } from "../src/cli/session";
import { fakeApi, sendData, sendError, type FakeApi } from "./fake-api";

let server: FakeApi | undefined;
afterEach(async () => server?.close());

/** /auth/anon hands out tok1, tok2, …; /me takes only the latest one. */
async function authApi(): Promise<FakeApi> {
  let issued = 0;
  return fakeApi({
    "POST /auth/anon": (_request, response) => {
      issued += 1;
      sendData(response, { user_id: `u_${issued}`, token: `tok${issued}` });
    },
    "GET /me": (request, response) => {
      if (request.headers.authorization !== `Bearer tok${issued}`) sendError(response, 401, "TOKEN_EXPIRED", "old");
      else sendData(response, { user_id: `u_${issued}`, plan: "free", credits: 10, active_jobs: 0, rule_slots: {} });
    },
  });
}

describe("the CLI's token cache", () => {
  it("signs in once per API and keeps the token in $XDG_CONFIG_HOME/s3, readable by the user only", async () => {
    server = await authApi();
    const env = { XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), "s3-config-")) };
    const lines: string[] = [];
    expect((await openSession(server.url, (line) => lines.push(line), env)).me.user_id).toBe("u_1");
    expect((await openSession(server.url, (line) => lines.push(line), env)).me.user_id).toBe("u_1");
    expect(server.seen.filter((request) => request.path === "/auth/anon")).toHaveLength(1);
    const file = tokensFile(env);
    expect(file).toBe(path.join(env.XDG_CONFIG_HOME, "s3", "tokens.json"));
    expect(JSON.parse(readFileSync(file, "utf8"))[server.url]).toEqual({ user_id: "u_1", token: "tok1" });
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it("replaces a cached token the API no longer takes", async () => {
    server = await authApi();
    const env = { XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), "s3-config-")) };
    await openSession(server.url, () => {}, env);
    // Another client of the same API signs in: tok1 is now refused with TOKEN_EXPIRED.
    await fetch(`${server.url}/auth/anon`, { method: "POST" });
    const session = await openSession(server.url, () => {}, env);
    expect(session.me.user_id).toBe("u_3");
    expect(JSON.parse(readFileSync(tokensFile(env), "utf8"))[server.url].token).toBe("tok3");
  });

  it("uses S3_TOKEN as given and never signs in instead of it", async () => {
    server = await authApi();
    const env = { XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), "s3-config-")), S3_TOKEN: "someone-elses" };
    await expect(openSession(server.url, () => {}, env)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    expect(server.seen.some((request) => request.path === "/auth/anon")).toBe(false);
  });
});
