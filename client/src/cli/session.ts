// Who the CLI acts as: S3_TOKEN when set, else a token kept per API in the user's config folder
// ($XDG_CONFIG_HOME/s3/tokens.json, else ~/.config/s3/tokens.json), else a new anonymous user (POST /auth/anon).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiError, createApiClient, unwrap, type ApiClient, type Me } from "../index";

interface Saved {
  user_id: string;
  token: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "s3");
}

export function tokensFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), "tokens.json");
}

function readTokens(file: string): Record<string, Saved> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, Saved>;
  } catch {
    return {};
  }
}

function saveToken(file: string, api: string, saved: Saved | undefined): void {
  const tokens = readTokens(file);
  if (saved) tokens[api] = saved;
  else delete tokens[api];
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
}

export interface Session {
  api: ApiClient;
  me: Me;
}

/** A client with a token the API takes: a cached one it refuses (expired, another secret) is replaced once. */
export async function openSession(baseUrl: string, log: (line: string) => void, env = process.env): Promise<Session> {
  const file = tokensFile(env);
  let token = env.S3_TOKEN || readTokens(file)[baseUrl]?.token;
  const api = createApiClient({ baseUrl, token: () => token });
  const signIn = async () => {
    const user = await unwrap(api.POST("/auth/anon"));
    token = user.token;
    saveToken(file, baseUrl, user);
    log(`signed in as a new anonymous user ${user.user_id} (token kept in ${file})`);
  };
  if (!token) await signIn();
  try {
    return { api, me: await unwrap(api.GET("/me")) };
  } catch (error) {
    const stale = error instanceof ApiError && (error.code === "TOKEN_EXPIRED" || error.code === "TOKEN_INVALID");
    if (!stale || env.S3_TOKEN) throw error;
    saveToken(file, baseUrl, undefined);
    await signIn();
    return { api, me: await unwrap(api.GET("/me")) };
  }
}
