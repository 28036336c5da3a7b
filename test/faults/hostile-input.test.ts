import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { EJSON } from "bson";
import fc from "fast-check";
import type { Connection } from "mongoose";
import { loadConfig } from "../../src/config";
import { silentLogger } from "../../src/logger";
import { type Service, startService } from "../../src/service";
import { freshDatabaseUri } from "../support/db";
import { createDiscordSigner } from "../support/discord-sign";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi, startFakeDiscordApi } from "../support/fake-discord-api";
import { type FakeSlackApi, startFakeSlackApi } from "../support/fake-slack-api";
import {
  FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  startFakeTelegramApi,
} from "../support/fake-telegram-api";
import { slackHeaders, slashCommandBody } from "../support/slack-sign";

/**
 * Random and mutated payloads, wrong content types, bodies over the limit and invalid UTF-8 against
 * every endpoint, unsigned and signed: the server never crashes, never answers 5xx, answers an
 * error in one line, no unsigned request changes state, and a signed one changes only what a
 * command's bookkeeping records. Bounded: a fixed number of runs per endpoint, all on 127.0.0.1.
 */
const RUNS = 150;
const LIMIT_BYTES = 1024 * 1024; // the webhooks' documented body limit (playground: 16 KiB)
const SLACK_SECRET = "hostile-signing-secret-000";
const TELEGRAM_SECRET = "hostile-telegram-secret";
/**
 * What a signed request may change even when its body is hostile: the claim on its event id, and
 * the caller, channel and mistyped group code it was seen with. Groups, orders, carts, the outbox
 * and everything else stay exactly as they were (the payloads below run no command that changes them).
 */
const BOOKKEEPING = ["processed_events", "users", "chat_channels", "code_misses"];

