// `npm run bench:api`: autocannon against the local API (50 connections, ~10 s per route).
// Measures GET /health, GET /jobs/{id} (the caller's own job) and a POST /jobs + cancel
// cycle, and prints req/s, p50/p99 and each route's throughput relative to /health measured
// in the same run. Target: GET /jobs/{id} ≥ 0.33 × /health.
// Starts the local API itself (as `npm run dev` does) when nothing answers on 127.0.0.1:8787.
// @ts-expect-error autocannon ships no type declarations; the slice used here is typed below.
import autocannonUntyped from "autocannon";
import { signInAnonymously, unwrap } from "@s3/client";
import { API_URL, isApiUp, setPlan, startApi, stopAll } from "./stack";

const CONNECTIONS = 50;
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 10);
const TARGET_JOB_RATIO = 0.33;
/** Pro users for the create+cancel cycle: 3 concurrent jobs each, so 20 cover 50 connections. */
const CYCLE_USERS = 20;

type Context = Record<string, unknown>;
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface CannonOptions {
  url: string;
  connections?: number;
  duration?: number;
  headers?: Record<string, string>;
  requests?: (CannonRequest & {
    setupRequest?: (request: CannonRequest, context: Context) => CannonRequest | null;
    onResponse?: (status: number, body: string, context: Context) => void;
  })[];
}
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const autocannon = autocannonUntyped as (options: CannonOptions) => Promise<CannonResult>;

interface Row {
  route: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const newUser = () => signInAnonymously({ baseUrl: API_URL });

async function run(route: string, options: CannonOptions): Promise<Row> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_SEC, ...options });
  return {
    route,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const startedHere = !(await isApiUp());
  if (startedHere) {
    process.stdout.write("bench: starting the local API…\n");
    await startApi({ quiet: true });
  }
  try {
    const reader = await newUser();
    const job = await unwrap(reader.api.POST("/jobs", { body: { preset: "interior", item_count: 1 } }));

    // Tickets: one per concurrent job a cycle user may hold; a cycle takes one and gives it back on cancel.
    const tickets: string[] = [];
    for (let i = 0; i < CYCLE_USERS; i++) {
      const user = await newUser();
      await setPlan(API_URL, user.user_id, "pro", 1_000_000);
      tickets.push(user.token, user.token, user.token);
    }

    const rows: Row[] = [];
    rows.push(await run("GET /health", { url: `${API_URL}/health` }));
    rows.push(
      await run("GET /jobs/{id}", {
        url: `${API_URL}/jobs/${job.job_id}`,
        headers: { Authorization: `Bearer ${reader.token}` },
      }),
    );
    const cycle = await run("POST /jobs + cancel", {
      url: API_URL,
      requests: [
        {
          method: "POST",
          path: "/jobs",
          setupRequest: (request, context) => {
            const token = tickets.shift();
            if (!token) throw new Error("no cycle user free: raise CYCLE_USERS");
            context.token = token;
            return {
              ...request,
              headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
              body: JSON.stringify({ preset: "interior", item_count: 1 }),
            };
          },
          onResponse: (status, body, context) => {
            if (status === 200) context.jobId = (JSON.parse(body) as { data: { job_id: string } }).data.job_id;
            else tickets.push(context.token as string);
          },
        },
        {
          method: "POST",
          setupRequest: (request, context) =>
            context.jobId
              ? {
                  ...request,
                  path: `/jobs/${context.jobId}/cancel`,
                  headers: { Authorization: `Bearer ${context.token}` },
                  body: undefined,
                }
              : null,
          onResponse: (_status, _body, context) => {
            tickets.push(context.token as string);
          },
        },
      ],
    });
    rows.push(cycle);

    const health = rows[0]!.reqPerSec;
    process.stdout.write(`\nautocannon, ${CONNECTIONS} connections, ${DURATION_SEC} s per route, against ${API_URL}\n`);
    process.stdout.write(
      `${"route".padEnd(22)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}` +
        `${"non-2xx".padStart(9)}${"errors".padStart(8)}${"× /health".padStart(11)}\n`,
    );
    for (const row of rows) {
      process.stdout.write(
        `${row.route.padEnd(22)}${row.reqPerSec.toFixed(0).padStart(9)}${String(row.p50).padStart(9)}` +
          `${String(row.p99).padStart(9)}${String(row.non2xx).padStart(9)}` +
          `${String(row.errors).padStart(8)}${(row.reqPerSec / health).toFixed(2).padStart(11)}\n`,
      );
    }
    process.stdout.write(
      `(the cycle row counts both requests; ${(cycle.reqPerSec / 2).toFixed(0)} create+cancel cycles/s)\n`,
    );
    const ratio = rows[1]!.reqPerSec / health;
    process.stdout.write(
      `GET /jobs/{id} / GET /health = ${ratio.toFixed(2)} (target ≥ ${TARGET_JOB_RATIO}): ` +
        `${ratio >= TARGET_JOB_RATIO ? "met" : "NOT met"}\n`,
    );
  } finally {
    if (startedHere) await stopAll();
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
