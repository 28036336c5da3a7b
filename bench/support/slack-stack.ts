import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startEmbeddedMongo } from "../../embedded-mongo";
import { type SpawnedService, spawnService } from "../../test/support/spawn-service";
import { type ResponseSink, startResponseSink } from "./response-sink";
import { BENCH_SIGNING_SECRET } from "./slack-request";

/** The V8 flags `npm start` gives the server (package.json), so the server is measured as it runs. */
const SERVER_NODE_ARGS = startScriptV8Flags();

function startScriptV8Flags(): string[] {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((word) => /^--max-[a-z-]+=\d+$/.test(word));
}

export interface SlackStack {
  service: SpawnedService;
  sink: ResponseSink;
  /** The database the server uses, for checking what it wrote. */
  uri: string;
  /** The store's and the server's processes, with this one: where the CPU went. */
  pids: { server: number; store: number; client: number };
  stop(): Promise<void>;
}

/**
 * What the Slack benchmarks run against: the embedded store and the server each in a process of
 * their own (as `npm start` runs them), Slack on, its Web API and response URLs answered by a sink.
 */
export async function startSlackStack(database: string): Promise<SlackStack> {
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it exits (bench/profile-summary.ts reads it).
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const store = await startEmbeddedMongo();
  const sink = await startResponseSink();
  const uri = store.uri.replace("/?", `/${database}?`);
  const service = await spawnService(
    {
      MONGODB_URI: uri,
      SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
      SLACK_BOT_TOKEN: "xoxb-bench-token",
      SLACK_API_URL: `${sink.base}/api/`,
      PLAYGROUND: "false",
    },
    30_000,
    [...SERVER_NODE_ARGS, ...profile],
  );
  return {
    service,
    sink,
    uri,
    pids: { server: service.child.pid!, store: store.pid!, client: process.pid },
    async stop() {
      service.child.kill("SIGTERM");
      await service.exited;
      await sink.close();
      await store.stop();
    },
  };
}
