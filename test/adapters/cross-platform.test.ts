import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";
import { createDiscordSigner } from "../support/discord-sign";
import { type FakeDiscordApi, startFakeDiscordApi } from "../support/fake-discord-api";
import { type FakeSlackApi, startFakeSlackApi } from "../support/fake-slack-api";
import { type FakeTelegramApi, startFakeTelegramApi } from "../support/fake-telegram-api";
import { slackHeaders, slashCommandBody } from "../support/slack-sign";
import { DISCORD_APP_ID, DISCORD_TOKEN, discordClient } from "./discord/discord-client";
import { inlineReply } from "./slack/slack-harness";
import { TELEGRAM_BOT, TELEGRAM_SECRET, TELEGRAM_TOKEN, telegramClient } from "./telegram/telegram-client";

const SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

let service: Service;
let slackApi: FakeSlackApi;
let telegramApi: FakeTelegramApi;
let discordApi: FakeDiscordApi;
let tg: ReturnType<typeof telegramClient>;
let dc: ReturnType<typeof discordClient>;
let base = "";

beforeAll(async () => {
  slackApi = await startFakeSlackApi();
  telegramApi = await startFakeTelegramApi({ bot: { id: 42, username: TELEGRAM_BOT } });
  discordApi = await startFakeDiscordApi({ applicationId: DISCORD_APP_ID });
  const signer = createDiscordSigner();
  // One service with every adapter on: Slack, Telegram (webhook), Discord (HTTP) and the playground.
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      PLAYGROUND: "true",
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_BOT_TOKEN: "xoxb-test-token-123",
      SLACK_API_URL: slackApi.apiUrl,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegramApi.apiRoot,
      DISCORD_APPLICATION_ID: DISCORD_APP_ID,
      DISCORD_BOT_TOKEN: DISCORD_TOKEN,
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_GATEWAY: "false",
      DISCORD_API_URL: discordApi.apiUrl,
    },
    "/nonexistent/.env",
  );
  service = await startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri("xplat"),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
  });
  base = `http://127.0.0.1:${service.port}`;
  tg = telegramClient(base, telegramApi);
  dc = discordClient(base, discordApi, signer);
});

afterAll(async () => {
  await service?.stop();
  await Promise.all([slackApi?.close(), telegramApi?.close(), discordApi?.close()]);
});

/** A signed Slack slash command; the answer rides on the acknowledgement or follows on its response_url. */
async function slack(userId: string, name: string, line: string): Promise<string> {
  const [command, ...rest] = line.split(" ");
  const responseUrl = slackApi.responseUrl();
  const body = slashCommandBody({
    command: command!,
    text: rest.join(" "),
    userId,
    userName: name,
    responseUrl,
  });
  const res = await fetch(`${base}/slack/events`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...slackHeaders(body, SLACK_SECRET) },
    body,
  });
  expect(res.status).toBe(200);
  const inline = inlineReply(await res.text());
  if (inline) return inline.text;
  await slackApi.waitFor(`the answer to ${line}`, () => slackApi.responsesTo(responseUrl).length > 0);
  return String(slackApi.responsesTo(responseUrl)[0]!.body.text ?? "");
}

async function playground(user: string, line: string): Promise<string> {
  const res = await fetch(`${base}/playground/commands`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, text: line, eventId: randomUUID() }),
  });
  return ((await res.json()) as { text: string }).text;
}

describe("one group across Slack, Telegram, Discord and the playground", () => {
  let code = "";

  it("opens a group on Slack", async () => {
    const reply = await slack("UANA", "ana", "/groupbuy KB-75 size=4 max=4");
    code = /Group code: ([0-9A-Z]{13})/.exec(reply)?.[1] ?? "";
    expect(code).toHaveLength(13);
  });

  it("takes members from all four platforms and completes at the target", async () => {
    expect(await slack("UANA", "ana", `/join ${code}`)).toContain(`joined group ${code}`);
    expect((await tg.send("tess", `/join ${code}`)).text).toContain(`joined group ${code}`);
    expect((await dc.send("dino", `/join ${code}`)).text).toContain(`joined group ${code}`);
    const last = await playground("pia", `/join ${code}`);
    expect(last).toContain(`joined group ${code}`);
    expect(last).toMatch(/complete/i);
  });

  it("shows every member, wherever they joined, in the status on any platform", async () => {
    const status = (await tg.send("tess", `/group ${code}`)).text;
    expect(status).toContain("4 of 4 members");
    for (const name of ["ana", "tess", "dino", "pia"]) expect(status).toContain(name);
    const fromDiscord = await dc.send("dino", `/group ${code}`);
    expect(fromDiscord.text).toContain("4 of 4 members");
  });

  it("credits the tier discount as points to every member on every platform", async () => {
    const keys = [
      "slack:T1:UANA",
      `telegram:${tg.idOf("tess")}`,
      `discord:${dc.idOf("dino")}`,
      "playground:pia",
    ];
    for (const key of keys) {
      const { balance } = await service.engine.points.statement(key);
      expect({ key, credited: balance > 0 }).toEqual({ key, credited: true });
    }
    expect((await tg.send("tess", "/points")).text).toMatch(/You have [1-9]\d* points/);
    expect((await dc.send("dino", "/points")).text).toMatch(/You have [1-9]\d* points/);
    expect(await playground("pia", "/points")).toMatch(/You have [1-9]\d* points/);
  });
});
