import { LogLevel, webApi } from "@slack/bolt";
import { Telegraf } from "telegraf";
import { createDiscordMessenger, createDiscordRest } from "../../../adapters/discord/send";
import { createPlaygroundChannel } from "../../../adapters/playground/channel";
import { createPlaygroundInbox } from "../../../adapters/playground/inbox";
import { createPlaygroundMessenger } from "../../../adapters/playground/messenger";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { createSlackMessenger } from "../../../adapters/slack/messenger";
import { createTelegramMessenger } from "../../../adapters/telegram/send";
import { COMMANDS } from "../../../commands";
import { systemClock } from "../../../src/clock";
import { silentLogger } from "../../../src/logger";
import { dropConnection, freshConnection } from "../../support/db";
import { FAKE_DISCORD_TOKEN, startFakeDiscordApi } from "../../support/fake-discord-api";
import { startFakeSlackApi } from "../../support/fake-slack-api";
import { FAKE_TELEGRAM_TOKEN, startFakeTelegramApi } from "../../support/fake-telegram-api";
import type { ChatPlatformMessengerDriver, MessengerDriver } from "./messenger-contract";

/** `a:b` as its two halves (every platform's reference but the playground's). */
const halves = (ref: string) => ref.split(":") as [string, string];

/** Slack through the real WebClient, configured as the adapter does, against the fake Web API. */
export async function slackMessengerDriver(): Promise<ChatPlatformMessengerDriver> {
  const fake = await startFakeSlackApi();
  const client = new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
  const messenger = createSlackMessenger({
    client,
    log: silentLogger,
    names: new SlackCommandNames(COMMANDS),
  });
  let channels = 0;
  return {
    messenger,
    channel: () => `C${++channels}`,
    async shown(ref) {
      const message = fake.channelMessage(...halves(ref));
      if (!message) return undefined;
      const actions = ((message.blocks ?? []) as { type: string; elements?: { text: { text: string } }[] }[])
        .filter((block) => block.type === "actions")
        .flatMap((block) => block.elements ?? []);
      return { text: message.text, buttons: actions.map((button) => button.text.text) };
    },
    deleteMessage: async (ref) => fake.deleteMessage(...halves(ref)),
    reachableUser: "T1:U1",
    rateLimitNext: (call, seconds) =>
      fake.rateLimitNext(call === "post" ? "chat.postMessage" : "chat.update", seconds),
    othersMessage: (channel) => `${channel}:${fake.postAsUser(channel, "U2", "hello")}`,
    shutOut: (channel) => fake.refuseChannel(channel, "not_in_channel"),
    async unreachableUser() {
      fake.refuseDm("U404", "user_not_found");
      await messenger.send({ id: "dm-404", platform: "slack", userId: "T1:U404", text: "hi" });
      return "T1:U404";
    },
    stop: () => fake.close(),
  };
}

/** Telegram through telegraf's Telegram client against the fake Bot API; channels are groups. */
export async function telegramMessengerDriver(): Promise<ChatPlatformMessengerDriver> {
  const api = await startFakeTelegramApi();
  const bot = new Telegraf(FAKE_TELEGRAM_TOKEN, { telegram: { apiRoot: api.apiRoot } });
  const messenger = createTelegramMessenger(bot.telegram);
  let groups = 0;
  return {
    messenger,
    channel: () => String(-1_000_000_000 - ++groups),
    async shown(ref) {
      const [chat, id] = halves(ref);
      const message = api.message(chat, Number(id));
      if (!message) return undefined;
      const keyboard = (message.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)
        ?.inline_keyboard;
      return { text: message.text, buttons: (keyboard ?? []).flat().map((button) => button.text) };
    },
    deleteMessage: async (ref) => {
      const [chat, id] = halves(ref);
      api.deleteMessage(chat, Number(id));
    },
    reachableUser: "1001",
    rateLimitNext: (call, seconds) =>
      api.rateLimitNext(call === "post" ? "sendMessage" : "editMessageText", seconds),
    othersMessage: (channel) => `${channel}:${api.postAsUser(channel, 1001, "hello")}`,
    shutOut: (channel) => api.kickBot(channel),
    // Someone mentioned by an @name nobody resolved: no chat with them exists yet.
    unreachableUser: async () => "@someone",
    stop: () => api.close(),
  };
}

/** Discord through @discordjs/rest, rejecting on a rate limit as the adapter does, against the fake. */
export async function discordMessengerDriver(): Promise<ChatPlatformMessengerDriver> {
  const api = await startFakeDiscordApi();
  const messenger = createDiscordMessenger(
    createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: api.apiUrl }, true),
  );
  let channels = 0n;
  return {
    messenger,
    channel: () => String(400_000_000_000_000_000n + ++channels),
    async shown(ref) {
      const message = api.message(...halves(ref));
      if (!message) return undefined;
      const rows = (message.components ?? []) as { components: { label: string }[] }[];
      return { text: message.content, buttons: rows.flatMap((row) => row.components.map((b) => b.label)) };
    },
    deleteMessage: async (ref) => api.deleteMessage(...halves(ref)),
    reachableUser: "230000000000000001",
    rateLimitNext: (call, seconds) =>
      call === "post"
        ? api.rateLimitNext("POST", /^\/channels\/\d+\/messages$/, seconds)
        : api.rateLimitNext("PATCH", /^\/channels\/\d+\/messages\/\d+$/, seconds),
    othersMessage: (channel) => `${channel}:${api.postAsUser(channel, "230000000000000002", "hello")}`,
    shutOut: (channel) => api.revokePermissions(channel),
    // Not a user id at all (a name nobody resolved): no DM channel can be opened for it.
    unreachableUser: async () => "@someone",
    stop: () => api.close(),
  };
}

/** The playground's messenger over its own store in a fresh database. */
export async function playgroundMessengerDriver(): Promise<MessengerDriver> {
  const connection = await freshConnection("pg_messenger");
  const channel = createPlaygroundChannel(connection, systemClock);
  const messenger = createPlaygroundMessenger(createPlaygroundInbox(connection, systemClock), channel);
  return {
    messenger,
    channel: () => "playground",
    async shown(ref) {
      const post = (await channel.list("playground")).find((p) => p.id === ref);
      return post && { text: post.text, buttons: post.buttons.map((b) => b.label) };
    },
    deleteMessage: async (ref) =>
      void (await connection.collection("playground_channel").deleteOne({ _id: ref as never })),
    reachableUser: "alice",
    stop: () => dropConnection(connection),
  };
}