describe("hostile input", () => {
  let service: Service;
  let slack: FakeSlackApi;
  let discord: FakeDiscordApi;
  let telegram: FakeTelegramApi;
  let base: string;
  const signer = createDiscordSigner();

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    discord = await startFakeDiscordApi();
    telegram = await startFakeTelegramApi();
    const config = loadConfig(
      {
        PORT: "0",
        SLACK_SIGNING_SECRET: SLACK_SECRET,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_API_URL: slack.apiUrl,
        TELEGRAM_BOT_TOKEN: FAKE_TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        DISCORD_APPLICATION_ID: "123456789012345678",
        DISCORD_BOT_TOKEN: FAKE_DISCORD_TOKEN,
        DISCORD_PUBLIC_KEY: signer.publicKeyHex,
        // On, so the service uses its Discord token at start (the gateway's address and IDENTIFY).
        DISCORD_GATEWAY: "true",
        DISCORD_API_URL: discord.apiUrl,
      },
      "/nonexistent/.env",
    );
    service = await startService(config, silentLogger, { mongodbUri: freshDatabaseUri("hostile") });
    base = `http://127.0.0.1:${service.port}`;
    // Every model's collection and indexes exist before the first snapshot: the service creates
    // them without waiting, and one appearing mid-test is not something the input did.
    await Promise.all(Object.values(service.db.connection.models).map((model) => model.init()));
  });
  afterAll(async () => {
    await service.stop();
    await slack.close();
    await discord.close();
    await telegram.close();
  });

  /**
   * A hash of every document of every collection that holds any (an empty collection holds no
   * state): an unsigned request must leave this exactly as it was.
   */
  async function snapshot(connection: Connection): Promise<Record<string, string>> {
    const db = connection.db!;
    const hashes: Record<string, string> = {};
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      const hash = createHash("sha256");
      let count = 0;
      for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
        hash.update(EJSON.stringify(doc, { relaxed: false })).update("\n");
        count++;
      }
      if (count > 0) hashes[name] = `${count} documents, sha256 ${hash.digest("hex")}`;
    }
    return hashes;
  }

  const without = (hashes: Record<string, string>, names: string[]) =>
    Object.fromEntries(Object.entries(hashes).filter(([name]) => !names.includes(name)));

  /** An error is answered in one line (a JSON error body is one line too). */
  async function expectOneLineError(res: Response): Promise<void> {
    const text = await res.text();
    expect(text.trim()).not.toBe("");
    expect(text.trim().split("\n")).toHaveLength(1);
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
  // A command that changes nothing but bookkeeping (no such group), so a signed mutation of it can
  // only change more if the mutation itself turns into another command.
  const validTelegramUpdate = JSON.stringify({
    update_id: 1,
    message: {
      message_id: 1,
      date: 1,
      chat: { id: 1, type: "private" },
      from: { id: 1, is_bot: false, first_name: "x" },
      text: "/join 7KQ3M9XPT2VAB",
      entities: [{ type: "bot_command", offset: 0, length: 5 }],
    },
  });
  const validDiscordCommand = JSON.stringify({
    type: 2,
    id: "1",
    application_id: "123456789012345678",
    token: "t",
    version: 1,
    channel_id: "400000000000000004",
    user: { id: "220000000000000001", username: "fuzz" },
    data: { id: "1", name: "join", type: 1, options: [{ name: "code", type: 3, value: "7KQ3M9XPT2VAB" }] },
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

  const unsigned = [
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
      valid: validDiscordCommand,
      headers: (): Record<string, string> => ({
        "x-signature-ed25519": randomBytes(64).toString("hex"),
        "x-signature-timestamp": String(Math.floor(Date.now() / 1000)),
      }),
    },
  ];

  it.each(unsigned.map((e, i) => [i, e.path, e] as const))(
    "endpoint %i (%s): random and mutated unsigned payloads get a one-line 4xx and change nothing",
    async (_i, _path, endpoint) => {
      const before = await snapshot(service.db.connection);
      const refused = async (body: Buffer, type: string) => {
        const res = await fetch(`${base}${endpoint.path}`, {
          method: "POST",
          headers: { ...(type ? { "content-type": type } : {}), ...endpoint.headers() },
          body,
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        await expectOneLineError(res);
      };
      // The valid payload itself first, under every content type: random bytes and most mutations
      // would not parse anyway, so this is the request that shows a check made after the work.
      for (const type of contentTypes) await refused(Buffer.from(endpoint.valid), type);
      await fc.assert(fc.asyncProperty(payload(endpoint.valid), fc.constantFrom(...contentTypes), refused), {
        numRuns: RUNS,
      });
      expect(await snapshot(service.db.connection)).toEqual(before);
    },
  );

  /** Valid signatures over hostile bodies: the parsers behind each signature check get the fuzz. */
  const signed = [
    {
      path: "/slack/events",
      valid: validSlackBody,
      type: "application/x-www-form-urlencoded",
      headers: (body: Buffer): Record<string, string> => slackHeaders(body, SLACK_SECRET),
    },
    {
      path: "/telegram/webhook",
      valid: validTelegramUpdate,
      type: "application/json",
      headers: (): Record<string, string> => ({ "x-telegram-bot-api-secret-token": TELEGRAM_SECRET }),
    },
    {
      path: "/discord/interactions",
      valid: validDiscordCommand,
      type: "application/json",
      headers: (body: Buffer): Record<string, string> => {
        const { "content-type": _json, ...signature } = signer.headers(body);
        return signature;
      },
    },
  ];

  it.each(signed.map((e) => [e.path, e] as const))(
    "%s: signed random and mutated payloads are answered (a 4xx in one line) and change only bookkeeping",
    async (_path, endpoint) => {
      const before = await snapshot(service.db.connection);
      const post = (body: Buffer, type: string) =>
        fetch(`${base}${endpoint.path}`, {
          method: "POST",
          headers: { ...(type ? { "content-type": type } : {}), ...endpoint.headers(body) },
          body,
        });
      // The valid payload goes through, so the signatures below are good and what refuses the
      // hostile bodies is the parsing behind them.
      const valid = await post(Buffer.from(endpoint.valid), endpoint.type);
      await valid.arrayBuffer();
      expect(valid.status).toBe(200);
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(payload(endpoint.valid), fc.constantFrom(...contentTypes), async (body, type) => {
          const res = await post(body, type);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            refused++;
            await expectOneLineError(res);
          } else {
            expect(res.status).toBe(200);
            await res.arrayBuffer();
          }
        }),
        { numRuns: RUNS },
      );
      // Most hostile bodies do not parse as the platform's payload: the parsers refused them.
      expect(refused).toBeGreaterThan(0);
      const after = await snapshot(service.db.connection);
      expect(without(after, BOOKKEEPING)).toEqual(without(before, BOOKKEEPING));
    },
  );

  it("reached each platform at start with the token it accepts, so signed payloads ran as far as a reply", async () => {
    // A refused token makes every command behind a signature fail before it touches the database,
    // and the signed fuzz above would then prove nothing about the parsers and commands behind it.
    // So each platform must have answered a call the service made with its token while starting,
    // whichever tests ran before this one.
    const accepted = (calls: { status: number }[]) => calls.filter((c) => c.status === 200).length;
    expect(accepted(telegram.callsTo("getMe"))).toBeGreaterThan(0);
    expect(accepted(telegram.callsTo("setMyCommands"))).toBeGreaterThan(0);
    // The gateway's address is asked for with the bot token before the gateway connects.
    expect(accepted(discord.callsTo("GET", /^\/gateway\/bot$/))).toBeGreaterThan(0);
    // The service checks its Slack token without holding up start, so this waits for that answer.
    await slack.waitFor("auth.test answered ok", () =>
      slack.callsTo("auth.test").some((c) => c.status === 200 && !c.error && c.token === slack.botToken),
    );
    expect(telegram.calls.filter((c) => c.status === 401).map((c) => c.method)).toEqual([]);
    expect(discord.calls.filter((c) => c.status === 401).map((c) => c.route)).toEqual([]);
    expect(slack.calls.filter((c) => c.error === "invalid_auth").map((c) => c.method)).toEqual([]);
  });

  const oversize = Buffer.alloc(LIMIT_BYTES + 1024, 0x61);
  it.each([
    ["/slack/events", "unsigned", {}],
    ["/slack/events", "signed", slackHeaders(oversize, SLACK_SECRET)],
    ["/telegram/webhook", "unsigned", {}],
    ["/telegram/webhook", "signed", { "x-telegram-bot-api-secret-token": TELEGRAM_SECRET }],
    ["/discord/interactions", "unsigned", {}],
    ["/discord/interactions", "signed", signer.headers(oversize)],
    ["/playground/commands", "unsigned", {}],
  ] as const)("%s refuses a body over its limit with 413 (%s)", async (path, _signed, headers) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: oversize,
    });
    expect(res.status).toBe(413);
    await expectOneLineError(res);
  });

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
          const reply = (await res.json()) as { text?: string; error?: string; errorCode?: string };
          const text = reply.text ?? reply.error ?? "";
          expect(text.length).toBeGreaterThan(0);
          if (reply.error !== undefined || reply.errorCode !== undefined)
            expect(text.split("\n")).toHaveLength(1);
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
