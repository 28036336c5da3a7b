import { Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import type { Mount } from "../../src/app";
import type { ChatRouter } from "../../src/chat/router";
import { telegramCommands } from "../../src/chat/telegram-commands";
import type { Config } from "../../src/config";
import type { Engine } from "../../src/engine";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import { createTelegramHandler } from "./handle";
import { parseTelegramUpdate } from "./parse";
import { type Poller, startPolling } from "./polling";
import { createTelegramMessenger } from "./send";
import { telegramWebhookRouter } from "./webhook";

/**
 * The router, the engine's users and the public URL exist only once the server listens (the port
 * may be chosen then), while the webhook route is mounted before: hence getters.
 */
export interface TelegramAdapterDeps {
  config: NonNullable<Config["telegram"]>;
  chat: () => ChatRouter | undefined;
  users: () => Pick<Engine["users"], "resolveByUsername"> | undefined;
  log: Logger;
  publicUrl: () => string;
}

export interface TelegramAdapter {
  /** `POST /telegram/webhook`, present in webhook mode (TELEGRAM_WEBHOOK_SECRET set). */
  mount?: Mount;
  messenger: Messenger;
  /** Runs one update as if Telegram had delivered it (webhook and polling both end here). */
  handleUpdate(update: Update): Promise<void>;
  /** Learns the bot's name, publishes the command list, then registers the webhook or starts polling. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Telegram through telegraf: one bot, two ways in (webhook or long polling), one handler. */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { config, log } = deps;
  const bot = new Telegraf(config.botToken, {
    // webhookReply off: every answer is a real API call we can check, never folded into the 200.
    telegram: { webhookReply: false, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}) },
    handlerTimeout: 60_000,
  });
  let ready: { handle: ReturnType<typeof createTelegramHandler>; commands: Set<string> } | undefined;
  const wired = () => {
    if (ready) return ready;
    const router = deps.chat();
    const users = deps.users();
    if (!router || !users) throw new Error("telegram update before the service finished starting");
    ready = {
      commands: new Set(router.commands.map((c) => c.name)),
      handle: createTelegramHandler({
        router,
        users,
        log,
        publicUrl: deps.publicUrl(),
        botUsername: () => bot.botInfo?.username ?? "",
      }),
    };
    return ready;
  };

  bot.use(async (ctx) => {
    const { handle, commands } = wired();
    const event = parseTelegramUpdate(ctx.update, { botUsername: ctx.botInfo.username, commands });
    if (event.kind === "ignore") return;
    await handle(event, ctx.telegram);
  });
  bot.catch((error, ctx) => {
    log.error({ err: error, updateId: ctx.update.update_id }, "telegram update failed");
  });

  const onUpdate = (update: Update) => bot.handleUpdate(update);
  let poller: Poller | undefined;

  return {
    ...(config.webhookSecret
      ? {
          mount: {
            path: "/telegram",
            router: telegramWebhookRouter(config.webhookSecret, onUpdate, log, () =>
              Boolean(deps.chat() && deps.users()),
            ),
          },
        }
      : {}),
    messenger: createTelegramMessenger(bot.telegram),
    handleUpdate: onUpdate,
    async start() {
      bot.botInfo ??= await bot.telegram.getMe();
      const router = deps.chat();
      if (!router) throw new Error("start the Telegram adapter after the chat router exists");
      await bot.telegram.setMyCommands(telegramCommands(router.commands));
      if (config.webhookSecret) {
        // Telegram only calls public https URLs; for anything else setWebhook is done by hand (README).
        const publicUrl = deps.publicUrl();
        if (publicUrl.startsWith("https://")) {
          await bot.telegram.setWebhook(`${publicUrl}/telegram/webhook`, {
            secret_token: config.webhookSecret,
            allowed_updates: ["message", "callback_query"],
          });
        }
        log.info({ bot: bot.botInfo.username, mode: "webhook" }, "telegram adapter on");
      } else {
        poller = startPolling(bot.telegram, onUpdate, log);
        log.info({ bot: bot.botInfo.username, mode: "long polling" }, "telegram adapter on");
      }
    },
    async stop() {
      await poller?.stop();
      poller = undefined;
    },
  };
}
