import type { Connection } from "mongoose";
import { MENTION_SYNTAX } from "../../../adapters";
import { createDiscordAdapter, type DiscordAdapter } from "../../../adapters/discord";
import { createTelegramAdapter, type TelegramAdapter } from "../../../adapters/telegram";
import type { GroupPace } from "../../../adapters/telegram/group-pace";
import { COMMANDS } from "../../../commands";
import { createApp, type Mount } from "../../../src/app";
import { createProcessedEvents } from "../../../src/chat/processed-events";
import { type ChatRouter, createRouter } from "../../../src/chat/router";
import { createSeenChannels } from "../../../src/chat/seen-channels";
import { systemClock } from "../../../src/clock";
import type { Engine } from "../../../src/engine";
import { silentLogger } from "../../../src/logger";
import { createMetrics } from "../../../src/metrics";
import type { AdapterContext, ChatAdapter } from "../../../src/platform";
import { listen, type RunningServer } from "../../../src/server";
import { PUBLIC_URL, testEngine } from "../../engine/support/harness";
import { dropConnection, freshConnection } from "../../support/db";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi } from "../../support/fake-discord-api";
import { FAKE_TELEGRAM_TOKEN, type FakeTelegramApi } from "../../support/fake-telegram-api";

export { PUBLIC_URL };

export interface ChatStack {
  connection: Connection;
  engine: Engine;
  router: ChatRouter;
  /** The HTTP base once `serve` ran, e.g. http://127.0.0.1:1234 */
  base: string;
  serve(mounts: Mount[]): Promise<string>;
  /** What an adapter is built with on this stack (another router in its place, e.g. one that records). */
  context(router?: ChatRouter): AdapterContext;
  /** Plugs an adapter in as the service does: its messenger registered, its routes served, started. Closed with the stack. */
  attach(adapter: ChatAdapter): Promise<void>;
  /** Delivers every due outbox message (DMs) now, as the worker would. */
  flushOutbox(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real engine, router and commands on a fresh database, and the real express app around
 * whatever adapter routes a test mounts. Workers are not started: tests flush the outbox.
 */
export async function startChatStack(prefix: string): Promise<ChatStack> {
  const connection = await freshConnection(prefix);
  const engine = await testEngine(connection, {
    clock: systemClock,
    outbox: { backoffBaseMs: 1, backoffMaxMs: 5 },
  });
  const router = createRouter({
    engine,
    commands: COMMANDS,
    events: createProcessedEvents(connection, systemClock),
    channels: createSeenChannels(connection, systemClock),
    clock: systemClock,
    log: silentLogger,
    publicUrl: PUBLIC_URL,
    mentions: MENTION_SYNTAX,
  });
  let running: RunningServer | undefined;
  let attached: ChatAdapter | undefined;
  const stack: ChatStack = {
    connection,
    engine,
    router,
    base: "",
    async serve(mounts) {
      const app = createApp({
        log: silentLogger,
        metrics: createMetrics(),
        healthy: async () => true,
        mounts,
      });
      running = await listen(app, 0, "127.0.0.1");
      stack.base = `http://127.0.0.1:${running.port}`;
      return stack.base;
    },
    context: (other = router) => ({
      router: other,
      users: engine.users,
      connection,
      clock: systemClock,
      log: silentLogger,
      publicUrl: PUBLIC_URL,
    }),
    async attach(adapter) {
      attached = adapter;
      engine.registerMessenger(adapter.messenger);
      await stack.serve([...adapter.mounts]);
      await adapter.start();
    },
    async flushOutbox() {
      // Retryable failures come back after their back-off (or the platform's retry_after): keep
      // going until nothing is left to send.
      const Outbox = engine.core.ctx.models.OutboxMessage;
      for (let pass = 0; pass < 400; pass++) {
        await engine.outbox.worker.runOnce();
        const left = await Outbox.countDocuments({ kind: "dm", status: { $in: ["pending", "sending"] } });
        if (left === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("the outbox never emptied");
    },
    async close() {
      await attached?.stop();
      await running?.close(100);
      await dropConnection(connection);
    },
  };
  return stack;
}

/** Polls `check` until it returns a value (follow-ups are sent after the HTTP answer). */
export async function eventually<T>(check: () => T | undefined, what: string, limitMs = 20_000): Promise<T> {
  // Generous: on a busy machine a command and its DMs can take seconds; an idle one answers in ms.
  const until = Date.now() + limitMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The Telegram adapter on this stack and a fake Bot API: webhook mode with a secret, else long polling. */
export function telegramOn(
  stack: ChatStack,
  api: FakeTelegramApi,
  options: { webhookSecret?: string; groupPace?: GroupPace } = {},
): TelegramAdapter {
  return createTelegramAdapter(
    {
      enabled: true,
      botToken: FAKE_TELEGRAM_TOKEN,
      webhookSecret: options.webhookSecret,
      apiRoot: api.apiRoot,
      ...(options.groupPace ? { groupPace: options.groupPace } : {}),
    },
    stack.context(),
  );
}

/** The Discord adapter on this stack and a fake Discord API, through its HTTP endpoint (gateway off). */
export function discordOn(
  stack: ChatStack,
  api: FakeDiscordApi,
  applicationId: string,
  publicKeyHex: string,
): DiscordAdapter {
  return createDiscordAdapter(
    {
      enabled: true,
      applicationId,
      botToken: FAKE_DISCORD_TOKEN,
      publicKey: publicKeyHex,
      gateway: false,
      apiUrl: api.apiUrl,
    },
    stack.context(),
  );
}
