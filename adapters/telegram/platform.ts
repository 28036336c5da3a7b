import { z } from "zod";
import { httpUrl } from "../../src/config/variables";
import type { AdapterContext, ChatAdapter, PlatformDefinition } from "../../src/platform";
import { html } from "../../src/web/html";
import { telegramCommands } from "./commands";
import type { TelegramSettings } from "./settings";

export const telegramPlatform: PlatformDefinition<TelegramSettings> = {
  id: "telegram",
  label: "Telegram",
  variables: {
    TELEGRAM_BOT_TOKEN: {
      schema: z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/)
        .optional(),
      expected: "a bot token from @BotFather, like 123456:ABC-DEF...",
    },
    TELEGRAM_WEBHOOK_SECRET: {
      schema: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/)
        .optional(),
      expected: "1 to 256 characters of A-Z, a-z, 0-9, _ and -",
    },
    TELEGRAM_API_ROOT: {
      schema: httpUrl().optional(),
      expected: "an http(s) URL such as http://127.0.0.1:9000",
    },
  },

  configure(values) {
    const v = values as Record<
      "TELEGRAM_BOT_TOKEN" | "TELEGRAM_WEBHOOK_SECRET" | "TELEGRAM_API_ROOT",
      string | undefined
    >;
    return {
      enabled: Boolean(v.TELEGRAM_BOT_TOKEN),
      botToken: v.TELEGRAM_BOT_TOKEN ?? "",
      webhookSecret: v.TELEGRAM_WEBHOOK_SECRET,
      apiRoot: v.TELEGRAM_API_ROOT,
    };
  },

  parseMention(word) {
    // A text_mention (a user without a username) has no text form: the adapter writes it as
    // `tg://user?id=<id>` in the text it hands over, which resolves like an id.
    const link = /^tg:\/\/user\?id=(\d{1,20})$/.exec(word);
    if (link) return { raw: word, platform: "telegram", id: link[1]! };
    const m = /^@([A-Za-z0-9_]{5,32})$/.exec(word);
    return m ? { raw: word, platform: "telegram", username: m[1]! } : undefined;
  },

  publishedCommands(commands) {
    return telegramCommands(commands);
  },

  joinHint({ command }) {
    return html`Send <code>${command}</code> to the crowdcart bot, or in a group where it is.`;
  },

  create(settings: TelegramSettings, ctx: AdapterContext): ChatAdapter {
    // telegraf loads only when Telegram is on.
    const { createTelegramAdapter } = require("./index") as typeof import("./index");
    return createTelegramAdapter(settings, ctx);
  },
};
