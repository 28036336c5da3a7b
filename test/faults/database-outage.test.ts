import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import mongoose from "mongoose";
import { type EmbeddedMongo, startEmbeddedMongo } from "../../embedded-mongo";
import { codeIn, playgroundSay } from "../support/playground-client";
import { type SpawnedService, spawnService } from "../support/spawn-service";

/**
 * The store stops answering under traffic (its process is paused: connections stay open and go
 * silent, the hardest kind of outage), then comes back with its data.
 */
describe("database outage", () => {
  let store: EmbeddedMongo;
  let service: SpawnedService;
  let uri: string;

  beforeAll(async () => {
    store = await startEmbeddedMongo();
    uri = store.uri.replace("/?", "/outage?");
    service = await spawnService({ MONGODB_URI: uri });
  });
  afterAll(async () => {
    if (store.pid) process.kill(store.pid, "SIGCONT");
    service.child.kill("SIGKILL");
    await service.exited;
    await store.stop();
  });

  const health = () =>
    fetch(`${service.base}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
  async function until(condition: () => Promise<boolean>, limitMs: number): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("answers 503 and 'temporarily unavailable' while the store is gone, writes nothing half, and recovers by itself", async () => {
    const opened = await playgroundSay(service.base, "olga", "/groupbuy KB-75 size=3");
    const group = codeIn(opened.text, "g");
    expect(await health()).toBe(200);

    process.kill(store.pid!, "SIGSTOP");
    await until(async () => (await health()) === 503, 15_000);

    // Commands during the outage: every one answered with one clear line, none with a 5xx.
    const during = await Promise.all(
      ["ann", "bob", "cid"].map((user, i) =>
        playgroundSay(service.base, user, `/join ${group}`, `outage-join-${i}`),
      ),
    );
    for (const reply of during) {
      expect(reply.status).toBe(200);
      expect(reply.text).toMatch(/temporarily unavailable/i);
      expect(reply.text.split("\n")).toHaveLength(1);
    }

    process.kill(store.pid!, "SIGCONT");
    await until(async () => (await health()) === 200, 30_000);

    // Nothing half-written: the refused joins left no order and no member behind.
    const db = await mongoose.createConnection(uri).asPromise();
    try {
      expect(await db.collection("orders").countDocuments({ groupCode: group })).toBe(0);
    } finally {
      await db.close();
    }
    // And the same commands work again, without a restart.
    await until(async () => {
      const reply = await playgroundSay(service.base, "ann", `/join ${group}`);
      return !/temporarily unavailable/i.test(reply.text);
    }, 30_000);
    const status = await playgroundSay(service.base, "olga", `/group ${group}`);
    expect(status.text).toMatch(/ann/i);
  });
});
