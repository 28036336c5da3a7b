import { createDiscordAdapter } from "../adapters/discord";
import { createPlaygroundAdapter } from "../adapters/playground";
import type * as SlackModule from "../adapters/slack";
import { SlackCommandNames } from "../adapters/slack/command-names";
import { createTelegramAdapter } from "../adapters/telegram";
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
import { listen } from "./server";
import { createWebRouter, lazyEngineViews } from "./web";

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
  /** Slack: how long a command may run and still answer in the acknowledgement (tests set 0). */
  slackInlineReplyMs?: number;
  /** Engine tuning for tests (e.g. a fast outbox poll). */
  engine?: Partial<Pick<EngineDeps, "outbox" | "sweepIntervalMs">>;
}

/** The composition root: config, logger, database, engine, adapters and the HTTP server, wired once. */
export async function startService(
  config: Config,
  log: Logger,
  options: ServiceOptions = {},
): Promise<Service> {
  const db = options.mongodbUri
    ? await connectDatabase(options.mongodbUri, "mongodb")
    : await openDatabase(config.mongodbUri, log, config.dataDir);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();

  // Links need PUBLIC_URL, known only once the port is (PORT=0): adapters are mounted first and
  // reach the router through `chat()`, which is set as soon as the engine is up.
  let chat: ChatRouter | undefined;
  let publicUrl = config.publicUrl ?? "";
  const adapterDeps = { clock, log, chat: () => chat };
  const slackNames = new SlackCommandNames(COMMANDS, config.slackCommandPrefix);

  if (config.playgroundForcedInProduction) {
    log.warn("PLAYGROUND=true in production: anyone who can open the page can act as any playground user");
  }
  const playground = config.playground
    ? createPlaygroundAdapter({ ...adapterDeps, connection: db.connection, publicUrl: () => publicUrl })
    : undefined;
  // Loaded only when configured: Bolt is heavy, and most starts (playground, tests) never use it.
  const slack = config.slack
    ? (require("../adapters/slack") as typeof SlackModule).createSlackAdapter({
        ...adapterDeps,
        config: config.slack,
        names: slackNames,
        ...(options.slackInlineReplyMs !== undefined
          ? { inlineReplyWithinMs: options.slackInlineReplyMs }
          : {}),
      })
    : undefined;
  // `engine` is assigned before `chat`, so reading it once chat() is set is safe.
  const telegram = config.telegram
    ? createTelegramAdapter({
        config: config.telegram,
        chat: () => chat,
        users: () => (chat ? engine.users : undefined),
        log,
        publicUrl: () => publicUrl,
      })
    : undefined;
  const discord = config.discord
    ? createDiscordAdapter({ config: config.discord, chat: () => chat, log })
    : undefined;

  // The group and cart pages (/g, /s, /assets); until the engine is up they answer 503.
  const web = createWebRouter({
    ...lazyEngineViews(() => (chat ? engine : undefined)),
    clock,
    log,
    publicUrl: () => publicUrl,
    playground: config.playground,
    slackJoinCommand: slackNames.published("join"),
  });

  // Each adapter parses its own body (signatures need the raw bytes); the playground owns `/`, so it goes last.
  const mounts: Mount[] = [
    ...(slack?.mount ? [slack.mount] : []),
    ...(telegram?.mount ? [telegram.mount] : []),
    ...(discord?.mount ? [discord.mount] : []),
    { path: "/", router: web },
    ...(playground ? [playground.mount] : []),
  ];
  const app = createApp({ log, metrics, healthy: () => db.ping(), mounts });
  const running = await listen(app, config.port);
  publicUrl = config.publicUrl ?? `http://localhost:${running.port}`;

  const engine = createEngine({
    connection: db.connection,
    clock,
    log,
    publicUrl,
    groupTtlMs: config.groupTtlMs,
    session: config.session,
    ...(config.fulfillment ? { fulfillment: config.fulfillment } : {}),
    ...(config.catalogFile ? { catalogFile: config.catalogFile } : {}),
    ...options.engine,
    outbox: { retentionMs: config.outboxRetentionMs, ...options.engine?.outbox },
  });
  for (const adapter of [playground, slack, telegram, discord])
    if (adapter) engine.registerMessenger(adapter.messenger);
  try {
    await engine.start();
  } catch (error) {
    await running.close(0);
    await db.close();
    throw error;
  }
  chat = createRouter({
    engine,
    commands: COMMANDS,
    events: createProcessedEvents(db.connection, clock),
    channels: createSeenChannels(db.connection, clock),
    clock,
    log,
    publicUrl,
  });
  void slack?.checkToken();
  // Socket Mode connects out to Slack and keeps reconnecting; the rest of crowdcart does not wait for it.
  void slack?.start().catch((error: unknown) => log.error({ err: error }, "slack adapter did not start"));
  // A platform that cannot be reached at start is logged, not fatal: the rest of crowdcart still works.
  await telegram
    ?.start()
    .catch((error: unknown) => log.error({ err: error }, "telegram adapter did not start"));
  await discord
    ?.start()
    .catch((error: unknown) => log.error({ err: error }, "discord adapter did not start"));

  log.info({ port: running.port, url: publicUrl }, `crowdcart listening on ${publicUrl}`);
  if (playground) log.info(`playground: open ${publicUrl}/ in a browser to try the commands`);

  let stopping: Promise<void> | undefined;
  const router = chat;
  return {
    port: running.port,
    publicUrl,
    db,
    engine,
    chat: router,
    stop: () => {
      stopping ??= (async () => {
        await running.close();
        await slack?.stop();
        await telegram?.stop();
        await discord?.stop();
        await engine.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
