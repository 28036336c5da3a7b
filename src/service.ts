import { createApp, type Mount } from "./app";
import type { Config } from "./config";
import { connectDatabase, type Database, openDatabase } from "./db/database";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import { listen } from "./server";

export interface Service {
  port: number;
  publicUrl: string;
  db: Database;
  /** Graceful: stop accepting, finish in-flight requests, stop workers, close the database. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Use this already-running database (tests); otherwise resolve one from the config. */
  mongodbUri?: string;
}

/** The composition root: config, logger, database, engine, adapters and the HTTP server, wired once. */
export async function startService(
  config: Config,
  log: Logger,
  options: ServiceOptions = {},
): Promise<Service> {
  const db = options.mongodbUri
    ? await connectDatabase(options.mongodbUri, "mongodb")
    : await openDatabase(config.mongodbUri, log);
  const metrics = createMetrics();
  const mounts: Mount[] = [];
  const app = createApp({ log, metrics, healthy: () => db.ping(), mounts });
  const running = await listen(app, config.port);
  const publicUrl = config.publicUrl ?? `http://localhost:${running.port}`;
  log.info({ port: running.port, url: publicUrl }, `crowdcart listening on ${publicUrl}`);

  let stopping: Promise<void> | undefined;
  return {
    port: running.port,
    publicUrl,
    db,
    stop: () => {
      stopping ??= (async () => {
        await running.close();
        await db.close();
      })();
      return stopping;
    },
  };
}
