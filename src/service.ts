import { MENTION_SYNTAX, PLATFORMS, platformsOnPage } from "../adapters";
import { COMMANDS } from "../commands";
import { createApp, type Mount } from "./app";
import { createProcessedEvents } from "./chat/processed-events";
import { type ChatRouter, createRouter } from "./chat/router";
import { createSeenChannels } from "./chat/seen-channels";
import { type Clock, systemClock } from "./clock";
import type { Config } from "./config";
import { connectDatabase, type Database, openDatabase } from "./db/database";
import { createEngine, type Engine, type EngineDeps } from "./engine";
import type { Logger } from "./logger";
import { createMetrics } from "./metrics";
import { paymentMounts, paymentProvider } from "./payment-mounts";
import type { AdapterContext, ChatAdapter } from "./platform";
import { listen } from "./server";
import { createStorefront, type Storefront } from "./storefront";
import { createWebRouter, engineCartViews, engineGroupViews } from "./web";

export interface Service {
  port: number;
  publicUrl: string;
  db: Database;
  engine: Engine;
  chat: ChatRouter;
  /** Graceful: stop accepting, finish in-flight requests, stop workers, close the database. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** Use this already-running database (tests); otherwise resolve one from the config. */
  mongodbUri?: string;
  /** Tests move time by hand. */
  clock?: Clock;
  /** Engine tuning for tests (e.g. a fast outbox poll). */
  engine?: Partial<Pick<EngineDeps, "outbox" | "sweepIntervalMs">>;
  /** This storefront instead of the one the config chose (tests). */
  storefront?: Storefront;
}

/**
 * The composition root: storefront, database, engine, chat router, then every platform that is
 * on, then the HTTP server. The port is taken first (with PORT=0 it names the public URL), but requests are
 * answered only once everything is built: until then the server says it is starting.
 */
export async function startService(
  config: Config,
  log: Logger,
  options: ServiceOptions = {},
): Promise<Service> {
  const clock = options.clock ?? systemClock;
  // First: a storefront that cannot be built leaves nothing open behind it.
  const storefront = options.storefront ?? createStorefront(config.storefront, { log, clock });
  const db = options.mongodbUri
    ? await connectDatabase(options.mongodbUri, "mongodb")
    : await openDatabase(config.mongodbUri, log, config.dataDir);
  const running = await listen(undefined, config.port);
  const publicUrl = config.publicUrl ?? `http://localhost:${running.port}`;

  const engine = createEngine({
    connection: db.connection,
    clock,
    log,
    publicUrl,
    groupTtlMs: config.groupTtlMs,
    waitlistConfirmMs: config.waitlistConfirmMs,
    session: config.session,
    storefront,
    payments: {
      provider: paymentProvider(config.payments, () => publicUrl),
      windowMs: config.payments.windowMs,
    },
    ...options.engine,
    outbox: { retentionMs: config.outboxRetentionMs, ...options.engine?.outbox },
  });
  const router = createRouter({
    engine,
    commands: COMMANDS,
    events: createProcessedEvents(db.connection, clock),
    channels: createSeenChannels(db.connection, clock),
    clock,
    log,
    publicUrl,
    mentions: MENTION_SYNTAX,
  });
  const ctx: AdapterContext = {
    router,
    users: engine.users,
    connection: db.connection,
    clock,
    log,
    publicUrl,
  };
  const adapters = new Map<string, ChatAdapter>();
  for (const platform of PLATFORMS) {
    const settings = config.platforms[platform.id];
    if (settings?.enabled) adapters.set(platform.id, platform.create(settings, ctx));
  }
  for (const adapter of adapters.values()) engine.registerMessenger(adapter.messenger);
  try {
    await engine.start();
  } catch (error) {
    await running.close(0);
    await storefront.stop();
    await db.close();
    throw error;
  }

  // The group and cart pages (/g, /s, /assets), with every platform's way to join a group.
  const web = createWebRouter({
    groups: engineGroupViews(engine.groups),
    carts: engineCartViews(engine.carts),
    clock,
    log,
    publicUrl: () => publicUrl,
    platforms: platformsOnPage(config.platforms),
  });
  const mounts: Mount[] = [
    ...[...adapters.values()].flatMap((adapter) => adapter.mounts),
    ...paymentMounts(config.payments, engine, log),
    ...storefront.mounts,
    { path: "/", router: web },
  ];
  running.serve(createApp({ log, metrics: createMetrics(), healthy: () => db.ping(), mounts }));
  // A platform that cannot be reached at start is logged, not fatal: the rest of crowdcart still works.
  for (const [platform, adapter] of adapters) {
    await adapter
      .start()
      .catch((error: unknown) => log.error({ err: error }, `${platform} adapter did not start`));
  }
  log.info({ port: running.port, url: publicUrl }, `crowdcart listening on ${publicUrl}`);

  let stopping: Promise<void> | undefined;
  return {
    port: running.port,
    publicUrl,
    db,
    engine,
    chat: router,
    stop: () => {
      stopping ??= (async () => {
        await running.close();
        for (const adapter of adapters.values()) await adapter.stop();
        await engine.stop();
        await storefront.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
