import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { Connection } from "mongoose";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";
import { createDiscordSigner } from "../support/discord-sign";
import { type FakeDiscordApi, startFakeDiscordApi } from "../support/fake-discord-api";
import { type FakeSlackApi, startFakeSlackApi } from "../support/fake-slack-api";
import { slashCommandBody } from "../support/slack-sign";

/**
 * Random and mutated payloads, wrong content types, bodies over the limit and invalid UTF-8 against
 * every endpoint: the server never crashes, never answers 5xx, and no unsigned request changes state.
 * Bounded: a fixed number of runs per endpoint, all on 127.0.0.1.
 */
const RUNS = 150;
const LIMIT_BYTES = 1024 * 1024; // the webhooks' documented body limit (playground: 16 KiB)

describe("hostile input", () => {
  let service: Service;
  let slack: FakeSlackApi;
  let discord: FakeDiscordApi;
  let base: string;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    discord = await startFakeDiscordApi();
    const config = loadConfig(
      {
        PORT: "0",
        SLACK_SIGNING_SECRET: "hostile-signing-secret-000",
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
        TELEGRAM_BOT_TOKEN: "123456:HOSTILEHOSTILEHOSTILEHOSTILE",
        TELEGRAM_WEBHOOK_SECRET: "hostile-telegram-secret",
        TELEGRAM_API_ROOT: `http://127.0.0.1:9`,
        DISCORD_APPLICATION_ID: "123456789012345678",
        DISCORD_BOT_TOKEN: "hostile-discord-token-0123456789",
        DISCORD_PUBLIC_KEY: createDiscordSigner().publicKeyHex,
        DISCORD_GATEWAY: "false",
        DISCORD_API_URL: discord.apiUrl,
      },
      "/nonexistent/.env",
    );
    service = await startService(config, silentLogger, { mongodbUri: freshDatabaseUri("hostile") });
    base = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service.stop();
    await slack.close();
    await discord.close();
  });

  /** Documents in every collection: an unsigned request must leave this exactly as it was. */
  async function snapshot(connection: Connection): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { name } of await connection.db!.listCollections().toArray()) {
      counts[name] = await connection.db!.collection(name).countDocuments();
    }
    return counts;
  }

  const contentTypes = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "",
  ];
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x3a, 0x80, 0x7d]);
  const validSlackBody = slashCommandBody({
    command: "/join",
    text: "ABC",
    userId: "U1",
    responseUrl: "http://127.0.0.1:9/r",
  });
  const validTelegramUpdate = JSON.stringify({
    update_id: 1,
    message: {
      message_id: 1,
      chat: { id: 1, type: "private" },
      from: { id: 1, first_name: "x" },
      text: "/cart add KB-75",
    },
  });
  const validDiscordPing = JSON.stringify({
    type: 1,
    id: "1",
    application_id: "123456789012345678",
    token: "t",
  });

  /** A byte string: random, a mutation of a valid payload, or invalid UTF-8. */
  const payload = (valid: string) =>
    fc.oneof(
      fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 512 }).map((text) => Buffer.from(text)),
      fc
        .tuple(fc.nat(valid.length), fc.nat(64), fc.string({ maxLength: 32 }))
        .map(([at, drop, insert]) => Buffer.from(valid.slice(0, at) + insert + valid.slice(at + drop))),
      fc.constant(invalidUtf8),
    );

  const endpoints = [
    { path: "/slack/events", valid: validSlackBody, headers: (): Record<string, string> => ({}) },
    {
      path: "/slack/events",
      valid: validSlackBody,
      // Signed with the wrong secret, timestamp fresh: still unsigned as far as we are concerned.
      headers: (): Record<string, string> => ({
        "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)),
        "x-slack-signature": `v0=${randomBytes(32).toString("hex")}`,
      }),
    },
    { path: "/telegram/webhook", valid: validTelegramUpdate, headers: (): Record<string, string> => ({}) },
    {
      path: "/telegram/webhook",
      valid: validTelegramUpdate,
      headers: (): Record<string, string> => ({ "x-telegram-bot-api-secret-token": "wrong-secret" }),
    },
    {
      path: "/discord/interactions",
      valid: validDiscordPing,
      headers: (): Record<string, string> => ({
        "x-signature-ed25519": randomBytes(64).toString("hex"),
        "x-signature-timestamp": String(Math.floor(Date.now() / 1000)),
      }),
    },
  ];

  it.each(endpoints.map((e, i) => [i, e.path, e] as const))(
    "endpoint %i (%s): random and mutated unsigned payloads get 4xx and change nothing",
    async (_i, _path, endpoint) => {
      const before = await snapshot(service.db.connection);
      await fc.assert(
        fc.asyncProperty(payload(endpoint.valid), fc.constantFrom(...contentTypes), async (body, type) => {
          const res = await fetch(`${base}${endpoint.path}`, {
            method: "POST",
            headers: { ...(type ? { "content-type": type } : {}), ...endpoint.headers() },
            body,
          });
          await res.arrayBuffer();
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
      expect(await snapshot(service.db.connection)).toEqual(before);
    },
  );

  it.each(["/slack/events", "/telegram/webhook", "/discord/interactions", "/playground/commands"])(
    "%s refuses a body over its limit with 4xx",
    async (path) => {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": "hostile-telegram-secret",
        },
        body: Buffer.alloc(LIMIT_BYTES + 1024, 0x61),
      });
      await res.arrayBuffer().catch(() => undefined);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    },
  );

  it("answers any typed command line with one line and never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("groupbuy", "join", "group", "cart", "catalog", "points", "register", "help", "nope"),
        fc.string({ maxLength: 200 }),
        async (command, rest) => {
          const res = await fetch(`${base}/playground/commands`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ user: "fuzzer", text: `/${command} ${rest}` }),
          });
          expect(res.status).toBeLessThan(500);
          const reply = (await res.json()) as { text?: string; error?: string };
          const text = reply.text ?? reply.error ?? "";
          expect(text.length).toBeGreaterThan(0);
          if (reply.error !== undefined || /INTERNAL/.test(JSON.stringify(reply))) {
            expect(JSON.stringify(reply)).not.toContain("INTERNAL_ERROR");
          }
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it("answers junk page codes with 4xx, never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("g", "s"),
        fc.string({ minLength: 1, maxLength: 300 }),
        async (kind, code) => {
          const res = await fetch(`${base}/${kind}/${encodeURIComponent(code)}`, {
            headers: { accept: "text/html" },
          });
          await res.arrayBuffer();
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
