// worker/.dev.vars: the local secrets the Worker and the GPU worker share.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { WORKER_DIR } from "./paths";
import { log } from "./services";

function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/** Secrets local dev never copies from the example: each checkout generates its own (docs/trust.md). */
const GENERATED_SECRETS = [
  "JWT_SECRET",
  "GPU_CALLBACK_SECRET",
  "ADMIN_SECRET",
  "QUEUE_TOKEN",
  // The local S3 endpoint's keys: the old fixed example values are under 32 characters, so they are replaced.
  "STORAGE_ACCESS_KEY",
  "STORAGE_SECRET_KEY",
];
/** 48 random characters, over the 32 every service requires of a secret. */
const randomSecret = () => randomBytes(36).toString("base64url");

/** The example's `NAME=value` line, or a fresh random value for a secret. */
const devVarLine = (name: string, exampleValue: string) =>
  `${name}=${GENERATED_SECRETS.includes(name) ? randomSecret() : exampleValue}`;

/** worker/.dev.vars, created from the example when absent (secrets generated at random), and given any
 *  variable the example gained since it was created (e.g. QUEUE_TOKEN), so an old copy keeps working. */
export function ensureDevVars(): Record<string, string> {
  const devVars = path.join(WORKER_DIR, ".dev.vars");
  const examplePath = path.join(WORKER_DIR, ".dev.vars.example");
  if (!existsSync(devVars)) {
    const lines = readFileSync(examplePath, "utf8")
      .split("\n")
      .map((line) => {
        const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
        return match ? devVarLine(match[1]!, match[2]!) : line;
      });
    writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
    log("dev", "created worker/.dev.vars from worker/.dev.vars.example, with random secrets");
  }
  // A copy made before secrets had to be 32 characters holds the old short example values.
  const before = parseDotenv(readFileSync(devVars, "utf8"));
  const short = GENERATED_SECRETS.filter((name) => name in before && before[name]!.length < 32);
  if (short.length > 0) {
    const lines = readFileSync(devVars, "utf8")
      .split("\n")
      .map((line) => {
        const name = /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1];
        return name && short.includes(name) ? devVarLine(name, "") : line;
      });
    writeFileSync(devVars, lines.join("\n"), { mode: 0o600 });
    log("dev", `replaced ${short.join(", ")} in worker/.dev.vars: under 32 characters, now random`);
  }
  const example = parseDotenv(readFileSync(examplePath, "utf8"));
  const current = parseDotenv(readFileSync(devVars, "utf8"));
  const missing = Object.keys(example).filter((name) => !(name in current));
  if (missing.length > 0) {
    const lines = missing.map((name) => devVarLine(name, example[name]!));
    appendFileSync(devVars, `\n# Added by npm run dev from .dev.vars.example\n${lines.join("\n")}\n`);
    log("dev", `added ${missing.join(", ")} to worker/.dev.vars from the example`);
  }
  return { ...example, ...parseDotenv(readFileSync(devVars, "utf8")) };
}
