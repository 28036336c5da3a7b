import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type EmbeddedMongo, startEmbeddedMongo } from "../../embedded-mongo";
import { DEFAULT_OUTBOX_OPTIONS } from "../../src/engine/outbox/worker";
import { TELEGRAM_SECRET, TELEGRAM_TOKEN, telegramClient } from "../adapters/telegram/telegram-client";
import { type FakeTelegramApi, startFakeTelegramApi } from "../support/fake-telegram-api";
import { type SpawnedService, spawnService } from "../support/spawn-service";

const GROUPS = 4;
const PER_GROUP = 50;
const MEMBERS = GROUPS * PER_GROUP;
/** The outbox worker's lanes for one platform's DMs: at most this many are in flight when the process dies. */
const IN_FLIGHT_LIMIT = DEFAULT_OUTBOX_OPTIONS.concurrency;
/** Waits the test allows for: a cold start, the first third of the DMs, the rest after the restart. */
const START_MS = 120_000;
const FIRST_THIRD_MS = 60_000;
const THE_REST_MS = 150_000;

/**
 * The server is killed with SIGKILL half-way through sending 200 DMs and started again on the same
 * database: every DM arrives, none is lost, and only those in flight at the kill may arrive twice.
 */
describe("crash during DM fan-out", () => {
  let store: EmbeddedMongo;
  let telegram: FakeTelegramApi;
  const services: SpawnedService[] = [];

  beforeAll(async () => {
    store = await startEmbeddedMongo();
    // Slow enough that the kill lands mid-way: 200 DMs at 20 per second take about 10 s.
    telegram = await startFakeTelegramApi({ messagesPerSecond: 20 });
  });
  afterAll(async () => {
    for (const service of services) service.child.kill("SIGKILL");
    await Promise.all(services.map((s) => s.exited));
    await telegram.close();
    await store.stop();
  });

  const start = async () => {
    const service = await spawnService(
      {
        MONGODB_URI: store.uri.replace("/?", "/crash?"),
        PLAYGROUND: "false",
        TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        TELEGRAM_API_ROOT: telegram.apiRoot,
      },
      START_MS,
    );
    services.push(service);
    return service;
  };

  it(
    "delivers every DM after a SIGKILL and a restart, duplicating at most the in-flight ones",
    async () => {
      const first = await start();
      const people = telegramClient(first.base, telegram);
      const names = Array.from(
        { length: MEMBERS },
        (_, i) => `member${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}`,
      );
      // Mentions are text_mention entities: letters only in the fake client's syntax.
      const alpha = names.map((name) => name.replace(/\d/g, (d) => "abcdefghij"[Number(d)]!));
      const memberChats = new Set(alpha.map((name) => String(people.idOf(name))));
      expect(memberChats.size).toBe(MEMBERS);

      for (let g = 0; g < GROUPS; g++) {
        const tagged = alpha.slice(g * PER_GROUP, (g + 1) * PER_GROUP).map(people.mention);
        const reply = await people.send("organiser", `/groupbuy KB-75 size=2 max=60 ${tagged.join(" ")}`);
        expect(reply.text).toMatch(/\/g\/[0-9A-Z]+/);
      }

      const deliveredTo = () =>
        telegram
          .callsTo("sendMessage")
          .filter((call) => call.status === 200 && memberChats.has(String(call.body.chat_id)))
          .map((call) => String(call.body.chat_id));
      await waitFor(() => deliveredTo().length >= MEMBERS / 3, FIRST_THIRD_MS);
      first.child.kill("SIGKILL");
      await first.exited;
      const beforeRestart = deliveredTo().length;
      expect(beforeRestart).toBeLessThan(MEMBERS);

      await start();
      // The lease of any message claimed by the dead process runs out (60 s) before it is retried.
      await waitFor(() => new Set(deliveredTo()).size === MEMBERS, THE_REST_MS);
      const all = deliveredTo();
      expect(new Set(all).size).toBe(MEMBERS);
      expect(all.length - MEMBERS).toBeLessThanOrEqual(IN_FLIGHT_LIMIT);
      // Two cold starts and both waits, plus a minute for the commands themselves on a busy machine.
    },
    2 * START_MS + FIRST_THIRD_MS + THE_REST_MS + 60_000,
  );
});

async function waitFor(condition: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
