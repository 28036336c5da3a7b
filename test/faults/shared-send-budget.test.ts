import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose, { type Connection } from "mongoose";
import { type EmbeddedMongo, startEmbeddedMongo } from "../../embedded-mongo";
import { systemClock } from "../../src/clock";
import type { Engine } from "../../src/engine";
import { DISCORD_APP_ID, DISCORD_TOKEN } from "../adapters/discord/discord-client";
import { TELEGRAM_SECRET, TELEGRAM_TOKEN } from "../adapters/telegram/telegram-client";
import { testEngine } from "../engine/support/harness";
import { type FakeDiscordApi, startFakeDiscordApi } from "../support/fake-discord-api";
import { type FakeTelegramApi, startFakeTelegramApi } from "../support/fake-telegram-api";
import { busiestWindow, tightestSpan } from "../support/send-rate";
import { type SpawnedService, spawnService } from "../support/spawn-service";

/** The platforms' published limits, enforced by the fakes with 429s. */
const TELEGRAM_PER_SECOND = 30;
const DISCORD_REQUESTS_PER_SECOND = 50;
/** A first DM on Discord costs two requests: open the DM channel, then post. */
const DISCORD_REQUESTS_PER_DM = 2;

/**
 * Several server processes on one database share each platform's send budget through it: together
 * they stay under every limit (the fakes answer 429 beyond it, and none is drawn), deliver every DM
 * once, and still come close to the rate the limit allows.
 */
