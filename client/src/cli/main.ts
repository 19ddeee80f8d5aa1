// The s3 command line: one whole job (`s3 run`), and the few calls a person makes around it.
import path from "node:path";
import { parseArgs } from "node:util";
import { newIdempotencyKey, unwrap } from "../index";
import { runJob } from "./run";
import { openSession } from "./session";

const USAGE = `usage: s3 <command> [options]

  s3 run <folder> --preset <id> --rule <rule.json | rule id> [--template <slug>] [--out <dir>]
                                 upload the folder's photos, edit them, write the set to --out
                                 (default ./s3-<job id>); --idempotency-key <key> continues an
                                 interrupted run instead of starting a second job
  s3 jobs [--limit <n>]          your latest jobs
  s3 get <job id>                one job, as JSON
  s3 cancel <job id>             cancel a job; credits of items not yet done come back
  s3 webhook-secret [--rotate]   the secret webhook deliveries are signed with

  --api <url>   the API (default $S3_API_URL, else http://127.0.0.1:8787, the local stack)
  The token is $S3_TOKEN, else the one kept for that API in $XDG_CONFIG_HOME/s3/tokens.json
  (~/.config/s3/), else a new anonymous user's.`;

const OPTIONS = {
  api: { type: "string" },
  preset: { type: "string" },
  rule: { type: "string" },
  template: { type: "string" },
  out: { type: "string" },
  "idempotency-key": { type: "string" },
  limit: { type: "string" },
  rotate: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}

// Paths on the command line are the caller's: `npm run s3` runs in the repository root, INIT_CWD where it was typed.
function callerPath(target: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), target);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const one = (what: string) => {
    if (rest.length !== 1) throw new UsageError(`s3 ${command} takes one ${what}`);
    return rest[0]!;
  };
  const baseUrl = (values.api ?? process.env.S3_API_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  const { api } = await openSession(baseUrl, log);
  switch (command) {
    case "run": {
      const folder = one("folder");
      if (!values.preset || !values.rule) throw new UsageError("s3 run needs --preset and --rule");
      const idempotencyKey = values["idempotency-key"] ?? newIdempotencyKey();
      log(`run ${idempotencyKey} (rerun with --idempotency-key ${idempotencyKey} to continue it)`);
      const finished = await runJob(api, {
        folder: callerPath(folder),
        preset: values.preset,
        rule: callerPath(values.rule),
        template: values.template,
        out: (jobId) => callerPath(values.out ?? `s3-${jobId}`),
        idempotencyKey,
        log,
      });
      return finished.status === "done" ? 0 : 1;
    }
    case "jobs": {
      const page = await unwrap(api.GET("/jobs", { params: { query: { limit: Number(values.limit ?? 20) } } }));
      for (const job of page.jobs) {
        const { done, failed, total } = job.progress;
        process.stdout.write(
          `${job.job_id}  ${job.status.padEnd(8)}  ${job.preset.padEnd(9)}  ${String(done + failed).padStart(3)}` +
            `/${String(total).padEnd(3)}  ${(job.output_template_slug ?? "-").padEnd(13)}  ${job.created_at}\n`,
        );
      }
      if (page.jobs.length === 0) log("no jobs yet");
      return 0;
    }
    case "get":
      print(await unwrap(api.GET("/jobs/{id}", { params: { path: { id: one("job id") } } })));
      return 0;
    case "cancel": {
      const header = { "idempotency-key": newIdempotencyKey() };
      print(await unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id: one("job id") }, header } })));
      return 0;
    }
    case "webhook-secret":
      print(await unwrap(values.rotate ? api.POST("/me/webhook-secret") : api.GET("/me/webhook-secret")));
      return 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

export async function cli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    log(`s3: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      log(USAGE);
      process.exitCode = 2;
    } else {
      process.exitCode = 1;
    }
  }
}
