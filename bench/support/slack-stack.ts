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
  /** The naive bot (bench/naive-bot) on its own database of the same store, when asked for. */
  naive?: SpawnedService;
  sink: ResponseSink;
  /** The database the server uses, for checking what it wrote. */
  uri: string;
  /** The processes (the store's only when it is the embedded one), with this one: where the CPU went. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * What the Slack benchmarks run against: the embedded store and the server each in a process of
 * their own (as `npm start` runs them), Slack on, its Web API and response URLs answered by a sink.
 * With MONGODB_URI set, that server is used instead of the embedded store (databases `database`
 * and `<database>_naive` on it). `naive: true` starts the naive bot beside crowdcart.
 */
export async function startSlackStack(
  database: string,
  options: { naive?: boolean } = {},
): Promise<SlackStack> {
  // BENCH_CPU_PROF=<dir>: the servers write V8 CPU profiles there when they exit,
  // `crowdcart.cpuprofile` and `naive.cpuprofile` (bench/profile-summary.ts reads them).
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = (name: string) =>
    profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const external = process.env.MONGODB_URI;
  const store = external ? undefined : await startEmbeddedMongo();
  const sink = await startResponseSink();
  const uri = withDatabase(external ?? store!.uri, database);
  const service = await spawnService(
    {
      MONGODB_URI: uri,
      SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
      SLACK_BOT_TOKEN: "xoxb-bench-token",
      SLACK_API_URL: `${sink.base}/api/`,
      PLAYGROUND: "false",
    },
    30_000,
    [...SERVER_NODE_ARGS, ...profile("crowdcart")],
  );
  const naive = options.naive
    ? await spawnService(
        {
          MONGODB_URI: withDatabase(external ?? store!.uri, `${database}_naive`),
          SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
        },
        30_000,
        [...SERVER_NODE_ARGS, ...profile("naive")],
        join(__dirname, "..", "naive-bot", "main.ts"),
      )
    : undefined;
  // A server that dies mid-run would otherwise show only as a missing /proc entry: say which, and why.
  let stopping = false;
  for (const [name, spawned] of [
    ["crowdcart", service],
    ["naive bot", naive],
  ] as const) {
    void spawned?.exited.then((code) => {
      if (!stopping)
        console.error(`${name} exited (${code}) during the run:\n${spawned.output.slice(-15).join("\n")}`);
    });
  }
  return {
    service,
    ...(naive ? { naive } : {}),
    sink,
    uri,
    pids: {
      server: service.child.pid!,
      ...(naive ? { "naive bot": naive.child.pid! } : {}),
      ...(store ? { store: store.pid! } : {}),
      client: process.pid,
    },
    async stop() {
      stopping = true;
      for (const child of [service, naive]) child?.child.kill("SIGTERM");
      await Promise.all([service.exited, naive?.exited]);
      await sink.close();
      await store?.stop();
    },
  };
}

/** The same server, another database: the path of a mongodb:// URI names the database. */
function withDatabase(uri: string, database: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?/, `$1/${database}`);
}