describe("instances sharing one send budget", () => {
  let store: EmbeddedMongo;
  let telegram: FakeTelegramApi;
  let discord: FakeDiscordApi;
  let uri: string;
  let seed: Connection;
  let engine: Engine;
  let services: SpawnedService[] = [];
  let nextMember = 600_000;

  beforeAll(async () => {
    store = await startEmbeddedMongo();
    telegram = await startFakeTelegramApi({ messagesPerSecond: TELEGRAM_PER_SECOND });
    discord = await startFakeDiscordApi({
      applicationId: DISCORD_APP_ID,
      requestsPerSecond: DISCORD_REQUESTS_PER_SECOND,
    });
    uri = store.uri.replace("/?", "/shared_budget?");
    // The test writes the DMs from an engine of its own with no messengers: the servers deliver.
    seed = await mongoose.createConnection(uri).asPromise();
    engine = await testEngine(seed, { clock: systemClock });
    const env = {
      MONGODB_URI: uri,
      PLAYGROUND: "false",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_APPLICATION_ID: DISCORD_APP_ID,
      DISCORD_BOT_TOKEN: DISCORD_TOKEN,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GATEWAY: "false",
    };
    services = await Promise.all([spawnService(env), spawnService(env), spawnService(env)]);
  }, 120_000);
  afterAll(async () => {
    for (const s of services) s.child.kill("SIGTERM");
    await Promise.all(services.map((s) => s.exited));
    await seed?.close();
    await telegram?.close();
    await discord?.close();
    await store?.stop();
  });

  /** Opens a group tagging `count` new members of `platform`; returns their platform ids. */
  async function fanOut(platform: "telegram" | "discord", count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => String(nextMember++));
    for (const id of ids) await engine.users.touch({ platform, id });
    const organiser = String(nextMember++);
    await engine.users.touch({ platform, id: organiser, displayName: "Organiser" });
    await engine.groups.open(`${platform}:${organiser}`, "KB-75", {
      size: 2,
      max: count,
      members: ids.map((id) => `${platform}:${id}`),
    });
    return ids;
  }

  const telegramSends = () => telegram.callsTo("sendMessage");
  const discordDms = () => discord.callsTo("POST", /^\/channels\/\d+\/messages$/);

  async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** From the first call to the last: the time the fan-out took at the platform. */
  function spanSeconds(calls: Array<{ at: number }>): number {
    const times = calls.map((c) => c.at);
    return (Math.max(...times) - Math.min(...times)) / 1000;
  }

  /** How near the fake's limiter came to a 429: the shortest time a second's worth of calls plus one took. */
  function closest(times: number[], perSecond: number): string {
    return `${perSecond + 1} calls in no less than ${tightestSpan(times, perSecond)} ms`;
  }

  async function outboxStatuses(): Promise<Record<string, number>> {
    const counts = await seed
      .collection("outbox")
      .aggregate<{ _id: string; n: number }>([{ $group: { _id: "$status", n: { $sum: 1 } } }])
      .toArray();
    return Object.fromEntries(counts.map((c) => [c._id, c.n]));
  }

  it("three instances fan out 600 DMs on Telegram and 600 on Discord within every limit, each once", async () => {
    const started = Date.now();
    const [telegramIds, discordIds] = await Promise.all([fanOut("telegram", 600), fanOut("discord", 600)]);
    await until(
      "every DM",
      () => telegramSends().length >= 600 && discordDms().filter((c) => c.status === 200).length >= 600,
      120_000,
    );
    const telegramSeconds = spanSeconds(telegramSends());
    const discordSeconds = spanSeconds(discord.calls.filter((c) => c.at >= started));
    // Give every worker another pass: a second delivery of anything would show now.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    // Within the limits as the platforms count them: not one 429 from either fake.
    expect(telegram.calls.filter((c) => c.status === 429)).toEqual([]);
    expect(discord.calls.filter((c) => c.status === 429)).toEqual([]);

    // Nothing lost, nothing twice.
    const telegramChats = telegramSends().map((c) => String(c.body.chat_id));
    expect(telegramChats.sort()).toEqual([...telegramIds].sort());
    const discordRecipients = discordIds.map((id) => discord.dmsTo(id).length);
    expect(discordRecipients.every((n) => n === 1)).toBe(true);
    expect(discordDms()).toHaveLength(600);
    expect(await outboxStatuses()).toEqual({ sent: 1200 });

    // How close to what the limits allow is printed, not asserted: on a busy machine the time
    // depends on the load. `bench/dm-fanout.ts` measures it; the README has the figures.
    const telegramAllows = 600 / TELEGRAM_PER_SECOND;
    const discordAllows = (600 * DISCORD_REQUESTS_PER_DM) / DISCORD_REQUESTS_PER_SECOND;
    const telegramTimes = telegramSends().map((c) => c.at);
    const discordTimes = discord.calls.filter((c) => c.at >= started).map((c) => c.at);
    console.log(
      `shared budget: Telegram 600 DMs in ${telegramSeconds.toFixed(1)} s (limit allows ${telegramAllows} s, ` +
        `busiest second ${busiestWindow(telegramTimes)}, ${closest(telegramTimes, TELEGRAM_PER_SECOND)}), ` +
        `Discord 600 DMs in ${discordSeconds.toFixed(1)} s (limit allows ${discordAllows} s, ` +
        `${closest(discordTimes, DISCORD_REQUESTS_PER_SECOND)})`,
    );
  }, 170_000);

  it("one instance fans out 1,000 Telegram DMs without a 429, each once", async () => {
    for (const s of services.splice(1)) {
      s.child.kill("SIGTERM");
      await s.exited;
    }
    const before = telegram.calls.length;
    const ids = await fanOut("telegram", 1000);
    const sends = () => telegram.calls.slice(before).filter((c) => c.method === "sendMessage");
    await until("every DM", () => sends().length >= 1000, 150_000);
    const seconds = spanSeconds(sends());

    expect(sends().filter((c) => c.status === 429)).toEqual([]);
    expect(
      sends()
        .map((c) => String(c.body.chat_id))
        .sort(),
    ).toEqual([...ids].sort());
    const allows = 1000 / TELEGRAM_PER_SECOND;
    console.log(
      `one instance: 1,000 Telegram DMs in ${seconds.toFixed(1)} s (limit allows ${allows.toFixed(1)} s, ` +
        `${closest(
          sends().map((c) => c.at),
          TELEGRAM_PER_SECOND,
        )})`,
    );
  }, 175_000);
});
