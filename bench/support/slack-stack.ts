import { startEmbeddedMongo } from "../../src/db/embedded-mongo";
import { type SpawnedService, spawnService } from "../../test/support/spawn-service";
import { type ResponseSink, startResponseSink } from "./response-sink";
import { BENCH_SIGNING_SECRET } from "./slack-request";

/** The same V8 flags `npm start` gives the server (package.json), so memory is measured as run. */
const SERVER_NODE_ARGS = ["--max-old-space-size=192"];

export interface SlackStack {
  service: SpawnedService;
  sink: ResponseSink;
  /** The database the server uses, for checking what it wrote. */
  uri: string;
  stop(): Promise<void>;
}

/**
 * What the Slack benchmarks run against: the embedded store and the server each in a process of
 * their own (as `npm start` runs them), Slack on, its Web API and response URLs answered by a sink.
 */
export async function startSlackStack(database: string, extraNodeArgs: string[] = []): Promise<SlackStack> {
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
    [...SERVER_NODE_ARGS, ...extraNodeArgs],
  );
  return {
    service,
    sink,
    uri,
    async stop() {
      service.child.kill("SIGTERM");
      await service.exited;
      await sink.close();
      await store.stop();
    },
  };
}
