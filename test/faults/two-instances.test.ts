import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { type EmbeddedMongo, startEmbeddedMongo } from "../../embedded-mongo";
import { DEFAULT_OUTBOX_OPTIONS } from "../../src/engine/outbox/worker";
import { TELEGRAM_SECRET, TELEGRAM_TOKEN, telegramClient } from "../adapters/telegram/telegram-client";
import { type FakeTelegramApi, startFakeTelegramApi } from "../support/fake-telegram-api";
import { codeIn, playgroundSay } from "../support/playground-client";
import { type SpawnedService, spawnService } from "../support/spawn-service";

/** Two server processes on one database, behind different ports, with commands spread across both. */
describe("two instances on one database", () => {
  let store: EmbeddedMongo;
  let telegram: FakeTelegramApi;
  let uri: string;
  let a: SpawnedService;
  let b: SpawnedService;

  beforeAll(async () => {
    store = await startEmbeddedMongo();
    telegram = await startFakeTelegramApi();
    uri = store.uri.replace("/?", "/twins?");
    const env = {
      MONGODB_URI: uri,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegram.apiRoot,
    };
    [a, b] = await Promise.all([spawnService(env), spawnService(env)]);
  });
  afterAll(async () => {
    for (const s of [a, b]) s?.child.kill("SIGTERM");
    await Promise.all([a?.exited, b?.exited]);
    await telegram.close();
    await store.stop();
  });

  const base = (i: number) => (i % 2 === 0 ? a.base : b.base);

  it("never lets a group exceed max when joins race on both instances", async () => {
    const opened = await playgroundSay(a.base, "owner", "/groupbuy KB-75 size=5 max=10");
    const code = codeIn(opened.text, "g");
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => playgroundSay(base(i), `joiner${i}`, `/join ${code}`)),
    );
    expect(replies.every((r) => r.status === 200 && r.text.length > 0)).toBe(true);
    const db = await mongoose.createConnection(uri).asPromise();
    try {
      expect(await db.collection("orders").countDocuments({ groupCode: code })).toBe(10);
    } finally {
      await db.close();
    }
  });

  it("issues session serials that are unique across both and increase in the order carts are opened", async () => {
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => playgroundSay(base(i), `shopper${i}`, "/cart add KB-75")),
    );
    const serials = concurrent.map((r) => codeIn(r.text, "s").split("-")[0]!);
    expect(new Set(serials).size).toBe(20);

    const sequential: string[] = [];
    for (let i = 0; i < 6; i++) {
      const reply = await playgroundSay(base(i), `later${i}`, "/cart");
      sequential.push(codeIn(reply.text, "s").split("-")[0]!);
    }
    const sequence = (serial: string) => BigInt(serial.slice(14));
    for (let i = 1; i < sequential.length; i++) {
      expect(sequence(sequential[i]!)).toBeGreaterThan(sequence(sequential[i - 1]!));
      expect(sequential[i]! > sequential[i - 1]!).toBe(true);
    }
  });

  it("delivers each DM exactly once while both outbox workers run", async () => {
    const people = telegramClient(a.base, telegram);
    const names = Array.from(
      { length: 30 },
      (_, i) => `twin${"abcdefghij"[i % 10]}${"abc"[Math.floor(i / 10)]}`,
    );
    const chats = new Set(names.map((n) => String(people.idOf(n))));
    await people.send("host", `/groupbuy KB-75 size=2 max=40 ${names.map(people.mention).join(" ")}`);
    const delivered = () =>
      telegram
        .callsTo("sendMessage")
        .filter((c) => c.status === 200 && chats.has(String(c.body.chat_id)))
        .map((c) => String(c.body.chat_id));
    const db = await mongoose.createConnection(uri).asPromise();
    const unsent = () =>
      db.collection("outbox").countDocuments({ "dm.userId": { $in: [...chats] }, status: { $ne: "sent" } });
    try {
      // Every DM delivered and recorded as sent (a message still "sending" would go out again once
      // its lease ran out).
      const deadline = Date.now() + 120_000;
      while ((new Set(delivered()).size < chats.size || (await unsent()) > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(new Set(delivered()).size).toBe(chats.size);
      expect(await unsent()).toBe(0);
      // Past the lease and two more polls of both workers: a claim either instance lost track of
      // has expired and been taken over by now, and any second delivery has happened.
      const { leaseMs, pollMs } = DEFAULT_OUTBOX_OPTIONS;
      await new Promise((resolve) => setTimeout(resolve, leaseMs + 2 * pollMs));
      expect(delivered()).toHaveLength(chats.size);
      expect(await unsent()).toBe(0);
    } finally {
      await db.close();
    }
  }, 300_000);
});
