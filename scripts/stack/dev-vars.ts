// worker/.dev.vars: the local secrets the Worker and the GPU worker share.
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
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

/** worker/.dev.vars, created from the example when absent, and given any variable the
 *  example gained since it was created (e.g. QUEUE_TOKEN), so an old copy keeps working. */
export function ensureDevVars(): Record<string, string> {
  const devVars = path.join(WORKER_DIR, ".dev.vars");
  const examplePath = path.join(WORKER_DIR, ".dev.vars.example");
  if (!existsSync(devVars)) {
    copyFileSync(examplePath, devVars);
    log("dev", "created worker/.dev.vars from worker/.dev.vars.example");
  }
  const example = parseDotenv(readFileSync(examplePath, "utf8"));
  const current = parseDotenv(readFileSync(devVars, "utf8"));
  const missing = Object.keys(example).filter((name) => !(name in current));
  if (missing.length > 0) {
    const lines = missing.map((name) => `${name}=${example[name]}`);
    appendFileSync(devVars, `\n# Added by npm run dev from .dev.vars.example\n${lines.join("\n")}\n`);
    log("dev", `added ${missing.join(", ")} to worker/.dev.vars from the example`);
  }
  return { ...example, ...current };
}
