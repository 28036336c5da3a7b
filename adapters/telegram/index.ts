import { Telegraf } from "telegraf";
import type { Update, UserFromGetMe } from "telegraf/types";
import type { Mount } from "../../src/app";
import type { ChatRouter } from "../../src/chat/router";
import { telegramCommands } from "../../src/chat/telegram-commands";
import type { Config } from "../../src/config";
import type { Engine } from "../../src/engine";
import { KeyedLock } from "../../src/engine/keyed-lock";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import type { GroupPace } from "./group-pace";
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
  /** Group limits; Telegram's own unless a test narrows them. */
  groupPace?: GroupPace;
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

const BUTTON_RUNS_NOTHING = "This button no longer runs anything; type /help to see the commands.";

/** Telegram through telegraf: one bot, two ways in (webhook or long polling), one handler. */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { config, log } = deps;
  const bot = new Telegraf(config.botToken, {
    // webhookReply off: every answer is a real API call we can check, never folded into the 200.
    telegram: { webhookReply: false, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}) },
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
        botUsername: () => bot.botInfo?.username ?? "",
        ...(deps.groupPace ? { groupPace: deps.groupPace } : {}),
      }),
    };
    return ready;
  };

  // Chats run side by side, each chat's updates one after another: one busy group (a reply waiting
  // out a 429 or its turn) holds up only itself.
  const chats = new KeyedLock();
  let me: Promise<UserFromGetMe> | undefined;
  const botInfo = () => {
    me ??= bot.telegram.getMe().then(
      (info) => (bot.botInfo = info),
      (error: unknown) => {
        me = undefined; // asked again with the next update
        throw error;
      },
    );
    return me;
  };

  async function onUpdate(update: Update): Promise<void> {
    const { handle, commands } = wired();
    const { username } = await botInfo();
    const event = parseTelegramUpdate(update, { botUsername: username, commands });
    // A button press is answered at once, whatever it leads to: the client spins until then.
    const answered = event.callbackQueryId
      ? answerButton(event.callbackQueryId, event.kind === "ignore")
      : undefined;
    const handled =
      event.kind === "command"
        ? chats.run(String(event.chatId), () => handle(event, bot.telegram))
        : undefined;
    await Promise.all([answered, handled]);
  }

  async function answerButton(queryId: string, runsNothing: boolean): Promise<void> {
    try {
      await bot.telegram.answerCbQuery(queryId, runsNothing ? BUTTON_RUNS_NOTHING : undefined);
    } catch (error) {
      log.warn({ err: error }, "telegram button press not answered");
    }
  }

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
      const { username } = await botInfo();
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
        log.info({ bot: username, mode: "webhook" }, "telegram adapter on");
      } else {
        poller = startPolling(bot.telegram, onUpdate, log);
        log.info({ bot: username, mode: "long polling" }, "telegram adapter on");
      }
    },
    async stop() {
      await poller?.stop();
      poller = undefined;
    },
  };
}
